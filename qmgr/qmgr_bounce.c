/*
 * qmgr_bounce.c - permanent failures: the bounce log of a message,
 * expiry, and the one notice per attempt (util/bounce_notify.h).
 *
 * A recipient that bounced is appended to bounce/<hash>/QUEUEID (one
 * attribute list: recipient, status, relay, reason, record offset),
 * fsynced, and only then marked done in the queue file. At the end of
 * the attempt qmgr_bounce_flush() turns the whole log into ONE notice
 * covering every failed recipient and removes the log. If the notice
 * cannot be sent (cleanup down), the log and the message stay and the
 * notice is tried again at the next attempt. A crash between the
 * notice and the removal of the log repeats the notice; a crash never
 * loses it. The log is private to qmgr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "qmgr.h"
#include "attr.h"
#include "bounce_notify.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "msg.h"
#include "mymalloc.h"

#define QMGR_BOUNCE_LIST_MAX	(3 * 8192 + 4 * 1024)	/* bytes per entry */

static const struct attr_limits qmgr_bounce_limits = {
    8192, QMGR_BOUNCE_LIST_MAX, 8,
};

struct qmgr_bounce_ent {
    struct vstr *dsn;
    struct vstr *relay;
    struct vstr *why;
};

/* qmgr_bounce_path - bounce/H/ID */

static int
qmgr_bounce_path(struct vstr *path, const struct qmgr_message *m)
{
    return (mail_queue_path(path, MAIL_QUEUE_BOUNCE, m->queue_id));
}

/* qmgr_bounce_log_append - one failed recipient, durably; 0 or -1 */

int
qmgr_bounce_log_append(const struct qmgr_message *m, size_t idx,
		               const char *dsn, const char *relay,
		               const char *why)
{
    struct vstr *path = vstr_alloc(64);
    struct vstr *buf = vstr_alloc(200);
    struct vstream *fp = vstream_vstropen(buf);
    int     fd = -1;
    int     ret = -1;

    if (attr_print(fp, ATTR_FLAG_NONE,
		   SEND_ATTR_STR(MAIL_ATTR_RECIP, m->env.rcpt[idx].address),
		   SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, dsn),
		   SEND_ATTR_STR(MAIL_ATTR_RELAY, relay ? relay : ""),
		   SEND_ATTR_STR(MAIL_ATTR_WHY, why),
		   SEND_ATTR_LONG(MAIL_ATTR_OFFSET, (long) m->env.rcpt[idx].offset),
		   ATTR_TYPE_END) == 0
	&& vstream_flush(fp) == 0
	&& qmgr_bounce_path(path, m) == 0
	&& (fd = open(vstr_str(path), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW
		      | O_CLOEXEC, 0600)) >= 0
	&& write_all(fd, vstr_str(buf), vstr_len(buf)) == 0
	&& fsync(fd) == 0)
	ret = 0;
    if (ret < 0)
	msg_warn("%s: bounce log %s: %m", m->queue_id, vstr_str(path));
    if (fd >= 0 && close(fd) < 0 && ret == 0)
	ret = -1;
    vstream_free(fp);
    vstr_free(buf);
    vstr_free(path);
    return (ret);
}

/*
 * qmgr_bounce_slurp - the whole log into buf (bounded): 0 read, 1 no
 * log, -1 cannot read it now (the notice waits: the log is never lost)
 */

static int
qmgr_bounce_slurp(const struct qmgr_message *m, struct vstr *path,
		          struct vstr *buf)
{
    size_t  limit = (m->env.rcpt_count + 1) * (size_t) QMGR_BOUNCE_LIST_MAX;
    char    tmp[8192];
    ssize_t n;
    int     fd;
    int     ret = 0;

    if (qmgr_bounce_path(path, m) < 0)
	return (1);
    if ((fd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
	if (errno == ENOENT)
	    return (1);
	msg_warn("%s: open %s: %m", m->queue_id, vstr_str(path));
	return (-1);
    }
    while (vstr_len(buf) < limit && (n = read(fd, tmp, sizeof(tmp))) != 0) {
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0) {
	    msg_warn("%s: read %s: %m", m->queue_id, vstr_str(path));
	    ret = -1;
	    break;
	}
	vstr_memcat(buf, tmp, (size_t) n);
    }
    (void) close(fd);
    return (ret);
}

/* qmgr_bounce_find - the recipient with this record offset, or -1 */

static long
qmgr_bounce_find(const struct qmgr_message *m, long offset)
{
    size_t  lo = 0, hi = m->env.rcpt_count, mid;

    while (lo < hi) {				/* offsets ascend */
	mid = lo + (hi - lo) / 2;
	if ((long) m->env.rcpt[mid].offset == offset)
	    return ((long) mid);
	if ((long) m->env.rcpt[mid].offset < offset)
	    lo = mid + 1;
	else
	    hi = mid;
    }
    return (-1);
}

/* qmgr_bounce_parse - the log's entries, one per recipient index */

static size_t
qmgr_bounce_parse(const struct qmgr_message *m, struct vstr *buf,
		          struct qmgr_bounce_ent *ents)
{
    struct vstream *fp = vstream_memopen(vstr_str(buf), vstr_len(buf));
    struct vstr *rcpt = vstr_alloc(64);
    struct qmgr_bounce_ent e;
    size_t  found = 0;
    long    offset, idx;

    e.dsn = vstr_alloc(10);
    e.relay = vstr_alloc(10);
    e.why = vstr_alloc(100);
    while (attr_scan_lim(fp, ATTR_FLAG_ALLOW_MISSING, &qmgr_bounce_limits,
			    RECV_ATTR_STR(MAIL_ATTR_RECIP, rcpt),
			    RECV_ATTR_STR(MAIL_ATTR_DSN_STATUS, e.dsn),
			    RECV_ATTR_STR(MAIL_ATTR_RELAY, e.relay),
			    RECV_ATTR_STR(MAIL_ATTR_WHY, e.why),
			    RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &offset),
			    ATTR_TYPE_END) == 5) {
	if ((idx = qmgr_bounce_find(m, offset)) < 0 || ents[idx].dsn != 0)
	    continue;				/* unknown, or a repeat */
	ents[idx] = e;
	found++;
	e.dsn = vstr_alloc(10);
	e.relay = vstr_alloc(10);
	e.why = vstr_alloc(100);
    }
    vstr_free(e.dsn);
    vstr_free(e.relay);
    vstr_free(e.why);
    vstr_free(rcpt);
    vstream_free(fp);
    return (found);
}

/* qmgr_bounce_notify - call bounce_notify() and log its outcome */

static int
qmgr_bounce_notify(struct qmgr_message *m, const struct bounce_rcpt *rcpts,
		           size_t n, int flags)
{
    struct vstr *newid = vstr_alloc(32);
    struct vstr *why = vstr_alloc(100);
    const char *what = (flags & BOUNCE_FLAG_DELAY) ?
    "sender delay notification" : "sender non-delivery notification";
    int     st;

    st = bounce_notify(var_queue_dir, MAIL_QUEUE_ACTIVE, m->queue_id, &m->env,
		       rcpts, n, flags, newid, why);
    if (st == 0)
	msg_info("%s: %s: %s", m->queue_id, what, vstr_str(newid));
    else if (st > 0)
	msg_info("%s: no %s: %s", m->queue_id, what, vstr_str(why));
    else
	msg_warn("%s: %s not sent: %s: will retry", m->queue_id, what,
		 vstr_str(why));
    vstr_free(newid);
    vstr_free(why);
    return (st < 0 ? -1 : 0);
}

/* qmgr_bounce_flush - one notice for the bounce log; -1: try later */

int
qmgr_bounce_flush(struct qmgr_message *m)
{
    struct vstr *path = vstr_alloc(64);
    struct vstr *buf = vstr_alloc(1024);
    struct qmgr_bounce_ent *ents;
    struct bounce_rcpt *rcpts;
    size_t  i, n = 0, found;
    int     st = 0;

    if ((st = qmgr_bounce_slurp(m, path, buf)) != 0) {
	vstr_free(path);
	vstr_free(buf);
	return (st < 0 ? -1 : 0);		/* 1: no log, nothing failed */
    }
    vstr_addch(buf, ATTR_TYPE_END);		/* an empty list ends the walk */
    ents = mycalloc(m->env.rcpt_count + 1, sizeof(*ents));
    rcpts = mycalloc(m->env.rcpt_count + 1, sizeof(*rcpts));
    found = qmgr_bounce_parse(m, buf, ents);
    for (i = 0; i < m->env.rcpt_count && n < found; i++) {
	if (ents[i].dsn == 0)
	    continue;
	rcpts[n].address = m->env.rcpt[i].address;
	rcpts[n].orcpt = m->env.rcpt[i].orcpt;
	rcpts[n].notify = m->env.rcpt[i].notify;
	rcpts[n].dsn_status = vstr_str(ents[i].dsn);
	rcpts[n].action = "failed";
	rcpts[n].reason = vstr_str(ents[i].why);
	rcpts[n].relay = vstr_str(ents[i].relay);
	n++;
    }
    if (n > 0)
	st = qmgr_bounce_notify(m, rcpts, n, BOUNCE_FLAG_NONE);
    if (st == 0 && unlink(vstr_str(path)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", vstr_str(path));
    for (i = 0; i < m->env.rcpt_count; i++)
	if (ents[i].dsn) {
	    vstr_free(ents[i].dsn);
	    vstr_free(ents[i].relay);
	    vstr_free(ents[i].why);
	}
    myfree(ents);
    myfree(rcpts);
    vstr_free(path);
    vstr_free(buf);
    return (st);
}

/* qmgr_bounce_expired - give up on the deferred recipients */

void
qmgr_bounce_expired(struct qmgr_message *m, time_t now)
{
    struct vstr *why = vstr_alloc(100);
    struct vstr *dsn = vstr_alloc(10);
    size_t  i;

    msg_info("%s: from=<%s>, status=expired, returned to sender",
	     m->queue_id, m->env.sender);
    for (i = 0; i < m->env.rcpt_count; i++) {
	if (m->rstate[i].state != QMGR_RCPT_DEFER)
	    continue;
	vstr_sprintf(why, "message expired after %lds in the queue: %s",
		     (long) (now - m->env.arrival.tv_sec), m->rstate[i].why);
	vstr_strcpy(dsn, m->rstate[i].dsn);
	qmgr_log_rcpt(m, i, "none", vstr_str(dsn), "bounced", vstr_str(why));
	qmgr_done_state(m, i, QMGR_RCPT_QUEUED);
	m->deferred--;
	qmgr_done_result(m, i, MAIL_STAT_BOUNCE, vstr_str(dsn), "none",
			 vstr_str(why));
    }
    vstr_free(why);
    vstr_free(dsn);
}

/* qmgr_bounce_delay - a delay warning for the deferred recipients */

int
qmgr_bounce_delay(struct qmgr_message *m)
{
    struct bounce_rcpt *rcpts = mycalloc(m->env.rcpt_count + 1, sizeof(*rcpts));
    size_t  i, n = 0;
    int     st = 0;

    for (i = 0; i < m->env.rcpt_count; i++) {
	if (m->rstate[i].state != QMGR_RCPT_DEFER)
	    continue;
	rcpts[n].address = m->env.rcpt[i].address;
	rcpts[n].orcpt = m->env.rcpt[i].orcpt;
	rcpts[n].notify = m->env.rcpt[i].notify;
	rcpts[n].dsn_status = m->rstate[i].dsn;
	rcpts[n].action = "delayed";
	rcpts[n].reason = m->rstate[i].why;
	rcpts[n].relay = 0;
	n++;
    }
    if (n > 0)
	st = qmgr_bounce_notify(m, rcpts, n, BOUNCE_FLAG_DELAY);
    myfree(rcpts);
    return (st);
}
