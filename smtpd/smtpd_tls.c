/*
 * smtpd_tls.c - STARTTLS and implicit TLS for the SMTP server (see
 * smtpd_tls.h), on top of util/tls.h.
 *
 * One server context per process, made in pre_init while the
 * certificate and key (often readable by root only) and OpenSSL's
 * configuration and entropy sources are still reachable. After chroot
 * and the sandbox only the handshake and record I/O remain, which need
 * the system calls listed in smtpd_tls_syscalls[].
 *
 * smtpd_tls_security_level: "" or "none" (no TLS), "may" (offer
 * STARTTLS), "encrypt" (MAIL and AUTH refused before STARTTLS).
 * smtpd_tls_wrappermode=yes (smtps) needs a working certificate
 * whatever the level.
 */
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>

#include "msg.h"
#include "mymalloc.h"
#include "mail_params.h"
#include "tls.h"
#include "smtpd.h"
#include "smtpd_tls.h"

#define SMTPD_TLS_NONE		0
#define SMTPD_TLS_MAY		1
#define SMTPD_TLS_ENCRYPT	2

#define SMTPD_TLS_SHUTDOWN_TIME	5	/* seconds for close_notify */

static struct tls_ctx *smtpd_tls_ctx;
static int smtpd_tls_level;

 /*
  * What OpenSSL, libcrypt and the AUTH users table (smtpd_sasl.c) need
  * inside the sandbox, beyond the skeleton's base list (read, write,
  * poll, fcntl, mmap, getpid, ...).
  */
const char *const smtpd_tls_syscalls[] = {
    "getrandom",			/* OpenSSL DRBG reseed, no files */
    "futex",				/* OpenSSL's locks, if contended */
    "madvise",				/* libcrypt/OpenSSL large frees */
    "clock_nanosleep",			/* AUTH failure delay (sleep) */
    "pread64",				/* Berkeley DB pages: sasl users table */
#ifdef __NR_nanosleep
    "nanosleep",
#endif
    0,
};

/* smtpd_tls_parse_level - smtpd_tls_security_level to a number */

static int
smtpd_tls_parse_level(const char *level)
{
    if (*level == 0 || strcasecmp(level, "none") == 0)
	return (SMTPD_TLS_NONE);
    if (strcasecmp(level, "may") == 0)
	return (SMTPD_TLS_MAY);
    if (strcasecmp(level, "encrypt") == 0)
	return (SMTPD_TLS_ENCRYPT);
    msg_fatal("bad smtpd_tls_security_level value \"%s\": "
	      "expected none, may or encrypt", level);
}

/* smtpd_tls_init - pre_init: load certificate and key */

int
smtpd_tls_init(void)
{
    struct vstr *why;
    int     must = var_smtpd_tls_wrappermode;

    smtpd_tls_level = smtpd_tls_parse_level(var_smtpd_tls_level);
    if (smtpd_tls_level == SMTPD_TLS_ENCRYPT)
	must = 1;
    if (smtpd_tls_level == SMTPD_TLS_NONE && !var_smtpd_tls_wrappermode)
	return (-1);
    if (*var_smtpd_tls_cert_file == 0) {
	if (must)
	    msg_fatal("%s requires smtpd_tls_cert_file",
		      var_smtpd_tls_wrappermode ? "smtpd_tls_wrappermode = yes"
		      : "smtpd_tls_security_level = encrypt");
	msg_warn("smtpd_tls_security_level = may but no smtpd_tls_cert_file: "
		 "STARTTLS not offered");
	return (-1);
    }
    why = vstr_alloc(100);
    if (tls_lib_init(why) < 0
	|| (smtpd_tls_ctx = tls_server_ctx_create(var_smtpd_tls_cert_file,
				     var_smtpd_tls_key_file, why)) == NULL) {
	if (must)
	    msg_fatal("TLS setup: %s", vstr_str(why));
	msg_warn("TLS setup: %s: STARTTLS not offered", vstr_str(why));
	vstr_free(why);
	return (-1);
    }
    vstr_free(why);
    return (0);
}

/* smtpd_tls_offer - may STARTTLS be advertised and used now? */

int
smtpd_tls_offer(struct smtpd_state *state)
{
    return (smtpd_tls_ctx != NULL && !state->tls_active);
}

/* smtpd_tls_required - must the client start TLS before MAIL/AUTH? */

int
smtpd_tls_required(struct smtpd_state *state)
{
    return (smtpd_tls_level == SMTPD_TLS_ENCRYPT && !state->tls_active);
}

/* smtpd_tls_start - server handshake on the client stream */

int
smtpd_tls_start(struct smtpd_state *state)
{
    struct tls_conn *conn;
    struct vstr *why;
    int     timeout;

    if (smtpd_tls_ctx == NULL || state->tls_active)
	msg_panic("smtpd_tls_start: TLS %s", state->tls_active ?
		  "already active" : "not available");
    timeout = var_smtpd_starttls_tmout > 0x7fffffff ? 0x7fffffff :
	(int) var_smtpd_starttls_tmout;
    why = vstr_alloc(100);
    if ((conn = tls_conn_start(smtpd_tls_ctx, state->client, timeout,
			       why)) == NULL) {
	msg_info("TLS handshake failed from %s[%s]: %s",
		 state->client_name, state->client_addr, vstr_str(why));
	vstr_free(why);
	return (-1);
    }
    vstr_free(why);
    state->tls_conn = conn;
    state->tls_active = 1;
    myfree(state->tls_proto);
    myfree(state->tls_cipher);
    state->tls_proto = mystrdup(tls_conn_version(conn));
    state->tls_cipher = mystrdup(tls_conn_cipher(conn));
    msg_info("Anonymous TLS connection established from %s[%s]: "
	     "%s with cipher %s (%d bits)", state->client_name,
	     state->client_addr, state->tls_proto, state->tls_cipher,
	     tls_conn_cipher_bits(conn));
    return (0);
}

/* smtpd_tls_stop - close_notify, then forget the TLS connection */

void
smtpd_tls_stop(struct smtpd_state *state)
{
    struct tls_conn *conn = state->tls_conn;

    if (conn != NULL) {
	if (vstream_error(state->client) == VSTREAM_OK
	    && vstream_flush(state->client) == VSTREAM_OK)
	    (void) tls_conn_shutdown(conn, SMTPD_TLS_SHUTDOWN_TIME);
	tls_conn_free(conn);
	state->tls_conn = NULL;
    }
    state->tls_active = 0;
    myfree(state->tls_proto);
    myfree(state->tls_cipher);
    state->tls_proto = NULL;
    state->tls_cipher = NULL;
}
