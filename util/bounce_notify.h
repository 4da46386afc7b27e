/*
 * bounce_notify.h - send a non-delivery notice or a delay warning for
 *	a queued message.
 *
 * SYNOPSIS
 *	#include "bounce_notify.h"
 *
 *	int	bounce_notify(const char *queue_dir, const char *queue_name,
 *			const char *queue_id, const struct queue_env *env,
 *			const struct bounce_rcpt *rcpts, size_t n, int flags,
 *			struct vstr *new_queue_id, struct vstr *why);
 *
 * DESCRIPTION
 *	bounce_notify() decides whether a notice is due for the n
 *	recipients in rcpts of the message queue_id in queue_name (one
 *	report per call, covering every recipient that asked for one),
 *	builds it with dsn_report(3) from the original queue file
 *	queue_dir/queue_name/H/queue_id (read-only, with the queue reader)
 *	and submits it through cleanup_clnt(3) to queue_dir/private/cleanup
 *	(a NULL or empty queue_dir means the current directory: a daemon
 *	chrooted into the queue directory) with the null sender and
 *	CLEANUP_FLAG_BOUNCE. env is the message's envelope (the caller's
 *	copy: sender, arrival time, DSN RET and ENVID). flags is
 *	BOUNCE_FLAG_DELAY for a delay warning, else BOUNCE_FLAG_NONE.
 *
 *	Each struct bounce_rcpt gives the recipient's address, ORCPT (or
 *	NULL), NOTIFY mask (QUEUE_NOTIFY_*, 0 when none was given), the
 *	enhanced status code, the DSN action ("failed" or "delayed"), the
 *	reason text and the relay (or NULL). The strings are only read.
 *
 *	Who gets a notice (docs/bounces.md):
 *	- A message with a sender: a failure is reported for each
 *	  recipient whose NOTIFY is unset or contains FAILURE; a delay
 *	  warning for each whose NOTIFY is unset or contains DELAY.
 *	  NOTIFY=NEVER never gets one. The notice goes to the sender.
 *	- A message with the null sender never gets a notice back (no
 *	  delay warning at all). When it fails, and notify_classes
 *	  contains "2bounce", a copy with its headers goes to
 *	  2bounce_notice_recipient (a list; default postmaster), itself
 *	  with the null sender; otherwise it is only logged by the
 *	  caller. Notices are submitted with the envelope protocol
 *	  BOUNCE_PROTO_NOTICE or BOUNCE_PROTO_2BOUNCE (set by nobody
 *	  else): a failed 2bounce copy is never reported again, so
 *	  notices cannot loop.
 *
 *	Parameters used: myhostname, myorigin, notify_classes,
 *	2bounce_notice_recipient, bounce_size_limit,
 *	maximal_queue_lifetime (Will-Retry-Until) and ipc_timeout (the
 *	deadline of each cleanup read or write).
 *
 * DIAGNOSTICS
 *	0: a notice was submitted; new_queue_id holds its queue ID.
 *	1: no notice is due; why says why, for the caller's log.
 *	-1: trouble (the original cannot be read or is malformed, cleanup
 *	is unreachable, refused or deferred the notice); why says what.
 *	The caller keeps the message and tries the notice again later.
 *	Nothing is logged here.
 *
 * SECURITY
 *	The original queue file is hostile input (queue reader checks,
 *	dsn_report(3) sanitizing); queue_name and queue_id must pass
 *	mail_queue_path() before they become part of a path. Memory is
 *	bounded by bounce_size_limit plus the recipients' fields.
 */
#ifndef BOUNCE_NOTIFY_H
#define BOUNCE_NOTIFY_H

#include <stddef.h>

#include "queue_file.h"
#include "vstr.h"

#define BOUNCE_FLAG_NONE	0
#define BOUNCE_FLAG_DELAY	(1<<0)	/* a delay warning, not a failure */

#define BOUNCE_PROTO_NOTICE	"bounce"	/* envelope protocol of notices */
#define BOUNCE_PROTO_2BOUNCE	"2bounce"	/* of postmaster 2bounce copies */

struct bounce_rcpt {
    const char *address;
    const char *orcpt;
    int     notify;
    const char *dsn_status;
    const char *action;			/* "failed" or "delayed" */
    const char *reason;
    const char *relay;
};

extern int bounce_notify(const char *, const char *, const char *,
			         const struct queue_env *,
			         const struct bounce_rcpt *, size_t, int,
			         struct vstr *, struct vstr *);

#endif
