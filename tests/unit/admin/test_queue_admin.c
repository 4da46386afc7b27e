/*
 * test_queue_admin.c - `postern flush` and `postern delete` on a
 * hand-made queue tree: mtimes set to now (one message or all), the
 * 'F' 'D' trigger on public/qmgr and the "not running" error, removal
 * from every queue with the deferred-reason log, strict queue IDs (no
 * path from the command line), IDs from a stream, and symbolic links in
 * the queue never followed.
 */
#include <sys/socket.h>

#include "atest.h"
#include "unix_sock.h"
#include "deliver_proto.h"

TestSuite(flush, .init = at_setup, .fini = at_teardown);
TestSuite(delete, .init = at_setup, .fini = at_teardown);

static const char *const one_rcpt[] = {"bob@example.com", 0};
static const char *const one_log[] = {"bob@example.com", "refused"};

/* set_old - move a file's mtime (not following links) to 1000 */

static void
set_old(const char *path)
{
    struct timespec ts[2] = {{1000, 0}, {1000, 0}};

    cr_assert_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* mtime_of - mtime of a path (not following links) */

static time_t
mtime_of(const char *path)
{
    struct stat st;

    cr_assert_eq(lstat(path, &st), 0, "%s", path);
    return (st.st_mtime);
}

Test(flush, all_and_one)
{
    struct vstr *why = vstr_alloc(10);
    char   *a = at_msg(MAIL_QUEUE_DEFERRED, 1606646496L, "a@b", one_rcpt, 0);
    char   *b = at_msg(MAIL_QUEUE_DEFERRED, 1606646496L, "a@b", one_rcpt, 0);
    char   *c = at_msg(MAIL_QUEUE_HOLD, 1606646496L, "a@b", one_rcpt, 0);
    char    pa[200];
    char    pb[200];
    time_t  now = time(0);

    (void) snprintf(pa, sizeof(pa), "%s", at_path(MAIL_QUEUE_DEFERRED, a));
    (void) snprintf(pb, sizeof(pb), "%s", at_path(MAIL_QUEUE_DEFERRED, b));
    set_old(pa);
    set_old(pb);
    set_old(at_path(MAIL_QUEUE_HOLD, c));

    cr_assert_eq(cmd_flush_queue(at_qdir, b, why), 1, "%s", vstr_str(why));
    cr_assert_eq(mtime_of(pa), 1000);
    cr_assert_geq(mtime_of(pb), now);

    set_old(pb);
    cr_assert_eq(cmd_flush_queue(at_qdir, 0, why), 2, "%s", vstr_str(why));
    cr_assert_geq(mtime_of(pa), now);
    cr_assert_geq(mtime_of(pb), now);
    cr_assert_eq(mtime_of(at_path(MAIL_QUEUE_HOLD, c)), 1000);

    /* Not deferred, or not a queue ID at all. */
    cr_assert_eq(cmd_flush_queue(at_qdir, c, why), 0);
    cr_assert_eq(cmd_flush_queue(at_qdir, "../../etc/passwd", why), -1);
    cr_assert_eq(cmd_flush_queue(at_qdir, "abc", why), -1);
    myfree(a);
    myfree(b);
    myfree(c);
    vstr_free(why);
}

Test(flush, symlink_not_followed)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *id = vstr_alloc(30);
    struct timeval tv = {1606646496L, 0};
    char    target[200];

    (void) snprintf(target, sizeof(target), "%s/pid/victim", at_qdir);
    at_write_file(target, "x", 1);
    set_old(target);
    cr_assert_eq(mail_queue_id_make(id, &tv, 4242), 0);
    cr_assert_eq(symlink(target, at_path(MAIL_QUEUE_DEFERRED, vstr_str(id))), 0);
    (void) cmd_flush_queue(at_qdir, 0, why);
    (void) cmd_flush_queue(at_qdir, vstr_str(id), why);
    cr_assert_eq(mtime_of(target), 1000);
    vstr_free(why);
    vstr_free(id);
}

Test(flush, trigger)
{
    struct vstr *why = vstr_alloc(10);
    char    path[200];
    char    buf[8];
    int     lfd;
    int     fd;

    cr_assert_eq(cmd_flush_trigger(at_qdir, why), -1);
    cr_assert_str_eq(vstr_str(why), "mail system is not running");

    (void) snprintf(path, sizeof(path), "%s/public/qmgr", at_qdir);
    cr_assert((lfd = unix_listen(path, 5, 0622)) >= 0, "%s", strerror(errno));
    cr_assert_eq(cmd_flush_trigger(at_qdir, why), 0, "%s", vstr_str(why));
    cr_assert((fd = accept(lfd, 0, 0)) >= 0);
    cr_assert_eq(read(fd, buf, sizeof(buf)), 2);
    cr_assert_eq(buf[0], QMGR_REQ_FLUSH);
    cr_assert_eq(buf[1], QMGR_REQ_SCAN_DEFERRED);
    (void) close(fd);
    (void) close(lfd);

    /* A stale socket with no listener is "not running" too. */
    cr_assert_eq(cmd_flush_trigger(at_qdir, why), -1);
    cr_assert_str_eq(vstr_str(why), "mail system is not running");
    vstr_free(why);
}

Test(delete, one_from_each_queue)
{
    static const char *const queues[] = {MAIL_QUEUE_INCOMING,
    MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD};
    struct vstr *why = vstr_alloc(10);
    char   *id[4];
    char   *keep;
    size_t  i;

    keep = at_msg(MAIL_QUEUE_DEFERRED, 1606646496L, "a@b", one_rcpt, 0);
    at_defer_log(keep, one_log, 1);
    for (i = 0; i < 4; i++) {
	id[i] = at_msg(queues[i], 1606646496L, "a@b", one_rcpt, 0);
	at_defer_log(id[i], one_log, 1);
    }
    for (i = 0; i < 4; i++) {
	cr_assert(at_exists(at_path(queues[i], id[i])));
	cr_assert_eq(cmd_delete_one(at_qdir, id[i], why), 1, "%s",
		     vstr_str(why));
	cr_assert_not(at_exists(at_path(queues[i], id[i])));
	cr_assert_not(at_exists(at_path(MAIL_QUEUE_DEFER, id[i])));
	cr_assert_eq(cmd_delete_one(at_qdir, id[i], why), 0);
	myfree(id[i]);
    }
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, keep)));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFER, keep)));
    myfree(keep);
    vstr_free(why);
}

Test(delete, strict_queue_ids)
{
    static const char *const bad[] = {
	"", "ALL", "abc", "../../../etc/passwd", "0123456789/ab",
	"0123456789ab/", "0123456789AB.", "0123456789ABCDEFGHIJK",
	"01234567 89AB", "0123456789\xc3\xa9",
    };
    struct vstr *why = vstr_alloc(10);
    char    victim[200];
    size_t  i;

    (void) snprintf(victim, sizeof(victim), "%s/pid/0123456789AB", at_qdir);
    at_write_file(victim, "x", 1);
    for (i = 0; i < ARRAY_LEN(bad); i++) {
	vstr_reset(why);
	cr_assert_eq(cmd_delete_one(at_qdir, bad[i], why), -1, "%zu", i);
	cr_assert_str_eq(vstr_str(why), "invalid queue ID");
    }
    /* A valid ID names a file in the queues only, never pid/. */
    cr_assert_eq(cmd_delete_one(at_qdir, "0123456789AB", why), 0);
    cr_assert(at_exists(victim));
    vstr_free(why);
}

Test(delete, symlinks_not_followed)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *id = vstr_alloc(30);
    struct timeval tv = {1606646496L, 0};
    char    outside[200];
    char    file[250];
    char    hash[250];

    /* hold/ID -> a file outside: the link goes, the file stays. */
    (void) snprintf(outside, sizeof(outside), "%s/pid/victim", at_qdir);
    at_write_file(outside, "x", 1);
    cr_assert_eq(mail_queue_id_make(id, &tv, 777), 0);
    cr_assert_eq(symlink(outside, at_path(MAIL_QUEUE_HOLD, vstr_str(id))), 0);
    cr_assert_eq(cmd_delete_one(at_qdir, vstr_str(id), why), 1, "%s",
		 vstr_str(why));
    cr_assert(at_exists(outside));

    /* deferred/H -> a directory outside holding a file named ID. */
    (void) snprintf(outside, sizeof(outside), "%s/pid/dir", at_qdir);
    cr_assert_eq(mkdir(outside, 0700), 0);
    (void) snprintf(file, sizeof(file), "%s/%s", outside, vstr_str(id));
    at_write_file(file, "x", 1);
    (void) snprintf(hash, sizeof(hash), "%s/deferred/%c", at_qdir,
		    vstr_str(id)[MAIL_QUEUE_HASH_POS]);
    cr_assert_eq(rmdir(hash), 0);
    cr_assert_eq(symlink(outside, hash), 0);
    cr_assert_eq(cmd_delete_one(at_qdir, vstr_str(id), why), -1);
    cr_assert(at_exists(file));
    cr_assert_geq(cmd_delete_all(at_qdir, why), 0, "%s", vstr_str(why));
    cr_assert(at_exists(file));
    vstr_free(why);
    vstr_free(id);
}

/* count_one - queue_scan_walk() callback */

static int
count_one(const char *q UNUSED, int fd UNUSED, const char *id UNUSED,
	          void *ctx)
{
    (*(int *) ctx)++;
    return (0);
}

/* count_ids - queue files left in the admin queues and defer/ */

static int
count_ids(void)
{
    static const char *const dirs[] = {MAIL_QUEUE_INCOMING,
	MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD,
    MAIL_QUEUE_DEFER};
    struct vstr *why = vstr_alloc(10);
    int     total = 0;
    size_t  i;

    for (i = 0; i < ARRAY_LEN(dirs); i++)
	cr_assert_eq(queue_scan_walk(at_qdir, dirs[i], count_one, &total, why),
		     0, "%s", vstr_str(why));
    vstr_free(why);
    return (total);
}

Test(delete, all)
{
    struct vstr *why = vstr_alloc(10);
    char    tmp[200];
    char   *id;
    int     i;

    for (i = 0; i < 10; i++) {
	id = at_msg(i % 2 ? MAIL_QUEUE_DEFERRED : MAIL_QUEUE_INCOMING,
		    1606646496L, "a@b", one_rcpt, 0);
	if (i % 2)
	    at_defer_log(id, one_log, 1);
	myfree(id);
    }
    (void) snprintf(tmp, sizeof(tmp), "%s/incoming/0/tmp.1.2.3", at_qdir);
    at_write_file(tmp, "x", 1);
    cr_assert_eq(count_ids(), 15);
    cr_assert_eq(cmd_delete_all(at_qdir, why), 10, "%s", vstr_str(why));
    cr_assert_eq(count_ids(), 0);
    cr_assert(at_exists(tmp));			/* not a queue file */
    cr_assert_eq(cmd_delete_all(at_qdir, why), 0);
    vstr_free(why);
}

Test(delete, ids_from_a_stream)
{
    struct vstream *in;
    struct vstr *text = vstr_alloc(200);
    char   *a = at_msg(MAIL_QUEUE_INCOMING, 1606646496L, "a@b", one_rcpt, 0);
    char   *b = at_msg(MAIL_QUEUE_HOLD, 1606646496L, "a@b", one_rcpt, 0);
    long    count = 0;
    int     i;

    vstr_sprintf(text, "%s\n../x\n\n%s\r\n", a, b);
    for (i = 0; i < 300; i++)
	vstr_addch(text, 'A');			/* an over-long last line */
    in = vstream_memopen(vstr_str(text), vstr_len(text));
    cr_assert_eq(cmd_delete_stream(at_qdir, in, &count), 2);
    cr_assert_eq(count, 2);
    cr_assert_not(at_exists(at_path(MAIL_QUEUE_INCOMING, a)));
    cr_assert_not(at_exists(at_path(MAIL_QUEUE_HOLD, b)));
    vstream_free(in);
    vstr_free(text);
    myfree(a);
    myfree(b);
}
