/*
 * qmgr.h - the queue manager's shared state and the functions of its
 *	phase files.
 *
 * SYNOPSIS
 *	#include "qmgr.h"
 *
 *	Routing (qmgr_route.c):
 *	int	qmgr_route_init(struct vstr *why);
 *	void	qmgr_route_free(void);
 *	int	qmgr_route(const char *addr, struct vstr *transport,
 *			struct vstr *nexthop, struct vstr *why);
 *
 *	Feedback and backoff (qmgr_feedback.c):
 *	void	qmgr_feedback_init(struct qmgr_feedback *fb, int initial,
 *			int limit);
 *	void	qmgr_feedback_success(struct qmgr_feedback *fb);
 *	int	qmgr_feedback_failure(struct qmgr_feedback *fb, time_t now,
 *			long dead_secs);
 *	int	qmgr_feedback_done(struct qmgr_feedback *fb, int outcome,
 *			time_t now, long dead_secs);
 *	int	qmgr_feedback_dead(struct qmgr_feedback *fb, time_t now);
 *	int	qmgr_feedback_forget(const struct qmgr_feedback *fb,
 *			time_t now, long keep_secs);
 *	int	qmgr_feedback_room(const struct qmgr_feedback *fb, int busy);
 *	long	qmgr_backoff(long age, long min_backoff, long max_backoff);
 *	int	qmgr_expired(const struct queue_env *env, time_t now);
 *
 *	Transports, destinations, entries (qmgr_queue.c):
 *	struct qmgr_queue *qmgr_queue_find(const char *transport,
 *			const char *nexthop);
 *	void	qmgr_queue_add(struct qmgr_queue *q, struct qmgr_entry *e);
 *	void	qmgr_queue_schedule(time_t now);
 *	void	qmgr_queue_done(struct qmgr_entry *e, int outcome,
 *			const char *why);
 *	void	qmgr_queue_unavailable(struct qmgr_transport *t,
 *			const char *why);
 *	void	qmgr_queue_flush(void);
 *	int	qmgr_queue_idle(void);
 *
 *	Messages (qmgr_message.c):
 *	struct qmgr_message *qmgr_message_read(const char *queue_id,
 *			int *corrupt, struct vstr *why);
 *	int	qmgr_message_route(struct qmgr_message *m);
 *	void	qmgr_message_free(struct qmgr_message *m);
 *	void	qmgr_entry_free(struct qmgr_entry *e);
 *
 *	Queue directories (qmgr_scan.c, qmgr_active.c):
 *	void	qmgr_scan_init(struct qmgr_scan *s, const char *queue);
 *	void	qmgr_scan_request(struct qmgr_scan *s, int flush);
 *	int	qmgr_scan_next(struct qmgr_scan *s, time_t now,
 *			struct vstr *id);
 *	void	qmgr_active_requeue(void);
 *	int	qmgr_active_load(const char *queue, const char *queue_id);
 *	int	qmgr_active_move(const char *from, const char *to,
 *			const char *queue_id);
 *	int	qmgr_active_retry(const char *queue_id, time_t when);
 *	int	qmgr_active_full(void);
 *	long long qmgr_active_now_ms(void);	(wall clock, epoch ms)
 *
 *	Deliveries (qmgr_deliver.c):
 *	int	qmgr_deliver_start(struct qmgr_entry *e);
 *	int	qmgr_deliver_watch(struct pollfd *fds, int max);
 *	void	qmgr_deliver_ready(const struct pollfd *fds, int n);
 *	int	qmgr_deliver_expire(void);
 *	int	qmgr_deliver_count(void);
 *
 *	Results and the end of an attempt (qmgr_done.c, qmgr_defer.c,
 *	qmgr_bounce.c):
 *	void	qmgr_done_result(struct qmgr_message *m, size_t idx,
 *			int status, const char *dsn, const char *relay,
 *			const char *why);
 *	void	qmgr_done_rcpt_defer(struct qmgr_message *m, size_t idx,
 *			const char *dsn, const char *why);
 *	void	qmgr_done_state(struct qmgr_message *m, size_t idx,
 *			int state);
 *	void	qmgr_done_release(struct qmgr_message *m, size_t count);
 *	void	qmgr_done_message(struct qmgr_message *m);
 *	int	qmgr_defer_log_write(const struct qmgr_message *m,
 *			time_t now, struct vstr *why);
 *	int	qmgr_defer_message(struct qmgr_message *m, time_t now);
 *	int	qmgr_bounce_log_append(const struct qmgr_message *m,
 *			size_t idx, const char *dsn, const char *relay,
 *			const char *why);
 *	void	qmgr_bounce_expired(struct qmgr_message *m, time_t now);
 *	int	qmgr_bounce_flush(struct qmgr_message *m);
 *	int	qmgr_bounce_delay(struct qmgr_message *m);
 *	void	qmgr_log_rcpt(const struct qmgr_message *m, size_t idx,
 *			const char *relay, const char *dsn,
 *			const char *status, const char *why);
 *
 * DESCRIPTION
 *	qmgr is one process (a trigger server) that keeps at most
 *	qmgr_message_active_limit messages in memory. A message read from
 *	active/ becomes a struct qmgr_message; its undelivered recipients
 *	are routed to destinations (struct qmgr_queue: one per transport
 *	and next hop) in groups (struct qmgr_entry, at most
 *	default_destination_recipient_limit recipients). The scheduler
 *	starts deliveries while a destination's window (slow start) and
 *	its transport's process limit allow. Each result is final the
 *	moment it arrives: a delivered recipient is marked done in the
 *	queue file, a bounced one is logged in bounce/ and then marked
 *	done. When a message has no recipient in flight any more, the
 *	attempt ends (qmgr_done_message): a bounce notice for the failed
 *	recipients, then removal, or a move to deferred/ with the retry
 *	time as the file's mtime. docs/qmgr.md has the whole story.
 *
 *	qmgr_queue_done() ends a delivery with its outcome: QMGR_DONE_OK
 *	(the agent handled the request, whatever the recipients' results),
 *	QMGR_DONE_SITE (handled, but the agent said the site was
 *	unreachable: DEL_ATTR_SITE_FAIL) or QMGR_DONE_AGENT (the agent
 *	failed). qmgr_feedback_done() is the rule: anything but
 *	QMGR_DONE_OK is a failure of the destination.
 *
 * DIAGNOSTICS
 *	qmgr_route() returns -1 with a reason (table error, bad
 *	transport_maps value): the recipient is deferred, never bounced.
 *	qmgr_message_read() returns NULL with *corrupt 1 (the file is
 *	refused by the reader: moved to corrupt/), 0 (it vanished) or -1
 *	(cannot open it now: retried later). qmgr_deliver_start() returns
 *	0 (connecting), 1 (no descriptor or backlog now: try later) or -1
 *	(the transport's socket is not there). qmgr_bounce_flush() returns
 *	-1 when the notice could not be submitted (the message is kept).
 *	Problems with the queue are logged with msg_warn() and the message
 *	is kept for a later attempt; a broken invariant is msg_panic().
 *
 * SECURITY
 *	Queue files, delivery agent replies and directory names are
 *	hostile input: IDs are checked with mail_queue_id_ok() before they
 *	become paths, files are read with the queue-file reader, replies
 *	with attribute limits and a deadline.
 */
#ifndef QMGR_H
#define QMGR_H

#include <dirent.h>
#include <poll.h>
#include <stddef.h>
#include <time.h>

#include "queue_file.h"
#include "vstr.h"

 /*
  * Recipient states within one attempt.
  */
#define QMGR_RCPT_DONE		0	/* marked done in the file */
#define QMGR_RCPT_QUEUED	1	/* waiting or in flight */
#define QMGR_RCPT_DEFER		2	/* deferred in this attempt */

#define QMGR_DEAD_FAILURES	3	/* failures in a row: dead */
#define QMGR_SCAN_BATCH		100	/* directory entries per loop */

 /*
  * How a delivery ended, for the destination's feedback.
  */
#define QMGR_DONE_OK		0	/* the agent handled the request */
#define QMGR_DONE_SITE		1	/* handled: the site was unreachable */
#define QMGR_DONE_AGENT		2	/* the agent failed (transport level) */

struct qmgr_rcpt_state {
    int     state;			/* QMGR_RCPT_* */
    char   *dsn;			/* deferred: X.Y.Z */
    char   *why;			/* deferred: reason */
};

struct qmgr_message {
    char   *queue_id;
    struct queue_env env;
    struct qmgr_rcpt_state *rstate;	/* parallel to env.rcpt */
    long long active_ms;		/* epoch ms, into active/ */
    size_t  pending;			/* recipients queued or in flight */
    size_t  queued;			/* in state QMGR_RCPT_QUEUED */
    size_t  unsynced;			/* 1 + recipient marked, no fsync */
    size_t  deferred;			/* deferred in this attempt */
    size_t  failed;			/* bounced in this attempt */
    int     loading;			/* being routed: no end yet */
    struct qmgr_message *prev;
    struct qmgr_message *next;
};

struct qmgr_feedback {
    double  window;			/* deliveries allowed in flight */
    int     limit;			/* window maximum */
    int     failures;			/* in a row */
    time_t  failed_at;			/* the last failure */
    time_t  dead_until;			/* 0: alive */
};

struct qmgr_entry {
    struct qmgr_message *message;
    struct qmgr_queue *queue;
    size_t *rcpt;			/* indexes into message->env.rcpt */
    size_t  count;
    struct qmgr_entry *next;		/* in the queue's FIFO */
};

struct qmgr_queue {
    char   *nexthop;
    struct qmgr_transport *transport;
    struct qmgr_feedback fb;
    char   *dead_reason;
    int     busy;			/* deliveries in flight */
    struct qmgr_entry *head;
    struct qmgr_entry *tail;
    struct qmgr_queue *next;		/* in the transport's list */
};

struct qmgr_transport {
    char   *name;
    int     busy;			/* deliveries in flight */
    int     limit;			/* default_process_limit */
    time_t  dead_until;			/* unavailable until */
    char   *dead_reason;
    struct qmgr_queue *queues;
    struct qmgr_transport *next;
};

struct qmgr_scan {
    const char *queue;			/* incoming, deferred, active */
    int     busy;			/* a walk is in progress */
    int     again;			/* asked again during the walk */
    int     flush;			/* deferred: everything is due */
    int     next_flush;			/* flush asked during the walk */
    int     subdir;			/* next hash subdirectory */
    DIR    *dir;
};

 /*
  * Messages in memory and their recipients (qmgr_message.c).
  */
extern struct qmgr_message *qmgr_message_list;
extern int qmgr_message_count;
extern size_t qmgr_rcpt_count;

 /*
  * qmgr_route.c
  */
extern int qmgr_route_init(struct vstr *);
extern void qmgr_route_free(void);
extern int qmgr_route(const char *, struct vstr *, struct vstr *, struct vstr *);

 /*
  * qmgr_feedback.c
  */
extern void qmgr_feedback_init(struct qmgr_feedback *, int, int);
extern void qmgr_feedback_success(struct qmgr_feedback *);
extern int qmgr_feedback_failure(struct qmgr_feedback *, time_t, long);
extern int qmgr_feedback_done(struct qmgr_feedback *, int, time_t, long);
extern int qmgr_feedback_dead(struct qmgr_feedback *, time_t);
extern int qmgr_feedback_forget(const struct qmgr_feedback *, time_t, long);
extern int qmgr_feedback_room(const struct qmgr_feedback *, int);
extern long qmgr_backoff(long, long, long);
extern int qmgr_expired(const struct queue_env *, time_t);

 /*
  * qmgr_queue.c
  */
extern struct qmgr_queue *qmgr_queue_find(const char *, const char *);
extern void qmgr_queue_add(struct qmgr_queue *, struct qmgr_entry *);
extern void qmgr_queue_schedule(time_t);
extern void qmgr_queue_done(struct qmgr_entry *, int, const char *);
extern void qmgr_queue_unavailable(struct qmgr_transport *, const char *);
extern void qmgr_queue_flush(void);
extern int qmgr_queue_idle(void);

 /*
  * qmgr_message.c
  */
extern struct qmgr_message *qmgr_message_read(const char *, int *, struct vstr *);
extern int qmgr_message_route(struct qmgr_message *);
extern void qmgr_message_free(struct qmgr_message *);
extern void qmgr_entry_free(struct qmgr_entry *);

 /*
  * qmgr_scan.c, qmgr_active.c
  */
extern void qmgr_scan_init(struct qmgr_scan *, const char *);
extern void qmgr_scan_request(struct qmgr_scan *, int);
extern int qmgr_scan_next(struct qmgr_scan *, time_t, struct vstr *);
extern void qmgr_active_requeue(void);
extern int qmgr_active_load(const char *, const char *);
extern int qmgr_active_move(const char *, const char *, const char *);
extern int qmgr_active_retry(const char *, time_t);
extern int qmgr_active_full(void);
extern long long qmgr_active_now_ms(void);

 /*
  * qmgr_deliver.c
  */
extern int qmgr_deliver_start(struct qmgr_entry *);
extern int qmgr_deliver_watch(struct pollfd *, int);
extern void qmgr_deliver_ready(const struct pollfd *, int);
extern int qmgr_deliver_expire(void);
extern int qmgr_deliver_count(void);

 /*
  * qmgr_done.c, qmgr_defer.c, qmgr_bounce.c
  */
extern void qmgr_done_result(struct qmgr_message *, size_t, int,
			             const char *, const char *, const char *);
extern void qmgr_done_rcpt_defer(struct qmgr_message *, size_t,
				         const char *, const char *);
extern void qmgr_done_state(struct qmgr_message *, size_t, int);
extern void qmgr_done_release(struct qmgr_message *, size_t);
extern void qmgr_done_message(struct qmgr_message *);
extern int qmgr_defer_log_write(const struct qmgr_message *, time_t,
				        struct vstr *);
extern int qmgr_defer_message(struct qmgr_message *, time_t);
extern int qmgr_bounce_log_append(const struct qmgr_message *, size_t,
				          const char *, const char *, const char *);
extern void qmgr_bounce_expired(struct qmgr_message *, time_t);
extern int qmgr_bounce_flush(struct qmgr_message *);
extern int qmgr_bounce_delay(struct qmgr_message *);
extern void qmgr_log_rcpt(const struct qmgr_message *, size_t, const char *,
			          const char *, const char *, const char *);

 /*
  * qmgr_sandbox.c
  */
extern const char *const qmgr_syscalls[];

#endif
