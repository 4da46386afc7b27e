/*
 * master_lock.c - the pid lock file queue_directory/pid/master.pid.
 *
 * The master holds an fcntl() write lock on the file for its whole life,
 * so a second master on the same queue_directory is refused, and a stale
 * file left by a crash is harmless (nobody holds its lock). The pid is
 * written only when the master is ready (listeners made), so a reader
 * that sees the pid of the lock holder in the file knows the master is
 * up. The lock is taken before the file is truncated: a refused master
 * never damages the file of a running one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "master.h"

static int master_lock_fd = -1;
static char *master_lock_path;

/* master_lock_holder - pid of whoever holds the lock, 0 if none */

static pid_t
master_lock_holder(int fd)
{
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
	return (0);
    return (fl.l_pid);
}

/* master_lock_open - open and lock the pid file */

int
master_lock_open(const char *queue_dir, struct vstr *err)
{
    struct flock fl;
    int     fd;
    pid_t   pid;

    if (master_lock_path == 0) {
	struct vstr *path = vstr_alloc(100);

	vstr_sprintf(path, "%s/pid/master.pid", queue_dir);
	master_lock_path = vstr_export(path);
    }
    if ((fd = open(master_lock_path, O_RDWR | O_CREAT | O_NOFOLLOW
		   | O_CLOEXEC | O_NOCTTY, 0644)) < 0) {
	vstr_sprintf(err, "open %s: %m", master_lock_path);
	return (-1);
    }
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) < 0) {
	if (errno == EAGAIN || errno == EACCES) {
	    pid = master_lock_holder(fd);
	    vstr_sprintf(err, "the postern master is already running"
			 " (pid %ld, lock %s): refusing to start another on"
			 " the same queue_directory", (long) pid,
			 master_lock_path);
	} else {
	    vstr_sprintf(err, "lock %s: %m", master_lock_path);
	}
	(void) close(fd);
	return (-1);
    }
    if (ftruncate(fd, 0) < 0) {
	vstr_sprintf(err, "truncate %s: %m", master_lock_path);
	(void) close(fd);
	return (-1);
    }
    master_lock_fd = fd;
    return (0);
}

/* master_lock_close - give up the lock (before fork to detach) */

void
master_lock_close(void)
{
    if (master_lock_fd >= 0 && close(master_lock_fd) < 0)
	msg_warn("close %s: %m", master_lock_path);
    master_lock_fd = -1;
}

/* master_lock_ready - write our pid: the master is up */

int
master_lock_ready(void)
{
    char    buf[32];
    int     len;

    len = snprintf(buf, sizeof(buf), "%ld\n", (long) getpid());
    if (master_lock_fd < 0)
	msg_panic("master_lock_ready: no lock");
    if (pwrite(master_lock_fd, buf, (size_t) len, 0) != len
	|| fsync(master_lock_fd) < 0)
	return (-1);
    return (0);
}

/* master_lock_remove - remove the pid file at exit (lock still held) */

void
master_lock_remove(void)
{
    if (master_lock_path && master_lock_fd >= 0
	&& unlink(master_lock_path) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", master_lock_path);
}
