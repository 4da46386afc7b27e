/*
 * unix_sock.c - UNIX-domain stream sockets (see unix_sock.h).
 *
 * Listening sockets are the service endpoints under private/ and public/;
 * the master creates them, daemons inherit them. Clients connect with a
 * bounded wait: on Linux a connect to a UNIX socket whose backlog is full
 * either blocks forever (blocking socket) or fails with EAGAIN (non-
 * blocking), so the connect is non-blocking and retried until the
 * deadline. Every descriptor is close-on-exec from its creation.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "unix_sock.h"
#include "iostuff.h"
#include "msg.h"

/* unix_sock_addr - fill in an address; -1 with ENAMETOOLONG if too long */

static int
unix_sock_addr(struct sockaddr_un *sun, const char *path)
{
    size_t  len = strlen(path);

    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (len == 0 || len >= sizeof(sun->sun_path)) {
	errno = len ? ENAMETOOLONG : EINVAL;
	return (-1);
    }
    memcpy(sun->sun_path, path, len + 1);
    return (0);
}

/* unix_sock_fail - close fd, keep errno, return -1 */

static int
unix_sock_fail(int fd)
{
    int     saved = errno;

    if (fd >= 0)
	(void) close(fd);
    errno = saved;
    return (-1);
}

/* unix_listen - create a listening socket at path */

int
unix_listen(const char *path, int backlog, mode_t mode)
{
    struct sockaddr_un sun;
    struct stat st;
    mode_t  old_mask;
    int     fd;
    int     ret;

    if (unix_sock_addr(&sun, path) < 0)
	return (-1);
    if (lstat(path, &st) == 0) {
	if (!S_ISSOCK(st.st_mode)) {
	    errno = EEXIST;
	    return (-1);
	}
	if (unlink(path) < 0 && errno != ENOENT)
	    return (-1);
    } else if (errno != ENOENT) {
	return (-1);
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
	return (-1);
    old_mask = umask(~mode & 0777);
    ret = bind(fd, (struct sockaddr *) &sun, sizeof(sun));
    (void) umask(old_mask);
    if (ret < 0)
	return (unix_sock_fail(fd));
    if (chmod(path, mode) < 0 || listen(fd, backlog) < 0) {
	ret = errno;
	(void) unlink(path);
	errno = ret;
	return (unix_sock_fail(fd));
    }
    return (fd);
}

/* unix_now_ms - monotonic milliseconds */

static long long
unix_now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	msg_fatal("clock_gettime: %m");
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* unix_connect_wait - finish an in-progress connect before the deadline */

static int
unix_connect_wait(int fd, long long deadline)
{
    struct pollfd pfd;
    socklen_t len = sizeof(int);
    long long left;
    int     err = 0;
    int     n;

    for (;;) {
	if ((left = deadline - unix_now_ms()) <= 0) {
	    errno = ETIMEDOUT;
	    return (-1);
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	n = poll(&pfd, 1, left > 0x7fffffff ? 0x7fffffff : (int) left);
	if (n < 0 && errno != EINTR)
	    return (-1);
	if (n > 0)
	    break;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
	return (-1);
    if (err != 0) {
	errno = err;
	return (-1);
    }
    return (0);
}

/* unix_connect_mode - connect within timeout, leave fd in block_mode */

int
unix_connect_mode(const char *path, int block_mode, int timeout_secs)
{
    struct sockaddr_un sun;
    long long deadline;
    int     fd;

    if (unix_sock_addr(&sun, path) < 0)
	return (-1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
	return (-1);
    deadline = unix_now_ms() + (long long) (timeout_secs > 0 ? timeout_secs : 0) * 1000;
    for (;;) {
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0)
	    break;
	if (errno == EINTR)
	    continue;
	if (errno == EINPROGRESS) {
	    if (unix_connect_wait(fd, deadline) < 0)
		return (unix_sock_fail(fd));
	    break;
	}
	if (errno != EAGAIN)
	    return (unix_sock_fail(fd));
	if (unix_now_ms() >= deadline) {
	    if (timeout_secs > 0)
		errno = ETIMEDOUT;
	    return (unix_sock_fail(fd));
	}
	(void) poll((struct pollfd *) 0, 0, 10);	/* backlog full: retry */
    }
    if (block_mode == BLOCKING && non_blocking(fd, BLOCKING) < 0)
	return (unix_sock_fail(fd));
    return (fd);
}

/* unix_connect - connect within timeout, blocking descriptor */

int
unix_connect(const char *path, int timeout_secs)
{
    return (unix_connect_mode(path, BLOCKING, timeout_secs));
}

/* unix_pair - connected pair of close-on-exec stream sockets */

int
unix_pair(int fds[2])
{
    return (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
}
