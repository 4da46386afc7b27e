/*
 * cleanup_clnt.c - submit one message to the cleanup service (see
 * cleanup_clnt.h and cleanup_proto.h): connect, check the announcement,
 * send the flags, the envelope and the content as queue records, end the
 * stream, then read and check cleanup's verdict.
 *
 * The record stream goes through queue_out (util/queue_out.c), the same
 * writer as for queue files, so the sender can never produce a stream
 * that cleanup's reader would parse differently. Nothing is logged here:
 * every failure is described in the caller's why, and the caller knows
 * the context (which message, which sender) to log it with.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "cleanup_clnt.h"
#include "cleanup_proto.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "unix_sock.h"
#include "vstream.h"

struct cleanup_clnt {
    struct vstream *fp;
    struct queue_out out;
    struct vstr *path;			/* for diagnostics */
    struct vstr *err;			/* queue_out's reason, reused */
    int     state;			/* CLNT_* below */
};

#define CLNT_OPEN	0		/* flags sent, envelope next */
#define CLNT_CONTENT	1		/* envelope sent, lines next */
#define CLNT_FAILED	2		/* a write failed */

/* clnt_free - close the stream and release */

static void
clnt_free(struct cleanup_clnt *cl, int flush)
{
    if (flush) {
	(void) vstream_close(cl->fp);
    } else {
	/* Do not flush buffered records: close the descriptor directly. */
	(void) close(vstream_fd(cl->fp));
	vstream_free(cl->fp);
    }
    queue_out_done(&cl->out);
    vstr_free(cl->path);
    vstr_free(cl->err);
    myfree(cl);
}

/* cleanup_clnt_open - connect, check the announcement, send the flags */

struct cleanup_clnt *
cleanup_clnt_open(const char *queue_dir, const char *path, int flags,
		          int timeout, struct vstr *why)
{
    struct cleanup_clnt *cl;
    int     fd;

    cl = mycalloc(1, sizeof(*cl));
    cl->path = vstr_alloc(100);
    if (path)
	vstr_strcpy(cl->path, path);
    else if (queue_dir)
	vstr_sprintf(cl->path, "%s/%s", queue_dir, CLEANUP_SOCKET);
    else
	vstr_strcpy(cl->path, CLEANUP_SOCKET);
    if ((fd = unix_connect(vstr_str(cl->path), timeout)) < 0) {
	(void) vstr_fail(why, "connect to %s: %s", vstr_str(cl->path),
			 strerror(errno));
	vstr_free(cl->path);
	myfree(cl);
	return (0);
    }
    cl->fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    cl->err = vstr_alloc(100);
    vstream_set_timeout(cl->fp, timeout);
    queue_out_init(&cl->out, cl->fp);
    if (attr_scan_protocol(cl->fp, MAIL_PROTO_CLEANUP) < 0) {
	(void) vstr_fail(why, "%s: bad or missing protocol announcement",
			 vstr_str(cl->path));
	clnt_free(cl, 0);
	return (0);
    }
    if (attr_print(cl->fp, ATTR_FLAG_NONE,
		   SEND_ATTR_INT(MAIL_ATTR_FLAGS, flags),
		   ATTR_TYPE_END) < 0
	|| vstream_flush(cl->fp) != VSTREAM_OK) {
	(void) vstr_fail(why, "%s: write error", vstr_str(cl->path));
	clnt_free(cl, 0);
	return (0);
    }
    cl->state = CLNT_OPEN;
    return (cl);
}

/* cleanup_clnt_envelope - the envelope records */

int
cleanup_clnt_envelope(struct cleanup_clnt *cl, struct queue_env *env,
		              struct vstr *why)
{
    if (cl->state != CLNT_OPEN)
	return (vstr_fail(why, "%s: envelope out of order",
			  vstr_str(cl->path)));
    if (queue_out_envelope(&cl->out, env, cl->err) < 0) {
	cl->state = CLNT_FAILED;
	return (vstr_fail(why, "%s: envelope: %s", vstr_str(cl->path),
			  vstr_str(cl->err)));
    }
    cl->state = CLNT_CONTENT;
    return (0);
}

/* cleanup_clnt_text - add to the current content line */

int
cleanup_clnt_text(struct cleanup_clnt *cl, const char *data, size_t len,
		          int more, struct vstr *why)
{
    if (cl->state != CLNT_CONTENT)
	return (vstr_fail(why, "%s: %s", vstr_str(cl->path),
			  cl->state == CLNT_FAILED ? "already failed" :
			  "content before envelope"));
    /* Once per content line: no allocation here. */
    if (queue_out_text(&cl->out, data, len, more, cl->err) < 0) {
	cl->state = CLNT_FAILED;
	return (vstr_fail(why, "%s: %s", vstr_str(cl->path),
			  vstr_str(cl->err)));
    }
    return (0);
}

/* clnt_clean_why - keep a bounded, printable copy of cleanup's reason */

static void
clnt_clean_why(struct vstr *why, const struct vstr *text)
{
    size_t  i;
    size_t  len = vstr_len(text);
    unsigned char ch;

    if (why == 0)
	return;
    if (len > CLEANUP_CLNT_WHY_MAX)
	len = CLEANUP_CLNT_WHY_MAX;
    vstr_reset(why);
    for (i = 0; i < len; i++) {
	ch = (unsigned char) text->data[i];
	vstr_addch(why, (ch < 0x20 || ch > 0x7e) ? '?' : ch);
    }
}

/* clnt_verdict - check cleanup's reply */

static int
clnt_verdict(struct cleanup_clnt *cl, int status, struct vstr *id,
	             struct vstr *text, struct vstr *why)
{
    switch (status) {
    case MAIL_STAT_OK:
	if (mail_queue_id_ok(vstr_str(id))) {
	    if (why)
		vstr_reset(why);
	    return (MAIL_STAT_OK);
	}
	vstr_reset(id);
	return (vstr_fail(why, "%s: OK reply without a valid queue ID",
			  vstr_str(cl->path)));
    case MAIL_STAT_DEFER:
    case MAIL_STAT_REJECT:
	vstr_reset(id);
	if (vstr_len(text) == 0 && status == MAIL_STAT_REJECT)
	    return (vstr_fail(why, "%s: reject without a reason",
			      vstr_str(cl->path)));
	if (vstr_len(text) == 0)
	    vstr_strcpy(text, "4.3.0 Error: queue file write error");
	clnt_clean_why(why, text);
	return (status);
    default:
	vstr_reset(id);
	return (vstr_fail(why, "%s: unexpected reply status %d",
			  vstr_str(cl->path), status));
    }
}

/* cleanup_clnt_close - end the stream, read the verdict, release */

int
cleanup_clnt_close(struct cleanup_clnt *cl, struct vstr *queue_id,
		           struct vstr *why)
{
    struct vstr *text = vstr_alloc(100);
    int     status = -1;
    int     ret;

    vstr_reset(queue_id);
    if (cl->state != CLNT_CONTENT) {
	ret = vstr_fail(why, "%s: %s", vstr_str(cl->path),
			cl->state == CLNT_FAILED ? "write error" :
			"no envelope was sent");
	clnt_free(cl, 0);
    } else if (queue_out_finish(&cl->out, cl->err) < 0) {
	ret = vstr_fail(why, "%s: end of message: %s", vstr_str(cl->path),
			vstr_str(cl->err));
	clnt_free(cl, 0);
    } else if (attr_scan(cl->fp, ATTR_FLAG_STRICT,
			 RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
			 RECV_ATTR_STR(MAIL_ATTR_QUEUEID, queue_id),
			 RECV_ATTR_STR(MAIL_ATTR_WHY, text),
			 ATTR_TYPE_END) != 3) {
	vstr_reset(queue_id);
	ret = vstr_fail(why, "%s: no or malformed reply", vstr_str(cl->path));
	clnt_free(cl, 0);
    } else {
	ret = clnt_verdict(cl, status, queue_id, text, why);
	clnt_free(cl, 1);
    }
    vstr_free(text);
    return (ret);
}

/* cleanup_clnt_abort - drop the connection; cleanup discards */

void
cleanup_clnt_abort(struct cleanup_clnt *cl)
{
    if (cl)
	clnt_free(cl, 0);
}
