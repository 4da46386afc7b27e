/*
 * smtpd_sandbox.h - the SMTP server's seccomp allow-list.
 *
 * SYNOPSIS
 *	#include "smtpd_sandbox.h"
 *
 *	const char *const *smtpd_sandbox_syscalls(void);
 *
 * DESCRIPTION
 *	smtpd_sandbox_syscalls() returns the NULL-terminated list of
 *	system call names the SMTP server needs beyond the skeleton's
 *	base list (util/server_common.c): its own (smtpd_sandbox.c, each
 *	name with its reason) merged with smtpd_tls_syscalls[] (OpenSSL,
 *	libcrypt). The result is static; duplicates are harmless.
 *
 * SECURITY
 *	Compiled-in data only. Anything not on the union of the lists
 *	kills the process (sandbox(3)).
 */
#ifndef SMTPD_SANDBOX_H
#define SMTPD_SANDBOX_H

extern const char *const *smtpd_sandbox_syscalls(void);

#endif
