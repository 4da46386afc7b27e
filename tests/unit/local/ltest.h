/*
 * ltest.h - helpers shared by the local delivery unit tests: a
 * temporary directory, a queue file made from lines, a file's contents.
 * Everything is static so each test file gets its own copy.
 */
#ifndef LTEST_H
#define LTEST_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "../../../local/local.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "vstream.h"

static UNUSED int
lt_rm_one(const char *path, const struct stat *st UNUSED, int flag,
	          struct FTW *ftw UNUSED)
{
    return (flag == FTW_DP ? rmdir(path) : unlink(path));
}

/* lt_tmpdir - a new temporary directory (mode 0755) */

static UNUSED char *
lt_tmpdir(void)
{
    char   *dir = mystrdup("/tmp/lt-local-XXXXXX");

    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(chmod(dir, 0755), 0);
    return (dir);
}

/* lt_rmdir - remove a tree */

static UNUSED void
lt_rmdir(char *dir)
{
    (void) nftw(dir, lt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    myfree(dir);
}

/* lt_config - the parameters local reads */

static UNUSED void
lt_config(void)
{
    var_myhostname = "mx.example.com";
    var_myorigin = "example.com";
    var_recipient_delimiter = "+";
    var_cmd_exp_filter = "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    var_mailbox_limit = 0;
    var_mailbox_lock = "fcntl, dotlock";
    local_lock_tries = 1;
}

/* lt_queue_file - a queue file in dir with sender and text lines */

static UNUSED void
lt_queue_file(const char *path, const char *sender, const char *const *lines)
{
    struct queue_env env;
    struct queue_out out;
    struct vstream *fp;
    struct vstr *why = vstr_alloc(10);
    int     fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

    cr_assert(fd >= 0);
    queue_env_init(&env);
    env.sender = mystrdup(sender);
    env.protocol = mystrdup("ESMTP");
    queue_env_add_rcpt(&env, "user@example.com", 0, 0);
    fp = vstream_fdopen(fd, VSTREAM_WRITE);
    queue_out_init(&out, fp);
    cr_assert_eq(queue_out_envelope(&out, &env, why), 0, "%s", vstr_str(why));
    for (; *lines; lines++)
	cr_assert_eq(queue_out_text(&out, *lines, strlen(*lines), 0, why), 0);
    cr_assert_eq(queue_out_finish(&out, why), 0, "%s", vstr_str(why));
    queue_out_done(&out);
    (void) vstream_close(fp);
    queue_env_free(&env);
    vstr_free(why);
}

/* lt_msg_open - open a queue file for delivery */

static UNUSED void
lt_msg_open(struct local_msg *msg, const char *path, const char *sender)
{
    struct vstr *why = vstr_alloc(10);

    memset(msg, 0, sizeof(*msg));
    msg->queue_id = "TESTQUEUEID0";
    msg->sender = sender;
    cr_assert_eq(local_msg_open(msg, path, why), 0, "%s", vstr_str(why));
    vstr_free(why);
}

/* lt_slurp - a file's contents (caller frees) */

static UNUSED char *
lt_slurp(const char *path)
{
    FILE   *fp = fopen(path, "r");
    char   *buf = mymalloc(1024 * 1024);
    size_t  n;

    cr_assert_not_null(fp, "%s", path);
    n = fread(buf, 1, 1024 * 1024 - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return (buf);
}

#endif
