/*
 * submit_drop.c - hand one message from postern-sendmail to the set-gid
 * helper postern-postdrop: the envelope and content are written as a
 * queue-file record stream into memory (so that the size record can be
 * filled in), then through a pipe to postdrop, started with execve() and
 * a minimal environment (never a shell). postdrop's exit status (a
 * sysexits.h code) and its one-line stderr reason become ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "msg.h"
#include "mail_params.h"
#include "queue_file.h"
#include "submit.h"

#define SUBMIT_POSTDROP	"postern-postdrop"

/* submit_drop_records - the record stream in memory, size filled in */

static int
submit_drop_records(const struct submit_msg *msg, struct vstr *buf,
		            struct vstr *why)
{
    struct queue_env env;
    struct queue_out out;
    struct vstream *fp = vstream_vstropen(buf);
    const char *cp = vstr_str(msg->content);
    const char *end = cp + vstr_len(msg->content);
    const char *nl;
    char    size[QUEUE_SIZE_DIGITS + 1];
    size_t  i;
    int     ret = -1;

    queue_env_init(&env);
    env.sender = mystrdup(msg->sender);
    env.dsn_ret = msg->ret;
    env.dsn_envid = msg->envid ? mystrdup(msg->envid) : 0;
    for (i = 0; i < msg->rcpts->argc; i++)
	queue_env_add_rcpt(&env, msg->rcpts->argv[i], 0, msg->notify);
    queue_out_init(&out, fp);
    if (queue_out_envelope(&out, &env, why) < 0)
	goto done;
    while (cp < end) {
	if ((nl = memchr(cp, '\n', (size_t) (end - cp))) == 0)
	    nl = end;
	if (queue_out_text(&out, cp, (size_t) (nl - cp), 0, why) < 0)
	    goto done;
	cp = nl + 1;
    }
    if (queue_out_finish(&out, why) < 0)
	goto done;
    snprintf(size, sizeof(size), "%0*lld", QUEUE_SIZE_DIGITS, out.content);
    if ((size_t) out.size_offset + QUEUE_SIZE_DIGITS > vstr_len(buf))
	msg_panic("submit_drop_records: size record beyond the data");
    memcpy(vstr_str(buf) + out.size_offset, size, QUEUE_SIZE_DIGITS);
    ret = 0;
done:
    queue_out_done(&out);
    vstream_free(fp);
    queue_env_free(&env);
    return (ret);
}

/* submit_prog_path - program name beside this one, else command_directory */

void
submit_prog_path(struct vstr *path, const char *name)
{
    char    self[PATH_MAX];
    ssize_t n;
    char   *slash;

    if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
	self[n] = 0;
	if ((slash = strrchr(self, '/')) != 0) {
	    *slash = 0;
	    vstr_sprintf(path, "%s/%s", self, name);
	    if (access(vstr_str(path), X_OK) == 0)
		return;
	}
    }
    vstr_sprintf(path, "%s/%s", var_command_dir, name);
}

/* submit_drop_path - postdrop beside this program, else command_directory */

void
submit_drop_path(struct vstr *path)
{
    submit_prog_path(path, SUBMIT_POSTDROP);
}

/* submit_drop_child - in the child: pipes in place, exec postdrop */

static NORETURN
submit_drop_child(const char *path, int in_fd, int err_fd,
		          const char *config_dir)
{
    struct vstr *envbuf = vstr_alloc(100);
    char   *args[2];
    char   *envp[2];

    if (dup2(in_fd, 0) < 0 || dup2(err_fd, 2) < 0)
	_exit(EX_OSERR);
    args[0] = (char *) SUBMIT_POSTDROP;
    args[1] = 0;
    envp[0] = envp[1] = 0;
    if (config_dir) {
	vstr_sprintf(envbuf, "POSTERN_CONFIG=%s", config_dir);
	envp[0] = vstr_str(envbuf);
    }
    execve(path, args, envp);
    dprintf(2, "cannot run %s: %s\n", path, strerror(errno));
    _exit(EX_UNAVAILABLE);
}

/* submit_drop_wait - postdrop's verdict */

static int
submit_drop_wait(pid_t pid, int err_fd, struct vstr *why)
{
    char    buf[512];
    ssize_t n;
    size_t  got = 0;
    int     status;
    char   *nl;

    while (got < sizeof(buf) - 1
	   && (n = read(err_fd, buf + got, sizeof(buf) - 1 - got)) != 0) {
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0)
	    break;
	got += (size_t) n;
    }
    buf[got] = 0;
    if ((nl = strchr(buf, '\n')) != 0)
	*nl = 0;
    while (waitpid(pid, &status, 0) < 0)
	if (errno != EINTR)
	    return (vstr_fail(why, "waitpid: %s", strerror(errno)), EX_OSERR);
    if (WIFEXITED(status) && WEXITSTATUS(status) == EX_OK)
	return (EX_OK);
    vstr_sprintf(why, "%s", *buf ? buf : "postdrop failed");
    if (WIFEXITED(status) && WEXITSTATUS(status) >= EX__BASE
	&& WEXITSTATUS(status) <= EX__MAX)
	return (WEXITSTATUS(status));
    return (EX_TEMPFAIL);
}

/* submit_drop_close - close both ends of a pipe that may not exist */

static void
submit_drop_close(int fds[2])
{
    if (fds[0] >= 0)
	(void) close(fds[0]);
    if (fds[1] >= 0)
	(void) close(fds[1]);
}

/* submit_drop - the message to postdrop */

int
submit_drop(const struct submit_msg *msg, const char *config_dir,
	            struct vstr *why)
{
    struct vstr *buf = vstr_alloc(4096);
    struct vstr *path = vstr_alloc(100);
    int     in[2];
    int     err[2];
    pid_t   pid;
    int     ret;

    if (submit_drop_records(msg, buf, why) < 0) {
	vstr_free(buf);
	vstr_free(path);
	return (EX_DATAERR);
    }
    submit_drop_path(path);
    in[0] = in[1] = err[0] = err[1] = -1;
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0
	|| (pid = fork()) < 0) {
	/* -bs keeps running after a failed message: release everything. */
	vstr_sprintf(why, "%s: %s", err[0] < 0 ? "pipe" : "fork",
		     strerror(errno));
	submit_drop_close(in);
	submit_drop_close(err);
	vstr_free(buf);
	vstr_free(path);
	return (EX_OSERR);
    }
    if (pid == 0)
	submit_drop_child(vstr_str(path), in[0], err[1], config_dir);
    (void) close(in[0]);
    (void) close(err[1]);
    signal(SIGPIPE, SIG_IGN);
    /* postdrop reads all input before it writes much: no deadlock. */
    (void) write_all(in[1], vstr_str(buf), vstr_len(buf));
    (void) close(in[1]);
    ret = submit_drop_wait(pid, err[0], why);
    (void) close(err[0]);
    vstr_free(buf);
    vstr_free(path);
    return (ret);
}
