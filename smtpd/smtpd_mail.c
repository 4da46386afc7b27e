/*
 * smtpd_mail.c - the MAIL FROM and RCPT TO commands of the SMTP server.
 *
 * Order of checks for MAIL: sequence (HELO/EHLO first when required, no
 * nested MAIL), TLS required, syntax (util/smtp_cmd.c), SIZE against
 * message_size_limit, then smtpd_check_mail(). For RCPT: sequence (MAIL
 * first), syntax, smtpd_recipient_limit, then smtpd_check_rcpt(), which
 * also does the relay decision and recipient validation.
 */
#include <string.h>

#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtp_cmd.h"
#include "smtpd.h"
#include "smtpd_check.h"
#include "smtpd_tls.h"

/* mail_sequence - may MAIL be given now? 0, or -1 after the reply */

static int
mail_sequence(struct smtpd_state *state)
{
    if (var_smtpd_helo_required && state->helo_name == 0) {
	smtpd_chat_reply(state, "503 5.5.1 Error: send HELO/EHLO first");
	return (-1);
    }
    if (state->sender != 0) {
	smtpd_chat_reply(state, "503 5.5.1 Error: nested MAIL command");
	return (-1);
    }
    if (smtpd_tls_required(state)) {
	smtpd_chat_reply(state, "530 5.7.0 Must issue a STARTTLS command first");
	return (-1);
    }
    return (0);
}

/* mail_accept - remember the MAIL arguments in the state */

static void
mail_accept(struct smtpd_state *state, struct smtp_mail_args *ma)
{
    state->sender = mystrdup(vstr_str(ma->sender));
    state->msg_size_declared = ma->size > 0 ? (long) ma->size : 0;
    state->body_8bit = (ma->body == SMTP_BODY_8BITMIME);
    state->smtputf8 = ma->smtputf8;
    state->dsn_ret = ma->ret;
    state->dsn_envid = ma->has_envid ? mystrdup(vstr_str(ma->envid)) : 0;
}

/* smtpd_mail_cmd - MAIL FROM:<sender> [params] */

int
smtpd_mail_cmd(struct smtpd_state *state, const char *args)
{
    struct smtp_mail_args ma;
    struct vstr *reply;
    int     flags = var_strict_rfc821_env ? SMTP_CMD_FLAG_STRICT : 0;
    int     ret = -1;

    if (mail_sequence(state) < 0)
	return (-1);
    smtp_mail_args_init(&ma);
    reply = vstr_alloc(100);
    if (smtp_cmd_mail(args, flags, &ma, reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
    } else if (!state->esmtp && (ma.size >= 0 || ma.body || ma.smtputf8
				 || ma.ret || ma.has_envid || ma.has_auth)) {
	smtpd_chat_reply(state, "555 5.5.4 Error: MAIL parameters need EHLO");
    } else if (var_message_limit > 0 && ma.size > var_message_limit) {
	smtpd_chat_reply(state, "552 5.3.4 Message size exceeds fixed limit");
    } else if (smtpd_check_mail(state, vstr_str(ma.sender), reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
    } else {
	mail_accept(state, &ma);
	smtpd_chat_reply(state, "250 2.1.0 Ok");
	ret = 0;
    }
    vstr_free(reply);
    smtp_mail_args_free(&ma);
    return (ret);
}

/* smtpd_rcpt_cmd - RCPT TO:<recipient> [params] */

int
smtpd_rcpt_cmd(struct smtpd_state *state, const char *args)
{
    struct smtp_rcpt_args ra;
    struct vstr *reply;
    int     flags = (var_strict_rfc821_env ? SMTP_CMD_FLAG_STRICT : 0)
    | (state->smtputf8 ? SMTP_CMD_FLAG_UTF8 : 0);
    int     ret = -1;

    if (state->sender == 0) {
	smtpd_chat_reply(state, "503 5.5.1 Error: need MAIL command");
	return (-1);
    }
    if (state->in_data || state->bdat_seen) {
	smtpd_chat_reply(state, "503 5.5.1 Error: RCPT after BDAT");
	return (-1);
    }
    smtp_rcpt_args_init(&ra);
    reply = vstr_alloc(100);
    if (smtp_cmd_rcpt(args, flags, &ra, reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
    } else if (!state->esmtp && (ra.notify || vstr_len(ra.orcpt))) {
	smtpd_chat_reply(state, "555 5.5.4 Error: RCPT parameters need EHLO");
    } else if (state->rcpt_count >= var_smtpd_rcpt_limit) {
	smtpd_chat_reply(state, "452 4.5.3 Error: too many recipients");
	ret = 0;				/* not a client error */
    } else if (smtpd_check_rcpt(state, vstr_str(ra.rcpt), reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
	state->rcpt_rejects++;
    } else {
	smtpd_state_add_rcpt(state, vstr_str(ra.rcpt), vstr_str(ra.orcpt),
			     ra.notify);
	smtpd_chat_reply(state, "250 2.1.5 Ok");
	ret = 0;
    }
    vstr_free(reply);
    smtp_rcpt_args_free(&ra);
    return (ret);
}
