/*
 * test_smtpd_sasl.c - the AUTH command of smtpd driven through a real
 * session state over a socketpair: PLAIN and LOGIN success, wrong
 * password, unknown user (same reply, and a crypt() call too), cancel,
 * over-long response, refusals (no TLS with auth_only, no EHLO, already
 * authenticated, in a transaction, unknown mechanism), error counting,
 * and the 421 after too many failures.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/socket.h>

#include "../../../smtpd/smtpd.h"
#include "../../../smtpd/smtpd_sasl.h"
#include "base64_code.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "pw_crypt.h"
#include "vstream.h"

static struct smtpd_state *state;
static int peer;				/* the client's end */
static struct vstr *table;

/* setup - users table with alice (yescrypt) and bob (SHA-512) */

static void
setup(void)
{
    struct vstr *h1 = vstr_alloc(10), *h2 = vstr_alloc(10), *why = vstr_alloc(10);
    int     sv[2];

    signal(SIGPIPE, SIG_IGN);
    cr_assert_eq(pw_crypt_hash("alice pw", PW_CRYPT_YESCRYPT, h1, why), 0);
    cr_assert_eq(pw_crypt_hash("bob pw", PW_CRYPT_SHA512, h2, why), 0);
    table = vstr_alloc(100);
    vstr_sprintf(table, "inline:{alice=%s, bob=%s, carol=$1$weak$hash}",
		 vstr_str(h1), vstr_str(h2));
    var_smtpd_sasl_enable = 1;
    var_smtpd_sasl_users_maps = vstr_str(table);
    var_smtpd_tls_auth_only = 0;
    var_smtpd_tls_level = "";
    var_smtpd_err_sleep = 0;
    var_smtpd_soft_erlim = 100;
    var_myhostname = "mail.example.test";
    cr_assert_eq(smtpd_sasl_init(), 0);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    state = smtpd_state_alloc(vstream_fdopen(sv[0], VSTREAM_READ | VSTREAM_WRITE),
			      "192.0.2.1", 4321);
    vstream_set_timeout(state->client, 5);
    state->esmtp = 1;
    peer = sv[1];
    vstr_free(h1);
    vstr_free(h2);
    vstr_free(why);
}

TestSuite(smtpd_sasl, .init = setup, .timeout = 60);

/* auth - run one AUTH command with canned client lines; return replies */

static char *
auth(const char *cmdline, const char *client_lines)
{
    char   *copy = mystrdup(cmdline);
    char   *argv[4];
    int     argc = 0;
    char   *cp = copy, *tok;
    static char buf[65536];
    ssize_t n;

    while ((tok = strsep(&cp, " ")) != 0 && argc < 4)
	argv[argc++] = tok;
    if (client_lines)
	cr_assert_eq(write(peer, client_lines, strlen(client_lines)),
		     (ssize_t) strlen(client_lines));
    smtpd_sasl_auth_cmd(state, argc, argv);
    cr_assert_eq(smtpd_chat_flush(state), 0);
    n = recv(peer, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    cr_assert_gt(n, 0, "no reply");
    buf[n] = 0;
    myfree(copy);
    return (buf);
}

/* plain - "AUTH PLAIN <b64 of \0user\0pass>" */

static char *
plain(const char *user, const char *pass)
{
    struct vstr *raw = vstr_alloc(10), *b64 = vstr_alloc(10), *cmd = vstr_alloc(10);
    static char out[1000];

    vstr_addch(raw, 0);
    vstr_strcat(raw, user);
    vstr_addch(raw, 0);
    vstr_strcat(raw, pass);
    base64_encode(b64, vstr_str(raw), vstr_len(raw));
    vstr_sprintf(cmd, "AUTH PLAIN %s", vstr_str(b64));
    snprintf(out, sizeof(out), "%s", auth(vstr_str(cmd), NULL));
    vstr_free(raw);
    vstr_free(b64);
    vstr_free(cmd);
    return (out);
}

Test(smtpd_sasl, plain_success_sets_state)
{
    cr_assert_eq(smtpd_sasl_offer(state), 1);
    cr_assert_str_eq(plain("alice", "alice pw"), "235 2.7.0 Authentication successful\r\n");
    cr_assert_str_eq(state->sasl_username, "alice");
    cr_assert_str_eq(state->sasl_method, "PLAIN");
    cr_assert_eq(state->error_count, 0);
    cr_assert(strncmp(plain("alice", "alice pw"), "503 5.5.1", 9) == 0);
    smtpd_sasl_reset(state);
    cr_assert_null(state->sasl_username);
    cr_assert_str_eq(plain("BOB", "bob pw"), "235 2.7.0 Authentication successful\r\n");
    cr_assert_str_eq(state->sasl_username, "bob");
}

Test(smtpd_sasl, failures_counted_and_limited)
{
    long long t0, t_known, t_unknown;
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    t0 = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
    cr_assert_str_eq(plain("alice", "wrong"), "535 5.7.8 Authentication credentials invalid\r\n");
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t_known = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 - t0;
    t0 += t_known;
    cr_assert_str_eq(plain("nobody", "wrong"), "535 5.7.8 Authentication credentials invalid\r\n");
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t_unknown = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 - t0;
    /* The unknown user cost a yescrypt call too. */
    cr_assert_geq(t_unknown * 3, t_known, "known %lld ms, unknown %lld ms", t_known, t_unknown);
    cr_assert_eq(state->sasl_failures, 2);
    cr_assert_eq(state->error_count, 2);
    cr_assert_null(state->sasl_username);
    cr_assert_eq(state->quit, 0);
    cr_assert(strncmp(plain("carol", "anything"), "421 4.7.0", 9) == 0);
    cr_assert_eq(state->quit, 1);
}

Test(smtpd_sasl, weak_hash_never_matches)
{
    cr_assert(strncmp(plain("carol", "hash"), "535", 3) == 0);
    cr_assert(strncmp(plain("carol", ""), "501", 3) == 0);
}

Test(smtpd_sasl, login_exchange_and_cancel)
{
    cr_assert_str_eq(auth("AUTH LOGIN", "*\r\n"),
		     "334 VXNlcm5hbWU6\r\n501 5.7.0 Authentication aborted\r\n");
    cr_assert_str_eq(auth("AUTH LOGIN", "YWxpY2U=\r\n*\r\n"),
		     "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n501 5.7.0 Authentication aborted\r\n");
    cr_assert_str_eq(auth("AUTH login", "YWxpY2U=\r\nYWxpY2UgcHc=\r\n"),
		     "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n");
    cr_assert_str_eq(state->sasl_method, "LOGIN");
    cr_assert_eq(state->sasl_failures, 0);
}

Test(smtpd_sasl, login_initial_response_and_bad_base64)
{
    cr_assert_str_eq(auth("AUTH LOGIN YWxpY2U=", "YWxpY2UgcHc=\r\n"),
		     "334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n");
    smtpd_sasl_reset(state);
    cr_assert_str_eq(auth("AUTH LOGIN", "YWxp Y2U=\r\n"),
		     "334 VXNlcm5hbWU6\r\n501 5.5.2 Cannot decode response\r\n");
    cr_assert_str_eq(auth("AUTH PLAIN", "AGFsaWNlAGFsaWNlIHB3\r\n"),
		     "334 \r\n235 2.7.0 Authentication successful\r\n");
}

Test(smtpd_sasl, overlong_response_line)
{
    char   *big = mymalloc(SMTPD_SASL_LINE_MAX + 100);

    memset(big, 'A', SMTPD_SASL_LINE_MAX + 50);
    strcpy(big + SMTPD_SASL_LINE_MAX + 50, "\r\n");
    cr_assert_str_eq(auth("AUTH PLAIN", big),
		     "334 \r\n500 5.5.6 Authentication exchange line is too long\r\n");
    cr_assert_eq(vstream_pending(state->client), 0, "rest of the line not skipped");
    cr_assert_eq(state->quit, 0);
    myfree(big);
}

Test(smtpd_sasl, client_gone_mid_exchange)
{
    shutdown(peer, SHUT_WR);
    smtpd_sasl_auth_cmd(state, 2, (char *[]) {"AUTH", "PLAIN", 0});
    cr_assert_eq(state->quit, 1);
    cr_assert_null(state->sasl_username);
}

Test(smtpd_sasl, refusals)
{
    cr_assert(strncmp(auth("AUTH CRAM-MD5", NULL), "504 5.5.4", 9) == 0);
    cr_assert(strncmp(auth("AUTH", NULL), "501 5.5.4", 9) == 0);
    cr_assert(strncmp(auth("AUTH PLAIN a b", NULL), "501 5.5.4", 9) == 0);
    state->sender = mystrdup("");
    cr_assert(strncmp(plain("alice", "alice pw"), "503 5.5.1 Error: MAIL", 21) == 0);
    myfree(state->sender);
    state->sender = NULL;
    state->esmtp = 0;
    cr_assert(strncmp(plain("alice", "alice pw"), "503 5.5.1 Error: send EHLO", 26) == 0);
    state->esmtp = 1;
    var_smtpd_tls_auth_only = 1;
    cr_assert_eq(smtpd_sasl_offer(state), 0);
    cr_assert_str_eq(plain("alice", "alice pw"),
		     "538 5.7.11 Encryption required for requested authentication mechanism\r\n");
    cr_assert_eq(state->error_count, 6);
    cr_assert_eq(state->sasl_failures, 0);
    cr_assert_null(state->sasl_username);
}
