/*
 * pw_crypt.h - password hashes in crypt(3) form (libcrypt): make one,
 *	check a password against one.
 *
 * SYNOPSIS
 *	#include "pw_crypt.h"
 *
 *	int	pw_crypt_hash(const char *password, const char *prefix,
 *			struct vstr *out, struct vstr *why);
 *	int	pw_crypt_verify(const char *password, const char *hash);
 *	int	pw_crypt_supported(const char *hash);
 *
 * DESCRIPTION
 *	pw_crypt_hash() replaces out with a new hash of password, with a
 *	random salt from getrandom(2) and libcrypt's default cost for the
 *	method: prefix PW_CRYPT_YESCRYPT ("$y$") or PW_CRYPT_SHA512
 *	("$6$").
 *
 *	pw_crypt_verify() is 1 when password matches hash, else 0 (also
 *	for a hash that is malformed or of an unsupported method). The
 *	computed hash is compared in constant time.
 *
 *	pw_crypt_supported() is true when hash starts with "$y$" or "$6$"
 *	(weaker or unknown methods are refused).
 *
 * DIAGNOSTICS
 *	pw_crypt_hash() returns 0, or -1 with the reason in why.
 *
 * SECURITY
 *	Passwords are wiped from the scratch memory after use. Callers
 *	that must not reveal whether a user exists verify against a dummy
 *	hash of the same method (same cost) for unknown users.
 */
#ifndef PW_CRYPT_H
#define PW_CRYPT_H

#include "vstr.h"

#define PW_CRYPT_YESCRYPT	"$y$"
#define PW_CRYPT_SHA512		"$6$"

extern int pw_crypt_hash(const char *, const char *, struct vstr *, struct vstr *);
extern int pw_crypt_verify(const char *, const char *);
extern int pw_crypt_supported(const char *);

#endif
