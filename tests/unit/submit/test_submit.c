/*
 * test_submit.c - unit tests of postern-sendmail's command line
 * (submit_args.c) and of -t header recipient extraction
 * (submit_addr.c): groups, comments, quoting, folded lines, limits and
 * hostile input; the local envelope policy (submit_env.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "submit.h"
#include "queue_file.h"
#include "mymalloc.h"

/* parse - run submit_parse_args on a NULL-terminated list */

static int
parse(struct submit_opts *opts, struct vstr *why, char **args)
{
    int     argc = 0;

    while (args[argc])
	argc++;
    return (submit_parse_args(argc, args, opts, why));
}

Test(submit_args, usual_flags)
{
    struct submit_opts o;
    struct vstr *why = vstr_alloc(10);
    char   *a[] = {"/usr/sbin/sendmail", "-t", "-oi", "-f", "me@x", "-FMy Name",
	"-N", "success,delay", "-R", "hdrs", "-V", "env1", "-odi", "--",
    "-notaflag", 0};

    cr_assert_eq(parse(&o, why, a), 0);
    cr_assert_eq(o.mode, SUBMIT_MODE_SEND);
    cr_assert(o.extract && o.ignore_dots);
    cr_assert_str_eq(o.sender, "me@x");
    cr_assert_str_eq(o.fullname, "My Name");
    cr_assert_eq(o.notify, QUEUE_NOTIFY_SUCCESS | QUEUE_NOTIFY_DELAY);
    cr_assert_eq(o.ret, QUEUE_RET_HDRS);
    cr_assert_str_eq(o.envid, "env1");
    cr_assert_eq(o.rcpts->argc, 1);
    cr_assert_str_eq(o.rcpts->argv[0], "-notaflag");
    cr_assert_eq(o.warnings->argc, 0);
    submit_opts_free(&o);
    vstr_free(why);
}

Test(submit_args, modes_and_names)
{
    struct submit_opts o;
    struct vstr *why = vstr_alloc(10);
    char   *a1[] = {"sendmail", "-bs", 0};
    char   *a2[] = {"/x/mailq", 0};
    char   *a3[] = {"newaliases", 0};
    char   *a4[] = {"sendmail", "-q30m", 0};
    char   *a5[] = {"sendmail", "-bp", 0};

    cr_assert_eq(parse(&o, why, a1), 0);
    cr_assert_eq(o.mode, SUBMIT_MODE_SMTP);
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a2), 0);
    cr_assert_eq(o.mode, SUBMIT_MODE_MAILQ);
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a3), 0);
    cr_assert_eq(o.mode, SUBMIT_MODE_ALIASES);
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a4), 0);
    cr_assert_eq(o.mode, SUBMIT_MODE_FLUSH);
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a5), 0);
    cr_assert_eq(o.mode, SUBMIT_MODE_MAILQ);
    submit_opts_free(&o);
    vstr_free(why);
}

Test(submit_args, unknown_and_bad)
{
    struct submit_opts o;
    struct vstr *why = vstr_alloc(10);
    char   *a1[] = {"sendmail", "-Z", "-bz", "-oQ/x", "-X", "log", "rcpt", 0};
    char   *a2[] = {"sendmail", "-N", "never,success", 0};
    char   *a3[] = {"sendmail", "-R", "all", 0};
    char   *a4[] = {"sendmail", "-f", 0};
    char   *a5[] = {"sendmail", "-V", "bad\nid", 0};

    cr_assert_eq(parse(&o, why, a1), 0);
    cr_assert_eq(o.warnings->argc, 4);
    cr_assert_str_eq(o.warnings->argv[0], "-Z");
    cr_assert_eq(o.rcpts->argc, 1);
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a2), -1);
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a3), -1);
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a4), -1);
    cr_assert(strstr(vstr_str(why), "needs a value"));
    submit_opts_free(&o);
    cr_assert_eq(parse(&o, why, a5), -1);
    submit_opts_free(&o);
    vstr_free(why);
}

Test(submit_args, notify)
{
    cr_assert_eq(submit_notify_parse("never"), QUEUE_NOTIFY_NEVER);
    cr_assert_eq(submit_notify_parse("FAILURE"), QUEUE_NOTIFY_FAILURE);
    cr_assert_eq(submit_notify_parse(""), -1);
    cr_assert_eq(submit_notify_parse("sometimes"), -1);
}

/* rcpts - extract from text, expect a "|"-joined result */

static void
rcpts(const char *text, int count, const char *joined)
{
    struct argv *out = argv_alloc(2);
    struct vstr *j = vstr_alloc(10);
    size_t  i;

    cr_assert_eq(submit_hdr_rcpts(text, strlen(text), out, 100), count,
		 "for %s", text);
    for (i = 0; i < out->argc; i++) {
	if (i)
	    vstr_addch(j, '|');
	vstr_strcat(j, out->argv[i]);
    }
    cr_assert_str_eq(vstr_str(j), joined, "for %s", text);
    argv_free(out);
    vstr_free(j);
}

Test(submit_addr, forms)
{
    rcpts("a@x", 1, "a@x");
    rcpts("A Person <a@x>, b@y", 2, "a@x|b@y");
    rcpts("\"Doe, John\" <j@x>", 1, "j@x");
    rcpts("a@x (Alice, the <boss>)", 1, "a@x");
    rcpts("(nested (comment) here) b@y", 1, "b@y");
    rcpts("team: a@x, B <b@y>; c@z", 3, "a@x|b@y|c@z");
    rcpts("undisclosed-recipients:;", 0, "");
    rcpts("a@x,\n\tb@y,\n c@z", 3, "a@x|b@y|c@z");
    rcpts("\"quoted local\"@x", 1, "\"quoted local\"@x");
    rcpts("<>, , ,", 0, "");
    rcpts("root", 1, "root");
}

Test(submit_addr, hostile)
{
    struct argv *out = argv_alloc(2);
    struct vstr *big = vstr_alloc(10);
    int     i;

    /* unterminated comment, quote and angle: no crash, bounded */
    cr_assert_eq(submit_hdr_rcpts("(open", 5, out, 10), 0);
    cr_assert_geq(submit_hdr_rcpts("\"open", 5, out, 10), 0);
    cr_assert_geq(submit_hdr_rcpts("<open", 5, out, 10), 0);
    cr_assert_geq(submit_hdr_rcpts("\\", 1, out, 10), 0);
    argv_free(out);
    /* control characters, NUL included, are refused */
    out = argv_alloc(2);
    cr_assert_eq(submit_hdr_rcpts("a\0b@x", 5, out, 10), -1);
    cr_assert_eq(submit_hdr_rcpts("\"a\x1b\"@x", 6, out, 10), -1);
    cr_assert_eq(submit_hdr_rcpts("a@x\x7f", 4, out, 10), -1);
    argv_free(out);
    /* too many */
    out = argv_alloc(2);
    for (i = 0; i < 20; i++)
	vstr_strcat(big, "a@x,");
    cr_assert_eq(submit_hdr_rcpts(vstr_str(big), vstr_len(big), out, 10), -1);
    argv_free(out);
    /* too long */
    out = argv_alloc(2);
    vstr_reset(big);
    for (i = 0; i < QUEUE_ADDR_MAX + 1; i++)
	vstr_addch(big, 'a');
    cr_assert_eq(submit_hdr_rcpts(vstr_str(big), vstr_len(big), out, 10), -1);
    argv_free(out);
    vstr_free(big);
}

Test(submit_env, local_claims_dropped)
{
    struct queue_env env;

    queue_env_init(&env);
    env.sender = mystrdup("u@x");
    env.client_name = mystrdup("forged.example");
    env.client_addr = mystrdup("192.0.2.1");
    env.helo = mystrdup("forged");
    env.sasl_user = mystrdup("admin");
    env.protocol = mystrdup("ESMTPSA");
    submit_local_env(&env);
    cr_assert_null(env.client_name);
    cr_assert_null(env.client_addr);
    cr_assert_null(env.helo);
    cr_assert_null(env.sasl_user);
    cr_assert_str_eq(env.protocol, "local");
    cr_assert_str_eq(env.sender, "u@x");
    queue_env_free(&env);
}
