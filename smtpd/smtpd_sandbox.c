/*
 * smtpd_sandbox.c - the system calls smtpd makes after the sandbox is on,
 * beyond the skeleton's base list: talking to cleanup and proxymap over
 * UNIX sockets, the client's address, the error tarpit, the SIGTERM
 * check between commands. OpenSSL's needs come from smtpd_tls.c.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "smtpd_sandbox.h"
#include "smtpd_tls.h"

#define SANDBOX_MAX	64

static const char *const smtpd_own_syscalls[] = {
    "socket",				/* AF_UNIX: cleanup, proxymap */
    "connect",				/* private/cleanup, private/proxymap */
    "getsockopt",			/* SO_ERROR after a non-blocking connect */
    "getpeername",			/* the client's address */
    "clock_nanosleep",			/* smtpd_error_sleep_time tarpit */
#ifdef __NR_nanosleep
    "nanosleep",			/* same, older glibc paths */
#endif
    "rt_sigpending",			/* server_stopping(): SIGTERM pending? */
    "shutdown",				/* teardown of a socket */
    "newfstatat",			/* glibc stdio and localtime checks */
#ifdef __NR_fstat
    "fstat",				/* same, older glibc */
#endif
    "madvise",				/* glibc malloc trimming */
    "pread64",				/* Berkeley DB pages: tables opened before chroot */
    "sendto",				/* DNS queries (reject_unknown_*_domain) */
    "sendmmsg",				/* glibc resolver: A and AAAA in one call */
    "recvfrom",				/* DNS answers */
    0,
};

/* smtpd_sandbox_syscalls - own list plus the TLS list */

const char *const *
smtpd_sandbox_syscalls(void)
{
    static const char *list[SANDBOX_MAX + 1];
    size_t  n = 0;
    size_t  i;

    if (list[0] != 0)
	return (list);
    for (i = 0; smtpd_own_syscalls[i] && n < SANDBOX_MAX; i++)
	list[n++] = smtpd_own_syscalls[i];
    for (i = 0; smtpd_tls_syscalls[i] && n < SANDBOX_MAX; i++)
	list[n++] = smtpd_tls_syscalls[i];
    list[n] = 0;
    return (list);
}
