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

struct local_maildir_ctx {
    const struct local_msg *msg;
    const char *dir;
    const char *delivered_to;
    off_t   limit;
};

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

/* local_maildir_create - a new file in tmp/ */

static int
local_maildir_create(const char *dir, struct vstr *name, struct vstr *tmp,
		             struct vstr *why)
{
    int     tries;
    int     fd = -1;

    for (tries = 0; fd < 0 && tries < 10; tries++) {
	local_maildir_name(name, var_myhostname ? var_myhostname : "localhost");
	vstr_sprintf(tmp, "%s/tmp/%s", dir, vstr_str(name));
	fd = open(vstr_str(tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
		  | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
	    break;
    }
    if (fd < 0)
	return (vstr_fail(why, "create maildir file %s: %m", vstr_str(tmp)));
    return (fd);
}

/* local_maildir_commit - tmp/NAME to new/NAME, never replacing */

static int
local_maildir_commit(const char *dir, const char *name, const char *tmp,
		             struct vstr *why)
{
    struct vstr *new = vstr_alloc(100);
    int     rc = 0;

    vstr_sprintf(new, "%s/new/%s", dir, name);
    if (link(tmp, vstr_str(new)) < 0) {
	if (errno == EEXIST
	    || renameat2(AT_FDCWD, tmp, AT_FDCWD, vstr_str(new),
			 RENAME_NOREPLACE) < 0)
	    rc = vstr_fail(why, "move to %s: %m", vstr_str(new));
    } else if (unlink(tmp) < 0) {
	msg_warn("remove %s: %m", tmp);
    }
    vstr_truncate(new, vstr_len(new) - strlen(name) - 1);
    if (rc == 0 && safe_open_dir_fsync(vstr_str(new)) < 0)
	rc = vstr_fail(why, "fsync %s: %m", vstr_str(new));
    vstr_free(new);
    return (rc);
}

/* local_maildir_deliver - as the user: one message into dir; MAIL_STAT_* */

int
local_maildir_deliver(const struct local_msg *msg, const char *dir,
		              const char *delivered_to, off_t limit,
		              struct vstr *name, struct vstr *why)
{
    struct vstr *tmp = vstr_alloc(100);
    int     fd;
    int     rc;
    int     err;

    if (local_maildir_dirs(dir, why) < 0
	|| (fd = local_maildir_create(dir, name, tmp, why)) < 0) {
	vstr_free(tmp);
	return (local_errno_status(errno, why));
    }
    rc = local_msg_copy(msg, fd, delivered_to, 0, limit, why);
    if (rc == 0 && fsync(fd) < 0)
	rc = vstr_fail(why, "fsync: %m");
    err = errno;
    if (close(fd) < 0 && rc == 0) {
	rc = vstr_fail(why, "close: %m");
	err = errno;
    }
    if (rc == 0 && (rc = local_maildir_commit(dir, vstr_str(name),
					      vstr_str(tmp), why)) < 0)
	err = errno;
    if (rc < 0 && unlink(vstr_str(tmp)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", vstr_str(tmp));
    vstr_free(tmp);
    if (rc == LOCAL_COPY_ERR_LIMIT) {
	vstr_sprintf(why, "5.2.2 message exceeds mailbox_size_limit");
	return (MAIL_STAT_BOUNCE);
    }
    if (rc < 0)
	return (local_errno_status(rc == LOCAL_COPY_ERR_READ ? EIO : err, why));
    return (MAIL_STAT_OK);
}

/* local_maildir_child - in the child */

static int
local_maildir_child(void *ctx, struct vstr *data, struct vstr *why)
{
    struct local_maildir_ctx *mc = ctx;

    return (local_maildir_deliver(mc->msg, mc->dir, mc->delivered_to,
				  mc->limit, data, why));
}

/* local_maildir_run - Maildir delivery as user */

int
local_maildir_run(const struct local_msg *msg, const struct local_priv *user,
		          const char *dir, const char *delivered_to,
		          struct vstr *why)
{
    struct local_maildir_ctx mc;

    mc.msg = msg;
    mc.dir = dir;
    mc.delivered_to = delivered_to;
    mc.limit = var_mailbox_limit;
    return (local_child_run(user, local_maildir_child, &mc,
			    (struct vstr *) 0, why));
}
