/*
 * smtpd_state.c - create, reset and destroy the per-session state of the
 * SMTP server (see smtpd.h). A reset of the transaction also throws away
 * an unfinished message: the cleanup connection is dropped without its
 * end record, so cleanup removes its temporary file.
 */
#include <string.h>

#include "mymalloc.h"
#include "smtpd.h"
#include "smtpd_cleanup.h"
#include "smtpd_frame.h"

/* smtpd_state_alloc - state for a new client */

struct smtpd_state *
smtpd_state_alloc(struct vstream *client, const char *addr, int port)
{
    struct smtpd_state *state = mycalloc(1, sizeof(*state));

    state->client = client;
    state->client_name = mystrdup("unknown");
    state->client_addr = mystrdup(addr);
    state->client_port = port;
    state->rcpts = argv_alloc(4);
    state->rcpt_orcpt = argv_alloc(4);
    state->buf = vstr_alloc(SMTPD_CMD_MAX + 1);
    smtpd_state_set_protocol(state);
    return (state);
}

/* smtpd_state_reset_transaction - forget MAIL, RCPT, DATA/BDAT */

void
smtpd_state_reset_transaction(struct smtpd_state *state)
{
    size_t  i;

    if (state->cleanup) {
	smtpd_cleanup_abort(state->cleanup);
	state->cleanup = 0;
    }
    if (state->frame) {
	smtpd_frame_free(state->frame);
	myfree(state->frame);
	state->frame = 0;
    }
    myfree(state->sender);
    state->sender = 0;
    for (i = 0; i < state->rcpts->argc; i++)
	myfree(state->rcpts->argv[i]);
    state->rcpts->argc = 0;
    state->rcpts->argv[0] = 0;
    for (i = 0; i < state->rcpt_orcpt->argc; i++)
	myfree(state->rcpt_orcpt->argv[i]);
    state->rcpt_orcpt->argc = 0;
    state->rcpt_orcpt->argv[0] = 0;
    state->rcpt_count = 0;
    state->rcpt_rejects = 0;
    state->msg_size_declared = 0;
    state->body_8bit = 0;
    state->smtputf8 = 0;
    myfree(state->dsn_envid);
    state->dsn_envid = 0;
    state->dsn_ret = 0;
    state->in_data = 0;
    state->bdat_seen = 0;
    state->bdat_failed = 0;
}

/* smtpd_state_reset_session - also forget HELO/EHLO and SASL */

void
smtpd_state_reset_session(struct smtpd_state *state)
{
    smtpd_state_reset_transaction(state);
    myfree(state->helo_name);
    state->helo_name = 0;
    state->esmtp = 0;
    myfree(state->sasl_username);
    state->sasl_username = 0;
    myfree(state->sasl_method);
    state->sasl_method = 0;
    smtpd_state_set_protocol(state);
}

/* smtpd_state_add_rcpt - append an accepted recipient */

void
smtpd_state_add_rcpt(struct smtpd_state *state, const char *addr,
		             const char *orcpt, int notify)
{
    if ((size_t) state->rcpt_count >= state->rcpt_notify_alloc) {
	state->rcpt_notify_alloc = state->rcpt_notify_alloc ?
	    state->rcpt_notify_alloc * 2 : 8;
	state->rcpt_notify = myrealloc(state->rcpt_notify,
			  state->rcpt_notify_alloc * sizeof(*state->rcpt_notify));
    }
    argv_add(state->rcpts, addr);
    argv_add(state->rcpt_orcpt, orcpt ? orcpt : "");
    state->rcpt_notify[state->rcpt_count++] = notify;
}

/* smtpd_state_set_protocol - SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA */

void
smtpd_state_set_protocol(struct smtpd_state *state)
{
    if (!state->esmtp)
	state->protocol = "SMTP";
    else if (state->tls_active && state->sasl_username)
	state->protocol = "ESMTPSA";
    else if (state->tls_active)
	state->protocol = "ESMTPS";
    else if (state->sasl_username)
	state->protocol = "ESMTPA";
    else
	state->protocol = "ESMTP";
}

/* smtpd_state_free - the session is over */

void
smtpd_state_free(struct smtpd_state *state)
{
    smtpd_state_reset_session(state);
    argv_free(state->rcpts);
    argv_free(state->rcpt_orcpt);
    myfree(state->rcpt_notify);
    myfree(state->client_name);
    myfree(state->client_addr);
    myfree(state->tls_proto);
    myfree(state->tls_cipher);
    myfree(state->queue_id);
    vstr_free(state->buf);
    myfree(state);
}
