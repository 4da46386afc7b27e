/*
 * qmgr.c - the queue manager: one process (a trigger server, woken on
 * public/qmgr by cleanup, master's wakeup timer and `postern flush`)
 * that moves new mail from incoming/ into active/, scans deferred/ every
 * queue_run_delay for files whose retry time has come, and runs many
 * deliveries at once through the skeleton's watch/ready hooks.
 *
 * This file is the daemon shell: start-up (tables before the privilege
 * drop, active/ put back in line), the trigger callback, which only
 * records what was asked, and the loop hook, which does the work in
 * bounded batches. docs/qmgr.md describes the whole design.
 *
 * A trigger walks incoming/ (62 subdirectories) at most once per
 * QMGR_SCAN_GAP_MS: under load cleanup triggers once per message, and
 * one walk then picks up everything that arrived since the last one. A
 * trigger that comes sooner is kept and a timer (a timerfd in the
 * skeleton's wait) starts the walk when the gap is over, so no file
 * waits longer than that.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include "qmgr.h"
#include "deliver_proto.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "msg.h"

static struct qmgr_scan qmgr_incoming;
static struct qmgr_scan qmgr_deferred;
static time_t qmgr_deferred_next;	/* periodic scan of deferred/ */

#define QMGR_SCAN_GAP_MS	100	/* triggered incoming/ walks */

static int qmgr_incoming_wanted;	/* a trigger asked for a walk */
static long long qmgr_incoming_last;	/* when the last one started, ms */
static int qmgr_timer_fd = -1;		/* wakes the wait for a walk */
static int qmgr_timer_armed;

/* qmgr_pre_init - before the privilege drop: queue directory, tables */

static void
qmgr_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    struct vstr *why = vstr_alloc(100);

    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    if (qmgr_route_init(why) < 0)
	msg_fatal("%s", vstr_str(why));
    if ((qmgr_timer_fd = timerfd_create(CLOCK_MONOTONIC,
					TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
	msg_fatal("timerfd_create: %m");
    vstr_free(why);
}

/* qmgr_post_init - active/ back in line, then scan everything */

static void
qmgr_post_init(const char *service UNUSED, char **argv UNUSED)
{
    qmgr_scan_init(&qmgr_incoming, MAIL_QUEUE_INCOMING);
    qmgr_scan_init(&qmgr_deferred, MAIL_QUEUE_DEFERRED);
    qmgr_active_requeue();
    qmgr_scan_request(&qmgr_incoming, 0);
    qmgr_scan_request(&qmgr_deferred, 0);
    qmgr_deferred_next = time((time_t *) 0) + var_queue_run_delay;
}

/* qmgr_trigger - remember what the trigger bytes ask for */

static void
qmgr_trigger(const char *buf, size_t len, const char *service UNUSED,
	             char **argv UNUSED)
{
    size_t  i;

    for (i = 0; i < len; i++) {
	switch (buf[i]) {
	case QMGR_REQ_WAKEUP:
	case QMGR_REQ_SCAN_INCOMING:
	    qmgr_incoming_wanted = 1;
	    break;
	case QMGR_REQ_FLUSH:
	    qmgr_queue_flush();
	    qmgr_scan_request(&qmgr_deferred, 1);
	    qmgr_scan_request(&qmgr_incoming, 0);
	    break;
	case QMGR_REQ_SCAN_DEFERRED:
	    qmgr_scan_request(&qmgr_deferred, 0);
	    break;
	default:				/* ignore unknown bytes */
	    break;
	}
    }
}

/* qmgr_loop_scan - one batch of a queue walk; 1: more to do now */

static int
qmgr_loop_scan(struct qmgr_scan *s, time_t now)
{
    struct vstr *id;
    int     n = 0;
    int     st = 0;

    if (!s->busy || qmgr_active_full())
	return (0);
    id = vstr_alloc(32);
    while (n < QMGR_SCAN_BATCH && !qmgr_active_full()
	   && (st = qmgr_scan_next(s, now, id)) > 0) {
	(void) qmgr_active_load(s->queue, vstr_str(id));
	n++;
    }
    vstr_free(id);
    return (st != 0 && !qmgr_active_full());
}

/* qmgr_timer_arm - wake the wait after ms milliseconds */

static void
qmgr_timer_arm(long long ms)
{
    struct itimerspec its;

    if (qmgr_timer_armed)
	return;
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000 + 1;
    if (timerfd_settime(qmgr_timer_fd, 0, &its, (struct itimerspec *) 0) < 0)
	msg_fatal("timerfd_settime: %m");
    qmgr_timer_armed = 1;
}

/* qmgr_incoming_start - start a triggered walk when the gap is over */

static int
qmgr_incoming_start(void)
{
    long long now;

    if (!qmgr_incoming_wanted || qmgr_incoming.busy)
	return (0);
    now = server_now_ms();
    if (now - qmgr_incoming_last >= QMGR_SCAN_GAP_MS
	|| now < qmgr_incoming_last) {
	qmgr_incoming_wanted = 0;
	qmgr_incoming_last = now;
	qmgr_scan_request(&qmgr_incoming, 0);
	return (1);
    }
    qmgr_timer_arm(qmgr_incoming_last + QMGR_SCAN_GAP_MS - now);
    return (0);
}

/* qmgr_watch - the deliveries and the walk timer (skeleton hook) */

static int
qmgr_watch(struct pollfd *fds, int max)
{
    int     n = qmgr_deliver_watch(fds, max - 1);

    if (qmgr_timer_armed) {
	fds[n].fd = qmgr_timer_fd;
	fds[n].events = POLLIN;
	n++;
    }
    return (n);
}

/* qmgr_ready - their events (skeleton hook) */

static void
qmgr_ready(const struct pollfd *fds, int n)
{
    uint64_t ticks;

    if (qmgr_timer_armed && n > 0 && fds[n - 1].fd == qmgr_timer_fd) {
	if (fds[n - 1].revents & POLLIN) {
	    if (read(qmgr_timer_fd, &ticks, sizeof(ticks)) < 0
		&& errno != EAGAIN)
		msg_warn("read timer: %m");
	    qmgr_timer_armed = 0;
	}
	n--;
    }
    qmgr_deliver_ready(fds, n);
}

/* qmgr_loop - before each wait: scan, schedule; the wait's timeout */

static int
qmgr_loop(const char *service UNUSED, char **argv UNUSED)
{
    time_t  now = time((time_t *) 0);
    int     more;
    int     left;
    int     tmo;

    if (now >= qmgr_deferred_next) {
	qmgr_scan_request(&qmgr_deferred, 0);
	qmgr_deferred_next = now + var_queue_run_delay;
    }
    (void) qmgr_incoming_start();
    more = qmgr_loop_scan(&qmgr_incoming, now);
    more |= qmgr_loop_scan(&qmgr_deferred, now);
    more |= qmgr_incoming_start();		/* a walk just ended */
    qmgr_queue_schedule(now);
    if (more)
	return (0);
    tmo = (int) (qmgr_deferred_next - now);
    if ((left = qmgr_deliver_expire()) >= 0 && left < tmo)
	tmo = left;
    if (qmgr_deliver_count() == 0 && !qmgr_queue_idle() && tmo > 1)
	tmo = 1;				/* a transport was busy */
    return (tmo < 0 ? 0 : tmo);
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = qmgr_syscalls;
    opts.pre_init = qmgr_pre_init;
    opts.post_init = qmgr_post_init;
    opts.loop = qmgr_loop;
    opts.watch = qmgr_watch;
    opts.ready = qmgr_ready;
    opts.max_use = MAIL_SERVER_UNLIMITED;
    trigger_server_main(argc, argv, qmgr_trigger, &opts);
}
