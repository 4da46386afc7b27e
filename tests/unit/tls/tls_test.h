/*
 * tls_test.h - helpers for the TLS tests: a temporary directory with
 * a test CA, a server certificate signed by it and keys (made with the
 * OpenSSL API at test time), a socketpair with a forked client, and a
 * clock.
 */
#ifndef TLS_TEST_H
#define TLS_TEST_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static char tt_dir[64];
static char tt_ca[128], tt_chain[128], tt_key[128], tt_other_key[128];

/* tt_now_ms - monotonic milliseconds */

static inline long long
tt_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* tt_ext - add one X509v3 extension */

static inline void
tt_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    cr_assert_not_null(ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value));
    cr_assert_eq(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* tt_cert - a certificate for key, signed by issuer (NULL: self) */

static inline X509 *
tt_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
	long serial)
{
    X509   *cert = X509_new();
    X509_NAME *name;

    cr_assert_not_null(cert);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			       (const unsigned char *) cn, -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    if (issuer == NULL) {
	tt_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
	tt_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
	tt_ext(cert, issuer, NID_subject_alt_name, "DNS:mail.example.test");
    }
    cr_assert_neq(X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()), 0);
    return (cert);
}

/* tt_write - PEM objects to a file */

static inline void
tt_write(const char *path, X509 *c1, X509 *c2, EVP_PKEY *key)
{
    FILE   *fp = fopen(path, "w");

    cr_assert_not_null(fp, "%s", path);
    if (c1)
	cr_assert_eq(PEM_write_X509(fp, c1), 1);
    if (c2)
	cr_assert_eq(PEM_write_X509(fp, c2), 1);
    if (key)
	cr_assert_eq(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL), 1);
    cr_assert_eq(fclose(fp), 0);
}

/* tt_setup - temp dir with ca.pem, chain.pem (leaf + CA), key.pem */

static inline void
tt_setup(void)
{
    EVP_PKEY *ca_key, *key, *other;
    X509   *ca, *leaf;

    signal(SIGPIPE, SIG_IGN);
    strcpy(tt_dir, "/tmp/postern-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(tt_dir));
    snprintf(tt_ca, sizeof(tt_ca), "%s/ca.pem", tt_dir);
    snprintf(tt_chain, sizeof(tt_chain), "%s/chain.pem", tt_dir);
    snprintf(tt_key, sizeof(tt_key), "%s/key.pem", tt_dir);
    snprintf(tt_other_key, sizeof(tt_other_key), "%s/other.pem", tt_dir);
    cr_assert_not_null(ca_key = EVP_EC_gen("P-256"));
    cr_assert_not_null(key = EVP_EC_gen("P-256"));
    cr_assert_not_null(other = EVP_EC_gen("P-256"));
    ca = tt_cert(ca_key, "postern test CA", NULL, NULL, 1);
    leaf = tt_cert(key, "mail.example.test", ca, ca_key, 2);
    tt_write(tt_ca, ca, NULL, NULL);
    tt_write(tt_chain, leaf, ca, NULL);
    tt_write(tt_key, NULL, NULL, key);
    tt_write(tt_other_key, NULL, NULL, other);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

/* tt_teardown - remove the files */

static inline void
tt_teardown(void)
{
    unlink(tt_ca);
    unlink(tt_chain);
    unlink(tt_key);
    unlink(tt_other_key);
    rmdir(tt_dir);
}

/* tt_client_ctx - a verifying client context (child side) */

static inline SSL_CTX *
tt_client_ctx(int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, tt_ca, NULL) != 1)
	_exit(90);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (max_version) {
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_max_proto_version(ctx, max_version);
    }
    return (ctx);
}

/* tt_client_connect - blocking client handshake on fd, or NULL */

static inline SSL *
tt_client_connect(SSL_CTX *ctx, int fd)
{
    SSL    *ssl = SSL_new(ctx);

    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1)
	_exit(91);
    SSL_set_tlsext_host_name(ssl, "mail.example.test");
    if (SSL_connect(ssl) != 1) {
	SSL_free(ssl);
	return (NULL);
    }
    return (ssl);
}

/* tt_fork - socketpair; child runs fn(fd) and exits with its result */

static inline pid_t
tt_fork(int *server_fd, int (*fn) (int))
{
    int     sv[2];
    pid_t   pid;

    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    cr_assert_geq(pid = fork(), 0);
    if (pid == 0) {
	close(sv[0]);
	_exit(fn(sv[1]));
    }
    close(sv[1]);
    *server_fd = sv[0];
    return (pid);
}

/* tt_wait - the child's exit status, or -1 when it did not exit */

static inline int
tt_wait(pid_t pid)
{
    int     status;

    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

#endif
