/*
 * attr_clnt.c - request/reply client with one deadline (see attr_clnt.h).
 *
 * vstream deadlines are per operation, and one reply takes many reads;
 * a server that sends a byte just before each read's timeout could keep
 * a client waiting for (reads x timeout). So the client installs its own
 * read/write functions on the stream (vstream_set_io): each one polls
 * only for the time left until the request's deadline, and fails with
 * ETIMEDOUT once it has passed. The whole exchange - connect, protocol
 * announcement, request, reply - is thereby bounded by timeout_secs.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "attr_clnt.h"
#include "unix_sock.h"
#include "mymalloc.h"
#include "msg.h"

struct attr_clnt {
    char   *path;			/* null: fdopen, no reconnect */
    char   *protocol;
    int     timeout;			/* seconds, 0 = none */
    struct attr_limits lim;
    int     fd;				/* fdopen descriptor, not yet used */
    struct vstream *fp;			/* cached connection or null */
    long long deadline;			/* ms, 0 = none */
    int     timed_out;
    int     saw_eof;
    int     status;
};

/* attr_clnt_now - monotonic milliseconds */

static long long
attr_clnt_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	msg_fatal("clock_gettime: %m");
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* attr_clnt_wait - wait for fd readiness until the deadline */

static int
attr_clnt_wait(struct attr_clnt *cl, int fd, short events)
{
    struct pollfd pfd;
    long long left;
    int     n;

    for (;;) {
	left = -1;
	if (cl->deadline && (left = cl->deadline - attr_clnt_now()) <= 0) {
	    cl->timed_out = 1;
	    errno = ETIMEDOUT;
	    return (-1);
	}
	pfd.fd = fd;
	pfd.events = events;
	pfd.revents = 0;
	n = poll(&pfd, 1, left > 0x7fffffff ? 0x7fffffff : (int) left);
	if (n > 0)
	    return (0);
	if (n < 0 && errno != EINTR)
	    return (-1);
    }
}

/* attr_clnt_read - vstream read function bounded by the deadline */

static ssize_t
attr_clnt_read(int fd, void *buf, size_t len, void *ctx)
{
    struct attr_clnt *cl = ctx;
    ssize_t n;

    if (attr_clnt_wait(cl, fd, POLLIN) < 0)
	return (-1);
    if ((n = read(fd, buf, len)) == 0)
	cl->saw_eof = 1;
    return (n);
}

/* attr_clnt_write - vstream write function bounded by the deadline */

static ssize_t
attr_clnt_write(int fd, void *buf, size_t len, void *ctx)
{
    struct attr_clnt *cl = ctx;
    ssize_t n;

    if (attr_clnt_wait(cl, fd, POLLOUT) < 0)
	return (-1);
    if ((n = send(fd, buf, len, MSG_NOSIGNAL)) < 0 && errno == ENOTSOCK)
	n = write(fd, buf, len);
    if (n < 0 && errno == EPIPE)
	cl->saw_eof = 1;
    return (n);
}

/* attr_clnt_alloc - common constructor */

static struct attr_clnt *
attr_clnt_alloc(const char *protocol, int timeout_secs)
{
    struct attr_clnt *cl = mycalloc(1, sizeof(*cl));

    cl->protocol = mystrdup(protocol);
    cl->timeout = timeout_secs > 0 ? timeout_secs : 0;
    cl->lim = attr_default_limits;
    cl->fd = -1;
    cl->status = ATTR_CLNT_OK;
    return (cl);
}

struct attr_clnt *
attr_clnt_create(const char *path, const char *protocol, int timeout_secs)
{
    struct attr_clnt *cl = attr_clnt_alloc(protocol, timeout_secs);

    cl->path = mystrdup(path);
    return (cl);
}

struct attr_clnt *
attr_clnt_fdopen(int fd, const char *protocol, int timeout_secs)
{
    struct attr_clnt *cl = attr_clnt_alloc(protocol, timeout_secs);

    cl->fd = fd;
    return (cl);
}

void
attr_clnt_set_limits(struct attr_clnt *cl, const struct attr_limits *lim)
{
    cl->lim = *lim;
}

int
attr_clnt_status(const struct attr_clnt *cl)
{
    return (cl->status);
}

/* attr_clnt_disconnect - close the cached connection */

void
attr_clnt_disconnect(struct attr_clnt *cl)
{
    long long saved = cl->deadline;

    /*
     * vstream_close() flushes; a deadline of "now" makes any output left
     * by a failed request fail at once instead of blocking.
     */
    if (cl->fp) {
	cl->deadline = attr_clnt_now();
	(void) vstream_close(cl->fp);
	cl->fp = 0;
	cl->deadline = saved;
    }
}

void
attr_clnt_free(struct attr_clnt *cl)
{
    attr_clnt_disconnect(cl);
    if (cl->fd >= 0)
	(void) close(cl->fd);
    if (cl->path)
	myfree(cl->path);
    myfree(cl->protocol);
    myfree(cl);
}

/* attr_clnt_endpoint - name for diagnostics */

static const char *
attr_clnt_endpoint(struct attr_clnt *cl)
{
    return (cl->path ? cl->path : cl->protocol);
}

/* attr_clnt_connect - open a connection and check the announcement */

static int
attr_clnt_connect(struct attr_clnt *cl)
{
    long long left;
    int     fd;

    if (cl->path == 0) {
	if ((fd = cl->fd) < 0) {
	    msg_warn("attr_clnt: %s: connection is gone", cl->protocol);
	    return (-1);
	}
	cl->fd = -1;
    } else {
	left = cl->deadline ? cl->deadline - attr_clnt_now() : 0;
	if (cl->deadline && left <= 0) {
	    cl->timed_out = 1;
	    return (-1);
	}
	if ((fd = unix_connect(cl->path, (int) ((left + 999) / 1000))) < 0) {
	    if (errno == ETIMEDOUT)
		cl->timed_out = 1;
	    msg_warn("attr_clnt: connect to %s: %m", cl->path);
	    return (-1);
	}
    }
    cl->fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_io(cl->fp, attr_clnt_read, attr_clnt_write, cl);
    if (attr_scan_protocol(cl->fp, cl->protocol) < 0)
	return (-1);
    return (0);
}

/* attr_clnt_stale - did the server close a cached connection? */

static int
attr_clnt_stale(struct attr_clnt *cl)
{
    struct pollfd pfd;
    char    ch;

    if (vstream_pending(cl->fp) > 0)
	return (1);				/* unsolicited data */
    pfd.fd = vstream_fd(cl->fp);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, 0) == 0)
	return (0);
    return (recv(pfd.fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT) != -1
	    || (errno != EAGAIN && errno != EWOULDBLOCK));
}

/* attr_clnt_skip - step over the SEND_ATTR_*() arguments */

static void
attr_clnt_skip(va_list *ap)
{
    int     type;

    while ((type = va_arg(*ap, int)) != ATTR_TYPE_END) {
	(void) va_arg(*ap, const char *);
	switch (type) {
	case ATTR_TYPE_INT:
	    (void) va_arg(*ap, int);
	    break;
	case ATTR_TYPE_LONG:
	    (void) va_arg(*ap, long);
	    break;
	case ATTR_TYPE_STR:
	    (void) va_arg(*ap, const char *);
	    break;
	case ATTR_TYPE_DATA:
	    (void) va_arg(*ap, size_t);
	    (void) va_arg(*ap, const void *);
	    break;
	default:
	    msg_panic("attr_clnt_skip: bad attribute type %d", type);
	}
    }
}

/* attr_clnt_exchange - send the request, read the reply */

static int
attr_clnt_exchange(struct attr_clnt *cl, int send_flags, va_list *ap)
{
    va_list print_ap;
    int     recv_flags;
    int     ret;

    va_copy(print_ap, *ap);
    ret = attr_vprint(cl->fp, send_flags & ~ATTR_FLAG_MORE, print_ap);
    va_end(print_ap);
    if (ret < 0 || vstream_flush(cl->fp) != VSTREAM_OK)
	return (-1);
    attr_clnt_skip(ap);
    recv_flags = va_arg(*ap, int);
    return (attr_vscan(cl->fp, recv_flags, &cl->lim, *ap));
}

/* attr_clnt_fail_status - classify the last failure */

static int
attr_clnt_fail_status(struct attr_clnt *cl)
{
    if (cl->timed_out)
	return (ATTR_CLNT_TIMEOUT);
    if (cl->fp == 0)
	return (ATTR_CLNT_CONNECT);
    if (cl->saw_eof)
	return (ATTR_CLNT_EOF);
    if (vstream_error(cl->fp) != VSTREAM_OK)
	return (ATTR_CLNT_IO);
    return (ATTR_CLNT_PROTO);
}

/* attr_clnt_request - one request/reply exchange within the deadline */

int
attr_clnt_request(struct attr_clnt *cl, int send_flags,...)
{
    static const char *why[] = {
	"ok", "cannot connect", "timeout", "connection closed by server",
	"I/O error", "protocol error",
    };
    va_list ap;
    va_list work;
    int     attempt;
    int     reused;
    int     ret = -1;

    cl->deadline = cl->timeout ? attr_clnt_now() + cl->timeout * 1000LL : 0;
    if (cl->fp && attr_clnt_stale(cl))
	attr_clnt_disconnect(cl);
    va_start(ap, send_flags);
    for (attempt = 0; attempt < 2; attempt++) {
	cl->timed_out = cl->saw_eof = 0;
	reused = (cl->fp != 0);
	if (cl->fp != 0 || attr_clnt_connect(cl) == 0) {
	    va_copy(work, ap);
	    ret = attr_clnt_exchange(cl, send_flags, &work);
	    va_end(work);
	    if (ret >= 0)
		break;
	}
	cl->status = attr_clnt_fail_status(cl);
	attr_clnt_disconnect(cl);
	if (!reused || cl->path == 0
	    || (cl->status != ATTR_CLNT_EOF && cl->status != ATTR_CLNT_IO))
	    break;
    }
    va_end(ap);
    cl->deadline = 0;
    if (ret >= 0) {
	cl->status = ATTR_CLNT_OK;
    } else {
	msg_warn("attr_clnt: %s: request failed: %s",
		 attr_clnt_endpoint(cl), why[cl->status]);
    }
    return (ret);
}
