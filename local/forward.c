/*
 * forward.c - an alias or .forward that names an address in a domain
 * that is not ours: the message is submitted again through cleanup,
 * with the same sender and a Delivered-To: header for the address that
 * was expanded, so that a loop through another host comes back to us
 * and is detected (deliver.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "cleanup_clnt.h"
#include "cleanup_proto.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "queue_file.h"
#include "mymalloc.h"
#include "msg.h"

/* local_forward_content - Delivered-To:, then the original content */

static int
local_forward_content(struct local_state *state, struct cleanup_clnt *cl,
		              const char *delivered_to, struct vstr *why)
{
    struct vstr *line = vstr_alloc(200);
    struct vstream *fp;
    struct queue_reader *r;
    struct queue_env env;
    char   *cp;
    int     dfd;
    int     rc;

    if (lseek(state->msg->fd, 0, SEEK_SET) < 0
	|| (dfd = fcntl(state->msg->fd, F_DUPFD_CLOEXEC, 3)) < 0) {
	vstr_free(line);
	return (vstr_fail(why, "cannot read queue file: %m"));
    }
    fp = vstream_fdopen(dfd, VSTREAM_READ);
    r = queue_read_stream(fp);
    queue_env_init(&env);
    vstr_sprintf(line, "Delivered-To: %s", delivered_to);
    for (cp = vstr_str(line); *cp; cp++)	/* one header line */
	if ((unsigned char) *cp < ' ' || *cp == 0x7f)
	    *cp = '_';
    rc = queue_read_envelope(r, &env, why);
    if (rc == 0)
	rc = cleanup_clnt_text(cl, vstr_str(line), vstr_len(line), 0, why);
    while (rc == 0) {
	rc = queue_read_line(r, line, QUEUE_LINE_CHUNK, why);
	if (rc == QUEUE_END) {
	    rc = 1;
	    break;
	}
	if (rc == QUEUE_ERR)
	    break;
	rc = cleanup_clnt_text(cl, vstr_str(line), vstr_len(line),
			       rc == QUEUE_PART, why);
    }
    queue_env_free(&env);
    queue_read_close(r);
    (void) vstream_close(fp);
    vstr_free(line);
    return (rc > 0 ? 0 : -1);
}

/* local_forward - resubmit the message to address */

void
local_forward(struct local_state *state, const char *address)
{
    struct cleanup_clnt *cl;
    struct queue_env env;
    struct vstr *why = vstr_alloc(100);
    struct vstr *id = vstr_alloc(20);
    const char *delivered_to = state->parent ?
    vstr_str(state->parent->address) : vstr_str(state->address);
    int     rc;

    if (local_is_dup(state, "forward", address)) {
	vstr_free(why);
	vstr_free(id);
	return;
    }
    queue_env_init(&env);
    queue_env_add_rcpt(&env, address, (const char *) 0, 0);
    env.sender = mystrdup(state->msg->sender);
    if ((cl = cleanup_clnt_open((const char *) 0, (const char *) 0,
				CLEANUP_FLAG_NONE, (int) var_ipc_timeout,
				why)) == 0) {
	rc = -1;
    } else if (cleanup_clnt_envelope(cl, &env, why) < 0
	       || local_forward_content(state, cl, delivered_to, why) < 0) {
	cleanup_clnt_abort(cl);
	rc = -1;
    } else {
	rc = cleanup_clnt_close(cl, id, why);
    }
    if (rc == MAIL_STAT_OK)
	local_result_set(state->result, MAIL_STAT_OK, "2.0.0",
			 "forwarded as %s", vstr_str(id));
    else if (rc == MAIL_STAT_REJECT)
	local_result_text(state->result, MAIL_STAT_BOUNCE, vstr_str(why));
    else
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0",
			 "cannot forward: %s", vstr_str(why));
    queue_env_free(&env);
    vstr_free(why);
    vstr_free(id);
}
