/*
 * qmgr_done.c - results, and the end of a delivery attempt.
 *
 * A delivered recipient is marked done in the queue file the moment its
 * result arrives, before anything else happens (queue_mark_done: one
 * byte and an fsync), so a crash re-delivers at most what was in
 * flight. One exception: when that recipient is the message's last and
 * nothing failed or was deferred, the file is about to be removed, so
 * the mark is written without an fsync (a crash before the removal is
 * durable re-delivers just that recipient, which was in flight); if the
 * message stays after all (a bounce notice cannot be sent, the unlink
 * fails), the mark is fsynced before it moves on. A bounced recipient is first written to the message's bounce
 * log (qmgr_bounce.c), then marked done: the notice is owed even if qmgr
 * dies before sending it. When a message has nothing in flight any more
 * the attempt ends: expired deferred recipients are bounced, one notice
 * covers every failed recipient, and the file is removed (nothing left)
 * or moved to deferred/ with its next retry time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>

#include "qmgr.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "msg.h"
#include "mymalloc.h"
#include "rec_type.h"

/* qmgr_done_write - the done mark without fsync; 0 or -1 with why */

static int
qmgr_done_write(int fd, off_t offset, struct vstr *why)
{
    unsigned char type;
    unsigned char done = REC_TYPE_DONE;

    if (offset < 0 || pread(fd, &type, 1, offset) != 1)
	return (vstr_fail(why, "read recipient record at %lld: %m",
			  (long long) offset));
    if (type == REC_TYPE_DONE)
	return (0);
    if (type != REC_TYPE_RCPT)
	return (vstr_fail(why, "no recipient record at offset %lld",
			  (long long) offset));
    if (pwrite(fd, &done, 1, offset) != 1)
	return (vstr_fail(why, "mark recipient done at %lld: %m",
			  (long long) offset));
    return (0);
}

/* qmgr_done_mark - mark one recipient done in the file; -1 with why */

static int
qmgr_done_mark(const struct qmgr_message *m, size_t idx, int sync,
	               struct vstr *why)
{
    struct vstr *path = vstr_alloc(64);
    int     fd;
    int     ret = -1;

    if (mail_queue_path(path, MAIL_QUEUE_ACTIVE, m->queue_id) < 0)
	(void) vstr_fail(why, "bad queue ID");
    else if ((fd = open(vstr_str(path), O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0)
	(void) vstr_fail(why, "open %s: %m", vstr_str(path));
    else {
	ret = sync ? queue_mark_done(fd, m->env.rcpt[idx].offset, why) :
	    qmgr_done_write(fd, m->env.rcpt[idx].offset, why);
	if (close(fd) < 0 && ret == 0)
	    ret = vstr_fail(why, "close %s: %m", vstr_str(path));
    }
    vstr_free(path);
    return (ret);
}

/* qmgr_done_state - change a recipient's state; counts the queued */

void
qmgr_done_state(struct qmgr_message *m, size_t idx, int state)
{
    struct qmgr_rcpt_state *rs = m->rstate + idx;

    if (rs->state == QMGR_RCPT_QUEUED && state != QMGR_RCPT_QUEUED)
	m->queued--;
    else if (rs->state != QMGR_RCPT_QUEUED && state == QMGR_RCPT_QUEUED)
	m->queued++;
    rs->state = state;
}

/* qmgr_done_last - is this delivered recipient the end of the message? */

static int
qmgr_done_last(const struct qmgr_message *m, size_t idx)
{
    return (m->queued == 1 && m->rstate[idx].state == QMGR_RCPT_QUEUED
	    && m->deferred == 0 && m->failed == 0 && !m->loading
	    && m->unsynced == 0);
}

/* qmgr_done_rcpt_defer - a recipient is deferred in this attempt */

void
qmgr_done_rcpt_defer(struct qmgr_message *m, size_t idx, const char *dsn,
		             const char *why)
{
    struct qmgr_rcpt_state *rs = m->rstate + idx;

    if (rs->dsn)
	myfree(rs->dsn);
    if (rs->why)
	myfree(rs->why);
    rs->dsn = mystrdup(dsn);
    rs->why = mystrdup(why);
    qmgr_done_state(m, idx, QMGR_RCPT_DEFER);
    m->deferred++;
}

/* qmgr_done_result - one final or temporary result from an agent */

void
qmgr_done_result(struct qmgr_message *m, size_t idx, int status,
		         const char *dsn, const char *relay, const char *why)
{
    struct vstr *err = vstr_alloc(100);
    int     sync = !(status == MAIL_STAT_OK && qmgr_done_last(m, idx));

    if (status == MAIL_STAT_BOUNCE
	&& qmgr_bounce_log_append(m, idx, dsn, relay, why) < 0) {
	msg_warn("%s: cannot log bounce of <%s>: will retry",
		 m->queue_id, m->env.rcpt[idx].address);
	qmgr_done_rcpt_defer(m, idx, "4.3.0", "cannot write bounce log");
    } else if (status == MAIL_STAT_OK || status == MAIL_STAT_BOUNCE) {
	if (qmgr_done_mark(m, idx, sync, err) < 0) {
	    msg_warn("%s: %s", m->queue_id, vstr_str(err));
	    qmgr_done_rcpt_defer(m, idx, "4.3.0", "cannot update queue file");
	} else {
	    qmgr_done_state(m, idx, QMGR_RCPT_DONE);
	    if (!sync)
		m->unsynced = idx + 1;
	    if (status == MAIL_STAT_BOUNCE)
		m->failed++;
	}
    } else {
	qmgr_done_rcpt_defer(m, idx, dsn, why);
    }
    vstr_free(err);
}

/* qmgr_done_release - count recipients off; end the attempt at zero */

void
qmgr_done_release(struct qmgr_message *m, size_t count)
{
    if (count > m->pending)
	msg_panic("qmgr_done_release: %s: releasing %zu of %zu",
		  m->queue_id, count, m->pending);
    m->pending -= count;
    if (m->pending == 0 && !m->loading)
	qmgr_done_message(m);
}

/* qmgr_done_sync - the message stays: make an unsynced mark durable */

static void
qmgr_done_sync(struct qmgr_message *m)
{
    struct vstr *why = vstr_alloc(100);
    size_t  idx = m->unsynced - 1;

    if (m->unsynced == 0)
	return;
    m->unsynced = 0;
    if (qmgr_done_mark(m, idx, 1, why) < 0) {
	msg_warn("%s: %s", m->queue_id, vstr_str(why));
	qmgr_done_rcpt_defer(m, idx, "4.3.0", "cannot update queue file");
    }
    vstr_free(why);
}

/* qmgr_done_remove - nothing left to do: remove the message; 0 or -1 */

static int
qmgr_done_remove(struct qmgr_message *m)
{
    struct vstr *path = vstr_alloc(64);
    int     ret = 0;

    if (mail_queue_path(path, MAIL_QUEUE_DEFER, m->queue_id) == 0
	&& unlink(vstr_str(path)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", vstr_str(path));
    if (mail_queue_path(path, MAIL_QUEUE_ACTIVE, m->queue_id) == 0
	&& unlink(vstr_str(path)) < 0 && errno != ENOENT) {
	msg_warn("remove %s: %m", vstr_str(path));
	ret = -1;
    } else {
	msg_info("%s: removed", m->queue_id);
    }
    vstr_free(path);
    return (ret);
}

/* qmgr_done_message - the end of an attempt; frees the message */

void
qmgr_done_message(struct qmgr_message *m)
{
    time_t  now = time((time_t *) 0);
    int     bounce_st;

    if (m->deferred > 0 && qmgr_expired(&m->env, now))
	qmgr_bounce_expired(m, now);
    bounce_st = qmgr_bounce_flush(m);
    if (m->deferred == 0 && bounce_st == 0) {
	if (qmgr_done_remove(m) < 0)
	    qmgr_done_sync(m);			/* it stays in active/ */
    } else {
	qmgr_done_sync(m);
	(void) qmgr_defer_message(m, now);
    }
    qmgr_message_free(m);
}

/* qmgr_log_secs - Postfix's delay format: at most two decimals */

static void
qmgr_log_secs(struct vstr *buf, double secs)
{
    char    tmp[64];
    size_t  len;

    if (secs < 0)
	secs = 0;
    snprintf(tmp, sizeof(tmp), secs >= 100 ? "%.0f" : secs >= 10 ? "%.1f" : "%.2f", secs);
    if (strchr(tmp, '.')) {
	len = strlen(tmp);
	while (len > 0 && tmp[len - 1] == '0')
	    tmp[--len] = 0;
	if (len > 0 && tmp[len - 1] == '.')
	    tmp[--len] = 0;
    }
    vstr_strcat(buf, tmp);
}

/* qmgr_log_rcpt - a to= line for a recipient qmgr finishes itself */

void
qmgr_log_rcpt(const struct qmgr_message *m, size_t idx, const char *relay,
	              const char *dsn, const char *status, const char *why)
{
    const struct queue_rcpt *r = m->env.rcpt + idx;
    struct vstr *buf = vstr_alloc(200);
    struct timeval tv;
    double  arrival, active, now;

    gettimeofday(&tv, (struct timezone *) 0);
    now = tv.tv_sec + tv.tv_usec / 1e6;
    arrival = m->env.arrival.tv_sec + m->env.arrival.tv_usec / 1e6;
    active = m->active_ms / 1000.0;
    if (active < arrival)
	active = arrival;
    vstr_sprintf(buf, "%s: to=<%s>, ", m->queue_id, r->address);
    if (r->orcpt && *r->orcpt)
	vstr_sprintf_append(buf, "orig_to=<%s>, ", r->orcpt);
    vstr_sprintf_append(buf, "relay=%s, delay=", relay);
    qmgr_log_secs(buf, now - arrival);
    vstr_strcat(buf, ", delays=");
    qmgr_log_secs(buf, active - arrival);
    vstr_strcat(buf, "/");
    qmgr_log_secs(buf, now - active);
    vstr_sprintf_append(buf, "/0/0, dsn=%s, status=%s (%s)", dsn, status, why);
    msg_info("%s", vstr_str(buf));
    vstr_free(buf);
}
