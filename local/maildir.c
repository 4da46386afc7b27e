/*
 * maildir.c - Maildir delivery (home_mailbox = Maildir/, a
 * mail_spool_directory ending in '/', a virtual mailbox path ending in
 * '/'), always in a child running as the mailbox owner.
 *
 * The message is written to tmp/ under a name that is unique by time,
 * microseconds, pid, a counter and the host name, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW; it is fsynced, linked into new/ (never
 * replacing a file), removed from tmp/, and new/ is fsynced. tmp/, new/
 * and cur/ are created when missing and must be real directories owned
 * by the user; the Maildir itself may be a symbolic link only when the
 * user owns the link (SECURITY-CASES G2).
 *
 * The usual case, a Maildir that exists, costs no mkdir or path walk:
 * the Maildir, tmp/ and new/ are opened as directories (O_NOFOLLOW
 * below the Maildir) and checked with fstat, and the file is created,
 * linked and removed relative to those descriptors. Only when something
 * is missing are the directories created first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "safe_open.h"
#include "msg.h"

static unsigned local_maildir_counter;

/* local_maildir_name - time.M<usec>P<pid>_<counter>.<host> */

int
local_maildir_name(struct vstr *out, const char *host)
{
    struct timeval tv;
    const char *cp;

    gettimeofday(&tv, 0);
    vstr_sprintf(out, "%ld.M%06ldP%ld_%u.", (long) tv.tv_sec,
		 (long) tv.tv_usec, (long) getpid(), ++local_maildir_counter);
    for (cp = host; *cp; cp++) {
	if (*cp == '/')
	    vstr_strcat(out, "\\057");
	else if (*cp == ':')
	    vstr_strcat(out, "\\072");
	else
	    vstr_addch(out, (*cp > ' ' && *cp < 0x7f) ? *cp : '_');
    }
    return (0);
}

/* local_maildir_mkdir - a directory of ours, created when missing */

static int
local_maildir_mkdir(const char *path, int top, struct vstr *why)
{
    struct stat st;

    if (mkdir(path, 0700) < 0 && errno != EEXIST)
	return (vstr_fail(why, "create maildir %s: %m", path));
    if (lstat(path, &st) < 0)
	return (vstr_fail(why, "maildir %s: %m", path));
    if (top && S_ISLNK(st.st_mode) && st.st_uid == geteuid()
	&& stat(path, &st) < 0)
	return (vstr_fail(why, "maildir %s: %m", path));
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
	errno = EPERM;
	msg_warn("refusing maildir %s: not a directory owned by uid %ld",
		 path, (long) geteuid());
	return (vstr_fail(why, "maildir %s is not a directory of the"
			  " recipient", path));
    }
    return (0);
}

/* local_maildir_parents - create missing parent directories */

static int
local_maildir_parents(const char *dir, struct vstr *why)
{
    struct vstr *path = vstr_alloc(100);
    const char *cp;
    struct stat st;
    int     rc = 0;

    for (cp = strchr(dir + 1, '/'); cp && rc == 0; cp = strchr(cp + 1, '/')) {
	vstr_memcpy(path, dir, (size_t) (cp - dir));
	if (stat(vstr_str(path), &st) < 0 && errno == ENOENT
	    && mkdir(vstr_str(path), 0700) < 0 && errno != EEXIST)
	    rc = vstr_fail(why, "create directory %s: %m", vstr_str(path));
    }
    vstr_free(path);
    return (rc);
}

/* local_maildir_dirs - the Maildir and its three subdirectories */

static int
local_maildir_dirs(const char *dir, struct vstr *why)
{
    static const char *const sub[] = {"tmp", "new", "cur"};
    struct vstr *path = vstr_alloc(100);
    size_t  n;
    int     rc;

    rc = local_maildir_parents(dir, why);
    if (rc == 0)
	rc = local_maildir_mkdir(dir, 1, why);
    for (n = 0; rc == 0 && n < ARRAY_LEN(sub); n++) {
	vstr_sprintf(path, "%s/%s", dir, sub[n]);
	rc = local_maildir_mkdir(vstr_str(path), 0, why);
    }
    vstr_free(path);
    return (rc);
}

/* local_maildir_owned - a directory of the user's; 0, or -1 with why */

static int
local_maildir_owned(int fd, const char *dir, const char *sub,
		            struct vstr *why)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
	return (vstr_fail(why, "maildir %s/%s: %m", dir, sub));
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
	msg_warn("refusing maildir %s/%s: not a directory owned by uid %ld",
		 dir, sub, (long) geteuid());
	errno = EPERM;
	return (vstr_fail(why, "maildir %s/%s is not a directory of the"
			  " recipient", dir, sub));
    }
    return (0);
}

/* local_maildir_opendir - open one directory; -1 (errno, why) */

static int
local_maildir_opendir(int at, const char *dir, const char *sub,
		              struct vstr *why)
{
    const char *sep = (at == AT_FDCWD) ? "" : "/";
    struct stat st;
    int     fd;

    if (at == AT_FDCWD)
	dir = "";				/* sub is the whole path */
    fd = openat(at, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && (errno == ELOOP || errno == ENOTDIR) && at == AT_FDCWD
	&& lstat(sub, &st) == 0 && S_ISLNK(st.st_mode)
	&& st.st_uid == geteuid())
	fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);	/* own link */
    if (fd < 0) {
	if (errno == ENOENT)
	    return (-1);
	if (errno == ELOOP || errno == ENOTDIR)
	    msg_warn("refusing maildir %s%s%s: not a directory owned by"
		     " uid %ld", dir, sep, sub, (long) geteuid());
	return (vstr_fail(why, "maildir %s%s%s: %m", dir, sep, sub));
    }
    if (local_maildir_owned(fd, at == AT_FDCWD ? sub : dir,
			    at == AT_FDCWD ? "." : sub, why) < 0) {
	(void) close(fd);
	errno = EPERM;
	return (-1);
    }
    return (fd);
}

/* local_maildir_open - descriptors of tmp/ and new/; 0, or -1 (errno) */

static int
local_maildir_open(const char *dir, int fds[2], struct vstr *why)
{
    static const char *const sub[] = {"tmp", "new"};
    struct stat st;
    int     top;
    int     n;

    fds[0] = fds[1] = -1;
    if ((top = local_maildir_opendir(AT_FDCWD, dir, dir, why)) < 0)
	return (-1);
    for (n = 0; n < 2; n++)
	if ((fds[n] = local_maildir_opendir(top, dir, sub[n], why)) < 0)
	    break;
    if (n == 2 && fstatat(top, "cur", &st, AT_SYMLINK_NOFOLLOW) < 0)
	n = vstr_fail(why, "maildir %s/cur: %m", dir);
    else if (n == 2 && (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())) {
	errno = EPERM;
	n = vstr_fail(why, "maildir %s/cur is not a directory of the"
		      " recipient", dir);
    }
    (void) close(top);
    if (n == 2)
	return (0);
    n = errno;
    if (fds[0] >= 0)
	(void) close(fds[0]);
    if (fds[1] >= 0)
	(void) close(fds[1]);
    errno = n;
    return (-1);
}

/* local_maildir_create - a new file in tmp/ */

static int
local_maildir_create(int tmp_fd, struct vstr *name, struct vstr *why)
{
    int     tries;
    int     fd = -1;

    for (tries = 0; fd < 0 && tries < 10; tries++) {
	local_maildir_name(name, var_myhostname ? var_myhostname : "localhost");
	fd = openat(tmp_fd, vstr_str(name), O_WRONLY | O_CREAT | O_EXCL
		    | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
	    break;
    }
    if (fd < 0)
	return (vstr_fail(why, "create maildir file tmp/%s: %m",
			  vstr_str(name)));
    return (fd);
}

/* local_maildir_commit - tmp/NAME to new/NAME, never replacing */

static int
local_maildir_commit(const int fds[2], const char *name, struct vstr *why)
{
    if (linkat(fds[0], name, fds[1], name, 0) < 0) {
	if (errno == EEXIST
	    || renameat2(fds[0], name, fds[1], name, RENAME_NOREPLACE) < 0)
	    return (vstr_fail(why, "move to new/%s: %m", name));
    } else if (unlinkat(fds[0], name, 0) < 0) {
	msg_warn("remove tmp/%s: %m", name);
    }
    if (fsync(fds[1]) < 0)
	return (vstr_fail(why, "fsync new/: %m"));
    return (0);
}

/* local_maildir_write - the message into an open tmp/ file; 0 or < 0 */

static int
local_maildir_write(const struct local_msg *msg, int fd,
		            const char *delivered_to, off_t limit, int *err,
		            struct vstr *why)
{
    int     rc;

    rc = local_msg_copy(msg, fd, delivered_to, 0, limit, why);
    if (rc == 0 && fsync(fd) < 0)
	rc = vstr_fail(why, "fsync: %m");
    *err = errno;
    if (close(fd) < 0 && rc == 0) {
	rc = vstr_fail(why, "close: %m");
	*err = errno;
    }
    return (rc);
}

/* local_maildir_deliver - as the user: one message into dir; MAIL_STAT_* */

int
local_maildir_deliver(const struct local_msg *msg, const char *dir,
		              const char *delivered_to, off_t limit,
		              struct vstr *name, struct vstr *why)
{
    int     fds[2];
    int     fd;
    int     rc;
    int     err;

    if (local_maildir_open(dir, fds, why) < 0
	&& (errno != ENOENT || local_maildir_dirs(dir, why) < 0
	    || local_maildir_open(dir, fds, why) < 0))
	return (local_errno_status(errno, why));
    if ((fd = local_maildir_create(fds[0], name, why)) < 0) {
	err = errno;
	(void) close(fds[0]);
	(void) close(fds[1]);
	return (local_errno_status(err, why));
    }
    rc = local_maildir_write(msg, fd, delivered_to, limit, &err, why);
    if (rc == 0 && (rc = local_maildir_commit(fds, vstr_str(name), why)) < 0)
	err = errno;
    if (rc < 0 && unlinkat(fds[0], vstr_str(name), 0) < 0 && errno != ENOENT)
	msg_warn("remove %s/tmp/%s: %m", dir, vstr_str(name));
    (void) close(fds[0]);
    (void) close(fds[1]);
    if (rc == LOCAL_COPY_ERR_LIMIT) {
	vstr_sprintf(why, "5.2.2 message exceeds mailbox_size_limit");
	return (MAIL_STAT_BOUNCE);
    }
    if (rc < 0)
	return (local_errno_status(rc == LOCAL_COPY_ERR_READ ? EIO : err, why));
    return (MAIL_STAT_OK);
}
