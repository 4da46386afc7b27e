/*
 * test_queue_list.c - `postern queue` on a hand-made queue tree: the
 * mailq text and the JSON lines compared byte for byte with golden
 * strings (queue marks, null sender, done recipients skipped, delay
 * reasons grouped as Postfix does), hostile bytes in addresses and
 * reasons, damaged queue files and logs listed without stopping the
 * listing, and the JSON string escaper on every kind of byte.
 */
#include "atest.h"

TestSuite(queue_list, .init = at_setup, .fini = at_teardown);

static const char *const one_bob[] = {"bob@example.com", 0};
static const char *const one_carol[] = {"carol@example.com", 0};
static const char *const one_frank[] = {"frank@example.com", 0};
static const char *const five[] = {"r1@a.example", "r2@a.example",
"r3@b.example", "r4@c.example", "r5@c.example", 0};

#define REFUSED "connect to a.example[192.0.2.1]:25: Connection refused"

static const char *const five_log[] = {
    "r1@a.example", REFUSED,
    "r2@a.example", REFUSED,
    "r3@b.example", "already delivered, must not show",
    "r5@c.example", "mail transport unavailable",
};

/* list - run cmd_queue_list; the output */

static struct vstr *
list(int json)
{
    struct vstr *out = vstr_alloc(1000);
    struct vstr *why = vstr_alloc(10);
    struct vstream *fp = vstream_vstropen(out);

    cr_assert_eq(cmd_queue_list(at_qdir, json, fp, why), 0, "%s",
		 vstr_str(why));
    cr_assert_eq(vstream_close(fp), 0);
    vstr_free(why);
    return (out);
}

/* four - one message in each of incoming, active, deferred, hold */

static void
four(char **id)
{
    id[0] = at_msg(MAIL_QUEUE_INCOMING, 1606646496L, "alice@example.com",
		   one_bob, 0);
    id[1] = at_msg(MAIL_QUEUE_ACTIVE, 1604188800L, "", one_carol, 0);
    id[2] = at_msg(MAIL_QUEUE_DEFERRED, 1606646400L, "dave@example.com",
		   five, 1u << 2);
    at_defer_log(id[2], five_log, 4);
    id[3] = at_msg(MAIL_QUEUE_HOLD, 1606646496L, "eve@example.com",
		   one_frank, 0);
}

static const char golden_text[] =
"----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------\n"
"%-17s       18 Sun Nov 29 10:41:36 alice@example.com\n"
"                                               bob@example.com\n"
"\n"
"%-17s       18 Sun Nov  1 00:00:00 MAILER-DAEMON\n"
"                                               carol@example.com\n"
"\n"
"%-17s       18 Sun Nov 29 10:40:00 dave@example.com\n"
"                      (connect to a.example[192.0.2.1]:25: Connection refused)\n"
"                                               r1@a.example\n"
"                                               r2@a.example\n"
"                                                          (reason unavailable)\n"
"                                               r4@c.example\n"
"                                                  (mail transport unavailable)\n"
"                                               r5@c.example\n"
"\n"
"%-17s       18 Sun Nov 29 10:41:36 eve@example.com\n"
"                                               frank@example.com\n"
"\n"
"-- 0 Kbytes in 4 Requests.\n";

Test(queue_list, text_golden)
{
    struct vstr *exp = vstr_alloc(2000);
    struct vstr *a = vstr_alloc(30);
    struct vstr *h = vstr_alloc(30);
    struct vstr *got;
    char   *id[4];
    int     i;

    four(id);
    vstr_sprintf(a, "%s*", id[1]);
    vstr_sprintf(h, "%s!", id[3]);
    vstr_sprintf(exp, golden_text, id[0], vstr_str(a), id[2], vstr_str(h));
    got = list(0);
    cr_assert_str_eq(vstr_str(got), vstr_str(exp));
    for (i = 0; i < 4; i++)
	myfree(id[i]);
    vstr_free(got);
    vstr_free(exp);
    vstr_free(a);
    vstr_free(h);
}

static const char golden_json[] =
"{\"queue_name\": \"incoming\", \"queue_id\": \"%s\", \"arrival_time\": 1606646496,"
" \"message_size\": 18, \"sender\": \"alice@example.com\", \"recipients\":"
" [{\"address\": \"bob@example.com\"}]}\n"
"{\"queue_name\": \"active\", \"queue_id\": \"%s\", \"arrival_time\": 1604188800,"
" \"message_size\": 18, \"sender\": \"\", \"recipients\":"
" [{\"address\": \"carol@example.com\"}]}\n"
"{\"queue_name\": \"deferred\", \"queue_id\": \"%s\", \"arrival_time\": 1606646400,"
" \"message_size\": 18, \"sender\": \"dave@example.com\", \"recipients\":"
" [{\"address\": \"r1@a.example\", \"delay_reason\": \"" REFUSED "\"},"
" {\"address\": \"r2@a.example\", \"delay_reason\": \"" REFUSED "\"},"
" {\"address\": \"r4@c.example\"},"
" {\"address\": \"r5@c.example\", \"delay_reason\": \"mail transport unavailable\"}]}\n"
"{\"queue_name\": \"hold\", \"queue_id\": \"%s\", \"arrival_time\": 1606646496,"
" \"message_size\": 18, \"sender\": \"eve@example.com\", \"recipients\":"
" [{\"address\": \"frank@example.com\"}]}\n";

Test(queue_list, json_golden)
{
    struct vstr *exp = vstr_alloc(2000);
    struct vstr *got;
    char   *id[4];
    int     i;

    four(id);
    vstr_sprintf(exp, golden_json, id[0], id[1], id[2], id[3]);
    got = list(1);
    cr_assert_str_eq(vstr_str(got), vstr_str(exp));
    for (i = 0; i < 4; i++)
	myfree(id[i]);
    vstr_free(got);
    vstr_free(exp);
}

Test(queue_list, empty_queue)
{
    struct vstr *got = list(0);

    cr_assert_str_eq(vstr_str(got), "Mail queue is empty\n");
    vstr_free(got);
    got = list(1);
    cr_assert_str_eq(vstr_str(got), "");
    vstr_free(got);
}

Test(queue_list, sorted_by_id_and_total_size)
{
    struct vstr *got;
    char   *id[3];
    char   *p0;
    char   *p1;
    char   *p2;
    int     i;

    for (i = 0; i < 3; i++)
	id[i] = at_msg(MAIL_QUEUE_INCOMING, 1606646496L + i, "a@b", one_bob, 0);
    cr_assert_lt(strcmp(id[0], id[1]), 0);
    cr_assert_lt(strcmp(id[1], id[2]), 0);
    got = list(0);
    p0 = strstr(vstr_str(got), id[0]);
    p1 = strstr(vstr_str(got), id[1]);
    p2 = strstr(vstr_str(got), id[2]);
    cr_assert(p0 && p1 && p2 && p0 < p1 && p1 < p2, "%s", vstr_str(got));
    cr_assert_not_null(strstr(vstr_str(got), "\n-- 0 Kbytes in 3 Requests.\n"));
    for (i = 0; i < 3; i++)
	myfree(id[i]);
    vstr_free(got);
}

 /*
  * Hostile bytes: quotes and backslashes, invalid UTF-8 (a lone 0xff, an
  * overlong '/'), valid UTF-8, and in the reason (which the queue file
  * reader does not restrict) newlines, ESC, DEL, a C1 control and
  * U+2028.
  */
#define EVIL_SENDER	"q\"uo\\te\xff\xc3\xa9@example.com"
#define EVIL_RCPT	"x\xc0\xafy@example.com"
#define EVIL_REASON	"line1\nline2\r\t\x1b[31mred\x7f\xc2\x85\xe2\x80\xa8\xff end"

Test(queue_list, hostile_strings)
{
    static const char *const rcpts[] = {EVIL_RCPT, 0};
    static const char *const log[] = {EVIL_RCPT, EVIL_REASON};
    struct vstr *exp = vstr_alloc(500);
    struct vstr *got;
    char   *id;

    id = at_msg(MAIL_QUEUE_DEFERRED, 1606646496L, EVIL_SENDER, rcpts, 0);
    at_defer_log(id, log, 1);
    got = list(1);
    vstr_sprintf(exp, "{\"queue_name\": \"deferred\", \"queue_id\": \"%s\","
		 " \"arrival_time\": 1606646496, \"message_size\": 18,"
		 " \"sender\": \"q\\\"uo\\\\te\\ufffd\xc3\xa9@example.com\","
		 " \"recipients\": [{\"address\": \"x\\ufffd\\ufffdy@example.com\","
		 " \"delay_reason\": \"line1\\nline2\\r\\t\\u001b[31mred\\u007f"
		 "\\u0085\\u2028\\ufffd end\"}]}\n", id);
    cr_assert_str_eq(vstr_str(got), vstr_str(exp));
    vstr_free(got);

    got = list(0);
    cr_assert_not_null(strstr(vstr_str(got), " q\"uo\\te?\xc3\xa9@example.com\n"),
		       "%s", vstr_str(got));
    cr_assert_not_null(strstr(vstr_str(got), " x??y@example.com\n"));
    cr_assert_not_null(strstr(vstr_str(got),
			"(line1?line2???[31mred??\xe2\x80\xa8? end)\n"),
		       "%s", vstr_str(got));
    cr_assert_null(strchr(vstr_str(got), '\x1b'));
    cr_assert_null(strchr(vstr_str(got), '\r'));
    myfree(id);
    vstr_free(got);
    vstr_free(exp);
}

/* id_at - a deterministic queue ID for a hand-made file */

static char *
id_at(long when, unsigned long long inum)
{
    struct vstr *id = vstr_alloc(30);
    struct timeval tv = {when, 0};

    cr_assert_eq(mail_queue_id_make(id, &tv, inum), 0);
    return (vstr_export(id));
}

Test(queue_list, damaged_files_listed_not_fatal)
{
    struct vstr *got;
    struct vstr *exp = vstr_alloc(200);
    struct vstr *mark = vstr_alloc(30);
    char   *good;
    char   *junk = id_at(1606646496L, 100);
    char   *link = id_at(1606646497L, 101);
    char   *dir = id_at(1606646498L, 102);
    char    tmp[200];

    good = at_msg(MAIL_QUEUE_DEFERRED, 1606646496L, "ok@example.com",
		  one_bob, 0);
    at_write_file(at_path(MAIL_QUEUE_INCOMING, junk), "garbage\n", 8);
    cr_assert_eq(symlink("/etc/passwd", at_path(MAIL_QUEUE_ACTIVE, link)), 0);
    cr_assert_eq(mkdir(at_path(MAIL_QUEUE_HOLD, dir), 0700), 0);
    (void) snprintf(tmp, sizeof(tmp), "%s/incoming/0/tmp.1.2.3", at_qdir);
    at_write_file(tmp, "x", 1);			/* being written: skipped */
    (void) snprintf(tmp, sizeof(tmp), "%s/incoming/0/not-an-id", at_qdir);
    at_write_file(tmp, "x", 1);
    /* A damaged deferred-reason log only loses the reasons. */
    at_write_file(at_path(MAIL_QUEUE_DEFER, good), "\003\011recipient\377", 12);

    got = list(0);
    vstr_sprintf(exp, "\n%-17s        - Sun Nov 29 10:41:36 (damaged queue"
		 " file: ", junk);
    cr_assert_not_null(strstr(vstr_str(got), vstr_str(exp)), "%s",
		       vstr_str(got));
    vstr_sprintf(mark, "%s*", link);
    vstr_sprintf(exp, "\n%-17s        - Sun Nov 29 10:41:37 (damaged queue"
		 " file: not a regular file)\n", vstr_str(mark));
    cr_assert_not_null(strstr(vstr_str(got), vstr_str(exp)), "%s",
		       vstr_str(got));
    vstr_sprintf(exp, "%-17s       18 Sun Nov 29 10:41:36 ok@example.com\n%47s"
		 "bob@example.com\n\n", good, "");
    cr_assert_not_null(strstr(vstr_str(got), vstr_str(exp)), "%s",
		       vstr_str(got));
    cr_assert_not_null(strstr(vstr_str(got), "!"));
    cr_assert_null(strstr(vstr_str(got), "tmp.1.2.3"));
    cr_assert_null(strstr(vstr_str(got), "not-an-id"));
    cr_assert_not_null(strstr(vstr_str(got), "\n-- 0 Kbytes in 4 Requests.\n"));
    vstr_free(got);

    got = list(1);
    vstr_sprintf(exp, "{\"queue_name\": \"active\", \"queue_id\": \"%s\","
		 " \"arrival_time\": 1606646497, \"message_size\": 0,"
		 " \"sender\": \"\", \"recipients\": [], \"error\":"
		 " \"not a regular file\"}\n", link);
    cr_assert_not_null(strstr(vstr_str(got), vstr_str(exp)), "%s",
		       vstr_str(got));
    vstr_sprintf(exp, "\"queue_id\": \"%s\", \"arrival_time\": 1606646496,"
		 " \"message_size\": 18, \"sender\": \"ok@example.com\","
		 " \"recipients\": [{\"address\": \"bob@example.com\"}]}\n", good);
    cr_assert_not_null(strstr(vstr_str(got), vstr_str(exp)), "%s",
		       vstr_str(got));
    myfree(good);
    myfree(junk);
    myfree(link);
    myfree(dir);
    vstr_free(got);
    vstr_free(exp);
    vstr_free(mark);
}

Test(queue_list, symlinked_hash_directory_skipped)
{
    struct vstr *got;
    char    path[200];
    char    target[200];
    char   *id;

    /* hold/H -> incoming/H: the same file must not show up twice. */
    id = at_msg(MAIL_QUEUE_INCOMING, 1606646496L, "a@b", one_bob, 0);
    (void) snprintf(path, sizeof(path), "%s/hold/%c", at_qdir,
		    id[MAIL_QUEUE_HASH_POS]);
    (void) snprintf(target, sizeof(target), "%s/incoming/%c", at_qdir,
		    id[MAIL_QUEUE_HASH_POS]);
    cr_assert_eq(rmdir(path), 0);
    cr_assert_eq(symlink(target, path), 0);
    got = list(0);
    cr_assert_not_null(strstr(vstr_str(got), "in 1 Request."), "%s",
		       vstr_str(got));
    cr_assert_null(strstr(vstr_str(got), "!"), "%s", vstr_str(got));
    myfree(id);
    vstr_free(got);
}

 /*
  * The JSON quoter alone: a table of inputs, then every byte value.
  */
struct quote_case {
    const char *in;
    size_t  len;
    const char *out;
};

#define QC(in, out)	{in, sizeof(in) - 1, out}

static const struct quote_case quote_cases[] = {
    QC("plain@example.com", "plain@example.com"),
    QC("a\"b\\c/d", "a\\\"b\\\\c/d"),
    QC("\x01\x1f\x7f", "\\u0001\\u001f\\u007f"),
    QC("nul:\0:", "nul:\\u0000:"),
    QC("\b\f", "\\u0008\\u000c"),
    QC("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
    QC("\xff", "\\ufffd"),
    QC("\xc0\xaf", "\\ufffd\\ufffd"),		/* overlong '/' */
    QC("\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd"),	/* overlong */
    QC("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"),	/* surrogate */
    QC("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"),	/* > U+10FFFF */
    QC("\xe2\x82", "\\ufffd\\ufffd"),		/* truncated at the end */
    QC("\xe2\x82x", "\\ufffd\\ufffdx"),
    QC("\xc2\x85", "\\u0085"),			/* C1 control */
    QC("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029"),
};

Test(json_quote, table)
{
    struct vstr *out = vstr_alloc(10);
    size_t  i;

    for (i = 0; i < ARRAY_LEN(quote_cases); i++) {
	vstr_reset(out);
	cmd_queue_json_quote(out, quote_cases[i].in, quote_cases[i].len);
	cr_assert_str_eq(vstr_str(out), quote_cases[i].out, "case %zu", i);
    }
    vstr_free(out);
}

Test(json_quote, every_byte_is_safe)
{
    struct vstr *out = vstr_alloc(10);
    unsigned char buf[3];
    size_t  i;
    int     a;
    int     b;

    for (a = 0; a < 256; a++) {
	for (b = 0; b < 256; b += 17) {
	    buf[0] = (unsigned char) a;
	    buf[1] = (unsigned char) b;
	    buf[2] = '"';
	    vstr_reset(out);
	    cmd_queue_json_quote(out, (char *) buf, 3);
	    for (i = 0; i < vstr_len(out); i++) {
		unsigned char c = (unsigned char) vstr_str(out)[i];

		cr_assert(c >= 0x20 && c != 0x7f, "raw control %d for %d,%d", c, a, b);
		if (c == '"')
		    cr_assert(i > 0 && vstr_str(out)[i - 1] == '\\');
	    }
	}
    }
    vstr_free(out);
}

Test(json_quote, printable_text)
{
    struct vstr *out = vstr_alloc(10);

    cmd_queue_printable(out, "a\x1b[2J\x7f\xc2\x9b\xc3\xa9\xff\n");
    cr_assert_str_eq(vstr_str(out), "a?[2J??\xc3\xa9??");
    vstr_free(out);
}

 /*
  * The deferred-reason log alone: good entries, unknown recipients,
  * trailing junk, an unexpected attribute, a huge file, a symlink.
  */
static int
reasons(const char *id, struct queue_scan_msg *msg)
{
    struct vstr *why = vstr_alloc(10);
    int     dfd;
    int     ret;

    cr_assert((dfd = queue_scan_dir(at_qdir, MAIL_QUEUE_DEFERRED, id)) >= 0);
    cr_assert_eq(queue_scan_load(at_qdir, dfd, id, msg), QUEUE_SCAN_OK, "%s",
		 vstr_str(msg->error));
    (void) close(dfd);
    ret = queue_scan_reasons(at_qdir, id, msg, why);
    vstr_free(why);
    return (ret);
}

Test(queue_list, deferred_reason_log_hostile)
{
    static const char *const two[] = {"a@x", "b@x", 0};
    static const char *const log[] = {"nobody@x", "ignored", "b@x", "why b"};
    struct queue_scan_msg msg;
    struct vstream *fp;
    char   *id;
    int     fd;

    queue_scan_msg_init(&msg);
    id = at_msg(MAIL_QUEUE_DEFERRED, 1606646496L, "s@x", two, 0);

    at_defer_log(id, log, 2);
    cr_assert_eq(reasons(id, &msg), 0);
    cr_assert_null(msg.reason[0]);
    cr_assert_str_eq(msg.reason[1], "why b");

    /* One stray byte after the last list: all reasons dropped. */
    fd = open(at_path(MAIL_QUEUE_DEFER, id), O_WRONLY | O_APPEND);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "\003", 1), 1);
    (void) close(fd);
    cr_assert_eq(reasons(id, &msg), -1);
    cr_assert_null(msg.reason[1]);

    /* An attribute that the contract does not have. */
    fd = open(at_path(MAIL_QUEUE_DEFER, id), O_WRONLY | O_TRUNC);
    fp = vstream_fdopen(fd, VSTREAM_WRITE);
    cr_assert_eq(attr_print(fp, ATTR_FLAG_NONE,
			    SEND_ATTR_STR(MAIL_ATTR_RECIP, "b@x"),
			    SEND_ATTR_STR(MAIL_ATTR_ORCPT, ""),
			    SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, "4.0.0"),
			    SEND_ATTR_STR(MAIL_ATTR_WHY, "x"),
			    SEND_ATTR_LONG(MAIL_ATTR_TIME, 1L),
			    SEND_ATTR_STR("extra", "y"), ATTR_TYPE_END), 0);
    cr_assert_eq(vstream_close(fp), 0);
    cr_assert_eq(reasons(id, &msg), -1);
    cr_assert_null(msg.reason[1]);

    /* Larger than QUEUE_SCAN_DEFER_MAX (sparse): refused unread. */
    at_defer_log(id, log, 2);
    cr_assert_eq(truncate(at_path(MAIL_QUEUE_DEFER, id),
			  QUEUE_SCAN_DEFER_MAX + 1), 0);
    cr_assert_eq(reasons(id, &msg), -1);

    /* A symbolic link is not followed. */
    cr_assert_eq(unlink(at_path(MAIL_QUEUE_DEFER, id)), 0);
    cr_assert_eq(symlink("/etc/passwd", at_path(MAIL_QUEUE_DEFER, id)), 0);
    cr_assert_eq(reasons(id, &msg), -1);

    /* No log at all: no reasons, no error. */
    cr_assert_eq(unlink(at_path(MAIL_QUEUE_DEFER, id)), 0);
    cr_assert_eq(reasons(id, &msg), 0);
    cr_assert_null(msg.reason[0]);
    queue_scan_msg_free(&msg);
    myfree(id);
}
