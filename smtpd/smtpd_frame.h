/*
 * smtpd_frame.h - the DATA / BDAT de-framer: bytes from the client in,
 *	message content lines out, with the end of DATA, dot-unstuffing,
 *	line and size limits and bare CR / LF / NUL detection.
 *
 * SYNOPSIS
 *	#include "smtpd_frame.h"
 *
 *	void	smtpd_frame_init(struct smtpd_frame *fr, int mode,
 *			int forbid_bare, long long size_max,
 *			smtpd_frame_fn out, void *ctx);
 *	void	smtpd_frame_free(struct smtpd_frame *fr);
 *	size_t	smtpd_frame_feed(struct smtpd_frame *fr, const char *buf,
 *			size_t len);
 *	void	smtpd_frame_finish(struct smtpd_frame *fr);
 *	int	smtpd_frame_status(struct smtpd_frame *fr, struct vstr *reply);
 *
 * DESCRIPTION
 *	The input may be fed in pieces of any size, split anywhere.
 *	Each complete content line (without its line ending, dot-unstuffed
 *	in DATA mode) is passed to out(ctx, line, len); out returns 0, or
 *	-1 when it can take no more (the cleanup connection broke).
 *
 *	SMTPD_FRAME_DATA: the data ends only at "\r\n.\r\n": a line that is
 *	exactly ".\r\n" and that follows a line ending in "\r\n" (or is
 *	the first line). smtpd_frame_feed() then stops and returns how
 *	many bytes it consumed, the final "\n" included; fr->done is set.
 *	A leading "." of any other line is removed (RFC 5321 4.5.2).
 *	SMTPD_FRAME_BDAT: no end marker and no dot handling; the caller
 *	feeds exactly the chunk bytes and calls smtpd_frame_finish() after
 *	the LAST chunk, which passes on a last line without line ending.
 *
 *	Problems are recorded in fr->flags and reported once, at the end,
 *	by smtpd_frame_status(); the input is still read to its end so
 *	that the client sees the reply to its DATA and never has message
 *	bytes executed as commands. Once a problem that rejects the
 *	message is seen, out() is no longer called.
 *	SMTPD_FRAME_BARE_LF / _BARE_CR: a "\n" not preceded by "\r", or a
 *	"\r" not followed by "\n" (rejects when forbid_bare; otherwise a
 *	bare LF ends a line and a bare CR is passed on as data);
 *	_NUL: a NUL byte; _LONG: a line longer than SMTPD_FRAME_LINE_MAX
 *	bytes with its CRLF; _BIG: more than size_max bytes of content
 *	(counted with 2 bytes per line ending; 0 means no limit);
 *	_SINK: out() failed.
 *
 *	smtpd_frame_status() returns 0 when the message may be queued, or
 *	the SMTP code with the reply line, in this order of precedence:
 *	550 5.5.2 bare <LF> / <CR> received; 554 5.6.0 NUL character;
 *	500 5.5.2 line too long; 552 5.3.4 too big; 451 4.3.0 (sink).
 *
 * SECURITY
 *	Memory is bounded by SMTPD_FRAME_LINE_MAX per frame whatever the
 *	input; the size counter cannot overflow (it stops growing past
 *	the limit). Only "\r\n.\r\n" ends DATA (SMTP smuggling, A1).
 */
#ifndef SMTPD_FRAME_H
#define SMTPD_FRAME_H

#include <stddef.h>

#include "vstr.h"

#define SMTPD_FRAME_DATA	1
#define SMTPD_FRAME_BDAT	2

#define SMTPD_FRAME_LINE_MAX	1000	/* RFC 5321 4.5.3.1.6, incl. CRLF */

#define SMTPD_FRAME_BARE_LF	(1<<0)
#define SMTPD_FRAME_BARE_CR	(1<<1)
#define SMTPD_FRAME_NUL		(1<<2)
#define SMTPD_FRAME_LONG	(1<<3)
#define SMTPD_FRAME_BIG		(1<<4)
#define SMTPD_FRAME_SINK	(1<<5)

typedef int (*smtpd_frame_fn) (void *, const char *, size_t);

struct smtpd_frame {
    int     mode;			/* SMTPD_FRAME_DATA or _BDAT */
    int     forbid_bare;		/* bare CR/LF rejects */
    long long size_max;			/* 0: no limit */
    smtpd_frame_fn out;
    void   *ctx;
    struct vstr *line;			/* current line, bounded */
    int     overflow;			/* current line too long */
    int     last1;			/* last byte of the current line */
    int     last2;			/* the byte before it */
    int     proper_bol;			/* line began after CRLF */
    long long size;			/* content bytes so far */
    long long lines;			/* content lines passed on */
    int     flags;			/* SMTPD_FRAME_* problems */
    int     done;			/* DATA: end seen; BDAT: finished */
};

extern void smtpd_frame_init(struct smtpd_frame *, int, int, long long,
			             smtpd_frame_fn, void *);
extern void smtpd_frame_free(struct smtpd_frame *);
extern size_t smtpd_frame_feed(struct smtpd_frame *, const char *, size_t);
extern void smtpd_frame_finish(struct smtpd_frame *);
extern int smtpd_frame_status(struct smtpd_frame *, struct vstr *);

#endif
