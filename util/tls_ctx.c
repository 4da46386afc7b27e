/*
 * tls_ctx.c - OpenSSL start-up, contexts and error text (see tls.h).
 *
 * The policy is fixed in code, not configurable: TLS 1.2 and up, the
 * server picks the cipher, forward-secret AEAD ciphers first, no
 * compression (CRIME), no renegotiation, no tickets and no session
 * cache (a postern daemon process lives for a few clients only).
 * Everything that reads files (openssl.cnf, the certificate and key)
 * or seeds the random generator happens here, before chroot.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "msg.h"
#include "mymalloc.h"
#include "tls.h"

 /*
  * TLS 1.2 cipher order (TLS 1.3 suites are all good and keep OpenSSL's
  * order). Forward-secret AEAD first; nothing anonymous, export, RC4,
  * 3DES or MD5.
  */
#define TLS_CIPHER_LIST \
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:ECDHE+AES:" \
    "HIGH:!aNULL:!eNULL:!EXPORT:!RC4:!3DES:!MD5:!PSK:!SRP:!CAMELLIA:!ARIA"

#define TLS_ERR_MAX	4		/* error queue entries reported */
#define TLS_ERR_TEXT	256		/* one entry's text */

static int tls_lib_done;

/* tls_error_text - append the OpenSSL error queue, bounded */

void
tls_error_text(struct vstr *why)
{
    char    buf[TLS_ERR_TEXT];
    unsigned long err;
    int     count = 0;

    while ((err = ERR_get_error()) != 0) {
	if (why == NULL || count >= TLS_ERR_MAX)
	    continue;				/* drain the rest */
	ERR_error_string_n(err, buf, sizeof(buf));
	vstr_strcat(why, count++ ? "; " : ": ");
	vstr_strcat(why, buf);
    }
}

/* tls_fail - reason: step, then the error queue */

static int
tls_fail(struct vstr *why, const char *step)
{
    struct vstr *tmp = vstr_alloc(100);

    vstr_strcpy(tmp, step);
    tls_error_text(tmp);
    if (why)
	vstr_strcpy(why, vstr_str(tmp));
    vstr_free(tmp);
    return (-1);
}

/* tls_lib_init - initialise OpenSSL and its random generator once */

int
tls_lib_init(struct vstr *why)
{
    unsigned char junk[32];

    if (tls_lib_done)
	return (0);
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS
			 | OPENSSL_INIT_LOAD_CRYPTO_STRINGS
			 | OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
	return (tls_fail(why, "cannot initialise OpenSSL"));

    /*
     * Seed the DRBG now, while /dev/urandom and friends are reachable;
     * later reseeds use getrandom(2), which works inside the chroot.
     */
    if (RAND_bytes(junk, sizeof(junk)) != 1)
	return (tls_fail(why, "cannot seed the OpenSSL random generator"));
    OPENSSL_cleanse(junk, sizeof(junk));
    tls_lib_done = 1;
    return (0);
}

/* tls_ctx_policy - the options every postern context gets */

static int
tls_ctx_policy(SSL_CTX *ssl_ctx, struct vstr *why)
{
    if (SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION) != 1)
	return (tls_fail(why, "cannot set the minimum TLS version"));
    SSL_CTX_set_options(ssl_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE
			| SSL_OP_NO_COMPRESSION
			| SSL_OP_NO_RENEGOTIATION
			| SSL_OP_NO_TICKET
			| SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
		     | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_clear_mode(ssl_ctx, SSL_MODE_AUTO_RETRY);
    if (SSL_CTX_set_cipher_list(ssl_ctx, TLS_CIPHER_LIST) != 1)
	return (tls_fail(why, "cannot set the cipher list"));
    SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ssl_ctx, 0);
    SSL_CTX_set_dh_auto(ssl_ctx, 1);
    return (0);
}

/* tls_server_ctx_create - server context with certificate chain and key */

struct tls_ctx *
tls_server_ctx_create(const char *cert_file, const char *key_file,
		              struct vstr *why)
{
    struct tls_ctx *ctx;
    SSL_CTX *ssl_ctx;
    struct vstr *step;

    if (cert_file == NULL || *cert_file == 0) {
	vstr_fail(why, "no certificate file");
	return (NULL);
    }
    if (key_file == NULL || *key_file == 0)
	key_file = cert_file;
    if (tls_lib_init(why) < 0)
	return (NULL);
    ERR_clear_error();
    if ((ssl_ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
	tls_fail(why, "cannot create a TLS server context");
	return (NULL);
    }
    step = vstr_alloc(100);
    if (tls_ctx_policy(ssl_ctx, why) < 0)
	goto bad;
    if (SSL_CTX_use_certificate_chain_file(ssl_ctx, cert_file) != 1) {
	vstr_sprintf(step, "cannot load certificate chain from %s", cert_file);
	tls_fail(why, vstr_str(step));
	goto bad;
    }
    if (SSL_CTX_use_PrivateKey_file(ssl_ctx, key_file, SSL_FILETYPE_PEM) != 1) {
	vstr_sprintf(step, "cannot load private key from %s", key_file);
	tls_fail(why, vstr_str(step));
	goto bad;
    }
    if (SSL_CTX_check_private_key(ssl_ctx) != 1) {
	vstr_sprintf(step, "private key in %s does not match the certificate in %s",
		     key_file, cert_file);
	tls_fail(why, vstr_str(step));
	goto bad;
    }
    vstr_free(step);
    ctx = mymalloc(sizeof(*ctx));
    ctx->ssl_ctx = ssl_ctx;
    ctx->server = 1;
    return (ctx);

bad:
    vstr_free(step);
    SSL_CTX_free(ssl_ctx);
    return (NULL);
}

/* tls_ctx_ssl_ctx - the OpenSSL context, for settings not wrapped here */

SSL_CTX *
tls_ctx_ssl_ctx(struct tls_ctx *ctx)
{
    return (ctx->ssl_ctx);
}

/* tls_ctx_free - destroy a context (connections made from it hold a ref) */

void
tls_ctx_free(struct tls_ctx *ctx)
{
    if (ctx == NULL)
	return;
    SSL_CTX_free(ctx->ssl_ctx);
    myfree(ctx);
}
