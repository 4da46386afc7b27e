/*
 * mime_header.h - parse the values of the MIME headers that matter for
 *	transport: Content-Type (type, subtype, boundary) and
 *	Content-Transfer-Encoding (RFC 2045).
 *
 * SYNOPSIS
 *	#include "mime_header.h"
 *
 *	int	mime_header_type(const char *val, size_t len, int *subtype,
 *			mime_header_param_fn fn, void *ctx);
 *	int	mime_header_encoding(const char *val, size_t len);
 *
 * DESCRIPTION
 *	val/len is a header value (after "Name:"), possibly folded (it may
 *	hold "\n" and white space between the physical lines).
 *
 *	mime_header_type() returns MIME_TYPE_TEXT, _MESSAGE, _MULTIPART or
 *	_OTHER (also for an empty or unparsable value) and sets *subtype
 *	to MIME_SUB_PLAIN, _RFC822, _PARTIAL, _EXTERNAL, _DIGEST or _OTHER.
 *	For every parameter named "boundary" (ASCII case-insensitive, as a
 *	token or a quoted string) it calls fn(value, len, ctx); fn may be
 *	NULL. A value longer than MIME_HEADER_VALUE_MAX is cut there.
 *
 *	mime_header_encoding() returns MIME_ENC_7BIT, _8BIT, _BINARY, _QP,
 *	_BASE64 for the known encodings (case-insensitive) and
 *	MIME_ENC_OTHER for anything else (x-uuencode, garbage, empty).
 *
 *	Parsing is as loose as Postfix's mime_state: RFC 822 comments and
 *	white space are skipped, a parameter that does not parse is
 *	skipped up to the next ";".
 *
 * SECURITY
 *	The value is hostile bytes: every read is bounded by len, comments
 *	nest through a counter (no recursion), tokens go to a bounded
 *	buffer.
 */
#ifndef MIME_HEADER_H
#define MIME_HEADER_H

#include <stddef.h>

#define MIME_TYPE_OTHER		0
#define MIME_TYPE_TEXT		1
#define MIME_TYPE_MESSAGE	2
#define MIME_TYPE_MULTIPART	3

#define MIME_SUB_OTHER		0
#define MIME_SUB_PLAIN		1
#define MIME_SUB_RFC822		2
#define MIME_SUB_PARTIAL	3
#define MIME_SUB_EXTERNAL	4
#define MIME_SUB_DIGEST		5

#define MIME_ENC_OTHER		0
#define MIME_ENC_7BIT		1
#define MIME_ENC_8BIT		2
#define MIME_ENC_BINARY		3
#define MIME_ENC_QP		4
#define MIME_ENC_BASE64		5

#define MIME_HEADER_VALUE_MAX	2048	/* Postfix mime_boundary_length_limit */

typedef void (*mime_header_param_fn) (const char *, size_t, void *);

extern int mime_header_type(const char *, size_t, int *, mime_header_param_fn,
			            void *);
extern int mime_header_encoding(const char *, size_t);

#endif
