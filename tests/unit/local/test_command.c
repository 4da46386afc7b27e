/*
 * test_command.c - command delivery pieces: the environment filter and
 * the clean environment, the spawn helper's validation of requests
 * (root, control characters, bad environment entries, time limit), the
 * exit status mapping, a real command run through the spawn helper
 * (uid, stdin, environment, time limit), and the privilege drop in a
 * forked child (local_child_run).
 */
#include <errno.h>
#include <pwd.h>
#include <sys/mman.h>

#include "ltest.h"
#include "mail_proto.h"

static void
setup(void)
{
    lt_config();
    var_default_privs = "nobody";
}

TestSuite(command,.init = setup);

Test(command, env_value_filter)
{
    struct vstr *v = vstr_alloc(10);

    local_env_value(v, "a$(id)`x`;b\n\r\t|&<>'\"\\@x.org");
    cr_assert_str_eq(vstr_str(v), "a__id__x__b__________@x.org");
    vstr_reset(v);
    local_env_value(v, "user+ext=1,2:3/4.5%6!");
    cr_assert_str_eq(vstr_str(v), "user+ext=1,2:3/4.5%6!");
    vstr_free(v);
}

/* fake_state - enough of a local_state for the environment */

static void
fake_state(struct local_state *st, struct local_msg *msg)
{
    memset(st, 0, sizeof(*st));
    memset(msg, 0, sizeof(*msg));
    msg->sender = "-oQ/tmp/x$(id)@evil.example";
    st->msg = msg;
    st->orig_rcpt = "Orig`id`@example.com";
    st->address = vstr_alloc(10);
    st->user = vstr_alloc(10);
    st->extension = vstr_alloc(10);
    st->domain = vstr_alloc(10);
    cr_assert_eq(local_split_address(st, "bob+$(reboot)@example.com"), 0);
}

Test(command, clean_environment)
{
    struct local_state st;
    struct local_msg msg;
    struct local_priv owner = {1000, 1000, "bob", "/home/bob"};
    struct argv *env = argv_alloc(4);
    size_t  n;

    fake_state(&st, &msg);
    local_command_env(env, &st, &owner);
    cr_assert_str_eq(env->argv[0], "PATH=/usr/bin:/bin");
    cr_assert_str_eq(env->argv[1], "SHELL=/bin/sh");
    for (n = 0; n < env->argc; n++) {
	cr_assert_null(strpbrk(env->argv[n], "$`;()|&<>\"'\\\n"), "%s",
		       env->argv[n]);
    }
    cr_assert(strcmp(env->argv[5], "SENDER=-oQ/tmp/x__id_@evil.example") == 0,
	      "%s", env->argv[5]);
    cr_assert_str_eq(env->argv[6], "RECIPIENT=bob+__reboot_@example.com");
    cr_assert_str_eq(env->argv[9], "EXTENSION=__reboot_");
    cr_assert_null(env->argv[env->argc]);
    cr_assert_eq(local_spawn_validate(&(struct local_spawn_req) {
	1000, 1000, "cat", "/", env, 0, 10}, 0, st.address), -1,
	"stdin is not a regular file");
    argv_free(env);
    local_state_free(&st);
}

Test(command, spawn_validation)
{
    struct argv *env = argv_alloc(4);
    struct vstr *why = vstr_alloc(10);
    int     fd = memfd_create("t", MFD_CLOEXEC);
    struct local_spawn_req req = {1000, 1000, "cat", "/home/u", env, fd, 10};

    argv_add(env, "HOME=/home/u");
    cr_assert_eq(local_spawn_validate(&req, 0, why), 0, "%s", vstr_str(why));
    req.uid = 0;
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    req.uid = 1000;
    req.gid = 0;
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    req.gid = 1000;
    cr_assert_eq(local_spawn_validate(&req, 2000, why), -1, "other uid");
    req.command = "cat\nrm -rf /";
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    req.command = "";
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    req.command = "cat";
    req.home = "relative";
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    req.home = "/";
    req.time_limit = 0;
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    req.time_limit = 10;
    argv_add(env, "LD_PRELOAD");
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1, "no '='");
    argv_free(env);
    req.env = env = argv_alloc(4);
    argv_add(env, "lower=x");
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    argv_free(env);
    req.env = env = argv_alloc(4);
    argv_add(env, "X=a\x1b[2J");
    cr_assert_eq(local_spawn_validate(&req, 0, why), -1);
    close(fd);
    argv_free(env);
    vstr_free(why);
}

Test(command, exit_status_mapping)
{
    struct local_result r;
    static const struct {
	int     status, timed_out, want;
	const char *dsn;
    }       cases[] = {
	{0, 0, MAIL_STAT_OK, "2.0.0"},
	{75, 0, MAIL_STAT_DEFER, "4.3.0"},
	{71, 0, MAIL_STAT_DEFER, "4.3.0"},
	{67, 0, MAIL_STAT_BOUNCE, "5.1.1"},
	{77, 0, MAIL_STAT_BOUNCE, "5.7.0"},
	{1, 0, MAIL_STAT_BOUNCE, "5.3.0"},
	{255, 0, MAIL_STAT_BOUNCE, "5.3.0"},
	{-9, 0, MAIL_STAT_DEFER, "4.3.0"},
	{0, 1, MAIL_STAT_DEFER, "4.3.0"},
    };
    size_t  n;

    for (n = 0; n < ARRAY_LEN(cases); n++) {
	local_result_init(&r);
	cr_assert_eq(local_command_status(cases[n].status, cases[n].timed_out,
					  "some output", &r, "cmd"),
		     cases[n].want, "case %zu", n);
	cr_assert_str_eq(vstr_str(r.dsn), cases[n].dsn, "case %zu", n);
	if (cases[n].status == 1)
	    cr_assert_not_null(strstr(vstr_str(r.why), "some output"));
	local_result_free(&r);
    }
}

/* run - a command through the spawn helper */

static int
run(const char *cmd, long limit, const char *input,
    struct local_spawn_reply *reply, uid_t uid, gid_t gid)
{
    struct argv *env = argv_alloc(4);
    struct vstr *why = vstr_alloc(10);
    int     fd = memfd_create("in", MFD_CLOEXEC);
    struct local_spawn_req req = {uid, gid, cmd, "/", env, fd, limit};
    int     rc;

    argv_add(env, "PATH=/usr/bin:/bin");
    argv_add(env, "SENDER=x@y");
    cr_assert_eq(write(fd, input, strlen(input)), (ssize_t) strlen(input));
    lseek(fd, 0, SEEK_SET);
    rc = local_spawn_request(&req, reply, why);
    close(fd);
    argv_free(env);
    vstr_free(why);
    return (rc);
}

Test(command, spawn_helper_runs_as_user)
{
    struct local_spawn_reply reply;
    struct vstr *why = vstr_alloc(10);
    struct passwd *pw = getpwnam("nobody");
    uid_t   uid = geteuid() == 0 ? pw->pw_uid : geteuid();
    gid_t   gid = geteuid() == 0 ? pw->pw_gid : getegid();
    struct vstr *want = vstr_alloc(10);

    reply.output = vstr_alloc(10);
    cr_assert_eq(local_spawn_start(why), 0, "%s", vstr_str(why));
    cr_assert_eq(run("echo $(id -u) $SENDER $HOME; cat; env | wc -l", 10,
		     "stdin text\n", &reply, uid, gid), 0);
    cr_assert_eq(reply.status, 0);
    vstr_sprintf(want, "%ld x@y ", (long) uid);
    cr_assert(strncmp(vstr_str(reply.output), vstr_str(want),
		      vstr_len(want)) == 0, "%s", vstr_str(reply.output));
    cr_assert_not_null(strstr(vstr_str(reply.output), "stdin text"));
    cr_assert_null(strchr(vstr_str(reply.output), '\n'));
    /* PATH, SENDER and the PWD that sh sets: nothing inherited. */
    cr_assert(strcmp(vstr_str(reply.output) + vstr_len(reply.output) - 2,
		     " 3") == 0, "%s", vstr_str(reply.output));
    cr_assert_eq(run("echo oops >&2; exit 75", 10, "", &reply, uid, gid), 0);
    cr_assert_eq(reply.status, 75);
    cr_assert_str_eq(vstr_str(reply.output), "oops");
    cr_assert_eq(run("sleep 5", 1, "", &reply, uid, gid), 0);
    cr_assert_eq(reply.timed_out, 1);
    if (geteuid() == 0) {
	cr_assert_eq(run("id", 10, "", &reply, 0, 0), 0);
	cr_assert_eq(reply.status, 78, "root refused by the helper");
    }
    vstr_free(reply.output);
    vstr_free(why);
    vstr_free(want);
}

/* whoami - in the child: report uid, gid, groups */

static int
whoami(void *ctx UNUSED, struct vstr *data, struct vstr *why UNUSED)
{
    uid_t   r, e, s;
    gid_t   groups[8];

    getresuid(&r, &e, &s);
    vstr_sprintf(data, "%ld %ld %ld %ld %d %d", (long) r, (long) e, (long) s,
		 (long) getegid(), getgroups(8, groups), setuid(0) == 0);
    return (MAIL_STAT_OK);
}

Test(command, child_drops_privileges)
{
    struct local_priv priv;
    struct vstr *why = vstr_alloc(10);
    struct vstr *data = vstr_alloc(10);
    struct vstr *want = vstr_alloc(10);

    if (geteuid() != 0)
	cr_skip_test("needs root");
    cr_assert_eq(local_priv_default(&priv, why), 0, "%s", vstr_str(why));
    cr_assert_eq(local_child_run(&priv, whoami, 0, data, why), MAIL_STAT_OK,
		 "%s", vstr_str(why));
    vstr_sprintf(want, "%ld %ld %ld %ld 1 0", (long) priv.uid, (long) priv.uid,
		 (long) priv.uid, (long) priv.gid);
    cr_assert_str_eq(vstr_str(data), vstr_str(want));
    cr_assert_eq(geteuid(), 0, "the parent keeps root");
    local_priv_free(&priv);
    vstr_free(why);
    vstr_free(data);
    vstr_free(want);
}

/* crash - a child that dies */

static int
crash(void *ctx UNUSED, struct vstr *data UNUSED, struct vstr *why UNUSED)
{
    abort();
}

Test(command, dead_child_is_a_failure)
{
    struct local_priv priv = {geteuid(), getegid(), "me", "/"};
    struct vstr *why = vstr_alloc(10);

    if (geteuid() == 0)
	priv.uid = 65534, priv.gid = 65534;
    cr_assert_eq(local_child_run(&priv, crash, 0, 0, why), -1);
    cr_assert_str_eq(vstr_str(why), "delivery process failed");
    vstr_free(why);
}
