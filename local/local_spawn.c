/*
 * local_spawn.c - the spawn helper: runs "|command" deliveries outside
 * local's seccomp filter.
 *
 * A seccomp filter is inherited by fork and execve, so a command started
 * by local itself would run under local's short allow-list (and die).
 * Instead local forks this helper in pre_init, BEFORE the filter is
 * installed, and keeps one end of a socketpair to it. Trust boundary:
 *
 *	- the helper reads requests only from that socketpair, which no
 *	  other process holds; it exits when local goes away (end of file,
 *	  and PR_SET_PDEATHSIG);
 *	- every field is checked again here (local_spawn_validate): never
 *	  uid 0 or gid 0 (an unprivileged instance: only its own uid), an
 *	  absolute home, a command without control characters, NAME=VALUE
 *	  environment entries of printable text, a bounded time limit, and
 *	  a regular file (a memfd) as standard input;
 *	- the forked child drops to the uid/gid for good (setgroups,
 *	  setresgid, setresuid, verified) before execve("/bin/sh", "-c",
 *	  COMMAND) with exactly the environment it was given, in a new
 *	  session whose process group is killed at the time limit.
 *
 * Wire protocol, in lock step: local sends one byte carrying the input
 * descriptor (SCM_RIGHTS), then one attribute list (uid, gid, command,
 * home, env as NUL-separated data, time limit); the helper answers
 * { status, timed_out, output }.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "local.h"
#include "attr.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "msg.h"

#define SPAWN_ATTR_UID		"uid"
#define SPAWN_ATTR_GID		"gid"
#define SPAWN_ATTR_COMMAND	"command"
#define SPAWN_ATTR_HOME		"home"
#define SPAWN_ATTR_ENV		"env"
#define SPAWN_ATTR_LIMIT	"time_limit"
#define SPAWN_ATTR_TIMEOUT	"timed_out"
#define SPAWN_ATTR_OUTPUT	"output"

#define SPAWN_ENV_MAX		32
#define SPAWN_TIME_MAX		(7 * 86400L)

static const struct attr_limits local_spawn_limits = {
    8192, 64 * 1024, 16,
};

static struct vstream *local_spawn_stream;	/* local's end */
static pid_t local_spawn_pid;

/* local_spawn_text_ok - printable text (and tabs), not empty */

static int
local_spawn_text_ok(const char *s, size_t max)
{
    size_t  len = strlen(s);

    if (len == 0 || len > max)
	return (0);
    for (; *s; s++)
	if (((unsigned char) *s < ' ' && *s != '\t') || *s == 0x7f)
	    return (0);
    return (1);
}

/* local_spawn_env_ok - NAME=VALUE with NAME in [A-Z_][A-Z0-9_]* */

static int
local_spawn_env_ok(const char *s)
{
    const char *cp = s;

    if (!((*cp >= 'A' && *cp <= 'Z') || *cp == '_'))
	return (0);
    while ((*cp >= 'A' && *cp <= 'Z') || (*cp >= '0' && *cp <= '9')
	   || *cp == '_')
	cp++;
    return (*cp == '=' && (cp[1] == 0 || local_spawn_text_ok(cp + 1, 4096)));
}

/* local_spawn_validate - every field of a request; 0 or -1 */

int
local_spawn_validate(const struct local_spawn_req *req, uid_t self,
		             struct vstr *why)
{
    size_t  n;
    struct stat st;

    if (self == 0 && (req->uid == 0 || req->gid == 0))
	return (vstr_fail(why, "refusing to run a command as root"));
    if (self != 0 && req->uid != self)
	return (vstr_fail(why, "unprivileged: cannot run as uid %ld",
			  (long) req->uid));
    if (!local_spawn_text_ok(req->command, 4096))
	return (vstr_fail(why, "bad command text"));
    if (*req->home != '/' || !local_spawn_text_ok(req->home, 4096))
	return (vstr_fail(why, "bad home directory"));
    if (req->env->argc > SPAWN_ENV_MAX)
	return (vstr_fail(why, "too many environment entries"));
    for (n = 0; n < req->env->argc; n++)
	if (!local_spawn_env_ok(req->env->argv[n]))
	    return (vstr_fail(why, "bad environment entry"));
    if (req->time_limit < 1 || req->time_limit > SPAWN_TIME_MAX)
	return (vstr_fail(why, "bad time limit"));
    if (fstat(req->input_fd, &st) < 0 || !S_ISREG(st.st_mode))
	return (vstr_fail(why, "input is not a regular file"));
    return (0);
}

/* local_spawn_exec - in the command's child: drop, exec; never returns */

static NORETURN
local_spawn_exec(const struct local_spawn_req *req, int out)
{
    char   *argv[4];
    uid_t   r, e, s;
    sigset_t all;

    (void) setsid();
    sigemptyset(&all);
    (void) sigprocmask(SIG_SETMASK, &all, (sigset_t *) 0);
    (void) signal(SIGPIPE, SIG_DFL);
    (void) signal(SIGXFSZ, SIG_DFL);
    (void) signal(SIGTERM, SIG_DFL);
    (void) signal(SIGCHLD, SIG_DFL);
    if (dup2(req->input_fd, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
	_exit(71);
    (void) close_range(3, ~0U, 0);
    if (getuid() == 0) {
	if (setgroups(1, &req->gid) < 0 || setresgid(req->gid, req->gid,
						     req->gid) < 0
	    || setresuid(req->uid, req->uid, req->uid) < 0
	    || getresuid(&r, &e, &s) < 0 || r != req->uid || e != req->uid
	    || s != req->uid || setuid(0) == 0)
	    _exit(71);
    }
    if (chdir(req->home) < 0 && chdir("/") < 0)
	_exit(71);
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = (char *) req->command;
    argv[3] = 0;
    execve("/bin/sh", argv, req->env->argv);
    _exit(71);
}

/* local_spawn_collect - read output until EOF or the deadline */

static int
local_spawn_collect(int fd, time_t deadline, struct vstr *output)
{
    struct pollfd pfd;
    char    buf[1024];
    ssize_t n;
    time_t  now;

    pfd.fd = fd;
    pfd.events = POLLIN;
    for (;;) {
	if ((now = time((time_t *) 0)) >= deadline)
	    return (-1);
	if ((n = poll(&pfd, 1, (int) (deadline - now) * 1000)) < 0
	    && errno != EINTR)
	    return (-1);
	if (n <= 0)
	    continue;
	if ((n = read(fd, buf, sizeof(buf))) == 0)
	    return (0);
	if (n < 0) {
	    if (errno == EINTR || errno == EAGAIN)
		continue;
	    return (0);
	}
	if (vstr_len(output) < LOCAL_OUTPUT_MAX)
	    vstr_memcat(output, buf, (size_t) n > LOCAL_OUTPUT_MAX
			- vstr_len(output) ? LOCAL_OUTPUT_MAX
			- vstr_len(output) : (size_t) n);
    }
}

/* local_spawn_wait - wait for the child until the deadline */

static int
local_spawn_wait(pid_t pid, time_t deadline, int *timed_out)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    int     status = 0;
    pid_t   got;

    while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
	if (*timed_out || time((time_t *) 0) >= deadline) {
	    *timed_out = 1;
	    (void) kill(-pid, SIGKILL);
	    (void) kill(pid, SIGKILL);
	    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		 /* void */ ;
	    break;
	}
	(void) nanosleep(&ts, (struct timespec *) 0);
    }
    if (got < 0)
	return (-SIGKILL);
    return (WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
}

/* local_spawn_run - run one validated request */

static void
local_spawn_run(const struct local_spawn_req *req,
		        struct local_spawn_reply *reply)
{
    int     fds[2];
    pid_t   pid;
    time_t  deadline = time((time_t *) 0) + req->time_limit;
    char   *cp;

    reply->timed_out = 0;
    if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
	msg_warn("spawn: pipe/fork: %m");
	reply->status = 75;
	vstr_strcpy(reply->output, "cannot start command");
	return;
    }
    if (pid == 0)
	local_spawn_exec(req, fds[1]);
    (void) close(fds[1]);
    if (local_spawn_collect(fds[0], deadline, reply->output) < 0)
	reply->timed_out = 1;
    (void) close(fds[0]);
    reply->status = local_spawn_wait(pid, deadline, &reply->timed_out);
    for (cp = vstr_str(reply->output); *cp; cp++)
	if ((unsigned char) *cp < ' ' || *cp == 0x7f)
	    *cp = ' ';
    while (vstr_len(reply->output) > 0
	   && vstr_str(reply->output)[vstr_len(reply->output) - 1] == ' ')
	vstr_truncate(reply->output, vstr_len(reply->output) - 1);
}

/* local_spawn_recv_fd - one byte with one descriptor; fd, or -1 */

static int
local_spawn_recv_fd(int sock)
{
    char    byte;
    struct iovec iov = {&byte, 1};
    union {
	struct cmsghdr hdr;
	char    buf[CMSG_SPACE(sizeof(int) * 4)];
    }       cbuf;
    struct msghdr mh;
    struct cmsghdr *cm;
    int     fd = -1;
    int     n;
    int     i;
    int    *fdp;

    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf.buf;
    mh.msg_controllen = sizeof(cbuf.buf);
    while ((n = (int) recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
	 /* void */ ;
    if (n != 1)
	return (-1);
    for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
	    continue;
	fdp = (int *) CMSG_DATA(cm);
	for (i = 0; i < (int) ((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int)); i++) {
	    if (fd < 0)
		fd = fdp[i];
	    else
		(void) close(fdp[i]);
	}
    }
    if (mh.msg_flags & MSG_CTRUNC) {
	if (fd >= 0)
	    (void) close(fd);
	return (-1);
    }
    return (fd);
}

/* local_spawn_env_split - NUL-separated data into an argv */

static int
local_spawn_env_split(struct vstr *data, struct argv *env)
{
    const char *cp = vstr_str(data);
    const char *end = cp + vstr_len(data);
    size_t  len;

    while (cp < end) {
	len = strnlen(cp, (size_t) (end - cp));
	if (len == (size_t) (end - cp) || env->argc >= SPAWN_ENV_MAX)
	    return (-1);
	argv_add(env, cp);
	cp += len + 1;
    }
    return (0);
}

/* local_spawn_serve - one request from local; 0, or -1 to stop */

static int
local_spawn_serve(struct vstream *fp, int sock)
{
    struct local_spawn_req req;
    struct local_spawn_reply reply;
    struct vstr *cmd = vstr_alloc(100);
    struct vstr *home = vstr_alloc(100);
    struct vstr *envdata = vstr_alloc(100);
    struct vstr *why = vstr_alloc(100);
    struct argv *env = argv_alloc(16);
    int     uid, gid, rc = -1;

    memset(&req, 0, sizeof(req));
    reply.output = vstr_alloc(100);
    if ((req.input_fd = local_spawn_recv_fd(sock)) >= 0
	&& attr_scan_lim(fp, ATTR_FLAG_STRICT, &local_spawn_limits,
			 RECV_ATTR_INT(SPAWN_ATTR_UID, &uid),
			 RECV_ATTR_INT(SPAWN_ATTR_GID, &gid),
			 RECV_ATTR_STR(SPAWN_ATTR_COMMAND, cmd),
			 RECV_ATTR_STR(SPAWN_ATTR_HOME, home),
			 RECV_ATTR_DATA(SPAWN_ATTR_ENV, envdata),
			 RECV_ATTR_LONG(SPAWN_ATTR_LIMIT, &req.time_limit),
			 ATTR_TYPE_END) == 6
	&& uid >= 0 && gid >= 0 && local_spawn_env_split(envdata, env) == 0) {
	req.uid = (uid_t) uid;
	req.gid = (gid_t) gid;
	req.command = vstr_str(cmd);
	req.home = vstr_str(home);
	req.env = env;
	if (local_spawn_validate(&req, getuid(), why) < 0) {
	    msg_warn("spawn: refused request: %s", vstr_str(why));
	    reply.status = 78;
	    reply.timed_out = 0;
	    vstr_strcpy(reply.output, "request refused by the spawn helper");
	} else {
	    local_spawn_run(&req, &reply);
	}
	rc = attr_print(fp, ATTR_FLAG_NONE,
			SEND_ATTR_INT(MAIL_ATTR_STATUS, reply.status),
			SEND_ATTR_INT(SPAWN_ATTR_TIMEOUT, reply.timed_out),
			SEND_ATTR_STR(SPAWN_ATTR_OUTPUT, vstr_str(reply.output)),
			ATTR_TYPE_END) < 0 || vstream_flush(fp) < 0 ? -1 : 0;
    }
    if (req.input_fd >= 0)
	(void) close(req.input_fd);
    vstr_free(cmd);
    vstr_free(home);
    vstr_free(envdata);
    vstr_free(why);
    vstr_free(reply.output);
    argv_free(env);
    return (rc);
}

/* local_spawn_main - the helper process */

static NORETURN
local_spawn_main(int sock, pid_t parent)
{
    struct vstream *fp;
    sigset_t all;

    (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
	_exit(0);
    sigemptyset(&all);
    (void) signal(SIGTERM, SIG_DFL);
    (void) signal(SIGCHLD, SIG_DFL);
    (void) sigprocmask(SIG_SETMASK, &all, (sigset_t *) 0);
    fp = vstream_fdopen(sock, VSTREAM_READ | VSTREAM_WRITE);
    while (local_spawn_serve(fp, sock) == 0)
	 /* void */ ;
    _exit(0);
}

/* local_spawn_start - fork the helper (in pre_init); 0 or -1 */

int
local_spawn_start(struct vstr *why)
{
    int     fds[2];
    pid_t   parent = getpid();

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
	return (vstr_fail(why, "socketpair: %m"));
    if ((local_spawn_pid = fork()) < 0)
	return (vstr_fail(why, "fork: %m"));
    if (local_spawn_pid == 0) {
	(void) close(fds[0]);
	local_spawn_main(fds[1], parent);
    }
    (void) close(fds[1]);
    local_spawn_stream = vstream_fdopen(fds[0], VSTREAM_READ | VSTREAM_WRITE);
    return (0);
}

/* local_spawn_alive - is the helper still usable? */

int
local_spawn_alive(void)
{
    return (local_spawn_stream != 0);
}

/* local_spawn_send_fd - one byte carrying fd */

static int
local_spawn_send_fd(int sock, int fd)
{
    char    byte = 'F';
    struct iovec iov = {&byte, 1};
    union {
	struct cmsghdr hdr;
	char    buf[CMSG_SPACE(sizeof(int))];
    }       cbuf;
    struct msghdr mh;
    struct cmsghdr *cm;

    memset(&mh, 0, sizeof(mh));
    memset(&cbuf, 0, sizeof(cbuf));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf.buf;
    mh.msg_controllen = sizeof(cbuf.buf);
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    return (sendmsg(sock, &mh, MSG_NOSIGNAL) == 1 ? 0 : -1);
}

/* local_spawn_request - run a command through the helper; 0 or -1 */

int
local_spawn_request(const struct local_spawn_req *req,
		            struct local_spawn_reply *reply, struct vstr *why)
{
    struct vstr *env = vstr_alloc(200);
    size_t  n;
    int     rc;

    if (local_spawn_stream == 0)
	return (vstr_fail(why, "no spawn helper"));
    for (n = 0; n < req->env->argc; n++)
	vstr_memcat(env, req->env->argv[n], strlen(req->env->argv[n]) + 1);
    vstream_set_timeout(local_spawn_stream, (int) (req->time_limit + 60));
    rc = (local_spawn_send_fd(vstream_fd(local_spawn_stream), req->input_fd) < 0
	  || attr_print(local_spawn_stream, ATTR_FLAG_NONE,
			SEND_ATTR_INT(SPAWN_ATTR_UID, (int) req->uid),
			SEND_ATTR_INT(SPAWN_ATTR_GID, (int) req->gid),
			SEND_ATTR_STR(SPAWN_ATTR_COMMAND, req->command),
			SEND_ATTR_STR(SPAWN_ATTR_HOME, req->home),
			SEND_ATTR_DATA(SPAWN_ATTR_ENV, vstr_len(env),
				       vstr_str(env)),
			SEND_ATTR_LONG(SPAWN_ATTR_LIMIT, req->time_limit),
			ATTR_TYPE_END) < 0
	  || vstream_flush(local_spawn_stream) < 0
	  || attr_scan_lim(local_spawn_stream, ATTR_FLAG_STRICT,
			   &local_spawn_limits,
			   RECV_ATTR_INT(MAIL_ATTR_STATUS, &reply->status),
			   RECV_ATTR_INT(SPAWN_ATTR_TIMEOUT, &reply->timed_out),
			   RECV_ATTR_STR(SPAWN_ATTR_OUTPUT, reply->output),
			   ATTR_TYPE_END) != 3) ? -1 : 0;
    vstr_free(env);
    if (rc < 0) {
	msg_warn("spawn helper is gone or broken: no more command deliveries"
		 " in this process");
	(void) vstream_close(local_spawn_stream);
	local_spawn_stream = 0;
	return (vstr_fail(why, "spawn helper failed"));
    }
    return (0);
}
