/*
 * test_bounce_notify.c - bounce_notify(3) with a fake cleanup service
 * (bfake.h): who gets a notice (null sender, NOTIFY=NEVER, SUCCESS,
 * DELAY, mixed recipients), the 2bounce copy to the postmaster and its
 * loop guard, the envelope a notice is submitted with, and trouble: a
 * missing, malformed or badly named original, cleanup absent or
 * deferring.
 */
#include "btest.h"
#include "bfake.h"
#include "bounce_notify.h"
#include "mail_conf.h"
#include "mail_params.h"

TestSuite(notify, .init = bf_setup, .fini = bf_teardown);

static const struct bt_line orig[] = {
    {"From: s@example.com", (size_t) -1},
    {"Subject: original", (size_t) -1},
    {"", 0},
    {"body", (size_t) -1},
};

/* config - load main.cf text (plus fixed settings) */

static void
config(const char *extra)
{
    char    text[2000];

    snprintf(text, sizeof(text), "myhostname = mx.example.org\n"
	     "myorigin = example.org\n%s", extra);
    mail_conf_reset();
    cr_assert_eq(mail_conf_parse_buffer("main.cf", text, strlen(text), why),
		 0, "%s", vstr_str(why));
    mail_params_init();
}

/* queue - write the original as active/BT_ID with these recipients */

static void
queue(struct queue_env *env, const char *sender, const char *protocol)
{
    struct vstr *path = vstr_alloc(100);
    const char *rcpt[] = {"a@example.org", "b@example.org", "c@example.org",
    "d@example.org"};

    bt_env(env, sender, 0, rcpt, ARRAY_LEN(rcpt));
    if (protocol) {
	myfree(env->protocol);
	env->protocol = mystrdup(protocol);
    }
    bt_write_queue(dir, MAIL_QUEUE_ACTIVE, BT_ID, env, orig, ARRAY_LEN(orig),
		   path);
    vstr_free(path);
}

/* rcpt - a failed recipient */

static struct bounce_rcpt
rcpt(const char *addr, int notify)
{
    struct bounce_rcpt r = {addr, 0, notify, "5.1.1", "failed",
    "unknown user", 0};

    return (r);
}

Test(notify, null_sender_no_2bounce)
{
    struct queue_env env;
    struct bounce_rcpt r[] = {rcpt("a@example.org", 0)};

    config("notify_classes = resource, software\n");
    queue(&env, "", 0);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_NONE, id, why), 1);
    cr_assert_not_null(strstr(vstr_str(why), "2bounce"), "%s", vstr_str(why));
    cr_assert_str_eq(vstr_str(id), "");
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_DELAY, id, why), 1);
    queue_env_free(&env);
}

Test(notify, notify_masks)
{
    struct queue_env env;
    struct bounce_rcpt r[] = {
	rcpt("a@example.org", QUEUE_NOTIFY_NEVER),
	rcpt("b@example.org", QUEUE_NOTIFY_SUCCESS),
	rcpt("c@example.org", QUEUE_NOTIFY_DELAY),
    };

    config("");
    queue(&env, "s@example.com", 0);
    /* No server: a connection attempt would fail with -1. */
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 3,
			       BOUNCE_FLAG_NONE, id, why), 1);
    cr_assert_not_null(strstr(vstr_str(why), "NOTIFY"));
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 2,
			       BOUNCE_FLAG_DELAY, id, why), 1);
    r[0].notify = QUEUE_NOTIFY_FAILURE;
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_DELAY, id, why), 1);
    /* DELAY asks for a warning: now cleanup is needed (and absent). */
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r + 2, 1,
			       BOUNCE_FLAG_DELAY, id, why), -1);
    cr_assert_not_null(strstr(vstr_str(why), "connect"), "%s", vstr_str(why));
    queue_env_free(&env);
}

Test(notify, mixed_recipients)
{
    struct queue_env env;
    struct bfake bf;
    struct bounce_rcpt r[] = {
	rcpt("a@example.org", QUEUE_NOTIFY_NEVER),
	rcpt("b@example.org", 0),
	rcpt("c@example.org", QUEUE_NOTIFY_FAILURE | QUEUE_NOTIFY_DELAY),
	rcpt("d@example.org", QUEUE_NOTIFY_SUCCESS),
    };

    config("");
    queue(&env, "s@example.com", 0);
    bf_start(&bf, dir, 0, BF_OK);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 4,
			       BOUNCE_FLAG_NONE, id, why), 0, "%s", vstr_str(why));
    cr_assert_str_eq(vstr_str(id), BF_ID);
    cr_assert_eq(bf_wait(&bf, 0), 0);
    cr_assert(bf_dump_has(&bf, "flags=2"), "CLEANUP_FLAG_BOUNCE");
    cr_assert(bf_dump_has(&bf, "sender="));
    cr_assert(bf_dump_has(&bf, "rcpt=s@example.com"));
    cr_assert(bf_dump_has(&bf, "protocol=" BOUNCE_PROTO_NOTICE));
    cr_assert(bf_dump_has(&bf, "line=To: <s@example.com>"));
    cr_assert(bf_dump_has(&bf, "line=Subject: Undelivered Mail Returned to Sender"));
    cr_assert(!bf_dump_has(&bf, "line=Final-Recipient: rfc822; a@example.org"));
    cr_assert(bf_dump_has(&bf, "line=Final-Recipient: rfc822; b@example.org"));
    cr_assert(bf_dump_has(&bf, "line=Final-Recipient: rfc822; c@example.org"));
    cr_assert(!bf_dump_has(&bf, "line=Final-Recipient: rfc822; d@example.org"));
    cr_assert(bf_dump_has(&bf, "line=Subject: original"));
    cr_assert(!bf_dump_has(&bf, "line=body"), "default RET: headers only");
    queue_env_free(&env);
}

Test(notify, delay_warning)
{
    struct queue_env env;
    struct bfake bf;
    struct bounce_rcpt r[] = {rcpt("a@example.org", 0)};

    config("");
    queue(&env, "s@example.com", 0);
    r[0].action = "delayed";
    r[0].dsn_status = "4.4.1";
    bf_start(&bf, dir, 0, BF_OK);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_DELAY, id, why), 0, "%s", vstr_str(why));
    cr_assert_eq(bf_wait(&bf, 0), 0);
    cr_assert(bf_dump_has(&bf, "line=Subject: Delayed Mail (still being retried)"));
    cr_assert(bf_dump_has(&bf, "line=Action: delayed"));
    cr_assert(bf_dump_has(&bf, "line=Status: 4.4.1"));
    queue_env_free(&env);
}

Test(notify, two_bounce)
{
    struct queue_env env;
    struct bfake bf;
    struct bounce_rcpt r[] = {rcpt("a@example.org", QUEUE_NOTIFY_NEVER)};

    config("notify_classes = resource, 2bounce\n"
	   "2bounce_notice_recipient = postmaster, admin@example.net\n");
    queue(&env, "", 0);
    bf_start(&bf, dir, 0, BF_OK);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_NONE, id, why), 0, "%s", vstr_str(why));
    cr_assert_eq(bf_wait(&bf, 0), 0);
    cr_assert(bf_dump_has(&bf, "sender="));
    cr_assert(bf_dump_has(&bf, "rcpt=postmaster"));
    cr_assert(bf_dump_has(&bf, "rcpt=admin@example.net"));
    cr_assert(bf_dump_has(&bf, "protocol=" BOUNCE_PROTO_2BOUNCE));
    cr_assert(bf_dump_has(&bf, "line=To: <postmaster@example.org>"));
    cr_assert(bf_dump_has(&bf, "line=Subject: Postmaster Copy: Undelivered Mail"));
    cr_assert(bf_dump_has(&bf, "line=Final-Recipient: rfc822; a@example.org"),
	      "NOTIFY does not apply to the postmaster copy");
    queue_env_free(&env);
}

Test(notify, two_bounce_loop_guard)
{
    struct queue_env env;
    struct bounce_rcpt r[] = {rcpt("postmaster@example.org", 0)};

    config("notify_classes = 2bounce\n");
    queue(&env, "", BOUNCE_PROTO_2BOUNCE);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_NONE, id, why), 1);
    cr_assert_not_null(strstr(vstr_str(why), "discarded"));
    queue_env_free(&env);
}

Test(notify, cleanup_defers)
{
    struct queue_env env;
    struct bfake bf;
    struct bounce_rcpt r[] = {rcpt("a@example.org", 0)};

    config("");
    queue(&env, "s@example.com", 0);
    bf_start(&bf, dir, 0, BF_DEFER);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_NONE, id, why), -1);
    cr_assert_str_eq(vstr_str(why), "cleanup deferred the notice: 4.3.0 Error:"
		     " disk full");
    cr_assert_str_eq(vstr_str(id), "");
    cr_assert_eq(bf_wait(&bf, 0), 0);
    queue_env_free(&env);
}

Test(notify, bad_originals)
{
    struct queue_env env;
    struct bounce_rcpt r[] = {rcpt("a@example.org", 0)};
    struct vstr *path = vstr_alloc(100);
    struct vstr *rel = vstr_alloc(100);
    FILE   *fp;

    config("");
    queue_env_init(&env);
    env.sender = mystrdup("s@example.com");
    /* Missing file, bad queue ID, bad queue name. */
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_NONE, id, why), -1);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, "../../etc/x", &env, r,
			       1, BOUNCE_FLAG_NONE, id, why), -1);
    cr_assert_str_eq(vstr_str(why), "bad queue name or queue ID");
    cr_assert_eq(bounce_notify(dir, "../tmp", BT_ID, &env, r, 1,
			       BOUNCE_FLAG_NONE, id, why), -1);
    /* Garbage where the queue file should be. */
    cr_assert_eq(mail_queue_path(rel, MAIL_QUEUE_ACTIVE, BT_ID), 0);
    bt_mkdirs(dir, vstr_str(rel));
    vstr_sprintf(path, "%s/%s", dir, vstr_str(rel));
    cr_assert_not_null(fp = fopen(vstr_str(path), "w"));
    fputs("From: not a queue file\n", fp);
    fclose(fp);
    cr_assert_eq(bounce_notify(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, r, 1,
			       BOUNCE_FLAG_NONE, id, why), -1);
    cr_assert_gt(vstr_len(why), 0);
    queue_env_free(&env);
    vstr_free(path);
    vstr_free(rel);
}
