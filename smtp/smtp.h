/*
 * smtp.h - the SMTP client delivery agent: shared state and the
 *	functions of each phase (the smtp/ files).
 *
 * SYNOPSIS
 *	#include "smtp.h"
 *
 *	Request, results and log lines (smtp_request.c):
 *	int	smtp_request_read(struct vstream *fp, struct smtp_request *req);
 *	void	smtp_request_free(struct smtp_request *req);
 *	int	smtp_request_reply(struct vstream *fp, struct smtp_request *req);
 *	void	smtp_log_results(struct smtp_request *req);
 *	void	smtp_rcpt_result(struct smtp_rcpt *rp, int status,
 *			const char *dsn, const char *why);
 *	int	smtp_rcpt_pending(struct smtp_request *req);
 *	void	smtp_result_all(struct smtp_request *req, int status,
 *			const char *dsn, const char *why);
 *
 *	Routing (smtp_route.c):
 *	void	smtp_route_init(void);
 *	int	smtp_route_find(const char *nexthop, struct smtp_route *rt,
 *			struct vstr *dsn, struct vstr *why);
 *	void	smtp_route_free(struct smtp_route *rt);
 *	int	smtp_tls_level_parse(const char *name);
 *
 *	Sessions (smtp_session.c):
 *	void	smtp_tls_init(void);
 *	int	smtp_session_open(struct smtp_target *tp, int tls_level,
 *			struct smtp_session **out, struct vstr *dsn,
 *			struct vstr *why);
 *	int	smtp_session_reset(struct smtp_session *sp);
 *	void	smtp_session_close(struct smtp_session *sp, int quit);
 *	int	smtp_command(struct smtp_session *sp, long timeout,
 *			struct vstr *why, const char *fmt, ...);
 *	void	smtp_reply_why(struct vstr *why, struct smtp_session *sp,
 *			const char *cmd);
 *
 *	The transaction (smtp_trans.c):
 *	int	smtp_transaction(struct smtp_session *sp,
 *			struct smtp_request *req);
 *
 * DESCRIPTION
 *	smtp.c is the daemon shell and the one-entry connection cache. A
 *	request's recipients start deferred ("delivery agent failed");
 *	smtp_rcpt_result() gives one its final result for this request,
 *	smtp_result_all() every one still open.
 *
 *	smtp_route_find() turns qmgr's next hop into addresses to try in
 *	order (SMTP_ROUTE_OK) or a reason to defer or bounce them all.
 *
 *	smtp_session_open() connects to one address and does greeting,
 *	EHLO/HELO and STARTTLS per the level: SMTP_SESS_OK with *out set,
 *	SMTP_SESS_DEFER (try the next address) or SMTP_SESS_BOUNCE.
 *	smtp_command() sends one command (fmt NULL: none) and reads the
 *	reply into sp->reply: the code, or -1 with why set (lost
 *	connection, timeout, malformed reply). smtp_session_reset() is RSET
 *	before reuse. smtp_reply_why() formats "host H[A]:P said: ...".
 *
 *	smtp_transaction() delivers one request on an open session and
 *	says whether the session may be reused (SMTP_TRANS_OK).
 *
 * SECURITY
 *	Everything from the server or the DNS is hostile: replies go
 *	through util/smtp_reply.c, answers through util/dns_mx.c; the
 *	queue file is read with the queue-file reader.
 */
#ifndef SMTP_H
#define SMTP_H

#include <sys/types.h>

#include "argv.h"
#include "smtp_reply.h"
#include "tls.h"
#include "vstr.h"
#include "vstream.h"

 /*
  * The request.
  */
struct smtp_rcpt {
    struct vstr *address;
    struct vstr *orcpt;
    int     notify;			/* QUEUE_NOTIFY_* */
    long    offset;
    int     status;			/* MAIL_STAT_* */
    int     final;			/* result known for this request */
    struct vstr *dsn;
    struct vstr *why;
};

struct smtp_request {
    int     flags;
    struct vstr *queue_name;
    struct vstr *queue_id;
    long    arrival;
    long    arrival_usec;
    long    active_ms;
    long    request_ms;
    struct vstr *sender;
    struct vstr *nexthop;
    struct vstr *envid;
    int     dsn_ret;
    long    size;
    int     nrcpt;
    struct smtp_rcpt *rcpt;
    int     msg_flags;			/* QUEUE_FLAG_* of the queue file */
    long long setup_ms;			/* connection setup time (delays c) */
    struct vstr *relay;			/* host[addr]:port, or "none" */
};

extern int smtp_request_read(struct vstream *, struct smtp_request *);
extern void smtp_request_free(struct smtp_request *);
extern int smtp_request_reply(struct vstream *, struct smtp_request *);
extern void smtp_log_results(struct smtp_request *);
extern void smtp_rcpt_result(struct smtp_rcpt *, int, const char *,
			             const char *);
extern int smtp_rcpt_pending(struct smtp_request *);
extern void smtp_result_all(struct smtp_request *, int, const char *,
			            const char *);

 /*
  * Routing.
  */
#define SMTP_TLS_NONE		0
#define SMTP_TLS_MAY		1
#define SMTP_TLS_ENCRYPT	2
#define SMTP_TLS_VERIFY		3

struct smtp_target {
    char   *host;			/* name to log and verify */
    char   *addr;			/* numeric */
    int     port;
};

struct smtp_route {
    char   *key;			/* the next hop, for the cache */
    char   *domain;			/* policy lookup key */
    int     tls_level;
    struct smtp_target *targets;
    size_t  count;
};

#define SMTP_ROUTE_OK		0
#define SMTP_ROUTE_DEFER	1
#define SMTP_ROUTE_BOUNCE	2

#define SMTP_ADDR_MAX		10	/* addresses tried in one attempt */

extern void smtp_route_init(void);
extern int smtp_route_find(const char *, struct smtp_route *, struct vstr *,
			           struct vstr *);
extern void smtp_route_free(struct smtp_route *);
extern int smtp_tls_level_parse(const char *);

 /*
  * The session.
  */
#define SMTP_FEAT_ESMTP		(1<<0)
#define SMTP_FEAT_PIPELINING	(1<<1)
#define SMTP_FEAT_SIZE		(1<<2)
#define SMTP_FEAT_8BITMIME	(1<<3)
#define SMTP_FEAT_SMTPUTF8	(1<<4)
#define SMTP_FEAT_DSN		(1<<5)
#define SMTP_FEAT_STARTTLS	(1<<6)

struct smtp_session {
    struct vstream *fp;
    struct tls_conn *tls;
    char   *key;			/* route key (connection cache) */
    char   *host;
    char   *addr;
    int     port;
    struct vstr *relay;			/* host[addr]:port */
    int     features;
    long    size_limit;			/* SIZE n, 0 if none */
    long long idle_since_ms;
    struct smtp_reply reply;
};

#define SMTP_SESS_OK		0
#define SMTP_SESS_DEFER		1	/* try the next address */
#define SMTP_SESS_BOUNCE	2	/* 5xx greeting or policy */

extern int smtp_session_open(struct smtp_target *, int, struct smtp_session **,
			             struct vstr *, struct vstr *);
extern int smtp_session_reset(struct smtp_session *);
extern void smtp_session_close(struct smtp_session *, int);
extern int smtp_command(struct smtp_session *, long, struct vstr *,
			        const char *,...) PRINTFLIKE(4, 5);
extern void smtp_tls_init(void);

 /*
  * The transaction.
  */
#define SMTP_TRANS_OK		0	/* session may be reused */
#define SMTP_TRANS_BROKEN	1	/* session unusable */

extern int smtp_transaction(struct smtp_session *, struct smtp_request *);
extern void smtp_reply_why(struct vstr *, struct smtp_session *,
			           const char *);

 /*
  * Sandbox.
  */
extern const char *const smtp_syscalls[];

#endif
