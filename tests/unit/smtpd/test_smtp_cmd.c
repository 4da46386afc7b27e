/*
 * test_smtp_cmd.c - SMTP command parsing (util/smtp_cmd.c): the command
 * line check (NUL, bare CR, controls), the verb split, MAIL and RCPT with
 * every ESMTP parameter and the SECURITY-CASES C3/D2 edge cases (xtext
 * newline injection, repeated and unknown keywords, SIZE overflow), BDAT
 * arguments, and xtext decoding.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "smtp_cmd.h"

struct mail_case {
    const char *args;
    int     flags;
    int     code;			/* 0 or the SMTP reply code */
    const char *reply_prefix;		/* expected start of reply */
    const char *sender;
    long long size;
    int     body;
    int     utf8;
    int     ret;
    const char *envid;			/* NULL: absent */
};

static const struct mail_case mail_cases[] = {
    {"FROM:<>", 0, 0, 0, "", -1, 0, 0, 0, 0},
    {"FROM:<a@b.example>", 0, 0, 0, "a@b.example", -1, 0, 0, 0, 0},
    {"from:<a@b.example>", 0, 0, 0, "a@b.example", -1, 0, 0, 0, 0},
    {"FROM: <a@b.example>", 0, 0, 0, "a@b.example", -1, 0, 0, 0, 0},
    {"FROM: <a@b.example>", SMTP_CMD_FLAG_STRICT, 501, "501 5.1.7", 0, 0, 0, 0, 0, 0},
    {"FROM:a@b.example", 0, 501, "501 5.1.7", 0, 0, 0, 0, 0, 0},
    {"FROM:<<>>", 0, 501, "501 5.1.7", 0, 0, 0, 0, 0, 0},
    {"TO:<a@b.example>", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE=1000 BODY=8BITMIME RET=HDRS ENVID=QQ+2Bx",
    0, 0, 0, "a@b.example", 1000, SMTP_BODY_8BITMIME, 0, SMTP_RET_HDRS, "QQ+x"},
    {"FROM:<a@b.example> body=7bit ret=full", 0, 0, 0, "a@b.example", -1,
    SMTP_BODY_7BIT, 0, SMTP_RET_FULL, 0},
    {"FROM:<a@b.example>  SIZE=5 ", 0, 0, 0, "a@b.example", 5, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE=0", 0, 0, 0, "a@b.example", 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE=99999999999999999999", 0, 0, 0, "a@b.example",
    SMTP_CMD_SIZE_HUGE, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE=13052984374609080095", 0, 0, 0, "a@b.example",
    SMTP_CMD_SIZE_HUGE, 0, 0, 0, 0},			/* fuzz: no overflow */
    {"FROM:<a@b.example> SIZE=-1", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE=", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE=1x", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example>SIZE=1", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> SIZE=1 SIZE=2", 0, 555, "555 5.5.4 Repeated", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> BODY=8BITMIME BODY=7BIT", 0, 555, "555 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> BODY=BINARYMIME", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> FOO=bar", 0, 555, "555 5.5.4 Unsupported option: FOO", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> =", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> A=\"", 0, 555, "555 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> \"=x", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> -X=1", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> X==1", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> RET=ALL", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> SMTPUTF8=yes", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    /* C3: xtext-encoded newlines are refused after decoding. */
    {"FROM:<a@b.example> ENVID=abc+0Adef", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> ENVID=abc+0D", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> ENVID=abc+00", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> ENVID=abc+0", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> ENVID=abc+zz", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> AUTH=x+0A-injected_line", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:<a@b.example> AUTH=<>", 0, 0, 0, "a@b.example", -1, 0, 0, 0, 0},
    {"FROM:<a@b.example> AUTH=u+2Bx@b.example", 0, 0, 0, "a@b.example", -1, 0, 0, 0, 0},
    /* UTF-8 needs SMTPUTF8. */
    {"FROM:<j\xc3\xb6rg@x.example>", 0, 553, "553 5.6.7", 0, 0, 0, 0, 0, 0},
    {"FROM:<j\xc3\xb6rg@x.example> SMTPUTF8", 0, 0, 0, "j\xc3\xb6rg@x.example",
    -1, 0, 1, 0, 0},
    {"FROM:<a@b.example> SMTPUTF8 smtputf8", 0, 555, "555 5.5.4", 0, 0, 0, 0, 0, 0},
    {"FROM:", 0, 501, "501 5.1.7", 0, 0, 0, 0, 0, 0},
    {"", 0, 501, "501 5.5.4", 0, 0, 0, 0, 0, 0},
};

Test(smtp_cmd, mail_table)
{
    const struct mail_case *cp;
    struct smtp_mail_args ma;
    struct vstr *reply = vstr_alloc(10);
    int     code;

    for (cp = mail_cases; cp < mail_cases + sizeof(mail_cases) / sizeof(mail_cases[0]); cp++) {
	smtp_mail_args_init(&ma);
	vstr_reset(reply);
	code = smtp_cmd_mail(cp->args, cp->flags, &ma, reply);
	cr_assert_eq(code, cp->code, "\"%s\": code %d (%s)", cp->args, code,
		     vstr_str(reply));
	if (code) {
	    cr_assert(strncmp(vstr_str(reply), cp->reply_prefix,
			      strlen(cp->reply_prefix)) == 0,
		      "\"%s\": reply \"%s\"", cp->args, vstr_str(reply));
	    cr_assert(strchr(vstr_str(reply), '\n') == 0);
	} else {
	    cr_assert_str_eq(vstr_str(ma.sender), cp->sender, "\"%s\"", cp->args);
	    cr_assert_eq(ma.size, cp->size, "\"%s\": size %lld", cp->args, ma.size);
	    cr_assert_eq(ma.body, cp->body, "\"%s\"", cp->args);
	    cr_assert_eq(ma.smtputf8, cp->utf8, "\"%s\"", cp->args);
	    cr_assert_eq(ma.ret, cp->ret, "\"%s\"", cp->args);
	    cr_assert_eq(ma.has_envid, cp->envid != 0, "\"%s\"", cp->args);
	    if (cp->envid)
		cr_assert_str_eq(vstr_str(ma.envid), cp->envid);
	}
	smtp_mail_args_free(&ma);
    }
    vstr_free(reply);
}

struct rcpt_case {
    const char *args;
    int     flags;
    int     code;
    const char *rcpt;
    int     notify;
    const char *orcpt;
};

static const struct rcpt_case rcpt_cases[] = {
    {"TO:<u@our.example>", 0, 0, "u@our.example", 0, ""},
    {"to:<postmaster>", 0, 0, "postmaster", 0, ""},
    {"TO:<>", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> NOTIFY=SUCCESS,FAILURE,DELAY", 0, 0, "u@our.example",
    SMTP_NOTIFY_SUCCESS | SMTP_NOTIFY_FAILURE | SMTP_NOTIFY_DELAY, ""},
    {"TO:<u@our.example> NOTIFY=never", 0, 0, "u@our.example", SMTP_NOTIFY_NEVER, ""},
    {"TO:<u@our.example> NOTIFY=NEVER,SUCCESS", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> NOTIFY=SUCCESS,", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> NOTIFY=,", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> NOTIFY=BOGUS", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> ORCPT=rfc822;u+2Bx@our.example", 0, 0, "u@our.example",
    0, "rfc822;u+x@our.example"},
    {"TO:<u@our.example> ORCPT=RFC822;a@b", 0, 0, "u@our.example", 0, "rfc822;a@b"},
    {"TO:<u@our.example> NOTIFY=FAILURE ORCPT=rfc822;x+0Ay+0D+0Az", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> ORCPT=x400;abc", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> ORCPT=rfc822;", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> ORCPT=rfc822", 0, 501, 0, 0, 0},
    {"TO:<u@our.example> ORCPT=rfc822;a ORCPT=rfc822;b", 0, 555, 0, 0, 0},
    {"TO:<u@our.example> SIZE=10", 0, 555, 0, 0, 0},
    {"TO:<\"a\\\"b\"@our.example>", 0, 0, "\"a\\\"b\"@our.example", 0, ""},
    {"TO:<\"unterminated@our.example>", 0, 501, 0, 0, 0},
    {"TO:<@a,@b:u@our.example>", 0, 0, "u@our.example", 0, ""},
    {"TO:<j\xc3\xb6rg@our.example>", 0, 553, 0, 0, 0},
    {"TO:<j\xc3\xb6rg@our.example>", SMTP_CMD_FLAG_UTF8, 0, "j\xc3\xb6rg@our.example", 0, ""},
};

Test(smtp_cmd, rcpt_table)
{
    const struct rcpt_case *cp;
    struct smtp_rcpt_args ra;
    struct vstr *reply = vstr_alloc(10);
    int     code;

    for (cp = rcpt_cases; cp < rcpt_cases + sizeof(rcpt_cases) / sizeof(rcpt_cases[0]); cp++) {
	smtp_rcpt_args_init(&ra);
	code = smtp_cmd_rcpt(cp->args, cp->flags, &ra, reply);
	cr_assert_eq(code, cp->code, "\"%s\": code %d (%s)", cp->args, code,
		     vstr_str(reply));
	if (code == 0) {
	    cr_assert_str_eq(vstr_str(ra.rcpt), cp->rcpt);
	    cr_assert_eq(ra.notify, cp->notify, "\"%s\"", cp->args);
	    cr_assert_str_eq(vstr_str(ra.orcpt), cp->orcpt, "\"%s\"", cp->args);
	}
	smtp_rcpt_args_free(&ra);
    }
    vstr_free(reply);
}

Test(smtp_cmd, orcpt_and_envid_length_caps)
{
    struct smtp_rcpt_args ra;
    struct smtp_mail_args ma;
    struct vstr *reply = vstr_alloc(10);
    char    buf[11000];

    /* ORCPT: "rfc822;" + 493 = 500 ok, 494 too long, 10000 too long. */
    strcpy(buf, "TO:<u@x> ORCPT=rfc822;");
    memset(buf + strlen(buf), 'a', 493);
    buf[22 + 493] = 0;
    smtp_rcpt_args_init(&ra);
    cr_assert_eq(smtp_cmd_rcpt(buf, 0, &ra, reply), 0);
    cr_assert_eq(vstr_len(ra.orcpt), 500);
    strcat(buf, "a");
    cr_assert_eq(smtp_cmd_rcpt(buf, 0, &ra, reply), 501);
    memset(buf + 22, 'a', 10000);
    buf[22 + 10000] = 0;
    cr_assert_eq(smtp_cmd_rcpt(buf, 0, &ra, reply), 501);
    smtp_rcpt_args_free(&ra);

    /* ENVID: 100 ok, 101 too long. */
    strcpy(buf, "FROM:<> ENVID=");
    memset(buf + 14, 'e', 100);
    buf[114] = 0;
    smtp_mail_args_init(&ma);
    cr_assert_eq(smtp_cmd_mail(buf, 0, &ma, reply), 0);
    smtp_mail_args_free(&ma);
    strcat(buf, "e");
    smtp_mail_args_init(&ma);
    cr_assert_eq(smtp_cmd_mail(buf, 0, &ma, reply), 501);
    smtp_mail_args_free(&ma);
    vstr_free(reply);
}

Test(smtp_cmd, command_line_check)
{
    struct vstr *line = vstr_alloc(10);
    struct vstr *reply = vstr_alloc(10);

    vstr_strcpy(line, "NOOP\r\n");
    cr_assert_eq(smtp_cmd_line(line, reply), 0);
    cr_assert_str_eq(vstr_str(line), "NOOP");
    vstr_strcpy(line, "NOOP\n");
    cr_assert_eq(smtp_cmd_line(line, reply), 0);
    cr_assert_str_eq(vstr_str(line), "NOOP");
    vstr_strcpy(line, "EHLO foo\rX-Injected: 1\r\n");
    cr_assert_eq(smtp_cmd_line(line, reply), 500);
    cr_assert(strncmp(vstr_str(reply), "500 5.5.2", 9) == 0);
    vstr_memcpy(line, "EHLO a\0b\r\n", 10);
    cr_assert_eq(smtp_cmd_line(line, reply), 500);
    cr_assert(strstr(vstr_str(reply), "NUL") != 0);
    vstr_memcpy(line, "MAIL FROM:<a@b.example>\0<root@localhost>\r\n", 43);
    cr_assert_eq(smtp_cmd_line(line, reply), 500);
    vstr_strcpy(line, "NOOP\r\r\n");
    cr_assert_eq(smtp_cmd_line(line, reply), 500);
    vstr_strcpy(line, "NO\tOP\r\n");
    cr_assert_eq(smtp_cmd_line(line, reply), 500);
    vstr_strcpy(line, "HELO \x7f\r\n");
    cr_assert_eq(smtp_cmd_line(line, reply), 500);
    vstr_strcpy(line, "HELO h\xc3\xa9\r\n");
    cr_assert_eq(smtp_cmd_line(line, reply), 0);
    vstr_free(line);
    vstr_free(reply);
}

Test(smtp_cmd, verb_split)
{
    const char *args;

    cr_assert_eq(smtp_cmd_verb("MAIL FROM:<>", &args), 4);
    cr_assert_str_eq(args, "FROM:<>");
    cr_assert_eq(smtp_cmd_verb("QUIT", &args), 4);
    cr_assert_str_eq(args, "");
    cr_assert_eq(smtp_cmd_verb("EHLO    x", &args), 4);
    cr_assert_str_eq(args, "x");
    cr_assert_eq(smtp_cmd_verb("", &args), 0);
}

Test(smtp_cmd, bdat_args)
{
    struct vstr *reply = vstr_alloc(10);
    long long size;
    int     last;

    cr_assert_eq(smtp_cmd_bdat("0 LAST", &size, &last, reply), 0);
    cr_assert_eq(size, 0);
    cr_assert_eq(last, 1);
    cr_assert_eq(smtp_cmd_bdat("1234", &size, &last, reply), 0);
    cr_assert_eq(size, 1234);
    cr_assert_eq(last, 0);
    cr_assert_eq(smtp_cmd_bdat("10 last", &size, &last, reply), 0);
    cr_assert_eq(last, 1);
    cr_assert_eq(smtp_cmd_bdat("4294967296", &size, &last, reply), 0);
    cr_assert_eq(size, 4294967296LL);
    cr_assert_eq(smtp_cmd_bdat("18446744073709551616 LAST", &size, &last, reply), 552);
    cr_assert_eq(smtp_cmd_bdat("-1", &size, &last, reply), 501);
    cr_assert_eq(smtp_cmd_bdat("0x10", &size, &last, reply), 501);
    cr_assert_eq(smtp_cmd_bdat("10 LASTX", &size, &last, reply), 501);
    cr_assert_eq(smtp_cmd_bdat("10 LAST x", &size, &last, reply), 501);
    cr_assert_eq(smtp_cmd_bdat("", &size, &last, reply), 501);
    cr_assert_eq(smtp_cmd_bdat("LAST", &size, &last, reply), 501);
    vstr_free(reply);
}

Test(smtp_cmd, xtext)
{
    struct vstr *out = vstr_alloc(10);

    cr_assert_eq(smtp_xtext_decode(out, "a+2Bb+3Dc", 9), 0);
    cr_assert_str_eq(vstr_str(out), "a+b=c");
    cr_assert_eq(smtp_xtext_decode(out, "+0A", 3), 0);
    cr_assert_eq(vstr_len(out), 1);
    cr_assert_eq(vstr_str(out)[0], '\n');
    cr_assert_eq(smtp_xtext_decode(out, "+00", 3), 0);
    cr_assert_eq(vstr_len(out), 1);
    cr_assert_eq(smtp_xtext_decode(out, "a=b", 3), -1);
    cr_assert_eq(smtp_xtext_decode(out, "a b", 3), -1);
    cr_assert_eq(smtp_xtext_decode(out, "+", 1), -1);
    cr_assert_eq(smtp_xtext_decode(out, "+4", 2), -1);
    cr_assert_eq(smtp_xtext_decode(out, "+4g", 3), -1);
    cr_assert_eq(smtp_xtext_decode(out, "+4\0", 3), -1);
    cr_assert_eq(smtp_xtext_decode(out, "", 0), 0);
    cr_assert_eq(vstr_len(out), 0);
    vstr_free(out);
}
