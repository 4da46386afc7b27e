/*
 * smtpd_sasl.h - SMTP AUTH (PLAIN and LOGIN) for the SMTP server.
 *
 * SYNOPSIS
 *	#include "smtpd.h"
 *	#include "smtpd_sasl.h"
 *
 *	int	smtpd_sasl_init(void);
 *	int	smtpd_sasl_offer(struct smtpd_state *state);
 *	void	smtpd_sasl_auth_cmd(struct smtpd_state *state, int argc,
 *			char **argv);
 *	void	smtpd_sasl_reset(struct smtpd_state *state);
 *
 * DESCRIPTION
 *	smtpd_sasl_init() runs in pre_init, before chroot: with
 *	smtpd_sasl_auth_enable=yes it opens smtpd_sasl_users_maps (a table
 *	user -> crypt(3) hash, "$y$" yescrypt or "$6$" SHA-512). It returns
 *	0 when AUTH can be offered, -1 when it is disabled or the table is
 *	missing (logged; a table that cannot be opened is fatal).
 *
 *	smtpd_sasl_offer() is true when AUTH may be advertised in the EHLO
 *	reply now: AUTH is enabled and initialised, and TLS is active or
 *	smtpd_tls_auth_only=no. The advertised mechanisms are
 *	SMTPD_SASL_MECHS.
 *
 *	smtpd_sasl_auth_cmd() handles the whole AUTH command: argv[0] is
 *	"AUTH" (the verb as sent), argv[1] the mechanism, argv[2] the
 *	optional initial response. It writes its own replies with
 *	smtpd_chat_reply() and reads continuation lines from state->client
 *	(bounded). Replies: 235 2.7.0 on success (state->sasl_username and
 *	state->sasl_method set, state->protocol gets its "A"); 535 5.7.8
 *	after a delay for bad credentials (state->sasl_failures counts
 *	them; the SMTPD_SASL_FAIL_LIMIT'th gets 421 and state->quit is
 *	set); 501 5.7.0 on "*" (cancel), 501 5.5.2 for bad base64 or a
 *	malformed response; 503 5.5.1 when AUTH is disabled, already done,
 *	without EHLO, or a mail
 *	transaction is in progress; 538 5.7.11 before TLS when
 *	smtpd_tls_auth_only=yes; 530 5.7.0 when TLS is required; 504 5.5.4
 *	for an unknown mechanism; 500 5.5.6 for a response line over
 *	SMTPD_SASL_LINE_MAX bytes; 454 4.7.0 when the table fails. Every
 *	4xx/5xx reply here increments state->error_count (the caller must
 *	not count it again). When the client is gone or times out while
 *	a response is awaited, state->quit is set and nothing is replied.
 *
 *	smtpd_sasl_reset() forgets the authentication (after STARTTLS).
 *
 * DIAGNOSTICS
 *	Authentication failures are logged with msg_warn(); the password is
 *	never logged.
 *
 * SECURITY
 *	Every response is hostile: strict base64, bounded lengths, exactly
 *	three NUL-separated fields for PLAIN, authzid empty or equal to the
 *	authcid. Unknown users cost the same crypt() time as known ones;
 *	the hash comparison is constant-time.
 */
#ifndef SMTPD_SASL_H
#define SMTPD_SASL_H

#define SMTPD_SASL_MECHS	"PLAIN LOGIN"
#define SMTPD_SASL_LINE_MAX	12288	/* response line limit, RFC 4954 */
#define SMTPD_SASL_FAIL_LIMIT	3	/* failed attempts, then 421 */

struct smtpd_state;

extern int smtpd_sasl_init(void);
extern int smtpd_sasl_offer(struct smtpd_state *);
extern void smtpd_sasl_auth_cmd(struct smtpd_state *, int, char **);
extern void smtpd_sasl_reset(struct smtpd_state *);

#endif
