/*
 * smtp.h - the SMTP client delivery agent: shared state and the
 *	functions of each phase (the smtp/ files).
 *
 * SYNOPSIS
 *	#include "smtp.h"
 *
 *	Request, results and log lines (deliver_request.c, on top of
 *	util/deliver_request.c):
 *	int	smtp_request_read(struct vstream *fp, struct deliver_request *req);
 *	void	deliver_request_free(struct deliver_request *req);
 *	int	smtp_request_reply(struct vstream *fp, struct deliver_request *req,
 *			int site_fail);
 *	void	deliver_request_log(struct deliver_request *req);
 *	void	deliver_rcpt_result(struct deliver_rcpt *rp, int status,
 *			const char *dsn, const char *why);
 *	int	smtp_rcpt_pending(struct deliver_request *req);
 *	void	smtp_result_all(struct deliver_request *req, int status,
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
 *	int	smtp_timeout(long secs);
 *
 *	Mail loops (smtp_loop.c):
 *	int	smtp_loop_name_eq(const char *name, const char *myname);
 *	int	smtp_loop_mx(struct dns_mx_list *mx, const char *myname);
 *	void	smtp_loop_greeting(struct smtp_session *sp);
 *	int	smtp_loop_ehlo(struct smtp_session *sp, struct vstr *dsn,
 *			struct vstr *why);
 *
 *	The transaction (smtp_trans.c):
 *	int	smtp_transaction(struct smtp_session *sp,
 *			struct deliver_request *req, struct queue_reader *r);
 *
 * DESCRIPTION
 *	smtp.c is the daemon shell and the one-entry connection cache. A
 *	request's recipients start deferred ("delivery agent failed");
 *	deliver_rcpt_result() gives one its final result for this request,
 *	smtp_result_all() every one still open. smtp_request_reply() sends
 *	the results and the final list with DEL_ATTR_SITE_FAIL = site_fail
 *	!= 0 (util/deliver_proto.h).
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
 *	smtp_timeout() clamps a time parameter to a stream deadline.
 *
 *	Loops (like Postfix, only for targets with SMTP_TARGET_LOOP_CHECK:
 *	the port is smtp_mx_port): smtp_loop_mx() drops every MX host
 *	whose preference is >= that of an MX host named myname.
 *	smtp_loop_greeting() warns when the 220 greeting names
 *	myhostname; smtp_loop_ehlo() fails the session when the EHLO
 *	reply does (5.4.6 for a best MX, else 4.4.6).
 *
 *	smtp_transaction() delivers one request on an open session (the
 *	content from r, the queue file smtp.c opened once per request and
 *	read up to its content, which also gave req->msg_flags) and
 *	says whether the session may be reused (SMTP_TRANS_OK), must be
 *	closed (SMTP_TRANS_BROKEN), or was left inside DATA and must be
 *	dropped without QUIT (SMTP_TRANS_ABORT).
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
#include "deliver_request.h"
#include "smtp_reply.h"
#include "tls.h"
#include "vstr.h"
#include "vstream.h"

 /*
  * The request and its recipients are util/deliver_request.h's.
  */
extern int smtp_request_read(struct vstream *, struct deliver_request *);
extern int smtp_request_reply(struct vstream *, struct deliver_request *, int);
extern int smtp_rcpt_pending(struct deliver_request *);
extern void smtp_result_all(struct deliver_request *, int, const char *,
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
    int     flags;			/* SMTP_TARGET_* */
    const char *dest;			/* the route's next hop (not owned) */
};

#define SMTP_TARGET_LOOP_CHECK	(1<<0)	/* port is smtp_mx_port: loops */
#define SMTP_TARGET_BEST_MX	(1<<1)	/* a most preferred MX, or no MX */

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
    const struct smtp_target *target;	/* during smtp_session_open only */
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
extern int smtp_timeout(long);

 /*
  * The transaction.
  */
#define SMTP_TRANS_OK		0	/* session may be reused */
#define SMTP_TRANS_BROKEN	1	/* session unusable */
#define SMTP_TRANS_ABORT	2	/* unusable, inside DATA: no QUIT */

struct queue_reader;

extern int smtp_transaction(struct smtp_session *, struct deliver_request *,
			            struct queue_reader *);
extern void smtp_reply_why(struct vstr *, struct smtp_session *,
			           const char *);

 /*
  * Mail loops (smtp_loop.c).
  */
#define SMTP_LOOP_NONE		0	/* myself is not an MX host */
#define SMTP_LOOP_TRIMMED	1	/* MX hosts >= my preference dropped */
#define SMTP_LOOP_BEST		2	/* I am the best MX: nothing left */

struct dns_mx_list;

extern int smtp_loop_name_eq(const char *, const char *);
extern int smtp_loop_mx(struct dns_mx_list *, const char *);
extern void smtp_loop_greeting(struct smtp_session *);
extern int smtp_loop_ehlo(struct smtp_session *, struct vstr *,
			          struct vstr *);

 /*
  * Sandbox.
  */
extern const char *const smtp_syscalls[];

#endif
