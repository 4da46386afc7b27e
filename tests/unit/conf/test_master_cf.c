/*
 * test_master_cf.c - master.cf parsing (util/master_cf.c): every column,
 *	'-' defaults, inet service names, -o overrides, and the errors for
 *	malformed lines (each naming file:line).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "master_cf.h"
#include "mymalloc.h"

static struct vstr *err;
static struct master_cf *cf;

static void
setup(void)
{
    err = vstr_alloc(100);
    cf = 0;
}

static void
teardown(void)
{
    master_cf_free(cf);
    vstr_free(err);
}

TestSuite(master_cf, .init = setup, .fini = teardown);

/* parse - parse text as "master.cf" */

static int
parse(const char *text)
{
    master_cf_free(cf);
    cf = 0;
    return (master_cf_parse_buffer("master.cf", text, strlen(text), &cf, err));
}

/* bad - text must fail with a message containing what */

static void
bad(const char *text, const char *what)
{
    cr_assert_eq(parse(text), -1, "accepted: %s", text);
    cr_assert_null(cf);
    cr_assert(strstr(vstr_str(err), what), "for \"%s\": got \"%s\", want \"%s\"",
	      text, vstr_str(err), what);
}

Test(master_cf, every_column)
{
    cr_assert_eq(parse("# service table\n"
		       "smtp      inet  n       -       y       -       -       smtpd\n"
		       "qmgr      unix  n       -       n       300     1       qmgr\n"
		       "pickup    unix  n       -       y       60?     1       pickup -v\n"
		       "cleanup   unix  n       -       y       -       0       cleanup\n"
		       "local     unix  -       n       n       -       -       local\n"
		       "flush     fifo  y       y       y       0       5       flush\n"
		       "relay     pass  -       -       -       -       -       smtpd\n"),
		 0, "%s", vstr_str(err));
    cr_assert_eq(cf->count, 7);

    cr_assert_str_eq(cf->ents[0].service, "smtp");
    cr_assert_eq(cf->ents[0].type, MASTER_CF_INET);
    cr_assert_str_eq(cf->ents[0].host, "");
    cr_assert_str_eq(cf->ents[0].port, "smtp");
    cr_assert_eq(cf->ents[0].private_, 0);
    cr_assert_eq(cf->ents[0].unpriv, 1);
    cr_assert_eq(cf->ents[0].chroot, 1);
    cr_assert_eq(cf->ents[0].wakeup, 0);
    cr_assert_eq(cf->ents[0].maxproc, MASTER_CF_DEF_MAXPROC);
    cr_assert_eq(cf->ents[0].maxproc_default, 1);
    cr_assert_str_eq(cf->ents[0].command, "smtpd");
    cr_assert_eq(cf->ents[0].args->argc, 0);
    cr_assert_str_eq(cf->ents[0].file, "master.cf");
    cr_assert_eq(cf->ents[0].line, 2);

    cr_assert_eq(cf->ents[1].type, MASTER_CF_UNIX);
    cr_assert_null(cf->ents[1].host);
    cr_assert_eq(cf->ents[1].private_, 0);
    cr_assert_eq(cf->ents[1].chroot, 0);
    cr_assert_eq(cf->ents[1].wakeup, 300);
    cr_assert_eq(cf->ents[1].wakeup_if_used, 0);
    cr_assert_eq(cf->ents[1].maxproc, 1);
    cr_assert_eq(cf->ents[1].maxproc_default, 0);

    cr_assert_eq(cf->ents[2].wakeup, 60);
    cr_assert_eq(cf->ents[2].wakeup_if_used, 1);
    cr_assert_eq(cf->ents[2].args->argc, 1);
    cr_assert_str_eq(cf->ents[2].args->argv[0], "-v");
    cr_assert_null(cf->ents[2].args->argv[1]);

    cr_assert_eq(cf->ents[3].maxproc, 0, "0 = no limit");

    cr_assert_eq(cf->ents[4].private_, 1, "- is y for unix");
    cr_assert_eq(cf->ents[4].unpriv, 0);

    cr_assert_eq(cf->ents[5].type, MASTER_CF_FIFO);
    cr_assert_eq(cf->ents[5].private_, 1);
    cr_assert_eq(cf->ents[5].maxproc, 5);

    cr_assert_eq(cf->ents[6].type, MASTER_CF_PASS);
    cr_assert_eq(cf->ents[6].chroot, 0, "- is n for chroot");
    cr_assert_str_eq(master_cf_type_name(cf->ents[6].type), "pass");
}

Test(master_cf, inet_service_names)
{
    cr_assert_eq(parse("127.0.0.1:2525 inet n - n - - smtpd\n"
		       "[::1]:25 inet n - n - - smtpd\n"
		       "2587 inet n - n - - smtpd\n"
		       "mail.example.com:submission inet n - n - - smtpd\n"),
		 0, "%s", vstr_str(err));
    cr_assert_str_eq(cf->ents[0].host, "127.0.0.1");
    cr_assert_str_eq(cf->ents[0].port, "2525");
    cr_assert_str_eq(cf->ents[1].host, "::1");
    cr_assert_str_eq(cf->ents[1].port, "25");
    cr_assert_str_eq(cf->ents[2].host, "");
    cr_assert_str_eq(cf->ents[2].port, "2587");
    cr_assert_str_eq(cf->ents[3].host, "mail.example.com");
    cr_assert_str_eq(cf->ents[3].port, "submission");
}

Test(master_cf, bad_inet_service_names)
{
    bad("0 inet n - n - - smtpd\n", "bad port");
    bad("65536 inet n - n - - smtpd\n", "bad port");
    bad("127.0.0.1: inet n - n - - smtpd\n", "bad port");
    bad(":25 inet n - n - - smtpd\n", "bad host");
    bad("::1:25 inet n - n - - smtpd\n", "write IPv6 as [addr]:port");
    bad("[::1] inet n - n - - smtpd\n", "[ipv6]:port");
    bad("[::1]25 inet n - n - - smtpd\n", "[ipv6]:port");
    bad("[zz::1]:25 inet n - n - - smtpd\n", "bad IPv6");
    bad("[127.0.0.1]:25 inet n - n - - smtpd\n", "bad IPv6");
    bad("a/b:25 inet n - n - - smtpd\n", "bad host");
    bad("25x inet n - n - - smtpd\n", "bad port");
    bad("-25 inet n - n - - smtpd\n", "bad port");
    bad("smtp inet y - n - - smtpd\n", "cannot be private");
}

Test(master_cf, overrides)
{
    cr_assert_eq(parse("submission inet n - y - - smtpd\n"
		       "  -o syslog_name=postern/submission\n"
		       "  -o smtpd_tls_security_level=encrypt\n"
		       "  -osmtpd_sasl_auth_enable=yes\n"
		       "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
		       "  -v\n"),
		 0, "%s", vstr_str(err));
    cr_assert_eq(cf->ents[0].opts->argc, 4);
    cr_assert_str_eq(cf->ents[0].opts->argv[0], "syslog_name=postern/submission");
    cr_assert_str_eq(cf->ents[0].opts->argv[1], "smtpd_tls_security_level=encrypt");
    cr_assert_str_eq(cf->ents[0].opts->argv[2], "smtpd_sasl_auth_enable=yes");
    cr_assert_str_eq(cf->ents[0].opts->argv[3],
		     "smtpd_client_restrictions=permit_sasl_authenticated, reject");
    cr_assert_eq(cf->ents[0].args->argc, 9);
    cr_assert_str_eq(cf->ents[0].args->argv[0], "-o");
    cr_assert_str_eq(cf->ents[0].args->argv[5], "smtpd_sasl_auth_enable=yes");
    cr_assert_str_eq(cf->ents[0].args->argv[8], "-v");
    cr_assert_eq(cf->ents[0].line, 1);
}

Test(master_cf, bad_overrides)
{
    bad("smtp inet n - n - - smtpd -o\n", "-o without name=value");
    bad("smtp inet n - n - - smtpd -o name\n", "missing '='");
    bad("smtp inet n - n - - smtpd -o =value\n", "bad parameter name");
    bad("smtp inet n - n - - smtpd -o bad-name=1\n", "bad parameter name");
    bad("smtp inet n - n - - smtpd -o { a = b\n", "missing '}'");
    bad("smtp inet n - n - - smtpd -o {a=b}x\n", "text after '}'");
}

Test(master_cf, bad_columns_name_the_line)
{
    bad("# c\n\nsmtp inet n - n - -\n", "master.cf:3: too few columns");
    bad("smtp tcp n - n - - smtpd\n", "master.cf:1: unknown service type");
    bad("smtp inet x - n - - smtpd\n", "bad private value");
    bad("smtp inet n yes n - - smtpd\n", "bad unpriv value");
    bad("smtp inet n - Y - - smtpd\n", "bad chroot value");
    bad("qmgr unix n - n -5 1 qmgr\n", "bad wakeup");
    bad("qmgr unix n - n ? 1 qmgr\n", "bad wakeup");
    bad("qmgr unix n - n 60?? 1 qmgr\n", "bad wakeup");
    bad("qmgr unix n - n 99999999999 1 qmgr\n", "bad wakeup");
    bad("qmgr unix n - n 5 many qmgr\n", "bad process limit");
    bad("qmgr unix n - n 5 +1 qmgr\n", "bad process limit");
    bad("qmgr unix n - n 5 1000001 qmgr\n", "bad process limit");
    bad("../x unix n - n - - qmgr\n", "bad service name");
    bad("a/b unix n - n - - qmgr\n", "bad service name");
    bad("qmgr unix n - n - - ../../bin/sh\n", "bad command name");
    bad("qmgr unix n - n - - /bin/sh\n", "bad command name");
    bad("qmgr unix n - n - - .hidden\n", "bad command name");
    bad("  qmgr unix n - n - - qmgr\n", "master.cf:1: continuation line");
    bad("a unix - - - - - x\nb unix - - - - - x\na unix - - - - - y\n",
	"master.cf:3: duplicate service a/unix (first at line 1)");
    bad("ok unix - - - - - x\nbad\x7f unix - - - - - x\n", "master.cf:2: control character");
}

Test(master_cf, same_name_different_type_is_fine)
{
    cr_assert_eq(parse("smtp inet n - n - - smtpd\nsmtp unix - - n - - smtp\n"), 0);
    cr_assert_eq(cf->count, 2);
}

Test(master_cf, continuation_and_comments)
{
    cr_assert_eq(parse("smtp\n  inet n - n\n# comment\n\t- - smtpd\nnext unix - - - - - x\n"),
		 0, "%s", vstr_str(err));
    cr_assert_eq(cf->count, 2);
    cr_assert_str_eq(cf->ents[0].command, "smtpd");
    cr_assert_eq(cf->ents[1].line, 5);
}

Test(master_cf, argument_limit)
{
    struct vstr *text = vstr_alloc(100);
    int     i;

    vstr_strcpy(text, "x unix - - - - - cmd");
    for (i = 0; i < MASTER_CF_MAX_ARGS + 5; i++)
	vstr_strcat(text, " a");
    vstr_strcat(text, "\n");
    bad(vstr_str(text), "more than");
    vstr_free(text);
}

Test(master_cf, entry_limit)
{
    struct vstr *text = vstr_alloc(100);
    int     i;

    for (i = 0; i < MASTER_CF_MAX_ENTS + 1; i++)
	vstr_sprintf_append(text, "s%d unix - - - - - cmd\n", i);
    bad(vstr_str(text), "more than 1000 services");
    vstr_free(text);
}

Test(master_cf, read_from_directory)
{
    char    dir[] = "/tmp/test_master_cf.XXXXXX";
    char    path[600];
    FILE   *fp;

    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(master_cf_read(dir, &cf, err), -1);
    snprintf(path, sizeof(path), "%s/master.cf", dir);
    cr_assert_not_null(fp = fopen(path, "w"));
    fputs("smtp inet n - n - - smtpd\n", fp);
    cr_assert_eq(fclose(fp), 0);
    cr_assert_eq(master_cf_read(dir, &cf, err), 0, "%s", vstr_str(err));
    cr_assert_str_eq(cf->ents[0].file, path);
    unlink(path);
    rmdir(dir);
}

Test(master_cf, shipped_master_cf_parses)
{
    const char *src = getenv("TEST_SRCDIR");
    char    dir[600];

    snprintf(dir, sizeof(dir), "%s/conf", src ? src : ".");
    cr_assert_eq(master_cf_read(dir, &cf, err), 0, "%s", vstr_str(err));
}

/*
 * The shipped master.cf keeps the entries of daemons that do not exist
 * yet commented out ("#smtp inet ..."); with the '#' removed from every
 * entry line they must parse too, so enabling one is a one-character edit.
 */
Test(master_cf, shipped_master_cf_commented_entries_parse)
{
    const char *src = getenv("TEST_SRCDIR");
    char    path[600];
    struct vstr *text = vstr_alloc(4096);
    char    line[1024];
    FILE   *fp;

    snprintf(path, sizeof(path), "%s/conf/master.cf", src ? src : ".");
    cr_assert_not_null(fp = fopen(path, "r"), "%s", path);
    while (fgets(line, sizeof(line), fp) != NULL) {
	if (line[0] == '#' && (line[1] >= 'a' && line[1] <= 'z'))
	    vstr_strcat(text, line + 1);	/* "#smtp inet ..." */
	else if (line[0] == '#' && line[1] == ' ' && line[2] == ' ' && line[3] == '-')
	    vstr_strcat(text, line + 1);	/* "#  -o name=value" */
	else
	    vstr_strcat(text, line);
    }
    fclose(fp);
    cr_assert_eq(master_cf_parse_buffer(path, vstr_str(text), vstr_len(text), &cf, err),
		 0, "%s", vstr_str(err));
    cr_assert(cf->count >= 6, "only %zu entries", cf->count);
    vstr_free(text);
}
