/*
 * master_spawn.c - fork and execute service processes, reap them, and
 *	throttle services that exit abnormally.
 *
 * A child gets the command line, environment and descriptors of
 * util/master_proto.h: its own session (so ^C at a foreground master's
 * terminal reaches only the master), default signal dispositions, the
 * flow pipe at MASTER_FLOW_READ and MASTER_FLOW_WRITE, the status pipe
 * at MASTER_STATUS_FD, the listeners from MASTER_LISTEN_FD on, and
 * nothing else open. A new process counts as available until it
 * reports otherwise, so a slow start-up cannot make the master fork more.
 *
 * An abnormal exit (non-zero status, or a signal the master did not
 * send) is logged with its status or signal - SIGSYS as a seccomp kill -
 * and throttles the service: no new process for 1 s, then 2, 4, ... up
 * to service_throttle_time while the crashes go on; the delay starts
 * again from 1 s after service_throttle_time without one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "argv.h"
#include "clean_env.h"
#include "mail_params.h"
#include "master_proto.h"
#include "master.h"

static int master_proc_total;

/* master_spawn_args - the command line of a child */

static struct argv *
master_spawn_args(const struct master_serv *serv)
{
    struct argv *args = argv_alloc(16 + serv->args->argc);
    char    count[16];
    size_t  i;

    (void) snprintf(count, sizeof(count), "%d", serv->listen_count);
    argv_add(args, serv->command);
    argv_add(args, "-c");
    argv_add(args, master_config_dir);
    argv_add(args, "-n");
    argv_add(args, serv->name);
    argv_add(args, "-t");
    argv_add(args, master_ent_type(serv));
    argv_add(args, "-s");
    argv_add(args, count);
    if (serv->chroot)
	argv_add(args, "-C");
    if (serv->unpriv)
	argv_add(args, "-U");
    if (master_foreground)
	argv_add(args, "-v");
    for (i = 0; i < serv->args->argc; i++)
	argv_add(args, serv->args->argv[i]);
    return (args);
}

/* master_spawn_child - in the child: descriptors, then execve */

static NORETURN
master_spawn_child(const struct master_serv *serv, const char *path,
		           char **args, char **env, int *tmp)
{
    int     n = serv->listen_count;
    int     fd;
    int     i;

    master_sig_reset();
    if (setsid() < 0)
	_exit(126);
    /* stdin, stdout and (unless -d) stderr are /dev/null. */
    if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
	_exit(126);
    for (i = 0; i < (master_foreground ? 2 : 3); i++)
	if (dup2(fd, i) < 0)
	    _exit(126);
    if (fd > 2)
	(void) close(fd);
    /* Move everything above the target range first, then into place. */
    if (master_flow_pipe[0] < 0 || master_flow_pipe[1] < 0)
	_exit(126);
    if ((tmp[0] = fcntl(serv->status_fd[1], F_DUPFD_CLOEXEC,
			MASTER_LISTEN_FD + n)) < 0
	|| (tmp[n + 1] = fcntl(master_flow_pipe[0], F_DUPFD_CLOEXEC,
			       MASTER_LISTEN_FD + n)) < 0
	|| (tmp[n + 2] = fcntl(master_flow_pipe[1], F_DUPFD_CLOEXEC,
			       MASTER_LISTEN_FD + n)) < 0)
	_exit(126);
    for (i = 0; i < n; i++)
	if ((tmp[i + 1] = fcntl(serv->listen_fds[i], F_DUPFD_CLOEXEC,
				MASTER_LISTEN_FD + n)) < 0)
	    _exit(126);
    if (dup2(tmp[n + 1], MASTER_FLOW_READ) < 0
	|| dup2(tmp[n + 2], MASTER_FLOW_WRITE) < 0
	|| dup2(tmp[0], MASTER_STATUS_FD) < 0)
	_exit(126);
    for (i = 0; i < n; i++)
	if (dup2(tmp[i + 1], MASTER_LISTEN_FD + i) < 0)
	    _exit(126);
    if (close_range(MASTER_LISTEN_FD + n, ~0U, 0) < 0)
	_exit(126);
    (void) execve(path, args, env);
    _exit(127);
}

/* master_spawn - start one process of a service; -1 on failure */

int
master_spawn(struct master_serv *serv)
{
    struct vstr *path = vstr_alloc(100);
    struct argv *args;
    struct argv *env;
    struct master_proc *proc;
    int    *tmp;
    pid_t   pid;

    vstr_sprintf(path, "%s/%s", master_daemon_dir, serv->command);
    if (access(vstr_str(path), X_OK) < 0) {
	msg_warn("service %s: cannot execute %s: %m", serv->name, vstr_str(path));
	vstr_free(path);
	master_throttle(serv);
	return (-1);
    }
    args = master_spawn_args(serv);
    env = clean_env(master_config_dir);
    tmp = (int *) mymalloc(sizeof(int) * (size_t) (serv->listen_count + 3));
    if ((pid = fork()) == 0)
	master_spawn_child(serv, vstr_str(path), args->argv, env->argv, tmp);
    myfree(tmp);
    argv_free(args);
    argv_free(env);
    vstr_free(path);
    if (pid < 0) {
	msg_warn("service %s: fork: %m", serv->name);
	master_throttle(serv);
	return (-1);
    }
    proc = (struct master_proc *) mycalloc(1, sizeof(*proc));
    proc->pid = pid;
    proc->serv = serv;
    proc->started = time((time_t *) 0);
    proc->next = serv->procs;
    serv->procs = proc;
    serv->total_count++;
    master_proc_total++;
    master_avail_set(proc, MASTER_STAT_AVAIL);
    master_status_dirty();
    return (0);
}

/* master_throttle - no new process of this service for a while */

void
master_throttle(struct master_serv *serv)
{
    double  now = master_now();
    long    cap = var_service_throttle_time > 0 ? var_service_throttle_time : 60;

    if (serv->throttle_delay == 0 || now - serv->throttle_until > cap)
	serv->throttle_delay = 1;
    else if ((serv->throttle_delay *= 2) > cap)
	serv->throttle_delay = (int) cap;
    serv->throttle_until = now + serv->throttle_delay;
    serv->last_abnormal = now;
    msg_warn("service %s: throttling: no new process for %d s",
	     serv->name, serv->throttle_delay);
    master_status_dirty();
}

/* master_exit_status - log how a child ended; 1 if abnormal */

static int
master_exit_status(const struct master_proc *proc, int status)
{
    const char *name = proc->serv->name;
    int     sig;

    if (WIFEXITED(status)) {
	if (WEXITSTATUS(status) == 0)
	    return (0);
	msg_warn("service %s pid %ld exited with status %d", name,
		 (long) proc->pid, WEXITSTATUS(status));
	return (1);
    }
    if (!WIFSIGNALED(status))
	return (0);
    sig = WTERMSIG(status);
    if (sig == SIGSYS) {
	msg_warn("service %s pid %ld killed by seccomp: system call outside"
		 " its allow-list (signal %d, SIGSYS)", name, (long) proc->pid,
		 sig);
	return (1);
    }
    if (proc->retiring && (sig == SIGTERM || sig == SIGKILL))
	return (0);				/* we asked for that */
    msg_warn("service %s pid %ld killed by signal %d (SIG%s)%s", name,
	     (long) proc->pid, sig, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
	     WCOREDUMP(status) ? ", core dumped" : "");
    return (1);
}

/* master_proc_unlink - forget a reaped process */

static void
master_proc_unlink(struct master_proc *proc)
{
    struct master_serv *serv = proc->serv;
    struct master_proc **pp;

    for (pp = &serv->procs; *pp != proc; pp = &(*pp)->next)
	 /* void */ ;
    *pp = proc->next;
    if (!proc->retiring) {
	if (proc->avail)
	    serv->avail_count--;
	serv->total_count--;
    }
    master_proc_total--;
    myfree(proc);
}

/* master_proc_find - a process of a service by pid */

struct master_proc *
master_proc_find(struct master_serv *serv, pid_t pid)
{
    struct master_proc *proc;

    for (proc = serv->procs; proc; proc = proc->next)
	if (proc->pid == pid)
	    return (proc);
    return (0);
}

/* master_reap - collect every exited child */

void
master_reap(void)
{
    struct master_serv *serv;
    struct master_proc *proc;
    int     status;
    pid_t   pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
	for (proc = 0, serv = master_services; serv && !proc; serv = serv->next)
	    proc = master_proc_find(serv, pid);
	if (proc == 0)
	    continue;
	serv = proc->serv;
	if (master_exit_status(proc, status) && !serv->removed)
	    master_throttle(serv);
	master_proc_unlink(proc);
	master_status_dirty();
    }
    if (pid < 0 && errno != ECHILD)
	msg_warn("waitpid: %m");
}

/* master_signal_children - signal every process; retire: forget them */

void
master_signal_children(struct master_serv *serv, int sig, int retire)
{
    struct master_proc *proc;

    for (proc = serv->procs; proc; proc = proc->next) {
	if (kill(proc->pid, sig) < 0 && errno != ESRCH)
	    msg_warn("service %s: kill %ld: %m", serv->name, (long) proc->pid);
	if (retire && !proc->retiring) {
	    proc->retiring = 1;
	    if (proc->avail)
		serv->avail_count--;
	    proc->avail = 0;
	    serv->total_count--;
	}
    }
    master_status_dirty();
}

/* master_proc_count - processes of every service, retiring included */

int
master_proc_count(void)
{
    return (master_proc_total);
}
