/*
 * queue_out.c - write the records of a queue file to a stream, in the
 * one canonical order that queue_read.c accepts (see queue_file.h and
 * docs/queue.md).
 *
 * This layer knows nothing of files, names or fsync (queue_write.c does
 * that), so the same code can write to a memory file for tests and fuzz
 * round trips. It keeps the running offset (to report where each
 * recipient record starts) and the content size, which is patched into
 * the fixed-width size record once the content is complete. Flags that
 * are only known then (8-bit content) are patched in the same way, into
 * the type byte of the end-of-envelope record (M becomes B).
 */
#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "record.h"
#include "queue_file.h"

#define QUEUE_OUT_ENVELOPE	0	/* nothing written yet */
#define QUEUE_OUT_CONTENT	1	/* envelope written, lines follow */
#define QUEUE_OUT_FINISHED	2	/* end record written */
#define QUEUE_OUT_FAILED	3	/* a write failed; stop */

/* qo_put - one record, with offset accounting */

static int
qo_put(struct queue_out *out, int type, const char *data, size_t len,
       struct vstr *why)
{
    errno = 0;
    if (rec_put(out->fp, type, data, len) != type) {
	out->state = QUEUE_OUT_FAILED;
	return (vstr_fail(why, "write queue file: %s",
		       errno ? strerror(errno) : "stream error"));
    }
    out->offset += (off_t) REC_SIZE(len);
    return (0);
}

/* qo_field - validate, then write one envelope field */

static int
qo_field(struct queue_out *out, int type, const char *value,
	         struct vstr *why)
{
    size_t  len = strlen(value);

    if (queue_field_ok(type, value, len, why) < 0) {
	out->state = QUEUE_OUT_FAILED;
	errno = EINVAL;
	return (-1);
    }
    return (qo_put(out, type, value, len, why));
}

/* qo_number - write a number field */

static int
qo_number(struct queue_out *out, int type, long long val, struct vstr *why)
{
    char    buf[32];

    snprintf(buf, sizeof(buf), "%lld", val);
    return (qo_field(out, type, buf, why));
}

/* queue_out_init - start writing records to fp */

void
queue_out_init(struct queue_out *out, struct vstream *fp)
{
    memset(out, 0, sizeof(*out));
    out->fp = fp;
    out->pending = vstr_alloc(QUEUE_LINE_CHUNK);
    out->state = QUEUE_OUT_ENVELOPE;
}

/* queue_out_done - release memory (the stream is the caller's) */

void
queue_out_done(struct queue_out *out)
{
    vstr_free(out->pending);
    out->pending = 0;
}

/* qo_recipients - ORCPT, NOTIFY and address of each recipient */

static int
qo_recipients(struct queue_out *out, struct queue_env *env, struct vstr *why)
{
    struct queue_rcpt *rp;

    if (env->rcpt_count == 0) {
	out->state = QUEUE_OUT_FAILED;
	errno = EINVAL;
	return (vstr_fail(why, "no recipients"));
    }
    for (rp = env->rcpt; rp < env->rcpt + env->rcpt_count; rp++) {
	if ((rp->orcpt && qo_field(out, REC_TYPE_DSN_ORCPT, rp->orcpt, why) < 0)
	    || (rp->notify
		&& qo_number(out, REC_TYPE_DSN_NOTIFY, rp->notify, why) < 0))
	    return (-1);
	rp->offset = out->offset;
	if (qo_field(out, rp->done ? REC_TYPE_DONE : REC_TYPE_RCPT,
		     rp->address, why) < 0)
	    return (-1);
    }
    return (0);
}

/* queue_out_envelope - write everything up to the start of content */

int
queue_out_envelope(struct queue_out *out, struct queue_env *env,
		           struct vstr *why)
{
    char    buf[64];
    int     flags;
    const struct {
	int     type;
	const char *value;
    }       *sp, strs[] = {
	{REC_TYPE_CLIENT_NAME, env->client_name},
	{REC_TYPE_CLIENT_ADDR, env->client_addr},
	{REC_TYPE_HELO, env->helo},
	{REC_TYPE_PROTOCOL, env->protocol},
	{REC_TYPE_SASL_USER, env->sasl_user},
    };

    if (out->state != QUEUE_OUT_ENVELOPE)
	msg_panic("queue_out_envelope: bad state %d", out->state);
    if (env->sender == 0)
	return (vstr_fail(why, "no sender"));
    if (env->commit_flags & ~QUEUE_FLAG_8BITMIME) {
	out->state = QUEUE_OUT_FAILED;
	errno = EINVAL;
	return (vstr_fail(why, "bad commit flags %d", env->commit_flags));
    }
    out->flags = env->flags | env->commit_flags;
    flags = env->flags & ~env->commit_flags;
    snprintf(buf, sizeof(buf), "%lld.%06ld", (long long) env->arrival.tv_sec,
	     (long) env->arrival.tv_usec);
    if (qo_field(out, REC_TYPE_VERSION, QUEUE_MAGIC, why) < 0
	|| qo_field(out, REC_TYPE_TIME, buf, why) < 0)
	return (-1);
    snprintf(buf, sizeof(buf), "%0*d", QUEUE_SIZE_DIGITS, 0);
    out->size_offset = out->offset + REC_HDR_LEN;
    if (qo_field(out, REC_TYPE_SIZE, buf, why) < 0)
	return (-1);
    for (sp = strs; sp < strs + ARRAY_LEN(strs); sp++)
	if (sp->value && qo_field(out, sp->type, sp->value, why) < 0)
	    return (-1);
    if ((flags && qo_number(out, REC_TYPE_FLAGS, flags, why) < 0)
	|| (env->dsn_ret
	    && qo_number(out, REC_TYPE_DSN_RET, env->dsn_ret, why) < 0)
	|| (env->dsn_envid
	    && qo_field(out, REC_TYPE_DSN_ENVID, env->dsn_envid, why) < 0)
	|| qo_field(out, REC_TYPE_SENDER, env->sender, why) < 0
	|| qo_recipients(out, env, why) < 0)
	return (-1);
    out->mesg_offset = out->offset;
    if (qo_put(out, env->commit_flags ? REC_TYPE_MESG8 : REC_TYPE_MESG,
	       "", 0, why) < 0)
	return (-1);
    out->state = QUEUE_OUT_CONTENT;
    return (0);
}

/* queue_out_text - add to the current line; more: the line continues */

int
queue_out_text(struct queue_out *out, const char *data, size_t len,
	               int more, struct vstr *why)
{
    size_t  take;

    if (out->state == QUEUE_OUT_FAILED)
	return (vstr_fail(why, "queue file already failed"));
    if (out->state != QUEUE_OUT_CONTENT)
	msg_panic("queue_out_text: bad state %d", out->state);

    /*
     * A full piece goes out as a continuation record only when at least
     * one more byte follows, so every line has exactly one encoding.
     */
    while (len > 0) {
	if (vstr_len(out->pending) == QUEUE_LINE_CHUNK) {
	    if (qo_put(out, REC_TYPE_CONT, vstr_str(out->pending),
		       QUEUE_LINE_CHUNK, why) < 0)
		return (-1);
	    out->content += QUEUE_LINE_CHUNK;
	    vstr_reset(out->pending);
	}
	take = QUEUE_LINE_CHUNK - vstr_len(out->pending);
	if (take > len)
	    take = len;
	vstr_memcat(out->pending, data, take);
	data += take;
	len -= take;
    }
    if (!more) {
	if (qo_put(out, REC_TYPE_NORM, vstr_str(out->pending),
		   vstr_len(out->pending), why) < 0)
	    return (-1);
	out->content += (long long) vstr_len(out->pending) + 1;
	vstr_reset(out->pending);
    }
    out->in_line = more;
    return (0);
}

/* queue_out_flags - flags to add at commit (content now known) */

void
queue_out_flags(struct queue_out *out, int flags)
{
    if (flags & ~QUEUE_FLAG_8BITMIME)
	msg_panic("queue_out_flags: bad flags %d", flags);
    if (out->state != QUEUE_OUT_CONTENT && out->state != QUEUE_OUT_FAILED)
	msg_panic("queue_out_flags: bad state %d", out->state);
    out->commit_flags |= flags & ~out->flags;
}

/* qo_patch - overwrite bytes that were written before */

static int
qo_patch(struct queue_out *out, const char *data, size_t len, off_t offset,
	         const char *what, struct vstr *why)
{
    ssize_t n;

    if ((n = pwrite(vstream_fd(out->fp), data, len, offset)) != (ssize_t) len) {
	out->state = QUEUE_OUT_FAILED;
	if (n >= 0)
	    errno = EIO;
	return (vstr_fail(why, "update %s: %s", what, strerror(errno)));
    }
    return (0);
}

/* queue_out_finish - end records, flush, patch size and flags */

int
queue_out_finish(struct queue_out *out, struct vstr *why)
{
    char    buf[QUEUE_SIZE_DIGITS + 1];
    char    mesg8 = REC_TYPE_MESG8;
    struct stat st;

    if (out->state == QUEUE_OUT_FAILED)
	return (vstr_fail(why, "queue file already failed"));
    if (out->state != QUEUE_OUT_CONTENT)
	msg_panic("queue_out_finish: bad state %d", out->state);
    if (out->in_line
	&& queue_out_text(out, "", 0, 0, why) < 0)
	return (-1);
    if (qo_put(out, REC_TYPE_XTRA, "", 0, why) < 0
	|| qo_put(out, REC_TYPE_END, "", 0, why) < 0)
	return (-1);
    errno = 0;
    if (vstream_flush(out->fp) != VSTREAM_OK) {
	out->state = QUEUE_OUT_FAILED;
	return (vstr_fail(why, "write queue file: %s",
		       errno ? strerror(errno) : "stream error"));
    }
    /* A socket or pipe (smtpd -> cleanup) cannot be patched: the
     * receiver counts the content itself (cleanup_proto.h). */
    if (vstream_fd(out->fp) < 0 || fstat(vstream_fd(out->fp), &st) < 0
	|| !S_ISREG(st.st_mode)) {
	if (out->commit_flags) {
	    out->state = QUEUE_OUT_FAILED;
	    errno = EINVAL;
	    return (vstr_fail(why, "cannot add flags on a stream"));
	}
	out->state = QUEUE_OUT_FINISHED;
	return (0);
    }
    snprintf(buf, sizeof(buf), "%0*lld", QUEUE_SIZE_DIGITS, out->content);
    if (qo_patch(out, buf, QUEUE_SIZE_DIGITS, out->size_offset,
		 "size record", why) < 0
	|| (out->commit_flags
	    && qo_patch(out, &mesg8, 1, out->mesg_offset, "mesg record",
			why) < 0))
	return (-1);
    out->state = QUEUE_OUT_FINISHED;
    return (0);
}
