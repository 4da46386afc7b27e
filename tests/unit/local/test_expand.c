/*
 * test_expand.c - parsing in local/: alias and .forward value lists
 * (quotes, comments, empty items, hostile input), address splitting
 * (extension, "\user", case), the Delivered-To loop test, the result
 * merge order and DSN codes (the delay format of the log line:
 * tests/unit/util/test_deliver_request.c).
 */
#include "ltest.h"
#include "mail_proto.h"

static struct argv *out;

static void
setup(void)
{
    lt_config();
    out = argv_alloc(4);
}

static void
teardown(void)
{
    argv_free(out);
}

TestSuite(expand,.init = setup,.fini = teardown);

Test(expand, alias_values)
{
    cr_assert_eq(local_alias_split(" a, b ,c,, ", out), 3);
    cr_assert_str_eq(out->argv[0], "a");
    cr_assert_str_eq(out->argv[1], "b");
    cr_assert_str_eq(out->argv[2], "c");
}

Test(expand, quoted_commands_keep_commas)
{
    cr_assert_eq(local_alias_split("\"|cmd a, b\", /var/f, :include:/x", out),
		 3);
    cr_assert_str_eq(out->argv[0], "\"|cmd a, b\"");
    cr_assert_str_eq(out->argv[1], "/var/f");
    cr_assert_str_eq(out->argv[2], ":include:/x");
}

Test(expand, forward_file_lines_and_comments)
{
    cr_assert_eq(local_alias_split("# comment, with comma\nu1\n\n\\u2, u3\r\n"
				   "#last", out), 3);
    cr_assert_str_eq(out->argv[0], "u1");
    cr_assert_str_eq(out->argv[1], "\\u2");
    cr_assert_str_eq(out->argv[2], "u3");
}

Test(expand, hostile_values)
{
    cr_assert_eq(local_alias_split("\"unbalanced, x", out), -1);
    argv_free(out);
    out = argv_alloc(4);
    cr_assert_eq(local_alias_split("", out), 0);
    cr_assert_eq(local_alias_split(",,,\n\n,", out), 0);
    cr_assert_eq(local_alias_split("\"a\\\"b, c\", d", out), 2);
}

Test(expand, address_split)
{
    struct local_state st;

    memset(&st, 0, sizeof(st));
    st.address = vstr_alloc(10);
    st.user = vstr_alloc(10);
    st.extension = vstr_alloc(10);
    st.domain = vstr_alloc(10);
    cr_assert_eq(local_split_address(&st, "User+Ext+x@Example.COM"), 0);
    cr_assert_str_eq(vstr_str(st.user), "user");
    cr_assert_str_eq(vstr_str(st.extension), "ext+x");
    cr_assert_str_eq(vstr_str(st.domain), "example.com");
    cr_assert_str_eq(vstr_str(st.address), "user+ext+x@example.com");
    cr_assert_eq(st.skip, 0);
    cr_assert_eq(local_split_address(&st, "\\bob"), 0);
    cr_assert_str_eq(vstr_str(st.user), "bob");
    cr_assert_str_eq(vstr_str(st.domain), "");
    cr_assert_str_eq(vstr_str(st.address), "bob@example.com");
    cr_assert_eq(st.skip, LOCAL_SKIP_ALIAS | LOCAL_SKIP_FORWARD);
    cr_assert_eq(local_split_address(&st, "+x@example.com"), 0);
    cr_assert_str_eq(vstr_str(st.user), "+x");
    cr_assert_eq(local_split_address(&st, "@example.com"), -1);
    cr_assert_eq(local_split_address(&st, ""), -1);
    local_state_free(&st);
}

Test(expand, reader_reply_parse)
{
    struct vstr *content = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    uid_t   uid = 0;

    cr_assert_eq(local_read_parse("1000\nlist\n", content, &uid, why), 0);
    cr_assert_eq(uid, 1000);
    cr_assert_str_eq(vstr_str(content), "list\n");
    cr_assert_eq(local_read_parse("4294967296\nx", content, &uid, why), -1);
    cr_assert_eq(local_read_parse("4294967295\nx", content, &uid, why), -1);
    cr_assert_eq(local_read_parse("-1\nx", content, &uid, why), -1);
    cr_assert_eq(local_read_parse("12x\n", content, &uid, why), -1);
    vstr_free(content);
    vstr_free(why);
}

Test(expand, delivered_to_loop)
{
    static const char *const lines[] = {
	"Received: from x", "delivered-to:   USER@Example.com ",
	"Subject: x", "", "Delivered-To: body@example.com", 0,
    };
    char   *dir = lt_tmpdir();
    struct vstr *p = vstr_alloc(10);
    struct local_msg msg;

    vstr_sprintf(p, "%s/q", dir);
    lt_queue_file(vstr_str(p), "s@x", lines);
    lt_msg_open(&msg, vstr_str(p), "s@x");
    cr_assert(local_msg_looped(&msg, "user@example.com"));
    cr_assert(local_msg_looped(&msg, "User@EXAMPLE.com"));
    cr_assert_not(local_msg_looped(&msg, "other@example.com"));
    cr_assert_not(local_msg_looped(&msg, "body@example.com"),
		  "a body line is not a header");
    local_msg_close(&msg);
    lt_rmdir(dir);
    vstr_free(p);
}

Test(expand, result_merge)
{
    struct local_result r;

    local_result_init(&r);
    local_result_text(&r, MAIL_STAT_OK, "delivered to maildir");
    cr_assert_str_eq(vstr_str(r.dsn), "2.0.0");
    local_result_text(&r, MAIL_STAT_BOUNCE, "5.1.1 unknown user: \"x\"");
    cr_assert_eq(r.status, MAIL_STAT_BOUNCE);
    cr_assert_str_eq(vstr_str(r.why), "unknown user: \"x\"");
    local_result_text(&r, MAIL_STAT_DEFER, "lock busy");
    cr_assert_eq(r.status, MAIL_STAT_DEFER);
    cr_assert_str_eq(vstr_str(r.dsn), "4.3.0");
    local_result_text(&r, MAIL_STAT_BOUNCE, "5.4.6 later bounce");
    cr_assert_eq(r.status, MAIL_STAT_DEFER, "defer wins");
    cr_assert_eq(r.count, 4);
    local_result_free(&r);
    local_result_init(&r);
    local_result_text(&r, MAIL_STAT_DEFER, "5.2.2 class fixed to the status");
    cr_assert_str_eq(vstr_str(r.dsn), "4.2.2");
    local_result_free(&r);
}
