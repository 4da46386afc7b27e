/*
 * sasl_codec.h - decode SASL PLAIN and LOGIN client responses.
 *
 * SYNOPSIS
 *	#include "sasl_codec.h"
 *
 *	int	sasl_plain_decode(const char *b64, size_t len,
 *			struct vstr *authcid, struct vstr *passwd,
 *			struct vstr *why);
 *	int	sasl_login_decode(const char *b64, size_t len, int what,
 *			struct vstr *out, struct vstr *why);
 *	void	sasl_wipe(struct vstr *secret);
 *
 * DESCRIPTION
 *	sasl_plain_decode() decodes a PLAIN response (RFC 4616): strict
 *	base64 (base64_code.h) of "authzid NUL authcid NUL passwd" with
 *	exactly two NUL bytes. The authzid must be empty or equal to the
 *	authcid (no proxy authorization). authcid must be a valid user
 *	name (below), passwd 1..SASL_PASSWD_MAX bytes.
 *
 *	sasl_login_decode() decodes one LOGIN response: what is
 *	SASL_LOGIN_USER (a valid user name) or SASL_LOGIN_PASSWD
 *	(1..SASL_PASSWD_MAX bytes, no NUL).
 *
 *	A valid user name has 1..SASL_USER_MAX bytes, none of them a
 *	control character, space, DEL or NUL (UTF-8 is allowed): it ends
 *	up in a table lookup and in log lines.
 *
 *	sasl_wipe() overwrites and empties a vstr that held a password.
 *
 * DIAGNOSTICS
 *	The decoders return 0, or -1 with a short reason in why (never
 *	containing the secret); the outputs are then empty.
 *
 * SECURITY
 *	All input is hostile: lengths are bounded before decoding.
 */
#ifndef SASL_CODEC_H
#define SASL_CODEC_H

#include <stddef.h>

#include "vstr.h"

#define SASL_USER_MAX		256
#define SASL_PASSWD_MAX		1024
#define SASL_PLAIN_MAX		(2 * SASL_USER_MAX + SASL_PASSWD_MAX + 2)

#define SASL_LOGIN_USER		1
#define SASL_LOGIN_PASSWD	2

extern int sasl_plain_decode(const char *, size_t, struct vstr *,
			             struct vstr *, struct vstr *);
extern int sasl_login_decode(const char *, size_t, int, struct vstr *,
			             struct vstr *);
extern void sasl_wipe(struct vstr *);

#endif
