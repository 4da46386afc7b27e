/*
 * cmd_flush.c - `postern flush [QUEUEID]`: retry deferred mail now.
 *
 * The next attempt time of a deferred message is the mtime of its file
 * in deferred/ (util/deliver_proto.h). flush sets it to now, for one
 * message or for all, then writes QMGR_REQ_FLUSH and
 * QMGR_REQ_SCAN_DEFERRED to queue_directory/public/qmgr so that qmgr
 * scans deferred/ at once. With qmgr down the times are still updated,
 * so the next qmgr run picks the mail up; the command then says that the
 * mail system is not running and exits 1. Only root and mail_owner.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "unix_sock.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "deliver_proto.h"
#include "queue_scan.h"
#include "admin.h"

#define CF_CONNECT_TIMEOUT	5	/* seconds, when qmgr's backlog is full */

static const struct timespec cf_now[2] = {
    {0, UTIME_OMIT}, {0, UTIME_NOW},	/* atime, mtime */
};

/* cf_touch - queue_scan_walk() callback: make one deferred file due */

static int
cf_touch(const char *queue_name UNUSED, int dir_fd, const char *queue_id,
	         void *ctx)
{
    long   *count = ctx;

    if (utimensat(dir_fd, queue_id, cf_now, AT_SYMLINK_NOFOLLOW) < 0) {
	if (errno == ENOENT)
	    return (0);			/* qmgr took it meanwhile */
	fprintf(stderr, "postern: warning: %s: %s\n", queue_id, strerror(errno));
	return (0);
    }
    *count += 1;
    return (0);
}

/* cmd_flush_queue - make one (or every) deferred message due; the count */

long
cmd_flush_queue(const char *queue_dir, const char *queue_id, struct vstr *why)
{
    long    count = 0;
    int     dfd;

    if (queue_id == 0) {
	if (queue_scan_walk(queue_dir, MAIL_QUEUE_DEFERRED, cf_touch, &count,
			    why) < 0)
	    return (-1);
	return (count);
    }
    if (!mail_queue_id_ok(queue_id))
	return (vstr_fail(why, "invalid queue ID"));
    if ((dfd = queue_scan_dir(queue_dir, MAIL_QUEUE_DEFERRED, queue_id)) < 0) {
	if (errno == ENOENT)
	    return (0);
	return (vstr_fail(why, "%s/%s: %s", queue_dir, MAIL_QUEUE_DEFERRED,
			  strerror(errno)));
    }
    if (utimensat(dfd, queue_id, cf_now, AT_SYMLINK_NOFOLLOW) == 0)
	count = 1;
    else if (errno != ENOENT)
	count = vstr_fail(why, "%s", strerror(errno));
    (void) close(dfd);
    return (count);
}

/* cmd_flush_trigger - ask qmgr to scan deferred/ now; 0 or -1 */

int
cmd_flush_trigger(const char *queue_dir, struct vstr *why)
{
    static const char req[] = {QMGR_REQ_FLUSH, QMGR_REQ_SCAN_DEFERRED};
    struct vstr *path = vstr_alloc(100);
    int     fd;
    int     ret = 0;

    vstr_sprintf(path, "%s/%s/%s", queue_dir, MAIL_CLASS_PUBLIC,
		 MAIL_SERVICE_QMGR);
    if ((fd = unix_connect(vstr_str(path), CF_CONNECT_TIMEOUT)) < 0) {
	if (errno == ENOENT || errno == ECONNREFUSED)
	    ret = vstr_fail(why, "mail system is not running");
	else
	    ret = vstr_fail(why, "connect to %s: %s", vstr_str(path),
			    strerror(errno));
    } else {
	if (write_all(fd, req, sizeof(req)) < 0)
	    ret = vstr_fail(why, "write to %s: %s", vstr_str(path),
			    strerror(errno));
	(void) close(fd);
    }
    vstr_free(path);
    return (ret);
}

/* cmd_flush_main - `postern flush [QUEUEID]` */

int
cmd_flush_main(int argc, char **argv)
{
    const char *qdir;
    const char *id = argc == 2 ? argv[1] : 0;
    struct vstr *why;
    long    count;
    int     ret = 0;

    if (argc > 2 || (id && *id == '-')) {
	fprintf(stderr, "usage: postern flush [QUEUEID]\n");
	return (2);
    }
    if (id && !mail_queue_id_ok(id)) {
	fprintf(stderr, "postern: fatal: invalid queue ID\n");
	return (1);
    }
    if ((qdir = queue_scan_config(1)) == 0)
	return (1);
    why = vstr_alloc(100);
    if ((count = cmd_flush_queue(qdir, id, why)) < 0) {
	fprintf(stderr, "postern: fatal: %s%s%s\n", id ? id : "",
		id ? ": " : "", vstr_str(why));
	ret = 1;
    } else if (id && count == 0) {
	fprintf(stderr, "postern: fatal: %s: not in the deferred queue\n", id);
	ret = 1;
    } else if (cmd_flush_trigger(qdir, why) < 0) {
	fprintf(stderr, "postern: fatal: %s (%ld deferred message%s will be"
		" retried when it starts)\n", vstr_str(why), count,
		count == 1 ? "" : "s");
	ret = 1;
    }
    vstr_free(why);
    return (ret);
}
