/*
 * base64_code.h - strict base64 (RFC 4648 section 4) for SMTP AUTH.
 *
 * SYNOPSIS
 *	#include "base64_code.h"
 *
 *	void	base64_encode(struct vstr *out, const void *in, size_t len);
 *	int	base64_decode(struct vstr *out, const char *in, size_t len,
 *			size_t max);
 *
 * DESCRIPTION
 *	base64_encode() replaces out with the encoding of len bytes, with
 *	"=" padding and no line breaks.
 *
 *	base64_decode() replaces out with the bytes encoded by the len
 *	characters at in (out may then hold NUL bytes; vstr_len() counts
 *	them). Only the canonical form is accepted: the alphabet
 *	A-Z a-z 0-9 + /, a length that is a multiple of 4, "=" only as one
 *	or two final padding characters, and zero bits in the unused part
 *	of the last character. White space, line breaks, the URL-safe
 *	alphabet and missing padding are errors. The empty string decodes
 *	to zero bytes.
 *
 * DIAGNOSTICS
 *	base64_decode() returns 0, or -1 when the input is malformed or
 *	would decode to more than max bytes (checked before any
 *	allocation); out is then empty.
 *
 * SECURITY
 *	The input comes from the network; every byte is checked and the
 *	output size is bounded by the caller.
 */
#ifndef BASE64_CODE_H
#define BASE64_CODE_H

#include <stddef.h>

#include "vstr.h"

extern void base64_encode(struct vstr *, const void *, size_t);
extern int base64_decode(struct vstr *, const char *, size_t, size_t);

#endif
