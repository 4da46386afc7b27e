/*
 * smtpd_received.h - the Received: header that the SMTP server puts
 *	on top of each message.
 *
 * SYNOPSIS
 *	#include "smtpd.h"
 *	#include "smtpd_received.h"
 *
 *	void	smtpd_received(struct smtpd_state *state, time_t when,
 *			struct argv *lines);
 *
 * DESCRIPTION
 *	smtpd_received() appends the header to lines, one physical line
 *	per element (continuation lines start with a TAB):
 *
 *	Received: from HELO (NAME [ADDR])
 *		(using TLSv1.3 with cipher CIPHER)		(TLS only)
 *		(Authenticated sender: USER)			(SASL only)
 *		by MYHOSTNAME (postern) with PROTOCOL
 *		for <RCPT>; DATE				(one recipient)
 *		; DATE						(otherwise)
 *
 *	The queue ID is not known when the header is written (cleanup
 *	chooses it when it commits), so there is no "id" clause; the
 *	queue ID is in the log line "QUEUEID: client=NAME[ADDR]".
 *	DATE is RFC 5322 local time ("Tue, 13 Feb 2024 10:00:00 +0100").
 *
 * SECURITY
 *	Every field that came from the client or the network (HELO, TLS
 *	names, SASL user, recipient) is sanitized: control characters,
 *	"(", ")" and "\\" become "?", 8-bit bytes too unless the
 *	transaction is SMTPUTF8, and each field is cut at
 *	SMTPD_RECEIVED_FIELD_MAX bytes, so the header is always one
 *	well-formed header field (C5).
 */
#ifndef SMTPD_RECEIVED_H
#define SMTPD_RECEIVED_H

#include <time.h>

#include "argv.h"

#define SMTPD_RECEIVED_FIELD_MAX	256

struct smtpd_state;

extern void smtpd_received(struct smtpd_state *, time_t, struct argv *);

#endif
