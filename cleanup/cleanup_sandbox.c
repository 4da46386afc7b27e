/*
 * cleanup_sandbox.c - the seccomp allow-list of the cleanup daemon: what
 * it needs beyond the skeleton's base list (util/server_common.c) to
 * write queue files, read its lookup tables and wake qmgr. Anything
 * else kills the process (sandbox.h).
 */
#include "cleanup.h"

const char *const cleanup_syscalls[] = {
    "openat",				/* queue file, directories, fifo */
    "fstat",				/* safe_open checks, tables */
    "newfstatat",			/* same (glibc fstat/stat) */
    "stat",				/* dict_changed() */
    "statx",				/* same, newer glibc */
    "lseek",				/* Berkeley DB, stdio */
    "pread64",				/* Berkeley DB pages */
    "pwrite64",				/* the queue file's size record */
    "fsync",				/* queue file and directories */
    "fdatasync",			/* same */
    "rename",				/* commit (fallback) */
    "renameat2",			/* commit: RENAME_NOREPLACE */
    "link",				/* commit without renameat2 */
    "linkat",				/* same */
    "unlink",				/* remove an uncommitted file */
    "unlinkat",				/* same */
    "fchmod",				/* queue file mode */
    "socket",				/* qmgr trigger */
    "connect",				/* qmgr trigger */
    0,
};
