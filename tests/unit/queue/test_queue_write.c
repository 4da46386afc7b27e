/*
 * test_queue_write.c - queue files on disk: commit under the queue ID
 * path, nothing visible under a valid ID before the commit, nothing left
 * behind after a failure (file size limit, abandoned writer, bad field),
 * and the in-place done marker.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "qtest.h"
#include "mail_queue.h"

static char qdir[] = "/tmp/qwrite.XXXXXX";

static void
setup(void)
{
    struct vstr *why = vstr_alloc(10);

    cr_assert_not_null(mkdtemp(qdir));
    cr_assert_eq(mail_queue_create_tree(qdir, geteuid(), getegid(), why), 0,
		 "%s", vstr_str(why));
    vstr_free(why);
}

static int
rm_one(const char *path, const struct stat *st UNUSED, int flag,
       struct FTW *ftw UNUSED)
{
    return (flag == FTW_DP ? rmdir(path) : unlink(path));
}

static void
teardown(void)
{
    (void) nftw(qdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

 /*
  * Walk the queue tree: count regular files, and those whose name is a
  * valid queue ID.
  */
static int count_files;
static int count_ids;

static int
count_one(const char *path, const struct stat *st UNUSED, int flag,
	          struct FTW *ftw)
{
    if (flag == FTW_F) {
	count_files++;
	if (mail_queue_id_ok(path + ftw->base))
	    count_ids++;
    }
    return (0);
}

static void
count_tree(void)
{
    count_files = count_ids = 0;
    cr_assert_eq(nftw(qdir, count_one, 16, FTW_PHYS), 0);
}

/* write_message - envelope and nlines lines of len bytes */

static int
write_message(struct queue_writer *w, struct queue_env *env, int nlines,
	              size_t len, struct vstr *why)
{
    char   *buf = mymalloc(len + 1);
    int     i;
    int     ret = 0;

    memset(buf, 'x', len);
    if (queue_write_envelope(w, env, why) < 0)
	ret = -1;
    for (i = 0; ret == 0 && i < nlines; i++)
	if (queue_write_text(w, buf, len, 0, why) < 0)
	    ret = -1;
    myfree(buf);
    return (ret);
}

Test(queue_write, commit_and_read_back, .init = setup, .fini = teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *rel = vstr_alloc(10);
    struct vstr *path = vstr_alloc(10);
    struct vstr *line = vstr_alloc(10);
    struct queue_writer *w;
    struct queue_reader *r;
    struct queue_env env;
    struct queue_env back;
    struct timeval tv;
    struct stat st;
    char   *id;
    int     n = 0;
    int     st_line;

    qt_sample_env(&env);
    w = queue_write_open(qdir, MAIL_QUEUE_INCOMING, why);
    cr_assert_not_null(w, "%s", vstr_str(why));
    id = mystrdup(queue_write_id(w));
    cr_assert(mail_queue_id_ok(id), "%s", id);
    cr_assert_eq(mail_queue_id_time(id, &tv), 0);
    cr_assert(labs((long) (tv.tv_sec - time(0))) < 5);
    cr_assert_eq(write_message(w, &env, 3, 5000, why), 0, "%s", vstr_str(why));
    /* Half written: nothing carries a queue ID name. */
    count_tree();
    cr_assert_eq(count_files, 1);
    cr_assert_eq(count_ids, 0);
    cr_assert_eq(queue_write_text(w, "tail", 4, 1, why), 0);
    cr_assert_eq(queue_write_commit(w, why), 0, "%s", vstr_str(why));
    queue_write_free(w);
    count_tree();
    cr_assert_eq(count_files, 1);
    cr_assert_eq(count_ids, 1);

    cr_assert_eq(mail_queue_path(rel, MAIL_QUEUE_INCOMING, id), 0);
    vstr_sprintf(path, "%s/%s", qdir, vstr_str(rel));
    cr_assert_eq(stat(vstr_str(path), &st), 0, "%s", vstr_str(path));
    cr_assert_eq(st.st_mode & 07777, 0600);
    r = queue_read_open(vstr_str(path), 0, why);
    cr_assert_not_null(r, "%s", vstr_str(why));
    cr_assert_eq(queue_read_envelope(r, &back, why), 0, "%s", vstr_str(why));
    qt_env_eq(&env, &back);
    cr_assert_eq(back.size, 3 * 5001 + 5);
    while ((st_line = queue_read_line(r, line, 0, why)) == QUEUE_LINE)
	if (++n == 4)
	    cr_assert_str_eq(vstr_str(line), "tail");
    cr_assert_eq(st_line, QUEUE_END, "%s", vstr_str(why));
    cr_assert_eq(n, 4);
    cr_assert_eq(queue_read_line(r, line, 0, why), QUEUE_END);
    queue_read_close(r);
    queue_env_free(&back);
    queue_env_free(&env);
    myfree(id);
    vstr_free(why);
    vstr_free(rel);
    vstr_free(path);
    vstr_free(line);
}

Test(queue_write, abandoned_and_rejected_leave_nothing, .init = setup,
     .fini = teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_writer *w;
    struct queue_env env;

    qt_sample_env(&env);
    w = queue_write_open(qdir, MAIL_QUEUE_MAILDROP, why);
    cr_assert_not_null(w);
    cr_assert_eq(write_message(w, &env, 2, 10, why), 0);
    queue_write_free(w);
    count_tree();
    cr_assert_eq(count_files, 0);

    /* A field the reader would refuse: the writer refuses it too. */
    myfree(env.sender);
    env.sender = mystrdup("evil\n@x");
    w = queue_write_open(qdir, MAIL_QUEUE_INCOMING, why);
    cr_assert_eq(write_message(w, &env, 1, 10, why), -1);
    cr_assert_eq(queue_write_commit(w, why), -1);
    queue_write_free(w);
    count_tree();
    cr_assert_eq(count_files, 0);

    cr_assert_null(queue_write_open(qdir, "pid", why));
    cr_assert_null(queue_write_open(qdir, "../x", why));
    cr_assert_null(queue_write_open("/nonexistent/dir", "incoming", why));
    cr_assert(strstr(vstr_str(why), "create file"), "%s", vstr_str(why));
    queue_env_free(&env);
    vstr_free(why);
}

 /*
  * A full disk, simulated with a small file size limit in a child: every
  * write and the final flush are checked, the commit fails with a reason,
  * and the file is gone.
  */
static int
child_write(size_t limit, int nlines, size_t len)
{
    struct rlimit rl = {limit, limit};
    struct vstr *why = vstr_alloc(10);
    struct queue_writer *w;
    struct queue_env env;
    int     ret;

    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
	return (10);
    qt_sample_env(&env);
    if ((w = queue_write_open(qdir, MAIL_QUEUE_INCOMING, why)) == 0)
	return (11);
    ret = write_message(w, &env, nlines, len, why);
    if (ret == 0)
	ret = queue_write_commit(w, why);
    queue_write_free(w);
    if (ret == 0)
	return (0);
    return (strstr(vstr_str(why), "File too large") ? 1 : 12);
}

static int
run_child(size_t limit, int nlines, size_t len)
{
    pid_t   pid;
    int     status;

    if ((pid = fork()) == 0)
	_exit(child_write(limit, nlines, len));
    cr_assert_gt(pid, 0);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "child died, status 0x%x", status);
    return (WEXITSTATUS(status));
}

Test(queue_write, file_size_limit_fails_cleanly, .init = setup,
     .fini = teardown)
{
    static const size_t limits[] = {1, 100, 200, 4000, 16384, 20000, 100000};
    size_t  i;

    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
	cr_assert_eq(run_child(limits[i], 20, 5000), 1, "limit %zu",
		     limits[i]);
	count_tree();
	cr_assert_eq(count_files, 0, "limit %zu left %d files", limits[i],
		     count_files);
    }
    /* A small message fails only at the final flush: still caught. */
    cr_assert_eq(run_child(100, 1, 10), 1);
    count_tree();
    cr_assert_eq(count_files, 0);
    /* The same in a roomy limit succeeds, so the test can fail. */
    cr_assert_eq(run_child(1000000, 20, 5000), 0);
    count_tree();
    cr_assert_eq(count_ids, 1);
}

Test(queue_write, done_marker_in_place, .init = setup, .fini = teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *rel = vstr_alloc(10);
    struct vstr *path = vstr_alloc(10);
    struct queue_writer *w;
    struct queue_reader *r;
    struct queue_env env;
    struct queue_env back;
    struct stat st1;
    struct stat st2;
    size_t  i;

    qt_sample_env(&env);
    w = queue_write_open(qdir, MAIL_QUEUE_INCOMING, why);
    cr_assert_eq(write_message(w, &env, 1, 10, why), 0);
    cr_assert_eq(queue_write_commit(w, why), 0);
    cr_assert_eq(mail_queue_path(rel, MAIL_QUEUE_INCOMING, queue_write_id(w)), 0);
    queue_write_free(w);
    vstr_sprintf(path, "%s/%s", qdir, vstr_str(rel));
    cr_assert_eq(stat(vstr_str(path), &st1), 0);

    r = queue_read_open(vstr_str(path), 1, why);
    cr_assert_eq(queue_read_envelope(r, &back, why), 0);
    for (i = 0; i < back.rcpt_count; i++) {
	cr_assert_eq(back.rcpt[i].done, 0);
	cr_assert_eq(back.rcpt[i].offset, env.rcpt[i].offset);
    }
    cr_assert_eq(queue_mark_done(queue_read_fd(r), back.rcpt[1].offset, why), 0,
		 "%s", vstr_str(why));
    cr_assert_eq(queue_mark_done(queue_read_fd(r), back.rcpt[1].offset, why), 0);
    /* Not a recipient record: refused, file unchanged. */
    cr_assert_eq(queue_mark_done(queue_read_fd(r), back.rcpt[1].offset + 1, why),
		 -1);
    cr_assert_eq(queue_mark_done(queue_read_fd(r), 0, why), -1);
    cr_assert_eq(queue_mark_done(queue_read_fd(r), 1 << 30, why), -1);
    cr_assert_eq(queue_mark_done(queue_read_fd(r), -1, why), -1);
    queue_read_close(r);
    queue_env_free(&back);

    r = queue_read_open(vstr_str(path), 0, why);
    cr_assert_eq(queue_read_envelope(r, &back, why), 0, "%s", vstr_str(why));
    cr_assert_eq(back.rcpt[0].done, 0);
    cr_assert_eq(back.rcpt[1].done, 1);
    cr_assert_eq(back.rcpt[2].done, 0);
    cr_assert_str_eq(back.rcpt[1].address, env.rcpt[1].address);
    cr_assert_eq(stat(vstr_str(path), &st2), 0);
    cr_assert_eq(st1.st_size, st2.st_size);
    cr_assert_eq(st1.st_ino, st2.st_ino);
    queue_read_close(r);
    queue_env_free(&back);
    queue_env_free(&env);
    vstr_free(why);
    vstr_free(rel);
    vstr_free(path);
}

Test(queue_write, reader_refuses_non_files, .init = setup, .fini = teardown)
{
    struct vstr *why = vstr_alloc(10);
    char    link[300];

    cr_assert_null(queue_read_open(qdir, 0, why));
    snprintf(link, sizeof(link), "%s/incoming/lnk", qdir);
    cr_assert_eq(symlink("/etc/passwd", link), 0);
    cr_assert_null(queue_read_open(link, 0, why));
    cr_assert_null(queue_read_open("/dev/null", 0, why));
    vstr_free(why);
}

Test(queue_write, many_files_distinct_ids, .init = setup, .fini = teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct queue_writer *w;
    int     i;

    qt_sample_env(&env);
    for (i = 0; i < 50; i++) {
	w = queue_write_open(qdir, MAIL_QUEUE_INCOMING, why);
	cr_assert_not_null(w);
	cr_assert_eq(write_message(w, &env, 1, 1, why), 0);
	cr_assert_eq(queue_write_commit(w, why), 0);
	queue_write_free(w);
    }
    count_tree();
    cr_assert_eq(count_ids, 50);
    cr_assert_eq(count_files, 50);
    queue_env_free(&env);
    vstr_free(why);
}

 /*
  * The temporary file is made in the hash subdirectory of its queue ID,
  * so that the commit renames inside one directory (one directory fsync).
  */
static int
count_temp_in(const char *dir)
{
    DIR    *dp;
    struct dirent *de;
    int     n = 0;

    cr_assert_not_null(dp = opendir(dir), "%s", dir);
    while ((de = readdir(dp)) != NULL)
	if (mail_queue_temp_ok(de->d_name))
	    n++;
    closedir(dp);
    return (n);
}

Test(queue_write, temp_file_lives_in_final_directory, .init = setup,
     .fini = teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_writer *w;
    char    top[300];
    char    sub[300];
    const char *id;

    cr_assert_not_null(w = queue_write_open(qdir, "incoming", why), "%s",
		       vstr_str(why));
    id = queue_write_id(w);
    snprintf(top, sizeof(top), "%s/incoming", qdir);
    snprintf(sub, sizeof(sub), "%s/incoming/%c", qdir, id[MAIL_QUEUE_HASH_POS]);
    cr_assert_eq(count_temp_in(top), 0, "temporary file in incoming/");
    cr_assert_eq(count_temp_in(sub), 1, "no temporary file in %s", sub);
    queue_write_free(w);
    cr_assert_eq(count_temp_in(sub), 0, "abandoned file left in %s", sub);
    vstr_free(why);
}
