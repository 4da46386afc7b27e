/*
 * mail_server.h - the daemon skeleton shared by every postern service:
 *	single-client, multi-client and trigger servers.
 *
 * SYNOPSIS
 *	#include "mail_server.h"
 *
 *	NORETURN single_server_main(int argc, char **argv,
 *			single_server_fn service,
 *			const struct mail_server_opts *opts);
 *	NORETURN multi_server_main(int argc, char **argv,
 *			multi_server_fn service,
 *			const struct mail_server_opts *opts);
 *	void	multi_server_disconnect(struct vstream *client);
 *	NORETURN trigger_server_main(int argc, char **argv,
 *			trigger_server_fn service,
 *			const struct mail_server_opts *opts);
 *
 *	Internal to the skeleton (server_common.c), exposed for tests:
 *	int	server_parse_args(int argc, char **argv,
 *			struct server_args *args, struct vstr *err);
 *	void	server_args_free(struct server_args *args);
 *
 * DESCRIPTION
 *	A daemon's main() fills a struct mail_server_opts and calls one of
 *	the *_server_main() functions, which never return. Before the
 *	service reads a byte of input the skeleton does, in this order:
 *
 *	1. parse the command line of master_proto.h (-c -n -t -s -C -U
 *	   -v, -o name=value applied with mail_conf_override());
 *	2. read main.cf and fill the var_ globals (mail_params_init);
 *	3. open logging: msg_open(syslog_name, program name), the
 *	   maillog_file, tzset(); ignore SIGPIPE and SIGXFSZ;
 *	4. look up mail_owner, then opts->pre_init (open files and
 *	   tables while they are still reachable);
 *	5. chroot to queue_directory with -C (skipped with a warning when
 *	   not root);
 *	6. as root: drop to mail_owner (setgroups, setresgid, setresuid,
 *	   verified), unless opts->flags has MAIL_SERVER_NEEDS_ROOT;
 *	   not root: the process must already be mail_owner;
 *	7. PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG SIGTERM (again: a uid
 *	   change clears it), check that master is still the parent;
 *	8. the seccomp filter: the skeleton's base list plus
 *	   opts->syscalls (sandbox(3));
 *	9. opts->post_init; then serve.
 *
 *	Any failure in 1-8 is fatal: the process exits before serving.
 *	Before 2 the skeleton also checks the descriptors of master_proto.h:
 *	the status pipe, the listeners, and the inflow control pipe
 *	(MASTER_FLOW_READ/WRITE, must be a pipe, made non-blocking and
 *	close-on-exec, handed to mail_flow_init(); util/mail_flow.h).
 *
 *	single_server_main(): accepts one client at a time on the listen
 *	descriptors and calls service(client, service_name, argv); the
 *	skeleton closes the client when service returns. The process is
 *	reused until max_use clients or max_idle idle seconds.
 *
 *	multi_server_main(): an event loop over up to opts->max_clients
 *	clients. service() is called whenever a client has input (or
 *	buffered input); it handles one request and returns. It calls
 *	multi_server_disconnect() at end of file, on error or when done;
 *	the client is closed when service() returns. A client whose
 *	stream is in error is disconnected by the skeleton.
 *
 *	trigger_server_main(): reads trigger bytes from a fifo or a UNIX
 *	socket (one connection per trigger, read until end of file, at
 *	most MAIL_SERVER_TRIGGER_MAX bytes, within 10 seconds) and calls
 *	service(buf, len, service_name, argv). It does not idle out.
 *
 *	opts->loop, when set, is called before each wait (single server:
 *	each wait for the next client) and returns how many seconds the
 *	wait may last at most (-1: no limit); a wait that times out just
 *	calls it again (qmgr's periodic scan, the SMTP client's timer that
 *	closes its idle cached session). It does not change max_idle: a
 *	single or multi server still exits that long after its last
 *	client.
 *
 *	opts->watch and opts->ready (trigger servers only) let a daemon
 *	wait for its own descriptors in the same wait (qmgr's delivery
 *	connections): before each wait, after loop, watch(fds, max) fills
 *	at most max (MAIL_SERVER_MAX_WATCH) struct pollfd and returns how
 *	many; when the wait returns with events, ready(fds, n) gets the
 *	same n entries with revents set, before any trigger is read.
 *
 *	Status (master_proto.h): MASTER_STAT_AVAIL after start-up and
 *	after each client or trigger, MASTER_STAT_TAKEN when busy (single:
 *	a client accepted; multi: max_clients reached or no longer
 *	accepting; trigger: handling a trigger).
 *
 *	SIGTERM (from master, or the parent-death signal): the client in
 *	hand is finished, then exit 0; at once when idle. A multi server
 *	stops accepting, answers what its clients have already sent, and
 *	exits when they are gone or after 5 seconds.
 *
 *	Deadlines: a single server's service sets its own
 *	(vstream_set_timeout); a multi server's clients start with
 *	ipc_timeout, which the service may change.
 *
 * OPTIONS
 *	syscalls: the service's own seccomp allow-list (NULL-terminated
 *	names), defined beside the service's code, as short as possible;
 *	the skeleton's base list (server_common.c, docs/sandbox.md) is
 *	always added. pre_init/post_init: may be NULL. max_use: 0 means
 *	the max_use parameter, MAIL_SERVER_UNLIMITED never exit for it.
 *	max_idle: 0 means the max_idle parameter (seconds).
 *	max_clients: multi server only, 0 means MAIL_SERVER_MAX_CLIENTS.
 *	flags: MAIL_SERVER_NEEDS_ROOT (only local): keep root, skip the
 *	privilege drop, still chroot (if asked) and sandbox. Without it a
 *	process started as root always becomes mail_owner, even without
 *	-U (a warning is logged).
 *
 * SECURITY
 *	Nothing here trusts the client. The process never serves with a
 *	root uid unless it asked for MAIL_SERVER_NEEDS_ROOT, and never
 *	without its seccomp filter.
 */
#ifndef MAIL_SERVER_H
#define MAIL_SERVER_H

#include <stddef.h>
#include <poll.h>

#include "sys_defs.h"
#include "argv.h"
#include "vstr.h"
#include "vstream.h"

#define MAIL_SERVER_NEEDS_ROOT	(1<<0)

#define MAIL_SERVER_UNLIMITED	(-1)
#define MAIL_SERVER_MAX_CLIENTS	100
#define MAIL_SERVER_TRIGGER_MAX	1024
#define MAIL_SERVER_MAX_LISTEN	64
#define MAIL_SERVER_MAX_WATCH	1024	/* trigger: opts->watch descriptors */

typedef void (*single_server_fn) (struct vstream *, const char *, char **);
typedef void (*multi_server_fn) (struct vstream *, const char *, char **);
typedef void (*trigger_server_fn) (const char *, size_t, const char *, char **);
typedef void (*mail_server_init_fn) (const char *, char **);
typedef int (*mail_server_loop_fn) (const char *, char **);
typedef int (*mail_server_watch_fn) (struct pollfd *, int);
typedef void (*mail_server_ready_fn) (const struct pollfd *, int);

struct mail_server_opts {
    const char *const *syscalls;	/* service allow-list, NULL ends */
    mail_server_init_fn pre_init;	/* before chroot and setuid */
    mail_server_init_fn post_init;	/* after the sandbox */
    mail_server_loop_fn loop;		/* before waits: max seconds, -1 */
    int     max_use;			/* 0: var_max_use */
    long    max_idle;			/* 0: var_max_idle */
    int     max_clients;		/* multi: 0: MAIL_SERVER_MAX_CLIENTS */
    int     flags;			/* MAIL_SERVER_NEEDS_ROOT */
    mail_server_watch_fn watch;		/* trigger: own fds to wait for */
    mail_server_ready_fn ready;		/* trigger: their events */
};

 /*
  * The command line of master_proto.h, parsed.
  */
struct server_args {
    const char *progname;		/* basename of argv[0] */
    const char *config_dir;		/* -c, else $POSTERN_CONFIG */
    const char *service;		/* -n */
    const char *type;			/* -t: inet unix fifo pass */
    int     listen_count;		/* -s */
    int     chroot;			/* -C */
    int     unpriv;			/* -U */
    int     verbose;			/* -v */
    struct argv *overrides;		/* -o name=value, in order */
    char  **rest;			/* other arguments, NULL ends */
};

extern NORETURN single_server_main(int, char **, single_server_fn,
				           const struct mail_server_opts *);
extern NORETURN multi_server_main(int, char **, multi_server_fn,
				          const struct mail_server_opts *);
extern void multi_server_disconnect(struct vstream *);
extern NORETURN trigger_server_main(int, char **, trigger_server_fn,
				            const struct mail_server_opts *);

 /*
  * server_common.c: shared by the three skeletons.
  */
extern int server_parse_args(int, char **, struct server_args *, struct vstr *);
extern void server_args_free(struct server_args *);
extern void server_start(int, char **, const struct mail_server_opts *,
			         const char *const *, struct server_args *);
extern void server_notify(int);
extern int server_accept(int);
extern int server_poll(struct pollfd *, size_t, long long);
extern int server_stopping(void);
extern int server_max_use(const struct mail_server_opts *);
extern long server_max_idle(const struct mail_server_opts *);
extern long long server_now_ms(void);
extern NORETURN server_exit(void);

#endif
