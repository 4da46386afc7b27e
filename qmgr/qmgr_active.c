/*
 * qmgr_active.c - moving queue files between queues and taking a
 * message into memory.
 *
 * A move is a rename of the same name between queue directories; qmgr
 * does not fsync the directory afterwards. The file's contents (and its
 * done markers) are already durable, and every queue a name could fall
 * back to after a crash (incoming, active, deferred) is scanned again,
 * so a lost rename only means an earlier or later attempt, never a lost
 * message. At start-up everything left in active/ goes back to
 * incoming/ (it was in flight when qmgr stopped). hold/ is never read.
 *
 * Each message taken from incoming/ gives one inflow control token back
 * to the pool that cleanup draws from (util/mail_flow.h, docs/cleanup.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "qmgr.h"
#include "mail_flow.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "msg.h"

/* qmgr_active_move - rename from/H/ID to to/H/ID; -1 with errno */

int
qmgr_active_move(const char *from, const char *to, const char *queue_id)
{
    struct vstr *src = vstr_alloc(64);
    struct vstr *dst = vstr_alloc(64);
    int     ret = -1;

    if (mail_queue_path(src, from, queue_id) < 0
	|| mail_queue_path(dst, to, queue_id) < 0)
	errno = EINVAL;
    else
	ret = rename(vstr_str(src), vstr_str(dst));
    vstr_free(src);
    vstr_free(dst);
    return (ret);
}

/* qmgr_active_retry - active/ to deferred/, next attempt at "when" */

int
qmgr_active_retry(const char *queue_id, time_t when)
{
    struct vstr *path = vstr_alloc(64);
    struct timespec ts[2];
    int     ret;

    ts[0].tv_sec = time((time_t *) 0);
    ts[0].tv_nsec = 0;
    ts[1].tv_sec = when;
    ts[1].tv_nsec = 0;
    if ((ret = mail_queue_path(path, MAIL_QUEUE_ACTIVE, queue_id)) == 0
	&& (ret = utimensat(AT_FDCWD, vstr_str(path), ts, AT_SYMLINK_NOFOLLOW)) < 0)
	msg_warn("%s: set retry time: %m", queue_id);
    vstr_free(path);
    if ((ret = qmgr_active_move(MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
				queue_id)) < 0)
	msg_warn("%s: move to %s: %m", queue_id, MAIL_QUEUE_DEFERRED);
    return (ret);
}

/* qmgr_active_requeue - start-up: active/ back to incoming/ */

void
qmgr_active_requeue(void)
{
    struct qmgr_scan scan;
    struct vstr *id = vstr_alloc(32);
    int     st;
    int     count = 0;

    qmgr_scan_init(&scan, MAIL_QUEUE_ACTIVE);
    qmgr_scan_request(&scan, 1);
    while ((st = qmgr_scan_next(&scan, 0, id)) != 0) {
	if (st < 0)
	    continue;
	if (qmgr_active_move(MAIL_QUEUE_ACTIVE, MAIL_QUEUE_INCOMING,
			     vstr_str(id)) < 0 && errno != ENOENT)
	    msg_warn("%s: move to %s: %m", vstr_str(id), MAIL_QUEUE_INCOMING);
	else
	    count++;
    }
    if (count > 0)
	msg_info("%d message(s) left in %s put back in line", count,
		 MAIL_QUEUE_ACTIVE);
    vstr_free(id);
}

/* qmgr_active_full - no room for one more message in memory */

int
qmgr_active_full(void)
{
    return (qmgr_message_count >= var_qmgr_active_limit
	    || (qmgr_message_count > 0
		&& qmgr_rcpt_count >= (size_t) var_qmgr_rcpt_limit));
}

/* qmgr_active_now_ms - wall clock, epoch milliseconds */

long long
qmgr_active_now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, (struct timezone *) 0);
    return ((long long) tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

/* qmgr_active_load - queue/H/ID into active/ and into memory */

int
qmgr_active_load(const char *queue, const char *queue_id)
{
    struct vstr *why;
    struct qmgr_message *m;
    int     corrupt;

    if (qmgr_active_move(queue, MAIL_QUEUE_ACTIVE, queue_id) < 0) {
	if (errno != ENOENT)
	    msg_warn("%s: move to %s: %m", queue_id, MAIL_QUEUE_ACTIVE);
	return (-1);
    }
    if (var_in_flow_delay > 0 && strcmp(queue, MAIL_QUEUE_INCOMING) == 0)
	(void) mail_flow_put(1);
    why = vstr_alloc(100);
    if ((m = qmgr_message_read(queue_id, &corrupt, why)) == 0) {
	if (corrupt > 0) {
	    msg_warn("%s: corrupt queue file: %s: moved to %s", queue_id,
		     vstr_str(why), MAIL_QUEUE_CORRUPT);
	    if (qmgr_active_move(MAIL_QUEUE_ACTIVE, MAIL_QUEUE_CORRUPT, queue_id) < 0)
		msg_warn("%s: move to %s: %m", queue_id, MAIL_QUEUE_CORRUPT);
	} else if (corrupt < 0) {
	    msg_warn("%s: %s: will retry", queue_id, vstr_str(why));
	    (void) qmgr_active_retry(queue_id, time((time_t *) 0) + var_min_backoff_time);
	}
	vstr_free(why);
	return (-1);
    }
    vstr_free(why);
    m->active_ms = qmgr_active_now_ms();
    msg_info("%s: from=<%s>, size=%lld, nrcpt=%zu (queue active)",
	     m->queue_id, m->env.sender, m->env.size, m->env.rcpt_count);
    (void) qmgr_message_route(m);
    return (0);
}
