/*
 * cleanup_clnt.h - a client of the cleanup service: submit one message
 *	and learn its new queue ID.
 *
 * SYNOPSIS
 *	#include "cleanup_clnt.h"
 *
 *	struct cleanup_clnt *cleanup_clnt_open(const char *queue_dir,
 *			const char *path, int flags, int timeout,
 *			struct vstr *why);
 *	int	cleanup_clnt_envelope(struct cleanup_clnt *cl,
 *			struct queue_env *env, struct vstr *why);
 *	int	cleanup_clnt_text(struct cleanup_clnt *cl, const char *data,
 *			size_t len, int more, struct vstr *why);
 *	int	cleanup_clnt_close(struct cleanup_clnt *cl,
 *			struct vstr *queue_id, struct vstr *why);
 *	void	cleanup_clnt_abort(struct cleanup_clnt *cl);
 *
 * DESCRIPTION
 *	This is the client half of util/cleanup_proto.h, for any program
 *	that hands a message to cleanup: qmgr's bounce notices
 *	(bounce_notify(3)), pickup, `postern requeue`, and smtpd
 *	(smtpd/smtpd_cleanup.c maps the results below to 250/451/552/554).
 *
 *	cleanup_clnt_open() connects to path, or, when path is NULL, to
 *	queue_dir/private/cleanup (just "private/cleanup" when queue_dir
 *	is NULL too: a daemon chrooted into the queue directory), checks
 *	the protocol announcement and sends the CLEANUP_FLAG_* flags.
 *	Every later read or write must finish within timeout seconds
 *	(0: no deadline), and so must the connect.
 *
 *	cleanup_clnt_envelope() sends the envelope (queue_out_envelope()),
 *	then cleanup_clnt_text() the content: data is added to the current
 *	line, and more != 0 means the line continues in the next call
 *	(queue_out_text()). Lines have no line ending.
 *
 *	cleanup_clnt_close() ends the record stream, reads cleanup's
 *	reply and releases everything. cleanup_clnt_abort() just drops
 *	the connection (nothing buffered is sent): cleanup then sees a
 *	truncated stream and throws its file away. Both accept only a
 *	handle from cleanup_clnt_open(); after close or abort it is gone.
 *	The process must ignore SIGPIPE (the daemon skeleton does), so
 *	that a vanished cleanup is a write error, not a signal.
 *
 * DIAGNOSTICS
 *	cleanup_clnt_open() returns NULL with a reason in why.
 *	cleanup_clnt_envelope() and cleanup_clnt_text() return 0, or -1
 *	with a reason in why; after -1 only cleanup_clnt_abort() (or
 *	_close(), which then fails) may follow.
 *
 *	cleanup_clnt_close() returns MAIL_STAT_OK with the new queue ID
 *	in queue_id and why empty; MAIL_STAT_DEFER or MAIL_STAT_REJECT
 *	with cleanup's reason (an enhanced status code and text, printable
 *	ASCII only) in why and queue_id empty; or -1 with why describing
 *	local trouble (connection, timeout, malformed reply, a REJECT
 *	without a reason), to be treated like MAIL_STAT_DEFER.
 *
 * SECURITY
 *	cleanup's reply is checked: the status must be one of the three
 *	above, an OK must carry a valid queue ID (mail_queue_id_ok()),
 *	and the reason is cut to CLEANUP_CLNT_WHY_MAX bytes with control
 *	characters replaced, so that it can be logged or put in a reply.
 */
#ifndef CLEANUP_CLNT_H
#define CLEANUP_CLNT_H

#include <stddef.h>

#include "queue_file.h"
#include "vstr.h"

#define CLEANUP_CLNT_WHY_MAX	500	/* bytes of cleanup's reason kept */

struct cleanup_clnt;

extern struct cleanup_clnt *cleanup_clnt_open(const char *, const char *,
					              int, int, struct vstr *);
extern int cleanup_clnt_envelope(struct cleanup_clnt *, struct queue_env *,
				         struct vstr *);
extern int cleanup_clnt_text(struct cleanup_clnt *, const char *, size_t,
			             int, struct vstr *);
extern int cleanup_clnt_close(struct cleanup_clnt *, struct vstr *,
			              struct vstr *);
extern void cleanup_clnt_abort(struct cleanup_clnt *);

#endif
