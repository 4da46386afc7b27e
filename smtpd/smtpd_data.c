/*
 * smtpd_data.c - the DATA and BDAT commands of the SMTP server: open the
 * cleanup stream, write our Received: header, run the client's bytes
 * through the de-framer (smtpd_frame.c) into cleanup, and answer with
 * the verdict. The input is always read to its end (DATA: the real
 * "\r\n.\r\n"; BDAT: exactly the announced byte count) before the reply,
 * so message bytes are never taken for commands.
 */
#include <string.h>
#include <time.h>

#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtp_cmd.h"
#include "smtpd.h"
#include "smtpd_check.h"
#include "smtpd_cleanup.h"
#include "smtpd_frame.h"
#include "smtpd_received.h"

#define DATA_READ_CHUNK	65536		/* BDAT bytes per read */

/* data_start - check, connect to cleanup, send Received:; 0 or -1 */

static int
data_start(struct smtpd_state *state, int mode)
{
    struct vstr *reply = vstr_alloc(100);
    struct argv *hdr;
    size_t  i;
    int     ok = 0;

    if (smtpd_check_data(state, reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
    } else if ((state->cleanup = smtpd_cleanup_open(state, reply)) == 0) {
	smtpd_chat_reply(state, "451 4.3.0 Error: queue file write error");
    } else {
	hdr = argv_alloc(6);
	smtpd_received(state, time((time_t *) 0), hdr);
	for (i = 0; ok == 0 && i < hdr->argc; i++)
	    if (smtpd_cleanup_line(state->cleanup, hdr->argv[i],
				   strlen(hdr->argv[i])) < 0)
		ok = -1;
	argv_free(hdr);
	if (ok < 0) {
	    smtpd_cleanup_abort(state->cleanup);
	    state->cleanup = 0;
	    smtpd_chat_reply(state, "451 4.3.0 Error: queue file write error");
	} else {
	    state->frame = mymalloc(sizeof(*state->frame));
	    smtpd_frame_init(state->frame, mode, var_smtpd_forbid_bare_nl,
			     var_message_limit, smtpd_cleanup_line,
			     state->cleanup);
	    state->in_data = 1;
	    vstr_free(reply);
	    return (0);
	}
    }
    vstr_free(reply);
    return (-1);
}

/* data_finish - the verdict for a complete message; resets */

static int
data_finish(struct smtpd_state *state)
{
    struct vstr *reply = vstr_alloc(100);
    struct vstr *id = vstr_alloc(24);
    int     code;

    if ((code = smtpd_frame_status(state->frame, reply)) != 0) {
	smtpd_cleanup_abort(state->cleanup);
    } else {
	code = smtpd_cleanup_close(state->cleanup, id, reply);
    }
    state->cleanup = 0;
    if (code == 0) {
	msg_info("%s: client=%s[%s]%s%s", vstr_str(id), state->client_name,
		 state->client_addr, state->sasl_username ?
		 ", sasl_username=" : "", state->sasl_username ?
		 state->sasl_username : "");
	myfree(state->queue_id);
	state->queue_id = mystrdup(vstr_str(id));
	smtpd_chat_reply(state, "250 2.0.0 Ok: queued as %s", vstr_str(id));
    } else {
	msg_info("NOQUEUE: reject: %s from %s[%s]: %s; from=<%s> proto=%s",
		 state->bdat_seen ? "BDAT" : "DATA", state->client_name,
		 state->client_addr, vstr_str(reply), state->sender,
		 state->protocol);
	smtpd_chat_reply(state, "%s", vstr_str(reply));
    }
    vstr_free(reply);
    vstr_free(id);
    smtpd_state_reset_transaction(state);
    return (code == 0 ? 0 : -1);
}

/* data_lost - the client went away or timed out inside the message */

static void
data_lost(struct smtpd_state *state, int status, const char *cmd)
{
    if (status == VSTREAM_TIMEOUT) {
	msg_info("timeout after %s from %s[%s]", cmd, state->client_name,
		 state->client_addr);
	smtpd_chat_timeout(state);
    } else {
	msg_info("lost connection after %s from %s[%s]", cmd,
		 state->client_name, state->client_addr);
    }
    smtpd_state_reset_transaction(state);
    state->quit = 1;
}

/* smtpd_data_cmd - DATA */

int
smtpd_data_cmd(struct smtpd_state *state, const char *args)
{
    struct vstr *line;
    int     st;

    if (*args) {
	smtpd_chat_reply(state, "501 5.5.4 Syntax: DATA");
	return (-1);
    }
    if (state->sender == 0) {
	smtpd_chat_reply(state, "503 5.5.1 Error: need MAIL command");
	return (-1);
    }
    if (state->bdat_seen) {
	smtpd_chat_reply(state, "503 5.5.1 Error: DATA after BDAT");
	return (-1);
    }
    if (state->rcpt_count == 0) {
	smtpd_chat_reply(state, "554 5.5.1 Error: no valid recipients");
	return (-1);
    }
    if (data_start(state, SMTPD_FRAME_DATA) < 0)
	return (-1);
    smtpd_chat_reply(state, "354 End data with <CR><LF>.<CR><LF>");
    if (smtpd_chat_flush(state) < 0) {
	data_lost(state, VSTREAM_ERR, "DATA");
	return (0);
    }
    line = vstr_alloc(SMTPD_FRAME_LINE_MAX + 1);
    while (!state->frame->done) {
	st = vstream_read_line(state->client, line, SMTPD_FRAME_LINE_MAX);
	if (st != VSTREAM_OK && st != VSTREAM_TOOLONG) {
	    vstr_free(line);
	    data_lost(state, st, "DATA");
	    return (0);
	}
	(void) smtpd_frame_feed(state->frame, vstr_str(line), vstr_len(line));
    }
    vstr_free(line);
    return (data_finish(state));
}

/* bdat_read - consume exactly size bytes into the frame (or nowhere) */

static int
bdat_read(struct smtpd_state *state, long long size)
{
    struct vstr *buf = vstr_alloc(DATA_READ_CHUNK);
    size_t  n;
    int     st = VSTREAM_OK;

    while (size > 0) {
	n = size > DATA_READ_CHUNK ? DATA_READ_CHUNK : (size_t) size;
	vstr_reset(buf);
	if ((st = vstream_read_vstr(state->client, buf, n)) != VSTREAM_OK)
	    break;
	if (state->frame)
	    (void) smtpd_frame_feed(state->frame, vstr_str(buf), vstr_len(buf));
	size -= (long long) n;
    }
    vstr_free(buf);
    return (st);
}

/* bdat_chunk_done - the reply to a chunk that is not the last */

static int
bdat_chunk_done(struct smtpd_state *state, long long size)
{
    struct vstr *reply = vstr_alloc(100);

    if (smtpd_frame_status(state->frame, reply) == 0) {
	smtpd_chat_reply(state, "250 2.0.0 Ok: %lld bytes", size);
	vstr_free(reply);
	return (0);
    }
    msg_info("NOQUEUE: reject: BDAT from %s[%s]: %s; from=<%s> proto=%s",
	     state->client_name, state->client_addr, vstr_str(reply),
	     state->sender, state->protocol);
    smtpd_chat_reply(state, "%s", vstr_str(reply));
    smtpd_cleanup_abort(state->cleanup);
    state->cleanup = 0;
    smtpd_frame_free(state->frame);
    myfree(state->frame);
    state->frame = 0;
    state->bdat_failed = 1;
    vstr_free(reply);
    return (-1);
}

/* bdat_refuse - why this chunk cannot be taken, or NULL */

static const char *
bdat_refuse(struct smtpd_state *state)
{
    if (state->sender == 0)
	return ("503 5.5.1 Error: need MAIL command");
    if (state->bdat_failed)
	return ("503 5.5.1 Error: BDAT transaction failed; send RSET");
    if (state->rcpt_count == 0)
	return ("554 5.5.1 Error: no valid recipients");
    return (0);
}

/* smtpd_bdat_cmd - BDAT size [LAST] */

int
smtpd_bdat_cmd(struct smtpd_state *state, const char *args)
{
    struct vstr *reply = vstr_alloc(100);
    const char *why;
    long long size;
    int     last;
    int     code;
    int     st;

    code = smtp_cmd_bdat(args, &size, &last, reply);
    if (code != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
	if (code == 552)			/* cannot skip: out of sync */
	    state->quit = 1;
	vstr_free(reply);
	return (-1);
    }
    vstr_free(reply);
    why = bdat_refuse(state);
    if (why == 0 && !state->bdat_seen) {
	state->bdat_seen = 1;
	if (data_start(state, SMTPD_FRAME_BDAT) < 0) {
	    state->bdat_failed = 1;
	    /* data_start() replied; the chunk must still be consumed. */
	    if ((st = bdat_read(state, size)) != VSTREAM_OK)
		data_lost(state, st, "BDAT");
	    return (-1);
	}
    }
    if ((st = bdat_read(state, size)) != VSTREAM_OK) {
	data_lost(state, st, "BDAT");
	return (0);
    }
    if (why != 0) {
	smtpd_chat_reply(state, "%s", why);
	if (last && state->bdat_failed)
	    smtpd_state_reset_transaction(state);
	return (-1);
    }
    if (last) {
	smtpd_frame_finish(state->frame);
	return (data_finish(state));
    }
    return (bdat_chunk_done(state, size));
}
