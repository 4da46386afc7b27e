/*
 * master_avail.c - process availability and demand: the status pipe,
 *	listener watching, and wakeup triggers.
 *
 * Children report MASTER_STAT_AVAIL / MASTER_STAT_TAKEN over their
 * service's status pipe (util/master_proto.h). The master forks a
 * process only on demand: while a service has no available process,
 * is below maxproc and is not throttled, the event loop watches its
 * listeners, and a pending client (or trigger) makes it fork one
 * process (Postfix master_avail.c). Reports are hostile input: one
 * from a pid that is not a current process of the service, or with an
 * unknown value, is ignored.
 *
 * Wakeup timers write MASTER_TRIGGER_WAKEUP to the endpoint of unix and
 * fifo services (wakeup "N?" only after the service took a client);
 * the pending trigger then brings up a process through the same path.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "iostuff.h"
#include "unix_sock.h"
#include "master_proto.h"
#include "master_cf.h"
#include "master.h"

/* master_avail_set - mark a process available or taken */

void
master_avail_set(struct master_proc *proc, int avail)
{
    struct master_serv *serv = proc->serv;

    if (proc->retiring)
	return;
    if (avail && !proc->avail)
	serv->avail_count++;
    else if (!avail && proc->avail)
	serv->avail_count--;
    proc->avail = avail;
}

/* master_avail_report - one status report */

static void
master_avail_report(struct master_serv *serv, const struct master_status *st)
{
    struct master_proc *proc;

    if (st->pid <= 0 || (proc = master_proc_find(serv, st->pid)) == 0)
	return;					/* not ours */
    switch (st->avail) {
    case MASTER_STAT_TAKEN:
	proc->uses++;
	serv->used = 1;
	master_avail_set(proc, 0);
	break;
    case MASTER_STAT_AVAIL:
	master_avail_set(proc, 1);
	break;
    default:
	msg_warn("service %s: bad status %d from pid %ld", serv->name,
		 st->avail, (long) st->pid);
	return;
    }
    master_status_dirty();
}

/* master_avail_status - read what the status pipe holds */

void
master_avail_status(struct master_serv *serv)
{
    unsigned char buf[64 * sizeof(struct master_status)];
    struct master_status st;
    size_t  have;
    size_t  off;
    ssize_t n;

    memcpy(buf, serv->status_buf, serv->status_len);
    have = serv->status_len;
    while ((n = read(serv->status_fd[0], buf + have, sizeof(buf) - have)) < 0
	   && errno == EINTR)
	 /* void */ ;
    if (n < 0) {
	if (errno != EAGAIN)
	    msg_warn("service %s: read status pipe: %m", serv->name);
	return;
    }
    have += (size_t) n;
    for (off = 0; have - off >= sizeof(st); off += sizeof(st)) {
	memcpy(&st, buf + off, sizeof(st));
	master_avail_report(serv, &st);
    }
    serv->status_len = have - off;		/* a partial report, kept */
    memcpy(serv->status_buf, buf + off, serv->status_len);
}

/* master_avail_wanted - should the loop watch the listeners? */

int
master_avail_wanted(const struct master_serv *serv, double now)
{
    return (!serv->removed && serv->listen_count > 0
	    && serv->avail_count == 0
	    && (serv->maxproc == 0 || serv->total_count < serv->maxproc)
	    && now >= serv->throttle_until);
}

/* master_avail_listen - a client waits and no process is available */

void
master_avail_listen(struct master_serv *serv)
{
    if (master_avail_wanted(serv, master_now()))
	(void) master_spawn(serv);
}

/* master_trigger - write the wakeup byte to the service endpoint */

static void
master_trigger(struct master_serv *serv)
{
    char    ch = MASTER_TRIGGER_WAKEUP;
    int     fd;

    if (serv->type == MASTER_CF_FIFO && serv->listen_count > 0) {
	if (write(serv->listen_fds[0], &ch, 1) < 0 && errno != EAGAIN)
	    msg_warn("service %s: wakeup: %m", serv->name);
    } else if (serv->type == MASTER_CF_UNIX && serv->path) {
	if ((fd = unix_connect_mode(serv->path, NON_BLOCKING, 0)) < 0) {
	    if (errno != EAGAIN)
		msg_warn("service %s: wakeup: connect %s: %m", serv->name,
			 serv->path);
	    return;
	}
	if (write(fd, &ch, 1) < 0 && errno != EAGAIN)
	    msg_warn("service %s: wakeup: write: %m", serv->name);
	(void) close(fd);
    }
}

/* master_wakeup - send a due wakeup trigger */

void
master_wakeup(struct master_serv *serv, double now)
{
    if (serv->wakeup <= 0 || serv->removed)
	return;

    /*
     * A service with a wakeup timer (qmgr, pickup) always has a process,
     * as at start-up: after a crash, a new one starts as soon as the
     * throttle allows, not only at the next wakeup or trigger (qmgr must
     * put the messages of the dead process back in line at once). The
     * loop does not call this while master is stopping.
     */
    if (!serv->wakeup_if_used && serv->total_count == 0
	&& now >= serv->throttle_until)
	(void) master_spawn(serv);
    if (now < serv->next_wakeup)
	return;
    serv->next_wakeup = now + serv->wakeup;
    if (!serv->wakeup_if_used || serv->used)
	master_trigger(serv);
}
