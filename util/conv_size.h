/*
 * conv_size.h - parse byte sizes and bounded integers strictly.
 *
 * SYNOPSIS
 *	#include "conv_size.h"
 *
 *	int	conv_size(const char *str, long long *result);
 *	int	conv_int(const char *str, long long min, long long max,
 *			long long *result);
 *
 * DESCRIPTION
 *	conv_size() converts decimal digits with an optional suffix k/K,
 *	m/M or g/G (times 1024, 1024^2, 1024^3) to a byte count: "10240000",
 *	"512k", "50M", "2g". Nothing else is allowed: no white space, sign,
 *	"b" suffix or trailing bytes.
 *
 *	conv_int() converts an optional '-' followed by decimal digits and
 *	nothing else, and requires min <= value <= max.
 *
 * DIAGNOSTICS
 *	Both return 0 on success and -1, with *result unchanged, on bad
 *	syntax, overflow (beyond LLONG_MAX or LLONG_MIN) or a value out of
 *	range.
 *
 * SECURITY
 *	No strtoll() laxity ("  +0x1f" is refused), and every step is
 *	overflow-checked, so a hostile or mistyped value cannot wrap to a
 *	small or negative limit (SECURITY-CASES E1/E2).
 */
#ifndef CONV_SIZE_H
#define CONV_SIZE_H

extern int conv_size(const char *, long long *);
extern int conv_int(const char *, long long, long long, long long *);

#endif
