/*
 * cmd_requeue.c - `postern requeue`'s work on one message: submit it to
 *	cleanup again so that cleanup's rewriting (and, when qmgr picks the
 *	new file up, routing) runs against the current configuration.
 *
 * The file is first renamed into hold/ (unless it is there already), so
 * that qmgr cannot take it into active/ while it is being copied. The
 * envelope goes to cleanup with the recipients that are not yet done
 * (address, ORCPT and NOTIFY kept; arrival time, DSN and client data
 * kept), then the content lines verbatim. Only when cleanup has
 * committed the new queue file is the old file (and its deferred-reason
 * log) removed; on any failure it goes back to the queue it came from,
 * unchanged. A held message stays held (CLEANUP_FLAG_HOLD).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "queue_file.h"
#include "cleanup_proto.h"
#include "cleanup_clnt.h"
#include "queue_scan.h"
#include "admin.h"

#define CR_TIMEOUT	60		/* seconds per cleanup I/O */

/* cr_pending - keep only the recipients not yet done; how many */

static size_t
cr_pending(struct queue_env *env)
{
    size_t  i;
    size_t  n = 0;

    for (i = 0; i < env->rcpt_count; i++) {
	if (env->rcpt[i].done) {
	    myfree(env->rcpt[i].address);
	    if (env->rcpt[i].orcpt)
		myfree(env->rcpt[i].orcpt);
	    continue;
	}
	env->rcpt[n] = env->rcpt[i];
	env->rcpt[n].done = 0;
	env->rcpt[n].offset = 0;
	n++;
    }
    env->rcpt_count = n;
    return (n);
}

/* cr_copy - envelope and content from r to cleanup; 0 or -1 */

static int
cr_copy(struct queue_reader *r, struct cleanup_clnt *cl, struct vstr *why)
{
    struct queue_env env;
    struct vstr *line = vstr_alloc(QUEUE_LINE_CHUNK);
    int     ret = -1;
    int     rc;

    queue_env_init(&env);
    if (queue_read_envelope(r, &env, why) < 0)
	goto out;
    if (cr_pending(&env) == 0) {
	(void) vstr_fail(why, "no recipient is left to deliver to");
	goto out;
    }
    env.size = 0;
    if (cleanup_clnt_envelope(cl, &env, why) < 0)
	goto out;
    while ((rc = queue_read_line(r, line, QUEUE_LINE_CHUNK, why))
	   != QUEUE_END) {
	if (rc == QUEUE_ERR)
	    goto out;
	if (cleanup_clnt_text(cl, vstr_str(line), vstr_len(line),
			      rc == QUEUE_PART, why) < 0)
	    goto out;
    }
    ret = 0;
out:
    queue_env_free(&env);
    vstr_free(line);
    return (ret);
}

/* cr_prefix - put text in front of why */

static void
cr_prefix(struct vstr *why, const char *text)
{
    struct vstr *tmp = vstr_alloc(100);

    vstr_strcpy(tmp, text);
    vstr_strcat(tmp, vstr_str(why));
    vstr_strcpy(why, vstr_str(tmp));
    vstr_free(tmp);
}

/* cr_submit - send hold/id to cleanup; 0 with new_id, or -1 */

static int
cr_submit(const char *queue_dir, const char *id, int flags,
	          struct vstr *new_id, struct vstr *why)
{
    struct cleanup_clnt *cl;
    struct queue_reader *r;
    struct vstream *fp;
    struct stat sb;
    int     dfd;
    int     fd;
    int     ret;

    if ((dfd = queue_scan_dir(queue_dir, MAIL_QUEUE_HOLD, id)) < 0)
	return (vstr_fail(why, "hold: %s", strerror(errno)));
    fd = openat(dfd, id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    (void) close(dfd);
    if (fd < 0)
	return (vstr_fail(why, "open: %s", strerror(errno)));
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
	(void) close(fd);
	return (vstr_fail(why, "not a regular file"));
    }
    if ((cl = cleanup_clnt_open(queue_dir, 0, flags, CR_TIMEOUT, why)) == 0) {
	(void) close(fd);
	return (-1);
    }
    fp = vstream_fdopen(fd, VSTREAM_READ);
    r = queue_read_stream(fp);
    if (cr_copy(r, cl, why) < 0) {
	cleanup_clnt_abort(cl);
	ret = -1;
    } else if ((ret = cleanup_clnt_close(cl, new_id, why)) != MAIL_STAT_OK) {
	if (ret == MAIL_STAT_DEFER || ret == MAIL_STAT_REJECT)
	    cr_prefix(why, ret == MAIL_STAT_DEFER ? "cleanup deferred it: " :
		      "cleanup rejected it: ");
	ret = -1;
    }
    queue_read_close(r);
    (void) vstream_close(fp);
    return (ret);
}

/* cr_unlink - remove queue_name's file of id; warn on failure */

static void
cr_unlink(const char *queue_dir, const char *queue_name, const char *id)
{
    int     dfd;

    if ((dfd = queue_scan_dir(queue_dir, queue_name, id)) < 0)
	return;
    if (unlinkat(dfd, id, 0) < 0 && errno != ENOENT)
	fprintf(stderr, "postern: warning: %s: remove %s file: %s\n", id,
		queue_name, strerror(errno));
    (void) close(dfd);
}

/* cmd_requeue_one - requeue one message; 1 done, 0 gone, -1 with why */

int
cmd_requeue_one(const char *queue_dir, const char *queue_name,
		        const char *id, struct vstr *new_id, struct vstr *why)
{
    int     held = (strcmp(queue_name, MAIL_QUEUE_HOLD) == 0);
    struct vstr *tmp;
    int     ret;

    (void) signal(SIGPIPE, SIG_IGN);
    vstr_reset(new_id);
    if (!held && (ret = cmd_super_move(queue_dir, queue_name,
				       MAIL_QUEUE_HOLD, id, 0, why)) <= 0)
	return (ret);
    if (cr_submit(queue_dir, id, held ? CLEANUP_FLAG_HOLD : CLEANUP_FLAG_NONE,
		  new_id, why) < 0) {
	vstr_reset(new_id);
	tmp = vstr_alloc(100);
	if (!held && cmd_super_move(queue_dir, MAIL_QUEUE_HOLD, queue_name,
				    id, 0, tmp) != 1)
	    vstr_strcat(why, " (the message was left in hold/)");
	vstr_free(tmp);
	return (-1);
    }
    cr_unlink(queue_dir, MAIL_QUEUE_HOLD, id);
    cr_unlink(queue_dir, MAIL_QUEUE_DEFER, id);
    return (1);
}
