/*
 * test_cleanup_clnt.c - cleanup_clnt(3) against a fake cleanup service
 * (bfake.h): a message submitted and its queue ID returned; the socket
 * path given explicitly; DEFER and REJECT replies with cleanup's reason
 * (cleaned); a bad queue ID, a bad status, a REJECT without a reason,
 * a wrong protocol, a closed connection, garbage and a silent server
 * (deadline) are local trouble;
 * misuse of the call order fails without sending anything.
 */
#include <time.h>

#include "btest.h"
#include "bfake.h"
#include "cleanup_clnt.h"

TestSuite(clnt, .init = bf_setup, .fini = bf_teardown);

/* submit - open, send a small message, close; the close result */

static int
submit(const char *queue_dir, const char *path, int timeout)
{
    struct cleanup_clnt *cl;
    struct queue_env env;
    int     ret;

    cl = cleanup_clnt_open(queue_dir, path, CLEANUP_FLAG_BOUNCE, timeout, why);
    if (cl == 0)
	return (-2);
    queue_env_init(&env);
    env.sender = mystrdup("");
    env.protocol = mystrdup("bounce");
    queue_env_add_rcpt(&env, "s@example.com", 0, 0);
    cr_assert_eq(cleanup_clnt_envelope(cl, &env, why), 0, "%s", vstr_str(why));
    cr_assert_eq(cleanup_clnt_text(cl, "Subject: x", 10, 0, why), 0);
    cr_assert_eq(cleanup_clnt_text(cl, "", 0, 0, why), 0);
    cr_assert_eq(cleanup_clnt_text(cl, "two ", 4, 1, why), 0);
    cr_assert_eq(cleanup_clnt_text(cl, "pieces", 6, 0, why), 0);
    ret = cleanup_clnt_close(cl, id, why);
    queue_env_free(&env);
    return (ret);
}

Test(clnt, ok)
{
    struct bfake bf;

    bf_start(&bf, dir, 0, BF_OK);
    cr_assert_eq(submit(dir, 0, 5), MAIL_STAT_OK, "%s", vstr_str(why));
    cr_assert_str_eq(vstr_str(id), BF_ID);
    cr_assert_str_eq(vstr_str(why), "");
    cr_assert_eq(bf_wait(&bf, 0), 0);
    cr_assert(bf_dump_has(&bf, "flags=2"));
    cr_assert(bf_dump_has(&bf, "sender="));
    cr_assert(bf_dump_has(&bf, "rcpt=s@example.com"));
    cr_assert(bf_dump_has(&bf, "protocol=bounce"));
    cr_assert(bf_dump_has(&bf, "line=Subject: x"));
    cr_assert(bf_dump_has(&bf, "line="));
    cr_assert(bf_dump_has(&bf, "line=two pieces"));
}

Test(clnt, explicit_path)
{
    struct bfake bf;
    char    path[1100];

    snprintf(path, sizeof(path), "%s/elsewhere", dir);
    bf_start(&bf, dir, path, BF_OK);
    cr_assert_eq(submit(0, path, 5), MAIL_STAT_OK, "%s", vstr_str(why));
    cr_assert_eq(bf_wait(&bf, 0), 0);
}

Test(clnt, defer_and_reject)
{
    struct bfake bf;

    bf_start(&bf, dir, 0, BF_DEFER);
    cr_assert_eq(submit(dir, 0, 5), MAIL_STAT_DEFER);
    cr_assert_str_eq(vstr_str(why), "4.3.0 Error: disk full");
    cr_assert_str_eq(vstr_str(id), "");
    cr_assert_eq(bf_wait(&bf, 0), 0);
    bf_start(&bf, dir, 0, BF_REJECT);
    cr_assert_eq(submit(dir, 0, 5), MAIL_STAT_REJECT);
    cr_assert_str_eq(vstr_str(why), "5.3.4 Error: too big??X-Evil: 1");
    cr_assert_str_eq(vstr_str(id), "");
    cr_assert_eq(bf_wait(&bf, 0), 0);
}

Test(clnt, bad_replies)
{
    static const int modes[] = {BF_BADID, BF_BADSTATUS, BF_GARBAGE, BF_CLOSE,
    BF_REJECT_EMPTY};
    struct bfake bf;
    size_t  i;

    for (i = 0; i < ARRAY_LEN(modes); i++) {
	bf_start(&bf, dir, 0, modes[i]);
	vstr_reset(why);
	cr_assert_eq(submit(dir, 0, 5), -1, "mode %d", modes[i]);
	cr_assert_gt(vstr_len(why), 0);
	cr_assert_str_eq(vstr_str(id), "", "mode %d", modes[i]);
	(void) bf_wait(&bf, 1);
    }
}

Test(clnt, bad_protocol)
{
    struct bfake bf;

    bf_start(&bf, dir, 0, BF_BADPROTO);
    cr_assert_eq(submit(dir, 0, 5), -2);
    cr_assert_not_null(strstr(vstr_str(why), "protocol"));
    cr_assert_eq(bf_wait(&bf, 0), 0);
}

Test(clnt, no_server)
{
    cr_assert_eq(submit(dir, 0, 1), -2);
    cr_assert_not_null(strstr(vstr_str(why), "connect to"));
}

Test(clnt, deadline)
{
    struct bfake bf;
    time_t  start = time(0);

    bf_start(&bf, dir, 0, BF_SILENT);
    cr_assert_eq(submit(dir, 0, 1), -1);
    cr_assert_leq(time(0) - start, 4, "the deadline was not kept");
    (void) bf_wait(&bf, 1);
}

Test(clnt, call_order)
{
    struct cleanup_clnt *cl;
    struct bfake bf;

    bf_start(&bf, dir, 0, BF_OK);
    cl = cleanup_clnt_open(dir, 0, 0, 5, why);
    cr_assert_not_null(cl);
    cr_assert_eq(cleanup_clnt_text(cl, "x", 1, 0, why), -1);
    cr_assert_eq(cleanup_clnt_close(cl, id, why), -1);
    cr_assert_eq(bf_wait(&bf, 0), 0);
    cr_assert(bf_dump_has(&bf, "truncated"), "the server saw a complete message");
    cleanup_clnt_abort(0);
}

Test(clnt, bad_envelope_aborts)
{
    struct cleanup_clnt *cl;
    struct queue_env env;
    struct bfake bf;

    bf_start(&bf, dir, 0, BF_OK);
    cl = cleanup_clnt_open(dir, 0, 0, 5, why);
    cr_assert_not_null(cl);
    queue_env_init(&env);
    env.sender = mystrdup("bad\nsender");
    queue_env_add_rcpt(&env, "r@example.com", 0, 0);
    cr_assert_eq(cleanup_clnt_envelope(cl, &env, why), -1);
    cr_assert_eq(cleanup_clnt_text(cl, "x", 1, 0, why), -1);
    cleanup_clnt_abort(cl);
    cr_assert_eq(bf_wait(&bf, 0), 0);
    cr_assert(bf_dump_has(&bf, "truncated"));
    queue_env_free(&env);
}
