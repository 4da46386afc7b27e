/*
 * qmgr_queue.c - transports, destinations and the scheduler.
 *
 * A transport (a master.cf service such as "local") has a list of
 * destinations (one per next hop), and each destination a FIFO of
 * entries (recipients of one message). qmgr_queue_schedule() starts
 * deliveries round-robin over the destinations of each transport while
 * the destination's window (qmgr_feedback.c) and the transport's
 * process limit (default_process_limit: qmgr cannot see master.cf's
 * maxproc) allow. A dead destination or an unavailable transport does
 * not keep mail in memory: its entries are deferred at once, and the
 * messages move to deferred/ for a later attempt. An idle destination
 * is forgotten, unless it is dead or failed less than
 * minimal_backoff_time ago (its failures in a row must add up when its
 * mail comes one message at a time).
 */
#include <string.h>

#include "qmgr.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"

#define QMGR_DSN_SUSPENDED	"4.3.0"

static struct qmgr_transport *qmgr_transport_list;

/* qmgr_transport_find - look up or create a transport */

static struct qmgr_transport *
qmgr_transport_find(const char *name)
{
    struct qmgr_transport *t;

    for (t = qmgr_transport_list; t; t = t->next)
	if (strcmp(t->name, name) == 0)
	    return (t);
    t = mycalloc(1, sizeof(*t));
    t->name = mystrdup(name);
    t->limit = var_default_process_limit;
    t->next = qmgr_transport_list;
    qmgr_transport_list = t;
    return (t);
}

/* qmgr_queue_find - look up or create a destination */

struct qmgr_queue *
qmgr_queue_find(const char *transport, const char *nexthop)
{
    struct qmgr_transport *t = qmgr_transport_find(transport);
    struct qmgr_queue *q;

    for (q = t->queues; q; q = q->next)
	if (strcmp(q->nexthop, nexthop) == 0)
	    return (q);
    q = mycalloc(1, sizeof(*q));
    q->nexthop = mystrdup(nexthop);
    q->transport = t;
    qmgr_feedback_init(&q->fb, var_init_dest_concurrency, var_dest_con_limit);
    q->next = t->queues;
    t->queues = q;
    return (q);
}

/* qmgr_queue_free - forget an idle destination */

static void
qmgr_queue_free(struct qmgr_queue *q)
{
    struct qmgr_queue **pp;

    for (pp = &q->transport->queues; *pp; pp = &(*pp)->next)
	if (*pp == q) {
	    *pp = q->next;
	    break;
	}
    myfree(q->nexthop);
    if (q->dead_reason)
	myfree(q->dead_reason);
    myfree(q);
}

/* qmgr_queue_defer_entry - defer every recipient of an entry now */

static void
qmgr_queue_defer_entry(struct qmgr_entry *e, const char *why)
{
    struct qmgr_message *m = e->message;
    size_t  count = e->count;
    size_t  i;

    for (i = 0; i < e->count; i++) {
	qmgr_log_rcpt(m, e->rcpt[i], "none", QMGR_DSN_SUSPENDED, "deferred", why);
	qmgr_done_rcpt_defer(m, e->rcpt[i], QMGR_DSN_SUSPENDED, why);
    }
    qmgr_entry_free(e);
    qmgr_done_release(m, count);
}

/* qmgr_queue_defer_all - defer the waiting entries of a destination */

static void
qmgr_queue_defer_all(struct qmgr_queue *q, const char *why)
{
    struct qmgr_entry *e;

    while ((e = q->head) != 0) {
	if ((q->head = e->next) == 0)
	    q->tail = 0;
	qmgr_queue_defer_entry(e, why);
    }
}

/* qmgr_queue_suspended - reason text for a dead destination */

static void
qmgr_queue_suspended(struct vstr *buf, const char *reason)
{
    vstr_sprintf(buf, "delivery temporarily suspended: %s",
		 reason ? reason : "destination failed");
}

/* qmgr_queue_add - an entry for a destination (or deferred at once) */

void
qmgr_queue_add(struct qmgr_queue *q, struct qmgr_entry *e)
{
    time_t  now = time((time_t *) 0);
    struct qmgr_transport *t = q->transport;
    struct vstr *why;

    e->queue = q;
    e->next = 0;
    if (t->dead_until && now < t->dead_until) {
	qmgr_queue_defer_entry(e, t->dead_reason);
    } else if (qmgr_feedback_dead(&q->fb, now)) {
	qmgr_queue_suspended(why = vstr_alloc(100), q->dead_reason);
	qmgr_queue_defer_entry(e, vstr_str(why));
	vstr_free(why);
    } else {
	if (q->tail)
	    q->tail->next = e;
	else
	    q->head = e;
	q->tail = e;
    }
}

/* qmgr_queue_unavailable - a transport cannot be reached: defer it all */

void
qmgr_queue_unavailable(struct qmgr_transport *t, const char *why)
{
    struct qmgr_queue *q;

    msg_warn("transport %s: %s", t->name, why);
    t->dead_until = time((time_t *) 0) + var_min_backoff_time;
    if (t->dead_reason)
	myfree(t->dead_reason);
    t->dead_reason = mystrdup(why);
    for (q = t->queues; q; q = q->next)
	qmgr_queue_defer_all(q, why);
}

/* qmgr_queue_done - a delivery is over (QMGR_DONE_*): feedback, free */

void
qmgr_queue_done(struct qmgr_entry *e, int outcome, const char *why)
{
    struct qmgr_queue *q = e->queue;
    struct qmgr_message *m = e->message;
    size_t  count = e->count;
    time_t  now = time((time_t *) 0);
    int     was_dead = (q->fb.dead_until != 0 && now < q->fb.dead_until);
    struct vstr *buf;

    q->busy--;
    q->transport->busy--;
    qmgr_entry_free(e);
    if (why == 0)
	why = "delivery failed";
    if (qmgr_feedback_done(&q->fb, outcome, now, var_min_backoff_time)) {
	if (!was_dead)				/* not again for each in flight */
	    msg_warn("%s:%s: destination marked dead for %lds: %s",
		     q->transport->name, q->nexthop, var_min_backoff_time, why);
	if (q->dead_reason)
	    myfree(q->dead_reason);
	q->dead_reason = mystrdup(why);
	qmgr_queue_suspended(buf = vstr_alloc(100), q->dead_reason);
	qmgr_queue_defer_all(q, vstr_str(buf));
	vstr_free(buf);
    }
    qmgr_done_release(m, count);
}

/* qmgr_queue_start - start deliveries for one transport */

static void
qmgr_queue_start(struct qmgr_transport *t, time_t now)
{
    struct qmgr_queue *q, *next;
    struct qmgr_entry *e;
    int     progress = 1;
    int     st;

    while (progress && t->busy < t->limit) {
	progress = 0;
	for (q = t->queues; q && t->busy < t->limit; q = next) {
	    next = q->next;
	    if (q->head == 0) {
		if (q->busy == 0 && !qmgr_feedback_dead(&q->fb, now)
		    && qmgr_feedback_forget(&q->fb, now, var_min_backoff_time))
		    qmgr_queue_free(q);
		continue;
	    }
	    if (qmgr_feedback_dead(&q->fb, now)
		|| !qmgr_feedback_room(&q->fb, q->busy))
		continue;
	    e = q->head;
	    if ((q->head = e->next) == 0)
		q->tail = 0;
	    e->next = 0;
	    if ((st = qmgr_deliver_start(e)) == 0) {
		q->busy++;
		t->busy++;
		progress = 1;
		continue;
	    }
	    if ((e->next = q->head) == 0)	/* put it back */
		q->tail = e;
	    q->head = e;
	    if (st < 0)
		qmgr_queue_unavailable(t, "mail transport unavailable");
	    return;
	}
    }
}

/* qmgr_queue_schedule - start what may start */

void
qmgr_queue_schedule(time_t now)
{
    struct qmgr_transport *t;

    for (t = qmgr_transport_list; t; t = t->next) {
	if (t->dead_until) {
	    if (now < t->dead_until)
		continue;
	    t->dead_until = 0;
	}
	qmgr_queue_start(t, now);
    }
}

/* qmgr_queue_flush - forget dead destinations and transports */

void
qmgr_queue_flush(void)
{
    struct qmgr_transport *t;
    struct qmgr_queue *q;

    for (t = qmgr_transport_list; t; t = t->next) {
	t->dead_until = 0;
	for (q = t->queues; q; q = q->next)
	    qmgr_feedback_init(&q->fb, var_init_dest_concurrency,
			       var_dest_con_limit);
    }
}

/* qmgr_queue_idle - nothing waiting and nothing in flight? */

int
qmgr_queue_idle(void)
{
    struct qmgr_transport *t;
    struct qmgr_queue *q;

    for (t = qmgr_transport_list; t; t = t->next)
	for (q = t->queues; q; q = q->next)
	    if (q->head || q->busy)
		return (0);
    return (1);
}
