/*
 * smtpd_frame.c - DATA and BDAT de-framing (see smtpd_frame.h).
 *
 * Bytes are collected into a bounded line buffer up to each "\n"; the
 * complete line is then classified. Only two bytes of history (last1,
 * last2) survive a line that overflowed the buffer, which is all that
 * is needed to know whether it ended in CRLF, so that the next line's
 * "." can (or cannot) be the end of DATA. No byte after the end of
 * DATA is consumed: it belongs to the next command.
 */
#include <string.h>

#include "mymalloc.h"
#include "smtpd_frame.h"

/* smtpd_frame_init - start a message */

void
smtpd_frame_init(struct smtpd_frame *fr, int mode, int forbid_bare,
		         long long size_max, smtpd_frame_fn out, void *ctx)
{
    memset(fr, 0, sizeof(*fr));
    fr->mode = mode;
    fr->forbid_bare = forbid_bare;
    fr->size_max = size_max > 0 ? size_max : 0;
    fr->out = out;
    fr->ctx = ctx;
    fr->line = vstr_alloc(SMTPD_FRAME_LINE_MAX + 1);
    fr->proper_bol = 1;
}

/* smtpd_frame_free - release the line buffer */

void
smtpd_frame_free(struct smtpd_frame *fr)
{
    vstr_free(fr->line);
    fr->line = 0;
}

/* frame_reject_mask - problems that stop the message */

static int
frame_reject_mask(struct smtpd_frame *fr)
{
    return (SMTPD_FRAME_NUL | SMTPD_FRAME_LONG | SMTPD_FRAME_BIG | SMTPD_FRAME_SINK
	    | (fr->forbid_bare ? SMTPD_FRAME_BARE_LF | SMTPD_FRAME_BARE_CR : 0));
}

/* frame_emit - count one content line and pass it on */

static void
frame_emit(struct smtpd_frame *fr, const char *data, size_t len)
{
    if (memchr(data, '\r', len) != 0)
	fr->flags |= SMTPD_FRAME_BARE_CR;
    if (memchr(data, 0, len) != 0)
	fr->flags |= SMTPD_FRAME_NUL;
    if (fr->size_max && (fr->flags & SMTPD_FRAME_BIG) == 0) {
	fr->size += (long long) len + 2;
	if (fr->size > fr->size_max)
	    fr->flags |= SMTPD_FRAME_BIG;
    }
    if ((fr->flags & frame_reject_mask(fr)) != 0)
	return;
    if (fr->out(fr->ctx, data, len) < 0)
	fr->flags |= SMTPD_FRAME_SINK;
    else
	fr->lines++;
}

/* frame_line - a complete line (with its "\n") is in fr->line */

static void
frame_line(struct smtpd_frame *fr)
{
    const char *data = vstr_str(fr->line);
    int     crlf = (fr->last2 == '\r');
    size_t  clen;
    size_t  start = 0;

    if (fr->overflow) {
	fr->flags |= SMTPD_FRAME_LONG;
    } else {
	clen = vstr_len(fr->line) - (crlf ? 2 : 1);
	if (fr->mode == SMTPD_FRAME_DATA && fr->proper_bol && crlf
	    && clen == 1 && data[0] == '.') {
	    fr->done = 1;
	} else {
	    if (!crlf)
		fr->flags |= SMTPD_FRAME_BARE_LF;
	    if (fr->mode == SMTPD_FRAME_DATA && clen > 0 && data[0] == '.')
		start = 1;
	    frame_emit(fr, data + start, clen - start);
	}
    }
    fr->proper_bol = crlf;
    fr->overflow = 0;
    fr->last1 = fr->last2 = 0;
    vstr_reset(fr->line);
}

/* frame_add - append bytes of the current line, bounded */

static void
frame_add(struct smtpd_frame *fr, const char *buf, size_t n)
{
    if (n == 0)
	return;
    if (n >= 2) {
	fr->last2 = (unsigned char) buf[n - 2];
    } else {
	fr->last2 = fr->last1;
    }
    fr->last1 = (unsigned char) buf[n - 1];
    if (fr->overflow)
	return;
    if (n > SMTPD_FRAME_LINE_MAX - vstr_len(fr->line)) {
	fr->overflow = 1;
	vstr_reset(fr->line);
	return;
    }
    vstr_memcat(fr->line, buf, n);
}

/* smtpd_frame_feed - consume input, up to the end of DATA */

size_t
smtpd_frame_feed(struct smtpd_frame *fr, const char *buf, size_t len)
{
    const char *nl;
    size_t  used = 0;
    size_t  n;

    while (used < len && !fr->done) {
	nl = memchr(buf + used, '\n', len - used);
	n = nl ? (size_t) (nl - (buf + used)) + 1 : len - used;
	frame_add(fr, buf + used, n);
	used += n;
	if (nl)
	    frame_line(fr);
    }
    return (used);
}

/* smtpd_frame_finish - BDAT LAST: pass on a last unterminated line */

void
smtpd_frame_finish(struct smtpd_frame *fr)
{
    if (fr->overflow)
	fr->flags |= SMTPD_FRAME_LONG;
    else if (vstr_len(fr->line) > 0)
	frame_emit(fr, vstr_str(fr->line), vstr_len(fr->line));
    fr->overflow = 0;
    vstr_reset(fr->line);
    fr->done = 1;
}

/* smtpd_frame_status - 0, or the code and reply for a refused message */

int
smtpd_frame_status(struct smtpd_frame *fr, struct vstr *reply)
{
    int     fl = fr->flags;

    if (fr->forbid_bare && (fl & SMTPD_FRAME_BARE_LF)) {
	vstr_sprintf(reply, "550 5.5.2 Error: bare <LF> received");
	return (550);
    } else if (fr->forbid_bare && (fl & SMTPD_FRAME_BARE_CR)) {
	vstr_sprintf(reply, "550 5.5.2 Error: bare <CR> received");
	return (550);
    } else if (fl & SMTPD_FRAME_NUL) {
	vstr_sprintf(reply, "554 5.6.0 Error: NUL character in message");
	return (554);
    } else if (fl & SMTPD_FRAME_LONG) {
	vstr_sprintf(reply, "500 5.5.2 Error: message line longer than %d bytes",
		     SMTPD_FRAME_LINE_MAX);
	return (500);
    } else if (fl & SMTPD_FRAME_BIG) {
	vstr_sprintf(reply, "552 5.3.4 Error: message file too big");
	return (552);
    } else if (fl & SMTPD_FRAME_SINK) {
	vstr_sprintf(reply, "451 4.3.0 Error: queue file write error");
	return (451);
    }
    return (0);
}
