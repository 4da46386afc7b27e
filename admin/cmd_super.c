/*
 * cmd_super.c - `postern hold|release|requeue|delete [SELECTORS]
 *	[--dry-run] [--json] QUEUEID...|ALL|-`: change queued messages,
 *	like Postfix's postsuper -h, -H, -r and -d.
 *
 * The targets are the named IDs (or every message for ALL, or the IDs
 * on stdin for -), narrowed by the selectors of queue_select.h; with
 * selectors and no ID every message is a candidate. hold renames a
 * message from incoming/ or deferred/ into hold/; release renames it
 * from hold/ into deferred/ with mtime now (due) and sends qmgr
 * QMGR_REQ_SCAN_DEFERRED; requeue submits it to cleanup again
 * (cmd_requeue.c); delete is cmd_delete_one(). A message in active/ is
 * being delivered and is not held, released or requeued (refused with
 * a message); delete removes it as cmd_delete.c describes. --dry-run
 * prints what would change and changes nothing. Only root and
 * mail_owner.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "unix_sock.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "deliver_proto.h"
#include "queue_scan.h"
#include "queue_select.h"
#include "admin.h"

#define CS_CONNECT_TIMEOUT 5

#define CS_INCOMING	(1<<0)		/* bits by queue_scan_admin_queues */
#define CS_ACTIVE	(1<<1)
#define CS_DEFERRED	(1<<2)
#define CS_HOLD		(1<<3)

 /*
  * What each verb acts on and how it reports.
  */
struct cs_verb {
    const char *name;
    int     mask;			/* queues it takes messages from */
    const char *done;			/* "held", ... */
};

static const struct cs_verb cs_verbs[] = {
    {"hold", CS_INCOMING | CS_DEFERRED, "held"},
    {"release", CS_HOLD, "released"},
    {"requeue", CS_INCOMING | CS_DEFERRED | CS_HOLD, "requeued"},
    {"delete", CS_INCOMING | CS_ACTIVE | CS_DEFERRED | CS_HOLD, "deleted"},
    {0, 0, 0},
};

struct cs_target {
    int     queue;			/* index in queue_scan_admin_queues */
    int     named;			/* given by ID, not by ALL/selector */
    char    id[MAIL_QUEUE_ID_MAX + 1];
};

 /*
  * State of one command.
  */
struct cs_state {
    const struct cs_verb *verb;
    struct queue_select *sel;
    const char *queue_dir;
    struct cs_target *v;
    size_t  n;
    size_t  cap;
    struct queue_scan_msg msg;
    time_t  now;
    int     walk_queue;			/* queue being walked */
    long    count;			/* messages changed (or would be) */
    int     errors;
    struct vstr *why;
    struct vstr *buf;
};

/* cs_add - remember one target */

static void
cs_add(struct cs_state *st, int queue, const char *id, int named)
{
    if (st->n == st->cap) {
	st->cap = st->cap ? 2 * st->cap : 64;
	st->v = (struct cs_target *) myrealloc(st->v, st->cap * sizeof(*st->v));
    }
    st->v[st->n].queue = queue;
    st->v[st->n].named = named;
    (void) snprintf(st->v[st->n].id, sizeof(st->v[st->n].id), "%s", id);
    st->n++;
}

/* cs_walk_one - queue_scan_walk() callback: select one message */

static int
cs_walk_one(const char *queue_name, int dir_fd, const char *queue_id,
	            void *ctx)
{
    struct cs_state *st = ctx;
    int     status = QUEUE_SCAN_OK;

    if (st->sel->any) {
	status = queue_scan_load(st->queue_dir, dir_fd, queue_id, &st->msg);
	if (status == QUEUE_SCAN_GONE
	    || !queue_select_match(st->sel, queue_name, queue_id, status,
				   &st->msg, st->now))
	    return (0);
    }
    cs_add(st, st->walk_queue, queue_id, 0);
    return (0);
}

/* cs_walk_all - every selected message of every queue */

static void
cs_walk_all(struct cs_state *st)
{
    int     i;

    for (i = 0; queue_scan_admin_queues[i]; i++) {
	if (!queue_select_queue(st->sel, queue_scan_admin_queues[i]))
	    continue;
	st->walk_queue = i;
	if (queue_scan_walk(st->queue_dir, queue_scan_admin_queues[i],
			    cs_walk_one, st, st->why) < 0) {
	    fprintf(stderr, "postern: error: %s\n", vstr_str(st->why));
	    st->errors++;
	}
    }
}

/* cs_locate - the queue that holds id: index, -1 absent, -2 error */

static int
cs_locate(struct cs_state *st, const char *id, int *status)
{
    struct stat sb;
    int     dfd;
    int     i;

    for (i = 0; queue_scan_admin_queues[i]; i++) {
	if ((dfd = queue_scan_dir(st->queue_dir, queue_scan_admin_queues[i],
				  id)) < 0) {
	    if (errno == ENOENT)
		continue;
	    return (vstr_fail(st->why, "%s: %s", queue_scan_admin_queues[i],
			      strerror(errno)) - 1);
	}
	if (fstatat(dfd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
	    *status = st->sel->any ? queue_scan_load(st->queue_dir, dfd, id,
						     &st->msg) : QUEUE_SCAN_OK;
	    (void) close(dfd);
	    return (*status == QUEUE_SCAN_GONE ? -1 : i);
	}
	(void) close(dfd);
    }
    return (-1);
}

/* cs_named - one ID from the command line or stdin */

static void
cs_named(struct cs_state *st, const char *id)
{
    int     status = QUEUE_SCAN_OK;
    int     q;

    if (!mail_queue_id_ok(id)) {
	fprintf(stderr, "postern: error: (bad ID): invalid queue ID\n");
	st->errors++;
    } else if ((q = cs_locate(st, id, &status)) == -2) {
	fprintf(stderr, "postern: error: %s: %s\n", id, vstr_str(st->why));
	st->errors++;
    } else if (q == -1) {
	fprintf(stderr, "postern: warning: %s: not in the queue\n", id);
    } else if (!st->sel->any
	       || queue_select_match(st->sel, queue_scan_admin_queues[q], id,
				     status, &st->msg, st->now)) {
	cs_add(st, q, id, 1);
    }
}

/* cs_stdin_one - cs_named() for queue_select_read_ids() */

static int
cs_stdin_one(const char *id, void *ctx)
{
    cs_named((struct cs_state *) ctx, id);
    return (0);
}

/* cs_stdin - the IDs on standard input, one a line */

static void
cs_stdin(struct cs_state *st)
{
    struct vstream *in = vstream_fdopen(STDIN_FILENO, VSTREAM_READ);

    st->errors += queue_select_read_ids(in, cs_stdin_one, st);
    vstream_free(in);
}

/* cmd_super_trigger - send qmgr one request byte; 0 or -1 */

int
cmd_super_trigger(const char *queue_dir, int req, struct vstr *why)
{
    struct vstr *path = vstr_alloc(100);
    char    ch = (char) req;
    int     fd;
    int     ret = 0;

    vstr_sprintf(path, "%s/%s/%s", queue_dir, MAIL_CLASS_PUBLIC,
		 MAIL_SERVICE_QMGR);
    if ((fd = unix_connect(vstr_str(path), CS_CONNECT_TIMEOUT)) < 0) {
	ret = vstr_fail(why, (errno == ENOENT || errno == ECONNREFUSED) ?
			"mail system is not running" : "connect to qmgr: %s",
			strerror(errno));
    } else {
	if (write_all(fd, &ch, 1) < 0)
	    ret = vstr_fail(why, "write to qmgr: %s", strerror(errno));
	(void) close(fd);
    }
    vstr_free(path);
    return (ret);
}

/* cmd_super_move - rename id from one queue to another; 1, 0 gone, -1 */

int
cmd_super_move(const char *queue_dir, const char *from, const char *to,
	               const char *id, int due, struct vstr *why)
{
    static const struct timespec now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    int     sfd;
    int     tfd;
    int     ret = 1;

    if ((sfd = queue_scan_dir(queue_dir, from, id)) < 0)
	return (errno == ENOENT ? 0 : vstr_fail(why, "%s: %s", from,
						strerror(errno)));
    if ((tfd = queue_scan_dir(queue_dir, to, id)) < 0) {
	(void) close(sfd);
	return (vstr_fail(why, "%s: %s", to, strerror(errno)));
    }
    if (renameat2(sfd, id, tfd, id, RENAME_NOREPLACE) < 0)
	ret = (errno == ENOENT ? 0 : errno == EEXIST ?
	       vstr_fail(why, "a file of that name is in %s already", to) :
	       vstr_fail(why, "rename %s to %s: %s", from, to,
			 strerror(errno)));
    else if (due && utimensat(tfd, id, now, AT_SYMLINK_NOFOLLOW) < 0)
	fprintf(stderr, "postern: warning: %s: set time: %s\n", id,
		strerror(errno));
    (void) close(sfd);
    (void) close(tfd);
    return (ret);
}

/* cs_report - one changed (or would-be changed) message on stdout */

static void
cs_report(struct cs_state *st, const struct cs_target *t, const char *new_id)
{
    const char *qname = queue_scan_admin_queues[t->queue];

    vstr_reset(st->buf);
    if (st->sel->json) {
	vstr_sprintf(st->buf, "{\"action\": \"%s\", \"queue_id\": \"%s\","
		     " \"queue_name\": \"%s\", \"dry_run\": %s", st->verb->name,
		     t->id, qname, st->sel->dry_run ? "true" : "false");
	if (new_id)
	    vstr_sprintf_append(st->buf, ", \"new_queue_id\": \"%s\"", new_id);
	vstr_strcat(st->buf, "}\n");
    } else if (st->sel->dry_run) {
	vstr_sprintf(st->buf, "would %s: %s (%s)\n", st->verb->name, t->id,
		     qname);
    } else if (new_id) {
	vstr_sprintf(st->buf, "%s: requeued as %s\n", t->id, new_id);
    }
    if (vstr_len(st->buf) > 0)
	(void) fwrite(vstr_str(st->buf), 1, vstr_len(st->buf), stdout);
}

/* cs_refuse - a message that this verb does not take from its queue */

static void
cs_refuse(struct cs_state *st, const struct cs_target *t)
{
    const char *qname = queue_scan_admin_queues[t->queue];
    int     active = (strcmp(qname, MAIL_QUEUE_ACTIVE) == 0);

    if (!t->named) {				/* ALL or selector */
	if (active && (st->verb->mask & (CS_INCOMING | CS_DEFERRED)))
	    fprintf(stderr, "postern: warning: %s: is being delivered (in"
		    " active/): skipped\n", t->id);
	return;
    }
    fprintf(stderr, "postern: error: %s: %s\n", t->id, active ?
	    "is being delivered (in active/): not changed; try again when"
	    " this delivery attempt ends" :
	    strcmp(qname, MAIL_QUEUE_HOLD) == 0 ? "is on hold already" :
	    "is not on hold");
    st->errors++;
}

/* cs_act - change one message */

static void
cs_act(struct cs_state *st, const struct cs_target *t)
{
    const char *qname = queue_scan_admin_queues[t->queue];
    struct vstr *new_id;
    int     ret;

    if ((st->verb->mask & (1 << t->queue)) == 0) {
	cs_refuse(st, t);
	return;
    }
    if (st->sel->dry_run) {
	cs_report(st, t, 0);
	st->count++;
	return;
    }
    new_id = vstr_alloc(MAIL_QUEUE_ID_MAX + 1);
    if (strcmp(st->verb->name, "hold") == 0)
	ret = cmd_super_move(st->queue_dir, qname, MAIL_QUEUE_HOLD, t->id, 0,
			     st->why);
    else if (strcmp(st->verb->name, "release") == 0)
	ret = cmd_super_move(st->queue_dir, qname, MAIL_QUEUE_DEFERRED, t->id,
			     1, st->why);
    else if (strcmp(st->verb->name, "requeue") == 0)
	ret = cmd_requeue_one(st->queue_dir, qname, t->id, new_id, st->why);
    else
	ret = cmd_delete_one(st->queue_dir, t->id, st->why);
    if (ret < 0) {
	fprintf(stderr, "postern: error: %s: %s\n", t->id, vstr_str(st->why));
	st->errors++;
    } else if (ret == 0) {
	fprintf(stderr, "postern: warning: %s: not in %s any more (being"
		" delivered?): not changed\n", t->id, qname);
	if (t->named)
	    st->errors++;
    } else {
	st->count++;
	cs_report(st, t, vstr_len(new_id) ? vstr_str(new_id) : 0);
    }
    vstr_free(new_id);
}

/* cmd_super_run - collect the targets of sel and change them; exit */

int
cmd_super_run(const char *verb, struct queue_select *sel)
{
    struct cs_state st;
    int     i;

    memset(&st, 0, sizeof(st));
    for (i = 0; cs_verbs[i].name && strcmp(cs_verbs[i].name, verb); i++)
	 /* void */ ;
    if ((st.verb = cs_verbs + i)->name == 0)
	msg_panic("cmd_super_run: unknown verb %s", verb);
    if ((st.queue_dir = queue_scan_config(1)) == 0)
	return (1);
    st.sel = sel;
    st.now = time((time_t *) 0);
    st.why = vstr_alloc(100);
    st.buf = vstr_alloc(200);
    queue_scan_msg_init(&st.msg);
    if (sel->nargs == 0)
	cs_walk_all(&st);
    for (i = 0; i < sel->nargs; i++) {
	if (strcmp(sel->args[i], "ALL") == 0)
	    cs_walk_all(&st);
	else if (strcmp(sel->args[i], "-") == 0)
	    cs_stdin(&st);
	else
	    cs_named(&st, sel->args[i]);
    }
    for (i = 0; i < (int) st.n; i++)
	cs_act(&st, st.v + i);
    (void) fflush(stdout);
    if (!sel->dry_run && strcmp(verb, "release") == 0 && st.count > 0
	&& cmd_super_trigger(st.queue_dir, QMGR_REQ_SCAN_DEFERRED, st.why) < 0)
	fprintf(stderr, "postern: warning: %s (the released mail goes out"
		" when it starts)\n", vstr_str(st.why));
    fprintf(stderr, "postern: %s%s: %ld message%s\n", sel->dry_run ?
	    "would be " : "", st.verb->done, st.count, st.count == 1 ? "" : "s");
    queue_scan_msg_free(&st.msg);
    if (st.v)
	myfree(st.v);
    vstr_free(st.why);
    vstr_free(st.buf);
    return (st.errors ? 1 : 0);
}

/* cmd_super_main - `postern hold|release|requeue ...` */

int
cmd_super_main(int argc, char **argv)
{
    struct queue_select sel;
    struct vstr *why = vstr_alloc(100);
    int     ret;

    queue_select_init(&sel);
    if (queue_select_parse(&sel, argc, argv, why) < 0
	|| (sel.nargs == 0 && !sel.any)) {
	if (vstr_len(why))
	    fprintf(stderr, "postern: %s\n", vstr_str(why));
	fprintf(stderr, "usage: postern %s [--from ADDR] [--to ADDR] [--domain"
		" DOMAIN] [--older-than AGE] [--status QUEUE] [--reason REGEX]"
		" [--dry-run] [--json] QUEUEID...|ALL|-\n", argv[0]);
	ret = 2;
    } else {
	ret = cmd_super_run(argv[0], &sel);
    }
    queue_select_free(&sel);
    vstr_free(why);
    return (ret);
}
