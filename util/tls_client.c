/*
 * tls_client.c - the client side of the OpenSSL wrapper (see tls.h):
 * a client context with the trust anchors (smtp_tls_CAfile) and an
 * optional client certificate, the peer name for SNI and the host name
 * check, and the verdict after the handshake.
 *
 * Verification never aborts the handshake: the handshake completes and
 * the caller decides from tls_client_verified() (SSL_get_verify_result
 * covers the chain and, through SSL_set1_host, the host name), so that
 * "may" and "encrypt" use the same connection and "verify" defers with
 * a clear reason.
 */
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "msg.h"
#include "mymalloc.h"
#include "tls.h"

/* tls_client_fail - reason: step, then the OpenSSL error queue */

static struct tls_ctx *
tls_client_fail(SSL_CTX *ssl_ctx, struct vstr *why, const char *step)
{
    if (why)
	vstr_strcpy(why, step);
    tls_error_text(why);			/* appends, or drains */
    if (ssl_ctx)
	SSL_CTX_free(ssl_ctx);
    return (NULL);
}

/* tls_client_ctx_create - client context: trust anchors, optional cert */

struct tls_ctx *
tls_client_ctx_create(const char *CAfile, const char *cert_file,
		              const char *key_file, struct vstr *why)
{
    struct tls_ctx *ctx;
    SSL_CTX *ssl_ctx;

    if (tls_lib_init(why) < 0)
	return (NULL);
    ERR_clear_error();
    if ((ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
	return (tls_client_fail(0, why, "cannot create a TLS client context"));
    if (SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION) != 1)
	return (tls_client_fail(ssl_ctx, why, "cannot set the TLS version"));
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION
			| SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
		     | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_clear_mode(ssl_ctx, SSL_MODE_AUTO_RETRY);
    SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_NONE, NULL);
    if (CAfile && *CAfile) {
	if (SSL_CTX_load_verify_locations(ssl_ctx, CAfile, NULL) != 1)
	    return (tls_client_fail(ssl_ctx, why, "cannot load the CA file"));
    } else if (SSL_CTX_set_default_verify_paths(ssl_ctx) != 1) {
	return (tls_client_fail(ssl_ctx, why, "cannot load default CA paths"));
    }
    if (cert_file && *cert_file) {
	if (key_file == NULL || *key_file == 0)
	    key_file = cert_file;
	if (SSL_CTX_use_certificate_chain_file(ssl_ctx, cert_file) != 1
	    || SSL_CTX_use_PrivateKey_file(ssl_ctx, key_file,
					   SSL_FILETYPE_PEM) != 1
	    || SSL_CTX_check_private_key(ssl_ctx) != 1)
	    return (tls_client_fail(ssl_ctx, why,
				    "cannot load the client certificate"));
    }
    ctx = mymalloc(sizeof(*ctx));
    ctx->ssl_ctx = ssl_ctx;
    ctx->server = 0;
    return (ctx);
}

/* tls_client_set_peer - SNI and the name the certificate must match */

int
tls_client_set_peer(struct tls_conn *conn, const char *host, struct vstr *why)
{
    SSL    *ssl = tls_conn_ssl(conn);

    if (host == NULL || *host == 0)
	return (0);
    if (strspn(host, "0123456789.") == strlen(host) || strchr(host, ':')) {
	if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1) {
	    vstr_fail(why, "cannot set the TLS peer address");
	    tls_error_text(why);
	    return (-1);
	}
	return (0);				/* no SNI for an address */
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, host) != 1) {
	vstr_fail(why, "cannot set the TLS peer name");
	tls_error_text(why);
	return (-1);
    }
    (void) SSL_set_tlsext_host_name(ssl, host);
    return (0);
}

/* tls_client_verified - 1 chain and host name verified, else 0 + why */

int
tls_client_verified(struct tls_conn *conn, struct vstr *why)
{
    SSL    *ssl = tls_conn_ssl(conn);
    X509   *peer;
    long    rc;

    if ((peer = SSL_get1_peer_certificate(ssl)) == NULL) {
	vstr_fail(why, "no server certificate");
	return (0);
    }
    X509_free(peer);
    if ((rc = SSL_get_verify_result(ssl)) != X509_V_OK) {
	vstr_fail(why, "server certificate not verified: %s",
		  X509_verify_cert_error_string(rc));
	return (0);
    }
    return (1);
}
