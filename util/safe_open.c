/*
 * safe_open.c - open or create mailbox and queue files without being
 * fooled by symbolic links, hard links, foreign owners or a path that is
 * swapped under us (see safe_open.h; SECURITY-CASES G1, CVE-2008-2936).
 *
 * Like Postfix util/safe_open.c, every check is made on the open
 * descriptor (fstat), and then the name is looked at once more (lstat)
 * to be sure it still names the inode that we hold. Nothing that could
 * change the file (O_TRUNC) happens before all checks have passed, and
 * O_NONBLOCK is used while opening so that a FIFO planted at the path
 * cannot hang the process.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <stdarg.h>

#include "safe_open.h"
#include "iostuff.h"
#include "vstr.h"
#include "msg.h"

static void PRINTFLIKE(2, 3) safe_open_reason(struct vstr *, const char *, ...);
static int safe_open_verify(int, const char *, uid_t, gid_t,
			            struct stat *, struct vstr *);
static int safe_open_finish(int, int, struct vstr *);
static void safe_open_close(int);
static int safe_open_exist(const char *, int, uid_t, gid_t,
			           struct stat *, struct vstr *);
static int safe_open_create(const char *, int, mode_t, uid_t, gid_t,
			            struct stat *, struct vstr *);

 /*
  * Flags that we always add, and flags we apply ourselves after the
  * checks instead of letting open(2) apply them.
  */
#define SAFE_OPEN_ALWAYS	(O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
#define SAFE_OPEN_LATER		(O_TRUNC | O_CREAT | O_EXCL)

/* safe_open_reason - format a reason when the caller wants one */

static void
safe_open_reason(struct vstr *why, const char *fmt, ...)
{
    va_list ap;

    if (why == NULL)
	return;
    vstr_reset(why);
    va_start(ap, fmt);
    vstr_vsprintf_append(why, fmt, ap);
    va_end(ap);
}

/* safe_open_verify - check what the descriptor refers to */

static int
safe_open_verify(int fd, const char *path, uid_t user, gid_t group,
		         struct stat *st, struct vstr *why)
{
    struct stat lst;

    if (fstat(fd, st) < 0) {
	safe_open_reason(why, "cannot fstat file: %s", strerror(errno));
	return (-1);
    }
    if (!S_ISREG(st->st_mode)) {
	safe_open_reason(why, "file is not a regular file");
    } else if (st->st_nlink != 1) {
	safe_open_reason(why, "file has %lu hard links",
			 (unsigned long) st->st_nlink);
    } else if (user != (uid_t) -1 && st->st_uid != user) {
	safe_open_reason(why, "file has owner uid %lu, expected %lu",
			 (unsigned long) st->st_uid, (unsigned long) user);
    } else if (group != (gid_t) -1 && st->st_gid != group) {
	safe_open_reason(why, "file has group gid %lu, expected %lu",
			 (unsigned long) st->st_gid, (unsigned long) group);
    } else if (lstat(path, &lst) < 0) {
	safe_open_reason(why, "file disappeared after open: %s",
			 strerror(errno));
    } else if (lst.st_dev != st->st_dev || lst.st_ino != st->st_ino) {
	safe_open_reason(why, "file was replaced while being opened");
    } else {
	return (0);
    }
    errno = EPERM;
    return (-1);
}

/* safe_open_finish - undo O_NONBLOCK, then apply O_TRUNC */

static int
safe_open_finish(int fd, int flags, struct vstr *why)
{
    if ((flags & O_NONBLOCK) == 0 && non_blocking(fd, BLOCKING) < 0) {
	safe_open_reason(why, "cannot clear non-blocking mode: %s",
			 strerror(errno));
	return (-1);
    }
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY
	&& ftruncate(fd, 0) < 0) {
	safe_open_reason(why, "cannot truncate file: %s", strerror(errno));
	return (-1);
    }
    return (0);
}

/* safe_open_close - close without losing errno */

static void
safe_open_close(int fd)
{
    int     saved_errno = errno;

    (void) close(fd);
    errno = saved_errno;
}

/* safe_open_exist - open a file that should already exist */

static int
safe_open_exist(const char *path, int flags, uid_t user, gid_t group,
		        struct stat *st, struct vstr *why)
{
    int     fd;
    int     saved_errno;
    struct stat lst;

    fd = open(path, (flags & ~SAFE_OPEN_LATER) | SAFE_OPEN_ALWAYS);
    if (fd < 0) {
	saved_errno = errno;
	if (saved_errno == ELOOP && lstat(path, &lst) == 0
	    && S_ISLNK(lst.st_mode))
	    safe_open_reason(why, "file is a symbolic link");
	else
	    safe_open_reason(why, "cannot open file: %s", strerror(saved_errno));
	errno = saved_errno;
	return (-1);
    }
    if (safe_open_verify(fd, path, user, group, st, why) < 0
	|| safe_open_finish(fd, flags, why) < 0) {
	safe_open_close(fd);
	return (-1);
    }
    return (fd);
}

/* safe_open_create - create a file that must not exist yet */

static int
safe_open_create(const char *path, int flags, mode_t mode, uid_t user,
		         gid_t group, struct stat *st, struct vstr *why)
{
    int     fd;

    fd = open(path, (flags & ~SAFE_OPEN_LATER) | SAFE_OPEN_ALWAYS
	      | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
	safe_open_reason(why, "cannot create file: %s", strerror(errno));
	return (-1);
    }
    if ((user != (uid_t) -1 || group != (gid_t) -1)
	&& fchown(fd, user, group) < 0) {
	safe_open_reason(why, "cannot change file owner to %ld:%ld: %s",
			 (long) user, (long) group, strerror(errno));
	safe_open_close(fd);
	return (-1);
    }
    if (safe_open_verify(fd, path, user, group, st, why) < 0
	|| safe_open_finish(fd, flags & ~O_TRUNC, why) < 0) {
	safe_open_close(fd);
	return (-1);
    }
    return (fd);
}

/* safe_open - open or create a file, refusing anything suspicious */

int
safe_open(const char *path, int flags, mode_t mode, uid_t user,
	          gid_t group, struct stat *st, struct vstr *why)
{
    struct stat local_st;
    int     fd;

    if (path == NULL || *path == 0)
	msg_panic("safe_open: empty path");
    if (st == NULL)
	st = &local_st;

    /* Exclusive create: an existing file of any kind is an error. */
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
	return (safe_open_create(path, flags, mode, user, group, st, why));

    /* Existing file only. */
    if ((flags & O_CREAT) == 0)
	return (safe_open_exist(path, flags, user, group, st, why));

    /*
     * Open or create. If the file is created by someone else between our
     * failed open and our exclusive create, try the existing file once
     * more (and check it like any other existing file).
     */
    if ((fd = safe_open_exist(path, flags, user, group, st, why)) >= 0
	|| errno != ENOENT)
	return (fd);
    if ((fd = safe_open_create(path, flags, mode, user, group, st, why)) >= 0
	|| errno != EEXIST)
	return (fd);
    return (safe_open_exist(path, flags, user, group, st, why));
}

/* safe_open_dir_fsync - make directory entry changes durable */

int
safe_open_dir_fsync(const char *dir)
{
    int     fd;
    int     saved_errno;

    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	return (-1);
    if (fsync(fd) < 0) {
	saved_errno = errno;
	(void) close(fd);
	errno = saved_errno;
	return (-1);
    }
    if (close(fd) < 0)
	return (-1);
    return (0);
}
