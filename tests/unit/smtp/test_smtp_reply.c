/*
 * test_smtp_reply.c - the SMTP client's reply parser against good and
 * hostile replies: codes, separators, enhanced status codes, line and
 * count bounds, code changes, control characters, timeouts and EOF.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "smtp_reply.h"
#include "vstr.h"
#include "vstream.h"

struct reply_case {
    const char *input;
    int     rc;
    int     code;
    const char *dsn;
    const char *text;
};

static const struct reply_case reply_cases[] = {
    {"250 ok\r\n", SMTP_REPLY_DONE, 250, "", "ok"},
    {"250\r\n", SMTP_REPLY_DONE, 250, "", ""},
    {"550 5.1.1 no such user\r\n", SMTP_REPLY_DONE, 550, "5.1.1", "no such user"},
    {"250-a\r\n250-b\r\n250 c\r\n", SMTP_REPLY_DONE, 250, "", "a b c"},
    {"451 4.7.1 try later\n", SMTP_REPLY_DONE, 451, "4.7.1", "try later"},
    {"550 4.1.1 class mismatch\r\n", SMTP_REPLY_DONE, 550, "", "4.1.1 class mismatch"},
    {"550 5.1234.1 too many digits\r\n", SMTP_REPLY_DONE, 550, "", "5.1234.1 too many digits"},
    {"354 go ahead\r\n", SMTP_REPLY_DONE, 354, "", "go ahead"},
    {"550 a\rb\x01\x7f\xff\r\n", SMTP_REPLY_DONE, 550, "", "a?b???"},
    {"553-\r\n553\r\n", SMTP_REPLY_DONE, 553, "", ""},
    {"553\r\ntype: mda\r\n", SMTP_REPLY_DONE, 553, "", ""},
    {"250-ok\r\n550 no\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"250ok\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"250-x\r\n251 y\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"25 short\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"2500 ok\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"650 bad class\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"190 bad class\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"2x0 ok\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"250_ok\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"", SMTP_REPLY_BAD, 0, 0, 0},
    {"250-never ends\r\n", SMTP_REPLY_BAD, 0, 0, 0},
    {"250 no newline", SMTP_REPLY_BAD, 0, 0, 0},
    {"\r\n", SMTP_REPLY_BAD, 0, 0, 0},
};

/* run_case - parse one input from a memory stream */

static int
run_case(const char *input, size_t len, struct smtp_reply *rp,
	         struct vstr *why)
{
    struct vstream *fp = vstream_memopen(input, len);
    int     rc;

    rc = smtp_reply_read(fp, rp, why);
    vstream_free(fp);
    return (rc);
}

Test(smtp_reply, table)
{
    struct smtp_reply r;
    struct vstr *why = vstr_alloc(10);
    size_t  n;
    int     rc;

    smtp_reply_init(&r);
    for (n = 0; n < sizeof(reply_cases) / sizeof(reply_cases[0]); n++) {
	const struct reply_case *c = reply_cases + n;

	rc = run_case(c->input, strlen(c->input), &r, why);
	cr_assert_eq(rc, c->rc, "case %zu (%s): rc %d", n, c->input, rc);
	if (rc != SMTP_REPLY_DONE)
	    continue;
	cr_assert_eq(r.code, c->code, "case %zu", n);
	cr_assert_str_eq(r.dsn, c->dsn, "case %zu", n);
	cr_assert_str_eq(vstr_str(r.text), c->text, "case %zu", n);
    }
    smtp_reply_free(&r);
    vstr_free(why);
}

Test(smtp_reply, long_line_rejected)
{
    struct smtp_reply r;
    struct vstr *why = vstr_alloc(10);
    struct vstr *in = vstr_alloc(10000);
    size_t  n;

    vstr_strcpy(in, "250 ");
    for (n = 0; n < 5000; n++)
	vstr_addch(in, 'x');
    vstr_strcat(in, "\r\n");
    smtp_reply_init(&r);
    cr_assert_eq(run_case(vstr_str(in), vstr_len(in), &r, why), SMTP_REPLY_BAD);
    cr_assert(strstr(vstr_str(why), "too long"));
    smtp_reply_free(&r);
    vstr_free(in);
    vstr_free(why);
}

Test(smtp_reply, many_lines_rejected)
{
    struct smtp_reply r;
    struct vstr *why = vstr_alloc(10);
    struct vstr *in = vstr_alloc(100000);
    size_t  n;

    for (n = 0; n < 10000; n++)
	vstr_strcat(in, "250-more\r\n");
    vstr_strcat(in, "250 end\r\n");
    smtp_reply_init(&r);
    cr_assert_eq(run_case(vstr_str(in), vstr_len(in), &r, why), SMTP_REPLY_BAD);
    cr_assert(strstr(vstr_str(why), "too many"));
    cr_assert_leq(r.lines->argc, SMTP_REPLY_LINES_MAX);
    smtp_reply_free(&r);
    vstr_free(in);
    vstr_free(why);
}

Test(smtp_reply, text_bounded)
{
    struct smtp_reply r;
    struct vstr *why = vstr_alloc(10);
    struct vstr *in = vstr_alloc(100000);
    size_t  n, k;

    for (n = 0; n < 60; n++) {
	vstr_strcat(in, "550-");
	for (k = 0; k < 1000; k++)
	    vstr_addch(in, 'y');
	vstr_strcat(in, "\r\n");
    }
    vstr_strcat(in, "550 end\r\n");
    smtp_reply_init(&r);
    cr_assert_eq(run_case(vstr_str(in), vstr_len(in), &r, why), SMTP_REPLY_DONE);
    cr_assert_leq(vstr_len(r.text), SMTP_REPLY_TEXT_MAX + 3);
    cr_assert_eq(r.lines->argc, 61);
    smtp_reply_free(&r);
    vstr_free(in);
    vstr_free(why);
}

Test(smtp_reply, ehlo_lines)
{
    struct smtp_reply r;
    struct vstr *why = vstr_alloc(10);
    const char *in = "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n";

    smtp_reply_init(&r);
    cr_assert_eq(run_case(in, strlen(in), &r, why), SMTP_REPLY_DONE);
    cr_assert_eq(r.lines->argc, 4);
    cr_assert_str_eq(r.lines->argv[2], "SIZE 1000");
    /* A second reply replaces the first. */
    cr_assert_eq(run_case("221 bye\r\n", 9, &r, why), SMTP_REPLY_DONE);
    cr_assert_eq(r.lines->argc, 1);
    cr_assert_eq(r.code, 221);
    smtp_reply_free(&r);
    vstr_free(why);
}
