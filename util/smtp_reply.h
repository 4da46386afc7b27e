/*
 * smtp_reply.h - a strict parser for SMTP server replies (the client
 *	side): single and multi-line replies, enhanced status codes.
 *
 * SYNOPSIS
 *	#include "smtp_reply.h"
 *
 *	void	smtp_reply_init(struct smtp_reply *rp);
 *	void	smtp_reply_reset(struct smtp_reply *rp);
 *	void	smtp_reply_free(struct smtp_reply *rp);
 *	int	smtp_reply_feed(struct smtp_reply *rp, const char *line,
 *			size_t len, struct vstr *why);
 *	int	smtp_reply_read(struct vstream *fp, struct smtp_reply *rp,
 *			struct vstr *why);
 *	void	smtp_reply_sanitize(struct vstr *out, const char *text,
 *			size_t len);
 *
 * DESCRIPTION
 *	smtp_reply_feed() takes one reply line (with or without its CRLF)
 *	and returns SMTP_REPLY_MORE when a continuation line ("250-...")
 *	was accepted, SMTP_REPLY_DONE when the final line ("250 ..." or
 *	"250") completed the reply, SMTP_REPLY_BAD with the reason in why
 *	for anything else: a code that is not three digits in 200..559, a
 *	fourth byte other than ' ' or '-', a code that differs from the
 *	first line's, more than SMTP_REPLY_LINES_MAX lines, a line longer
 *	than SMTP_REPLY_LINE_MAX bytes.
 *
 *	After SMTP_REPLY_DONE: rp->code is the reply code, rp->dsn the
 *	enhanced status code of the first line ("5.1.1") when it has one
 *	whose class matches the code, else "" (the caller makes one up),
 *	rp->text the text of all lines without codes, joined with one
 *	space and sanitized, at most SMTP_REPLY_TEXT_MAX bytes (the rest is
 *	replaced by "..."), and rp->lines the sanitized text of each line
 *	(EHLO keywords).
 *
 *	smtp_reply_read() reads one whole reply from a stream with the
 *	stream's deadline: it returns SMTP_REPLY_DONE, or SMTP_REPLY_BAD
 *	with why set (malformed, too long, timeout, end of file).
 *
 *	smtp_reply_sanitize() appends text with every byte outside
 *	printable ASCII replaced by '?' (controls, CR, LF, DEL, 8-bit).
 *
 * SECURITY
 *	Replies come from a remote server and are hostile (CVE-2020-8794:
 *	a crafted multi-line reply that overflowed a client and injected
 *	text). Every bound is explicit; nothing from the server reaches a
 *	log, a DSN or a queue file before sanitizing.
 */
#ifndef SMTP_REPLY_H
#define SMTP_REPLY_H

#include <stddef.h>

#include "argv.h"
#include "vstr.h"
#include "vstream.h"

#define SMTP_REPLY_LINE_MAX	2048	/* bytes in one line, with CRLF */
#define SMTP_REPLY_LINES_MAX	100	/* lines in one reply */
#define SMTP_REPLY_TEXT_MAX	2000	/* bytes of joined text kept */

#define SMTP_REPLY_DONE		0
#define SMTP_REPLY_MORE		1
#define SMTP_REPLY_BAD		(-1)

struct smtp_reply {
    int     code;			/* 200..559, 0 before the first line */
    char    dsn[12];			/* "X.YYY.ZZZ" or "" */
    struct vstr *text;			/* joined, sanitized text */
    struct argv *lines;			/* each line's text, sanitized */
};

extern void smtp_reply_init(struct smtp_reply *);
extern void smtp_reply_reset(struct smtp_reply *);
extern void smtp_reply_free(struct smtp_reply *);
extern int smtp_reply_feed(struct smtp_reply *, const char *, size_t,
			           struct vstr *);
extern int smtp_reply_read(struct vstream *, struct smtp_reply *,
			           struct vstr *);
extern void smtp_reply_sanitize(struct vstr *, const char *, size_t);

#endif
