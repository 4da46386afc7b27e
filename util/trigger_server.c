/*
 * trigger_server.c - the skeleton of a daemon woken by trigger bytes
 * (qmgr, pickup); see mail_server.h and Postfix master/trigger_server.c.
 *
 * A fifo endpoint is read directly (master opens it read-write, so it
 * never reports end of file). A UNIX endpoint takes one short
 * connection per trigger: the client writes its bytes and closes; we
 * read until end of file, at most MAIL_SERVER_TRIGGER_MAX bytes, within
 * a bounded time, so a client that connects and says nothing cannot
 * hold the process.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"
#include "mail_server.h"
#include "master_proto.h"
#include "msg.h"

#define TRIGGER_READ_SECS	10	/* longest wait for a trigger client */

 /*
  * The trigger server needs nothing beyond the base list of
  * server_common.c.
  */
static const char *const trigger_server_syscalls[] = {
    0,
};

/* trigger_server_read_client - the bytes of one UNIX-socket trigger */

static ssize_t
trigger_server_read_client(int fd, char *buf, size_t size)
{
    struct pollfd pfd;
    long long deadline;
    long long left;
    size_t  len = 0;
    ssize_t n;

    deadline = server_now_ms() + (var_ipc_timeout < TRIGGER_READ_SECS ?
				  var_ipc_timeout : TRIGGER_READ_SECS) * 1000;
    while (len < size) {
	if ((left = deadline - server_now_ms()) <= 0)
	    break;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if ((n = poll(&pfd, 1, (int) left)) < 0 && errno != EINTR)
	    return (-1);
	if (n <= 0)
	    continue;
	if ((n = read(fd, buf + len, size - len)) < 0) {
	    if (errno == EINTR || errno == EAGAIN)
		continue;
	    return (len > 0 ? (ssize_t) len : -1);
	}
	if (n == 0)
	    break;
	len += (size_t) n;
    }
    return ((ssize_t) len);
}

/* trigger_server_receive - bytes from the endpoint; 0: nothing */

static ssize_t
trigger_server_receive(const struct server_args *args, int listen_fd,
		               char *buf, size_t size)
{
    ssize_t n;
    int     fd;

    if (strcmp(args->type, "fifo") == 0) {
	if ((n = read(listen_fd, buf, size)) < 0) {
	    if (errno == EAGAIN || errno == EINTR)
		return (0);
	    msg_fatal("service %s: read fifo: %m", args->service);
	}
	if (n == 0)
	    msg_fatal("service %s: end of file on the fifo (must be open read-write)",
		      args->service);
	return (n);
    }
    if ((fd = server_accept(listen_fd)) < 0)
	return (0);
    n = trigger_server_read_client(fd, buf, size);
    if (close(fd) < 0)
	msg_warn("service %s: close trigger client: %m", args->service);
    return (n < 0 ? 0 : n);
}

/* trigger_server_wait - one wait; >0: got trigger bytes in buf */

static ssize_t
trigger_server_wait(const struct server_args *args,
		            const struct mail_server_opts *opts,
		            char *buf, size_t size)
{
    struct pollfd fds[1 + MAIL_SERVER_MAX_LISTEN + MAIL_SERVER_MAX_WATCH];
    struct pollfd *watch = fds + 1 + args->listen_count;
    long long timeout = -1;
    ssize_t n;
    int     nwatch = 0;
    int     secs;
    int     i;

    if (opts->loop && (secs = opts->loop(args->service, args->rest)) >= 0)
	timeout = (long long) secs *1000;
    fds[0].fd = MASTER_STATUS_FD;
    fds[0].events = 0;
    for (i = 0; i < args->listen_count; i++) {
	fds[i + 1].fd = MASTER_LISTEN_FD + i;
	fds[i + 1].events = POLLIN;
    }
    if (opts->watch && opts->ready
	&& ((nwatch = opts->watch(watch, MAIL_SERVER_MAX_WATCH)) < 0
	    || nwatch > MAIL_SERVER_MAX_WATCH))
	msg_panic("trigger_server_wait: watch returned %d", nwatch);
    for (i = 0; i < nwatch; i++)
	watch[i].revents = 0;
    if (server_poll(fds, (size_t) (args->listen_count + nwatch) + 1, timeout) <= 0)
	return (0);
    if (nwatch > 0)
	opts->ready(watch, nwatch);
    for (i = 0; i < args->listen_count; i++)
	if ((fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
	    && (n = trigger_server_receive(args, fds[i + 1].fd, buf, size)) > 0)
	    return (n);
    return (0);
}

/* trigger_server_main - start up, then wait for triggers */

NORETURN
trigger_server_main(int argc, char **argv, trigger_server_fn service,
		            const struct mail_server_opts *opts)
{
    struct server_args args;
    char    buf[MAIL_SERVER_TRIGGER_MAX];
    ssize_t n;
    int     max_use;
    int     use = 0;

    server_start(argc, argv, opts, trigger_server_syscalls, &args);
    if (strcmp(args.type, "fifo") != 0 && strcmp(args.type, "unix") != 0)
	msg_fatal("service %s: a trigger server needs a fifo or unix endpoint, not %s",
		  args.service, args.type);
    max_use = server_max_use(opts);
    server_notify(MASTER_STAT_AVAIL);
    while (!server_stopping() && (max_use < 0 || use < max_use)) {
	if ((n = trigger_server_wait(&args, opts, buf, sizeof(buf))) <= 0)
	    continue;
	server_notify(MASTER_STAT_TAKEN);
	service(buf, (size_t) n, args.service, args.rest);
	if (++use < max_use || max_use < 0)
	    server_notify(MASTER_STAT_AVAIL);
    }
    server_args_free(&args);
    server_exit();
}
