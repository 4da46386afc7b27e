/*
 * deliver.c - the message copy shared by every kind of destination
 * (mbox, Maildir, file, command), the Delivered-To loop check, and the
 * per-recipient result.
 *
 * The queue file is opened once per request by the root parent, read
 * only; its envelope and header block are checked with the queue-file
 * reader (hostile input). Each delivery child reads the content again
 * through the inherited descriptor and writes:
 *	[From SENDER DATE]	(mbox and commands)
 *	Return-Path: <SENDER>
 *	Delivered-To: RECIPIENT
 *	the content lines, ">From " quoted for mbox
 *	[a blank line]		(mbox)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "local.h"
#include "queue_file.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "stringops.h"
#include "msg.h"

#define LOCAL_OUT_CHUNK	16384

 /*
  * A small buffered writer that keeps errno of a failed write and
  * counts bytes against a limit.
  */
struct local_out {
    int     fd;
    struct vstr *buf;
    off_t   total;
    off_t   limit;			/* 0: none */
    int     over;			/* limit exceeded */
};

/* local_out_flush - write what is buffered */

static int
local_out_flush(struct local_out *out)
{
    if (vstr_len(out->buf) > 0
	&& write_all(out->fd, vstr_str(out->buf), vstr_len(out->buf)) < 0)
	return (-1);
    vstr_reset(out->buf);
    return (0);
}

/* local_out_put - buffer len bytes */

static int
local_out_put(struct local_out *out, const char *data, size_t len)
{
    out->total += (off_t) len;
    if (out->limit > 0 && out->total > out->limit) {
	out->over = 1;
	errno = EFBIG;
	return (-1);
    }
    vstr_memcat(out->buf, data, len);
    return (vstr_len(out->buf) >= LOCAL_OUT_CHUNK ? local_out_flush(out) : 0);
}

/* local_out_str - buffer a string */

static int
local_out_str(struct local_out *out, const char *s)
{
    return (local_out_put(out, s, strlen(s)));
}

/* local_out_field - a header field value: control characters become '_' */

static int
local_out_field(struct local_out *out, const char *s)
{
    for ( /* void */ ; *s; s++)
	if (local_out_put(out, ((unsigned char) *s < ' ' || *s == 0x7f) ?
			  "_" : s, 1) < 0)
	    return (-1);
    return (0);
}

/* local_msg_headers - collect Delivered-To values from the header block */

static int
local_msg_headers(struct local_msg *msg, struct queue_reader *r,
		          struct vstr *why)
{
    struct vstr *line = vstr_alloc(200);
    int     rc;
    int     count = 0;
    const char *v;

    while ((rc = queue_read_line(r, line, 1000, why)) == QUEUE_LINE
	   || rc == QUEUE_PART) {
	if (vstr_len(line) == 0 || ++count > LOCAL_DELIVERED_MAX)
	    break;
	if (rc == QUEUE_PART) {
	    /* An overlong header line: skip the rest of it. */
	    while ((rc = queue_read_line(r, line, 1000, why)) == QUEUE_PART)
		 /* void */ ;
	    if (rc != QUEUE_LINE)
		break;
	    continue;
	}
	if (strncasecmp(vstr_str(line), "Delivered-To:", 13) == 0) {
	    v = vstr_str(line) + 13;
	    while (*v == ' ' || *v == '\t')
		v++;
	    argv_add(msg->delivered, v);
	    str_lower(msg->delivered->argv[msg->delivered->argc - 1]);
	    str_trim(msg->delivered->argv[msg->delivered->argc - 1]);
	}
    }
    vstr_free(line);
    return (rc == QUEUE_ERR ? -1 : 0);
}

/* local_msg_open - open and check the queue file */

int
local_msg_open(struct local_msg *msg, const char *path, struct vstr *why)
{
    struct queue_reader *r;
    struct queue_env env;
    int     rc;

    msg->fd = -1;
    msg->delivered = argv_alloc(4);
    if ((r = queue_read_open(path, 0, why)) == 0)
	return (-1);
    queue_env_init(&env);
    if ((rc = queue_read_envelope(r, &env, why)) == 0) {
	msg->arrival = env.arrival.tv_sec;
	rc = local_msg_headers(msg, r, why);
    }
    if (rc == 0 && (msg->fd = fcntl(queue_read_fd(r), F_DUPFD_CLOEXEC, 3)) < 0)
	rc = vstr_fail(why, "dup: %m");
    queue_env_free(&env);
    queue_read_close(r);
    return (rc < 0 ? -1 : 0);
}

/* local_msg_close - release the queue file */

void
local_msg_close(struct local_msg *msg)
{
    if (msg->fd >= 0)
	(void) close(msg->fd);
    msg->fd = -1;
    argv_free(msg->delivered);
    msg->delivered = 0;
}

/* local_msg_looped - does the message already carry Delivered-To: addr? */

int
local_msg_looped(const struct local_msg *msg, const char *addr)
{
    size_t  n;

    for (n = 0; msg->delivered && n < msg->delivered->argc; n++)
	if (strcasecmp(msg->delivered->argv[n], addr) == 0)
	    return (1);
    return (0);
}

/* local_copy_from - the mbox separator "From sender date" */

static int
local_copy_from(struct local_out *out, const struct local_msg *msg)
{
    struct vstr *buf = vstr_alloc(100);
    const char *s = *msg->sender ? msg->sender : "MAILER-DAEMON";
    char    date[64];
    struct tm tm;
    int     rc;

    vstr_strcpy(buf, "From ");
    for ( /* void */ ; *s; s++)
	vstr_addch(buf, (*s > ' ' && *s < 0x7f) ? *s : '_');
    if (localtime_r(&msg->arrival, &tm) == 0
	|| strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) == 0)
	strcpy(date, "Thu Jan  1 00:00:00 1970");
    vstr_sprintf_append(buf, "  %s\n", date);	/* as Postfix */
    rc = local_out_str(out, vstr_str(buf));
    vstr_free(buf);
    return (rc);
}

/* local_copy_body - the content lines */

static int
local_copy_body(struct local_out *out, struct queue_reader *r, int flags,
		        struct vstr *why)
{
    struct vstr *line = vstr_alloc(200);
    int     rc;
    int     start = 1;			/* at the start of a line */
    int     status = 0;

    while ((rc = queue_read_line(r, line, QUEUE_LINE_CHUNK, why)) == QUEUE_LINE
	   || rc == QUEUE_PART) {
	if (start && (flags & LOCAL_COPY_QUOTE) && vstr_len(line) >= 5
	    && memcmp(vstr_str(line), "From ", 5) == 0
	    && local_out_put(out, ">", 1) < 0) {
	    status = -1;
	    break;
	}
	if (local_out_put(out, vstr_str(line), vstr_len(line)) < 0
	    || (rc == QUEUE_LINE && local_out_put(out, "\n", 1) < 0)) {
	    status = -1;
	    break;
	}
	start = (rc == QUEUE_LINE);
    }
    if (status == 0 && rc != QUEUE_END) {
	errno = EIO;
	status = -2;
    }
    vstr_free(line);
    return (status);
}

/* local_msg_copy - write the message to fd; LOCAL_COPY_* flags */

int
local_msg_copy(const struct local_msg *msg, int fd, const char *delivered_to,
	               int flags, off_t limit, struct vstr *why)
{
    struct local_out out;
    struct vstream *fp;
    struct queue_reader *r;
    struct queue_env env;
    int     dfd;
    int     rc = -2;

    memset(&out, 0, sizeof(out));
    out.fd = fd;
    out.limit = limit;
    out.buf = vstr_alloc(LOCAL_OUT_CHUNK + QUEUE_LINE_CHUNK);
    if (lseek(msg->fd, 0, SEEK_SET) < 0
	|| (dfd = fcntl(msg->fd, F_DUPFD_CLOEXEC, 3)) < 0) {
	vstr_free(out.buf);
	return (vstr_fail(why, "cannot read queue file: %m") - 1);
    }
    fp = vstream_fdopen(dfd, VSTREAM_READ);
    r = queue_read_stream(fp);
    queue_env_init(&env);
    if (queue_read_envelope(r, &env, why) == 0) {
	if (((flags & LOCAL_COPY_FROM) && local_copy_from(&out, msg) < 0)
	    || local_out_str(&out, "Return-Path: <") < 0
	    || local_out_field(&out, msg->sender) < 0
	    || local_out_str(&out, ">\nDelivered-To: ") < 0
	    || local_out_field(&out, delivered_to) < 0
	    || local_out_str(&out, "\n") < 0)
	    rc = -1;
	else
	    rc = local_copy_body(&out, r, flags, why);
	if (rc == 0 && (flags & LOCAL_COPY_BLANK))
	    rc = local_out_str(&out, "\n");
	if (rc == 0)
	    rc = local_out_flush(&out);
    }
    queue_env_free(&env);
    queue_read_close(r);
    (void) vstream_close(fp);
    if (rc == -1 && out.over)
	rc = vstr_fail(why, "message would exceed the size limit") - 2;
    else if (rc == -1)
	rc = vstr_fail(why, "write error: %m");
    vstr_free(out.buf);
    return (rc);
}

/* local_result_init - an empty result: nothing delivered yet */

void
local_result_init(struct local_result *res)
{
    res->status = MAIL_STAT_OK;
    res->dsn = vstr_alloc(10);
    res->why = vstr_alloc(100);
    res->count = 0;
}

/* local_result_free - release */

void
local_result_free(struct local_result *res)
{
    vstr_free(res->dsn);
    vstr_free(res->why);
}

/* local_result_rank - DEFER is worse than BOUNCE is worse than OK */

static int
local_result_rank(int status)
{
    return (status == MAIL_STAT_OK ? 0 : status == MAIL_STAT_BOUNCE ? 1 : 2);
}

/* local_child_status - a child's result: OK, BOUNCE, else DEFER */

int
local_child_status(int status)
{
    return (status == MAIL_STAT_OK || status == MAIL_STAT_BOUNCE ?
	    status : MAIL_STAT_DEFER);
}

/* local_result_set - record one destination's outcome */

void
local_result_set(struct local_result *res, int status, const char *dsn,
		         const char *fmt,...)
{
    va_list ap;

    if (res->count > 0 && local_result_rank(status)
	<= local_result_rank(res->status)) {
	res->count++;
	return;
    }
    res->status = status;
    vstr_strcpy(res->dsn, dsn);
    vstr_reset(res->why);
    va_start(ap, fmt);
    vstr_vsprintf_append(res->why, fmt, ap);
    va_end(ap);
    if (vstr_len(res->why) > LOCAL_WHY_MAX)
	vstr_truncate(res->why, LOCAL_WHY_MAX);
    res->count++;
}

/* local_result_merge - fold one result into another */

void
local_result_merge(struct local_result *into, const struct local_result *from)
{
    if (from->count == 0)
	return;
    local_result_set(into, from->status, vstr_str(from->dsn), "%s",
		     vstr_str(from->why));
}

/* local_dsn_len - length of a leading "X.Y.Z " code, else 0 */

static size_t
local_dsn_len(const char *text)
{
    const char *cp = text;
    int     part;
    int     digits;

    if (*cp != '2' && *cp != '4' && *cp != '5')
	return (0);
    cp++;
    for (part = 0; part < 2; part++) {
	if (*cp++ != '.')
	    return (0);
	for (digits = 0; *cp >= '0' && *cp <= '9' && digits < 4; digits++)
	    cp++;
	if (digits == 0 || digits > 3)
	    return (0);
    }
    return (*cp == ' ' ? (size_t) (cp - text) : 0);
}

/* local_result_text - a result from "X.Y.Z text" (the code optional) */

void
local_result_text(struct local_result *res, int status, const char *text)
{
    char    dsn[16];
    size_t  n = local_dsn_len(text);

    if (n > 0 && n < sizeof(dsn)) {
	memcpy(dsn, text, n);
	dsn[n] = 0;
	text += n + 1;
    } else {
	strcpy(dsn, "2.0.0");
    }
    dsn[0] = (status == MAIL_STAT_OK ? '2' :
	      status == MAIL_STAT_BOUNCE ? '5' : '4');
    if (n == 0 && status != MAIL_STAT_OK)
	strcpy(dsn + 1, ".3.0");
    local_result_set(res, status, dsn, "%s", text);
}
