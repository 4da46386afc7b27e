/*
 * conv_time.h - parse a Postfix-style time value.
 *
 * SYNOPSIS
 *	#include "conv_time.h"
 *
 *	int	conv_time(const char *str, int def_unit, long *result);
 *
 * DESCRIPTION
 *	conv_time() converts a non-negative decimal number with an optional
 *	one-letter unit, s (seconds), m (minutes), h (hours), d (days) or
 *	w (weeks), to seconds in *result. A number without a unit is taken
 *	in def_unit, which must itself be one of those letters. Examples:
 *	"0", "30s", "5m", "1h", "5d", "1w"; with def_unit 'd', "5" is five
 *	days. There is no white space, no sign and nothing after the unit.
 *
 * DIAGNOSTICS
 *	0 on success. -1, with *result unchanged, for an empty string, a
 *	sign, white space, a non-digit, an unknown unit, trailing bytes, or
 *	a value above LONG_MAX seconds. An invalid def_unit is a bug of the
 *	caller: msg_panic().
 *
 * SECURITY
 *	Values come from main.cf, master.cf and "-o" options, which are
 *	checked but not trusted: every multiplication is overflow-checked.
 */
#ifndef CONV_TIME_H
#define CONV_TIME_H

extern int conv_time(const char *, int, long *);

#endif
