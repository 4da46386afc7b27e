/*
 * queue_read.c - read a queue file as hostile input (see queue_file.h).
 *
 * The envelope must follow one order (docs/queue.md); each record type
 * has a rank and the set of ranks that may come just before it, so a
 * repeated, missing or misplaced record is caught by one table lookup.
 * Content lines are rebuilt from their pieces, and the size record, the
 * end record and the end of file are all checked, so a file truncated
 * at any byte is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "iostuff.h"
#include "record.h"
#include "queue_file.h"

#define QR_ENVELOPE	0
#define QR_CONTENT	1
#define QR_END		2
#define QR_FAILED	3

struct queue_reader {
    struct vstream *fp;
    int     own;			/* we opened it, we close it */
    int     state;
    int     in_line;			/* last piece was a continuation */
    off_t   offset;			/* of the next record */
    long long size;			/* from the size record */
    long long seen;			/* content bytes so far */
    struct vstr *buf;
    struct vstr *reason;		/* scratch for lower layers */
};

 /*
  * Envelope order: a record of rank r may follow a record whose rank is
  * in [lo, hi], or equals alt. The first record follows rank -1.
  */
struct qr_order {
    int     type;
    int     rank;
    int     lo;
    int     hi;
    int     alt;
};

#define QR_RANK_SENDER	11
#define QR_RANK_RCPT	14
#define QR_RANK_MESG	15

static const struct qr_order qr_order[] = {
    {REC_TYPE_VERSION, 0, -1, -1, -9},
    {REC_TYPE_TIME, 1, 0, 0, -9},
    {REC_TYPE_SIZE, 2, 1, 1, -9},
    {REC_TYPE_CLIENT_NAME, 3, 2, 2, -9},
    {REC_TYPE_CLIENT_ADDR, 4, 2, 3, -9},
    {REC_TYPE_HELO, 5, 2, 4, -9},
    {REC_TYPE_PROTOCOL, 6, 2, 5, -9},
    {REC_TYPE_SASL_USER, 7, 2, 6, -9},
    {REC_TYPE_FLAGS, 8, 2, 7, -9},
    {REC_TYPE_DSN_RET, 9, 2, 8, -9},
    {REC_TYPE_DSN_ENVID, 10, 2, 9, -9},
    {REC_TYPE_SENDER, QR_RANK_SENDER, 2, 10, -9},
    {REC_TYPE_DSN_ORCPT, 12, 11, 11, QR_RANK_RCPT},
    {REC_TYPE_DSN_NOTIFY, 13, 11, 12, QR_RANK_RCPT},
    {REC_TYPE_RCPT, QR_RANK_RCPT, 11, 14, -9},
    {REC_TYPE_DONE, QR_RANK_RCPT, 11, 14, -9},
    {REC_TYPE_MESG, QR_RANK_MESG, 14, 14, -9},
    {REC_TYPE_MESG8, QR_RANK_MESG, 14, 14, -9},
};

/* qr_fail - mark failed, store a reason with the offset, return -1 */

static int PRINTFLIKE(3, 4)
qr_fail(struct queue_reader *r, struct vstr *why, const char *fmt,...)
{
    va_list ap;

    r->state = QR_FAILED;
    if (why != 0) {
	vstr_sprintf(why, "offset %lld: ", (long long) r->offset);
	va_start(ap, fmt);
	vstr_vsprintf_append(why, fmt, ap);
	va_end(ap);
    }
    errno = EINVAL;
    return (QUEUE_ERR);
}

/* qr_get - next record; EOF is an error unless eof_ok */

static int
qr_get(struct queue_reader *r, size_t maxlen, int eof_ok, struct vstr *why)
{
    int     type;

    type = rec_get_why(r->fp, r->buf, maxlen, r->reason);
    if (type == REC_TYPE_ERROR)
	qr_fail(r, why, "%s", vstr_str(r->reason));
    else if (type == REC_TYPE_EOF && !eof_ok)
	type = qr_fail(r, why, "premature end of file");
    else if (type != REC_TYPE_EOF)
	r->offset += (off_t) REC_SIZE(vstr_len(r->buf));
    return (type);
}

/* qr_alloc - common part of the constructors */

static struct queue_reader *
qr_alloc(struct vstream *fp, int own)
{
    struct queue_reader *r = mymalloc(sizeof(*r));

    memset(r, 0, sizeof(*r));
    r->fp = fp;
    r->own = own;
    r->state = QR_ENVELOPE;
    r->buf = vstr_alloc(QUEUE_LINE_CHUNK);
    r->reason = vstr_alloc(100);
    return (r);
}

/* queue_read_open - open a queue file by path */

struct queue_reader *
queue_read_open(const char *path, int rdwr, struct vstr *why)
{
    struct stat st;
    int     fd;

    if ((fd = open(path, (rdwr ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC
		   | O_NOCTTY | O_NONBLOCK)) < 0) {
	if (why)
	    vstr_sprintf(why, "open %s: %s", path, strerror(errno));
	return (0);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)
	|| non_blocking(fd, BLOCKING) < 0) {
	if (why)
	    vstr_sprintf(why, "open %s: not a regular file", path);
	(void) close(fd);
	errno = EINVAL;
	return (0);
    }
    return (qr_alloc(vstream_fdopen(fd, VSTREAM_READ), 1));
}

/* queue_read_stream - read from a stream that stays the caller's */

struct queue_reader *
queue_read_stream(struct vstream *fp)
{
    return (qr_alloc(fp, 0));
}

/* queue_read_fd - the descriptor, for queue_mark_done() */

int
queue_read_fd(struct queue_reader *r)
{
    return (vstream_fd(r->fp));
}

/* qr_store - keep one validated envelope field */

static void
qr_store(struct queue_env *env, int type, const char *data, size_t len)
{
    long long val;
    char  **field = 0;

    switch (type) {
    case REC_TYPE_TIME:
	(void) queue_field_time(data, len, &env->arrival);
	return;
    case REC_TYPE_FLAGS:
    case REC_TYPE_DSN_RET:
	(void) queue_field_num(data, len, &val);
	*(type == REC_TYPE_FLAGS ? &env->flags : &env->dsn_ret) = (int) val;
	return;
    case REC_TYPE_CLIENT_NAME: field = &env->client_name; break;
    case REC_TYPE_CLIENT_ADDR: field = &env->client_addr; break;
    case REC_TYPE_HELO: field = &env->helo; break;
    case REC_TYPE_PROTOCOL: field = &env->protocol; break;
    case REC_TYPE_SASL_USER: field = &env->sasl_user; break;
    case REC_TYPE_DSN_ENVID: field = &env->dsn_envid; break;
    case REC_TYPE_SENDER: field = &env->sender; break;
    default:
	return;
    }
    *field = mymemdup(data, len);
}

/* qr_envelope_record - check order and value, store one record */

static int
qr_envelope_record(struct queue_reader *r, struct queue_env *env, int type,
		           int *prev, char **orcpt, int *notify, struct vstr *why)
{
    const struct qr_order *op;
    const char *data = vstr_str(r->buf);
    size_t  len = vstr_len(r->buf);
    long long val;

    for (op = qr_order; op < qr_order + ARRAY_LEN(qr_order); op++)
	if (op->type == type)
	    break;
    if (op >= qr_order + ARRAY_LEN(qr_order))
	return (qr_fail(r, why, "%s record before end of envelope",
			rec_type_name(type)));
    if ((*prev < op->lo || *prev > op->hi) && *prev != op->alt)
	return (qr_fail(r, why, *prev == -1 ? "bad magic: file does not "
			"start with a version record" : "%s record out of "
			"order, repeated or missing a required record",
			rec_type_name(type)));
    if (queue_field_ok(type, data, len, r->reason) < 0)
	return (qr_fail(r, why, "%s", vstr_str(r->reason)));
    *prev = op->rank;
    if (type == REC_TYPE_SIZE) {
	for (r->size = 0; len > 0; data++, len--)
	    r->size = r->size * 10 + (*data - '0');	/* checked above */
    } else if (type == REC_TYPE_DSN_ORCPT) {
	*orcpt = mymemdup(data, len);
    } else if (type == REC_TYPE_DSN_NOTIFY) {
	(void) queue_field_num(data, len, &val);
	*notify = (int) val;
    } else if (type == REC_TYPE_MESG8) {
	/* One encoding per value: the writer adds only what f lacks. */
	if (env->flags & QUEUE_FLAG_8BITMIME)
	    return (qr_fail(r, why, "%s record with 8BITMIME in flags record",
			    rec_type_name(type)));
	env->flags |= QUEUE_FLAG_8BITMIME;
	env->commit_flags = QUEUE_FLAG_8BITMIME;
    } else if (type == REC_TYPE_RCPT || type == REC_TYPE_DONE) {
	queue_env_add_rcpt(env, data, *orcpt, *notify);
	env->rcpt[env->rcpt_count - 1].done = (type == REC_TYPE_DONE);
	env->rcpt[env->rcpt_count - 1].offset =
	    r->offset - (off_t) REC_SIZE(len);
	myfree(*orcpt);
	*orcpt = 0;
	*notify = 0;
    } else {
	qr_store(env, type, data, len);
    }
    return (0);
}

/* queue_read_envelope - parse everything up to the start of content */

int
queue_read_envelope(struct queue_reader *r, struct queue_env *env,
		            struct vstr *why)
{
    char   *orcpt = 0;
    int     notify = 0;
    int     prev = -1;
    int     type;
    int     ret = 0;

    if (r->state != QR_ENVELOPE)
	msg_panic("queue_read_envelope: bad state %d", r->state);
    memset(env, 0, sizeof(*env));
    while (prev != QR_RANK_MESG) {
	if ((type = qr_get(r, QUEUE_ADDR_MAX, 0, why)) < 0
	    || qr_envelope_record(r, env, type, &prev, &orcpt, &notify,
				  why) < 0) {
	    ret = QUEUE_ERR;
	    break;
	}
    }
    myfree(orcpt);
    if (ret < 0) {
	queue_env_free(env);
	return (ret);
    }
    env->size = r->size;
    r->state = QR_CONTENT;
    return (0);
}

/* qr_trailer - after the content: end record, then end of file */

static int
qr_trailer(struct queue_reader *r, struct vstr *why)
{
    int     type;

    if (r->in_line)
	return (qr_fail(r, why, "partial line at end of content"));
    if (r->seen != r->size)
	return (qr_fail(r, why, "content size %lld, size record says %lld",
			r->seen, r->size));
    if ((type = qr_get(r, QUEUE_ADDR_MAX, 0, why)) < 0)
	return (QUEUE_ERR);
    if (type != REC_TYPE_END)
	return (qr_fail(r, why, "%s record after end of content",
			rec_type_name(type)));
    if (queue_field_ok(type, vstr_str(r->buf), vstr_len(r->buf), r->reason) < 0)
	return (qr_fail(r, why, "%s", vstr_str(r->reason)));
    if ((type = vstream_getc(r->fp)) >= 0)
	return (qr_fail(r, why, "data after end record"));
    if (type != VSTREAM_EOF)
	return (qr_fail(r, why, "read error after end record"));
    r->state = QR_END;
    return (QUEUE_END);
}

/* queue_read_line - next content line, or a piece of a long one */

int
queue_read_line(struct queue_reader *r, struct vstr *line, size_t maxlen,
		        struct vstr *why)
{
    size_t  len;
    int     type;

    if (r->state == QR_END)
	return (QUEUE_END);
    if (r->state != QR_CONTENT)
	return (qr_fail(r, why, "queue file not positioned at content"));
    vstr_reset(line);
    for (;;) {
	if ((type = qr_get(r, QUEUE_LINE_CHUNK, 0, why)) < 0)
	    return (QUEUE_ERR);
	if (type != REC_TYPE_NORM && type != REC_TYPE_CONT
	    && type != REC_TYPE_XTRA)
	    return (qr_fail(r, why, "%s record in content",
			    rec_type_name(type)));
	len = vstr_len(r->buf);
	if (queue_field_ok(type, vstr_str(r->buf), len, r->reason) < 0)
	    return (qr_fail(r, why, "%s", vstr_str(r->reason)));
	if (type == REC_TYPE_XTRA)
	    return (qr_trailer(r, why));
	if (type == REC_TYPE_NORM && r->in_line && len == 0)
	    return (qr_fail(r, why, "empty piece after a continuation"));
	r->seen += (long long) len + (type == REC_TYPE_NORM);
	if (r->seen > r->size)
	    return (qr_fail(r, why, "content exceeds size record (%lld)",
			    r->size));
	vstr_memcat(line, vstr_str(r->buf), len);
	r->in_line = (type == REC_TYPE_CONT);
	if (type == REC_TYPE_NORM)
	    return (QUEUE_LINE);
	if (maxlen > 0 && vstr_len(line) >= maxlen)
	    return (QUEUE_PART);
    }
}

/* queue_read_close - release; close the file if we opened it */

void
queue_read_close(struct queue_reader *r)
{
    if (r->own)
	(void) vstream_close(r->fp);
    vstr_free(r->buf);
    vstr_free(r->reason);
    myfree(r);
}
