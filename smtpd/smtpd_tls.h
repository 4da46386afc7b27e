/*
 * smtpd_tls.h - STARTTLS and implicit TLS (smtps) for the SMTP server.
 *
 * SYNOPSIS
 *	#include "smtpd.h"
 *	#include "smtpd_tls.h"
 *
 *	int	smtpd_tls_init(void);
 *	int	smtpd_tls_offer(struct smtpd_state *state);
 *	int	smtpd_tls_required(struct smtpd_state *state);
 *	int	smtpd_tls_start(struct smtpd_state *state);
 *	void	smtpd_tls_stop(struct smtpd_state *state);
 *
 *	extern const char *const smtpd_tls_syscalls[];
 *
 * DESCRIPTION
 *	smtpd_tls_init() runs in pre_init, before chroot: it initialises
 *	OpenSSL (and its random generator) and loads smtpd_tls_cert_file
 *	and smtpd_tls_key_file (PEM; the cert file may hold a chain). It
 *	returns 0 when TLS can be used, -1 when it is not configured
 *	(smtpd_tls_security_level empty or "none", no cert file) or the
 *	files cannot be used (logged); then STARTTLS is not offered. With
 *	smtpd_tls_security_level=encrypt or smtpd_tls_wrappermode=yes a TLS
 *	setup failure is fatal (msg_fatal).
 *
 *	smtpd_tls_offer() is true when STARTTLS may be advertised in the
 *	EHLO reply and accepted now: TLS is available and not yet active.
 *
 *	smtpd_tls_required() is true when smtpd_tls_security_level=encrypt
 *	and TLS is not active: the core then answers MAIL (and AUTH) with
 *	"530 5.7.0 Must issue a STARTTLS command first".
 *
 *	smtpd_tls_start() performs the server handshake on state->client
 *	within smtpd_starttls_timeout seconds (the caller has already sent
 *	"220 2.0.0 Ready to start TLS", flushed, and discarded pending
 *	plaintext input; with wrappermode it is called before the greeting).
 *	On success it installs the TLS read/write hooks on state->client
 *	(vstream_set_io), sets state->tls_active = 1, state->tls_proto
 *	("TLSv1.3"), state->tls_cipher ("TLS_AES_256_GCM_SHA384"), stores
 *	its connection object in state->tls_conn, logs one line, and
 *	returns 0. On failure it logs why and returns -1: the caller drops
 *	the connection without another reply.
 *
 *	smtpd_tls_stop() sends close_notify (best effort, bounded by the
 *	stream deadline), frees the connection object and clears
 *	state->tls_*. Safe to call when TLS is not active.
 *
 *	smtpd_tls_syscalls[] is a NULL-terminated list of the system call
 *	names that OpenSSL, libcrypt and the AUTH users table need beyond
 *	the skeleton's base list once the sandbox is on (for the smtpd
 *	seccomp allow-list).
 *
 * DIAGNOSTICS
 *	Errors are logged with the OpenSSL error queue text.
 *
 * SECURITY
 *	Only TLS 1.2 and later, server cipher preference, no compression,
 *	no renegotiation. Plaintext that arrived before the handshake must
 *	have been discarded by the caller (CVE-2011-0411).
 */
#ifndef SMTPD_TLS_H
#define SMTPD_TLS_H

struct smtpd_state;

extern int smtpd_tls_init(void);
extern int smtpd_tls_offer(struct smtpd_state *);
extern int smtpd_tls_required(struct smtpd_state *);
extern int smtpd_tls_start(struct smtpd_state *);
extern void smtpd_tls_stop(struct smtpd_state *);

extern const char *const smtpd_tls_syscalls[];

#endif
