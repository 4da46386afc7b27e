/*
 * smtp_text.h - message lines to an SMTP DATA stream: CRLF line ends,
 *	dot-stuffing, and lines longer than a limit broken the way
 *	Postfix's smtp_line_length_limit breaks them.
 *
 * SYNOPSIS
 *	#include "smtp_text.h"
 *
 *	void	smtp_text_init(struct smtp_text *tp, int limit,
 *			smtp_text_write_fn write, void *ctx);
 *	int	smtp_text_put(struct smtp_text *tp, const char *text,
 *			size_t len, int eol);
 *	int	smtp_text_flush(struct smtp_text *tp);
 *
 * DESCRIPTION
 *	The caller hands over each message line (without its line end),
 *	possibly in pieces: eol is non-zero on the piece that ends the
 *	line. smtp_text_put() writes through write(buf, len, ctx), which
 *	returns 0 or -1:
 *
 *	- a "." at the start of an output line is doubled (RFC 5321
 *	  4.5.2); the doubled dot does not count against the limit
 *	  (RFC 5321 4.5.3.1.6);
 *	- a CR or LF byte inside a line is written as a space: the next
 *	  hop never sees a bare CR or LF;
 *	- when limit > 0 and a line has more than limit bytes, the first
 *	  limit bytes go out, then CRLF and a space, and the rest follows
 *	  on that continuation line (again broken after limit bytes,
 *	  counting the space). This is Postfix's smtp_text_out(): for a
 *	  header the break is a folding point, for the body it adds a line
 *	  break and a space. A limit of 1 still moves one byte per line.
 *	  A line of exactly limit bytes is not broken.
 *
 *	smtp_text_flush() ends a line that was left without its end.
 *	tp->broken counts the lines that were broken (for a log line).
 *
 * DIAGNOSTICS
 *	smtp_text_put() and smtp_text_flush() return 0, or -1 when write
 *	failed (the caller stops: the stream state is unknown).
 */
#ifndef SMTP_TEXT_H
#define SMTP_TEXT_H

#include <stddef.h>

typedef int (*smtp_text_write_fn) (const char *, size_t, void *);

struct smtp_text {
    size_t  limit;			/* 0: no limit */
    size_t  col;			/* bytes on the current output line */
    long    broken;			/* lines broken so far */
    smtp_text_write_fn write;
    void   *ctx;
};

extern void smtp_text_init(struct smtp_text *, int, smtp_text_write_fn,
			           void *);
extern int smtp_text_put(struct smtp_text *, const char *, size_t, int);
extern int smtp_text_flush(struct smtp_text *);

#endif
