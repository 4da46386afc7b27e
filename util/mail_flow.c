/*
 * mail_flow.c - inflow control tokens: one byte each in master's flow
 * pipe, taken by cleanup per queued message and put back by qmgr as it
 * moves messages out of incoming/ (see mail_flow.h).
 *
 * Every service process holds both ends, so the pipe never reports end
 * of file; the ends are non-blocking (master sets that on the shared
 * open file description), and a read or write that would block means
 * "no token" or "pool full". A token's byte value carries nothing.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail_flow.h"
#include "msg.h"

static int mail_flow_rfd = -1;
static int mail_flow_wfd = -1;
static int mail_flow_warned;

/* mail_flow_init - the two ends of the flow pipe; -1: off */

void
mail_flow_init(int read_fd, int write_fd)
{
    mail_flow_rfd = read_fd;
    mail_flow_wfd = write_fd;
    mail_flow_warned = 0;
}

/* mail_flow_enabled - is there a channel? */

int
mail_flow_enabled(void)
{
    return (mail_flow_rfd >= 0 && mail_flow_wfd >= 0);
}

/* mail_flow_broken - warn once about a broken channel */

static void
mail_flow_broken(const char *what)
{
    if (!mail_flow_warned) {
	mail_flow_warned = 1;
	msg_warn("inflow control: %s: %m", what);
    }
}

/* mail_flow_now_ms - monotonic milliseconds */

static long long
mail_flow_now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	msg_fatal("clock_gettime: %m");
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* mail_flow_get - one token, waiting at most timeout_ms */

int
mail_flow_get(long long timeout_ms)
{
    struct pollfd pfd;
    long long deadline;
    long long left;
    char    token;
    ssize_t n;
    int     ret;

    if (!mail_flow_enabled())
	return (-1);
    deadline = mail_flow_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
	if ((n = read(mail_flow_rfd, &token, 1)) == 1)
	    return (1);
	if (n == 0) {				/* cannot happen: we hold a writer */
	    errno = EPIPE;
	    mail_flow_broken("read");
	    return (-1);
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
	    mail_flow_broken("read");
	    return (-1);
	}
	if ((left = deadline - mail_flow_now_ms()) <= 0)
	    return (0);
	pfd.fd = mail_flow_rfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	ret = poll(&pfd, 1, left > 60000 ? 60000 : (int) left);
	if (ret < 0 && errno != EINTR) {
	    mail_flow_broken("poll");
	    return (-1);
	}
	if (ret > 0 && (pfd.revents & POLLIN) == 0) {
	    errno = EPIPE;
	    mail_flow_broken("poll");
	    return (-1);
	}
	/* Readable, or another process was faster: try again. */
    }
}

/* mail_flow_put - add count tokens; fewer when the pipe is full */

ssize_t
mail_flow_put(ssize_t count)
{
    char    buf[MAIL_FLOW_CHUNK];
    ssize_t done = 0;
    ssize_t n;
    size_t  len;

    if (!mail_flow_enabled() || count <= 0)
	return (0);
    memset(buf, 0, sizeof(buf));
    while (done < count) {
	len = (size_t) (count - done);
	if (len > sizeof(buf))
	    len = sizeof(buf);
	if ((n = write(mail_flow_wfd, buf, len)) > 0) {
	    done += n;
	    continue;
	}
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
	    break;				/* pool full */
	mail_flow_broken("write");
	return (done > 0 ? done : -1);
    }
    return (done);
}

/* mail_flow_drain - take up to max tokens without waiting */

ssize_t
mail_flow_drain(ssize_t max)
{
    char    buf[MAIL_FLOW_CHUNK];
    ssize_t done = 0;
    ssize_t n;
    size_t  len;

    if (!mail_flow_enabled())
	return (0);
    while (done < max) {
	len = (size_t) (max - done);
	if (len > sizeof(buf))
	    len = sizeof(buf);
	if ((n = read(mail_flow_rfd, buf, len)) > 0) {
	    done += n;
	    continue;
	}
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
	    break;				/* empty */
	if (n == 0)
	    errno = EPIPE;
	mail_flow_broken("read");
	break;
    }
    return (done);
}

/* mail_flow_refill - set the pool to about level tokens */

ssize_t
mail_flow_refill(ssize_t level)
{
    if (!mail_flow_enabled())
	return (0);
    (void) mail_flow_drain(MAIL_FLOW_DRAIN_MAX);
    return (mail_flow_put(level));
}
