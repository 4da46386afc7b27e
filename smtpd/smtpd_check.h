/*
 * smtpd_check.h - SMTP server access restrictions, the relay decision and
 * recipient validation.
 *
 * SYNOPSIS
 *	#include "smtpd.h"
 *	#include "smtpd_check.h"
 *
 *	int	smtpd_check_init(void);
 *	int	smtpd_check_client(struct smtpd_state *state,
 *			struct vstr *reply);
 *	int	smtpd_check_helo(struct smtpd_state *state, const char *helo,
 *			struct vstr *reply);
 *	int	smtpd_check_mail(struct smtpd_state *state,
 *			const char *sender, struct vstr *reply);
 *	int	smtpd_check_rcpt(struct smtpd_state *state,
 *			const char *rcpt, struct vstr *reply);
 *	int	smtpd_check_data(struct smtpd_state *state,
 *			struct vstr *reply);
 *
 * DESCRIPTION
 *	smtpd_check_init() is called once from the daemon's pre_init, before
 *	chroot: it parses every smtpd_*_restrictions list (an unknown
 *	keyword is fatal, as a configuration error) and opens every table
 *	the restrictions and recipient validation use (check_*_access
 *	tables, mynetworks, mydestination, local_recipient_maps,
 *	virtual_alias_maps, virtual_mailbox_maps, relay_recipient_maps,
 *	...). When smtpd runs chrooted, tables that need the host file
 *	system (unix:, and file tables outside queue_directory) are opened
 *	as proxy:TYPE:NAME and looked up through the proxymap service
 *	(docs/smtpd-check.md).
 *
 *	Each check returns 0 to accept, or the SMTP reply code (4xx, 5xx)
 *	with the complete reply line in reply, e.g.
 *	"554 5.7.1 <u@remote.example>: Relay access denied". The caller
 *	sends reply as is. reply is left empty on accept.
 *
 *	smtpd_check_client(), _helo() and _mail() evaluate
 *	smtpd_client_restrictions, smtpd_helo_restrictions and
 *	smtpd_sender_restrictions at once when smtpd_delay_reject=no. With
 *	smtpd_delay_reject=yes (the default) they accept, and the lists are
 *	evaluated at RCPT time by smtpd_check_rcpt(), again for every
 *	recipient (the checks are table lookups; nothing is cached, so
 *	there is no per-transaction state to reset). helo may be NULL
 *	for smtpd_check_mail(); sender is the
 *	address without brackets, "" for the null sender.
 *
 *	smtpd_check_rcpt() evaluates (delayed lists,) smtpd_relay_restrictions
 *	and then smtpd_recipient_restrictions: the recipient is accepted only
 *	when neither list rejects. Then the recipient is validated against
 *	local_recipient_maps (mydestination domains), virtual_alias_maps,
 *	virtual_mailbox_maps (virtual_mailbox_domains) and
 *	relay_recipient_maps (relay_domains); an unknown user gets
 *	"550 5.1.1 <addr>: Recipient address rejected: User unknown in
 *	local recipient table" (or "... virtual mailbox table", "... relay
 *	recipient table").
 *
 *	smtpd_check_data() evaluates smtpd_data_restrictions (called by the
 *	core when DATA or the first BDAT arrives, before its reply).
 *
 *	reject_unauth_pipelining looks at vstream_pending(state->client)
 *	and polls the socket when the check runs, so the core must call the
 *	checks before it flushes the reply to the command being checked.
 *
 * DIAGNOSTICS
 *	smtpd_check_init() returns 0, or calls msg_fatal() for a bad
 *	restriction list or a table that cannot be opened. A table lookup
 *	error during a check gives "451 4.3.0 <addr>: Temporary lookup
 *	failure" (never a 5xx for a local fault). The caller logs a
 *	rejection (smtpd_chat_reject_log()); warn_if_reject and WARN table
 *	results are logged here ("NOQUEUE: reject_warning: ...").
 *
 * SECURITY
 *	All arguments come from the network and are hostile. Addresses are
 *	bounded (SMTPD_CHECK_ADDR_MAX), and the relay decision is strict:
 *	an address whose local part contains '@', '%' or '!' or a source
 *	route is never relayed on behalf of a local domain
 *	(SECURITY-CASES F1). The default smtpd_relay_restrictions end in
 *	reject_unauth_destination, so postern is never an open relay unless
 *	the administrator configures it so.
 */
#ifndef SMTPD_CHECK_H
#define SMTPD_CHECK_H

#include "vstr.h"

#define SMTPD_CHECK_ADDR_MAX	1024	/* longest address we look at */

struct smtpd_state;

extern int smtpd_check_init(void);
extern int smtpd_check_client(struct smtpd_state *, struct vstr *);
extern int smtpd_check_helo(struct smtpd_state *, const char *, struct vstr *);
extern int smtpd_check_mail(struct smtpd_state *, const char *, struct vstr *);
extern int smtpd_check_rcpt(struct smtpd_state *, const char *, struct vstr *);
extern int smtpd_check_data(struct smtpd_state *, struct vstr *);

#endif
