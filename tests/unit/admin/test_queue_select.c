/*
 * test_queue_select.c - the queue selectors (--from, --to, --domain,
 * --older-than, --status, --reason) table-driven against a hand-made
 * queue tree, their option errors, and `postern hold/release/requeue/
 * delete` through cmd_super_run(): --dry-run output (golden) changes
 * nothing, hold and release move files, an active message is refused,
 * a failed requeue leaves the message where it was; `postern cat` of a
 * good, a damaged and a symlinked queue file.
 */
#include "atest.h"
#include "queue_select.h"

TestSuite(select, .init = at_setup, .fini = at_teardown);

static char *ids[5];			/* A B C D E, see make_tree() */

 /* E's ID sorts before the others: listings show it first. */
static char cfdir[80];

/* make_tree - the messages of every test; E is a damaged file */

static void
make_tree(void)
{
    static const char *const ra[] = {"bob@example.com", "carol@other.org", 0};
    static const char *const rb[] = {"dave@example.com", 0};
    static const char *const rc[] = {"eve@third.net", "frank@example.com", 0};
    static const char *const rd[] = {"gina@other.org", 0};
    static const char *const la[] = {"carol@other.org",
    "connect to mx.other.org: Connection refused"};
    static const char *const ld[] = {"gina@other.org", "451 greylisted"};
    long    now = (long) time(0);
    char    path[120];
    FILE   *fp;

    ids[0] = at_msg(MAIL_QUEUE_DEFERRED, 1606646496L, "alice@example.com", ra, 0);
    ids[1] = at_msg(MAIL_QUEUE_INCOMING, now, "", rb, 0);
    ids[2] = at_msg(MAIL_QUEUE_HOLD, now - 3600, "alice@example.com", rc, 1);
    ids[3] = at_msg(MAIL_QUEUE_ACTIVE, 1606646497L, "Zed@Example.COM", rd, 0);
    ids[4] = mystrdup("1kjK9A00001c");
    at_write_file(at_path(MAIL_QUEUE_DEFERRED, ids[4]), "garbage\n", 8);
    at_defer_log(ids[0], la, 1);
    at_defer_log(ids[3], ld, 1);
    (void) snprintf(cfdir, sizeof(cfdir), "%s/etc", at_qdir);
    cr_assert_eq(mkdir(cfdir, 0700), 0);
    (void) snprintf(path, sizeof(path), "%s/main.cf", cfdir);
    fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fprintf(fp, "queue_directory = %s\nmail_owner = root\n", at_qdir);
    cr_assert_eq(fclose(fp), 0);
    admin_config_dir = cfdir;
}

/* pick - the letters of the messages that a selector list lists */

static void
pick(const char *args, char *letters)
{
    struct queue_select sel;
    struct vstr *why = vstr_alloc(10);
    struct vstr *out = vstr_alloc(100);
    struct vstream *fp = vstream_vstropen(out);
    char   *copy = mystrdup(args);
    char   *argv[20];
    char   *cp = copy;
    int     argc = 1;
    int     i;

    argv[0] = "queue";
    while (argc < 19 && (argv[argc] = strsep(&cp, " ")) != 0)
	argc++;
    queue_select_init(&sel);
    cr_assert_eq(queue_select_parse(&sel, argc, argv, why), 0, "%s: %s", args,
		 vstr_str(why));
    cr_assert_eq(cmd_queue_select(at_qdir, 1, &sel, fp, why), 0, "%s",
		 vstr_str(why));
    (void) vstream_flush(fp);
    for (i = 0; i < 5; i++)
	if (strstr(vstr_str(out), ids[i]))
	    *letters++ = (char) ('A' + i);
    *letters = 0;
    queue_select_free(&sel);
    vstream_free(fp);
    vstr_free(out);
    vstr_free(why);
    myfree(copy);
}

Test(select, table)
{
    static const struct {
	const char *args;
	const char *want;
    }       rows[] = {
	{"--from alice@example.com", "AC"},
	{"--from=ALICE@EXAMPLE.COM", "AC"},
	{"--from <>", "B"},
	{"--from zed@example.com", "D"},
	{"--to carol@other.org", "A"},
	{"--to eve@third.net", ""},	/* delivered already */
	{"--to FRANK@example.com", "C"},
	{"--domain other.org", "AD"},
	{"--domain @example.com", "ABC"},
	{"--domain example", ""},
	{"--older-than 1d", "ADE"},
	{"--older-than 30m", "ACDE"},
	{"--older-than 0", "ABCDE"},
	{"--status hold", "C"},
	{"--status deferred", "AE"},
	{"--status incoming", "B"},
	{"--status active --domain other.org", "D"},
	{"--reason refused$", "A"},
	{"--reason grey|refused", "AD"},
	{"--reason ^4[0-9]{2}", "D"},
	{"--reason nothing-like-this", ""},
	{"--from alice@example.com --domain example.com --status deferred", "A"},
	{"--from alice@example.com --older-than 1d", "A"},
    };
    char    got[8];
    size_t  i;

    make_tree();
    for (i = 0; i < ARRAY_LEN(rows); i++) {
	pick(rows[i].args, got);
	cr_expect_str_eq(got, rows[i].want, "%s", rows[i].args);
    }
}

Test(select, bad_options)
{
    static const char *const rows[] = {
	"--older-than 5x", "--older-than -1", "--older-than", "--status bounce",
	"--status", "--reason (", "--reason [a", "--colour red", "--from",
    };
    struct queue_select sel;
    struct vstr *why = vstr_alloc(10);
    char   *argv[4];
    char   *copy;
    char   *cp;
    size_t  i;
    int     argc;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
	copy = cp = mystrdup(rows[i]);
	argv[0] = "queue";
	argc = 1;
	while (argc < 3 && (argv[argc] = strsep(&cp, " ")) != 0)
	    argc++;
	queue_select_init(&sel);
	vstr_reset(why);
	cr_expect_eq(queue_select_parse(&sel, argc, argv, why), -1, "%s",
		     rows[i]);
	cr_expect_gt(vstr_len(why), 0, "%s", rows[i]);
	queue_select_free(&sel);
	myfree(copy);
    }
    vstr_free(why);
}

Test(select, args_and_options_mixed)
{
    static char *argv[] = {"hold", "ID1", "--dry-run", "--json", "-",
    "--to=a@b", "--", "--from", 0};
    struct queue_select sel;
    struct vstr *why = vstr_alloc(10);

    queue_select_init(&sel);
    cr_assert_eq(queue_select_parse(&sel, 8, argv, why), 0, "%s", vstr_str(why));
    cr_assert(sel.dry_run && sel.json && sel.any);
    cr_assert_str_eq(sel.to, "a@b");
    cr_assert_eq(sel.nargs, 3);
    cr_assert_str_eq(sel.args[0], "ID1");
    cr_assert_str_eq(sel.args[1], "-");
    cr_assert_str_eq(sel.args[2], "--from");
    queue_select_free(&sel);
    vstr_free(why);
}

/* run - cmd_super_run(verb, args) with stdout captured; the exit code */

static int
run(const char *verb, const char *args, struct vstr *out)
{
    struct queue_select sel;
    struct vstr *why = vstr_alloc(10);
    char   *copy = mystrdup(args);
    char   *argv[20];
    char   *cp = copy;
    char    buf[4096];
    FILE   *tmp = tmpfile();
    ssize_t n;
    int     argc = 1;
    int     saved = dup(STDOUT_FILENO);
    int     ret;

    cr_assert_not_null(tmp);
    argv[0] = (char *) verb;
    while (argc < 19 && (argv[argc] = strsep(&cp, " ")) != 0)
	argc++;
    queue_select_init(&sel);
    cr_assert_eq(queue_select_parse(&sel, argc, argv, why), 0, "%s",
		 vstr_str(why));
    (void) fflush(stdout);
    cr_assert_geq(dup2(fileno(tmp), STDOUT_FILENO), 0);
    ret = cmd_super_run(verb, &sel);
    (void) fflush(stdout);
    cr_assert_geq(dup2(saved, STDOUT_FILENO), 0);
    (void) close(saved);
    vstr_reset(out);
    cr_assert_eq(lseek(fileno(tmp), 0, SEEK_SET), 0);
    while ((n = read(fileno(tmp), buf, sizeof(buf))) > 0)
	vstr_memcat(out, buf, (size_t) n);
    (void) fclose(tmp);
    queue_select_free(&sel);
    vstr_free(why);
    myfree(copy);
    return (ret);
}

/* golden - expected text with A..E replaced by the queue IDs */

static const char *
golden(const char *fmt)
{
    static struct vstr *buf;
    const char *cp;

    if (buf == 0)
	buf = vstr_alloc(100);
    vstr_reset(buf);
    for (cp = fmt; *cp; cp++) {
	if (*cp == '%' && cp[1] >= 'A' && cp[1] <= 'E')
	    vstr_strcat(buf, ids[*++cp - 'A']);
	else
	    vstr_addch(buf, *cp);
    }
    return (vstr_str(buf));
}

Test(select, dry_run_golden_changes_nothing)
{
    struct vstr *out = vstr_alloc(100);

    make_tree();
    cr_assert_eq(run("hold", "--domain other.org --dry-run", out), 0);
    cr_assert_str_eq(vstr_str(out), golden("would hold: %A (deferred)\n"));
    cr_assert_eq(run("delete", "ALL --dry-run", out), 0);
    cr_assert_str_eq(vstr_str(out), golden(
			"would delete: %B (incoming)\n"
			"would delete: %D (active)\n"
			"would delete: %E (deferred)\n"
			"would delete: %A (deferred)\n"
			"would delete: %C (hold)\n"));
    cr_assert_eq(run("release", "--dry-run --json ALL", out), 0);
    cr_assert_str_eq(vstr_str(out), golden(
			"{\"action\": \"release\", \"queue_id\": \"%C\","
			" \"queue_name\": \"hold\", \"dry_run\": true}\n"));
    cr_assert_eq(run("requeue", "--from alice@example.com --dry-run", out), 0);
    cr_assert_str_eq(vstr_str(out), golden(
			"would requeue: %A (deferred)\n"
			"would requeue: %C (hold)\n"));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_INCOMING, ids[1])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_HOLD, ids[2])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_ACTIVE, ids[3])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[4])));
    vstr_free(out);
}

Test(select, hold_and_release)
{
    struct vstr *out = vstr_alloc(100);
    char    args[100];
    struct stat st;
    time_t  now = time(0);

    make_tree();
    (void) snprintf(args, sizeof(args), "%s %s", ids[0], ids[1]);
    cr_assert_eq(run("hold", args, out), 0);
    cr_assert_str_eq(vstr_str(out), "");
    cr_assert(at_exists(at_path(MAIL_QUEUE_HOLD, ids[0])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_HOLD, ids[1])));
    cr_assert(!at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFER, ids[0])));	/* reasons kept */

    /* An active message is refused by ID, skipped by ALL. */
    cr_assert_eq(run("hold", ids[3], out), 1);
    cr_assert(at_exists(at_path(MAIL_QUEUE_ACTIVE, ids[3])));
    cr_assert_eq(run("hold", "ALL --json", out), 0);
    cr_assert_str_eq(vstr_str(out), golden(
			"{\"action\": \"hold\", \"queue_id\": \"%E\","
			" \"queue_name\": \"deferred\", \"dry_run\": false}\n"));
    cr_assert(at_exists(at_path(MAIL_QUEUE_ACTIVE, ids[3])));

    /* Release by selector: to deferred/, due now (qmgr not running). */
    cr_assert_eq(run("release", "--from alice@example.com", out), 0);
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[2])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_HOLD, ids[1])));
    cr_assert_eq(lstat(at_path(MAIL_QUEUE_DEFERRED, ids[2]), &st), 0);
    cr_assert_geq(st.st_mtime, now);
    cr_assert_eq(run("release", ids[0], out), 1);		/* not held */
    cr_assert_eq(run("release", "ALL", out), 0);
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[1])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[4])));
    vstr_free(out);
}

Test(select, requeue_failure_keeps_message)
{
    struct vstr *out = vstr_alloc(100);

    make_tree();
    /* No cleanup listening: the message goes back where it was. */
    cr_assert_eq(run("requeue", ids[0], out), 1);
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    cr_assert(!at_exists(at_path(MAIL_QUEUE_HOLD, ids[0])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFER, ids[0])));
    cr_assert_eq(run("requeue", ids[2], out), 1);
    cr_assert(at_exists(at_path(MAIL_QUEUE_HOLD, ids[2])));
    cr_assert_eq(run("requeue", ids[3], out), 1);		/* active */
    cr_assert(at_exists(at_path(MAIL_QUEUE_ACTIVE, ids[3])));
    vstr_free(out);
}

Test(select, delete_by_selector)
{
    struct vstr *out = vstr_alloc(100);

    make_tree();
    cr_assert_eq(run("delete", "--reason greylisted", out), 0);
    cr_assert(!at_exists(at_path(MAIL_QUEUE_ACTIVE, ids[3])));
    cr_assert(!at_exists(at_path(MAIL_QUEUE_DEFER, ids[3])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    cr_assert_eq(run("delete", "--status deferred --json", out), 0);
    cr_assert_str_eq(vstr_str(out), golden(
			"{\"action\": \"delete\", \"queue_id\": \"%E\","
			" \"queue_name\": \"deferred\", \"dry_run\": false}\n"
			"{\"action\": \"delete\", \"queue_id\": \"%A\","
			" \"queue_name\": \"deferred\", \"dry_run\": false}\n"));
    cr_assert(!at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_HOLD, ids[2])));
    vstr_free(out);
}

/* cat - cmd_cat_main(argv) with stdout captured; the exit code */

static int
cat(char **argv, int argc, struct vstr *out)
{
    FILE   *tmp = tmpfile();
    char    buf[4096];
    ssize_t n;
    int     saved = dup(STDOUT_FILENO);
    int     ret;

    cr_assert_not_null(tmp);
    (void) fflush(stdout);
    cr_assert_geq(dup2(fileno(tmp), STDOUT_FILENO), 0);
    ret = cmd_cat_main(argc, argv);
    (void) fflush(stdout);
    cr_assert_geq(dup2(saved, STDOUT_FILENO), 0);
    (void) close(saved);
    vstr_reset(out);
    cr_assert_eq(lseek(fileno(tmp), 0, SEEK_SET), 0);
    while ((n = read(fileno(tmp), buf, sizeof(buf))) > 0)
	vstr_memcat(out, buf, (size_t) n);
    (void) fclose(tmp);
    return (ret);
}

Test(select, cat_good_damaged_and_hostile)
{
    struct vstr *out = vstr_alloc(100);
    char   *argv[3] = {"cat", 0, 0};
    char   *jargv[3] = {"cat", "--json", 0};
    const char *link_id = "1kjK9B00001d";

    make_tree();
    argv[1] = ids[2];
    cr_assert_eq(cat(argv, 2, out), 0);
    cr_assert(strstr(vstr_str(out), golden("*** ENVELOPE RECORDS hold/%C ***\n"
					   "message_size: 18\n")) != 0);
    cr_assert(strstr(vstr_str(out), "sender: alice@example.com\n"
		     "done_recipient: eve@third.net\n"
		     "recipient: frank@example.com\n") != 0, "%s",
	      vstr_str(out));
    cr_assert(strstr(vstr_str(out), golden(
			"*** MESSAGE CONTENTS hold/%C ***\nSubject: hi\n\nbody\n"
			"*** END OF MESSAGE ***\n")) != 0, "%s", vstr_str(out));

    jargv[2] = ids[1];
    cr_assert_eq(cat(jargv, 3, out), 0);
    cr_assert(strstr(vstr_str(out), "\"sender\": \"\"") != 0, "%s",
	      vstr_str(out));
    cr_assert(strstr(vstr_str(out), "\"recipients\": [{\"address\":"
		     " \"dave@example.com\", \"done\": false}]}\n") != 0);

    argv[1] = ids[4];				/* garbage */
    cr_assert_eq(cat(argv, 2, out), 1);
    cr_assert_eq(vstr_len(out), 0);

    cr_assert_eq(symlink("/etc/passwd", at_path(MAIL_QUEUE_HOLD, link_id)), 0);
    argv[1] = (char *) link_id;
    cr_assert_eq(cat(argv, 2, out), 1);
    cr_assert_eq(vstr_len(out), 0);

    argv[1] = "../../etc/passwd";
    cr_assert_eq(cat(argv, 2, out), 1);
    argv[1] = "1xXdAw1Vpgk6Hh";			/* not there */
    cr_assert_eq(cat(argv, 2, out), 1);
    vstr_free(out);
}

Test(select, move_never_replaces)
{
    struct vstr *out = vstr_alloc(100);

    make_tree();
    at_write_file(at_path(MAIL_QUEUE_HOLD, ids[0]), "other\n", 6);
    cr_assert_eq(run("hold", ids[0], out), 1);
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    cr_assert_eq(run("release", "--dry-run ALL", out), 0);
    cr_assert_str_eq(vstr_str(out), golden("would release: %A (hold)\n"
					   "would release: %C (hold)\n"));
    cr_assert_eq(run("release", ids[0], out), 1);	/* deferred/ has it */
    cr_assert(at_exists(at_path(MAIL_QUEUE_HOLD, ids[0])));
    cr_assert(at_exists(at_path(MAIL_QUEUE_DEFERRED, ids[0])));
    vstr_free(out);
}
