/*
 * test_mail_conf.c - main.cf parsing, -o overrides and $name expansion
 *	(util/mail_conf.c, util/conf_lines.c, util/mac_expand.c).
 *
 * Each case feeds main.cf text from memory; a few use a temporary
 * directory to test mail_conf_read() itself. Hostile input (loops,
 * control bytes, huge lines, runaway expansion) must give an error,
 * never a crash or a hang.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "mac_expand.h"
#include "conf_lines.h"
#include "mymalloc.h"

static struct vstr *err;

static void
setup(void)
{
    mail_conf_reset();
    err = vstr_alloc(100);
}

static void
teardown(void)
{
    vstr_free(err);
    mail_conf_reset();
}

TestSuite(mail_conf, .init = setup, .fini = teardown);

/* parse - parse text as "main.cf" */

static int
parse(const char *text)
{
    return (mail_conf_parse_buffer("main.cf", text, strlen(text), err));
}

/* eval_err - expansion that must fail; returns the message */

static const char *
eval_err(const char *name)
{
    const char *v;

    cr_assert_eq(mail_conf_eval_checked(name, &v, err), -1, "%s expanded", name);
    return (vstr_str(err));
}

Test(mail_conf, name_value_and_whitespace)
{
    cr_assert_eq(parse("a = b\nc=d\n  \n\te_f   =   x y  \nempty =\n"), 0, "%s", vstr_str(err));
    cr_assert_str_eq(mail_conf_lookup("a"), "b");
    cr_assert_str_eq(mail_conf_lookup("c"), "d\te_f   =   x y");
    cr_assert_null(mail_conf_lookup("e_f"), "continuation of c, not its own name");
    cr_assert_str_eq(mail_conf_lookup("empty"), "");
    cr_assert_eq(mail_conf_count(), 3);
}

Test(mail_conf, continuation_joins_lines)
{
    cr_assert_eq(parse("a = one\n  two\n# comment between\n\n\tthree\nb = x\n"), 0);
    cr_assert_str_eq(mail_conf_lookup("a"), "one  two\tthree");
    cr_assert_str_eq(mail_conf_lookup("b"), "x");
    cr_assert_eq(mail_conf_find("b")->line, 6);
    cr_assert_eq(mail_conf_find("a")->line, 1);
}

Test(mail_conf, comments_only_at_line_start)
{
    cr_assert_eq(parse("# header\n   # indented\na = b # not a comment\n"), 0);
    cr_assert_str_eq(mail_conf_lookup("a"), "b # not a comment");
    cr_assert_eq(mail_conf_count(), 1);
}

Test(mail_conf, crlf_line_endings)
{
    cr_assert_eq(parse("a = b\r\nc = d\r\n"), 0);
    cr_assert_str_eq(mail_conf_lookup("a"), "b");
    cr_assert_str_eq(mail_conf_lookup("c"), "d");
}

Test(mail_conf, syntax_errors_name_file_and_line)
{
    cr_assert_eq(parse("a = b\n\nno equals sign here\n"), -1);
    cr_assert(strstr(vstr_str(err), "main.cf:3:") && strstr(vstr_str(err), "missing '='"),
	      "%s", vstr_str(err));
    cr_assert_eq(parse("bad-name = x\n"), -1);
    cr_assert(strstr(vstr_str(err), "main.cf:1: bad parameter name"), "%s", vstr_str(err));
    cr_assert_eq(parse(" = x\n"), -1, "continuation without a line");
    cr_assert_eq(parse("x = 1\n= y\n"), -1);
    cr_assert(strstr(vstr_str(err), "main.cf:2: missing parameter name"), "%s", vstr_str(err));
    cr_assert_eq(parse("a = b\n  cont\nbad\x01 = 3\n"), -1);
    cr_assert(strstr(vstr_str(err), "main.cf:3: control character"), "%s", vstr_str(err));
}

Test(mail_conf, nul_byte_refused)
{
    static const char text[] = "a = b\0c\n";

    cr_assert_eq(mail_conf_parse_buffer("main.cf", text, sizeof(text) - 1, err), -1);
    cr_assert(strstr(vstr_str(err), "0x00"), "%s", vstr_str(err));
}

Test(mail_conf, long_lines_refused)
{
    size_t  n = CONF_LINE_MAX + 10;
    char   *text = mymalloc(n + 10);
    size_t  i;

    memcpy(text, "a = ", 4);
    memset(text + 4, 'x', n);
    text[n + 4] = 0;
    cr_assert_eq(parse(text), -1);
    cr_assert(strstr(vstr_str(err), "longer than"), "%s", vstr_str(err));

    /* Many legal continuation lines that add up to too much. */
    myfree(text);
    text = mymalloc(CONF_LOGICAL_MAX + 20000);
    strcpy(text, "a = x\n");
    for (i = 0; strlen(text) < CONF_LOGICAL_MAX + 10000; i++)
	strcat(text, " yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n");
    cr_assert_eq(parse(text), -1);
    cr_assert(strstr(vstr_str(err), "logical line"), "%s", vstr_str(err));
    myfree(text);
}

Test(mail_conf, last_setting_wins)
{
    cr_assert_eq(parse("a = 1\nb = 2\na = 3\n"), 0);
    cr_assert_str_eq(mail_conf_lookup("a"), "3");
    cr_assert_eq(mail_conf_find("a")->line, 3);
    cr_assert_eq(mail_conf_find("a")->prev_line, 1);
    cr_assert_eq(mail_conf_find("b")->prev_line, 0);
}

Test(mail_conf, failed_parse_keeps_old_settings)
{
    cr_assert_eq(parse("a = 1\n"), 0);
    cr_assert_eq(parse("a = 2\nbroken\n"), -1);
    cr_assert_str_eq(mail_conf_eval("a"), "1");
}

Test(mail_conf, expansion_forms)
{
    cr_assert_eq(parse("a = x\nb = $a-${a}-$(a)\nc = $$a $ 5$\nd = [$unknown]\n"
		       "e = ${a?set}${a:empty}|${zz?set}${zz:empty}\n"
		       "f = ${a?{$b}}\n"), 0);
    cr_assert_str_eq(mail_conf_eval("b"), "x-x-x");
    cr_assert_str_eq(mail_conf_eval("c"), "$a $ 5$");
    cr_assert_str_eq(mail_conf_eval("d"), "[]");
    cr_assert_str_eq(mail_conf_eval("e"), "set|empty");
    cr_assert_str_eq(mail_conf_eval("f"), "{x-x-x}");
    cr_assert_str_eq(mail_conf_raw("b"), "$a-${a}-$(a)");
}

Test(mail_conf, defaults_and_unknown_names)
{
    cr_assert_eq(parse("myhostname = mx.example.com\n"), 0);
    cr_assert_null(mail_conf_eval("no_such_parameter"));
    cr_assert_null(mail_conf_raw("no_such_parameter"));
    cr_assert_str_eq(mail_conf_eval("myorigin"), "mx.example.com");
    cr_assert_str_eq(mail_conf_eval("mydomain"), "example.com");
    cr_assert_str_eq(mail_conf_eval("mydestination"),
		     "mx.example.com, localhost.example.com, localhost");
    cr_assert_str_eq(mail_conf_raw("myorigin"), "$myhostname");
    cr_assert_null(mail_conf_lookup("myorigin"));
    cr_assert_str_eq(mail_conf_default("smtpd_banner"), "$myhostname ESMTP $mail_name");
    cr_assert_str_eq(mail_conf_eval("smtpd_banner"), "mx.example.com ESMTP Postern");
}

Test(mail_conf, hostname_referencing_domain_does_not_recurse)
{
    cr_assert_eq(parse("myhostname = mail.$mydomain\n"), 0);
    cr_assert_str_eq(mail_conf_eval("mydomain"), "localdomain");
    cr_assert_str_eq(mail_conf_eval("myhostname"), "mail.localdomain");
    mail_conf_reset();
    cr_assert_eq(parse("mydomain = example.org\nmyhostname = mail.$mydomain\n"), 0);
    cr_assert_str_eq(mail_conf_eval("myhostname"), "mail.example.org");
}

Test(mail_conf, raw_parameters_are_not_expanded)
{
    cr_assert_eq(parse("home = /nowhere\n"), 0);
    cr_assert_str_eq(mail_conf_eval("forward_path"),
	     "$home/.forward${recipient_delimiter}${extension}, $home/.forward");
}

Test(mail_conf, loops_are_errors)
{
    cr_assert_eq(parse("a = $b\nb = x$a\nself = ${self}\nc = ${a?y}\n"), 0);
    cr_assert(strstr(eval_err("a"), "loop in"), "%s", vstr_str(err));
    cr_assert(strstr(vstr_str(err), "main.cf:1: parameter a"), "%s", vstr_str(err));
    cr_assert(strstr(eval_err("self"), "loop in $self -> $self"), "%s", vstr_str(err));
    cr_assert(strstr(eval_err("a"), "loop in $a -> $b -> $a"), "%s", vstr_str(err));
    cr_assert(strstr(eval_err("c"), "loop"), "%s", vstr_str(err));
}

Test(mail_conf, eval_dies_on_loop, .exit_code = 1)
{
    cr_assert_eq(parse("a = $b\nb = $a\n"), 0);
    (void) mail_conf_eval("a");
}

Test(mail_conf, nesting_depth_limit)
{
    struct vstr *text = vstr_alloc(4096);
    int     i;

    for (i = 0; i < MAC_EXP_DEPTH_MAX + 20; i++)
	vstr_sprintf_append(text, "p%d = $p%d\n", i, i + 1);
    vstr_sprintf_append(text, "p%d = end\n", i);
    cr_assert_eq(parse(vstr_str(text)), 0);
    cr_assert(strstr(eval_err("p0"), "nesting"), "%s", vstr_str(err));
    cr_assert_str_eq(mail_conf_eval("p30"), "end", "a shorter chain is fine");
    vstr_free(text);
}

Test(mail_conf, exponential_expansion_is_bounded, .timeout = 10)
{
    struct vstr *text = vstr_alloc(4096);
    int     i;

    /* e0 = $e1$e1..., e1 = $e2$e2..., ... : 16^30 lookups if unbounded. */
    for (i = 0; i < 30; i++)
	vstr_sprintf_append(text, "e%d = $e%d$e%d$e%d$e%d$e%d$e%d$e%d$e%d"
			    "$e%d$e%d$e%d$e%d$e%d$e%d$e%d$e%d\n", i,
			    i + 1, i + 1, i + 1, i + 1, i + 1, i + 1, i + 1, i + 1,
			    i + 1, i + 1, i + 1, i + 1, i + 1, i + 1, i + 1, i + 1);
    cr_assert_eq(parse(vstr_str(text)), 0);
    cr_assert(strstr(eval_err("e0"), "expansions"), "%s", vstr_str(err));
    vstr_free(text);

    /* Growth by output length. */
    text = vstr_alloc(4096);
    vstr_strcpy(text, "g0 = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    for (i = 1; i < 20; i++)
	vstr_sprintf_append(text, "g%d = $g%d$g%d$g%d$g%d\n", i, i - 1, i - 1, i - 1, i - 1);
    cr_assert_eq(parse(vstr_str(text)), 0);
    cr_assert(strstr(eval_err("g19"), "longer than"), "%s", vstr_str(err));
    vstr_free(text);
}

Test(mail_conf, malformed_references)
{
    cr_assert_eq(parse("a = ${open\nb = ${}\nc = ${a!x}\nd = $(x}\n"), 0);
    cr_assert(strstr(eval_err("a"), "missing '}'"), "%s", vstr_str(err));
    cr_assert(strstr(eval_err("b"), "bad name"), "%s", vstr_str(err));
    cr_assert(strstr(eval_err("c"), "bad name"), "%s", vstr_str(err));
    cr_assert(strstr(eval_err("d"), "missing ')'"), "%s", vstr_str(err));
}

Test(mail_conf, deep_conditional_nesting_is_bounded)
{
    struct vstr *text = vstr_alloc(4096);
    int     i;

    vstr_strcpy(text, "x = 1\nn = ");
    for (i = 0; i < 5000; i++)
	vstr_strcat(text, "${x?");
    for (i = 0; i < 5000; i++)
	vstr_strcat(text, "}");
    vstr_strcat(text, "\n");
    cr_assert_eq(parse(vstr_str(text)), 0);
    cr_assert(strstr(eval_err("n"), "nesting"), "%s", vstr_str(err));
    vstr_free(text);
}

Test(mail_conf, overrides)
{
    cr_assert_eq(parse("a = 1\nb = $a\n"), 0);
    cr_assert_str_eq(mail_conf_eval("b"), "1");
    cr_assert_eq(mail_conf_override("a=2", err), 0);
    cr_assert_str_eq(mail_conf_eval("b"), "2", "cache dropped after -o");
    cr_assert_eq(mail_conf_override(" smtpd_banner = hi there ", err), 0);
    cr_assert_str_eq(mail_conf_eval("smtpd_banner"), "hi there");
    cr_assert_eq(parse("a = 3\n"), 0);
    cr_assert_str_eq(mail_conf_eval("a"), "2", "-o survives a re-read");
    cr_assert_eq(mail_conf_override("novalue", err), -1);
    cr_assert(strstr(vstr_str(err), "missing '='"), "%s", vstr_str(err));
    cr_assert_eq(mail_conf_override("bad name=1", err), -1);
    cr_assert_eq(mail_conf_override("=1", err), -1);
}

Test(mail_conf, expand_text)
{
    struct vstr *out = vstr_alloc(10);

    cr_assert_eq(parse("a = A\n"), 0);
    cr_assert_eq(mail_conf_expand("<$a$mail_name>", out, err), 0);
    cr_assert_str_eq(vstr_str(out), "<APostern>");
    cr_assert_eq(mail_conf_expand("${", out, err), -1);
    vstr_free(out);
}

 /*
  * Non-recursive expansion: values from outside are inserted as they are.
  */
static const char *
plain_lookup(const char *name, void *ctx)
{
    (void) ctx;
    if (strcmp(name, "user") == 0)
	return ("$evil${x}");
    return (0);
}

Test(mail_conf, mac_expand_without_recursion)
{
    struct vstr *out = vstr_alloc(10);

    cr_assert_eq(mac_expand(out, "/home/$user/${nobody}x", 0, plain_lookup, 0, err), 0);
    cr_assert_str_eq(vstr_str(out), "/home/$evil${x}/x");
    vstr_free(out);
}

/* write_file - helper: create dir/name with text */

static void
write_file(const char *dir, const char *name, const char *text)
{
    char    path[512];
    FILE   *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    cr_assert_not_null(fp = fopen(path, "w"));
    fputs(text, fp);
    cr_assert_eq(fclose(fp), 0);
}

Test(mail_conf, read_from_directory)
{
    char    dir[] = "/tmp/test_mail_conf.XXXXXX";
    char    path[600];

    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(mail_conf_read(dir, err), -1, "missing main.cf is an error");
    cr_assert(strstr(vstr_str(err), "main.cf"), "%s", vstr_str(err));
    write_file(dir, "main.cf", "queue_directory = /tmp/q\n\nbad line\n");
    cr_assert_eq(mail_conf_read(dir, err), -1);
    snprintf(path, sizeof(path), "%s/main.cf:3:", dir);
    cr_assert(strstr(vstr_str(err), path), "%s", vstr_str(err));
    write_file(dir, "main.cf", "queue_directory = /tmp/q\n");
    cr_assert_eq(mail_conf_read(dir, err), 0, "%s", vstr_str(err));
    cr_assert_str_eq(mail_conf_eval("queue_directory"), "/tmp/q");
    snprintf(path, sizeof(path), "%s/main.cf", dir);
    cr_assert_str_eq(mail_conf_path(), path);
    cr_assert_str_eq(mail_conf_find("queue_directory")->file, path);
    unlink(path);
    rmdir(dir);
}

Test(mail_conf, huge_file_refused)
{
    char    dir[] = "/tmp/test_mail_conf.XXXXXX";
    char    path[600];
    FILE   *fp;
    long    i;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/main.cf", dir);
    cr_assert_not_null(fp = fopen(path, "w"));
    for (i = 0; i < MAIL_CONF_FILE_MAX / 16 + 2; i++)
	fputs("# comment line.\n", fp);
    cr_assert_eq(fclose(fp), 0);
    cr_assert_eq(mail_conf_read(dir, err), -1);
    cr_assert(strstr(vstr_str(err), "larger than"), "%s", vstr_str(err));
    unlink(path);
    rmdir(dir);
}
