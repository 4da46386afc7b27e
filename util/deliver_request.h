/*
 * deliver_request.h - a delivery agent's side of util/deliver_proto.h:
 *	read and check qmgr's request, write the per-recipient results,
 *	log one line per recipient.
 *
 * SYNOPSIS
 *	#include "deliver_request.h"
 *
 *	int	deliver_request_read(struct vstream *fp,
 *			struct deliver_request *req, const char *relay);
 *	void	deliver_request_free(struct deliver_request *req);
 *	void	deliver_rcpt_result(struct deliver_rcpt *rp, int status,
 *			const char *dsn, const char *why);
 *	int	deliver_request_reply(struct vstream *fp,
 *			const struct deliver_request *req,
 *			const char *extra_name, int extra_value);
 *	void	deliver_request_log(const struct deliver_request *req);
 *	void	deliver_format_delays(struct vstr *out,
 *			const struct deliver_request *req, long long now_ms);
 *
 * DESCRIPTION
 *	deliver_request_read() reads the request header and the NRCPT
 *	recipient lists (deliver_proto.h steps 2 and 3). Every recipient
 *	starts deferred, 4.3.0 "delivery agent failed", not final; relay
 *	(what each result and log line names: "local", or smtp's "none"
 *	until it has a server) is copied into req->relay. The request is
 *	set up even when reading fails: deliver_request_free() must follow
 *	every deliver_request_read().
 *
 *	deliver_rcpt_result() gives one recipient its result for this
 *	request (final = 1).
 *
 *	deliver_request_reply() writes step 4: one result list per
 *	recipient in the order received, then the final list
 *	{ MAIL_ATTR_STATUS = MAIL_STAT_OK }, with one more int attribute
 *	extra_name = extra_value when extra_name is not NULL (an optional
 *	attribute of deliver_proto.h's final list), and flushes.
 *
 *	deliver_request_log() logs the SPEC section 9 line of every
 *	recipient; deliver_format_delays() formats its "delay=D,
 *	delays=a/b/c/d" part (c = req->setup_ms, 0 for local).
 *
 * DIAGNOSTICS
 *	deliver_request_read() and deliver_request_reply() return 0, or -1
 *	on a malformed request or an I/O error (read: a warning says what
 *	was wrong with the content).
 *
 * SECURITY
 *	The request comes from another process and is checked as hostile:
 *	every list is read with ATTR_FLAG_STRICT and the limits in
 *	deliver_request.c (value, list, record count), the queue name and
 *	ID before they can become a path, the recipient count against
 *	DEL_REQ_RCPT_MAX before anything is allocated, and no recipient
 *	address may be empty.
 */
#ifndef DELIVER_REQUEST_H
#define DELIVER_REQUEST_H

#include "vstr.h"
#include "vstream.h"

struct deliver_rcpt {
    struct vstr *address;		/* where to deliver */
    struct vstr *orcpt;			/* original recipient, "" if none */
    int     notify;			/* QUEUE_NOTIFY_* */
    long    offset;			/* its record in the queue file */
    int     status;			/* MAIL_STAT_*: the result */
    int     final;			/* result known for this request */
    struct vstr *dsn;			/* "2.0.0" */
    struct vstr *why;			/* reason text */
};

struct deliver_request {
    int     flags;			/* DEL_REQ_FLAG_* */
    struct vstr *queue_name;		/* checked: mail_queue_name_ok() */
    struct vstr *queue_id;		/* checked: mail_queue_id_ok() */
    long    arrival;			/* epoch seconds */
    long    arrival_usec;		/* 0..999999 */
    long    active_ms;			/* qmgr took it into active/ */
    long    request_ms;			/* qmgr sent this request */
    struct vstr *sender;		/* "" = null sender */
    struct vstr *nexthop;
    struct vstr *envid;			/* "" when none */
    int     dsn_ret;
    long    size;
    int     nrcpt;			/* 1..DEL_REQ_RCPT_MAX */
    struct deliver_rcpt *rcpt;
    struct vstr *relay;			/* MAIL_ATTR_RELAY of the results */
    long long setup_ms;			/* connection setup (delays c) */
    int     msg_flags;			/* QUEUE_FLAG_*, if the agent reads
					 * them (smtp) */
};

extern int deliver_request_read(struct vstream *, struct deliver_request *,
				        const char *);
extern void deliver_request_free(struct deliver_request *);
extern void deliver_rcpt_result(struct deliver_rcpt *, int, const char *,
				        const char *);
extern int deliver_request_reply(struct vstream *,
				         const struct deliver_request *,
				         const char *, int);
extern void deliver_request_log(const struct deliver_request *);
extern void deliver_format_delays(struct vstr *,
				          const struct deliver_request *,
				          long long);

#endif
