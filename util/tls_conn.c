/*
 * tls_conn.c - one TLS connection on a socket: handshake with a
 * deadline, and the read/write hooks that put a vstream on top of it
 * (see tls.h).
 *
 * The socket is non-blocking. OpenSSL's "want read" / "want write"
 * become errno EAGAIN, so the stream's own poll() and per-operation
 * deadline govern the wait. The rare opposite case (a read that must
 * first write, a write that must first read) is waited for here, for
 * at most the connection's timeout, since the stream would poll for
 * the wrong event.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>

#include "iostuff.h"
#include "msg.h"
#include "mymalloc.h"
#include "tls.h"

struct tls_conn {
    SSL    *ssl;
    int     fd;
    int     timeout;			/* seconds, 0: none */
    struct vstream *stream;		/* attached, or NULL */
};

/* tls_now_ms - monotonic clock in milliseconds */

static long long
tls_now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	msg_fatal("clock_gettime: %m");
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* tls_wait - poll fd for events until deadline_ms (0: forever) */

static int
tls_wait(int fd, short events, long long deadline_ms)
{
    struct pollfd pfd;
    long long left;
    int     n;

    for (;;) {
	left = -1;
	if (deadline_ms > 0 && (left = deadline_ms - tls_now_ms()) <= 0) {
	    errno = ETIMEDOUT;
	    return (-1);
	}
	pfd.fd = fd;
	pfd.events = events;
	pfd.revents = 0;
	n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int) left);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0)
	    return (-1);
	if (n > 0)
	    return (0);				/* ready, hangup or error */
    }
}

/* tls_deadline - deadline in ms for a timeout in seconds, 0 for none */

static long long
tls_deadline(int timeout)
{
    return (timeout > 0 ? tls_now_ms() + (long long) timeout * 1000 : 0);
}

/* tls_conn_create - connection object on a connected socket */

struct tls_conn *
tls_conn_create(struct tls_ctx *ctx, int fd, struct vstr *why)
{
    struct tls_conn *conn;
    SSL    *ssl;

    ERR_clear_error();
    if ((ssl = SSL_new(ctx->ssl_ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
	vstr_fail(why, "cannot create a TLS connection");
	tls_error_text(why);
	SSL_free(ssl);
	return (NULL);
    }
    if (ctx->server)
	SSL_set_accept_state(ssl);
    else
	SSL_set_connect_state(ssl);
    conn = mycalloc(1, sizeof(*conn));
    conn->ssl = ssl;
    conn->fd = fd;
    return (conn);
}

/* tls_conn_ssl - the SSL object, for settings before the handshake */

SSL *
tls_conn_ssl(struct tls_conn *conn)
{
    return (conn->ssl);
}

/* tls_conn_handshake - run the handshake within timeout seconds */

int
tls_conn_handshake(struct tls_conn *conn, int timeout, struct vstr *why)
{
    long long deadline = tls_deadline(timeout);
    int     ret, err;

    conn->timeout = timeout > 0 ? timeout : 0;
    if (non_blocking(conn->fd, NON_BLOCKING) < 0)
	return (vstr_fail(why, "cannot make the socket non-blocking: %m"));
    for (;;) {
	ERR_clear_error();
	if ((ret = SSL_do_handshake(conn->ssl)) == 1)
	    return (0);
	switch (err = SSL_get_error(conn->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
	    if (tls_wait(conn->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			 deadline) < 0)
		return (vstr_fail(why, errno == ETIMEDOUT ?
				  "TLS handshake timed out" :
				  "TLS handshake: poll: %m"));
	    continue;
	case SSL_ERROR_SYSCALL:
	    if (ERR_peek_error() == 0) {
		if (ret == 0 || errno == 0)
		    return (vstr_fail(why, "TLS handshake: lost connection"));
		return (vstr_fail(why, "TLS handshake: %m"));
	    }
	    /* FALLTHROUGH */
	default:
	    vstr_fail(why, "TLS handshake failed");
	    tls_error_text(why);
	    return (-1);
	}
    }
}

/* tls_conn_io_error - map a failed SSL_read/SSL_write; 1 means retry */

static int
tls_conn_io_error(struct tls_conn *conn, int ret, const char *op)
{
    struct vstr *why;
    int     saved;

    switch (SSL_get_error(conn->ssl, ret)) {
    case SSL_ERROR_WANT_READ:
	if (op[0] == 'w')			/* a write that must read */
	    break;
	errno = EAGAIN;
	return (-1);
    case SSL_ERROR_WANT_WRITE:
	if (op[0] == 'r')			/* a read that must write */
	    break;
	errno = EAGAIN;
	return (-1);
    case SSL_ERROR_ZERO_RETURN:
	return (0);
    case SSL_ERROR_SYSCALL:
	if (ERR_peek_error() == 0) {
	    saved = errno;
	    if (ret == 0 || saved == 0)
		return (0);			/* peer closed the socket */
	    errno = saved;
	    return (-1);
	}
	/* FALLTHROUGH */
    default:
	why = vstr_alloc(100);
	vstr_sprintf(why, "TLS %s error", op);
	tls_error_text(why);
	msg_warn("%s", vstr_str(why));
	vstr_free(why);
	errno = EPROTO;
	return (-1);
    }

    /*
     * The opposite direction is needed first: wait for it here.
     */
    if (tls_wait(conn->fd, op[0] == 'r' ? POLLOUT : POLLIN,
		 tls_deadline(conn->timeout)) < 0)
	return (-1);
    return (1);
}

/* tls_conn_read - vstream read hook */

ssize_t
tls_conn_read(int fd UNUSED, void *buf, size_t len, void *context)
{
    struct tls_conn *conn = context;
    int     ret;

    if (len > INT_MAX)
	len = INT_MAX;
    for (;;) {
	ERR_clear_error();
	if ((ret = SSL_read(conn->ssl, buf, (int) len)) > 0)
	    return (ret);
	if ((ret = tls_conn_io_error(conn, ret, "read")) != 1)
	    return (ret);
    }
}

/* tls_conn_write - vstream write hook */

ssize_t
tls_conn_write(int fd UNUSED, void *buf, size_t len, void *context)
{
    struct tls_conn *conn = context;
    int     ret;

    if (len == 0)
	return (0);
    if (len > INT_MAX)
	len = INT_MAX;
    for (;;) {
	ERR_clear_error();
	if ((ret = SSL_write(conn->ssl, buf, (int) len)) > 0)
	    return (ret);
	if ((ret = tls_conn_io_error(conn, ret, "write")) != 1) {
	    if (ret == 0) {			/* no EOF on write */
		errno = EPIPE;
		ret = -1;
	    }
	    return (ret);
	}
    }
}

/* tls_dead_io - I/O hook of a stream whose TLS connection is gone */

static ssize_t
tls_dead_io(int fd UNUSED, void *buf UNUSED, size_t len UNUSED,
	            void *context UNUSED)
{
    errno = EPIPE;
    return (-1);
}

/* tls_conn_attach - make the stream read and write through TLS */

void
tls_conn_attach(struct tls_conn *conn, struct vstream *stream)
{
    conn->stream = stream;
    vstream_set_io(stream, tls_conn_read, tls_conn_write, conn);
}

/* tls_conn_start - create, handshake, attach */

struct tls_conn *
tls_conn_start(struct tls_ctx *ctx, struct vstream *stream, int timeout,
	               struct vstr *why)
{
    struct tls_conn *conn;

    if ((conn = tls_conn_create(ctx, vstream_fd(stream), why)) == NULL)
	return (NULL);
    if (tls_conn_handshake(conn, timeout, why) < 0) {
	tls_conn_free(conn);
	return (NULL);
    }
    tls_conn_attach(conn, stream);
    return (conn);
}

/* tls_conn_version - protocol name */

const char *
tls_conn_version(struct tls_conn *conn)
{
    return (SSL_get_version(conn->ssl));
}

/* tls_conn_cipher - cipher name */

const char *
tls_conn_cipher(struct tls_conn *conn)
{
    const char *name = SSL_get_cipher_name(conn->ssl);

    return (name ? name : "unknown");
}

/* tls_conn_cipher_bits - cipher strength */

int
tls_conn_cipher_bits(struct tls_conn *conn)
{
    return (SSL_get_cipher_bits(conn->ssl, NULL));
}

/* tls_conn_shutdown - send close_notify within timeout seconds */

int
tls_conn_shutdown(struct tls_conn *conn, int timeout)
{
    long long deadline = tls_deadline(timeout);
    int     ret, err;

    if (!SSL_is_init_finished(conn->ssl))
	return (-1);
    for (;;) {
	ERR_clear_error();
	if ((ret = SSL_shutdown(conn->ssl)) >= 0) {
	    ERR_clear_error();
	    return (0);				/* sent; not waiting for the peer */
	}
	err = SSL_get_error(conn->ssl, ret);
	if ((err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ)
	    || tls_wait(conn->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			deadline) < 0) {
	    ERR_clear_error();
	    return (-1);
	}
    }
}

/* tls_conn_free - destroy; an attached stream can no longer do I/O */

void
tls_conn_free(struct tls_conn *conn)
{
    if (conn == NULL)
	return;
    if (conn->stream)
	vstream_set_io(conn->stream, tls_dead_io, tls_dead_io, NULL);
    SSL_free(conn->ssl);
    myfree(conn);
}
