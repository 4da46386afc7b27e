/*
 * smtpd.h - the SMTP server's per-session state, shared by every smtpd
 *	phase file (protocol, chat, data, cleanup, checks, TLS, SASL).
 *
 * SYNOPSIS
 *	#include "smtpd.h"
 *
 *	State (smtpd_state.c):
 *	struct smtpd_state *smtpd_state_alloc(struct vstream *client,
 *			const char *addr, int port);
 *	void	smtpd_state_free(struct smtpd_state *state);
 *	void	smtpd_state_reset_transaction(struct smtpd_state *state);
 *	void	smtpd_state_reset_session(struct smtpd_state *state);
 *	void	smtpd_state_add_rcpt(struct smtpd_state *state,
 *			const char *addr, const char *orcpt, int notify);
 *	void	smtpd_state_set_protocol(struct smtpd_state *state);
 *
 *	Replies (smtpd_chat.c):
 *	void	smtpd_chat_reply(struct smtpd_state *state,
 *			const char *fmt, ...);
 *	int	smtpd_chat_flush(struct smtpd_state *state);
 *	int	smtpd_chat_input_pending(struct smtpd_state *state);
 *	void	smtpd_chat_timeout(struct smtpd_state *state);
 *	void	smtpd_chat_reject_log(struct smtpd_state *state,
 *			const char *verb, const char *reply,
 *			const char *rcpt);
 *
 *	The session (smtpd_proto.c) and the command handlers of the
 *	other phase files (each returns 0, or -1 when the command was an
 *	error, after its reply):
 *	void	smtpd_proto_session(struct smtpd_state *state);
 *	int	smtpd_mail_cmd(struct smtpd_state *state, const char *args);
 *	int	smtpd_rcpt_cmd(struct smtpd_state *state, const char *args);
 *	int	smtpd_data_cmd(struct smtpd_state *state, const char *args);
 *	int	smtpd_bdat_cmd(struct smtpd_state *state, const char *args);
 *
 * DESCRIPTION
 *	One struct smtpd_state lives for one client connection. Strings
 *	are owned by the state (freed by smtpd_state_free and the reset
 *	functions) unless marked otherwise.
 *
 *	sender is NULL before MAIL FROM, "" for the null sender. The
 *	recipients accepted so far are rcpts->argv[0..rcpt_count-1]; the
 *	parallel arrays rcpt_orcpt (DSN ORCPT, "" when absent) and
 *	rcpt_notify (QUEUE_NOTIFY_* mask, 0 when absent) hold their DSN
 *	parameters. smtpd_state_add_rcpt() appends one.
 *
 *	smtpd_state_reset_transaction() forgets sender, recipients and the
 *	MAIL parameters (RSET, end of DATA, HELO/EHLO).
 *	smtpd_state_reset_session() also forgets HELO/EHLO and the SASL
 *	login (after STARTTLS, RFC 3207 section 4.2). Neither touches the
 *	TLS fields. smtpd_state_set_protocol() sets protocol from esmtp,
 *	tls_active and sasl_username ("SMTP", "ESMTP", "ESMTPS", "ESMTPA",
 *	"ESMTPSA").
 *
 *	smtpd_chat_reply() formats one reply (a complete line without
 *	CRLF; a multi-line reply is one call per line, "250-..." then
 *	"250 ...") into the client's output buffer. With PIPELINING the
 *	buffer is only flushed by smtpd_chat_flush(), which the command
 *	loop calls when no more client input is pending
 *	(smtpd_chat_input_pending() is false) or before it blocks for
 *	input; code that must wait for the client (STARTTLS, AUTH
 *	continuation, DATA 354) flushes itself. error_count is incremented
 *	by the code that decides a command was an error (a handler that
 *	returns -1 to the command loop, smtpd_sasl.c for a failed login),
 *	not by smtpd_chat_reply(); but before a 4xx or 5xx reply (except
 *	421) smtpd_chat_reply() sleeps smtpd_error_sleep_time when
 *	error_count >= smtpd_soft_error_limit (tarpit). The command loop
 *	ends the session with 421 4.7.0 at smtpd_hard_error_limit.
 *	smtpd_chat_reject_log() writes the
 *	SPEC section 9 line "NOQUEUE: reject: VERB from name[addr]: reply;
 *	from=<> to=<> proto=P helo=<h>".
 *
 *	smtpd_chat_input_pending() is true when bytes are buffered in the
 *	stream or readable on the socket now (poll with zero timeout).
 *
 *	smtpd_chat_timeout() sends "421 4.4.2 MYHOSTNAME Error: timeout
 *	exceeded" after a read deadline passed, bypassing the (now failed)
 *	stream; without TLS only (a raw write would corrupt a TLS session).
 *
 * DIAGNOSTICS
 *	smtpd_chat_flush() returns 0, or -1 when the client is gone or the
 *	write deadline passed (the caller ends the session).
 *
 * SECURITY
 *	Every string here that came from the client (helo_name, sender,
 *	rcpts, dsn_envid, rcpt_orcpt) has passed the parsers of
 *	util/smtp_addr.h and util/smtp_cmd.h: no control characters, bounded
 *	length. Still, anything copied into a header or a log line is
 *	sanitized again at that point.
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stddef.h>

#include "sys_defs.h"
#include "argv.h"
#include "vstr.h"
#include "vstream.h"

 /*
  * Limits from RFC 5321 section 4.5.3.1.
  */
#define SMTPD_CMD_MAX		512	/* command line incl. CRLF */
#define SMTPD_TEXT_MAX		1000	/* text line incl. CRLF */

struct smtpd_cleanup;			/* smtpd_cleanup.c */
struct smtpd_frame;			/* smtpd_frame.h */

struct smtpd_state {
    /* Connection. */
    struct vstream *client;		/* not owned: the skeleton closes it */
    char   *client_name;		/* "unknown" (no reverse DNS yet) */
    char   *client_addr;		/* printable IP address */
    int     client_port;
    char   *helo_name;			/* NULL before HELO/EHLO */
    const char *protocol;		/* static: "SMTP" ... "ESMTPSA" */
    int     esmtp;			/* EHLO seen */
    /* TLS (fields set by smtpd_tls.c). */
    int     tls_active;
    char   *tls_proto;			/* "TLSv1.3" */
    char   *tls_cipher;			/* "TLS_AES_256_GCM_SHA384" */
    void   *tls_conn;			/* owned by smtpd_tls.c */
    /* SASL (fields set by smtpd_sasl.c). */
    char   *sasl_username;		/* NULL: not authenticated */
    char   *sasl_method;		/* "PLAIN", "LOGIN" */
    int     sasl_failures;
    /* Transaction. */
    char   *sender;			/* NULL: no MAIL; "": null sender */
    struct argv *rcpts;			/* accepted recipients */
    struct argv *rcpt_orcpt;		/* parallel: ORCPT or "" */
    int    *rcpt_notify;		/* parallel: QUEUE_NOTIFY_* or 0 */
    size_t  rcpt_notify_alloc;
    int     rcpt_count;			/* == rcpts->argc */
    long    msg_size_declared;		/* MAIL SIZE=, 0 when absent */
    int     body_8bit;			/* BODY=8BITMIME */
    int     smtputf8;			/* MAIL ... SMTPUTF8 */
    char   *dsn_envid;			/* decoded ENVID or NULL */
    int     dsn_ret;			/* QUEUE_RET_* or 0 */
    char   *queue_id;			/* of the last queued message */
    int     in_data;			/* inside DATA or a BDAT sequence */
    int     bdat_seen;			/* BDAT used in this transaction */
    int     bdat_failed;		/* a BDAT chunk was refused */
    struct smtpd_cleanup *cleanup;	/* open cleanup stream (BDAT) */
    struct smtpd_frame *frame;		/* BDAT de-framer across chunks */
    /* Counters. */
    int     error_count;		/* 4xx/5xx replies this session */
    int     junk_cmds;			/* NOOP/VRFY/HELP/unknown */
    int     rcpt_rejects;		/* RCPT refused in this transaction */
    int     quit;			/* end the session after the reply */
    /* Private to smtpd_check.c. */
    void   *check_ctx;
    /* Scratch. */
    struct vstr *buf;			/* current command line */
};

 /*
  * smtpd_state.c
  */
extern struct smtpd_state *smtpd_state_alloc(struct vstream *, const char *,
					             int);
extern void smtpd_state_free(struct smtpd_state *);
extern void smtpd_state_reset_transaction(struct smtpd_state *);
extern void smtpd_state_reset_session(struct smtpd_state *);
extern void smtpd_state_add_rcpt(struct smtpd_state *, const char *,
				         const char *, int);
extern void smtpd_state_set_protocol(struct smtpd_state *);

 /*
  * smtpd_chat.c
  */
extern void PRINTFLIKE(2, 3) smtpd_chat_reply(struct smtpd_state *,
					              const char *,...);
extern int smtpd_chat_flush(struct smtpd_state *);
extern int smtpd_chat_input_pending(struct smtpd_state *);
extern void smtpd_chat_timeout(struct smtpd_state *);
extern void smtpd_chat_reject_log(struct smtpd_state *, const char *,
				          const char *, const char *);

 /*
  * smtpd_proto.c
  */
extern void smtpd_proto_session(struct smtpd_state *);

 /*
  * smtpd_mail.c, smtpd_data.c: command handlers.
  */
extern int smtpd_mail_cmd(struct smtpd_state *, const char *);
extern int smtpd_rcpt_cmd(struct smtpd_state *, const char *);
extern int smtpd_data_cmd(struct smtpd_state *, const char *);
extern int smtpd_bdat_cmd(struct smtpd_state *, const char *);

#endif
