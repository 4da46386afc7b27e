/*
 * atest.h - helpers shared by the queue-command unit tests: a temporary
 * queue tree, messages written by the real queue writer and moved into
 * any queue, deferred-reason logs written with attr_print(), and small
 * file checks. Everything is static so each test file gets its own copy.
 */
#ifndef ATEST_H
#define ATEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "attr.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "queue_file.h"
#include "queue_scan.h"
#include "admin.h"

static char at_qdir[64];

 /*
  * Defined by admin/postern.c (not linked into tests); the library code
  * under test reaches it through queue_scan_config() only.
  */
const char *admin_config_dir = "/nonexistent";

/* at_setup - a fresh queue tree; times printed in UTC */

static UNUSED void
at_setup(void)
{
    struct vstr *why = vstr_alloc(10);

    (void) snprintf(at_qdir, sizeof(at_qdir), "/tmp/qadmin.XXXXXX");
    cr_assert_not_null(mkdtemp(at_qdir));
    cr_assert_eq(mail_queue_create_tree(at_qdir, geteuid(), getegid(), why),
		 0, "%s", vstr_str(why));
    vstr_free(why);
    cr_assert_eq(setenv("TZ", "UTC", 1), 0);
    tzset();
}

/* at_rm_one - nftw callback */

static int
at_rm_one(const char *path, const struct stat *st UNUSED, int flag,
	          struct FTW *ftw UNUSED)
{
    return (flag == FTW_DP ? rmdir(path) : unlink(path));
}

/* at_teardown - remove the tree */

static UNUSED void
at_teardown(void)
{
    (void) nftw(at_qdir, at_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* at_path - absolute path of queue_name's file for queue_id (static) */

static UNUSED const char *
at_path(const char *queue_name, const char *queue_id)
{
    static struct vstr *buf;
    struct vstr *rel = vstr_alloc(64);

    if (buf == 0)
	buf = vstr_alloc(100);
    cr_assert_eq(mail_queue_path(rel, queue_name, queue_id), 0);
    vstr_sprintf(buf, "%s/%s", at_qdir, vstr_str(rel));
    vstr_free(rel);
    return (vstr_str(buf));
}

/* at_exists - does the file (or symlink) exist */

static UNUSED int
at_exists(const char *path)
{
    struct stat st;

    return (lstat(path, &st) == 0);
}

/* at_mark_done - mark recipient i of a queue file done */

static UNUSED void
at_mark_done(const char *path, size_t i)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_reader *r = queue_read_open(path, 1, why);
    struct queue_env env;

    cr_assert_not_null(r, "%s", vstr_str(why));
    cr_assert_eq(queue_read_envelope(r, &env, why), 0, "%s", vstr_str(why));
    cr_assert_lt(i, env.rcpt_count);
    cr_assert_eq(queue_mark_done(queue_read_fd(r), env.rcpt[i].offset, why),
		 0, "%s", vstr_str(why));
    queue_env_free(&env);
    queue_read_close(r);
    vstr_free(why);
}

 /*
  * at_msg - write a message with the real writer (into incoming/), then
  * move it to queue_name. rcpts is null-terminated; bit i of done marks
  * recipient i delivered. The content is "Subject: hi", "", "body" (18
  * bytes with newlines). Returns the queue ID (caller frees).
  */
static UNUSED char *
at_msg(const char *queue_name, long arrival, const char *sender,
       const char *const *rcpts, unsigned done)
{
    static const char *lines[] = {"Subject: hi", "", "body"};
    struct vstr *why = vstr_alloc(10);
    struct queue_writer *w;
    struct queue_env env;
    char   *id;
    char   *from;
    size_t  i;

    queue_env_init(&env);
    env.arrival.tv_sec = arrival;
    env.arrival.tv_usec = 0;
    myfree(env.sender);
    env.sender = mystrdup(sender);
    for (i = 0; rcpts[i]; i++)
	queue_env_add_rcpt(&env, rcpts[i], 0, 0);
    w = queue_write_open(at_qdir, MAIL_QUEUE_INCOMING, why);
    cr_assert_not_null(w, "%s", vstr_str(why));
    id = mystrdup(queue_write_id(w));
    cr_assert_eq(queue_write_envelope(w, &env, why), 0, "%s", vstr_str(why));
    for (i = 0; i < ARRAY_LEN(lines); i++)
	cr_assert_eq(queue_write_text(w, lines[i], strlen(lines[i]), 0, why), 0);
    cr_assert_eq(queue_write_commit(w, why), 0, "%s", vstr_str(why));
    queue_write_free(w);
    queue_env_free(&env);
    for (i = 0; rcpts[i]; i++)
	if (done & (1u << i))
	    at_mark_done(at_path(MAIL_QUEUE_INCOMING, id), i);
    if (strcmp(queue_name, MAIL_QUEUE_INCOMING) != 0) {
	from = mystrdup(at_path(MAIL_QUEUE_INCOMING, id));
	cr_assert_eq(rename(from, at_path(queue_name, id)), 0, "%s",
		     strerror(errno));
	myfree(from);
    }
    vstr_free(why);
    return (id);
}

/* at_defer_log - write defer/H/ID: n (recipient, reason) pairs */

static UNUSED void
at_defer_log(const char *queue_id, const char *const *pairs, size_t n)
{
    struct vstream *fp;
    size_t  i;
    int     fd;

    fd = open(at_path(MAIL_QUEUE_DEFER, queue_id),
	      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert(fd >= 0, "%s", strerror(errno));
    fp = vstream_fdopen(fd, VSTREAM_WRITE);
    for (i = 0; i < n; i++)
	cr_assert_eq(attr_print(fp, ATTR_FLAG_NONE,
				SEND_ATTR_STR(MAIL_ATTR_RECIP, pairs[2 * i]),
				SEND_ATTR_STR(MAIL_ATTR_ORCPT, ""),
				SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, "4.4.1"),
				SEND_ATTR_STR(MAIL_ATTR_WHY, pairs[2 * i + 1]),
				SEND_ATTR_LONG(MAIL_ATTR_TIME, 1606646500L),
				ATTR_TYPE_END), 0);
    cr_assert_eq(vstream_close(fp), 0);
}

/* at_write_file - a file with the given bytes */

static UNUSED void
at_write_file(const char *path, const void *data, size_t len)
{
    int     fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, data, len), (ssize_t) len);
    cr_assert_eq(close(fd), 0);
}

#endif
