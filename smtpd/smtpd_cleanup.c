/*
 * smtpd_cleanup.c - the SMTP server's side of the cleanup protocol (see
 * smtpd_cleanup.h and util/cleanup_proto.h) on top of util/cleanup_clnt.c:
 * the envelope of the transaction, content lines as they arrive, then
 * cleanup's verdict as an SMTP reply. Any failure on this path is local
 * trouble and becomes 451 4.3.0, never a 5xx.
 */
#include <string.h>

#include "cleanup_clnt.h"
#include "cleanup_proto.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "smtpd.h"
#include "smtpd_cleanup.h"

#define SMTPD_CLEANUP_ERROR	"451 4.3.0 Error: queue file write error"

struct smtpd_cleanup {
    struct cleanup_clnt *clnt;
    struct vstr *why;
    int     failed;			/* a write failed (logged once) */
};

/* cleanup_env - the envelope of the current transaction */

static void
cleanup_env(struct smtpd_state *state, struct queue_env *env)
{
    int     i;

    queue_env_init(env);
    env->client_name = mystrdup(state->client_name);
    env->client_addr = mystrdup(state->client_addr);
    if (state->helo_name)
	env->helo = mystrdup(state->helo_name);
    env->protocol = mystrdup(state->protocol);
    if (state->sasl_username)
	env->sasl_user = mystrdup(state->sasl_username);
    env->flags = (state->body_8bit ? QUEUE_FLAG_8BITMIME : 0)
	| (state->smtputf8 ? QUEUE_FLAG_SMTPUTF8 : 0);
    env->dsn_ret = state->dsn_ret;
    if (state->dsn_envid)
	env->dsn_envid = mystrdup(state->dsn_envid);
    env->sender = mystrdup(state->sender ? state->sender : "");
    for (i = 0; i < state->rcpt_count; i++)
	queue_env_add_rcpt(env, state->rcpts->argv[i],
			   *state->rcpt_orcpt->argv[i] ?
			   state->rcpt_orcpt->argv[i] : 0,
			   state->rcpt_notify[i]);
}

/* smtpd_cleanup_free - release the handle (the client is gone) */

static void
smtpd_cleanup_free(struct smtpd_cleanup *cl)
{
    vstr_free(cl->why);
    myfree(cl);
}

/* smtpd_cleanup_open - connect and send the envelope */

struct smtpd_cleanup *
smtpd_cleanup_open(struct smtpd_state *state, struct vstr *why)
{
    struct smtpd_cleanup *cl;
    struct cleanup_clnt *clnt;
    struct queue_env env;
    int     ret;

    if ((clnt = cleanup_clnt_open((char *) 0, (char *) 0, CLEANUP_FLAG_NONE,
				  (int) var_ipc_timeout, why)) == 0) {
	msg_warn("%s", vstr_str(why));
	return (0);
    }
    cleanup_env(state, &env);
    ret = cleanup_clnt_envelope(clnt, &env, why);
    queue_env_free(&env);
    if (ret < 0) {
	msg_warn("%s", vstr_str(why));
	cleanup_clnt_abort(clnt);
	return (0);
    }
    cl = mycalloc(1, sizeof(*cl));
    cl->clnt = clnt;
    cl->why = vstr_alloc(100);
    return (cl);
}

/* smtpd_cleanup_line - one content line */

int
smtpd_cleanup_line(void *ctx, const char *data, size_t len)
{
    struct smtpd_cleanup *cl = ctx;

    if (cl->failed)
	return (-1);
    if (cleanup_clnt_text(cl->clnt, data, len, 0, cl->why) < 0) {
	msg_warn("%s", vstr_str(cl->why));
	cl->failed = 1;
	return (-1);
    }
    return (0);
}

/* smtpd_cleanup_close - end of message, cleanup's verdict as a reply */

int
smtpd_cleanup_close(struct smtpd_cleanup *cl, struct vstr *queue_id,
		            struct vstr *reply)
{
    int     status = cleanup_clnt_close(cl->clnt, queue_id, cl->why);
    const char *t = vstr_str(cl->why);
    int     code;

    if (status == MAIL_STAT_OK) {
	code = 0;
    } else if (status == MAIL_STAT_REJECT && t[0] == '5' && t[1] == '.') {
	code = (strncmp(t, "5.3.4", 5) == 0 ? 552 : 554);
	vstr_sprintf(reply, "%d %s", code, t);
    } else if (status == MAIL_STAT_DEFER && t[0] == '4' && t[1] == '.') {
	code = 451;
	vstr_sprintf(reply, "451 %s", t);
    } else {
	if (status >= 0)
	    msg_warn("%s: unexpected reply: status %d, \"%.100s\"",
		     CLEANUP_SOCKET, status, t);
	else if (!cl->failed)
	    msg_warn("%s", t);
	code = 451;
	vstr_strcpy(reply, SMTPD_CLEANUP_ERROR);
    }
    smtpd_cleanup_free(cl);
    return (code);
}

/* smtpd_cleanup_abort - drop the connection; cleanup discards */

void
smtpd_cleanup_abort(struct smtpd_cleanup *cl)
{
    if (cl == 0)
	return;
    cleanup_clnt_abort(cl->clnt);
    smtpd_cleanup_free(cl);
}
