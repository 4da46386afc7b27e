/*
 * dsn_report.h - build an RFC 3464 delivery status notification (a
 *	non-delivery report or a delay warning) as a list of lines.
 *
 * SYNOPSIS
 *	#include "dsn_report.h"
 *
 *	int	dsn_report_build(struct argv *lines,
 *			const struct dsn_report_info *info,
 *			const struct dsn_rcpt *rcpts, size_t n,
 *			struct queue_reader *orig, struct vstr *why);
 *	int	dsn_report_8bit(const struct argv *lines);
 *	void	dsn_report_clean(struct vstr *out, const char *in,
 *			size_t max);
 *
 * DESCRIPTION
 *	dsn_report_build() appends to lines the whole notice, headers and
 *	body, one string per line without a line ending (the form the
 *	queue stores and cleanup_clnt(3) sends): a multipart/report;
 *	report-type=delivery-status message with three parts, a
 *	text/plain explanation listing every recipient with its reason,
 *	the message/delivery-status part (one per-message block, then one
 *	block per recipient), and the original message: its headers as
 *	text/rfc822-headers, or the whole message as message/rfc822. The
 *	format is described in docs/bounces.md.
 *
 *	info gives: myhostname (Reporting-MTA, From:, Message-ID:); the
 *	original's queue_id and envelope env (arrival time, sender, DSN
 *	RET and ENVID); to, the address for the To: header; flags
 *	(DSN_REPORT_FLAG_DELAY: a delay warning; DSN_REPORT_FLAG_2BOUNCE:
 *	the postmaster's copy of an undeliverable notice); size_limit
 *	(bounce_size_limit); now (the report's date; 0: the current time)
 *	and max_queue_time (for the Will-Retry-Until field of a delay
 *	warning; 0: none).
 *
 *	rcpts are the n (at least 1) recipients to report, each with its
 *	address, ORCPT (NULL or "type;address"), enhanced status code
 *	("5.1.1"; a malformed one becomes 5.0.0, or 4.0.0 for a delay),
 *	DSN action ("failed", "delayed"; anything unknown becomes the one
 *	that fits flags), reason text and relay ("host[addr]:port", or
 *	NULL). A reason that looks like an SMTP reply ("550 5.1.1 ...")
 *	becomes "Diagnostic-Code: smtp; ...", any other "x-postern; ...".
 *
 *	orig reads the original queue file, positioned after the envelope
 *	(queue_read_envelope() was called). The whole message is included
 *	only for env->dsn_ret == QUEUE_RET_FULL, not for a delay warning
 *	or a 2bounce copy, and only when env->size is at most size_limit;
 *	otherwise the primary header block is included, cut at size_limit
 *	bytes (line bytes plus one per line). Only as much of the file as
 *	is included is read.
 *
 *	dsn_report_8bit() tells whether any line holds a byte above 0x7f
 *	(the submitter then marks the envelope 8BITMIME).
 *
 *	dsn_report_clean() replaces out with at most max bytes of in, made
 *	safe for a header field: each control character (any byte below
 *	0x20, and 0x7f) becomes '?', except tab, which becomes a space;
 *	runs of spaces collapse to one and leading and trailing spaces go.
 *
 * DIAGNOSTICS
 *	dsn_report_build() returns 0, or -1 with a reason in why when the
 *	original cannot be read (lines may then hold a partial report: the
 *	caller discards it). Bad arguments (no recipients, no envelope)
 *	are a caller bug: msg_panic().
 *
 * SECURITY
 *	Everything taken from the original message or its envelope is
 *	hostile. Header and delivery-status fields are built from cleaned
 *	values (dsn_report_clean()), so no CR, LF or other control can
 *	start a new field; each field is folded at spaces to lines of at
 *	most 78 bytes where possible, and a word longer than
 *	DSN_REPORT_LINE_MAX bytes is cut onto a continuation line, so no
 *	generated line is longer than DSN_REPORT_LINE_MAX. Lines of the
 *	original have CR, LF and NUL replaced by spaces, and one longer
 *	than DSN_REPORT_LINE_MAX is split into pieces, each continuation
 *	starting with a space (as Postfix's smtp_line_length_limit does),
 *	so a header stays one header. The MIME boundary
 *	is chosen after the parts are built, from a hash of their content,
 *	the time and the process ID, and is checked not to occur in any
 *	line of the report (otherwise another one is tried), so the
 *	original cannot end or forge a part. Memory is bounded by
 *	size_limit plus the recipients' fields.
 */
#ifndef DSN_REPORT_H
#define DSN_REPORT_H

#include <stddef.h>
#include <time.h>

#include "argv.h"
#include "queue_file.h"
#include "vstr.h"

#define DSN_REPORT_FLAG_DELAY	(1<<0)	/* delay warning */
#define DSN_REPORT_FLAG_2BOUNCE	(1<<1)	/* postmaster copy, failed notice */

#define DSN_REPORT_LINE_MAX	998	/* longest generated line */
#define DSN_REPORT_FOLD		78	/* preferred line length */
#define DSN_REPORT_TEXT_MAX	1000	/* bytes kept of a reason */

struct dsn_rcpt {
    const char *address;		/* final recipient */
    const char *orcpt;			/* "rfc822;addr" or NULL */
    const char *dsn_status;		/* "5.1.1" */
    const char *action;			/* "failed", "delayed" */
    const char *reason;			/* human text or SMTP reply */
    const char *relay;			/* "host[addr]:port" or NULL */
};

struct dsn_report_info {
    const char *myhostname;
    const char *queue_id;		/* of the original */
    const struct queue_env *env;	/* of the original */
    const char *to;			/* To: header */
    int     flags;			/* DSN_REPORT_FLAG_* */
    long    size_limit;			/* bounce_size_limit */
    time_t  now;			/* 0: time(0) */
    long    max_queue_time;		/* seconds; 0: unknown */
};

extern int dsn_report_build(struct argv *, const struct dsn_report_info *,
			            const struct dsn_rcpt *, size_t,
			            struct queue_reader *, struct vstr *);
extern int dsn_report_8bit(const struct argv *);
extern void dsn_report_clean(struct vstr *, const char *, size_t);

#endif
