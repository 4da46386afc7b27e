/*
 * qmgr_sandbox.c - the seccomp allow-list of the queue manager: what it
 * needs beyond the skeleton's base list (util/server_common.c) to walk
 * and move queue files, mark recipients done, write the defer and
 * bounce logs, read its lookup tables, talk to delivery agents, and
 * submit notices to cleanup (util/bounce_notify.c). Anything else kills
 * the process (sandbox.h).
 */
#include "qmgr.h"

const char *const qmgr_syscalls[] = {
    "openat",				/* queue files, logs, directories */
    "fstat",				/* opendir, queue reader, tables */
    "newfstatat",			/* fstatat: deferred retry times */
    "stat",				/* dict_changed(), localtime */
    "lstat",				/* old defer log time */
    "statx",				/* same, newer glibc */
    "lseek",				/* Berkeley DB, stdio */
    "getdents64",			/* readdir */
    "rename",				/* moves between queues */
    "renameat",				/* same */
    "renameat2",			/* same */
    "unlink",				/* removal, logs */
    "unlinkat",				/* same */
    "utimensat",			/* retry time of a deferred file */
    "fsync",				/* done marker, bounce log */
    "fdatasync",			/* same */
    "pread64",				/* done marker check, Berkeley DB */
    "pwrite64",				/* the done marker */
    "socket",				/* delivery agents, cleanup */
    "connect",				/* same */
    "getsockopt",			/* non-blocking connect result */
    "timerfd_settime",			/* the incoming/ walk timer */
    0,
};
