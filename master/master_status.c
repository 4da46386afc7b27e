/*
 * master_status.c - the status file queue_directory/pid/master.status,
 *	read by `postern status`.
 *
 * Text, one record a line, names and numbers separated by one space:
 *
 *	master PID START_TIME
 *	service NAME TYPE MAXPROC TOTAL AVAIL THROTTLE_SECONDS
 *	proc PID STATE USES START_TIME
 *
 * STATE is idle, busy or retiring; a proc line belongs to the service
 * line above it; THROTTLE_SECONDS is the time left, 0 when not
 * throttled. The file is written to a temporary name and renamed, so a
 * reader never sees half of it, and at most once per
 * MASTER_STATUS_MIN_GAP seconds (the loop calls master_status_write()
 * when master_status_due() says so). It is removed when the master stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "master.h"

static int master_status_is_dirty = 1;
static double master_status_last;

/* master_status_dirty - something changed */

void
master_status_dirty(void)
{
    master_status_is_dirty = 1;
}

/* master_status_due - when the next write is due (0: none pending) */

double
master_status_due(double now UNUSED)
{
    if (!master_status_is_dirty)
	return (0);
    return (master_status_last + MASTER_STATUS_MIN_GAP);
}

/* master_status_format - the file contents */

static void
master_status_format(struct vstr *buf, double now)
{
    struct master_serv *serv;
    struct master_proc *proc;
    double  left;

    vstr_sprintf(buf, "master %ld %ld\n", (long) getpid(),
		 (long) master_start_time);
    for (serv = master_services; serv; serv = serv->next) {
	if (serv->removed)
	    continue;
	left = serv->throttle_until - now;
	vstr_sprintf_append(buf, "service %s %s %d %d %d %d\n", serv->name,
			    master_ent_type(serv), serv->maxproc,
			    serv->total_count, serv->avail_count,
			    left > 0 ? (int) (left + 0.999) : 0);
	for (proc = serv->procs; proc; proc = proc->next)
	    vstr_sprintf_append(buf, "proc %ld %s %ld %ld\n", (long) proc->pid,
				proc->retiring ? "retiring" :
				proc->avail ? "idle" : "busy", proc->uses,
				(long) proc->started);
    }
}

/* master_status_write - write the file now */

void
master_status_write(double now)
{
    struct vstr *buf = vstr_alloc(1000);
    struct vstr *tmp = vstr_alloc(100);
    struct vstr *path = vstr_alloc(100);
    int     fd;

    master_status_format(buf, now);
    vstr_sprintf(path, "%s/pid/master.status", master_queue_dir);
    vstr_sprintf(tmp, "%s.%ld.tmp", vstr_str(path), (long) getpid());
    if ((fd = open(vstr_str(tmp), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW
		   | O_CLOEXEC, 0644)) < 0) {
	msg_warn("create %s: %m", vstr_str(tmp));
    } else if (write(fd, vstr_str(buf), vstr_len(buf)) != (ssize_t) vstr_len(buf)) {
	msg_warn("write %s: %m", vstr_str(tmp));
	(void) close(fd);
	(void) unlink(vstr_str(tmp));
    } else if (close(fd) < 0 || rename(vstr_str(tmp), vstr_str(path)) < 0) {
	msg_warn("rename %s: %m", vstr_str(tmp));
	(void) unlink(vstr_str(tmp));
    }
    master_status_is_dirty = 0;
    master_status_last = now;
    vstr_free(buf);
    vstr_free(tmp);
    vstr_free(path);
}

/* master_status_remove - the master is going away */

void
master_status_remove(void)
{
    struct vstr *path = vstr_alloc(100);

    vstr_sprintf(path, "%s/pid/master.status", master_queue_dir);
    if (unlink(vstr_str(path)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", vstr_str(path));
    vstr_free(path);
}
