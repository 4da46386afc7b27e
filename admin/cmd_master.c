/*
 * cmd_master.c - what the start/stop/reload/abort/status commands share:
 *	reading the configuration and finding the running master.
 *
 * The master holds an fcntl() lock on queue_directory/pid/master.pid
 * and writes its pid there once it is ready (master/master_lock.c).
 * The master is "running" when someone holds that lock, and "ready"
 * when the pid in the file is the lock holder's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "mail_conf.h"
#include "admin.h"

/* cmd_master_queue_dir - read main.cf; the queue_directory, or NULL */

const char *
cmd_master_queue_dir(void)
{
    struct vstr *err = vstr_alloc(100);
    const char *dir = 0;

    if (mail_conf_read(admin_config_dir, err) < 0)
	fprintf(stderr, "postern: fatal: %s\n", vstr_str(err));
    else if (mail_conf_eval_checked("queue_directory", &dir, err) < 0 || dir == 0)
	fprintf(stderr, "postern: fatal: queue_directory: %s\n", vstr_str(err));
    vstr_free(err);
    return (dir);
}

/* cmd_master_pid - pid of the running master (0: none); *ready */

pid_t
cmd_master_pid(const char *queue_dir, int *ready)
{
    struct vstr *path = vstr_alloc(100);
    struct flock fl;
    char    buf[32];
    ssize_t n;
    int     fd;

    *ready = 0;
    vstr_sprintf(path, "%s/pid/master.pid", queue_dir);
    fd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    vstr_free(path);
    if (fd < 0)
	return (0);
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK || fl.l_pid <= 0) {
	(void) close(fd);
	return (0);
    }
    if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) > 0) {
	buf[n] = 0;
	*ready = (strtol(buf, (char **) 0, 10) == (long) fl.l_pid);
    }
    (void) close(fd);
    return (fl.l_pid);
}

/* cmd_master_wait_gone - wait until no master holds the lock */

int
cmd_master_wait_gone(const char *queue_dir, int seconds)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    int     ready;
    int     i;

    for (i = 0; i < seconds * 20; i++) {
	if (cmd_master_pid(queue_dir, &ready) == 0)
	    return (0);
	(void) nanosleep(&ts, (struct timespec *) 0);
    }
    return (-1);
}

/* cmd_master_last_log - print the last line of maillog_file, if any */

void
cmd_master_last_log(const char *path)
{
    char    buf[4096];
    ssize_t n;
    off_t   end;
    char   *cp;
    int     fd;

    if (path == 0 || *path == 0
	|| (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
	return;
    if ((end = lseek(fd, 0, SEEK_END)) > 0
	&& (n = pread(fd, buf, sizeof(buf) - 1,
		      end > (off_t) sizeof(buf) - 1 ? end - (off_t) sizeof(buf) + 1 : 0)) > 0) {
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
	    buf[--n] = 0;
	cp = strrchr(buf, '\n');
	fprintf(stderr, "postern: last log line: %s\n", cp ? cp + 1 : buf);
    }
    (void) close(fd);
}
