/*
 * safe_open.h - open or create a mailbox or queue file safely.
 *
 * SYNOPSIS
 *	#include "safe_open.h"
 *
 *	int	safe_open(const char *path, int flags, mode_t mode,
 *			uid_t user, gid_t group, struct stat *st,
 *			struct vstr *why);
 *	int	safe_open_dir_fsync(const char *dir);
 *
 * DESCRIPTION
 *	safe_open() opens path like open(2) and returns a descriptor with
 *	close-on-exec set. flags are the usual access mode plus any of
 *	O_APPEND, O_CREAT, O_EXCL, O_TRUNC and O_NONBLOCK.
 *
 *	Without O_CREAT an existing file is opened. With O_CREAT|O_EXCL the
 *	file is created and must not exist (never an existing file). With
 *	O_CREAT alone an existing file is opened; if there is none it is
 *	created exclusively, and if another process created it in the
 *	meantime the existing file is opened once more.
 *
 *	An existing file must be a regular file (not a symbolic link, not a
 *	directory, FIFO or device) with exactly one hard link, owned by
 *	user unless user is (uid_t) -1 and by group unless group is
 *	(gid_t) -1, and after the open lstat(path) must still name the same
 *	device and inode as the descriptor. A new file is created with
 *	mode (less the umask) and is given to user and group (those that
 *	are not -1) with fchown(); the same checks then apply to it.
 *
 *	When st is not NULL it receives the fstat() result of the file that
 *	was opened. O_TRUNC is done with ftruncate() only after every check
 *	passed. O_NONBLOCK is used while opening (a FIFO cannot block us)
 *	and is cleared again unless the caller asked for it.
 *
 *	safe_open_dir_fsync() opens a directory read-only, fsyncs it and
 *	closes it, making a preceding create, link or rename in it durable
 *	(queue commit, STYLE.md (b)4).
 *
 * DIAGNOSTICS
 *	safe_open() returns -1 and, when why is not NULL, puts a one-line
 *	reason in it (the path is not included). errno is that of the
 *	failing system call (ELOOP for a symbolic link), or EPERM when a
 *	check refused the file. A file that was created and then refused
 *	is left in place: removing it by name could remove someone else's.
 *	safe_open_dir_fsync() returns 0, or -1 with errno set.
 *
 * SECURITY
 *	This is the defence against mailbox symlink, hard link, ownership
 *	and swap races (SECURITY-CASES G1, CVE-2008-2936). O_NOFOLLOW only
 *	protects the last path component: directories on the path must be
 *	trusted, or the caller must already run as the file's owner.
 */
#ifndef SAFE_OPEN_H
#define SAFE_OPEN_H

#include <sys/types.h>
#include <sys/stat.h>

#include "vstr.h"

extern int safe_open(const char *, int, mode_t, uid_t, gid_t,
		             struct stat *, struct vstr *);
extern int safe_open_dir_fsync(const char *);

#endif
