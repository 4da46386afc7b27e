/*
 * test_dsn_report.c - dsn_report(3): reports for one and three
 * recipients written to a file and parsed back (MIME skeleton, the
 * delivery-status fields of each recipient, the original part), delay
 * warnings and 2bounce copies, bounce_size_limit, and hostile input:
 * header injection through reasons and original headers, very long
 * values, 8-bit and NUL bytes, missing headers, a truncated original.
 */
#include "btest.h"

static struct vstr *why;
static const char *dir;

static void
setup(void)
{
    why = vstr_alloc(100);
    dir = bt_tmpdir();
}

static void
teardown(void)
{
    bt_rmtree();
    vstr_free(why);
}

TestSuite(dsn, .init = setup, .fini = teardown);

#define L(s)	{(s), (size_t) -1}

static const struct bt_line simple[] = {
    L("From: Sender <s@example.com>"),
    L("Subject: hello"),
    L(" folded"),
    L("To: a@example.org"),
    L(""),
    L("body line 1"),
    L("body line 2"),
};

/* body_has - does the part body have this exact line? */

static int
body_has(const struct bt_part *p, const char *line)
{
    size_t  i;

    for (i = 0; i < p->body->argc; i++)
	if (strcmp(p->body->argv[i], line) == 0)
	    return (1);
    return (0);
}

Test(dsn, one_recipient)
{
    const char *rcpt[] = {"a@example.org"};
    struct dsn_rcpt r[] = {{"a@example.org", 0, "5.1.1", "failed",
	"550 5.1.1 <a@example.org>: Recipient address rejected",
    "mx.example.org[192.0.2.1]:25"}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;

    bt_env(&env, "s@example.com", 0, rcpt, 1);
    cr_assert_eq(bt_build(dir, &env, simple, ARRAY_LEN(simple), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert_str_eq(bt_get(rp.headers, "From"),
		     "MAILER-DAEMON@mx.example.org (Mail Delivery System)");
    cr_assert_str_eq(bt_get(rp.headers, "To"), "<s@example.com>");
    cr_assert_str_eq(bt_get(rp.headers, "Subject"),
		     "Undelivered Mail Returned to Sender");
    cr_assert_str_eq(bt_get(rp.headers, "Auto-Submitted"), "auto-replied");
    cr_assert_str_eq(bt_get(rp.headers, "MIME-Version"), "1.0");
    cr_assert_eq(bt_count(rp.headers, "Date"), 1);
    cr_assert_eq(bt_count(rp.headers, "Message-ID"), 1);
    cr_assert_null(bt_get(rp.headers, "Content-Transfer-Encoding"));
    cr_assert_str_eq(bt_get(rp.parts[0].headers, "Content-Type"),
		     "text/plain; charset=us-ascii");
    cr_assert(body_has(rp.parts, "<a@example.org>: 550 5.1.1 <a@example.org>:"
		       " Recipient address rejected"));
    cr_assert_str_eq(bt_get(rp.parts[1].headers, "Content-Type"),
		     "message/delivery-status");
    cr_assert_eq(rp.nblocks, 2);
    cr_assert_str_eq(bt_get(rp.blocks[0], "Reporting-MTA"), "dns; mx.example.org");
    cr_assert_str_eq(bt_get(rp.blocks[0], "X-Postern-Queue-ID"), BT_ID);
    cr_assert_str_eq(bt_get(rp.blocks[0], "X-Postern-Sender"),
		     "rfc822; s@example.com");
    cr_assert_not_null(bt_get(rp.blocks[0], "Arrival-Date"));
    cr_assert_null(bt_get(rp.blocks[0], "Original-Envelope-Id"));
    cr_assert_str_eq(bt_get(rp.blocks[1], "Final-Recipient"),
		     "rfc822; a@example.org");
    cr_assert_null(bt_get(rp.blocks[1], "Original-Recipient"));
    cr_assert_str_eq(bt_get(rp.blocks[1], "Action"), "failed");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Status"), "5.1.1");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Remote-MTA"), "dns; mx.example.org");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Diagnostic-Code"),
		     "smtp; 550 5.1.1 <a@example.org>: Recipient address"
		     " rejected");
    cr_assert_null(bt_get(rp.blocks[1], "Last-Attempt-Date"));
    /* Default RET: the headers, exactly, and nothing of the body. */
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Type"),
		     "text/rfc822-headers");
    cr_assert_eq(rp.parts[2].body->argc, 5);	/* 4 lines + blank */
    cr_assert_str_eq(rp.parts[2].body->argv[1], "Subject: hello");
    cr_assert_str_eq(rp.parts[2].body->argv[2], " folded");
    cr_assert(!body_has(rp.parts + 2, "body line 1"));
    bt_free(&rp);
    queue_env_free(&env);
}

Test(dsn, three_recipients_full)
{
    const char *rcpt[] = {"a@example.org", "b@example.org", "c@example.org"};
    struct dsn_rcpt r[] = {
	{"a@example.org", "rfc822;alias@example.org", "5.1.1", "failed",
	"unknown user: \"a\"", "local"},
	{"b@example.org", 0, "bogus", "nonsense", "mailbox full", 0},
	{"c@example.org", "rfc822;c@example.org", "5.7.1", "failed",
	"554 5.7.1 denied", "mx2.example.net[2001:db8::1]:25"},
    };
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;

    bt_env(&env, "s@example.com", QUEUE_RET_FULL, rcpt, 3);
    env.dsn_envid = mystrdup("QQ314159");
    cr_assert_eq(bt_build(dir, &env, simple, ARRAY_LEN(simple), &info, r, 3,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert_eq(rp.nblocks, 4);
    cr_assert_str_eq(bt_get(rp.blocks[0], "Original-Envelope-Id"), "QQ314159");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Final-Recipient"), "rfc822; a@example.org");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Original-Recipient"),
		     "rfc822; alias@example.org");
    cr_assert_null(bt_get(rp.blocks[1], "Remote-MTA"), "relay local");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Diagnostic-Code"),
		     "x-postern; unknown user: \"a\"");
    cr_assert_str_eq(bt_get(rp.blocks[2], "Final-Recipient"), "rfc822; b@example.org");
    cr_assert_str_eq(bt_get(rp.blocks[2], "Status"), "5.0.0");
    cr_assert_str_eq(bt_get(rp.blocks[2], "Action"), "failed");
    cr_assert_str_eq(bt_get(rp.blocks[3], "Final-Recipient"), "rfc822; c@example.org");
    cr_assert_str_eq(bt_get(rp.blocks[3], "Remote-MTA"), "dns; mx2.example.net");
    cr_assert_str_eq(bt_get(rp.blocks[3], "Diagnostic-Code"),
		     "smtp; 554 5.7.1 denied");
    /* Part 1 names the alias, and not an ORCPT equal to the address. */
    cr_assert(body_has(rp.parts, "<a@example.org> (expanded from"
		       " <alias@example.org>): unknown user: \"a\""));
    cr_assert(body_has(rp.parts, "<c@example.org>: 554 5.7.1 denied"));
    /* RET=FULL and small: the whole message. */
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Type"), "message/rfc822");
    cr_assert(body_has(rp.parts + 2, "body line 2"));
    cr_assert(body_has(rp.parts + 2, "Subject: hello"));
    bt_free(&rp);
    queue_env_free(&env);
}

Test(dsn, delay_warning)
{
    const char *rcpt[] = {"a@example.org"};
    struct dsn_rcpt r[] = {{"a@example.org", 0, 0, 0, "connection timed out", 0}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;

    bt_env(&env, "s@example.com", QUEUE_RET_FULL, rcpt, 1);
    info.flags = DSN_REPORT_FLAG_DELAY;
    info.now = 1700000000 + 4 * 3600;
    info.max_queue_time = 5 * 86400;
    cr_assert_eq(bt_build(dir, &env, simple, ARRAY_LEN(simple), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert_str_eq(bt_get(rp.headers, "Subject"),
		     "Delayed Mail (still being retried)");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Action"), "delayed");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Status"), "4.0.0");
    cr_assert_not_null(bt_get(rp.blocks[1], "Last-Attempt-Date"));
    cr_assert_not_null(bt_get(rp.blocks[1], "Will-Retry-Until"));
    cr_assert(body_has(rp.parts, "Your message could not be delivered for"
		       " 4 hour(s)."));
    cr_assert(body_has(rp.parts, "It will be retried until it is 5 day(s) old."));
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Type"),
		     "text/rfc822-headers", "a warning never returns the body");
    bt_free(&rp);
    queue_env_free(&env);
}

Test(dsn, postmaster_copy)
{
    const char *rcpt[] = {"a@example.org"};
    struct dsn_rcpt r[] = {{"a@example.org", 0, "5.1.1", "failed", "x", 0}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;

    bt_env(&env, "", QUEUE_RET_FULL, rcpt, 1);
    info.flags = DSN_REPORT_FLAG_2BOUNCE;
    info.to = "postmaster@example.org";
    cr_assert_eq(bt_build(dir, &env, simple, ARRAY_LEN(simple), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert_str_eq(bt_get(rp.headers, "Subject"),
		     "Postmaster Copy: Undelivered Mail");
    cr_assert_str_eq(bt_get(rp.headers, "To"), "<postmaster@example.org>");
    cr_assert_null(bt_get(rp.blocks[0], "X-Postern-Sender"), "null sender");
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Type"),
		     "text/rfc822-headers");
    bt_free(&rp);
    queue_env_free(&env);
}

Test(dsn, injection)
{
    const char *rcpt[] = {"a@example.org"};
    static const struct bt_line lines[] = {
	L("Subject: a\rBcc: injected@example.com"),
	L("X-Evil: \r\n--=_postern.0000000000AB.0000000000000000--"),
	L(""),
	L("--=_postern.0000000000AB.0000000000000000--"),
    };
    struct dsn_rcpt r[] = {{"a@ex\tample.org", "rfc822;x\r\nBcc: o@example.com",
	    "5.1.1", "failed",
	    "bad\r\nBcc: evil@example.com\r\n\r\n--x\r\nContent-Type: text/html",
    "evil\r\nBcc: x"}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;
    int     i;

    bt_env(&env, "s@example.com", QUEUE_RET_HDRS, rcpt, 1);
    info.myhostname = "mx.example.org\r\nBcc: h@example.com";
    cr_assert_eq(bt_build(dir, &env, lines, ARRAY_LEN(lines), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert_eq(bt_count(rp.headers, "Bcc"), 0);
    cr_assert_eq(rp.nblocks, 2, "blocks: %d", rp.nblocks);
    for (i = 0; i < rp.nblocks; i++)
	cr_assert_eq(bt_count(rp.blocks[i], "Bcc"), 0);
    for (i = 0; i < 3; i++)
	cr_assert_eq(bt_count(rp.parts[i].headers, "Content-Type"), 1);
    cr_assert_str_eq(bt_get(rp.blocks[1], "Diagnostic-Code"), "x-postern; bad??Bcc:"
		     " evil@example.com????" "--x??Content-Type: text/html");
    cr_assert_str_eq(bt_get(rp.blocks[1], "Final-Recipient"),
		     "rfc822; a@ex ample.org");
    cr_assert_null(bt_get(rp.blocks[1], "Remote-MTA"));
    cr_assert_str_eq(rp.parts[2].body->argv[0],
		     "Subject: a Bcc: injected@example.com");
    bt_free(&rp);
    queue_env_free(&env);
}

Test(dsn, long_values)
{
    const char *rcpt[] = {"a@example.org"};
    struct vstr *addr = vstr_alloc(2100);
    struct vstr *words = vstr_alloc(3000);
    struct vstr *word = vstr_alloc(5000);
    struct vstr *v = vstr_alloc(100);
    struct dsn_report_info info = {0};
    struct dsn_rcpt r[2];
    struct queue_env env;
    struct bt_report rp;
    const char *cp;
    int     i;

    for (i = 0; i < 2000; i++)
	vstr_addch(addr, 'a' + i % 26);
    for (i = 0; i < 300; i++)
	vstr_sprintf_append(words, "%sword%d", i ? " " : "", i);
    for (i = 0; i < 5000; i++)
	vstr_addch(word, 'x');
    r[0] = (struct dsn_rcpt) {vstr_str(addr), 0, "5.1.1", "failed", vstr_str(word), 0};
    r[1] = (struct dsn_rcpt) {"b@example.org", 0, "5.1.1", "failed", vstr_str(words), 0};
    bt_env(&env, vstr_str(addr), 0, rcpt, 1);
    cr_assert_eq(bt_build(dir, &env, simple, ARRAY_LEN(simple), &info, r, 2,
			  &rp, why), 0, "%s", vstr_str(why));
    /* bt_read checked every line <= 998; folded at spaces: exact. */
    vstr_sprintf(v, "x-postern; %.*s", (int) DSN_REPORT_TEXT_MAX, vstr_str(words));
    while (vstr_len(v) > 0 && vstr_str(v)[vstr_len(v) - 1] == ' ')
	vstr_truncate(v, vstr_len(v) - 1);
    cr_assert_str_eq(bt_get(rp.blocks[2], "Diagnostic-Code"), vstr_str(v));
    /* A word cut: only inserted spaces differ. */
    vstr_reset(v);
    for (cp = bt_get(rp.blocks[1], "Diagnostic-Code"); *cp; cp++)
	if (*cp != ' ')
	    vstr_addch(v, *cp);
    cr_assert_eq(vstr_len(v), strlen("x-postern;") + DSN_REPORT_TEXT_MAX);
    vstr_reset(v);
    for (cp = bt_get(rp.blocks[1], "Final-Recipient"); *cp; cp++)
	if (*cp != ' ')
	    vstr_addch(v, *cp);
    cr_assert_eq(vstr_len(v), strlen("rfc822;") + 2000);
    cr_assert_not_null(bt_get(rp.headers, "To"));
    bt_free(&rp);
    queue_env_free(&env);
    vstr_free(addr);
    vstr_free(words);
    vstr_free(word);
    vstr_free(v);
}

Test(dsn, hostile_original)
{
    const char *rcpt[] = {"a@example.org"};
    struct vstr *huge = vstr_alloc(100000);
    struct bt_line lines[] = {
	{"Subject: nul\0inside", 19},
	L("X-8bit: caf\xc3\xa9 \xff\xfe"),
	L("X-CR: a\rb"),
	{0, 0},
	L(""),
	L("body \xe2\x82\xac"),
    };
    struct dsn_rcpt r[] = {{"a@example.org", 0, "5.1.1", "failed", "x", 0}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;
    size_t  i;

    vstr_strcpy(huge, "X-Long: ");
    for (i = 0; i < 90000; i++)
	vstr_addch(huge, 'y');
    lines[3].data = vstr_str(huge);
    lines[3].len = vstr_len(huge);
    bt_env(&env, "s@example.com", QUEUE_RET_FULL, rcpt, 1);
    cr_assert_eq(bt_build(dir, &env, lines, ARRAY_LEN(lines), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    /* Too big for RET=FULL: headers, cut to bounce_size_limit. */
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Type"),
		     "text/rfc822-headers");
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Transfer-Encoding"),
		     "8bit");
    cr_assert_str_eq(bt_get(rp.headers, "Content-Transfer-Encoding"), "8bit");
    cr_assert_str_eq(rp.parts[2].body->argv[0], "Subject: nul inside");
    cr_assert_str_eq(rp.parts[2].body->argv[2], "X-CR: a b");
    cr_assert(strncmp(rp.parts[2].body->argv[3], "X-Long: yyy", 11) == 0);
    /* Split into continuation lines (bt_read checked <= 998 each). */
    cr_assert_eq(strlen(rp.parts[2].body->argv[3]), DSN_REPORT_LINE_MAX);
    cr_assert(strncmp(rp.parts[2].body->argv[4], " yyy", 4) == 0);
    cr_assert_eq(bt_count(rp.parts[2].headers, "X-Long"), 0);
    bt_free(&rp);
    queue_env_free(&env);
    vstr_free(huge);
}

Test(dsn, header_cut_at_limit)
{
    /* A header that does not fit in what is left of the limit is cut. */
    const char *rcpt[] = {"a@example.org"};
    struct vstr *hdr = vstr_alloc(1000);
    struct bt_line lines[] = {L("Subject: x"), {0, 0}, L(""), L("body")};
    struct dsn_rcpt r[] = {{"a@example.org", 0, "5.1.1", "failed", "x", 0}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;
    size_t  i, used = 0;

    vstr_strcpy(hdr, "X-Pad: ");
    for (i = 0; i < 900; i++)
	vstr_addch(hdr, 'p');
    lines[1].data = vstr_str(hdr);
    lines[1].len = vstr_len(hdr);
    bt_env(&env, "s@example.com", QUEUE_RET_HDRS, rcpt, 1);
    info.size_limit = 500;
    cr_assert_eq(bt_build(dir, &env, lines, ARRAY_LEN(lines), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    for (i = 0; i < rp.parts[2].body->argc; i++)
	used += strlen(rp.parts[2].body->argv[i]) + (*rp.parts[2].body->argv[i] != 0);
    cr_assert_leq(used, 500);
    cr_assert_str_eq(rp.parts[2].body->argv[0], "Subject: x");
    cr_assert_eq(strlen(rp.parts[2].body->argv[1]), 500 - 11 - 1);
    bt_free(&rp);
    queue_env_free(&env);
    vstr_free(hdr);
}

Test(dsn, size_limit)
{
    const char *rcpt[] = {"a@example.org"};
    struct dsn_rcpt r[] = {{"a@example.org", 0, "5.1.1", "failed", "x", 0}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;
    size_t  size = 0, i;

    for (i = 0; i < ARRAY_LEN(simple); i++)
	size += strlen(simple[i].data) + 1;
    /* Exactly at the limit: the whole message. */
    bt_env(&env, "s@example.com", QUEUE_RET_FULL, rcpt, 1);
    info.size_limit = (long) size;
    cr_assert_eq(bt_build(dir, &env, simple, ARRAY_LEN(simple), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Type"), "message/rfc822");
    cr_assert(body_has(rp.parts + 2, "body line 2"));
    bt_free(&rp);
    /* One byte less: the headers only. */
    info.size_limit = (long) size - 1;
    cr_assert_eq(bt_build(dir, &env, simple, ARRAY_LEN(simple), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert_str_eq(bt_get(rp.parts[2].headers, "Content-Type"),
		     "text/rfc822-headers");
    cr_assert(!body_has(rp.parts + 2, "body line 1"));
    cr_assert(body_has(rp.parts + 2, "Subject: hello"));
    bt_free(&rp);
    queue_env_free(&env);
}

Test(dsn, no_headers)
{
    const char *rcpt[] = {"a@example.org"};
    static const struct bt_line lines[] = {L("just a body line"), L("more")};
    struct dsn_rcpt r[] = {{"a@example.org", 0, "5.1.1", "failed", "x", 0}};
    struct dsn_report_info info = {0};
    struct queue_env env;
    struct bt_report rp;

    bt_env(&env, "s@example.com", 0, rcpt, 1);
    cr_assert_eq(bt_build(dir, &env, lines, ARRAY_LEN(lines), &info, r, 1,
			  &rp, why), 0, "%s", vstr_str(why));
    cr_assert(!body_has(rp.parts + 2, "just a body line"));
    bt_free(&rp);
    queue_env_free(&env);
}

Test(dsn, truncated_original)
{
    const char *rcpt[] = {"a@example.org"};
    struct dsn_rcpt r[] = {{"a@example.org", 0, "5.1.1", "failed", "x", 0}};
    struct dsn_report_info info = {0};
    struct vstr *path = vstr_alloc(100);
    struct argv *out = argv_alloc(10);
    struct queue_reader *rd;
    struct queue_env env, fenv;
    struct stat st;

    bt_env(&env, "s@example.com", QUEUE_RET_FULL, rcpt, 1);
    bt_write_queue(dir, MAIL_QUEUE_ACTIVE, BT_ID, &env, simple,
		   ARRAY_LEN(simple), path);
    cr_assert_eq(stat(vstr_str(path), &st), 0);
    cr_assert_eq(truncate(vstr_str(path), st.st_size - 12), 0);
    rd = queue_read_open(vstr_str(path), 0, why);
    cr_assert_not_null(rd);
    cr_assert_eq(queue_read_envelope(rd, &fenv, why), 0);
    info.myhostname = "mx.example.org";
    info.queue_id = BT_ID;
    info.env = &fenv;
    info.to = "s@example.com";
    info.size_limit = 50000;
    cr_assert_eq(dsn_report_build(out, &info, r, 1, rd, why), -1);
    cr_assert_gt(vstr_len(why), 0);
    queue_read_close(rd);
    queue_env_free(&env);
    queue_env_free(&fenv);
    argv_free(out);
    vstr_free(path);
}

Test(dsn, clean)
{
    static const struct {
	const char *in;
	size_t  max;
	const char *out;
    }       cases[] = {
	{"plain", 100, "plain"},
	{"a\tb", 100, "a b"},
	{"  a   b  ", 100, "a b"},
	{"a\r\nb", 100, "a??b"},
	{"x\x7fy\x01", 100, "x?y?"},
	{"caf\xc3\xa9", 100, "caf\xc3\xa9"},
	{"abcdef", 3, "abc"},
	{"ab  cd", 3, "ab"},
	{"", 100, ""},
	{"\t \t", 100, ""},
    };
    struct vstr *out = vstr_alloc(10);
    size_t  i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
	dsn_report_clean(out, cases[i].in, cases[i].max);
	cr_assert_str_eq(vstr_str(out), cases[i].out, "case %zu", i);
    }
    vstr_free(out);
}
