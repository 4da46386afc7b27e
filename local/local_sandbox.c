/*
 * local_sandbox.c - the seccomp allow-list of the local delivery agent,
 * beyond the skeleton's base list (util/server_common.c).
 *
 * local keeps root and forks a child per delivery that drops to the
 * recipient, so the list holds the uid/gid calls and the file calls of
 * mbox and Maildir delivery; the filter is inherited by those children.
 * execve is NOT on the list: commands are run by the spawn helper
 * (local_spawn.c), which was forked before the filter was installed.
 */
#include "local.h"

const char *const local_syscalls[] = {
    "openat",				/* queue file, mailboxes, .forward */
    "open",				/* same, older glibc paths */
    "fstat",				/* safe_open, mailbox size */
    "newfstatat",			/* same; stat/lstat in glibc */
    "stat",				/* spool directory checks */
    "lstat",				/* dotlock, maildir checks */
    "statx",				/* newer glibc */
    "lseek",				/* queue file rewind, Berkeley DB */
    "pread64",				/* Berkeley DB pages */
    "ftruncate",			/* truncate a failed mbox append */
    "fsync",				/* mailbox and maildir files */
    "fdatasync",			/* same */
    "mkdir",				/* Maildir tmp/ new/ cur/ */
    "mkdirat",				/* same */
    "link",				/* Maildir tmp/ -> new/ */
    "linkat",				/* same */
    "rename",				/* Maildir fallback */
    "renameat",				/* same */
    "renameat2",			/* same, RENAME_NOREPLACE */
    "unlink",				/* dotlock release, tmp files */
    "unlinkat",				/* same */
    "rmdir",				/* a spool Maildir's temporary name */
    "fchown",				/* a new spool mailbox */
    "lchown",				/* a new spool Maildir */
    "fchownat",				/* same in newer glibc */
    "clone",				/* fork per delivery */
    "clone3",				/* same, newer glibc */
    "wait4",				/* reap the delivery child */
    "pipe2",				/* child -> parent report */
    "setgroups",			/* privilege drop in the child */
    "setresgid",			/* same */
    "setresuid",			/* same */
    "setgid",				/* drop verification (must fail) */
    "setuid",				/* same */
    "setfsuid",				/* glibc may probe it */
    "getresuid",			/* drop verification */
    "getresgid",			/* same */
    "getgroups",			/* same */
    "getuid",				/* root or unprivileged */
    "geteuid",				/* owner checks */
    "getgid",				/* same */
    "getegid",				/* same */
    "getdents64",			/* NSS, directory scans */
    "readlinkat",			/* NSS (nss_systemd path lookups) */
    "readlink",				/* same */
    "nanosleep",			/* lock retry */
    "clock_nanosleep",			/* same */
    "memfd_create",			/* message copy for a command */
    "sendmsg",				/* descriptor to the spawn helper */
    "recvmsg",				/* NSS (nscd), spawn helper */
    "socket",				/* cleanup (forwarding), NSS */
    "connect",				/* same */
    "uname",				/* glibc */
    "umask",				/* file creation */
    "fchmod",				/* file modes */
    "utimensat",			/* touch a dotlock */
    "flock",				/* Berkeley DB */
    "madvise",				/* malloc trimming */
    "futex",				/* glibc locks */
    "getrandom",			/* glibc malloc */
    "rt_sigaction",			/* fork/child signal setup */
    "set_robust_list",			/* fork in glibc */
    "prlimit64",			/* tests use RLIMIT_FSIZE */
    0,
};
