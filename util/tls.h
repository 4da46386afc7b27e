/*
 * tls.h - a small OpenSSL wrapper for the SMTP server (and client):
 *	contexts, connections bound to a vstream, error text.
 *
 * SYNOPSIS
 *	#include "tls.h"
 *
 *	int	tls_lib_init(struct vstr *why);
 *	struct tls_ctx *tls_server_ctx_create(const char *cert_file,
 *			const char *key_file, struct vstr *why);
 *	struct tls_ctx *tls_client_ctx_create(const char *CAfile,
 *			const char *cert_file, const char *key_file,
 *			struct vstr *why);
 *	int	tls_client_set_peer(struct tls_conn *conn, const char *host,
 *			struct vstr *why);
 *	int	tls_client_verified(struct tls_conn *conn, struct vstr *why);
 *	SSL_CTX	*tls_ctx_ssl_ctx(struct tls_ctx *ctx);
 *	void	tls_ctx_free(struct tls_ctx *ctx);
 *
 *	struct tls_conn *tls_conn_create(struct tls_ctx *ctx, int fd,
 *			struct vstr *why);
 *	SSL	*tls_conn_ssl(struct tls_conn *conn);
 *	int	tls_conn_handshake(struct tls_conn *conn, int timeout,
 *			struct vstr *why);
 *	void	tls_conn_attach(struct tls_conn *conn, struct vstream *stream);
 *	struct tls_conn *tls_conn_start(struct tls_ctx *ctx,
 *			struct vstream *stream, int timeout, struct vstr *why);
 *	const char *tls_conn_version(struct tls_conn *conn);
 *	const char *tls_conn_cipher(struct tls_conn *conn);
 *	int	tls_conn_cipher_bits(struct tls_conn *conn);
 *	int	tls_conn_shutdown(struct tls_conn *conn, int timeout);
 *	void	tls_conn_free(struct tls_conn *conn);
 *
 *	ssize_t	tls_conn_read(int fd, void *buf, size_t len, void *conn);
 *	ssize_t	tls_conn_write(int fd, void *buf, size_t len, void *conn);
 *
 *	void	tls_error_text(struct vstr *why);
 *
 * DESCRIPTION
 *	tls_lib_init() initialises OpenSSL once per process (library,
 *	error strings, configuration, and the random generator, with one
 *	RAND_bytes() call so that entropy is gathered now). Call it before
 *	chroot and the sandbox; calling it again is a no-op.
 *
 *	tls_server_ctx_create() makes a server context: the certificate
 *	chain from cert_file (PEM, leaf first), the private key from
 *	key_file (PEM; may be the same file), checked to match. Policy:
 *	TLS 1.2 minimum, server cipher preference, forward-secret ciphers
 *	first, no compression, no renegotiation, no session tickets and
 *	no session cache (each process is short-lived).
 *	tls_client_ctx_create() (tls_client.c) makes a client context:
 *	trust anchors from CAfile (PEM; the system default paths when
 *	empty), an optional client certificate and key, TLS 1.2 minimum,
 *	no compression, renegotiation or tickets. It never aborts a
 *	handshake for verification: tls_client_set_peer() (before the
 *	handshake) sets SNI and the host name the certificate must match,
 *	tls_client_verified() (after it) returns 1 when the chain and that
 *	name verified, else 0 with the reason in why. Everything below
 *	works for either role.
 *	tls_ctx_ssl_ctx() gives the OpenSSL context for settings not
 *	wrapped here.
 *
 *	tls_conn_create() makes a connection object on a connected socket
 *	(the role comes from the context). tls_conn_ssl() gives the SSL
 *	object for per-connection settings (SNI, host name checks) before
 *	the handshake. tls_conn_handshake() puts fd in non-blocking mode
 *	and runs the handshake, waiting with poll() for what OpenSSL asks
 *	(read or write); the whole handshake must finish within timeout
 *	seconds (0: no limit).
 *
 *	tls_conn_attach() makes the stream read and write through TLS
 *	(vstream_set_io with tls_conn_read/tls_conn_write). The hooks map
 *	"want read/write" to errno EAGAIN so that the stream's poll() and
 *	deadline apply; when a read needs a write first (or a write a
 *	read) the hook waits for that itself, at most the handshake
 *	timeout. tls_conn_start() is create + handshake + attach; it
 *	returns NULL (reason in why) on failure, the stream untouched.
 *
 *	tls_conn_version() and tls_conn_cipher() name the protocol
 *	("TLSv1.3") and cipher ("TLS_AES_256_GCM_SHA384") after the
 *	handshake; tls_conn_cipher_bits() its strength.
 *
 *	tls_conn_shutdown() sends close_notify (without waiting for the
 *	peer's), within timeout seconds. tls_conn_free() frees; a stream
 *	still attached is switched to I/O functions that always fail, so
 *	that nothing is ever sent or read in clear text on it again.
 *
 *	tls_error_text() appends OpenSSL's error queue (at most a few
 *	entries, bounded length) to why and empties the queue.
 *
 * DIAGNOSTICS
 *	Constructors return NULL, and int functions -1, with the reason in
 *	why (when not NULL): the failing step and the OpenSSL error text.
 *	The I/O hooks log TLS protocol errors with msg_warn() and fail
 *	with errno EPROTO; a clean close, or the peer closing the socket,
 *	reads as end of file.
 *
 * SECURITY
 *	The caller must drop any plaintext buffered before the handshake
 *	(vstream_discard_pending: CVE-2011-0411). Renegotiation, a way to
 *	make a server do expensive work and to splice sessions, is off.
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <sys/types.h>
#include <openssl/ssl.h>

#include "vstr.h"
#include "vstream.h"

struct tls_ctx;
struct tls_conn;

extern int tls_lib_init(struct vstr *);
extern struct tls_ctx *tls_server_ctx_create(const char *, const char *,
					             struct vstr *);
extern struct tls_ctx *tls_client_ctx_create(const char *, const char *,
					             const char *, struct vstr *);
extern int tls_client_set_peer(struct tls_conn *, const char *, struct vstr *);
extern int tls_client_verified(struct tls_conn *, struct vstr *);
extern SSL_CTX *tls_ctx_ssl_ctx(struct tls_ctx *);
extern void tls_ctx_free(struct tls_ctx *);

extern struct tls_conn *tls_conn_create(struct tls_ctx *, int, struct vstr *);
extern SSL *tls_conn_ssl(struct tls_conn *);
extern int tls_conn_handshake(struct tls_conn *, int, struct vstr *);
extern void tls_conn_attach(struct tls_conn *, struct vstream *);
extern struct tls_conn *tls_conn_start(struct tls_ctx *, struct vstream *,
				               int, struct vstr *);
extern const char *tls_conn_version(struct tls_conn *);
extern const char *tls_conn_cipher(struct tls_conn *);
extern int tls_conn_cipher_bits(struct tls_conn *);
extern int tls_conn_shutdown(struct tls_conn *, int);
extern void tls_conn_free(struct tls_conn *);

extern ssize_t tls_conn_read(int, void *, size_t, void *);
extern ssize_t tls_conn_write(int, void *, size_t, void *);

extern void tls_error_text(struct vstr *);

 /*
  * tls_ctx.c internal, shared with tls_conn.c.
  */
struct tls_ctx {
    SSL_CTX *ssl_ctx;
    int     server;			/* role of connections made from it */
};

#endif
