/*
 * master.c - the postern master: the supervisor of every service.
 *
 * Usage: master [-c CONFIG_DIR] [-d]
 *
 * Reads main.cf and master.cf, takes the pid lock, creates every
 * listener, then runs the event loop (master_loop.c) that forks service
 * processes on demand, reaps them, throttles crashing services, sends
 * wakeup triggers, and handles SIGHUP (reload), SIGTERM (stop) and
 * SIGQUIT (abort). -d keeps it in the foreground with logging to stderr
 * as well; without -d it detaches, and the parent exits 0 only after the
 * daemon is ready (listeners made, pid file written), 1 otherwise.
 * See docs/master.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "master_cf.h"
#include "master.h"

#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR "/usr/local/etc/postern"
#endif

/* master_check_report - mail_params_check() callback */

static void
master_check_report(const char *file, int line, int severity,
		            const char *text, void *ctx UNUSED)
{
    if (severity != MAIL_PARAMS_ERROR)
	return;
    if (file)
	msg_warn("%s:%d: %s", file, line, text);
    else
	msg_warn("%s: %s", mail_conf_path(), text);
}

/* master_identity - mail_owner and setgid_group; who we run as */

static void
master_identity(void)
{
    struct passwd *pw;
    struct group *gr;

    if ((pw = getpwnam(var_mail_owner)) == 0)
	msg_fatal("mail_owner \"%s\" is not a user of this system; create it"
		  " with \"make install\", or: useradd --system --user-group"
		  " --no-create-home --shell /usr/sbin/nologin %s",
		  var_mail_owner, var_mail_owner);
    if ((gr = getgrnam(var_setgid_group)) == 0)
	msg_fatal("setgid_group \"%s\" is not a group of this system; create"
		  " it with \"make install\", or: groupadd --system %s",
		  var_setgid_group, var_setgid_group);
    if (geteuid() == 0) {
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
	    msg_fatal("mail_owner \"%s\" must not have user or group id 0",
		      var_mail_owner);
    } else if (pw->pw_uid != geteuid()) {
	msg_fatal("mail_owner is \"%s\", but master runs as uid %ld: an"
		  " unprivileged instance needs mail_owner = the user that"
		  " starts it", var_mail_owner, (long) geteuid());
    }
    master_owner_uid = pw->pw_uid;
    master_owner_gid = pw->pw_gid;
    master_setgid_gid = gr->gr_gid;
}

/* master_config - read main.cf and master.cf at start-up */

static struct master_cf *
master_config(void)
{
    struct vstr *err = vstr_alloc(100);
    struct master_cf *cf;

    if (mail_conf_read(master_config_dir, err) < 0)
	msg_fatal("%s", vstr_str(err));
    if (mail_params_check(master_check_report, 0) > 0)
	msg_fatal("%s: configuration errors; run \"postern check\"",
		  mail_conf_path());
    mail_params_init();
    if (master_cf_read(master_config_dir, &cf, err) < 0)
	msg_fatal("%s", vstr_str(err));
    vstr_free(err);
    return (cf);
}

/* master_detach - fork; the parent waits for the ready byte, then exits */

static int
master_detach(void)
{
    int     ready[2];
    pid_t   pid;
    char    ch;
    ssize_t n;

    if (pipe2(ready, O_CLOEXEC) < 0)
	msg_fatal("pipe: %m");
    if ((pid = fork()) < 0)
	msg_fatal("fork: %m");
    if (pid > 0) {
	(void) close(ready[1]);
	while ((n = read(ready[0], &ch, 1)) < 0 && errno == EINTR)
	     /* void */ ;
	_exit(n == 1 && ch == 'R' ? 0 : 1);
    }
    (void) close(ready[0]);
    if (setsid() < 0)
	msg_fatal("setsid: %m");
    return (ready[1]);
}

/* master_stdio - stdin/stdout (and stderr unless -d) to /dev/null */

static void
master_stdio(int with_stderr)
{
    int     fd;
    int     i;

    if ((fd = open("/dev/null", O_RDWR)) < 0)
	msg_fatal("open /dev/null: %m");
    for (i = 0; i <= (with_stderr ? 2 : 1); i++)
	if (fd != i && dup2(fd, i) < 0)
	    msg_fatal("dup2: %m");
    if (fd > 2)
	(void) close(fd);
}

/* master_prepare - queue tree and data directory */

static void
master_prepare(void)
{
    struct vstr *why = vstr_alloc(100);
    int     fd;

    if (mail_queue_create_tree(master_queue_dir, master_owner_uid,
			       master_setgid_gid, why) < 0)
	msg_fatal("queue_directory %s: %s", master_queue_dir, vstr_str(why));
    if (mkdir(var_data_dir, 0700) == 0) {
	if ((fd = open(var_data_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
		       | O_CLOEXEC)) < 0
	    || fchown(fd, master_owner_uid, master_owner_gid) < 0)
	    msg_fatal("data_directory %s: %m", var_data_dir);
	(void) close(fd);
    } else if (errno != EEXIST) {
	msg_fatal("data_directory %s: %m", var_data_dir);
    }
    vstr_free(why);
}

/* master_usage - complain and exit */

static NORETURN
master_usage(const char *me)
{
    msg_fatal("usage: %s [-c CONFIG_DIR] [-d]", me);
}

/* master_options - -c CONFIG_DIR (else $POSTERN_CONFIG), -d */

static void
master_options(int argc, char **argv)
{
    int     ch;

    master_config_dir = getenv("POSTERN_CONFIG");
    if (master_config_dir == 0 || *master_config_dir == 0)
	master_config_dir = DEF_CONFIG_DIR;
    while ((ch = getopt(argc, argv, "c:d")) != -1) {
	switch (ch) {
	case 'c':
	    master_config_dir = optarg;
	    break;
	case 'd':
	    master_foreground = 1;
	    break;
	default:
	    master_usage(argv[0]);
	}
    }
    if (optind != argc)
	master_usage(argv[0]);
}

int
main(int argc, char **argv)
{
    struct vstr *err = vstr_alloc(100);
    struct master_cf *cf;
    int     ready_fd = -1;

    umask(022);
    msg_open("postern", "master", MSG_TO_STDERR);
    master_options(argc, argv);
    cf = master_config();
    msg_open(var_syslog_name, "master", MSG_TO_STDERR | MSG_TO_SYSLOG);
    msg_set_hostname(var_myhostname);
    if (*var_maillog_file && msg_set_maillog(var_maillog_file) < 0)
	msg_fatal("maillog_file %s: %m", var_maillog_file);
    master_identity();
    master_queue_dir = mystrdup(var_queue_dir);
    master_daemon_dir = mystrdup(var_daemon_dir);

    master_prepare();

    /* Refuse a second master before detaching, to say so on stderr. */
    if (master_lock_open(master_queue_dir, err) < 0)
	msg_fatal("%s", vstr_str(err));
    if (!master_foreground) {
	master_lock_close();			/* fcntl locks do not fork */
	ready_fd = master_detach();
	if (master_lock_open(master_queue_dir, err) < 0)
	    msg_fatal("%s", vstr_str(err));
    }
    if (chdir(master_queue_dir) < 0)
	msg_fatal("chdir %s: %m", master_queue_dir);
    master_start_time = time((time_t *) 0);
    if (master_sig_init() < 0)
	msg_fatal("signals: %m");
    master_flow_init();
    if (master_services_start(cf, 1) < 0)
	msg_fatal("cannot start the services of %s", cf->file);
    master_cf_free(cf);
    if (master_lock_ready() < 0)
	msg_fatal("write pid file: %m");
    msg_info("daemon started -- version %s, configuration %s",
	     "postern-0.1", master_config_dir);
    if (ready_fd >= 0) {
	master_stdio(1);
	msg_set_flags(MSG_TO_SYSLOG);
	if (write(ready_fd, "R", 1) != 1)
	    msg_warn("cannot tell the starting process that we are ready: %m");
	(void) close(ready_fd);
    } else {
	master_stdio(0);
    }
    vstr_free(err);
    master_loop();
}
