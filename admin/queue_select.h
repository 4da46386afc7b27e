/*
 * queue_select.h - message selectors of the queue commands: --from,
 *	--to, --domain, --older-than, --status, --reason, plus --dry-run
 *	and --json (postern queue, hold, release, delete, requeue).
 *
 * SYNOPSIS
 *	#include "queue_select.h"
 *
 *	void	queue_select_init(struct queue_select *sel);
 *	void	queue_select_free(struct queue_select *sel);
 *	int	queue_select_parse(struct queue_select *sel, int argc,
 *			char **argv, struct vstr *why);
 *	int	queue_select_queue(const struct queue_select *sel,
 *			const char *queue_name);
 *	int	queue_select_match(const struct queue_select *sel,
 *			const char *queue_name, const char *queue_id,
 *			int status, const struct queue_scan_msg *msg,
 *			time_t now);
 *	int	queue_select_read_ids(struct vstream *in,
 *			int (*fn)(const char *id, void *ctx), void *ctx);
 *
 * DESCRIPTION
 *	queue_select_parse() reads argv[1..argc-1]: the options above
 *	(each --opt VALUE or --opt=VALUE) anywhere, everything else (queue
 *	IDs, ALL, -) collected in sel->args (sel->nargs of them; "--"
 *	ends the options). sel->any tells whether a selector was given.
 *
 *	queue_select_queue() tells whether a queue is wanted (--status).
 *	queue_select_match() tells whether one message (status and msg
 *	from queue_scan_load()) is selected: every given selector must
 *	match. --from: the sender, case-insensitively ("" or "<>" is the
 *	null sender); --to: a recipient not yet delivered; --domain: the
 *	domain of such a recipient; --older-than AGE (conv_time() units, a
 *	bare number is seconds): arrived at least AGE ago; --reason: a
 *	POSIX ERE that matches the delay reason of such a recipient.
 *	A damaged file (status QUEUE_SCAN_BAD) can match only --status and
 *	--older-than (its time comes from the queue ID).
 *
 *	queue_select_read_ids() reads the "-" argument: one queue ID a
 *	line (CR LF or LF, empty lines skipped, at most
 *	QUEUE_SELECT_LINE_MAX bytes) and calls fn for each; fn returns
 *	its number of errors. A too long line is reported on stderr and
 *	skipped.
 *
 * DIAGNOSTICS
 *	queue_select_parse() returns 0, or -1 with a reason in why (an
 *	unknown option, a missing value, a bad AGE, status or regex).
 *	queue_select_read_ids() returns the number of errors: its own
 *	(too long line, read error) plus those of fn.
 *
 * SECURITY
 *	Option values come from the administrator; they are only
 *	compared with queue data, never used as file names.
 */
#ifndef QUEUE_SELECT_H
#define QUEUE_SELECT_H

#include <regex.h>
#include <time.h>

#include "vstr.h"
#include "vstream.h"
#include "queue_scan.h"

#define QUEUE_SELECT_LINE_MAX	256	/* one line of "-" input */

struct queue_select {
    int     any;			/* a selector was given */
    int     dry_run;
    int     json;
    const char *from;
    const char *to;
    const char *domain;
    long    older_than;			/* seconds, or -1 */
    const char *status;			/* queue name, or NULL */
    int     has_reason;
    regex_t reason;
    char  **args;			/* the other arguments */
    int     nargs;
};

extern void queue_select_init(struct queue_select *);
extern void queue_select_free(struct queue_select *);
extern int queue_select_parse(struct queue_select *, int, char **,
			              struct vstr *);
extern int queue_select_queue(const struct queue_select *, const char *);
extern int queue_select_match(const struct queue_select *, const char *,
			              const char *, int,
			              const struct queue_scan_msg *, time_t);
extern int queue_select_read_ids(struct vstream *,
			              int (*) (const char *, void *), void *);

#endif
