/*
 * cleanup_message.c - the content phase of cleanup: read the content
 * records from the client (the queue file rules: N/L pieces, then X and
 * E), split the primary header block into header fields
 * (util/header_parse.c), count Received: headers against hopcount_limit,
 * add Message-ID:, Date: and (local submission) From: when missing, and
 * copy the body. See docs/cleanup.md for the rules and their reasons.
 *
 * A function pointer in the state selects the handler of the current
 * phase (headers or body). After an error every line is still read and
 * checked, but nothing is written (the queue file is gone already).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cleanup_proto.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "record.h"

#define CLEANUP_MSGID_LOG_MAX	200	/* Message-ID bytes in the log */

static void cleanup_header_line(struct cleanup_state *, char *, size_t, int);
static void cleanup_body_line(struct cleanup_state *, char *, size_t, int);

/* cleanup_msg_stray - replace stray CR and LF (and NUL) with a space */

static void
cleanup_msg_stray(char *data, size_t len, int nul_too)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if (data[i] == '\r' || data[i] == '\n' || (nul_too && data[i] == 0))
	    data[i] = ' ';
}

/* cleanup_msg_header_out - write one header field, line by line */

static void
cleanup_msg_header_out(struct cleanup_state *state, const char *hdr,
		               size_t len)
{
    const char *nl;
    size_t  piece;

    while (state->status == MAIL_STAT_OK) {
	nl = memchr(hdr, '\n', len);
	piece = nl ? (size_t) (nl - hdr) : len;
	vstr_memcpy(state->buf, hdr, piece);
	cleanup_msg_stray(vstr_str(state->buf), piece, 1);
	cleanup_out_line(state, vstr_str(state->buf), piece, 0);
	if (nl == 0)
	    break;
	hdr += piece + 1;
	len -= piece + 1;
    }
}

/* cleanup_msg_msgid - remember a Message-ID value for the log */

static void
cleanup_msg_msgid(struct cleanup_state *state, const char *val, size_t len)
{
    size_t  i;
    int     ch;

    vstr_reset(state->msgid);
    for (i = 0; i < len && i < CLEANUP_MSGID_LOG_MAX; i++) {
	ch = (unsigned char) val[i];
	vstr_addch(state->msgid, ch == '\n' || ch == '\t' ? ' '
		   : (ch < 0x20 || ch >= 0x7f) ? '?' : ch);
    }
}

/* cleanup_msg_header - one complete header field (header_parse callback) */

static void
cleanup_msg_header(const char *hdr, size_t len, size_t name_len UNUSED,
		           void *ctx)
{
    struct cleanup_state *state = ctx;
    size_t  val = header_parse_value(hdr, len);

    if (state->status != MAIL_STAT_OK)
	return;
    if (header_parse_name_eq(hdr, len, "received")) {
	if (++state->hops > var_hopcount_limit) {
	    (void) cleanup_state_error(state, MAIL_STAT_REJECT,
				       "5.4.0 Error: too many hops");
	    return;
	}
    } else if (header_parse_name_eq(hdr, len, "message-id")) {
	if ((state->hdr_seen & CLEANUP_HDR_MESSAGE_ID) == 0)
	    cleanup_msg_msgid(state, hdr + val, len - val);
	state->hdr_seen |= CLEANUP_HDR_MESSAGE_ID;
    } else if (header_parse_name_eq(hdr, len, "date")) {
	state->hdr_seen |= CLEANUP_HDR_DATE;
    } else if (header_parse_name_eq(hdr, len, "from")) {
	state->hdr_seen |= CLEANUP_HDR_FROM;
    } else if (header_parse_name_eq(hdr, len, "bcc")
	       && (state->flags & CLEANUP_FLAG_LOCAL)) {
	return;					/* never shown to recipients */
    }
    cleanup_msg_header_out(state, hdr, len);
}

/* cleanup_msg_add - write one header we add */

static void
cleanup_msg_add(struct cleanup_state *state, const char *name,
		        const char *value)
{
    vstr_sprintf(state->buf, "%s: %s", name, value);
    cleanup_out_line(state, vstr_str(state->buf), vstr_len(state->buf), 0);
}

/* cleanup_msg_headers_done - end of the header block: add what is missing */

static void
cleanup_msg_headers_done(struct cleanup_state *state)
{
    char    stamp[32];
    char    date[80];
    struct tm tm;
    time_t  when = state->env.arrival.tv_sec;

    if (state->status != MAIL_STAT_OK || state->queue_id == 0)
	return;
    if (localtime_r(&when, &tm) == 0)
	msg_fatal("localtime: %m");
    if ((state->hdr_seen & CLEANUP_HDR_MESSAGE_ID) == 0) {
	if (strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) == 0)
	    msg_panic("cleanup_msg_headers_done: strftime");
	vstr_sprintf(state->msgid, "<%s.%s@%s>", stamp, state->queue_id,
		     var_myhostname);
	cleanup_msg_add(state, "Message-ID", vstr_str(state->msgid));
    }
    if ((state->hdr_seen & CLEANUP_HDR_DATE) == 0) {
	if (strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z (%Z)",
		     &tm) == 0)
	    msg_panic("cleanup_msg_headers_done: strftime");
	cleanup_msg_add(state, "Date", date);
    }
    if ((state->flags & CLEANUP_FLAG_LOCAL)
	&& (state->hdr_seen & CLEANUP_HDR_FROM) == 0)
	cleanup_msg_add(state, "From", *state->env.sender ?
			state->env.sender : "MAILER-DAEMON");
    msg_info("%s: message-id=%s", state->queue_id, vstr_str(state->msgid));
}

/* cleanup_header_line - a line while in the header block */

static void
cleanup_header_line(struct cleanup_state *state, char *data, size_t len,
		            int more)
{
    cleanup_msg_stray(data, len, 0);
    switch (header_parse_line(state->hp, data, len)) {
    case HEADER_PARSE_OK:
	return;
    case HEADER_PARSE_TOOBIG:
	(void) cleanup_state_error(state, MAIL_STAT_REJECT,
			 "5.3.4 Error: message header size exceeds limit");
	state->action = cleanup_body_line;
	return;
    default:					/* the first body line */
	cleanup_msg_headers_done(state);
	state->action = cleanup_body_line;
	if (len > 0)				/* no empty line: add one */
	    cleanup_out_line(state, "", 0, 0);
	cleanup_body_line(state, data, len, more);
	return;
    }
}

/* cleanup_body_line - a body line, or a piece of one */

static void
cleanup_body_line(struct cleanup_state *state, char *data, size_t len,
		          int more)
{
    cleanup_msg_stray(data, len, 0);
    cleanup_out_line(state, data, len, more);
}

/* cleanup_msg_count - content bytes and message_size_limit */

static void
cleanup_msg_count(struct cleanup_state *state, size_t bytes)
{
    state->size += (long long) bytes;
    if (var_message_limit > 0 && state->size > var_message_limit)
	(void) cleanup_state_error(state, MAIL_STAT_REJECT,
				   "5.3.4 Error: message file too big");
}

/* cleanup_msg_piece - one N or L record */

static int
cleanup_msg_piece(struct cleanup_state *state, int type)
{
    size_t  len = vstr_len(state->buf);

    if (type == REC_TYPE_NORM && state->in_line && len == 0) {
	msg_warn("cleanup: empty piece after a continuation");
	return (-1);
    }
    cleanup_msg_count(state, len + (type == REC_TYPE_NORM));
    if (state->status != MAIL_STAT_OK && var_message_limit > 0
	&& state->size > var_message_limit + CLEANUP_DRAIN_SLACK) {
	msg_warn("cleanup: client keeps sending after an error: dropped");
	return (-1);
    }
    vstr_memcat(state->line, vstr_str(state->buf), len);
    state->in_line = (type == REC_TYPE_CONT);
    if (type == REC_TYPE_NORM || state->action != cleanup_header_line
	|| vstr_len(state->line) > header_parse_room(state->hp)) {
	state->action(state, vstr_str(state->line), vstr_len(state->line),
		      state->in_line);
	vstr_reset(state->line);
    }
    return (0);
}

/* cleanup_msg_trailer - after X: the size check and the end record */

static int
cleanup_msg_trailer(struct cleanup_state *state)
{
    int     type;

    if (state->in_line) {
	msg_warn("cleanup: partial line at end of content");
	return (-1);
    }
    if (state->declared != 0 && state->declared != state->size) {
	msg_warn("cleanup: content size %lld, size record says %lld",
		 state->size, state->declared);
	return (-1);
    }
    if ((type = rec_get_why(state->src, state->buf, 0, state->why)) != REC_TYPE_END) {
	msg_warn("cleanup: no end record after the content: %s",
		 type < 0 ? vstr_str(state->why) : rec_type_name(type));
	return (-1);
    }
    if (state->action == cleanup_header_line) {	/* no body at all */
	header_parse_end(state->hp);
	cleanup_msg_headers_done(state);
    }
    return (0);
}

/* cleanup_message - read and process the content (see cleanup.h) */

int
cleanup_message(struct cleanup_state *state)
{
    int     type;

    state->hp = header_parse_create((size_t) var_header_limit,
				    cleanup_msg_header, state);
    state->action = cleanup_header_line;
    for (;;) {
	type = rec_get_why(state->src, state->buf, QUEUE_LINE_CHUNK, state->why);
	if (type < 0) {
	    msg_warn("cleanup: reading content: %s", type == REC_TYPE_EOF ?
		     "premature end of stream" : vstr_str(state->why));
	    return (-1);
	}
	if (type != REC_TYPE_NORM && type != REC_TYPE_CONT
	    && type != REC_TYPE_XTRA) {
	    msg_warn("cleanup: %s record in content", rec_type_name(type));
	    return (-1);
	}
	if (queue_field_ok(type, vstr_str(state->buf), vstr_len(state->buf),
			   state->why) < 0) {
	    msg_warn("cleanup: %s", vstr_str(state->why));
	    return (-1);
	}
	if (type == REC_TYPE_XTRA)
	    return (cleanup_msg_trailer(state));
	if (cleanup_msg_piece(state, type) < 0)
	    return (-1);
    }
}
