/*
 * cmd_start.c - `postern start|stop|reload|abort`: control the master.
 *
 * start checks the configuration the way `postern check` does (and
 * refuses on errors), checks that mail_owner and setgid_group exist,
 * creates or repairs the queue tree, then runs daemon_directory/master
 * and waits (bounded) until it reports that it is ready; `start -f`
 * (--foreground) does the same checks, then becomes `master -d` (for
 * `make run`: logs on stderr, ^C stops it). stop sends
 * SIGTERM and waits for the master to finish; abort sends SIGQUIT (the
 * children are killed at once); reload sends SIGHUP. See docs/master.md.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "argv.h"
#include "clean_env.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "admin.h"

#define CMD_START_WAIT	30		/* seconds for the master to be ready */
#define CMD_STOP_WAIT	30		/* seconds for an orderly stop */
#define CMD_ABORT_WAIT	15		/* seconds after SIGQUIT */

/* cmd_start_accounts - mail_owner and setgid_group must exist */

static int
cmd_start_accounts(uid_t *uid, gid_t *gid)
{
    struct passwd *pw;
    struct group *gr;

    if ((gr = getgrnam(var_setgid_group)) == 0) {
	fprintf(stderr, "postern: fatal: setgid_group \"%s\" does not exist;"
		" create it with \"make install\", or as root: groupadd"
		" --system %s\n", var_setgid_group, var_setgid_group);
	return (-1);
    }
    if ((pw = getpwnam(var_mail_owner)) == 0) {
	fprintf(stderr, "postern: fatal: mail_owner \"%s\" does not exist;"
		" create it with \"make install\", or as root: useradd"
		" --system --user-group --no-create-home --home-dir /nonexistent"
		" --shell /usr/sbin/nologin %s\n", var_mail_owner, var_mail_owner);
	return (-1);
    }
    if (geteuid() != 0 && pw->pw_uid != geteuid()) {
	fprintf(stderr, "postern: fatal: mail_owner is \"%s\", but you are"
		" uid %ld: to run an instance without root, set mail_owner to"
		" your own user name in %s/main.cf\n", var_mail_owner,
		(long) geteuid(), admin_config_dir);
	return (-1);
    }
    if (geteuid() == 0 && pw->pw_uid == 0) {
	fprintf(stderr, "postern: fatal: mail_owner \"%s\" must not be root\n",
		var_mail_owner);
	return (-1);
    }
    *uid = pw->pw_uid;
    *gid = gr->gr_gid;
    return (0);
}

/* cmd_start_run - run the master; wait for it to detach; its status */

static int
cmd_start_run(const char *path)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    struct argv *args = argv_alloc(4);
    struct argv *env = clean_env(admin_config_dir);
    pid_t   pid;
    pid_t   got = 0;
    int     status = 0;
    int     i;

    argv_add(args, path);
    argv_add(args, "-c");
    argv_add(args, admin_config_dir);
    if ((pid = fork()) < 0) {
	fprintf(stderr, "postern: fatal: fork: %s\n", strerror(errno));
	return (-1);
    }
    if (pid == 0) {
	(void) execve(path, args->argv, env->argv);
	fprintf(stderr, "postern: fatal: execute %s: %s\n", path, strerror(errno));
	_exit(127);
    }
    argv_free(args);
    argv_free(env);
    for (i = 0; i < CMD_START_WAIT * 50; i++) {
	if ((got = waitpid(pid, &status, WNOHANG)) != 0)
	    break;
	(void) nanosleep(&ts, (struct timespec *) 0);
    }
    if (got == 0) {
	fprintf(stderr, "postern: fatal: the master did not get ready within"
		" %d s\n", CMD_START_WAIT);
	(void) kill(pid, SIGTERM);
	return (-1);
    }
    if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
	return (-1);
    return (0);
}

/* cmd_start_exec - become `master -c DIR -d` (start -f) */

static void
cmd_start_exec(const char *path)
{
    struct argv *env = clean_env(admin_config_dir);
    char   *args[] = {(char *) path, "-c", (char *) admin_config_dir, "-d", 0};

    (void) fflush(stdout);
    (void) fflush(stderr);
    (void) execve(path, args, env->argv);
    fprintf(stderr, "postern: fatal: execute %s: %s\n", path, strerror(errno));
    argv_free(env);
}

/* cmd_start_main - `postern start [-f|--foreground]` */

int
cmd_start_main(int argc, char **argv)
{
    char   *check_argv[] = {"check", 0};
    struct vstr *why = vstr_alloc(100);
    struct vstr *path = vstr_alloc(100);
    uid_t   uid;
    gid_t   gid;
    pid_t   pid;
    int     ready;
    int     ret = 1;
    int     foreground = 0;

    if (argc == 2 && (strcmp(argv[1], "-f") == 0
		      || strcmp(argv[1], "--foreground") == 0))
	foreground = 1;
    else if (argc > 1) {
	fprintf(stderr, "usage: postern start [-f|--foreground]\n");
	return (2);
    }
    if (cmd_check_main(1, check_argv) != 0) {
	fprintf(stderr, "postern: fatal: configuration errors (above); not"
		" starting\n");
    } else if (mail_params_init(), cmd_start_accounts(&uid, &gid) < 0) {
	 /* reported */ ;
    } else if ((pid = cmd_master_pid(var_queue_dir, &ready)) != 0) {
	fprintf(stderr, "postern: fatal: the mail system is already running"
		" (master pid %ld)\n", (long) pid);
    } else if (mail_queue_create_tree(var_queue_dir, uid, gid, why) < 0) {
	fprintf(stderr, "postern: fatal: queue_directory %s: %s\n",
		var_queue_dir, vstr_str(why));
    } else if (vstr_sprintf(path, "%s/master", var_daemon_dir),
	       access(vstr_str(path), X_OK) < 0) {
	fprintf(stderr, "postern: fatal: %s: %s (daemon_directory)\n",
		vstr_str(path), strerror(errno));
    } else if (foreground) {
	cmd_start_exec(vstr_str(path));		/* returns on error only */
    } else if (cmd_start_run(vstr_str(path)) < 0
	       || (pid = cmd_master_pid(var_queue_dir, &ready)) == 0 || !ready) {
	fprintf(stderr, "postern: fatal: the mail system did not start\n");
	cmd_master_last_log(var_maillog_file);
    } else {
	fprintf(stderr, "postern: the mail system is started (master pid %ld)\n",
		(long) pid);
	ret = 0;
    }
    vstr_free(why);
    vstr_free(path);
    return (ret);
}

/* cmd_start_signal - send sig to the running master; its pid or 0 */

static pid_t
cmd_start_signal(const char *cmd, int argc, int sig, const char **qdir)
{
    pid_t   pid;
    int     ready;

    if (argc > 1) {
	fprintf(stderr, "usage: postern %s\n", cmd);
	return (0);
    }
    if ((*qdir = cmd_master_queue_dir()) == 0)
	return (0);
    if ((pid = cmd_master_pid(*qdir, &ready)) == 0) {
	fprintf(stderr, "postern: fatal: the mail system is not running\n");
	return (0);
    }
    if (kill(pid, sig) < 0) {
	fprintf(stderr, "postern: fatal: signal master pid %ld: %s\n",
		(long) pid, strerror(errno));
	return (0);
    }
    return (pid);
}

/* cmd_stop_main - `postern stop` */

int
cmd_stop_main(int argc, char **argv UNUSED)
{
    const char *qdir;
    pid_t   pid;

    if ((pid = cmd_start_signal("stop", argc, SIGTERM, &qdir)) == 0)
	return (1);
    if (cmd_master_wait_gone(qdir, CMD_STOP_WAIT) < 0) {
	fprintf(stderr, "postern: fatal: master pid %ld did not stop within"
		" %d s (try \"postern abort\")\n", (long) pid, CMD_STOP_WAIT);
	return (1);
    }
    fprintf(stderr, "postern: the mail system is stopped\n");
    return (0);
}

/* cmd_abort_main - `postern abort` */

int
cmd_abort_main(int argc, char **argv UNUSED)
{
    const char *qdir;
    pid_t   pid;

    if ((pid = cmd_start_signal("abort", argc, SIGQUIT, &qdir)) == 0)
	return (1);
    if (cmd_master_wait_gone(qdir, CMD_ABORT_WAIT) < 0) {
	fprintf(stderr, "postern: fatal: master pid %ld did not exit within"
		" %d s\n", (long) pid, CMD_ABORT_WAIT);
	return (1);
    }
    fprintf(stderr, "postern: the mail system is aborted\n");
    return (0);
}

/* cmd_reload_main - `postern reload` */

int
cmd_reload_main(int argc, char **argv UNUSED)
{
    char   *check_argv[] = {"check", 0};
    const char *qdir;

    if (argc <= 1 && cmd_check_main(1, check_argv) != 0) {
	fprintf(stderr, "postern: fatal: configuration errors (above); not"
		" reloading\n");
	return (1);
    }
    if (cmd_start_signal("reload", argc, SIGHUP, &qdir) == 0)
	return (1);
    fprintf(stderr, "postern: refreshing the mail system\n");
    return (0);
}
