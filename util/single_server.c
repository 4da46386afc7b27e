/*
 * single_server.c - the skeleton of a daemon that serves one client at
 * a time and is reused for the next (smtpd, smtp, local); see
 * mail_server.h and Postfix master/single_server.c.
 *
 * All processes of a service wait on the same listen descriptors; the
 * kernel wakes them all and one wins accept() (the others get EAGAIN,
 * the descriptors are non-blocking). A process reports TAKEN as soon as
 * it has a client so that master can fork another one when none is
 * left available.
 *
 * opts->loop, when set, is called before each wait for a client and may
 * shorten it (the SMTP client closes its idle cached session that way);
 * then it is called again, and max_idle still counts from the last
 * client.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mail_server.h"
#include "master_proto.h"
#include "msg.h"

 /*
  * The single server needs nothing beyond the base list of
  * server_common.c.
  */
static const char *const single_server_syscalls[] = {
    0,
};

/*
 * single_server_serve - one client, start to end. When the process will
 * take another client, AVAIL goes to master BEFORE the client is closed:
 * a client that waits for our end of file then knows that master has
 * already heard, and a new connection will not make it fork another
 * process needlessly.
 */

static void
single_server_serve(int fd, single_server_fn service,
		            const struct server_args *args, int more)
{
    struct vstream *client;

    server_notify(MASTER_STAT_TAKEN);
    client = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    service(client, args->service, args->rest);
    if (more && !server_stopping())
	server_notify(MASTER_STAT_AVAIL);
    (void) vstream_close(client);
}

/* single_server_wait - wait for a client; -1 on timeout or SIGTERM */

static int
single_server_wait(const struct server_args *args,
		           const struct mail_server_opts *opts,
		           long long deadline)
{
    struct pollfd fds[1 + MAIL_SERVER_MAX_LISTEN];
    long long left;
    int     secs;
    int     i;
    int     n;
    int     fd;

    for (;;) {
	if (server_stopping())
	    return (-1);
	if ((left = deadline - server_now_ms()) <= 0)
	    return (-1);
	if (opts->loop && (secs = opts->loop(args->service, args->rest)) >= 0
	    && (long long) secs * 1000 < left)
	    left = (long long) secs * 1000;
	fds[0].fd = MASTER_STATUS_FD;
	fds[0].events = 0;
	for (i = 0; i < args->listen_count; i++) {
	    fds[i + 1].fd = MASTER_LISTEN_FD + i;
	    fds[i + 1].events = POLLIN;
	}
	if ((n = server_poll(fds, (size_t) args->listen_count + 1, left)) <= 0)
	    continue;
	for (i = 0; i < args->listen_count; i++)
	    if (fds[i + 1].revents & POLLIN
		&& (fd = server_accept(fds[i + 1].fd)) >= 0)
		return (fd);
    }
}

/* single_server_main - start up, then serve clients one by one */

NORETURN
single_server_main(int argc, char **argv, single_server_fn service,
		           const struct mail_server_opts *opts)
{
    struct server_args args;
    long long deadline;
    int     max_use;
    long    max_idle;
    int     use;
    int     fd;

    server_start(argc, argv, opts, single_server_syscalls, &args);
    if (args.listen_count < 1 || (strcmp(args.type, "inet") != 0
				  && strcmp(args.type, "unix") != 0))
	msg_fatal("service %s: a single server needs inet or unix listeners, not %s",
		  args.service, args.type);
    max_use = server_max_use(opts);
    max_idle = server_max_idle(opts);
    server_notify(MASTER_STAT_AVAIL);
    for (use = 0; max_use < 0 || use < max_use; use++) {
	deadline = server_now_ms() + (long long) max_idle * 1000;
	if ((fd = single_server_wait(&args, opts, deadline)) < 0)
	    break;
	single_server_serve(fd, service, &args, max_use < 0 || use + 1 < max_use);
	if (server_stopping())
	    break;
    }
    server_args_free(&args);
    server_exit();
}
