/*
 * cmd_delete.c - `postern delete QUEUEID...|ALL|-`: remove messages
 *	from the queue, like `postsuper -d`.
 *
 * A message is removed from whichever of incoming, active, deferred and
 * hold holds it, together with its deferred-reason log. Queue IDs are
 * checked with mail_queue_id_ok() before they name a file; a path never
 * comes from the command line, and no symbolic link in the queue is
 * followed (queue_scan_dir, unlinkat). "-" reads queue IDs from stdin,
 * one a line. With selectors (queue_select.h), --dry-run or --json the
 * work is done by cmd_super_run(). qmgr tolerates a file that vanishes
 * under it; a delivery already in flight for a message in active/ may
 * still finish.
 * Only root and mail_owner.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "mail_queue.h"
#include "queue_scan.h"
#include "queue_select.h"
#include "admin.h"


/* cd_unlink - remove queue_name's file of queue_id; 1, 0 absent, -1 */

static int
cd_unlink(const char *queue_dir, const char *queue_name, const char *queue_id,
	          struct vstr *why)
{
    int     dfd;
    int     ret = 1;

    if ((dfd = queue_scan_dir(queue_dir, queue_name, queue_id)) < 0)
	return (errno == ENOENT ? 0 : vstr_fail(why, "%s/%s: %s", queue_dir,
						queue_name, strerror(errno)));
    if (unlinkat(dfd, queue_id, 0) < 0)
	ret = (errno == ENOENT ? 0 : vstr_fail(why, "%s: %s", queue_name,
					       strerror(errno)));
    (void) close(dfd);
    return (ret);
}

/* cmd_delete_one - remove one message; 1 removed, 0 not found, -1 */

int
cmd_delete_one(const char *queue_dir, const char *queue_id, struct vstr *why)
{
    int     found = 0;
    int     ret;
    int     i;

    if (!mail_queue_id_ok(queue_id))
	return (vstr_fail(why, "invalid queue ID"));
    for (i = 0; queue_scan_admin_queues[i]; i++) {
	if ((ret = cd_unlink(queue_dir, queue_scan_admin_queues[i], queue_id,
			     why)) < 0)
	    return (-1);
	found |= ret;
    }
    if (cd_unlink(queue_dir, MAIL_QUEUE_DEFER, queue_id, why) < 0)
	return (-1);
    return (found);
}

 /*
  * State of a delete ALL walk.
  */
struct cd_all {
    long    count;			/* messages removed */
    int     errors;
};

/* cd_all_one - queue_scan_walk() callback: remove one file */

static int
cd_all_one(const char *queue_name, int dir_fd, const char *queue_id,
	           void *ctx)
{
    struct cd_all *all = ctx;

    if (unlinkat(dir_fd, queue_id, 0) == 0) {
	if (strcmp(queue_name, MAIL_QUEUE_DEFER) != 0)
	    all->count++;
    } else if (errno != ENOENT) {
	fprintf(stderr, "postern: warning: %s/%s: %s\n", queue_name, queue_id,
		strerror(errno));
	all->errors++;
    }
    return (0);
}

/* cmd_delete_all - remove every message and every deferred-reason log */

long
cmd_delete_all(const char *queue_dir, struct vstr *why)
{
    struct cd_all all = {0, 0};
    int     i;

    for (i = 0; queue_scan_admin_queues[i]; i++)
	if (queue_scan_walk(queue_dir, queue_scan_admin_queues[i], cd_all_one,
			    &all, why) < 0)
	    return (-1);
    if (queue_scan_walk(queue_dir, MAIL_QUEUE_DEFER, cd_all_one, &all, why) < 0)
	return (-1);
    if (all.errors)
	return (vstr_fail(why, "%d file%s could not be removed", all.errors,
			  all.errors == 1 ? "" : "s"));
    return (all.count);
}

/* cd_report - delete one ID from the command line or stdin; errors */

static int
cd_report(const char *queue_dir, const char *queue_id, long *count,
	          struct vstr *why)
{
    int     ret;

    if ((ret = cmd_delete_one(queue_dir, queue_id, why)) < 0) {
	fprintf(stderr, "postern: error: %s: ", mail_queue_id_ok(queue_id) ?
		queue_id : "(bad ID)");
	fprintf(stderr, "%s\n", vstr_str(why));
	return (1);
    }
    if (ret == 0)
	fprintf(stderr, "postern: warning: %s: not in the queue\n", queue_id);
    *count += ret;
    return (0);
}

/* cd_stream_one - cd_report() for queue_select_read_ids() */

struct cd_stream_ctx {
    const char *queue_dir;
    long   *count;
    struct vstr *why;
};

static int
cd_stream_one(const char *queue_id, void *ctx)
{
    struct cd_stream_ctx *c = ctx;

    return (cd_report(c->queue_dir, queue_id, c->count, c->why));
}

/* cmd_delete_stream - delete the IDs read from in, one a line; errors */

int
cmd_delete_stream(const char *queue_dir, struct vstream *in, long *count)
{
    struct cd_stream_ctx ctx;
    int     errors;

    ctx.queue_dir = queue_dir;
    ctx.count = count;
    ctx.why = vstr_alloc(100);
    errors = queue_select_read_ids(in, cd_stream_one, &ctx);
    vstr_free(ctx.why);
    return (errors);
}

/* cd_plain - delete the IDs, ALL and - of args (no selectors) */

static int
cd_plain(const char *qdir, char **args, int nargs)
{
    struct vstream *in;
    struct vstr *why = vstr_alloc(100);
    long    count = 0;
    long    n;
    int     errors = 0;
    int     i;

    for (i = 0; i < nargs; i++) {
	if (strcmp(args[i], "ALL") == 0) {
	    if ((n = cmd_delete_all(qdir, why)) < 0) {
		fprintf(stderr, "postern: error: %s\n", vstr_str(why));
		errors++;
	    } else {
		count += n;
	    }
	} else if (strcmp(args[i], "-") == 0) {
	    in = vstream_fdopen(STDIN_FILENO, VSTREAM_READ);
	    errors += cmd_delete_stream(qdir, in, &count);
	    vstream_free(in);
	} else {
	    errors += cd_report(qdir, args[i], &count, why);
	}
    }
    fprintf(stderr, "postern: deleted: %ld message%s\n", count,
	    count == 1 ? "" : "s");
    vstr_free(why);
    return (errors ? 1 : 0);
}

/* cmd_delete_main - `postern delete [SELECTORS] QUEUEID...|ALL|-` */

int
cmd_delete_main(int argc, char **argv)
{
    struct queue_select sel;
    struct vstr *why = vstr_alloc(100);
    const char *qdir;
    int     ret = 1;

    queue_select_init(&sel);
    if (queue_select_parse(&sel, argc, argv, why) < 0
	|| (sel.nargs == 0 && !sel.any)) {
	if (vstr_len(why))
	    fprintf(stderr, "postern: %s\n", vstr_str(why));
	fprintf(stderr, "usage: postern delete [--from ADDR] [--to ADDR]"
		" [--domain DOMAIN] [--older-than AGE] [--status QUEUE]"
		" [--reason REGEX] [--dry-run] [--json] QUEUEID...|ALL|-\n");
	ret = 2;
    } else if (sel.any || sel.dry_run || sel.json) {
	ret = cmd_super_run("delete", &sel);
    } else if ((qdir = queue_scan_config(1)) != 0) {
	ret = cd_plain(qdir, sel.args, sel.nargs);
    }
    queue_select_free(&sel);
    vstr_free(why);
    return (ret);
}
