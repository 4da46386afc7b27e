/*
 * sandbox.h - install a seccomp allow-list (libseccomp): any system call
 *	not on the list kills the whole process.
 *
 * SYNOPSIS
 *	#include "sandbox.h"
 *
 *	int	sandbox_install(const char *const *const *lists,
 *			struct vstr *why);
 *	long	sandbox_resolve(const char *name);
 *
 * DESCRIPTION
 *	sandbox_install() sets PR_SET_NO_NEW_PRIVS and loads a seccomp
 *	filter whose default action is SCMP_ACT_KILL_PROCESS. lists is a
 *	NULL-terminated array of NULL-terminated arrays of system call
 *	names ("read", "accept4", ...); the union of all names is allowed
 *	with any arguments, with these exceptions, which hold whatever the
 *	lists say:
 *
 *	mmap is allowed only without PROT_EXEC (no new executable
 *	memory after start-up); mprotect is never allowed unless listed,
 *	and then also only without PROT_EXEC.
 *
 *	socket, when not listed, fails with EACCES instead of killing:
 *	glibc's syslog() tries to reconnect to /dev/log with socket()
 *	after syslogd restarts (or on every message when there is no
 *	syslogd), and that must not kill a daemon.
 *
 *	In a sanitizer build (__SANITIZE_ADDRESS__) the system calls the
 *	sanitizer run-time makes (see sandbox.c) are added to every list.
 *
 *	A filter cannot be removed, only narrowed by another one.
 *
 *	sandbox_resolve() maps a name to the native system call number,
 *	or -1 when the name is unknown on this architecture.
 *
 * DIAGNOSTICS
 *	sandbox_install() returns 0, or -1 with the reason in why (an
 *	unknown system call name: a bug in a list; libseccomp or the
 *	kernel refusing the filter). Nothing is installed on error.
 *
 * SECURITY
 *	The lists are compiled-in data, never configuration. Keep each
 *	service's list as short as the service allows, and write the
 *	reason for each name beside it.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include "vstr.h"

extern int sandbox_install(const char *const *const *, struct vstr *);
extern long sandbox_resolve(const char *);

#endif
