/*
 * server_common.c - what the three daemon skeletons share (see
 * mail_server.h): the master_proto.h command line, the start-up
 * sequence that ends in the seccomp sandbox, status reports to master,
 * accept, and the SIGTERM-aware wait.
 *
 * SIGTERM is blocked all the time except inside server_poll()'s
 * ppoll(), so a client in hand is never interrupted, and a SIGTERM that
 * arrives between two waits is not lost (ppoll unblocks it atomically).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "chroot_uid.h"
#include "iostuff.h"
#include "mail_conf.h"
#include "mail_flow.h"
#include "mail_params.h"
#include "mail_server.h"
#include "master_proto.h"
#include "msg.h"
#include "sandbox.h"
#include "stringops.h"

#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR	"/usr/local/etc/postern"
#endif

#define SERVER_NAME_MAX	100

 /*
  * The skeleton's own system calls, allowed in every daemon. Each name
  * is here for the reason beside it (docs/sandbox.md has the table).
  */
static const char *const server_base_syscalls[] = {
    "read",				/* client input, triggers */
    "write",				/* replies, status pipe, maillog_file */
    "writev",				/* glibc's heap-corruption message */
    "close",				/* clients done */
#ifdef __NR_poll
    "poll",				/* vstream deadlines */
#endif
    "ppoll",				/* skeleton wait, SIGTERM unblocked */
    "accept4",				/* new clients */
    "fcntl",				/* O_NONBLOCK by vstream/iostuff */
    "rt_sigreturn",			/* return from the SIGTERM handler */
    "rt_sigpending",			/* SIGTERM waiting while blocked? */
    "restart_syscall",			/* resume a wait after SIGSTOP/CONT */
    "getpid",				/* status reports, log lines */
    "getppid",				/* is master still there? */
    "clock_gettime",			/* deadlines, log time (no vDSO) */
    "gettimeofday",			/* same, older callers */
#ifdef __NR_time
    "time",				/* same, time(2) */
#endif
    "brk",				/* malloc */
    "mmap",				/* malloc, big blocks (no PROT_EXEC) */
    "munmap",				/* free, big blocks */
    "mremap",				/* realloc, big blocks */
    "sendto",				/* syslog() on its /dev/log socket */
    "rt_sigprocmask",			/* abort() after msg_panic */
    "gettid",				/* abort(): raise() */
    "tgkill",				/* abort(): raise() */
    "exit_group",			/* exit() */
    "exit",				/* exit of the last thread */
    0,
};

static volatile sig_atomic_t server_term_flag;
static pid_t server_master_pid;
static pid_t server_pid;
static sigset_t server_wait_mask;	/* blocked set inside ppoll */

/* server_set_value - store the value of -c -n -t -s -o */

static int
server_set_value(struct server_args *args, int opt, const char *val,
		         struct vstr *err)
{
    const char **slot = 0;
    char   *end;
    long    n;

    switch (opt) {
    case 'o':
	if (strchr(val, '=') == 0 || *val == '=') {
	    vstr_sprintf(err, "-o %s: expected name=value", val);
	    return (-1);
	}
	argv_add(args->overrides, val);
	return (0);
    case 's':
	if (args->listen_count) {
	    vstr_sprintf(err, "option -s given twice");
	    return (-1);
	}
	errno = 0;
	n = strtol(val, &end, 10);
	if (*val < '0' || *val > '9' || *end != 0 || errno != 0
	    || n < 1 || n > MAIL_SERVER_MAX_LISTEN) {
	    vstr_sprintf(err, "-s %.20s: expected a count from 1 to %d",
			 val, MAIL_SERVER_MAX_LISTEN);
	    return (-1);
	}
	args->listen_count = (int) n;
	return (0);
    case 'c':
	slot = &args->config_dir;
	break;
    case 'n':
	slot = &args->service;
	break;
    case 't':
	slot = &args->type;
	break;
    default:
	msg_panic("server_set_value: option %c", opt);
    }
    if (*slot) {
	vstr_sprintf(err, "option -%c given twice", opt);
	return (-1);
    }
    *slot = val;
    return (0);
}

/* server_check_args - every required option, sane values */

static int
server_check_args(struct server_args *args, struct vstr *err)
{
    size_t  len;

    if (args->service == 0 || args->type == 0 || args->listen_count == 0) {
	vstr_sprintf(err, "missing option: -n SERVICE, -t TYPE and -s COUNT are required");
	return (-1);
    }
    len = strlen(args->service);
    if (len == 0 || len > SERVER_NAME_MAX
	|| !str_all_printable(args->service, len)
	|| strchr(args->service, '/') != 0) {
	vstr_sprintf(err, "-n: bad service name");
	return (-1);
    }
    if (strcmp(args->type, "inet") != 0 && strcmp(args->type, "unix") != 0
	&& strcmp(args->type, "fifo") != 0 && strcmp(args->type, "pass") != 0) {
	vstr_sprintf(err, "-t %.20s: expected inet, unix, fifo or pass", args->type);
	return (-1);
    }
    if (args->config_dir == 0 && (args->config_dir = getenv("POSTERN_CONFIG")) == 0)
	args->config_dir = DEF_CONFIG_DIR;
    if (*args->config_dir == 0) {
	vstr_sprintf(err, "empty config directory");
	return (-1);
    }
    return (0);
}

/* server_parse_args - the command line of master_proto.h */

int
server_parse_args(int argc, char **argv, struct server_args *args,
		          struct vstr *err)
{
    const char *cp;
    const char *val;
    int     i;

    memset(args, 0, sizeof(*args));
    args->overrides = argv_alloc(4);
    args->progname = "server";
    if (argc > 0 && argv[0] && *argv[0])
	args->progname = (cp = strrchr(argv[0], '/')) && cp[1] ? cp + 1 : argv[0];
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != 0; i++) {
	if (strcmp(argv[i], "--") == 0) {
	    i++;
	    break;
	}
	for (cp = argv[i] + 1; *cp; cp++) {
	    if (*cp == 'C') {
		args->chroot = 1;
		continue;
	    } else if (*cp == 'U') {
		args->unpriv = 1;
		continue;
	    } else if (*cp == 'v') {
		args->verbose = 1;
		continue;
	    }
	    if (strchr("cntso", *cp) == 0) {
		vstr_sprintf(err, "invalid option -%c", isprint((unsigned char) *cp) ? *cp : '?');
		return (-1);
	    }
	    if ((val = cp[1] ? cp + 1 : (i + 1 < argc ? argv[++i] : 0)) == 0) {
		vstr_sprintf(err, "option -%c requires a value", *cp);
		return (-1);
	    }
	    if (server_set_value(args, *cp, val, err) < 0)
		return (-1);
	    break;
	}
    }
    args->rest = argv + i;
    return (server_check_args(args, err));
}

/* server_args_free - release what server_parse_args allocated */

void
server_args_free(struct server_args *args)
{
    argv_free(args->overrides);
    args->overrides = 0;
}

/* server_term - SIGTERM: finish the client in hand, then leave */

static void
server_term(int sig UNUSED)
{
    server_term_flag = 1;
}

/* server_signals - SIGPIPE, SIGXFSZ ignored; SIGTERM caught, blocked */

static void
server_signals(void)
{
    struct sigaction sa;
    sigset_t block;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, 0) < 0 || sigaction(SIGXFSZ, &sa, 0) < 0)
	msg_fatal("sigaction: %m");
    sa.sa_handler = server_term;
    if (sigaction(SIGTERM, &sa, 0) < 0)
	msg_fatal("sigaction SIGTERM: %m");
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &block, &server_wait_mask) < 0)
	msg_fatal("sigprocmask: %m");
    sigdelset(&server_wait_mask, SIGTERM);
}

/* server_check_fds - the descriptors master_proto.h promises */

static void
server_check_fds(const struct server_args *args)
{
    struct stat st;
    int     fd;

    if (fcntl(MASTER_STATUS_FD, F_GETFD) < 0)
	msg_fatal("status descriptor %d is not open: not started by master?",
		  MASTER_STATUS_FD);
    if (close_on_exec(MASTER_STATUS_FD, CLOSE_ON_EXEC) < 0)
	msg_fatal("close_on_exec status descriptor: %m");
    for (fd = MASTER_FLOW_READ; fd <= MASTER_FLOW_WRITE; fd++) {
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
	    msg_fatal("flow descriptor %d is not a pipe: not started by master?",
		      fd);
	if (non_blocking(fd, NON_BLOCKING) < 0
	    || close_on_exec(fd, CLOSE_ON_EXEC) < 0)
	    msg_fatal("flow descriptor %d: %m", fd);
    }
    mail_flow_init(MASTER_FLOW_READ, MASTER_FLOW_WRITE);
    for (fd = MASTER_LISTEN_FD; fd < MASTER_LISTEN_FD + args->listen_count; fd++) {
	if (non_blocking(fd, NON_BLOCKING) < 0 || close_on_exec(fd, CLOSE_ON_EXEC) < 0)
	    msg_fatal("listen descriptor %d: %m", fd);
    }
}

/* server_config - -o overrides, main.cf, var_ globals, logging */

static void
server_config(const struct server_args *args)
{
    struct vstr *err = vstr_alloc(100);
    size_t  i;

    for (i = 0; i < args->overrides->argc; i++)
	if (mail_conf_override(args->overrides->argv[i], err) < 0)
	    msg_fatal("-o %s: %s", args->overrides->argv[i], vstr_str(err));
    if (mail_conf_read(args->config_dir, err) < 0)
	msg_fatal("%s", vstr_str(err));
    mail_params_init();
    msg_open(var_syslog_name, args->progname,
	     MSG_TO_SYSLOG | (args->verbose ? MSG_TO_STDERR : 0));
    msg_set_hostname(var_myhostname);
    if (*var_maillog_file && msg_set_maillog(var_maillog_file) < 0)
	msg_fatal("open maillog_file %s: %m", var_maillog_file);
    tzset();
    vstr_free(err);
}

/* server_privilege - chroot and uid change (or the unprivileged check) */

static void
server_privilege(const struct server_args *args,
		         const struct mail_server_opts *opts,
		         const struct chroot_uid_ids *ids)
{
    struct vstr *why = vstr_alloc(100);

    if (geteuid() != 0 || getuid() != 0) {
	if (args->chroot)
	    msg_warn("service %s: not running as root: chroot to %s skipped",
		     args->service, var_queue_dir);
	if (chroot_uid_check_self(ids, why) < 0)
	    msg_fatal("service %s: mail_owner %s: %s",
		      args->service, var_mail_owner, vstr_str(why));
	vstr_free(why);
	return;
    }
    if (args->chroot && chroot_uid_chroot(var_queue_dir, why) < 0)
	msg_fatal("service %s: %s", args->service, vstr_str(why));
    if (opts->flags & MAIL_SERVER_NEEDS_ROOT) {
	if (args->unpriv)
	    msg_warn("service %s: unpriv=y ignored: this program needs root",
		     args->service);
    } else {
	if (!args->unpriv)
	    msg_warn("service %s: unpriv=n ignored: running as %s",
		     args->service, var_mail_owner);
	if (chroot_uid_drop(ids, why) < 0)
	    msg_fatal("service %s: privilege drop: %s", args->service, vstr_str(why));
    }
    vstr_free(why);
}

/* server_confine - no new privileges, parent death, seccomp */

static void
server_confine(const struct server_args *args,
	               const struct mail_server_opts *opts,
	               const char *const *type_syscalls)
{
    const char *const *lists[4];
    struct vstr *why = vstr_alloc(100);
    int     n = 0;

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
	msg_fatal("prctl PR_SET_NO_NEW_PRIVS: %m");
    if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
	msg_fatal("prctl PR_SET_PDEATHSIG: %m");
    if (getppid() != server_master_pid)
	msg_fatal("service %s: master went away during start-up", args->service);
    lists[n++] = server_base_syscalls;
    if (type_syscalls)
	lists[n++] = type_syscalls;
    if (opts->syscalls)
	lists[n++] = opts->syscalls;
    lists[n] = 0;
    if (sandbox_install(lists, why) < 0)
	msg_fatal("service %s: seccomp sandbox: %s", args->service, vstr_str(why));
    vstr_free(why);
}

/* server_start - everything before the first client (mail_server.h) */

void
server_start(int argc, char **argv, const struct mail_server_opts *opts,
	             const char *const *type_syscalls, struct server_args *args)
{
    struct vstr *err = vstr_alloc(100);
    struct chroot_uid_ids ids;

    server_master_pid = getppid();
    server_pid = getpid();
    if (server_parse_args(argc, argv, args, err) < 0) {
	msg_open("postern", args->progname, MSG_TO_SYSLOG | MSG_TO_STDERR);
	msg_fatal("%s", vstr_str(err));
    }
    msg_open("postern", args->progname, MSG_TO_SYSLOG
	     | (args->verbose ? MSG_TO_STDERR : 0));
    if (server_master_pid == 1)
	msg_fatal("service %s: master went away", args->service);
    server_signals();
    server_check_fds(args);
    server_config(args);
    if (chroot_uid_lookup(var_mail_owner, &ids, err) < 0)
	msg_fatal("mail_owner: %s", vstr_str(err));
    if (opts->pre_init)
	opts->pre_init(args->service, args->rest);
    server_privilege(args, opts, &ids);
    server_confine(args, opts, type_syscalls);
    vstr_free(err);
    if (opts->post_init)
	opts->post_init(args->service, args->rest);
}

/* server_notify - one status message to master */

void
server_notify(int avail)
{
    struct master_status st;
    ssize_t n;

    memset(&st, 0, sizeof(st));
    st.pid = server_pid;
    st.avail = avail;
    do {
	n = write(MASTER_STATUS_FD, &st, sizeof(st));
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t) sizeof(st)) {
	msg_info("master went away (status pipe: %s): exiting",
		 n < 0 ? strerror(errno) : "short write");
	server_exit();
    }
}

/* server_accept - one client from a listen descriptor, or -1 */

int
server_accept(int listen_fd)
{
    int     fd;

    if ((fd = accept4(listen_fd, 0, 0, SOCK_CLOEXEC)) >= 0)
	return (fd);
    switch (errno) {
    case EAGAIN:				/* another process was faster */
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
	return (-1);
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
	msg_warn("accept: %m");
	return (-1);
    default:
	msg_fatal("accept: %m");
    }
}

/*
 * server_poll - wait with SIGTERM open; fds[0] is the status pipe.
 * A SIGTERM that came while it was blocked is delivered inside ppoll(),
 * which then fails with EINTR: the caller checks server_stopping().
 */

int
server_poll(struct pollfd *fds, size_t nfds, long long timeout_ms)
{
    struct timespec ts;
    int     n;

    if (nfds == 0 || fds[0].fd != MASTER_STATUS_FD)
	msg_panic("server_poll: fds[0] must be the status descriptor");
    if (timeout_ms >= 0) {
	ts.tv_sec = (time_t) (timeout_ms / 1000);
	ts.tv_nsec = (long) (timeout_ms % 1000) * 1000000L;
    }
    n = ppoll(fds, nfds, timeout_ms >= 0 ? &ts : 0, &server_wait_mask);
    if (n < 0) {
	if (errno == EINTR)
	    return (-1);
	msg_fatal("ppoll: %m");
    }
    if (n > 0 && (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))) {
	msg_info("master went away: exiting");
	server_exit();
    }
    return (n);
}

/* server_stopping - has SIGTERM (or the parent-death signal) arrived? */

int
server_stopping(void)
{
    sigset_t pending;

    if (!server_term_flag && sigpending(&pending) == 0
	&& sigismember(&pending, SIGTERM) == 1)
	server_term_flag = 1;
    if (!server_term_flag && getppid() != server_master_pid)
	server_term_flag = 1;
    return (server_term_flag != 0);
}

/* server_max_use - clients or triggers before exit, or -1 */

int
server_max_use(const struct mail_server_opts *opts)
{
    if (opts->max_use == MAIL_SERVER_UNLIMITED)
	return (-1);
    return (opts->max_use > 0 ? opts->max_use : var_max_use);
}

/* server_max_idle - idle seconds before exit */

long
server_max_idle(const struct mail_server_opts *opts)
{
    return (opts->max_idle > 0 ? opts->max_idle : var_max_idle);
}

/* server_now_ms - monotonic milliseconds */

long long
server_now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	msg_fatal("clock_gettime: %m");
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* server_exit - normal end of a service process */

NORETURN
server_exit(void)
{
    exit(0);
}
