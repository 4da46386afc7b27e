/*
 * multi_server.c - the skeleton of a daemon that serves many clients
 * from one event loop (see mail_server.h, Postfix master/multi_server.c).
 *
 * One ppoll() covers the status pipe, the listen descriptors (while
 * there is room and the process still accepts) and every client.
 * A client with input gets one service() call, then more while its
 * stream still holds buffered input, so that pipelined requests are
 * not left waiting for a poll() that will never fire.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"
#include "mail_server.h"
#include "master_proto.h"
#include "msg.h"
#include "mymalloc.h"

#define MULTI_SERVER_DRAIN_SECS	5	/* SIGTERM: answer what is queued */

struct multi_client {
    struct vstream *stream;
    int     gone;				/* multi_server_disconnect() */
};

struct multi_state {
    struct multi_client *clients;
    int     count;
    int     max_clients;
    int     accepting;
    int     accepted;
    int     reported;			/* last status sent */
    struct pollfd *fds;
};

static struct multi_state *multi_state;

 /*
  * The multi server needs nothing beyond the base list of
  * server_common.c.
  */
static const char *const multi_server_syscalls[] = {
    0,
};

/* multi_server_disconnect - close this client when service() returns */

void
multi_server_disconnect(struct vstream *stream)
{
    int     i;

    if (multi_state == 0)
	msg_panic("multi_server_disconnect: no server");
    for (i = 0; i < multi_state->count; i++)
	if (multi_state->clients[i].stream == stream) {
	    multi_state->clients[i].gone = 1;
	    return;
	}
    msg_panic("multi_server_disconnect: unknown client");
}

/* multi_server_add - a new client */

static void
multi_server_add(struct multi_state *sp, int fd)
{
    struct multi_client *cp = sp->clients + sp->count++;
    long    tmout = var_ipc_timeout > 0x7fffffff ? 0x7fffffff : var_ipc_timeout;

    cp->stream = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    cp->gone = 0;
    vstream_set_timeout(cp->stream, (int) tmout);
    sp->accepted++;
}

/* multi_server_call - service() for one client with input */

static void
multi_server_call(struct multi_state *sp, int i, short revents,
		          multi_server_fn service, const struct server_args *args)
{
    struct multi_client *cp = sp->clients + i;
    size_t  before;

    if ((revents & (POLLERR | POLLNVAL))
	|| ((revents & POLLHUP) && !(revents & POLLIN))) {
	cp->gone = 1;
	return;
    }
    do {
	before = vstream_pending(cp->stream);
	service(cp->stream, args->service, args->rest);
	if (vstream_error(cp->stream))
	    cp->gone = 1;
    } while (!cp->gone && vstream_pending(cp->stream) > 0
	     && vstream_pending(cp->stream) != before);
}

/* multi_server_reap - close clients that are done */

static void
multi_server_reap(struct multi_state *sp)
{
    int     i, j;

    for (i = j = 0; i < sp->count; i++) {
	if (sp->clients[i].gone)
	    (void) vstream_close(sp->clients[i].stream);
	else
	    sp->clients[j++] = sp->clients[i];
    }
    sp->count = j;
}

/* multi_server_report - tell master whether we take more clients */

static void
multi_server_report(struct multi_state *sp)
{
    int     avail = sp->accepting && sp->count < sp->max_clients
    ? MASTER_STAT_AVAIL : MASTER_STAT_TAKEN;

    if (avail != sp->reported) {
	server_notify(avail);
	sp->reported = avail;
    }
}

/* multi_server_event - one wait and what it found */

static void
multi_server_event(struct multi_state *sp, const struct server_args *args,
		           multi_server_fn service, long long timeout)
{
    int     nlisten = 0;
    int     nfds = 1;
    int     i, n, fd;

    sp->fds[0].fd = MASTER_STATUS_FD;
    sp->fds[0].events = 0;
    if (sp->accepting && sp->count < sp->max_clients)
	for (nlisten = 0; nlisten < args->listen_count; nlisten++) {
	    sp->fds[nfds].fd = MASTER_LISTEN_FD + nlisten;
	    sp->fds[nfds++].events = POLLIN;
	}
    for (i = 0; i < sp->count; i++) {
	sp->fds[nfds].fd = vstream_fd(sp->clients[i].stream);
	sp->fds[nfds++].events = POLLIN;
    }
    if ((n = server_poll(sp->fds, (size_t) nfds, timeout)) <= 0)
	return;
    for (i = 0; i < sp->count; i++)
	if (sp->fds[1 + nlisten + i].revents)
	    multi_server_call(sp, i, sp->fds[1 + nlisten + i].revents, service, args);
    multi_server_reap(sp);
    for (i = 0; i < nlisten && sp->count < sp->max_clients; i++)
	if ((sp->fds[1 + i].revents & POLLIN)
	    && (fd = server_accept(sp->fds[1 + i].fd)) >= 0)
	    multi_server_add(sp, fd);
}

/* multi_server_timeout - how long the next wait may last, or -1 */

static long long
multi_server_timeout(const struct mail_server_opts *opts,
		             const struct server_args *args,
		             long long idle_deadline, long long drain_deadline)
{
    long long timeout = -1;
    long long now = server_now_ms();
    int     secs;

    if (idle_deadline > 0)
	timeout = idle_deadline > now ? idle_deadline - now : 0;
    if (drain_deadline > 0 && (timeout < 0 || drain_deadline - now < timeout))
	timeout = drain_deadline > now ? drain_deadline - now : 0;
    if (opts->loop && (secs = opts->loop(args->service, args->rest)) >= 0
	&& (timeout < 0 || (long long) secs * 1000 < timeout))
	timeout = (long long) secs * 1000;
    return (timeout);
}

/* multi_server_main - start up, then run the event loop */

NORETURN
multi_server_main(int argc, char **argv, multi_server_fn service,
		          const struct mail_server_opts *opts)
{
    struct server_args args;
    struct multi_state state;
    long long last = 0, drain = 0, idle;
    int     max_use;

    server_start(argc, argv, opts, multi_server_syscalls, &args);
    if (strcmp(args.type, "inet") != 0 && strcmp(args.type, "unix") != 0)
	msg_fatal("service %s: a multi server needs inet or unix listeners, not %s",
		  args.service, args.type);
    memset(&state, 0, sizeof(state));
    state.max_clients = opts->max_clients > 0 ? opts->max_clients : MAIL_SERVER_MAX_CLIENTS;
    state.clients = mymalloc(sizeof(*state.clients) * (size_t) state.max_clients);
    state.fds = mymalloc(sizeof(*state.fds)
		    * (size_t) (1 + args.listen_count + state.max_clients));
    state.accepting = 1;
    state.reported = -1;
    multi_state = &state;
    max_use = server_max_use(opts);
    for (;;) {
	if (max_use >= 0 && state.accepted >= max_use)
	    state.accepting = 0;
	if (server_stopping() && drain == 0) {
	    state.accepting = 0;
	    drain = server_now_ms() + MULTI_SERVER_DRAIN_SECS * 1000;
	}
	multi_server_report(&state);
	if (!state.accepting && state.count == 0)
	    break;
	if (drain > 0 && server_now_ms() >= drain)
	    break;
	if (state.count > 0 || last == 0)
	    last = server_now_ms();
	idle = state.count == 0 ? last + server_max_idle(opts) * 1000 : 0;
	if (idle > 0 && server_now_ms() >= idle)
	    break;
	multi_server_event(&state, &args, service,
			   multi_server_timeout(opts, &args, idle, drain));
	if (state.count > 0)
	    last = server_now_ms();
    }
    server_exit();
}
