/*
 * test_attr_clnt.c - attr_clnt against a tiny server in a forked child:
 * request/reply, connection reuse, reconnect after the server closed an
 * idle connection, one deadline against a stalling or trickling server,
 * malformed replies, a wrong protocol announcement, no server at all,
 * and a client on one end of unix_pair().
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "ipc/attr_test.h"
#include "attr_clnt.h"
#include "unix_sock.h"
#include "mail_proto.h"

#define TEST_PROTO	"test_protocol"

static char dir[] = "/tmp/test_attr_clnt.XXXXXX";
static char path[200];
static pid_t child = -1;

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/sock", dir);
}

static void
teardown(void)
{
    if (child > 0) {
	kill(child, SIGKILL);
	waitpid(child, 0, 0);
    }
    unlink(path);
    rmdir(dir);
}

TestSuite(attr_clnt, .init = setup, .fini = teardown);

/* reply_slowly - send a valid reply one byte every 300 ms */

static void
reply_slowly(int fd)
{
    struct vstr *raw = vstr_alloc(100);
    struct vstream *out = vstream_vstropen(raw);
    size_t  i;

    attr_print(out, 0, SEND_ATTR_INT(MAIL_ATTR_STATUS, 0),
	       SEND_ATTR_STR("value", "slow"), SEND_ATTR_INT("conn", 0),
	       ATTR_TYPE_END);
    vstream_close(out);
    for (i = 0; i < vstr_len(raw); i++) {
	if (write(fd, vstr_str(raw) + i, 1) != 1)
	    _exit(1);
	usleep(300000);
    }
}

/* serve_one - answer requests on one connection; 0 closes it */

static int
serve_one(struct vstream *fp, struct attr_list *req, int conn, int *drop_next)
{
    const char *what;
    const struct attr_value *vp;

    if (attr_scan_list(fp, 0, 0, req) < 0 || (what = attr_list_str(req, MAIL_ATTR_REQ)) == 0)
	return (0);
    if (strcmp(what, "close") == 0 || *drop_next)
	return (0);
    if (strcmp(what, "drop_next") == 0)
	*drop_next = 1;
    if (strcmp(what, "stall") == 0) {
	attr_print(fp, ATTR_FLAG_MORE, SEND_ATTR_INT(MAIL_ATTR_STATUS, 0), ATTR_TYPE_END);
	vstream_flush(fp);
	sleep(30);
	return (0);
    }
    if (strcmp(what, "trickle") == 0) {
	reply_slowly(vstream_fd(fp));
	return (1);
    }
    if (strcmp(what, "garbage") == 0) {
	vstream_write(fp, "\377\377\377\377", 4);
	vstream_flush(fp);
	return (1);
    }
    vp = attr_list_find(req, "value");
    attr_print(fp, 0, SEND_ATTR_INT(MAIL_ATTR_STATUS, 0),
	       SEND_ATTR_STR("value", vp && vp->buf ? vstr_str(vp->buf) : "-"),
	       SEND_ATTR_INT("conn", conn), ATTR_TYPE_END);
    if (vstream_flush(fp) != VSTREAM_OK)
	return (0);
    return (strcmp(what, "idle_close") != 0);
}

/* server - fork a child that serves fd (listening, or connected) */

static void
server(int fd, int listening, const char *proto)
{
    struct attr_list *req;
    struct vstream *fp;
    int     conn = 0;
    int     drop_next;
    int     cfd;

    if ((child = fork()) != 0) {
	cr_assert_geq(child, 0);
	close(fd);
	return;
    }
    req = attr_list_alloc();
    for (;;) {
	cfd = listening ? accept(fd, 0, 0) : fd;
	if (cfd < 0)
	    _exit(1);
	fp = vstream_fdopen(cfd, VSTREAM_READ | VSTREAM_WRITE);
	vstream_set_timeout(fp, 10);
	conn++;
	attr_print_protocol(fp, proto);
	drop_next = 0;
	while (serve_one(fp, req, conn, &drop_next))
	     /* void */ ;
	vstream_close(fp);
	if (!listening)
	    _exit(0);
    }
}

/* ask - one request; returns the reply's conn number, or -1 */

static int
ask(struct attr_clnt *cl, const char *what, const char *value)
{
    struct vstr *got = vstr_alloc(10);
    int     status = -1, conn = -1;
    int     ret;

    ret = attr_clnt_request(cl, ATTR_FLAG_NONE,
			    SEND_ATTR_STR(MAIL_ATTR_REQ, what),
			    SEND_ATTR_STR("value", value), ATTR_TYPE_END,
			    ATTR_FLAG_STRICT,
			    RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
			    RECV_ATTR_STR("value", got),
			    RECV_ATTR_INT("conn", &conn), ATTR_TYPE_END);
    if (ret >= 0) {
	cr_assert_eq(ret, 3);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(vstr_str(got), strcmp(what, "trickle") ? value : "slow");
	cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_OK);
    }
    vstr_free(got);
    return (ret < 0 ? -1 : conn);
}

/* start - listen, fork the server, make a client with a 1 s deadline */

static struct attr_clnt *
start(const char *proto)
{
    int     lfd;

    cr_assert_geq(lfd = unix_listen(path, 10, 0600), 0);
    server(lfd, 1, proto);
    return (attr_clnt_create(path, TEST_PROTO, 1));
}

Test(attr_clnt, request_reply_and_reuse)
{
    struct attr_clnt *cl = start(TEST_PROTO);

    cr_assert_eq(ask(cl, "echo", "one"), 1);
    cr_assert_eq(ask(cl, "echo", "two\r\n"), 1, "connection is reused");
    attr_clnt_disconnect(cl);
    cr_assert_eq(ask(cl, "echo", ""), 2);
    attr_clnt_free(cl);
}

Test(attr_clnt, reconnect_after_server_closed_idle_connection)
{
    struct attr_clnt *cl = start(TEST_PROTO);

    cr_assert_eq(ask(cl, "idle_close", "x"), 1);
    usleep(100000);
    cr_assert_eq(ask(cl, "echo", "y"), 2);
    attr_clnt_free(cl);
}

Test(attr_clnt, retry_once_when_cached_connection_drops_request)
{
    struct attr_clnt *cl = start(TEST_PROTO);

    cr_assert_eq(ask(cl, "drop_next", "x"), 1);
    cr_assert_eq(ask(cl, "echo", "y"), 2, "retried on a new connection");
    cr_assert_eq(ask(cl, "drop_next", "x"), 2);
    cr_assert_eq(ask(cl, "close", "y"), -1, "retried once, not more");
    cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_EOF);
    attr_clnt_free(cl);
}

/* timed_ask - ask and check for a timeout within the 1 s deadline */

static void
timed_ask(struct attr_clnt *cl, const char *what)
{
    long long start_ms = mono_ms(), took;

    cr_assert_eq(ask(cl, what, "x"), -1);
    took = mono_ms() - start_ms;
    cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_TIMEOUT);
    cr_assert_geq(took, 900);
    cr_assert_lt(took, 2000, "%s took %lld ms", what, took);
}

Test(attr_clnt, stalling_server_hits_the_deadline)
{
    struct attr_clnt *cl = start(TEST_PROTO);

    timed_ask(cl, "stall");
    attr_clnt_free(cl);
}

Test(attr_clnt, trickling_server_hits_the_deadline)
{
    struct attr_clnt *cl = start(TEST_PROTO);

    timed_ask(cl, "trickle");
    attr_clnt_free(cl);
}

Test(attr_clnt, malformed_reply)
{
    struct attr_clnt *cl = start(TEST_PROTO);

    cr_assert_eq(ask(cl, "garbage", "x"), -1);
    cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_PROTO);
    cr_assert_eq(ask(cl, "echo", "after"), 2, "a failed connection is dropped");
    attr_clnt_free(cl);
}

Test(attr_clnt, server_closes_instead_of_replying)
{
    struct attr_clnt *cl = start(TEST_PROTO);

    cr_assert_eq(ask(cl, "close", "x"), -1);
    cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_EOF);
    attr_clnt_free(cl);
}

Test(attr_clnt, wrong_protocol)
{
    struct attr_clnt *cl = start("other_protocol");

    cr_assert_eq(ask(cl, "echo", "x"), -1);
    cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_PROTO);
    attr_clnt_free(cl);
}

Test(attr_clnt, no_server)
{
    struct attr_clnt *cl = attr_clnt_create(path, TEST_PROTO, 1);

    cr_assert_eq(ask(cl, "echo", "x"), -1);
    cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_CONNECT);
    attr_clnt_free(cl);
}

Test(attr_clnt, over_a_socket_pair)
{
    struct attr_clnt *cl;
    int     fds[2];

    cr_assert_eq(unix_pair(fds), 0);
    server(fds[1], 0, TEST_PROTO);
    cl = attr_clnt_fdopen(fds[0], TEST_PROTO, 1);
    cr_assert_eq(ask(cl, "echo", "a"), 1);
    cr_assert_eq(ask(cl, "echo", "b"), 1);
    cr_assert_eq(ask(cl, "close", "c"), -1);
    cr_assert_eq(ask(cl, "echo", "d"), -1, "a pair cannot reconnect");
    cr_assert_eq(attr_clnt_status(cl), ATTR_CLNT_CONNECT);
    attr_clnt_free(cl);
}
