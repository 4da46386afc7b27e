/*
 * test_args.c - the daemon skeleton's command line (master_proto.h):
 * every option, clustering and attached values, the end of options,
 * and each malformed or hostile form being refused with a reason.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mail_server.h"
#include "vstr.h"

#define ARGC(a)	((int) (sizeof(a) / sizeof((a)[0])) - 1)

static struct vstr *err;

static void
setup(void)
{
    err = vstr_alloc(10);
    unsetenv("POSTERN_CONFIG");
}

static void
teardown(void)
{
    vstr_free(err);
}

TestSuite(args, .init = setup, .fini = teardown);

Test(args, full_command_line)
{
    char   *av[] = {"/usr/libexec/postern/smtpd", "-c", "/etc/p", "-n", "127.0.0.1:2525",
	"-t", "inet", "-s", "2", "-C", "-U", "-v", "-o", "smtpd_banner=hi there",
    "-o", "max_use=5", "extra", "-x", 0};
    struct server_args a;

    cr_assert_eq(server_parse_args(ARGC(av), av, &a, err), 0, "%s", vstr_str(err));
    cr_assert_str_eq(a.progname, "smtpd");
    cr_assert_str_eq(a.config_dir, "/etc/p");
    cr_assert_str_eq(a.service, "127.0.0.1:2525");
    cr_assert_str_eq(a.type, "inet");
    cr_assert_eq(a.listen_count, 2);
    cr_assert(a.chroot && a.unpriv && a.verbose);
    cr_assert_eq(a.overrides->argc, 2);
    cr_assert_str_eq(a.overrides->argv[0], "smtpd_banner=hi there");
    cr_assert_str_eq(a.overrides->argv[1], "max_use=5");
    cr_assert_str_eq(a.rest[0], "extra");
    cr_assert_str_eq(a.rest[1], "-x");
    cr_assert_null(a.rest[2]);
    server_args_free(&a);
}

Test(args, clustered_flags_and_attached_values)
{
    char   *av[] = {"qmgr", "-CUv", "-c/etc/p", "-nqmgr", "-tfifo", "-s1", "-omax_idle=1s", 0};
    struct server_args a;

    cr_assert_eq(server_parse_args(ARGC(av), av, &a, err), 0, "%s", vstr_str(err));
    cr_assert(a.chroot && a.unpriv && a.verbose);
    cr_assert_str_eq(a.config_dir, "/etc/p");
    cr_assert_str_eq(a.service, "qmgr");
    cr_assert_str_eq(a.type, "fifo");
    cr_assert_eq(a.listen_count, 1);
    cr_assert_str_eq(a.overrides->argv[0], "max_idle=1s");
    cr_assert_null(a.rest[0]);
    server_args_free(&a);
}

Test(args, defaults_and_end_of_options)
{
    char   *av[] = {"x", "-n", "s", "-t", "unix", "-s", "1", "--", "-C", 0};
    struct server_args a;

    setenv("POSTERN_CONFIG", "/from/env", 1);
    cr_assert_eq(server_parse_args(ARGC(av), av, &a, err), 0, "%s", vstr_str(err));
    cr_assert_str_eq(a.config_dir, "/from/env");
    cr_assert_eq(a.chroot, 0);
    cr_assert_str_eq(a.rest[0], "-C");
    server_args_free(&a);

    unsetenv("POSTERN_CONFIG");
    cr_assert_eq(server_parse_args(ARGC(av), av, &a, err), 0);
    cr_assert_str_eq(a.config_dir, DEF_CONFIG_DIR);
    server_args_free(&a);
}

 /*
  * Each bad command line and a word its error must contain.
  */
struct bad_case {
    const char *why;
    char   *av[12];
};

static const struct bad_case bad_cases[] = {
    {"missing", {"x", "-t", "inet", "-s", "1", 0}},
    {"missing", {"x", "-n", "s", "-s", "1", 0}},
    {"missing", {"x", "-n", "s", "-t", "inet", 0}},
    {"count", {"x", "-n", "s", "-t", "inet", "-s", "0", 0}},
    {"count", {"x", "-n", "s", "-t", "inet", "-s", "65", 0}},
    {"count", {"x", "-n", "s", "-t", "inet", "-s", "1x", 0}},
    {"count", {"x", "-n", "s", "-t", "inet", "-s", "-1", 0}},
    {"count", {"x", "-n", "s", "-t", "inet", "-s", "", 0}},
    {"count", {"x", "-n", "s", "-t", "inet", "-s", "99999999999999999999", 0}},
    {"expected inet", {"x", "-n", "s", "-t", "tcp", "-s", "1", 0}},
    {"name=value", {"x", "-n", "s", "-t", "inet", "-s", "1", "-o", "novalue", 0}},
    {"name=value", {"x", "-n", "s", "-t", "inet", "-s", "1", "-o", "=x", 0}},
    {"twice", {"x", "-n", "s", "-n", "t", "-t", "inet", "-s", "1", 0}},
    {"twice", {"x", "-n", "s", "-t", "inet", "-s", "1", "-s", "1", 0}},
    {"invalid option", {"x", "-z", "-n", "s", "-t", "inet", "-s", "1", 0}},
    {"invalid option", {"x", "-C\001", 0}},
    {"requires a value", {"x", "-t", "inet", "-s", "1", "-n", 0}},
    {"service name", {"x", "-n", "a/b", "-t", "inet", "-s", "1", 0}},
    {"service name", {"x", "-n", "a\nb", "-t", "inet", "-s", "1", 0}},
    {"service name", {"x", "-n", "", "-t", "inet", "-s", "1", 0}},
    {"empty config", {"x", "-c", "", "-n", "s", "-t", "inet", "-s", "1", 0}},
};

Test(args, malformed_command_lines_are_refused)
{
    struct server_args a;
    size_t  i;
    int     argc;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
	for (argc = 0; bad_cases[i].av[argc]; argc++)
	     /* void */ ;
	vstr_reset(err);
	cr_assert_eq(server_parse_args(argc, (char **) bad_cases[i].av, &a, err), -1,
		     "case %zu accepted", i);
	cr_assert(strstr(vstr_str(err), bad_cases[i].why) != 0,
		  "case %zu: \"%s\" lacks \"%s\"", i, vstr_str(err), bad_cases[i].why);
	server_args_free(&a);
    }
}

Test(args, long_service_name_is_refused)
{
    char    name[200];
    char   *av[] = {"x", "-n", name, "-t", "inet", "-s", "1", 0};
    struct server_args a;

    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    cr_assert_eq(server_parse_args(ARGC(av), av, &a, err), -1);
    server_args_free(&a);
    name[100] = 0;
    cr_assert_eq(server_parse_args(ARGC(av), av, &a, err), 0);
    server_args_free(&a);
}
