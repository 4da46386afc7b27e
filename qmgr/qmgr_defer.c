/*
 * qmgr_defer.c - the end of an attempt that left recipients deferred:
 * their reasons go to defer/<hash>/QUEUEID (util/deliver_proto.h: one
 * attribute list per deferred recipient, replaced atomically after each
 * attempt, read by `postern queue`), a delay warning when the message
 * just crossed delay_warning_time, and the move to deferred/ with the
 * next attempt time as the file's mtime.
 *
 * The next attempt comes after qmgr_backoff() of the message's age:
 * about twice the age at each attempt, between minimal_backoff_time and
 * maximal_backoff_time. The delay warning needs no state of its own:
 * it is due when the previous attempt (the old defer log's mtime, or
 * the arrival) was before the threshold and this one is after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "qmgr.h"
#include "attr.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "msg.h"

/* qmgr_defer_log_print - the deferred recipients, as attribute lists */

static int
qmgr_defer_log_print(const struct qmgr_message *m, struct vstream *fp,
		             time_t now)
{
    const struct queue_rcpt *r;
    size_t  i;

    for (i = 0; i < m->env.rcpt_count; i++) {
	if (m->rstate[i].state != QMGR_RCPT_DEFER)
	    continue;
	r = m->env.rcpt + i;
	if (attr_print(fp, ATTR_FLAG_NONE,
		       SEND_ATTR_STR(MAIL_ATTR_RECIP, r->address),
		       SEND_ATTR_STR(MAIL_ATTR_ORCPT, r->orcpt ? r->orcpt : ""),
		       SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, m->rstate[i].dsn),
		       SEND_ATTR_STR(MAIL_ATTR_WHY, m->rstate[i].why),
		       SEND_ATTR_LONG(MAIL_ATTR_TIME, (long) now),
		       ATTR_TYPE_END) < 0)
	    return (-1);
    }
    return (vstream_flush(fp));
}

/* qmgr_defer_log_replace - write path.tmp, rename it to path */

static int
qmgr_defer_log_replace(const struct qmgr_message *m, const char *path,
		               time_t now, struct vstr *why)
{
    struct vstr *tmp = vstr_alloc(64);
    struct vstream *fp;
    int     fd;
    int     print_st;
    int     ret = -1;

    vstr_sprintf(tmp, "%s.tmp", path);
    if ((fd = open(vstr_str(tmp), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW
		   | O_CLOEXEC, 0600)) < 0) {
	(void) vstr_fail(why, "create %s: %m", vstr_str(tmp));
    } else {
	fp = vstream_fdopen(fd, VSTREAM_WRITE);
	print_st = qmgr_defer_log_print(m, fp, now);
	if (vstream_close(fp) != 0 || print_st < 0)	/* close it always */
	    (void) vstr_fail(why, "write %s: %m", vstr_str(tmp));
	else if (rename(vstr_str(tmp), path) < 0)
	    (void) vstr_fail(why, "rename %s: %m", vstr_str(tmp));
	else
	    ret = 0;
	if (ret < 0)
	    (void) unlink(vstr_str(tmp));
    }
    vstr_free(tmp);
    return (ret);
}

/* qmgr_defer_log_write - replace (or remove) the defer log; -1: why */

int
qmgr_defer_log_write(const struct qmgr_message *m, time_t now,
		             struct vstr *why)
{
    struct vstr *path = vstr_alloc(64);
    int     ret = -1;

    if (mail_queue_path(path, MAIL_QUEUE_DEFER, m->queue_id) < 0) {
	(void) vstr_fail(why, "bad queue ID");
    } else if (m->deferred > 0) {
	ret = qmgr_defer_log_replace(m, vstr_str(path), now, why);
    } else if ((ret = unlink(vstr_str(path))) < 0 && errno == ENOENT) {
	ret = 0;
    } else if (ret < 0) {
	(void) vstr_fail(why, "remove %s: %m", vstr_str(path));
    }
    vstr_free(path);
    return (ret);
}

/* qmgr_defer_warn_due - did this attempt cross delay_warning_time? */

static int
qmgr_defer_warn_due(const struct qmgr_message *m, time_t now)
{
    struct vstr *path;
    struct stat st;
    time_t  prev = m->env.arrival.tv_sec;
    time_t  warn_at;

    if (var_delay_warn_time <= 0 || m->deferred == 0 || *m->env.sender == 0)
	return (0);
    warn_at = m->env.arrival.tv_sec + var_delay_warn_time;
    path = vstr_alloc(64);
    if (mail_queue_path(path, MAIL_QUEUE_DEFER, m->queue_id) == 0
	&& lstat(vstr_str(path), &st) == 0)
	prev = st.st_mtime;
    vstr_free(path);
    return (prev < warn_at && now >= warn_at);
}

/* qmgr_defer_message - log reasons, warn, move to deferred/ */

int
qmgr_defer_message(struct qmgr_message *m, time_t now)
{
    struct vstr *why = vstr_alloc(100);
    struct stat st;
    long    backoff;

    /*
     * `postern delete` may remove a message while it is being delivered:
     * then there is nothing to defer, and no reason log may be left.
     */
    if (mail_queue_path(why, MAIL_QUEUE_ACTIVE, m->queue_id) == 0
	&& lstat(vstr_str(why), &st) < 0 && errno == ENOENT) {
	msg_info("%s: removed while being delivered", m->queue_id);
	vstr_free(why);
	return (0);
    }
    if (qmgr_defer_warn_due(m, now))
	(void) qmgr_bounce_delay(m);
    if (qmgr_defer_log_write(m, now, why) < 0)
	msg_warn("%s: defer log: %s", m->queue_id, vstr_str(why));
    vstr_free(why);
    backoff = qmgr_backoff((long) (now - m->env.arrival.tv_sec),
			   var_min_backoff_time, var_max_backoff_time);
    return (qmgr_active_retry(m->queue_id, now + backoff));
}
