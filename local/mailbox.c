/*
 * mailbox.c - delivery to a user's mailbox: mbox (fcntl lock + dotlock,
 * "From " separator, ">From " quoting, fsync, a failed write truncated
 * back to the old size) or Maildir (maildir.c), in the spool directory
 * or the home directory (home_mailbox).
 *
 * Spool mailboxes (mail_spool_directory/USER): the spool directory is
 * root's, not writable by the user, so the root parent does the two
 * things that need the directory: it takes the dotlock USER.lock and
 * creates a missing mailbox (empty, O_EXCL|O_NOFOLLOW, given to the
 * user). Everything else - opening the mailbox with safe_open (no
 * symlink, one link, owned by the user), the fcntl lock and the write -
 * happens in a child running as the user. A world-writable spool is
 * refused (SECURITY-CASES G1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "safe_open.h"
#include "mymalloc.h"
#include "msg.h"

int     local_lock_tries = 5;		/* lock attempts, 1 s apart */

/* local_lock_mask - mailbox_delivery_lock as LOCAL_MBOX_* bits */

int
local_lock_mask(void)
{
    int     mask = 0;

    if (var_mailbox_lock == 0 || strstr(var_mailbox_lock, "fcntl"))
	mask |= LOCAL_MBOX_FCNTL;
    if (var_mailbox_lock == 0 || strstr(var_mailbox_lock, "dotlock"))
	mask |= LOCAL_MBOX_DOTLOCK;
    return (mask);
}

/* local_dotlock - create PATH.lock; stale locks go after a bound */

int
local_dotlock(const char *path, struct vstr *why)
{
    struct vstr *lock = vstr_alloc(100);
    struct stat st;
    int     tries;
    int     fd;

    vstr_sprintf(lock, "%s.lock", path);
    for (tries = 0; tries < local_lock_tries + 1; tries++) {
	fd = open(vstr_str(lock), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
		  | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd >= 0) {
	    (void) close(fd);
	    vstr_free(lock);
	    return (0);
	}
	if (errno != EEXIST)
	    break;
	if (lstat(vstr_str(lock), &st) == 0 && !S_ISDIR(st.st_mode)
	    && st.st_mtime < time((time_t *) 0) - LOCAL_LOCK_STALE) {
	    msg_warn("removing stale lock file %s", vstr_str(lock));
	    (void) unlink(vstr_str(lock));
	    continue;
	}
	if (tries + 1 < local_lock_tries)
	    sleep(1);
	else
	    break;
    }
    if (errno == EEXIST)
	errno = EAGAIN;
    vstr_fail(why, "cannot create lock file %s: %s", vstr_str(lock),
	      errno == EAGAIN ? "mailbox is locked" : strerror(errno));
    vstr_free(lock);
    return (-1);
}

/* local_dotlock_release - remove PATH.lock */

void
local_dotlock_release(const char *path)
{
    struct vstr *lock = vstr_alloc(100);

    vstr_sprintf(lock, "%s.lock", path);
    if (unlink(vstr_str(lock)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", vstr_str(lock));
    vstr_free(lock);
}

/* local_fcntl_lock - exclusive fcntl lock, retried a few times */

static int
local_fcntl_lock(int fd, struct vstr *why)
{
    struct flock lk;
    int     tries;

    for (tries = 0; tries < local_lock_tries; tries++) {
	memset(&lk, 0, sizeof(lk));
	lk.l_type = F_WRLCK;
	lk.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &lk) == 0)
	    return (0);
	if (errno != EAGAIN && errno != EACCES)
	    break;
	if (tries + 1 < local_lock_tries)
	    sleep(1);
    }
    if (errno == EACCES)
	errno = EAGAIN;
    return (vstr_fail(why, "cannot lock mailbox: %s", errno == EAGAIN ?
		      "mailbox is locked" : strerror(errno)));
}

/* local_errno_status - a failed write or lock as a status + DSN reason */

int
local_errno_status(int err, struct vstr *why)
{
    struct vstr *text = vstr_alloc(100);
    const char *dsn;
    int     status = MAIL_STAT_DEFER;

    switch (err) {
    case EFBIG:
	dsn = "5.2.2";
	status = MAIL_STAT_BOUNCE;
	break;
    case ENOSPC:
	dsn = "4.3.1";
	break;
    case EDQUOT:
	dsn = "4.2.2";
	break;
    default:
	dsn = "4.2.0";
	break;
    }
    vstr_sprintf(text, "%s %s", dsn, vstr_str(why));
    vstr_strcpy(why, vstr_str(text));
    vstr_free(text);
    return (status);
}

/* local_mbox_append - append one message; truncate back on failure */

int
local_mbox_append(const struct local_msg *msg, int fd,
		          const char *delivered_to, int flags, off_t limit,
		          struct vstr *why)
{
    struct stat st;
    off_t   room = 0;
    int     rc;
    int     err;

    if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_END) < 0) {
	vstr_fail(why, "cannot stat mailbox: %m");
	return (local_errno_status(errno, why));
    }
    if (limit > 0) {
	if ((room = limit - st.st_size) <= 0) {
	    vstr_sprintf(why, "5.2.2 mailbox full (mailbox_size_limit)");
	    return (MAIL_STAT_BOUNCE);
	}
    }
    rc = local_msg_copy(msg, fd, delivered_to, flags, room, why);
    if (rc == 0 && fsync(fd) < 0)
	rc = vstr_fail(why, "fsync: %m");
    if (rc == 0)
	return (MAIL_STAT_OK);
    err = errno;
    if (ftruncate(fd, st.st_size) < 0)
	msg_warn("cannot truncate mailbox back to %ld bytes: %m",
		 (long) st.st_size);
    if (rc == LOCAL_COPY_ERR_LIMIT) {
	vstr_sprintf(why, "5.2.2 mailbox full (mailbox_size_limit)");
	return (MAIL_STAT_BOUNCE);
    }
    if (rc == LOCAL_COPY_ERR_READ)
	return (local_errno_status(EIO, why));
    return (local_errno_status(err, why));
}

/* local_mbox_child - in the child: open safely, lock, append */

int
local_mbox_child(void *ctx, struct vstr *data UNUSED, struct vstr *why)
{
    struct local_mbox_ctx *mc = ctx;
    uid_t   owner = (mc->flags & LOCAL_MBOX_OWNER) ? geteuid() : (uid_t) -1;
    struct stat st;
    int     fd;
    int     status;

    if ((mc->flags & LOCAL_MBOX_DOTLOCK) && local_dotlock(mc->path, why) < 0)
	return (local_errno_status(errno, why));
    fd = safe_open(mc->path, O_WRONLY | O_APPEND | O_CREAT, 0600, owner,
		   (gid_t) -1, (struct stat *) 0, why);
    if (fd < 0) {
	msg_warn("refusing mailbox %s: %s", mc->path, vstr_str(why));
	status = local_errno_status(errno == EPERM || errno == ELOOP ?
				    EPERM : errno, why);
    } else if ((mc->flags & LOCAL_MBOX_NOEXEC) && fstat(fd, &st) == 0
	       && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
	vstr_sprintf(why, "5.7.1 file %s has execute permission", mc->path);
	status = MAIL_STAT_BOUNCE;
    } else if ((mc->flags & LOCAL_MBOX_FCNTL) && local_fcntl_lock(fd, why) < 0) {
	status = local_errno_status(errno, why);
    } else {
	status = local_mbox_append(mc->msg, fd, mc->delivered_to,
				   LOCAL_COPY_FROM | LOCAL_COPY_QUOTE
				   | LOCAL_COPY_BLANK, mc->limit, why);
    }
    if (fd >= 0)
	(void) close(fd);
    if (mc->flags & LOCAL_MBOX_DOTLOCK)
	local_dotlock_release(mc->path);
    return (status);
}

/* local_spool_check - the spool directory must be root's, not o+w */

static int
local_spool_check(const char *dir, struct vstr *why)
{
    struct stat st;

    if (stat(dir, &st) < 0)
	return (vstr_fail(why, "mail spool directory %s: %m", dir));
    if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid())) {
	errno = EPERM;
	return (vstr_fail(why, "mail spool directory %s: not a directory"
			  " owned by root", dir));
    }
    if (st.st_mode & S_IWOTH) {
	errno = EPERM;
	msg_warn("world-writable mail spool directory %s is not supported",
		 dir);
	return (vstr_fail(why, "mail spool directory is world-writable"));
    }
    return (0);
}

/* local_spool_make - the new mailbox or Maildir under a temporary name */

static int
local_spool_make(const char *tmp, int maildir, const struct local_priv *user,
		         struct vstr *why)
{
    int     root = (geteuid() == 0);
    int     fd;

    if (maildir) {
	if (mkdir(tmp, 0700) < 0)
	    return (vstr_fail(why, "mkdir %s: %m", tmp));
	if (root && lchown(tmp, user->uid, user->gid) < 0)
	    return (vstr_fail(why, "chown %s: %m", tmp));
	return (0);
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
	      | O_NONBLOCK, 0600);
    if (fd < 0)
	return (vstr_fail(why, "create %s: %m", tmp));
    if (root && fchown(fd, user->uid, user->gid) < 0) {
	(void) close(fd);
	return (vstr_fail(why, "chown %s: %m", tmp));
    }
    (void) close(fd);
    return (0);
}

/* local_spool_prepare - as root: a missing mailbox or Maildir is made */

static int
local_spool_prepare(const char *path, int maildir,
		            const struct local_priv *user, struct vstr *why)
{
    struct vstr *tmp;
    struct stat st;
    int     rc;

    if (lstat(path, &st) == 0)
	return (0);
    if (errno != ENOENT)
	return (vstr_fail(why, "%s: %m", path));

    /*
     * Made under a name no user can have (':'), given to the user, and
     * only then renamed into place without replacing anything: another
     * delivery never sees it while it is still root's.
     */
    tmp = vstr_alloc(100);
    vstr_sprintf(tmp, "%s:%ld.tmp", path, (long) getpid());
    (void) (maildir ? rmdir(vstr_str(tmp)) : unlink(vstr_str(tmp)));
    rc = local_spool_make(vstr_str(tmp), maildir, user, why);
    if (rc == 0 && renameat2(AT_FDCWD, vstr_str(tmp), AT_FDCWD, path,
			     RENAME_NOREPLACE) < 0 && errno != EEXIST) {
	if (errno == EINVAL || errno == ENOSYS)	/* no RENAME_NOREPLACE */
	    rc = (local_spool_make(path, maildir, user, why) < 0
		  && errno != EEXIST) ? -1 : 0;
	else
	    rc = vstr_fail(why, "rename %s to %s: %m", vstr_str(tmp), path);
    }
    /* Gone when renamed; still there when someone else made path. */
    (void) (maildir ? rmdir(vstr_str(tmp)) : unlink(vstr_str(tmp)));
    vstr_free(tmp);
    return (rc);
}

/* local_mailbox_path - where the user's mail goes; 1 if Maildir */

static int
local_mailbox_path(const struct local_priv *user, struct vstr *path,
		           int *spool)
{
    const char *hm = var_home_mailbox ? var_home_mailbox : "";
    const char *sd = var_mail_spool_dir;
    size_t  len;

    if (*hm) {
	*spool = 0;
	vstr_sprintf(path, "%s/%s", user->home, hm);
    } else {
	*spool = 1;
	vstr_strcpy(path, sd);
	len = vstr_len(path);
	while (len > 1 && vstr_str(path)[len - 1] == '/')
	    vstr_truncate(path, --len);
	vstr_sprintf_append(path, "/%s%s", user->name,
			    sd[strlen(sd) - 1] == '/' ? "/" : "");
    }
    len = vstr_len(path);
    return (len > 0 && vstr_str(path)[len - 1] == '/');
}

/* local_mailbox_plan - where and how the user's mail goes */

void
local_mailbox_plan(struct local_state *state, const struct local_priv *user,
		           struct local_mbox_job *job)
{
    job->path = vstr_alloc(100);
    job->maildir = local_mailbox_path(user, job->path, &job->spool);
    if (job->maildir)
	vstr_truncate(job->path, vstr_len(job->path) - 1);
    job->mc.msg = state->msg;
    job->mc.path = vstr_str(job->path);
    job->mc.delivered_to = vstr_str(state->address);
    job->mc.flags = local_lock_mask() | LOCAL_MBOX_OWNER;
    job->mc.limit = var_mailbox_limit;
}

/* local_mailbox_plan_free - release a plan */

void
local_mailbox_plan_free(struct local_mbox_job *job)
{
    vstr_free(job->path);
}

/* local_mailbox_ready - can a child as the user do it all? 1 yes, 0 no */

int
local_mailbox_ready(const struct local_mbox_job *job)
{
    struct vstr *why;
    struct stat st;
    int     ok;

    if (!job->spool)
	return (1);				/* home: all the user's */
    if (!job->maildir)
	return (0);				/* spool mbox: root's dotlock */
    why = vstr_alloc(100);
    ok = (local_spool_check(var_mail_spool_dir, why) == 0
	  && lstat(vstr_str(job->path), &st) == 0 && S_ISDIR(st.st_mode));
    vstr_free(why);
    return (ok);
}

/* local_mailbox_job_child - as the user: the delivery itself */

int
local_mailbox_job_child(void *ctx, struct vstr *data, struct vstr *why)
{
    struct local_mbox_job *job = ctx;

    if (job->maildir)
	return (local_maildir_deliver(job->mc.msg, job->mc.path,
				      job->mc.delivered_to, job->mc.limit,
				      data, why));
    return (local_mbox_child(&job->mc, data, why));
}

/* local_mailbox_result - the result of a mailbox delivery */

void
local_mailbox_result(struct local_state *state,
		             const struct local_mbox_job *job, int status,
		             struct vstr *why)
{
    if (status == MAIL_STAT_OK)
	local_result_text(state->result, status, job->maildir ?
			  "delivered to maildir" : "delivered to mailbox");
    else
	local_result_text(state->result, local_child_status(status),
			  vstr_str(why));
}

/* local_mailbox_mbox - mbox delivery, spool or home */

static int
local_mailbox_mbox(const struct local_priv *user, struct local_mbox_job *job,
		           struct vstr *why)
{
    const char *path = vstr_str(job->path);
    int     locked = 0;
    int     status;

    if (job->spool) {
	if (local_spool_check(var_mail_spool_dir, why) < 0)
	    return (local_errno_status(errno, why));
	if ((job->mc.flags & LOCAL_MBOX_DOTLOCK)) {
	    if (local_dotlock(path, why) < 0)
		return (local_errno_status(errno, why));
	    locked = 1;
	    job->mc.flags &= ~LOCAL_MBOX_DOTLOCK;
	}
	if (local_spool_prepare(path, 0, user, why) < 0) {
	    status = local_errno_status(errno, why);
	    if (locked)
		local_dotlock_release(path);
	    return (status);
	}
    }
    status = local_child_run(user, local_mailbox_job_child, job,
			     (struct vstr *) 0, why);
    if (locked)
	local_dotlock_release(path);
    return (status);
}

/* local_mailbox - deliver to the user's own mailbox */

void
local_mailbox(struct local_state *state, const struct local_priv *user)
{
    struct local_mbox_job job;
    struct vstr *why = vstr_alloc(100);
    int     status;

    local_mailbox_plan(state, user, &job);
    if (!job.maildir)
	status = local_mailbox_mbox(user, &job, why);
    else if (job.spool && (local_spool_check(var_mail_spool_dir, why) < 0
			   || local_spool_prepare(vstr_str(job.path), 1, user,
						  why) < 0))
	status = local_errno_status(errno, why);
    else
	status = local_child_run(user, local_mailbox_job_child, &job,
				 (struct vstr *) 0, why);
    local_mailbox_result(state, &job, status, why);
    local_mailbox_plan_free(&job);
    vstr_free(why);
}
