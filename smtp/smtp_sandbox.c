/*
 * smtp_sandbox.c - the system calls the SMTP client makes after the
 * sandbox is on, beyond the skeleton's base list: TCP connections to
 * servers, DNS over UDP and TCP (libresolv), the queue file, OpenSSL.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "smtp.h"

const char *const smtp_syscalls[] = {
    "socket",				/* TCP to servers, DNS */
    "connect",				/* same */
    "getsockopt",			/* SO_ERROR after a non-blocking connect */
    "setsockopt",			/* resolver socket options */
    "getsockname",			/* resolver */
    "getpeername",			/* resolver */
    "bind",				/* resolver source port (glibc) */
    "sendto",				/* DNS queries */
    "sendmmsg",				/* glibc resolver: parallel A/AAAA */
    "recvfrom",				/* DNS answers */
    "recvmsg",				/* same */
    "ioctl",				/* resolver FIONREAD */
    "shutdown",				/* teardown of a socket */
    "openat",				/* the queue file (read only) */
#ifdef __NR_open
    "open",				/* same, older glibc */
#endif
    "newfstatat",			/* queue file checks, glibc */
#ifdef __NR_fstat
    "fstat",				/* same */
#endif
    "lseek",				/* queue file reader */
    "pread64",				/* Berkeley DB pages: policy table */
    "getrandom",			/* OpenSSL DRBG, resolver IDs */
    "futex",				/* OpenSSL and glibc locks */
    "madvise",				/* malloc trimming */
    "uname",				/* glibc */
    0,
};
