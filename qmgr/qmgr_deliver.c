/*
 * qmgr_deliver.c - deliveries in flight: the request/reply of
 * util/deliver_proto.h over queue_directory/private/TRANSPORT, many at
 * once in one process.
 *
 * A delivery connects without blocking and waits (in the trigger
 * server's wait, through qmgr_deliver_watch/_ready) for the agent's
 * announcement, which comes when master has given the connection to an
 * agent process. Then the request goes out, and each time the socket is
 * readable one result list is read, as Postfix's qmgr does: a list is
 * written by the agent in one piece, so reading it with a short
 * deadline (QMGR_DELIVER_LIST_SECS) cannot stall the process for long.
 * A broken connection, a malformed or out-of-order reply, or a
 * delivery past daemon_timeout defers every recipient still without a
 * result ("delivery agent failed") and counts as a failure of the
 * destination. So does a reply whose final list has DEL_ATTR_SITE_FAIL
 * (the agent could not talk to any address of the next hop); its
 * reason for the dead destination is the last recipient deferral.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qmgr.h"
#include "attr.h"
#include "deliver_proto.h"
#include "iostuff.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "unix_sock.h"

#define QMGR_DELIVER_LIST_SECS	10	/* one list, once it started */
#define QMGR_DELIVER_ANNOUNCE	0	/* waiting for the announcement */
#define QMGR_DELIVER_RESULTS	1	/* request sent */

struct qmgr_deliver {
    struct qmgr_entry *entry;
    struct vstream *fp;
    int     state;
    size_t  results;			/* results received */
    struct vstr *defer_why;		/* last deferral reason, or null */
    long long deadline;			/* monotonic ms */
    struct qmgr_deliver *prev;
    struct qmgr_deliver *next;
};

static struct qmgr_deliver *qmgr_deliver_list;
static int qmgr_deliver_n;
static struct qmgr_deliver *qmgr_deliver_watched[MAIL_SERVER_MAX_WATCH];

static const struct attr_limits qmgr_deliver_limits = {
    8192,				/* one value (a reason) */
    32768,				/* one list */
    16,					/* records in a list */
};

/* qmgr_deliver_start - connect to the transport; 0, 1: later, -1 */

int
qmgr_deliver_start(struct qmgr_entry *e)
{
    struct qmgr_deliver *d;
    char    path[128];
    int     fd;

    if (qmgr_deliver_n >= MAIL_SERVER_MAX_WATCH - 1)	/* 1: qmgr.c's timer */
	return (1);
    snprintf(path, sizeof(path), "%s/%s", MAIL_CLASS_PRIVATE,
	     e->queue->transport->name);
    if ((fd = unix_connect_mode(path, NON_BLOCKING, 0)) < 0) {
	if (errno == EAGAIN || errno == EMFILE || errno == ENFILE
	    || errno == ENOBUFS || errno == ENOMEM)
	    return (1);
	msg_warn("connect to transport %s: %m", path);
	return (-1);
    }
    d = mycalloc(1, sizeof(*d));
    d->entry = e;
    d->fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_timeout(d->fp, QMGR_DELIVER_LIST_SECS);
    d->state = QMGR_DELIVER_ANNOUNCE;
    d->deadline = server_now_ms() + (long long) var_daemon_timeout * 1000;
    if ((d->next = qmgr_deliver_list) != 0)
	d->next->prev = d;
    qmgr_deliver_list = d;
    qmgr_deliver_n++;
    return (0);
}

/* qmgr_deliver_finish - the delivery is over (QMGR_DONE_*) */

static void
qmgr_deliver_finish(struct qmgr_deliver *d, int outcome, const char *why)
{
    if (d->prev)
	d->prev->next = d->next;
    else
	qmgr_deliver_list = d->next;
    if (d->next)
	d->next->prev = d->prev;
    qmgr_deliver_n--;
    (void) vstream_close(d->fp);
    qmgr_queue_done(d->entry, outcome, why);
    if (d->defer_why)
	vstr_free(d->defer_why);
    myfree(d);
}

/* qmgr_deliver_fail - defer what has no result, then finish */

static void
qmgr_deliver_fail(struct qmgr_deliver *d, const char *why)
{
    struct qmgr_entry *e = d->entry;
    const char *relay = e->queue->transport->name;
    size_t  i;

    for (i = d->results; i < e->count; i++) {
	qmgr_log_rcpt(e->message, e->rcpt[i], relay, "4.3.0", "deferred", why);
	qmgr_done_rcpt_defer(e->message, e->rcpt[i], "4.3.0", why);
    }
    d->results = e->count;
    qmgr_deliver_finish(d, QMGR_DONE_AGENT, why);
}

/* qmgr_deliver_send - the request header and its recipients */

static int
qmgr_deliver_send(struct qmgr_deliver *d)
{
    struct qmgr_entry *e = d->entry;
    struct qmgr_message *m = e->message;
    struct queue_rcpt *r;
    size_t  i;

    if (attr_print(d->fp, ATTR_FLAG_NONE,
		   SEND_ATTR_INT(MAIL_ATTR_FLAGS, *m->env.sender ?
				 DEL_REQ_FLAG_NONE : DEL_REQ_FLAG_BOUNCE),
		   SEND_ATTR_STR(MAIL_ATTR_QUEUE, MAIL_QUEUE_ACTIVE),
		   SEND_ATTR_STR(MAIL_ATTR_QUEUEID, m->queue_id),
		   SEND_ATTR_LONG(MAIL_ATTR_TIME, (long) m->env.arrival.tv_sec),
		   SEND_ATTR_LONG(DEL_ATTR_ARRIVAL_USEC, (long) m->env.arrival.tv_usec),
		   SEND_ATTR_LONG(DEL_ATTR_ACTIVE_TIME, (long) m->active_ms),
		   SEND_ATTR_LONG(DEL_ATTR_REQUEST_TIME, (long) qmgr_active_now_ms()),
		   SEND_ATTR_STR(MAIL_ATTR_SENDER, m->env.sender),
		   SEND_ATTR_STR(MAIL_ATTR_NEXTHOP, e->queue->nexthop),
		   SEND_ATTR_STR(MAIL_ATTR_DSN_ENVID, m->env.dsn_envid ?
				 m->env.dsn_envid : ""),
		   SEND_ATTR_INT(MAIL_ATTR_DSN_RET, m->env.dsn_ret),
		   SEND_ATTR_LONG(MAIL_ATTR_SIZE, (long) m->env.size),
		   SEND_ATTR_INT(MAIL_ATTR_NRCPT, (int) e->count),
		   ATTR_TYPE_END) < 0)
	return (-1);
    for (i = 0; i < e->count; i++) {
	r = m->env.rcpt + e->rcpt[i];
	if (attr_print(d->fp, ATTR_FLAG_NONE,
		       SEND_ATTR_STR(MAIL_ATTR_RECIP, r->address),
		       SEND_ATTR_STR(MAIL_ATTR_ORCPT, r->orcpt ? r->orcpt : ""),
		       SEND_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, r->notify),
		       SEND_ATTR_LONG(MAIL_ATTR_OFFSET, (long) r->offset),
		       ATTR_TYPE_END) < 0)
	    return (-1);
    }
    return (vstream_flush(d->fp) == 0 ? 0 : -1);
}

/* qmgr_deliver_digits - 1 to 3 digits at *cp, then stop; 0: bad */

static int
qmgr_deliver_digits(const char **cp, int stop)
{
    int     n = 0;

    while (**cp >= '0' && **cp <= '9' && n < 4) {
	(*cp)++;
	n++;
    }
    if (n < 1 || n > 3 || **cp != stop)
	return (0);
    if (stop)
	(*cp)++;
    return (1);
}

/* qmgr_deliver_dsn_ok - "X.Y.Z" whose class fits the status */

static int
qmgr_deliver_dsn_ok(const char *dsn, int status)
{
    int     cls = status == MAIL_STAT_OK ? '2' : status == MAIL_STAT_DEFER ? '4' : '5';
    const char *cp = dsn + 2;

    if (dsn[0] != cls || dsn[1] != '.')
	return (0);
    return (qmgr_deliver_digits(&cp, '.') && qmgr_deliver_digits(&cp, 0));
}

/* qmgr_deliver_result - one per-recipient result; -1: bad reply */

static int
qmgr_deliver_result(struct qmgr_deliver *d)
{
    struct qmgr_entry *e = d->entry;
    size_t  idx = e->rcpt[d->results];
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *relay = vstr_alloc(20);
    struct vstr *why = vstr_alloc(100);
    long    offset;
    int     status;
    int     ret = -1;

    if (attr_scan_lim(d->fp, ATTR_FLAG_STRICT, &qmgr_deliver_limits,
		      RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &offset),
		      RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
		      RECV_ATTR_STR(MAIL_ATTR_DSN_STATUS, dsn),
		      RECV_ATTR_STR(MAIL_ATTR_RELAY, relay),
		      RECV_ATTR_STR(MAIL_ATTR_WHY, why),
		      ATTR_TYPE_END) == 5
	&& offset == (long) e->message->env.rcpt[idx].offset
	&& (status == MAIL_STAT_OK || status == MAIL_STAT_DEFER
	    || status == MAIL_STAT_BOUNCE)) {
	if (!qmgr_deliver_dsn_ok(vstr_str(dsn), status))
	    vstr_strcpy(dsn, status == MAIL_STAT_OK ? "2.0.0" :
			status == MAIL_STAT_DEFER ? "4.0.0" : "5.0.0");
	d->results++;
	if (status == MAIL_STAT_DEFER)
	    vstr_strcpy(d->defer_why ? d->defer_why :
			(d->defer_why = vstr_alloc(100)), vstr_str(why));
	qmgr_done_result(e->message, idx, status, vstr_str(dsn),
			 vstr_str(relay), vstr_str(why));
	ret = 0;
    }
    vstr_free(dsn);
    vstr_free(relay);
    vstr_free(why);
    return (ret);
}

/* qmgr_deliver_final - the final list: QMGR_DONE_* */

static int
qmgr_deliver_final(struct qmgr_deliver *d)
{
    int     status = MAIL_STAT_ERROR;
    int     site_fail = 0;

    /*
     * DEL_ATTR_SITE_FAIL is optional (older agents, the test agent);
     * the status is not, and stays MAIL_STAT_ERROR when absent.
     */
    if (attr_scan_lim(d->fp, ATTR_FLAG_ALLOW_MISSING, &qmgr_deliver_limits,
		      RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
		      RECV_ATTR_INT(DEL_ATTR_SITE_FAIL, &site_fail),
		      ATTR_TYPE_END) < 1 || status != MAIL_STAT_OK)
	return (QMGR_DONE_AGENT);
    return (site_fail ? QMGR_DONE_SITE : QMGR_DONE_OK);
}

/* qmgr_deliver_event - the agent's socket is readable */

static void
qmgr_deliver_event(struct qmgr_deliver *d)
{
    int     outcome;

    if (d->state == QMGR_DELIVER_ANNOUNCE) {
	if (attr_scan_protocol(d->fp, MAIL_PROTO_DELIVER) < 0
	    || qmgr_deliver_send(d) < 0) {
	    qmgr_deliver_fail(d, "delivery agent failed");
	    return;
	}
	d->state = QMGR_DELIVER_RESULTS;
	if (vstream_pending(d->fp) == 0)
	    return;
    }
    do {
	if (d->results < d->entry->count) {
	    if (qmgr_deliver_result(d) < 0) {
		qmgr_deliver_fail(d, "delivery agent failed");
		return;
	    }
	    continue;
	}
	outcome = qmgr_deliver_final(d);
	qmgr_deliver_finish(d, outcome, outcome == QMGR_DONE_SITE
			    && d->defer_why ? vstr_str(d->defer_why) :
			    outcome == QMGR_DONE_SITE ? "destination unreachable"
			    : "delivery agent failed");
	return;
    } while (vstream_pending(d->fp) > 0 || d->results == d->entry->count);
}

/* qmgr_deliver_watch - the sockets to wait for (skeleton hook) */

int
qmgr_deliver_watch(struct pollfd *fds, int max)
{
    struct qmgr_deliver *d;
    int     n = 0;

    for (d = qmgr_deliver_list; d && n < max; d = d->next) {
	fds[n].fd = vstream_fd(d->fp);
	fds[n].events = POLLIN;
	qmgr_deliver_watched[n++] = d;
    }
    return (n);
}

/* qmgr_deliver_ready - their events (skeleton hook) */

void
qmgr_deliver_ready(const struct pollfd *fds, int n)
{
    int     i;

    /*
     * Handling one delivery finishes at most that delivery; none is
     * started here, so the other pointers stay valid.
     */
    for (i = 0; i < n; i++)
	if (fds[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
	    qmgr_deliver_event(qmgr_deliver_watched[i]);
}

/* qmgr_deliver_expire - fail overdue deliveries; seconds to the next */

int
qmgr_deliver_expire(void)
{
    struct qmgr_deliver *d, *next;
    long long now = server_now_ms();
    long long left = -1;

    for (d = qmgr_deliver_list; d; d = next) {
	next = d->next;
	if (d->deadline <= now)
	    qmgr_deliver_fail(d, "delivery agent timed out");
	else if (left < 0 || d->deadline - now < left)
	    left = d->deadline - now;
    }
    return (left < 0 ? -1 : (int) ((left + 999) / 1000 > 3600 ? 3600 : (left + 999) / 1000));
}

/* qmgr_deliver_count - deliveries in flight */

int
qmgr_deliver_count(void)
{
    return (qmgr_deliver_n);
}
