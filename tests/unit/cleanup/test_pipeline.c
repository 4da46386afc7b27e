/*
 * test_pipeline.c - the whole cleanup service over a socketpair: a child
 * process runs cleanup_serve() on a temporary queue tree, the test is
 * the client (cleanup_proto.h) and reads the queue file back with the
 * queue reader. Covers header additions, hop count, header size, the
 * envelope rewriting end to end, duplicates, ORCPT, hostile streams and
 * a full disk (RLIMIT_FSIZE): no file is ever left behind on failure.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "ctest.h"
#include "attr.h"
#include "cleanup_proto.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "record.h"
#include "unix_sock.h"

static char qdir[] = "/tmp/ctest-pipe.XXXXXX";
static struct cleanup_maps maps;
static long fsize_limit;		/* child: RLIMIT_FSIZE, 0 = none */
static const char *read_queue = "incoming";	/* where to find the file */

struct result {
    int     status;
    struct vstr *qid;
    struct vstr *why;
    struct queue_env env;		/* read back from the queue file */
    struct argv *lines;
};

static struct result res;

static void
setup(void)
{
    ct_config();
    signal(SIGPIPE, SIG_IGN);
    ct_queue_make(qdir);
    memset(&maps, 0, sizeof(maps));
    memset(&res, 0, sizeof(res));
    res.qid = vstr_alloc(10);
    res.why = vstr_alloc(10);
    res.lines = argv_alloc(10);
    queue_env_init(&res.env);
}

static void
teardown(void)
{
    ct_queue_remove(qdir);
    cleanup_maps_close(&maps);
    vstr_free(res.qid);
    vstr_free(res.why);
    argv_free(res.lines);
    queue_env_free(&res.env);
}

TestSuite(pipeline, .init = setup, .fini = teardown);

/* server - the child: one cleanup session */

static void
server(int fd)
{
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    struct rlimit rl;

    signal(SIGXFSZ, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    if (fsize_limit > 0) {
	rl.rlim_cur = rl.rlim_max = (rlim_t) fsize_limit;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
	    _exit(2);
    }
    vstream_set_timeout(fp, 10);
    cleanup_serve(fp, &maps, qdir);
    (void) vstream_close(fp);
    _exit(0);
}

/* read_back - the committed file, into res.env and res.lines */

static void
read_back(void)
{
    struct vstr *rel = vstr_alloc(10);
    struct vstr *path = vstr_alloc(10);
    struct vstr *line = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct queue_reader *r;
    int     st;

    cr_assert_eq(mail_queue_path(rel, read_queue, vstr_str(res.qid)), 0,
		 "queue ID \"%s\"", vstr_str(res.qid));
    vstr_sprintf(path, "%s/%s", qdir, vstr_str(rel));
    r = queue_read_open(vstr_str(path), 0, why);
    cr_assert_not_null(r, "%s", vstr_str(why));
    queue_env_free(&res.env);
    cr_assert_eq(queue_read_envelope(r, &res.env, why), 0, "%s", vstr_str(why));
    while ((st = queue_read_line(r, line, 0, why)) == QUEUE_LINE)
	argv_addn(res.lines, vstr_str(line), vstr_len(line));
    cr_assert_eq(st, QUEUE_END, "%s", vstr_str(why));
    queue_read_close(r);
    vstr_free(rel);
    vstr_free(path);
    vstr_free(line);
    vstr_free(why);
}

/*
 * run - send env + lines (cut after `cut` bytes of the record stream when
 * cut > 0), read the reply into res; the file is read back when OK.
 * Returns 0 when a reply arrived.
 */
static int
run_raw(int flags, struct queue_env *env, const char **lines, int n,
	        const char *extra, size_t extra_len)
{
    struct vstream *fp;
    struct queue_out out;
    struct vstr *why = vstr_alloc(10);
    int     fds[2];
    int     status;
    int     i;
    int     got;
    pid_t   pid;

    cr_assert_eq(unix_pair(fds), 0);
    if ((pid = fork()) == 0) {
	close(fds[0]);
	server(fds[1]);
    }
    cr_assert(pid > 0);
    close(fds[1]);
    fp = vstream_fdopen(fds[0], VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_timeout(fp, 10);
    cr_assert_eq(attr_scan_protocol(fp, MAIL_PROTO_CLEANUP), 0);
    cr_assert_eq(attr_print(fp, ATTR_FLAG_NONE,
			    SEND_ATTR_INT(MAIL_ATTR_FLAGS, flags),
			    ATTR_TYPE_END), 0);
    queue_out_init(&out, fp);
    cr_assert_eq(queue_out_envelope(&out, env, why), 0, "%s", vstr_str(why));
    for (i = 0; i < n; i++)
	cr_assert_eq(queue_out_text(&out, lines[i], strlen(lines[i]), 0, why), 0);
    if (extra) {				/* hostile tail, then close */
	vstream_write(fp, extra, extra_len);
	vstream_flush(fp);
	shutdown(fds[0], SHUT_WR);
    } else {
	/* The size patch fails on a socket; the records are all sent. */
	(void) queue_out_finish(&out, why);
	cr_assert_eq(vstream_flush(fp), VSTREAM_OK);
    }
    queue_out_done(&out);
    got = attr_scan(fp, ATTR_FLAG_STRICT,
		    RECV_ATTR_INT(MAIL_ATTR_STATUS, &res.status),
		    RECV_ATTR_STR(MAIL_ATTR_QUEUEID, res.qid),
		    RECV_ATTR_STR(MAIL_ATTR_WHY, res.why), ATTR_TYPE_END);
    (void) vstream_close(fp);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d", status);
    vstr_free(why);
    if (got == 3 && res.status == MAIL_STAT_OK)
	read_back();
    return (got == 3 ? 0 : -1);
}

static int
run(int flags, struct queue_env *env, const char **lines, int n)
{
    return (run_raw(flags, env, lines, n, 0, 0));
}

/* simple_env - sender and one recipient */

static void
simple_env(struct queue_env *env, const char *sender, const char *rcpt)
{
    queue_env_init(env);
    env->sender = mystrdup(sender);
    env->client_name = mystrdup("client.example.org");
    env->client_addr = mystrdup("192.0.2.7");
    env->protocol = mystrdup("ESMTP");
    queue_env_add_rcpt(env, rcpt, 0, 0);
}

/* find_line - index of the first line starting with prefix, or -1 */

static int
find_line(const char *prefix)
{
    size_t  i;

    for (i = 0; i < res.lines->argc; i++)
	if (strncmp(res.lines->argv[i], prefix, strlen(prefix)) == 0)
	    return ((int) i);
    return (-1);
}

Test(pipeline, adds_message_id_and_date)
{
    struct queue_env env;
    const char *lines[] = {"Received: from x by y", "Subject: hi", "",
    "body line", "Message-ID: <in-body@example>"};
    int     i;

    simple_env(&env, "a@example.org", "b@example.com");
    cr_assert_eq(run(0, &env, lines, 5), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    cr_assert(mail_queue_id_ok(vstr_str(res.qid)));
    cr_assert_str_eq(vstr_str(res.why), "");
    cr_assert_str_eq(res.env.sender, "a@example.org");
    cr_assert_eq(res.env.rcpt_count, 1);
    cr_assert_str_eq(res.env.rcpt[0].address, "b@example.com");
    cr_assert_null(res.env.rcpt[0].orcpt);
    cr_assert_str_eq(res.env.client_addr, "192.0.2.7");
    cr_assert_eq(res.lines->argc, 7);
    cr_assert_str_eq(res.lines->argv[0], "Received: from x by y");
    cr_assert_str_eq(res.lines->argv[1], "Subject: hi");
    /* Added at the end of the header block, before the empty line. */
    i = find_line("Message-ID: <");
    cr_assert_eq(i, 2);
    cr_assert(strstr(res.lines->argv[i], vstr_str(res.qid)) != 0);
    cr_assert(strstr(res.lines->argv[i], "@mx.example.com>") != 0);
    cr_assert_eq(find_line("Date: "), 3);
    cr_assert_eq(find_line("From:"), -1, "From: only for local submission");
    cr_assert_str_eq(res.lines->argv[4], "");
    cr_assert_str_eq(res.lines->argv[5], "body line");
    cr_assert_eq(ct_queue_files(qdir), 1);
    queue_env_free(&env);
}

Test(pipeline, keeps_existing_headers_and_adds_from_locally)
{
    struct queue_env env;
    const char *lines[] = {"Message-Id: <x@y>", "DATE: Mon, 1 Jan 2024 00:00:00 +0000",
    "Bcc: secret@example.org", "To: b@example.com", "no blank line before the body"};

    simple_env(&env, "joe", "b@example.com");
    cr_assert_eq(run(CLEANUP_FLAG_LOCAL, &env, lines, 5), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    cr_assert_str_eq(res.env.sender, "joe@example.com");
    cr_assert_eq(find_line("Message-ID"), -1);
    cr_assert_eq(find_line("Date"), -1);
    cr_assert_eq(find_line("Bcc"), -1, "Bcc: removed on local submission");
    cr_assert_str_eq(res.lines->argv[0], "Message-Id: <x@y>");
    cr_assert_str_eq(res.lines->argv[2], "To: b@example.com");
    cr_assert_str_eq(res.lines->argv[3], "From: joe@example.com");
    cr_assert_str_eq(res.lines->argv[4], "");
    cr_assert_str_eq(res.lines->argv[5], "no blank line before the body");
    queue_env_free(&env);
}

Test(pipeline, null_sender_from_is_mailer_daemon)
{
    struct queue_env env;
    const char *lines[] = {"Subject: bounce"};

    simple_env(&env, "", "b@example.com");
    cr_assert_eq(run(CLEANUP_FLAG_LOCAL, &env, lines, 1), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    cr_assert_str_eq(res.env.sender, "");
    cr_assert(find_line("From: MAILER-DAEMON") > 0);
    queue_env_free(&env);
}

/* hops - a message with n Received: headers */

static void
hops(int n, int want)
{
    struct queue_env env;
    const char **lines = mymalloc((size_t) (n + 2) * sizeof(*lines));
    int     i;

    for (i = 0; i < n; i++)
	lines[i] = "Received: from a by b";
    lines[n] = "";
    lines[n + 1] = "body";
    simple_env(&env, "a@example.org", "b@example.com");
    cr_assert_eq(run(0, &env, lines, n + 2), 0);
    cr_assert_eq(res.status, want, "%d hops: %s", n, vstr_str(res.why));
    if (want == MAIL_STAT_REJECT) {
	cr_assert_str_eq(vstr_str(res.why), "5.4.0 Error: too many hops");
	cr_assert_str_eq(vstr_str(res.qid), "");
	cr_assert_eq(ct_queue_files(qdir), 0);
    }
    myfree(lines);
    queue_env_free(&env);
}

Test(pipeline, hop_count)
{
    hops(50, MAIL_STAT_OK);
}

Test(pipeline, hop_count_exceeded)
{
    hops(51, MAIL_STAT_REJECT);
}

Test(pipeline, received_in_body_does_not_count)
{
    struct queue_env env;
    const char *lines[60];
    int     i;

    lines[0] = "Subject: x";
    lines[1] = "";
    for (i = 2; i < 60; i++)
	lines[i] = "Received: quoted in the body";
    simple_env(&env, "a@example.org", "b@example.com");
    cr_assert_eq(run(0, &env, lines, 60), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    queue_env_free(&env);
}

Test(pipeline, header_size_limit)
{
    struct queue_env env;
    char   *big = mymalloc(20000);
    const char *lines[] = {"Subject: x", big, "", "body"};

    var_header_limit = 10000;
    memset(big, 'a', 19999);
    big[19999] = 0;
    memcpy(big, "X-Big: ", 7);
    simple_env(&env, "a@example.org", "b@example.com");
    cr_assert_eq(run(0, &env, lines, 4), 0);
    cr_assert_eq(res.status, MAIL_STAT_REJECT);
    cr_assert(strncmp(vstr_str(res.why), "5.3.4 ", 6) == 0, "%s", vstr_str(res.why));
    cr_assert_eq(ct_queue_files(qdir), 0);
    /* The same long line in the body is fine. */
    big[1] = ' ';
    cr_assert_eq(run(0, &env, lines, 4), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    cr_assert_eq(find_line("Date:"), 2);
    cr_assert_str_eq(res.lines->argv[3], "");
    cr_assert_str_eq(res.lines->argv[4], big, "a long first body line, intact");
    myfree(big);
    queue_env_free(&env);
}

Test(pipeline, stray_cr_and_lf_replaced)
{
    struct queue_env env;
    const char *lines[] = {"Subject: a\rInjected: 1", "", "x\ry\nz"};

    simple_env(&env, "a@example.org", "b@example.com");
    cr_assert_eq(run(0, &env, lines, 3), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    cr_assert_str_eq(res.lines->argv[0], "Subject: a Injected: 1");
    cr_assert_eq(find_line("Injected"), -1);
    cr_assert(find_line("x y z") > 0);
    queue_env_free(&env);
}

Test(pipeline, rewriting_duplicates_and_orcpt)
{
    struct queue_env env;
    const char *lines[] = {"Subject: x"};

    maps.canon = ct_maps("canonical_maps", "inline:{old@example.com=new@example.com}");
    maps.virt = ct_maps("virtual_alias_maps", "inline:{"
			"{list@example.com = a@example.com, b@example.com}, "
			"{a@example.com = a@example.com, archive@example.com}}");
    simple_env(&env, "old", "list@example.com");
    queue_env_add_rcpt(&env, "A@example.com", "rfc822;given@example.org",
		       QUEUE_NOTIFY_NEVER);
    queue_env_add_rcpt(&env, "b@example.com", 0, QUEUE_NOTIFY_SUCCESS);
    queue_env_add_rcpt(&env, "old", 0, 0);
    cr_assert_eq(run(0, &env, lines, 1), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    cr_assert_str_eq(res.env.sender, "new@example.com");
    cr_assert_eq(res.env.rcpt_count, 4);
    cr_assert_str_eq(res.env.rcpt[0].address, "a@example.com");
    cr_assert_str_eq(res.env.rcpt[0].orcpt, "rfc822;list@example.com");
    cr_assert_str_eq(res.env.rcpt[1].address, "archive@example.com");
    cr_assert_str_eq(res.env.rcpt[2].address, "b@example.com");
    cr_assert_eq(res.env.rcpt[2].notify, 0, "the first duplicate wins");
    cr_assert_str_eq(res.env.rcpt[3].address, "new@example.com");
    cr_assert_str_eq(res.env.rcpt[3].orcpt, "rfc822;old");
    queue_env_free(&env);
}

Test(pipeline, alias_limit_defers)
{
    struct queue_env env;
    const char *lines[] = {"Subject: x"};

    var_virt_recur_limit = 1;
    maps.virt = ct_maps("virtual_alias_maps",
			"inline:{a@example.com=b@example.com, b@example.com=c@example.com}");
    simple_env(&env, "s@example.org", "a@example.com");
    cr_assert_eq(run(0, &env, lines, 1), 0);
    cr_assert_eq(res.status, MAIL_STAT_DEFER);
    cr_assert_str_eq(vstr_str(res.why), "4.6.0 Alias expansion error");
    cr_assert_eq(ct_queue_files(qdir), 0);
    queue_env_free(&env);
}

Test(pipeline, hold_flag)
{
    struct queue_env env;
    const char *lines[] = {"Subject: x"};

    simple_env(&env, "s@example.org", "a@example.com");
    read_queue = "hold";
    cr_assert_eq(run(CLEANUP_FLAG_HOLD, &env, lines, 1), 0);
    cr_assert_eq(res.status, MAIL_STAT_OK, "%s", vstr_str(res.why));
    cr_assert_str_eq(res.lines->argv[0], "Subject: x");
    queue_env_free(&env);
}

Test(pipeline, message_size_limit)
{
    struct queue_env env;
    const char *lines[] = {"Subject: x", "", "0123456789012345678901234567890123456789"};

    var_message_limit = 40;
    simple_env(&env, "s@example.org", "a@example.com");
    cr_assert_eq(run(0, &env, lines, 3), 0);
    cr_assert_eq(res.status, MAIL_STAT_REJECT);
    cr_assert(strncmp(vstr_str(res.why), "5.3.4 ", 6) == 0);
    cr_assert_eq(ct_queue_files(qdir), 0);
    queue_env_free(&env);
}

Test(pipeline, truncated_stream_leaves_nothing)
{
    struct queue_env env;
    const char *lines[] = {"Subject: x", "", "body"};

    simple_env(&env, "s@example.org", "a@example.com");
    /* An N record header that promises 100 bytes, then end of file. */
    cr_assert_eq(run_raw(0, &env, lines, 3, "N\0\0\0\x64" "abc", 8), 0);
    cr_assert_eq(res.status, MAIL_STAT_DEFER);
    cr_assert_str_eq(vstr_str(res.why), "4.3.0 Error: internal protocol error");
    cr_assert_eq(ct_queue_files(qdir), 0);
    queue_env_free(&env);
}

Test(pipeline, envelope_record_in_content)
{
    struct queue_env env;
    const char *lines[] = {"Subject: x"};

    simple_env(&env, "s@example.org", "a@example.com");
    cr_assert_eq(run_raw(0, &env, lines, 1, "R\0\0\0\x03" "x@y", 8), 0);
    cr_assert_eq(res.status, MAIL_STAT_DEFER);
    cr_assert_eq(ct_queue_files(qdir), 0);
    queue_env_free(&env);
}

Test(pipeline, bad_request_flags)
{
    struct queue_env env;

    simple_env(&env, "s@example.org", "a@example.com");
    cr_assert_eq(run_raw(1 << 20, &env, 0, 0, "", 0), -1, "no reply");
    cr_assert_eq(ct_queue_files(qdir), 0);
    queue_env_free(&env);
}

Test(pipeline, disk_full_defers_and_leaves_nothing)
{
    struct queue_env env;
    const char **lines = mymalloc(2000 * sizeof(*lines));
    int     i;

    for (i = 0; i < 2000; i++)
	lines[i] = "a body line that fills the file before long";
    lines[0] = "Subject: x";
    lines[1] = "";
    fsize_limit = 8192;
    simple_env(&env, "s@example.org", "a@example.com");
    cr_assert_eq(run(0, &env, lines, 2000), 0);
    cr_assert_eq(res.status, MAIL_STAT_DEFER);
    cr_assert_str_eq(vstr_str(res.why), "4.3.0 Error: queue file write error");
    cr_assert_str_eq(vstr_str(res.qid), "");
    cr_assert_eq(ct_queue_files(qdir), 0);
    myfree(lines);
    queue_env_free(&env);
}
