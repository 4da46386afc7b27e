/*
 * test_tls_conn.c - the TLS wrapper over a socketpair with a forked
 * OpenSSL client: handshake (certificate chain verified by the client),
 * line I/O through the vstream hooks both ways, bulk data through
 * partial writes, the handshake deadline against a silent client, the
 * stream deadline after the handshake, clients that speak plaintext or
 * TLS 1.1, renegotiation refused, no clear text after free, and
 * context errors (missing file, key that does not match).
 */
#include <errno.h>

#include "tls_test.h"
#include "tls.h"
#include "vstream.h"
#include "vstr.h"

#define BULK	(300 * 1024)

TestSuite(tls_conn, .init = tt_setup, .fini = tt_teardown, .timeout = 30);

/* server_start - server context and handshake on fd */

static struct tls_conn *
server_start(int fd, struct vstream **sp, int timeout, struct vstr *why)
{
    struct tls_ctx *ctx = tls_server_ctx_create(tt_chain, tt_key, why);
    struct tls_conn *conn;

    cr_assert_not_null(ctx, "%s", vstr_str(why));
    *sp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_timeout(*sp, 5);
    conn = tls_conn_start(ctx, *sp, timeout, why);
    tls_ctx_free(ctx);				/* conn keeps a reference */
    return (conn);
}

/* client_chat - EHLO, expect a reply, close cleanly */

static int
client_chat(int fd)
{
    SSL    *ssl = tt_client_connect(tt_client_ctx(0), fd);
    char    buf[100];
    int     n;

    if (ssl == NULL)
	return (10);
    if (SSL_write(ssl, "EHLO client\r\n", 13) != 13)
	return (11);
    if ((n = SSL_read(ssl, buf, sizeof(buf) - 1)) <= 0)
	return (12);
    buf[n] = 0;
    if (strcmp(buf, "250 hello\r\n") != 0)
	return (13);
    SSL_shutdown(ssl);
    return (0);
}

Test(tls_conn, handshake_chain_and_line_io)
{
    struct vstr *why = vstr_alloc(10), *line = vstr_alloc(10);
    struct vstream *sp;
    struct tls_conn *conn;
    int     fd;
    pid_t   pid = tt_fork(&fd, client_chat);

    conn = server_start(fd, &sp, 5, why);
    cr_assert_not_null(conn, "%s", vstr_str(why));
    cr_assert_str_eq(tls_conn_version(conn), "TLSv1.3");
    cr_assert(strlen(tls_conn_cipher(conn)) > 4);
    cr_assert_geq(tls_conn_cipher_bits(conn), 128);
    tls_conn_attach(conn, sp);
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(line), "EHLO client\r\n");
    cr_assert_eq(vstream_pending(sp), 0);
    vstream_puts(sp, "250 hello\r\n");
    cr_assert_eq(vstream_flush(sp), VSTREAM_OK);
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_EOF);
    cr_assert_eq(tt_wait(pid), 0);
    tls_conn_free(conn);
    vstream_close(sp);
    vstr_free(why);
    vstr_free(line);
}

/* client_bulk - read BULK bytes, check them, send them back */

static int
client_bulk(int fd)
{
    SSL    *ssl = tt_client_connect(tt_client_ctx(0), fd);
    unsigned char *buf = malloc(BULK);
    size_t  got = 0, i;
    int     n;

    if (ssl == NULL || buf == NULL)
	return (10);
    while (got < BULK) {
	if ((n = SSL_read(ssl, buf + got, (int) (BULK - got))) <= 0)
	    return (11);
	got += (size_t) n;
    }
    for (i = 0; i < BULK; i++)
	if (buf[i] != (unsigned char) (i % 251))
	    return (12);
    sleep(1);					/* let the server's reads wait */
    for (got = 0; got < BULK; got += (size_t) n)
	if ((n = SSL_write(ssl, buf + got, (int) (BULK - got))) <= 0)
	    return (13);
    SSL_shutdown(ssl);
    return (0);
}

Test(tls_conn, bulk_both_ways_through_partial_writes)
{
    struct vstr *why = vstr_alloc(10), *in = vstr_alloc(10);
    unsigned char *buf = malloc(BULK);
    struct vstream *sp;
    struct tls_conn *conn;
    size_t  i;
    int     fd;
    pid_t   pid = tt_fork(&fd, client_bulk);

    cr_assert_not_null(conn = server_start(fd, &sp, 5, why), "%s", vstr_str(why));
    tls_conn_attach(conn, sp);
    for (i = 0; i < BULK; i++)
	buf[i] = (unsigned char) (i % 251);
    cr_assert_eq(vstream_write(sp, buf, BULK), VSTREAM_OK);
    cr_assert_eq(vstream_flush(sp), VSTREAM_OK);
    cr_assert_eq(vstream_read_vstr(sp, in, BULK), VSTREAM_OK);
    cr_assert_eq(vstr_len(in), BULK);
    cr_assert(memcmp(vstr_str(in), buf, BULK) == 0);
    cr_assert_eq(vstream_getc(sp), VSTREAM_EOF);
    cr_assert_eq(tt_wait(pid), 0);
    tls_conn_free(conn);
    vstream_close(sp);
    free(buf);
    vstr_free(why);
    vstr_free(in);
}

/* client_silent - connect and say nothing */

static int
client_silent(int fd)
{
    char    c;

    /* Returns when the server gives up and closes. */
    return (read(fd, &c, 1) == 0 ? 0 : 1);
}

Test(tls_conn, stalled_handshake_times_out)
{
    struct vstr *why = vstr_alloc(10);
    struct vstream *sp;
    long long start = tt_now_ms(), ms;
    int     fd;
    pid_t   pid = tt_fork(&fd, client_silent);

    cr_assert_null(server_start(fd, &sp, 1, why));
    ms = tt_now_ms() - start;
    cr_assert_geq(ms, 900, "gave up after %lld ms", ms);
    cr_assert_lt(ms, 3000, "gave up after %lld ms", ms);
    cr_assert_not_null(strstr(vstr_str(why), "timed out"), "%s", vstr_str(why));
    vstream_close(sp);
    cr_assert_eq(tt_wait(pid), 0);
    vstr_free(why);
}

/* client_trickle - send the first bytes of a ClientHello, then stall */

static int
client_trickle(int fd)
{
    static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    size_t  i;
    char    c;

    for (i = 0; i < sizeof(hello); i++) {
	if (write(fd, hello + i, 1) != 1)
	    return (0);
	usleep(300 * 1000);
    }
    return (read(fd, &c, 1) <= 0 ? 0 : 1);
}

Test(tls_conn, trickled_handshake_cut_at_deadline)
{
    struct vstr *why = vstr_alloc(10);
    struct vstream *sp;
    long long start = tt_now_ms(), ms;
    int     fd;
    pid_t   pid = tt_fork(&fd, client_trickle);

    cr_assert_null(server_start(fd, &sp, 1, why));
    ms = tt_now_ms() - start;
    cr_assert_lt(ms, 2500, "gave up after %lld ms: %s", ms, vstr_str(why));
    vstream_close(sp);
    cr_assert_eq(tt_wait(pid), 0);
    vstr_free(why);
}

/* client_plaintext - talk SMTP instead of TLS */

static int
client_plaintext(int fd)
{
    char    buf[100];

    if (write(fd, "EHLO client.example\r\n", 21) != 21)
	return (1);
    while (read(fd, buf, sizeof(buf)) > 0)
	 /* alert bytes */ ;
    return (0);
}

Test(tls_conn, plaintext_client_fails_fast)
{
    struct vstr *why = vstr_alloc(10);
    struct vstream *sp;
    long long start = tt_now_ms();
    int     fd;
    pid_t   pid = tt_fork(&fd, client_plaintext);

    cr_assert_null(server_start(fd, &sp, 5, why));
    cr_assert_lt(tt_now_ms() - start, 2000);
    cr_assert_not_null(strstr(vstr_str(why), "handshake failed"), "%s", vstr_str(why));
    cr_assert_gt(strlen(vstr_str(why)), strlen("TLS handshake failed: "));
    vstream_close(sp);
    cr_assert_eq(tt_wait(pid), 0);
    vstr_free(why);
}

/* client_tls11 - a client that offers at most TLS 1.1 */

static int
client_tls11(int fd)
{
    return (tt_client_connect(tt_client_ctx(TLS1_1_VERSION), fd) == NULL ? 0 : 1);
}

Test(tls_conn, tls11_refused)
{
    struct vstr *why = vstr_alloc(10);
    struct vstream *sp;
    int     fd;
    pid_t   pid = tt_fork(&fd, client_tls11);

    cr_assert_null(server_start(fd, &sp, 5, why));
    vstream_close(sp);
    cr_assert_eq(tt_wait(pid), 0, "the TLS 1.1 client got through");
    vstr_free(why);
}

/* client_tls12 - TLS 1.2 works, with a forward-secret AEAD cipher */

static int
client_tls12(int fd)
{
    SSL    *ssl = tt_client_connect(tt_client_ctx(TLS1_2_VERSION), fd);

    if (ssl == NULL)
	return (1);
    SSL_shutdown(ssl);
    return (0);
}

Test(tls_conn, tls12_accepted_with_ecdhe)
{
    struct vstr *why = vstr_alloc(10);
    struct vstream *sp;
    struct tls_conn *conn;
    int     fd;
    pid_t   pid = tt_fork(&fd, client_tls12);

    cr_assert_not_null(conn = server_start(fd, &sp, 5, why), "%s", vstr_str(why));
    cr_assert_str_eq(tls_conn_version(conn), "TLSv1.2");
    cr_assert(strncmp(tls_conn_cipher(conn), "ECDHE-", 6) == 0, "%s",
	      tls_conn_cipher(conn));
    cr_assert_not_null(strstr(tls_conn_cipher(conn), "GCM"), "%s", tls_conn_cipher(conn));
    cr_assert_eq(tt_wait(pid), 0);
    tls_conn_free(conn);
    vstream_close(sp);
    vstr_free(why);
}

/* client_renegotiate - TLS 1.2, then try to renegotiate */

static int
client_renegotiate(int fd)
{
    SSL    *ssl = tt_client_connect(tt_client_ctx(TLS1_2_VERSION), fd);
    char    buf[10];

    if (ssl == NULL)
	return (10);
    if (SSL_renegotiate(ssl) != 1)
	return (11);
    if (SSL_do_handshake(ssl) == 1 && SSL_read(ssl, buf, sizeof(buf)) > 0)
	return (12);				/* renegotiated: bad */
    return (SSL_renegotiate_pending(ssl) ? 0 : 13);
}

Test(tls_conn, renegotiation_refused)
{
    struct vstr *why = vstr_alloc(10), *line = vstr_alloc(10);
    struct vstream *sp;
    struct tls_conn *conn;
    int     fd, st;
    pid_t   pid = tt_fork(&fd, client_renegotiate);

    cr_assert_not_null(conn = server_start(fd, &sp, 5, why), "%s", vstr_str(why));
    tls_conn_attach(conn, sp);
    st = vstream_read_line(sp, line, 512);
    cr_assert(st == VSTREAM_EOF || st == VSTREAM_ERR, "status %d", st);
    cr_assert_eq(tt_wait(pid), 0);
    tls_conn_free(conn);
    vstream_close(sp);
    vstr_free(why);
    vstr_free(line);
}

/* client_stall - handshake, then silence until the server closes */

static int
client_stall(int fd)
{
    SSL    *ssl = tt_client_connect(tt_client_ctx(0), fd);
    char    buf[100];
    int     n;

    if (ssl == NULL)
	return (10);
    /* After the server's deadline: EOF, never clear text. */
    n = (int) read(fd, buf, sizeof(buf));
    return (n <= 0 ? 0 : (buf[0] == 0x17 || buf[0] == 0x15) ? 0 : 12);
}

Test(tls_conn, read_deadline_after_handshake_and_dead_stream)
{
    struct vstr *why = vstr_alloc(10), *line = vstr_alloc(10);
    struct vstream *sp, *sp2;
    struct tls_conn *conn;
    long long start;
    int     fd;
    pid_t   pid = tt_fork(&fd, client_stall);

    cr_assert_not_null(conn = server_start(fd, &sp, 5, why), "%s", vstr_str(why));
    tls_conn_attach(conn, sp);
    vstream_set_timeout(sp, 1);
    start = tt_now_ms();
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_TIMEOUT);
    cr_assert_lt(tt_now_ms() - start, 2500);

    /* A fresh stream on the same fd, TLS freed: no clear text goes out. */
    sp2 = vstream_fdopen(fd, VSTREAM_WRITE);
    tls_conn_attach(conn, sp2);
    tls_conn_free(conn);
    vstream_puts(sp2, "250 plaintext leak\r\n");
    cr_assert_neq(vstream_flush(sp2), VSTREAM_OK);
    vstream_free(sp2);
    vstream_close(sp);
    cr_assert_eq(tt_wait(pid), 0);
    vstr_free(why);
    vstr_free(line);
}

Test(tls_conn, context_errors)
{
    struct vstr *why = vstr_alloc(10);
    char    missing[200];

    snprintf(missing, sizeof(missing), "%s/missing.pem", tt_dir);
    cr_assert_null(tls_server_ctx_create(missing, tt_key, why));
    cr_assert_not_null(strstr(vstr_str(why), "cannot load certificate chain"), "%s", vstr_str(why));
    cr_assert_null(tls_server_ctx_create(tt_chain, missing, why));
    cr_assert_not_null(strstr(vstr_str(why), "cannot load private key"), "%s", vstr_str(why));
    cr_assert_null(tls_server_ctx_create(tt_chain, tt_other_key, why));
    cr_assert(strstr(vstr_str(why), "does not match")
	      || strstr(vstr_str(why), "mismatch"), "%s", vstr_str(why));
    cr_assert_null(tls_server_ctx_create(tt_key, tt_key, why));
    cr_assert_null(tls_server_ctx_create("", tt_key, why));
    cr_assert_eq(ERR_peek_error(), 0, "error queue left behind");
    vstr_free(why);
}
