/*
 * smtpd_cleanup.c - the SMTP server's side of the cleanup protocol (see
 * smtpd_cleanup.h and util/cleanup_proto.h): connect, envelope, content
 * records, end record, then cleanup's verdict. Any failure on this path
 * is local trouble and becomes 451 4.3.0, never a 5xx.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "cleanup_proto.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "rec_type.h"
#include "record.h"
#include "smtpd.h"
#include "smtpd_cleanup.h"
#include "unix_sock.h"

struct smtpd_cleanup {
    struct vstream *fp;
    struct queue_out out;
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

/* cleanup_free - close and release */

static void
cleanup_free(struct smtpd_cleanup *cl)
{
    queue_out_done(&cl->out);
    (void) vstream_close(cl->fp);
    vstr_free(cl->why);
    myfree(cl);
}

/* smtpd_cleanup_open - connect and send the envelope */

struct smtpd_cleanup *
smtpd_cleanup_open(struct smtpd_state *state, struct vstr *why)
{
    struct smtpd_cleanup *cl;
    struct queue_env env;
    int     fd;

    if ((fd = unix_connect(CLEANUP_SOCKET, (int) var_ipc_timeout)) < 0) {
	vstr_sprintf(why, "connect to %s: %s", CLEANUP_SOCKET, strerror(errno));
	msg_warn("%s", vstr_str(why));
	return (0);
    }
    cl = mycalloc(1, sizeof(*cl));
    cl->fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    cl->why = vstr_alloc(100);
    vstream_set_timeout(cl->fp, (int) var_ipc_timeout);
    queue_out_init(&cl->out, cl->fp);
    if (attr_scan_protocol(cl->fp, MAIL_PROTO_CLEANUP) < 0) {
	vstr_sprintf(why, "%s: bad or missing protocol announcement",
		     CLEANUP_SOCKET);
	msg_warn("%s", vstr_str(why));
	cleanup_free(cl);
	return (0);
    }
    cleanup_env(state, &env);
    if (attr_print(cl->fp, ATTR_FLAG_NONE,
		   SEND_ATTR_INT(MAIL_ATTR_FLAGS, CLEANUP_FLAG_NONE),
		   ATTR_TYPE_END) < 0
	|| queue_out_envelope(&cl->out, &env, cl->why) < 0) {
	vstr_sprintf(why, "%s: envelope: %s", CLEANUP_SOCKET,
		     vstr_len(cl->why) ? vstr_str(cl->why) : "write error");
	msg_warn("%s", vstr_str(why));
	queue_env_free(&env);
	cleanup_free(cl);
	return (0);
    }
    queue_env_free(&env);
    return (cl);
}

/* smtpd_cleanup_line - one content line */

int
smtpd_cleanup_line(void *ctx, const char *data, size_t len)
{
    struct smtpd_cleanup *cl = ctx;

    if (cl->failed)
	return (-1);
    if (queue_out_text(&cl->out, data, len, 0, cl->why) < 0) {
	msg_warn("%s: write: %s", CLEANUP_SOCKET, vstr_str(cl->why));
	cl->failed = 1;
	return (-1);
    }
    return (0);
}

/* cleanup_verdict - turn cleanup's reply into 0 or an SMTP reply */

static int
cleanup_verdict(int status, struct vstr *id, struct vstr *text,
		        struct vstr *reply)
{
    const char *t = vstr_str(text);

    if (status == MAIL_STAT_OK && mail_queue_id_ok(vstr_str(id)))
	return (0);
    if (status == MAIL_STAT_REJECT && t[0] == '5' && t[1] == '.') {
	vstr_sprintf(reply, "%s %s", strncmp(t, "5.3.4", 5) == 0 ? "552" : "554", t);
	return (strncmp(t, "5.3.4", 5) == 0 ? 552 : 554);
    }
    if (status == MAIL_STAT_DEFER && t[0] == '4' && t[1] == '.') {
	vstr_sprintf(reply, "451 %s", t);
	return (451);
    }
    msg_warn("%s: unexpected reply: status %d, queue id \"%.30s\"",
	     CLEANUP_SOCKET, status, vstr_str(id));
    vstr_sprintf(reply, "451 4.3.0 Error: queue file write error");
    return (451);
}

/* smtpd_cleanup_close - end of message, read the verdict */

int
smtpd_cleanup_close(struct smtpd_cleanup *cl, struct vstr *queue_id,
		            struct vstr *reply)
{
    struct vstr *text = vstr_alloc(100);
    int     status = -1;
    int     code;

    /*
     * The end of the record stream. Not queue_out_finish(): that also
     * patches the size record in place with pwrite(), which a socket
     * cannot do; cleanup counts the content itself (size record 0).
     */
    vstr_reset(queue_id);
    if (cl->failed || rec_put(cl->fp, REC_TYPE_XTRA, "", 0) == REC_TYPE_ERROR
	|| rec_put(cl->fp, REC_TYPE_END, "", 0) == REC_TYPE_ERROR
	|| vstream_flush(cl->fp) != 0) {
	if (!cl->failed)
	    msg_warn("%s: end of message: write error", CLEANUP_SOCKET);
	vstr_sprintf(reply, "451 4.3.0 Error: queue file write error");
	code = 451;
    } else if (attr_scan(cl->fp, ATTR_FLAG_STRICT,
			 RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
			 RECV_ATTR_STR(MAIL_ATTR_QUEUEID, queue_id),
			 RECV_ATTR_STR(MAIL_ATTR_WHY, text),
			 ATTR_TYPE_END) != 3) {
	msg_warn("%s: no or malformed reply", CLEANUP_SOCKET);
	vstr_sprintf(reply, "451 4.3.0 Error: queue file write error");
	code = 451;
    } else {
	code = cleanup_verdict(status, queue_id, text, reply);
    }
    if (code != 0)
	vstr_reset(queue_id);
    vstr_free(text);
    cleanup_free(cl);
    return (code);
}

/* smtpd_cleanup_abort - drop the connection; cleanup discards */

void
smtpd_cleanup_abort(struct smtpd_cleanup *cl)
{
    if (cl == 0)
	return;
    /* Do not flush buffered records: close the descriptor directly. */
    (void) close(vstream_fd(cl->fp));
    queue_out_done(&cl->out);
    vstream_free(cl->fp);
    vstr_free(cl->why);
    myfree(cl);
}
