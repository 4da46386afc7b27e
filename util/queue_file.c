/*
 * queue_file.c - the envelope structure, the rules for each envelope
 * field, and the in-place "done" marker (see queue_file.h).
 *
 * The writer (queue_out.c) and the reader (queue_read.c) both check
 * fields with queue_field_ok(), so whatever the writer accepts the reader
 * reads back, and whatever the reader accepts the writer could have
 * written. No envelope field may hold a control character: a CR, LF or
 * NUL can never reach a later consumer (SECURITY-CASES C3, C4).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "rec_type.h"
#include "record.h"
#include "queue_file.h"

#define QF_TEXT		1		/* no controls; 8-bit allowed */
#define QF_ASCII	2		/* printable US-ASCII, space included */
#define QF_NUM		3		/* canonical decimal in [lo, hi] */
#define QF_EMPTY	4		/* no data */
#define QF_MAGIC	5		/* QUEUE_MAGIC */
#define QF_TIME		6		/* seconds.microseconds */
#define QF_SIZE		7		/* QUEUE_SIZE_DIGITS digits */
#define QF_NOTIFY	8		/* QUEUE_NOTIFY_* mask */
#define QF_CONTENT	9		/* any bytes */

struct qf_rule {
    int     type;
    int     kind;
    size_t  min;			/* length, or value for QF_NUM */
    size_t  max;
};

static const struct qf_rule qf_rules[] = {
    {REC_TYPE_VERSION, QF_MAGIC, 0, 0},
    {REC_TYPE_TIME, QF_TIME, 0, 0},
    {REC_TYPE_SIZE, QF_SIZE, 0, 0},
    {REC_TYPE_CLIENT_NAME, QF_TEXT, 1, 255},
    {REC_TYPE_CLIENT_ADDR, QF_ASCII, 1, 64},
    {REC_TYPE_HELO, QF_TEXT, 1, 1024},
    {REC_TYPE_PROTOCOL, QF_ASCII, 1, 32},
    {REC_TYPE_SASL_USER, QF_TEXT, 1, 512},
    {REC_TYPE_FLAGS, QF_NUM, 1, QUEUE_FLAG_ALL},
    {REC_TYPE_DSN_RET, QF_NUM, QUEUE_RET_FULL, QUEUE_RET_HDRS},
    {REC_TYPE_DSN_ENVID, QF_ASCII, 1, QUEUE_ENVID_MAX},
    {REC_TYPE_SENDER, QF_TEXT, 0, QUEUE_ADDR_MAX},
    {REC_TYPE_DSN_ORCPT, QF_TEXT, 1, QUEUE_ORCPT_MAX},
    {REC_TYPE_DSN_NOTIFY, QF_NOTIFY, 1, 15},
    {REC_TYPE_RCPT, QF_TEXT, 1, QUEUE_ADDR_MAX},
    {REC_TYPE_DONE, QF_TEXT, 1, QUEUE_ADDR_MAX},
    {REC_TYPE_MESG, QF_EMPTY, 0, 0},
    {REC_TYPE_MESG8, QF_EMPTY, 0, 0},
    {REC_TYPE_NORM, QF_CONTENT, 0, QUEUE_LINE_CHUNK},
    {REC_TYPE_CONT, QF_CONTENT, QUEUE_LINE_CHUNK, QUEUE_LINE_CHUNK},
    {REC_TYPE_XTRA, QF_EMPTY, 0, 0},
    {REC_TYPE_END, QF_EMPTY, 0, 0},
};

/* queue_env_init - empty envelope, arrival now */

void
queue_env_init(struct queue_env *env)
{
    memset(env, 0, sizeof(*env));
    if (gettimeofday(&env->arrival, (struct timezone *) 0) < 0)
	msg_fatal("gettimeofday: %m");
}

/* queue_env_free - release every string */

void
queue_env_free(struct queue_env *env)
{
    size_t  i;

    myfree(env->client_name);
    myfree(env->client_addr);
    myfree(env->helo);
    myfree(env->protocol);
    myfree(env->sasl_user);
    myfree(env->dsn_envid);
    myfree(env->sender);
    for (i = 0; i < env->rcpt_count; i++) {
	myfree(env->rcpt[i].address);
	myfree(env->rcpt[i].orcpt);
    }
    myfree(env->rcpt);
    memset(env, 0, sizeof(*env));
}

/* queue_env_add_rcpt - append a copy of a recipient */

void
queue_env_add_rcpt(struct queue_env *env, const char *addr,
		           const char *orcpt, int notify)
{
    struct queue_rcpt *rp;

    if (env->rcpt_count == env->rcpt_alloc) {
	env->rcpt_alloc = env->rcpt_alloc ? env->rcpt_alloc * 2 : 8;
	env->rcpt = myrealloc(env->rcpt, env->rcpt_alloc * sizeof(*env->rcpt));
    }
    rp = env->rcpt + env->rcpt_count++;
    rp->address = mystrdup(addr);
    rp->orcpt = orcpt ? mystrdup(orcpt) : 0;
    rp->notify = notify;
    rp->done = 0;
    rp->offset = 0;
}

/* qf_digits - parse len decimal digits, no overflow */

static int
qf_digits(const char *data, size_t len, long long *val)
{
    long long v = 0;
    size_t  i;

    if (len == 0)
	return (-1);
    for (i = 0; i < len; i++) {
	if (data[i] < '0' || data[i] > '9')
	    return (-1);
	if (v > (LLONG_MAX - (data[i] - '0')) / 10)
	    return (-1);
	v = v * 10 + (data[i] - '0');
    }
    *val = v;
    return (0);
}

/* queue_field_num - canonical decimal number */

int
queue_field_num(const char *data, size_t len, long long *val)
{
    if (len == 0 || len > 18 || (data[0] == '0' && len > 1))
	return (-1);
    return (qf_digits(data, len, val));
}

/* queue_field_time - "seconds.microseconds" */

int
queue_field_time(const char *data, size_t len, struct timeval *tv)
{
    const char *dot = memchr(data, '.', len);
    long long sec;
    long long usec;

    if (dot == 0 || data + len - dot != 7
	|| queue_field_num(data, (size_t) (dot - data), &sec) < 0
	|| qf_digits(dot + 1, 6, &usec) < 0 || sec > (long long) INT_MAX * 4)
	return (-1);
    tv->tv_sec = (time_t) sec;
    tv->tv_usec = (suseconds_t) usec;
    return (0);
}

/* qf_chars_ok - every byte allowed for the kind? */

static int
qf_chars_ok(int kind, const char *data, size_t len, size_t *bad)
{
    const unsigned char *cp = (const unsigned char *) data;
    size_t  i;

    for (i = 0; i < len; i++) {
	if (cp[i] < 0x20 || cp[i] == 0x7f || (kind == QF_ASCII && cp[i] > 0x7f)) {
	    *bad = i;
	    return (0);
	}
    }
    return (1);
}

/* qf_number_ok - QF_NUM and QF_NOTIFY values */

static int
qf_number_ok(const struct qf_rule *rp, const char *data, size_t len,
	             struct vstr *why)
{
    long long val;

    if (queue_field_num(data, len, &val) < 0)
	return (vstr_fail(why, "%s record: not a canonical number",
		       rec_type_name(rp->type)));
    if (val < (long long) rp->min || val > (long long) rp->max)
	return (vstr_fail(why, "%s record: value %lld out of range",
		       rec_type_name(rp->type), val));
    if (rp->kind == QF_NOTIFY && (val & QUEUE_NOTIFY_NEVER) && val != QUEUE_NOTIFY_NEVER)
	return (vstr_fail(why, "dsn_notify record: NEVER combined with other values"));
    if (rp->kind == QF_NUM && rp->type == REC_TYPE_FLAGS && (val & ~QUEUE_FLAG_ALL))
	return (vstr_fail(why, "flags record: unknown flag bits"));
    return (0);
}

/* queue_field_ok - is data a valid value for this record type? */

int
queue_field_ok(int type, const char *data, size_t len, struct vstr *why)
{
    const struct qf_rule *rp;
    struct timeval tv;
    long long val;
    size_t  bad;

    for (rp = qf_rules; rp < qf_rules + ARRAY_LEN(qf_rules); rp++)
	if (rp->type == type)
	    break;
    if (rp >= qf_rules + ARRAY_LEN(qf_rules))
	return (vstr_fail(why, "unknown record type 0x%02x", type & 0xff));
    switch (rp->kind) {
    case QF_MAGIC:
	if (len != strlen(QUEUE_MAGIC) || memcmp(data, QUEUE_MAGIC, len) != 0)
	    return (vstr_fail(why, "bad magic or unsupported queue file version"));
	return (0);
    case QF_TIME:
	if (queue_field_time(data, len, &tv) < 0)
	    return (vstr_fail(why, "time record: bad format"));
	return (0);
    case QF_SIZE:
	if (len != QUEUE_SIZE_DIGITS || qf_digits(data, len, &val) < 0)
	    return (vstr_fail(why, "size record: bad format"));
	return (0);
    case QF_NUM:
    case QF_NOTIFY:
	return (qf_number_ok(rp, data, len, why));
    case QF_EMPTY:
	return (len ? vstr_fail(why, "%s record: unexpected data",
			     rec_type_name(type)) : 0);
    }
    if (len < rp->min || len > rp->max)
	return (vstr_fail(why, "%s record: length %lu not in %lu..%lu",
		       rec_type_name(type), (unsigned long) len,
		       (unsigned long) rp->min, (unsigned long) rp->max));
    if (rp->kind != QF_CONTENT && !qf_chars_ok(rp->kind, data, len, &bad))
	return (vstr_fail(why, "%s record: bad character 0x%02x at position %lu",
		       rec_type_name(type), ((const unsigned char *) data)[bad],
		       (unsigned long) bad));
    return (0);
}

/* queue_mark_done - rewrite a recipient record as done, in place */

int
queue_mark_done(int fd, off_t offset, struct vstr *why)
{
    unsigned char type;
    unsigned char done = REC_TYPE_DONE;
    ssize_t n;

    if (offset < 0)
	return (vstr_fail(why, "bad recipient offset %lld", (long long) offset));
    if ((n = pread(fd, &type, 1, offset)) != 1)
	return (vstr_fail(why, "read recipient record at %lld: %s",
		       (long long) offset,
		       n < 0 ? strerror(errno) : "end of file"));
    if (type == REC_TYPE_DONE)
	return (0);
    if (type != REC_TYPE_RCPT) {
	errno = EINVAL;
	return (vstr_fail(why, "no recipient record at offset %lld (type 0x%02x)",
		       (long long) offset, type));
    }
    if (pwrite(fd, &done, 1, offset) != 1)
	return (vstr_fail(why, "mark recipient done at %lld: %s",
		       (long long) offset, strerror(errno)));
    if (fsync(fd) < 0)
	return (vstr_fail(why, "fsync after marking recipient done: %s",
		       strerror(errno)));
    return (0);
}
