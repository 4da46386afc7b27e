/*
 * smtp_cmd.h - SMTP server command-line parsing: the line itself, the
 *	verb, MAIL FROM / RCPT TO with their ESMTP parameters (SIZE, BODY,
 *	SMTPUTF8, RET, ENVID, AUTH, NOTIFY, ORCPT), BDAT arguments, xtext.
 *
 * SYNOPSIS
 *	#include "smtp_cmd.h"
 *
 *	int	smtp_cmd_line(struct vstr *line, struct vstr *reply);
 *	size_t	smtp_cmd_verb(const char *line, const char **args);
 *	void	smtp_mail_args_init(struct smtp_mail_args *ma);
 *	void	smtp_mail_args_free(struct smtp_mail_args *ma);
 *	int	smtp_cmd_mail(const char *args, int flags,
 *			struct smtp_mail_args *ma, struct vstr *reply);
 *	void	smtp_rcpt_args_init(struct smtp_rcpt_args *ra);
 *	void	smtp_rcpt_args_free(struct smtp_rcpt_args *ra);
 *	int	smtp_cmd_rcpt(const char *args, int flags,
 *			struct smtp_rcpt_args *ra, struct vstr *reply);
 *	int	smtp_cmd_bdat(const char *args, long long *size, int *last,
 *			struct vstr *reply);
 *	int	smtp_xtext_decode(struct vstr *out, const char *in,
 *			size_t len);
 *
 * DESCRIPTION
 *	smtp_cmd_line() takes a line as read from the client (with its
 *	line ending, at most SMTP_CMD_LINE_MAX bytes) and removes the
 *	"\r\n" (or a lone "\n"). It refuses a NUL byte, a CR that is not
 *	part of the final CRLF, and every other control character (C5,
 *	D3: the check and the action must see the same bytes).
 *
 *	smtp_cmd_verb() returns the length of the verb (the bytes up to
 *	the first space) and points *args past the spaces that follow.
 *
 *	smtp_cmd_mail() parses the text after the verb MAIL: "FROM:"
 *	(case-insensitive), a reverse-path ("<>" allowed), then
 *	SP-separated parameters. With SMTP_CMD_FLAG_STRICT no space may
 *	follow the colon (strict_rfc821_envelopes); otherwise spaces are
 *	skipped there, as most servers do. The path may hold UTF-8 only
 *	when SMTPUTF8 is among the parameters. smtp_cmd_rcpt() does the
 *	same for "TO:" and a forward-path; with SMTP_CMD_FLAG_UTF8 (the
 *	MAIL command had SMTPUTF8) the path may hold UTF-8.
 *
 *	Parameters: esmtp-keyword ["=" esmtp-value] (RFC 5321 4.1.2).
 *	SIZE=digits (a value beyond SMTP_CMD_SIZE_HUGE is stored as
 *	SMTP_CMD_SIZE_HUGE, i.e. too big, not a syntax error),
 *	BODY=7BIT|8BITMIME, SMTPUTF8, RET=FULL|HDRS, ENVID=xtext (decoded:
 *	printable US-ASCII, at most 100 bytes), AUTH=xtext (decoded: "<>"
 *	or a mailbox; accepted and ignored), NOTIFY=NEVER or a list of
 *	SUCCESS, FAILURE, DELAY, ORCPT=rfc822;xtext (decoded: printable,
 *	stored as "rfc822;ADDRESS", at most 500 bytes). Keywords and
 *	fixed values are case-insensitive.
 *
 *	smtp_cmd_bdat() parses "1*DIGIT [SP LAST]" (RFC 3030).
 *
 *	smtp_xtext_decode() decodes RFC 3461 xtext ("+HH" escapes) into
 *	out. It does not check what the decoded bytes are.
 *
 * DIAGNOSTICS
 *	smtp_cmd_line(), smtp_cmd_mail(), smtp_cmd_rcpt() and
 *	smtp_cmd_bdat() return 0, or an SMTP reply code with the whole
 *	reply line in reply:
 *	500 5.5.2 (NUL or control characters in a command),
 *	501 5.5.4 (syntax of the command or of a parameter value),
 *	501 5.1.7 / 501 5.1.3 (bad sender / recipient address),
 *	553 5.6.7 (UTF-8 address without SMTPUTF8),
 *	555 5.5.4 (unknown or repeated parameter),
 *	552 5.3.4 (BDAT size that cannot be represented).
 *	smtp_xtext_decode() returns 0 or -1 for a bad escape or a
 *	character that xtext does not allow.
 *
 * SECURITY
 *	Every argument is hostile client input. Parsing is forward-only
 *	with explicit bounds; numbers are overflow-checked; decoded values
 *	are checked AFTER decoding (C3: "+0A" is a newline). No reply text
 *	quotes client bytes except addresses that already passed the path
 *	parser.
 */
#ifndef SMTP_CMD_H
#define SMTP_CMD_H

#include <stddef.h>

#include "vstr.h"

#define SMTP_CMD_LINE_MAX	512	/* RFC 5321 4.5.3.1.4, incl. CRLF */
#define SMTP_CMD_ENVID_MAX	100	/* RFC 3461 4.4 */
#define SMTP_CMD_ORCPT_MAX	500	/* RFC 3461 4.2 */
#define SMTP_CMD_SIZE_HUGE	((long long) 1 << 62)

#define SMTP_CMD_FLAG_STRICT	(1<<0)	/* no space after the colon */
#define SMTP_CMD_FLAG_UTF8	(1<<1)	/* RCPT: MAIL had SMTPUTF8 */

#define SMTP_BODY_NONE		0
#define SMTP_BODY_7BIT		1
#define SMTP_BODY_8BITMIME	2

 /* Values match QUEUE_RET_* and QUEUE_NOTIFY_* of queue_file.h. */
#define SMTP_RET_FULL		1
#define SMTP_RET_HDRS		2
#define SMTP_NOTIFY_NEVER	(1<<0)
#define SMTP_NOTIFY_SUCCESS	(1<<1)
#define SMTP_NOTIFY_FAILURE	(1<<2)
#define SMTP_NOTIFY_DELAY	(1<<3)

struct smtp_mail_args {
    struct vstr *sender;		/* without brackets, "" for <> */
    long long size;			/* SIZE=, -1 when absent */
    int     body;			/* SMTP_BODY_* */
    int     smtputf8;			/* SMTPUTF8 given */
    int     ret;			/* SMTP_RET_* or 0 */
    struct vstr *envid;			/* decoded ENVID */
    int     has_envid;
    int     has_auth;			/* AUTH= seen (ignored) */
};

struct smtp_rcpt_args {
    struct vstr *rcpt;			/* without brackets */
    int     notify;			/* SMTP_NOTIFY_* or 0 */
    struct vstr *orcpt;			/* "rfc822;addr" or "" */
};

extern int smtp_cmd_line(struct vstr *, struct vstr *);
extern size_t smtp_cmd_verb(const char *, const char **);
extern void smtp_mail_args_init(struct smtp_mail_args *);
extern void smtp_mail_args_free(struct smtp_mail_args *);
extern int smtp_cmd_mail(const char *, int, struct smtp_mail_args *,
			         struct vstr *);
extern void smtp_rcpt_args_init(struct smtp_rcpt_args *);
extern void smtp_rcpt_args_free(struct smtp_rcpt_args *);
extern int smtp_cmd_rcpt(const char *, int, struct smtp_rcpt_args *,
			         struct vstr *);
extern int smtp_cmd_bdat(const char *, long long *, int *, struct vstr *);
extern int smtp_xtext_decode(struct vstr *, const char *, size_t);

#endif
