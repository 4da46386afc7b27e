/*
 * smtpd_cleanup.h - hand a message from the SMTP server to the cleanup
 *	service (util/cleanup_proto.h).
 *
 * SYNOPSIS
 *	#include "smtpd.h"
 *	#include "smtpd_cleanup.h"
 *
 *	struct smtpd_cleanup *smtpd_cleanup_open(struct smtpd_state *state,
 *			struct vstr *why);
 *	int	smtpd_cleanup_line(void *cl, const char *data, size_t len);
 *	int	smtpd_cleanup_close(struct smtpd_cleanup *cl,
 *			struct vstr *queue_id, struct vstr *reply);
 *	void	smtpd_cleanup_abort(struct smtpd_cleanup *cl);
 *
 * DESCRIPTION
 *	smtpd_cleanup_open() connects to CLEANUP_SOCKET (relative to the
 *	working directory, which is queue_directory inside and outside
 *	the chroot), checks cleanup's protocol announcement, sends the
 *	flags and the envelope built from state (client name/address,
 *	HELO, protocol, SASL user, 8BITMIME/SMTPUTF8 flags, DSN RET and
 *	ENVID, the sender, each recipient with ORCPT and NOTIFY).
 *
 *	smtpd_cleanup_line() sends one content line (the type matches
 *	smtpd_frame_fn, so that the de-framer writes straight into it).
 *
 *	smtpd_cleanup_close() sends the end of the message, then reads
 *	cleanup's verdict. It returns 0 with the queue ID in queue_id when
 *	the message is safely queued; otherwise the SMTP code with the
 *	whole reply line in reply: 451 4.3.0 for any trouble talking to
 *	cleanup (connection refused or broken, EOF, a malformed or
 *	unexpected reply) and for MAIL_STAT_DEFER; 552 or 554 with
 *	cleanup's reason for MAIL_STAT_REJECT. Either way the handle is
 *	freed.
 *
 *	smtpd_cleanup_abort() closes the connection without the end
 *	record: cleanup then discards the message. NULL is allowed.
 *
 * DIAGNOSTICS
 *	smtpd_cleanup_open() returns NULL with the reason in why (also
 *	logged). smtpd_cleanup_line() returns 0 or -1 (logged once).
 *
 * SECURITY
 *	cleanup's reply is parsed strictly (attr_scan, ATTR_FLAG_STRICT);
 *	the queue ID must pass mail_queue_id_ok() and the reason text is
 *	sanitized before it reaches the client. Nothing is reported as
 *	queued unless cleanup said MAIL_STAT_OK after its commit.
 */
#ifndef SMTPD_CLEANUP_H
#define SMTPD_CLEANUP_H

#include <stddef.h>

#include "vstr.h"

struct smtpd_state;
struct smtpd_cleanup;

extern struct smtpd_cleanup *smtpd_cleanup_open(struct smtpd_state *,
						        struct vstr *);
extern int smtpd_cleanup_line(void *, const char *, size_t);
extern int smtpd_cleanup_close(struct smtpd_cleanup *, struct vstr *,
			               struct vstr *);
extern void smtpd_cleanup_abort(struct smtpd_cleanup *);

#endif
