/*
 * test_queue.c - qmgr's queue handling in a temporary queue directory,
 * with queue files written by the real writer: the incoming/ scan
 * (junk names ignored), the move into active/ and the routing into
 * entries, results (done markers in the file), deferral (deferred/ with
 * the retry time as mtime, the defer log), the deferred/ scan (not due,
 * flush), removal, corrupt files, the start-up requeue of active/, the
 * active limit, expiry, the bounce log kept when no notice can be sent,
 * and a dead destination. Deliveries are simulated: the tests take
 * entries off a destination as the scheduler would. The site-failure
 * tests go through qmgr_deliver.c for real, with a fake agent on
 * private/smtp that answers with or without DEL_ATTR_SITE_FAIL.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "../../../qmgr/qmgr.h"
#include "attr.h"
#include "deliver_proto.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "unix_sock.h"

static char qdir[] = "/tmp/qmgr-test-XXXXXX";
static char cwd[4096];

/* rm_one - nftw callback */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path));
}

static void
setup(void)
{
    struct vstr *why = vstr_alloc(10);

    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    cr_assert_not_null(mkdtemp(qdir));
    cr_assert_eq(mail_queue_create_tree(qdir, geteuid(), getegid(), why), 0,
		 "%s", vstr_str(why));
    cr_assert_eq(chdir(qdir), 0);
    var_queue_dir = qdir;
    var_myhostname = "mx.example.com";
    var_mydestination = "example.com";
    var_virt_mailbox_domains = "";
    var_local_transport = "local";
    var_default_transport = "smtp";
    var_relayhost = "";
    var_transport_maps = "";
    var_min_backoff_time = 2;
    var_max_backoff_time = 4;
    var_max_queue_time = 1000;
    var_dsn_queue_time = 1000;
    var_delay_warn_time = 0;
    var_dest_con_limit = 20;
    var_dest_rcpt_limit = 50;
    var_init_dest_concurrency = 5;
    var_default_process_limit = 10;
    var_qmgr_active_limit = 100;
    var_qmgr_rcpt_limit = 1000;
    var_ipc_timeout = 5;
    var_daemon_timeout = 60;
    cr_assert_eq(qmgr_route_init(why), 0, "%s", vstr_str(why));
    vstr_free(why);
}

static void
teardown(void)
{
    qmgr_route_free();
    if (chdir(cwd) < 0)
	cr_log_warn("chdir %s: %s", cwd, strerror(errno));
    (void) nftw(qdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(queue, .init = setup, .fini = teardown);

/* write_msg - a queue file in incoming/ by the real writer; its ID */

static char *
write_msg(const char *sender, const char *const *rcpts)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_writer *w;
    struct queue_env env;
    char   *id;

    queue_env_init(&env);
    env.sender = strdup(sender);
    for (; *rcpts; rcpts++)
	queue_env_add_rcpt(&env, *rcpts, 0, 0);
    w = queue_write_open(qdir, MAIL_QUEUE_INCOMING, why);
    cr_assert_not_null(w, "%s", vstr_str(why));
    cr_assert_eq(queue_write_envelope(w, &env, why), 0, "%s", vstr_str(why));
    cr_assert_eq(queue_write_text(w, "Subject: x", 10, 0, why), 0);
    cr_assert_eq(queue_write_commit(w, why), 0, "%s", vstr_str(why));
    id = strdup(queue_write_id(w));
    queue_write_free(w);
    queue_env_free(&env);
    vstr_free(why);
    return (id);
}

/* path_of - queue/H/ID */

static const char *
path_of(const char *queue, const char *id)
{
    static char buf[200];
    struct vstr *p = vstr_alloc(10);

    cr_assert_eq(mail_queue_path(p, queue, id), 0);
    snprintf(buf, sizeof(buf), "%s", vstr_str(p));
    vstr_free(p);
    return (buf);
}

static int
exists(const char *queue, const char *id)
{
    return (access(path_of(queue, id), F_OK) == 0);
}

/* scan_all - walk a queue to the end; how many IDs were loaded */

static int
scan_all(const char *queue, int flush)
{
    struct qmgr_scan s;
    struct vstr *id = vstr_alloc(20);
    int     n = 0, st;

    qmgr_scan_init(&s, queue);
    qmgr_scan_request(&s, flush);
    while ((st = qmgr_scan_next(&s, time(0), id)) != 0)
	if (st > 0 && qmgr_active_load(queue, vstr_str(id)) == 0)
	    n++;
    vstr_free(id);
    return (n);
}

/* take - the next entry of a destination, as the scheduler would */

static struct qmgr_entry *
take(const char *transport, const char *nexthop)
{
    struct qmgr_queue *q = qmgr_queue_find(transport, nexthop);
    struct qmgr_entry *e = q->head;

    cr_assert_not_null(e, "no entry for %s:%s", transport, nexthop);
    if ((q->head = e->next) == 0)
	q->tail = 0;
    q->busy++;
    q->transport->busy++;
    return (e);
}

/* finish - results for every recipient of an entry, then done */

static void
finish(struct qmgr_entry *e, const int *status)
{
    size_t  i;

    for (i = 0; i < e->count; i++)
	qmgr_done_result(e->message, e->rcpt[i], status[i],
			 status[i] == MAIL_STAT_OK ? "2.0.0" :
			 status[i] == MAIL_STAT_DEFER ? "4.2.0" : "5.1.1",
			 "test", "because");
    qmgr_queue_done(e, QMGR_DONE_OK, 0);
}

/* read_env - the envelope of a queue file */

static void
read_env(const char *queue, const char *id, struct queue_env *env)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_reader *r = queue_read_open(path_of(queue, id), 0, why);

    cr_assert_not_null(r, "%s", vstr_str(why));
    cr_assert_eq(queue_read_envelope(r, env, why), 0, "%s", vstr_str(why));
    queue_read_close(r);
    vstr_free(why);
}

Test(queue, scan_ignores_junk_and_loads_messages)
{
    const char *rc[] = {"a@example.com", "b@example.com", "c@remote.example", 0};
    char   *id = write_msg("s@example.com", rc);
    char    junk[100];
    int     fd;

    snprintf(junk, sizeof(junk), "incoming/%c/not-an-id", id[9]);
    cr_assert((fd = open(junk, O_CREAT | O_WRONLY, 0600)) >= 0);
    close(fd);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    cr_assert(exists(MAIL_QUEUE_ACTIVE, id));
    cr_assert_not(exists(MAIL_QUEUE_INCOMING, id));
    cr_assert_eq(access(junk, F_OK), 0, "junk left alone");
    cr_assert_eq(qmgr_message_count, 1);
    cr_assert_eq(qmgr_queue_find("local", "example.com")->head->count, 2);
    cr_assert_eq(qmgr_queue_find("smtp", "remote.example")->head->count, 1);
}

Test(queue, defer_then_deliver_then_remove)
{
    const char *rc[] = {"a@example.com", "b@example.com", 0};
    const int st1[] = {MAIL_STAT_OK, MAIL_STAT_DEFER};
    const int st2[] = {MAIL_STAT_OK};
    char   *id = write_msg("s@example.com", rc);
    struct queue_env env;
    struct stat st;
    time_t  t0 = time(0);

    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    finish(take("local", "example.com"), st1);
    cr_assert_eq(qmgr_message_count, 0);
    cr_assert(exists(MAIL_QUEUE_DEFERRED, id));
    cr_assert_eq(stat(path_of(MAIL_QUEUE_DEFERRED, id), &st), 0);
    cr_assert(st.st_mtime >= t0 + 2 && st.st_mtime <= time(0) + 2);
    read_env(MAIL_QUEUE_DEFERRED, id, &env);
    cr_assert(env.rcpt[0].done && !env.rcpt[1].done);
    queue_env_free(&env);
    cr_assert(exists(MAIL_QUEUE_DEFER, id));

    /* Not due yet; a flush makes it due; only b is left to deliver. */
    cr_assert_eq(scan_all(MAIL_QUEUE_DEFERRED, 0), 0);
    cr_assert_eq(scan_all(MAIL_QUEUE_DEFERRED, 1), 1);
    cr_assert_eq(qmgr_queue_find("local", "example.com")->head->count, 1);
    finish(take("local", "example.com"), st2);
    cr_assert_not(exists(MAIL_QUEUE_ACTIVE, id));
    cr_assert_not(exists(MAIL_QUEUE_DEFERRED, id));
    cr_assert_not(exists(MAIL_QUEUE_DEFER, id));
}

Test(queue, defer_log_holds_reasons)
{
    const char *rc[] = {"a@example.com", "b@example.com", 0};
    const int st1[] = {MAIL_STAT_DEFER, MAIL_STAT_DEFER};
    char   *id = write_msg("s@example.com", rc);
    struct vstr *r = vstr_alloc(10), *d = vstr_alloc(10), *o = vstr_alloc(10);
    struct vstr *w = vstr_alloc(10);
    struct vstream *fp;
    long    when;
    int     fd, n = 0;

    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    finish(take("local", "example.com"), st1);
    cr_assert((fd = open(path_of(MAIL_QUEUE_DEFER, id), O_RDONLY)) >= 0);
    fp = vstream_fdopen(fd, VSTREAM_READ);
    while (n < 2 && attr_scan(fp, ATTR_FLAG_STRICT,
			      RECV_ATTR_STR(MAIL_ATTR_RECIP, r),
			      RECV_ATTR_STR(MAIL_ATTR_ORCPT, o),
			      RECV_ATTR_STR(MAIL_ATTR_DSN_STATUS, d),
			      RECV_ATTR_STR(MAIL_ATTR_WHY, w),
			      RECV_ATTR_LONG(MAIL_ATTR_TIME, &when),
			      ATTR_TYPE_END) == 5) {
	cr_assert_str_eq(vstr_str(r), rc[n]);
	cr_assert_str_eq(vstr_str(d), "4.2.0");
	cr_assert_str_eq(vstr_str(w), "because");
	n++;
    }
    cr_assert_eq(n, 2);
    cr_assert_eq(vstream_getc(fp), VSTREAM_EOF);
    vstream_close(fp);
}

Test(queue, corrupt_file_moves_to_corrupt)
{
    const char *id = "ABCDEFGHIJKL";
    int     fd;

    cr_assert((fd = open(path_of(MAIL_QUEUE_INCOMING, id),
			 O_CREAT | O_WRONLY, 0600)) >= 0);
    cr_assert_eq(write(fd, "V\0\0\0\2xx", 7), 7);
    close(fd);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 0);
    cr_assert_eq(access("corrupt/ABCDEFGHIJKL", F_OK), 0);
    cr_assert_eq(qmgr_message_count, 0);
}

Test(queue, symlink_is_not_followed)
{
    const char *id = "ABCDEFGHIJKM";

    cr_assert_eq(symlink("/etc/passwd", path_of(MAIL_QUEUE_INCOMING, id)), 0);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 0);
    cr_assert_eq(access("corrupt/ABCDEFGHIJKM", F_OK) == 0
		 || faccessat(AT_FDCWD, "corrupt/ABCDEFGHIJKM", F_OK,
			      AT_SYMLINK_NOFOLLOW) == 0, 1);
}

Test(queue, requeue_puts_active_back_in_line)
{
    const char *rc[] = {"a@example.com", 0};
    char   *id = write_msg("s@example.com", rc);

    cr_assert_eq(qmgr_active_move(MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, id), 0);
    qmgr_active_requeue();
    cr_assert(exists(MAIL_QUEUE_INCOMING, id));
    cr_assert_not(exists(MAIL_QUEUE_ACTIVE, id));
}

Test(queue, active_limit_bounds_memory)
{
    const char *rc[] = {"a@example.com", 0};
    struct qmgr_scan s;
    struct vstr *id = vstr_alloc(20);
    int     i, loaded = 0;

    var_qmgr_active_limit = 2;
    for (i = 0; i < 5; i++)
	(void) write_msg("s@example.com", rc);
    qmgr_scan_init(&s, MAIL_QUEUE_INCOMING);
    qmgr_scan_request(&s, 0);
    while (!qmgr_active_full() && qmgr_scan_next(&s, time(0), id) > 0)
	loaded += (qmgr_active_load(MAIL_QUEUE_INCOMING, vstr_str(id)) == 0);
    cr_assert_eq(loaded, 2);
    cr_assert(qmgr_active_full());
    vstr_free(id);
}

Test(queue, expired_deferral_bounces_and_keeps_log_without_cleanup)
{
    const char *rc[] = {"a@example.com", 0};
    const int st1[] = {MAIL_STAT_DEFER};
    char   *id = write_msg("s@example.com", rc);
    struct queue_env env;

    var_max_queue_time = 0;
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    finish(take("local", "example.com"), st1);
    /* Bounced (marked done, in the bounce log); no cleanup to take the
     * notice: the message waits in deferred/ with its bounce log. */
    cr_assert(exists(MAIL_QUEUE_DEFERRED, id));
    cr_assert(exists(MAIL_QUEUE_BOUNCE, id));
    cr_assert_not(exists(MAIL_QUEUE_DEFER, id));
    read_env(MAIL_QUEUE_DEFERRED, id, &env);
    cr_assert(env.rcpt[0].done);
    queue_env_free(&env);
    /* Next attempt: nothing to deliver, the notice is tried again. */
    cr_assert_eq(scan_all(MAIL_QUEUE_DEFERRED, 1), 1);
    cr_assert(exists(MAIL_QUEUE_DEFERRED, id));
    cr_assert(exists(MAIL_QUEUE_BOUNCE, id));
}

/* The last delivered recipient is marked without an fsync only while the
 * file is about to go; when an old bounce log keeps the message (no
 * cleanup for the notice), that mark must still be in the file. */
Test(queue, last_mark_kept_when_message_stays)
{
    const char *rc[] = {"a@example.com", "b@example.com", 0};
    const int st1[] = {MAIL_STAT_BOUNCE, MAIL_STAT_DEFER};
    const int st2[] = {MAIL_STAT_OK};
    char   *id = write_msg("s@example.com", rc);
    struct queue_env env;

    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    finish(take("local", "example.com"), st1);
    cr_assert(exists(MAIL_QUEUE_DEFERRED, id));
    cr_assert(exists(MAIL_QUEUE_BOUNCE, id));
    cr_assert_eq(scan_all(MAIL_QUEUE_DEFERRED, 1), 1);
    finish(take("local", "example.com"), st2);
    cr_assert_eq(qmgr_message_count, 0);
    cr_assert(exists(MAIL_QUEUE_DEFERRED, id), "the notice is still owed");
    read_env(MAIL_QUEUE_DEFERRED, id, &env);
    cr_assert(env.rcpt[0].done && env.rcpt[1].done);
    queue_env_free(&env);
}

/* A bounce log that exists but cannot be read (here a directory: read
 * fails with EISDIR) must keep the message: the notice it owes is not
 * lost by treating the log as empty and removing the message. */
Test(queue, unreadable_bounce_log_keeps_message)
{
    const char *rc[] = {"a@example.com", 0};
    const int ok1[] = {MAIL_STAT_OK};
    char   *id = write_msg("s@example.com", rc);
    char   *blog = strdup(path_of(MAIL_QUEUE_BOUNCE, id));

    cr_assert_eq(mkdir(blog, 0700), 0, "mkdir %s: %s", blog, strerror(errno));
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    finish(take("local", "example.com"), ok1);
    cr_assert_eq(qmgr_message_count, 0);
    cr_assert_not(exists(MAIL_QUEUE_ACTIVE, id));
    cr_assert(exists(MAIL_QUEUE_DEFERRED, id), "the notice is still owed");
    cr_assert(exists(MAIL_QUEUE_BOUNCE, id));
    free(blog);
}

/* Many recipients over several entries: only the end removes the file,
 * and every earlier result is marked in it on the way. */
Test(queue, marks_before_the_last_and_removal_at_the_end)
{
    const char *rc[] = {"a@example.com", "b@example.com", "c@example.com", 0};
    const int ok1[] = {MAIL_STAT_OK};
    char   *id;
    struct queue_env env;

    var_dest_rcpt_limit = 1;
    id = write_msg("s@example.com", rc);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    finish(take("local", "example.com"), ok1);
    finish(take("local", "example.com"), ok1);
    read_env(MAIL_QUEUE_ACTIVE, id, &env);
    cr_assert(env.rcpt[0].done && env.rcpt[1].done && !env.rcpt[2].done);
    queue_env_free(&env);
    finish(take("local", "example.com"), ok1);
    cr_assert_not(exists(MAIL_QUEUE_ACTIVE, id));
    cr_assert_eq(qmgr_message_count, 0);
}

Test(queue, null_sender_bounce_needs_no_notice)
{
    const char *rc[] = {"a@example.com", 0};
    const int st1[] = {MAIL_STAT_BOUNCE};
    char   *id = write_msg("", rc);

    var_notify_classes = "";
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    finish(take("local", "example.com"), st1);
    cr_assert_not(exists(MAIL_QUEUE_ACTIVE, id));
    cr_assert_not(exists(MAIL_QUEUE_DEFERRED, id));
    cr_assert_not(exists(MAIL_QUEUE_BOUNCE, id));
}

Test(queue, dead_destination_defers_without_delivery)
{
    const char *rc[] = {"a@example.com", 0};
    char   *ids[QMGR_DEAD_FAILURES + 1];
    struct qmgr_entry *e;
    int     i;

    for (i = 0; i <= QMGR_DEAD_FAILURES; i++)
	ids[i] = write_msg("s@example.com", rc);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), QMGR_DEAD_FAILURES + 1);
    for (i = 0; i < QMGR_DEAD_FAILURES; i++) {
	e = take("local", "example.com");
	qmgr_done_rcpt_defer(e->message, e->rcpt[0], "4.3.0", "agent failed");
	qmgr_queue_done(e, QMGR_DONE_AGENT, "agent failed");
    }
    /* The last message was deferred without a delivery. */
    cr_assert_null(qmgr_queue_find("local", "example.com")->head);
    cr_assert_eq(qmgr_message_count, 0);
    for (i = 0; i <= QMGR_DEAD_FAILURES; i++)
	cr_assert(exists(MAIL_QUEUE_DEFERRED, ids[i]), "message %d", i);
    /* A new message for it waits too, until a flush. */
    (void) write_msg("s@example.com", rc);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    cr_assert_null(qmgr_queue_find("local", "example.com")->head);
    qmgr_queue_flush();
    cr_assert_eq(scan_all(MAIL_QUEUE_DEFERRED, 1), QMGR_DEAD_FAILURES + 2);
    cr_assert_not_null(qmgr_queue_find("local", "example.com")->head);
}

Test(queue, scan_yields_in_bounded_steps_and_loses_nothing)
{
    const char *rc[] = {"a@example.com", 0};
    char   *id = write_msg("s@example.com", rc);
    struct qmgr_scan s;
    struct vstr *got = vstr_alloc(20);
    char    junk[100];
    int     i, fd, st, yields = 0, found = 0;

    /*
     * 3500 junk entries: wherever readdir() puts the message among them,
     * the walk looks at 1000 entries per call at least twice more.
     */
    for (i = 0; i < 3500; i++) {
	snprintf(junk, sizeof(junk), "incoming/%c/junk.%d", id[9], i);
	cr_assert((fd = open(junk, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
    }
    qmgr_scan_init(&s, MAIL_QUEUE_INCOMING);
    qmgr_scan_request(&s, 0);
    while ((st = qmgr_scan_next(&s, time(0), got)) != 0) {
	if (st < 0)
	    yields++;
	else
	    found += (strcmp(vstr_str(got), id) == 0);
    }
    cr_assert_geq(yields, 2);
    cr_assert_eq(found, 1);
    /* A request during a walk starts one more walk after it. */
    qmgr_scan_request(&s, 0);
    while ((st = qmgr_scan_next(&s, time(0), got)) < 0 || (st > 0 && found < 2)) {
	if (st > 0) {
	    found++;
	    qmgr_scan_request(&s, 0);
	}
    }
    cr_assert_eq(found, 2);
    while ((st = qmgr_scan_next(&s, time(0), got)) != 0)
	found += (st > 0);
    cr_assert_eq(found, 3, "the walk asked for during the first one");
    vstr_free(got);
}

/* pump - one wait and its events for qmgr's deliveries */

static void
pump(void)
{
    struct pollfd fds[8];
    int     n = qmgr_deliver_watch(fds, 8);

    cr_assert_gt(n, 0);
    cr_assert_gt(poll(fds, n, 5000), 0, "qmgr's delivery is not readable");
    qmgr_deliver_ready(fds, n);
}

/*
 * agent_round - one real delivery of e through qmgr_deliver.c, answered
 * by a fake agent on private/smtp: every recipient deferred with why,
 * then the final list with DEL_ATTR_SITE_FAIL = site (site < 0: without
 * it, as older agents send it).
 */
static void
agent_round(struct qmgr_entry *e, int site, const char *why)
{
    struct attr_list *list = attr_list_alloc();
    const struct attr_value *v;
    struct vstream *fp;
    int     lfd, fd, nrcpt, i;

    cr_assert(mkdir(MAIL_CLASS_PRIVATE, 0700) == 0 || errno == EEXIST);
    cr_assert((lfd = unix_listen("private/smtp", 10, 0600)) >= 0);
    cr_assert_eq(qmgr_deliver_start(e), 0);
    cr_assert((fd = accept(lfd, 0, 0)) >= 0);
    fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_timeout(fp, 5);
    cr_assert_eq(attr_print_protocol(fp, MAIL_PROTO_DELIVER), 0);
    pump();					/* announcement in, request out */
    cr_assert_geq(attr_scan_list(fp, ATTR_FLAG_STRICT, 0, list), 0);
    cr_assert_not_null(v = attr_list_find(list, MAIL_ATTR_NRCPT));
    nrcpt = (int) v->num;
    cr_assert_eq(nrcpt, (int) e->count);
    for (i = 0; i < nrcpt; i++) {
	cr_assert_geq(attr_scan_list(fp, ATTR_FLAG_STRICT, 0, list), 0);
	cr_assert_not_null(v = attr_list_find(list, MAIL_ATTR_OFFSET));
	cr_assert_eq(attr_print(fp, ATTR_FLAG_NONE,
				SEND_ATTR_LONG(MAIL_ATTR_OFFSET, v->num),
				SEND_ATTR_INT(MAIL_ATTR_STATUS, MAIL_STAT_DEFER),
				SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, "4.4.1"),
				SEND_ATTR_STR(MAIL_ATTR_RELAY, "none"),
				SEND_ATTR_STR(MAIL_ATTR_WHY, why),
				ATTR_TYPE_END), 0);
    }
    if (site < 0)
	cr_assert_eq(attr_print(fp, ATTR_FLAG_NONE,
				SEND_ATTR_INT(MAIL_ATTR_STATUS, MAIL_STAT_OK),
				ATTR_TYPE_END), 0);
    else
	cr_assert_eq(attr_print(fp, ATTR_FLAG_NONE,
				SEND_ATTR_INT(MAIL_ATTR_STATUS, MAIL_STAT_OK),
				SEND_ATTR_INT(DEL_ATTR_SITE_FAIL, site),
				ATTR_TYPE_END), 0);
    cr_assert_eq(vstream_flush(fp), 0);
    while (qmgr_deliver_count() > 0)
	pump();
    vstream_close(fp);
    close(lfd);
    attr_list_free(list);
}

/* defer_reason - the reason of the first recipient in a defer log */

static void
defer_reason(const char *id, struct vstr *w)
{
    struct vstr *r = vstr_alloc(10), *d = vstr_alloc(10), *o = vstr_alloc(10);
    struct vstream *fp;
    long    when;
    int     fd;

    cr_assert((fd = open(path_of(MAIL_QUEUE_DEFER, id), O_RDONLY)) >= 0);
    fp = vstream_fdopen(fd, VSTREAM_READ);
    cr_assert_eq(attr_scan(fp, ATTR_FLAG_STRICT,
			   RECV_ATTR_STR(MAIL_ATTR_RECIP, r),
			   RECV_ATTR_STR(MAIL_ATTR_ORCPT, o),
			   RECV_ATTR_STR(MAIL_ATTR_DSN_STATUS, d),
			   RECV_ATTR_STR(MAIL_ATTR_WHY, w),
			   RECV_ATTR_LONG(MAIL_ATTR_TIME, &when),
			   ATTR_TYPE_END), 5);
    vstream_close(fp);
    vstr_free(r);
    vstr_free(d);
    vstr_free(o);
}

Test(queue, site_failures_kill_the_destination)
{
    const char *rc[] = {"a@remote.example", 0};
    const char *why = "connect to remote.example[192.0.2.1]:25: "
    "Connection refused";
    char   *ids[QMGR_DEAD_FAILURES + 1];
    struct qmgr_queue *q;
    const char *suspended = "delivery temporarily suspended: ";
    struct vstr *w = vstr_alloc(100);
    int     i, nsuspended = 0;

    for (i = 0; i <= QMGR_DEAD_FAILURES; i++)
	ids[i] = write_msg("s@example.com", rc);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), QMGR_DEAD_FAILURES + 1);
    q = qmgr_queue_find("smtp", "remote.example");
    for (i = 0; i < QMGR_DEAD_FAILURES; i++) {
	cr_assert_not(qmgr_feedback_dead(&q->fb, time(0)), "round %d", i);
	agent_round(take("smtp", "remote.example"), 1, why);
    }
    /* Dead: the last message was deferred without a delivery... */
    cr_assert(qmgr_feedback_dead(&q->fb, time(0)));
    cr_assert_null(q->head);
    cr_assert_eq(qmgr_message_count, 0);
    for (i = 0; i <= QMGR_DEAD_FAILURES; i++)
	cr_assert(exists(MAIL_QUEUE_DEFERRED, ids[i]), "message %d", i);
    /* ...with the site's reason, and so is new mail for it. */
    for (i = 0; i <= QMGR_DEAD_FAILURES; i++) {
	defer_reason(ids[i], w);
	if (strcmp(vstr_str(w), why) == 0)
	    continue;
	cr_assert_eq(strncmp(vstr_str(w), suspended, strlen(suspended)), 0,
		     "%s", vstr_str(w));
	cr_assert_str_eq(vstr_str(w) + strlen(suspended), why);
	nsuspended++;
    }
    cr_assert_eq(nsuspended, 1);
    (void) write_msg("s@example.com", rc);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    cr_assert_null(q->head);
    /* A flush forgets it. */
    qmgr_queue_flush();
    cr_assert_eq(scan_all(MAIL_QUEUE_DEFERRED, 1), QMGR_DEAD_FAILURES + 2);
    cr_assert_not_null(qmgr_queue_find("smtp", "remote.example")->head);
    vstr_free(w);
}

Test(queue, recipient_deferrals_do_not_kill_the_destination)
{
    const char *rc[] = {"a@remote.example", 0};
    struct qmgr_queue *q;
    int     i, n = 3 * QMGR_DEAD_FAILURES;

    for (i = 0; i < n; i++)
	(void) write_msg("s@example.com", rc);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), n);
    q = qmgr_queue_find("smtp", "remote.example");
    /* A server that talked and said 452 to RCPT; old agents: no flag. */
    for (i = 0; i < n; i++)
	agent_round(take("smtp", "remote.example"), i % 2 ? 0 : -1,
		    "host x[192.0.2.1]:25 said: 452 4.2.2 mailbox full "
		    "(in reply to RCPT TO command)");
    cr_assert_not(qmgr_feedback_dead(&q->fb, time(0)));
    cr_assert_eq(q->fb.failures, 0);
    cr_assert_gt(q->fb.window, 5.0, "slow start went up: %f", q->fb.window);
}

/* Mail that comes one message at a time: the destination is idle
 * between deliveries, and its failures must still add up. */
Test(queue, site_failures_add_up_one_message_at_a_time)
{
    const char *rc[] = {"a@remote.example", 0};
    const char *why = "host x[192.0.2.1]:25 refused to talk to me: 421 busy";
    struct qmgr_queue *q;
    int     i;

    for (i = 0; i < QMGR_DEAD_FAILURES; i++) {
	(void) write_msg("s@example.com", rc);
	cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
	agent_round(take("smtp", "remote.example"), 1, why);
	qmgr_queue_schedule(time(0));		/* idle destinations go */
    }
    q = qmgr_queue_find("smtp", "remote.example");
    cr_assert(qmgr_feedback_dead(&q->fb, time(0)), "failures %d",
	      q->fb.failures);
    (void) write_msg("s@example.com", rc);
    cr_assert_eq(scan_all(MAIL_QUEUE_INCOMING, 0), 1);
    cr_assert_null(q->head, "deferred at once");
}
