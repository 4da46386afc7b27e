/*
 * queue_scan.h - read the queue directory from the outside: walk the
 *	queues, open one message's directory safely, load an envelope
 *	and its deferred reasons (postern queue, flush, delete).
 *
 * SYNOPSIS
 *	#include "queue_scan.h"
 *
 *	extern const char *const queue_scan_list_queues[];
 *	extern const char *const queue_scan_admin_queues[];
 *
 *	int	queue_scan_walk(const char *queue_dir, const char *queue_name,
 *			queue_scan_fn fn, void *ctx, struct vstr *why);
 *	int	queue_scan_dir(const char *queue_dir, const char *queue_name,
 *			const char *queue_id);
 *
 *	void	queue_scan_msg_init(struct queue_scan_msg *msg);
 *	void	queue_scan_msg_free(struct queue_scan_msg *msg);
 *	int	queue_scan_load(const char *queue_dir, int dir_fd,
 *			const char *queue_id, struct queue_scan_msg *msg);
 *	int	queue_scan_reasons(const char *queue_dir, const char *queue_id,
 *			struct queue_scan_msg *msg, struct vstr *why);
 *
 *	const char *queue_scan_config(int need_admin);
 *
 * DESCRIPTION
 *	queue_scan_list_queues is what `postern queue` shows, in order:
 *	incoming, active, deferred, hold, maildrop (null-terminated).
 *	queue_scan_admin_queues is what flush/delete act on: incoming,
 *	active, deferred, hold.
 *
 *	queue_scan_walk() calls fn(queue_name, dir_fd, queue_id, ctx) for
 *	every directory entry of queue_name (in every hash subdirectory of
 *	a hashed queue) whose name is a valid queue ID, sorted by queue ID
 *	(that is, by arrival time). dir_fd is the directory that holds the
 *	entry, valid during the call only. Other names (temporary files
 *	being written, junk) are skipped. When fn returns a negative value
 *	the walk stops and returns it. A queue that does not exist counts
 *	as empty.
 *
 *	queue_scan_dir() opens the directory that holds queue_id's file in
 *	queue_name (its hash subdirectory for a hashed queue) and returns
 *	its descriptor, to be used with openat(), unlinkat() or
 *	utimensat().
 *
 *	queue_scan_load() reads the envelope (only; the content is not
 *	checked) of one queue file into msg
 *	(queue_scan_msg_init() first; it frees an earlier content) and
 *	each recipient's delay reason from the deferred-reason log
 *	queue_dir/defer/H/queue_id when there is one (util/deliver_proto.h;
 *	qmgr writes it for deferred mail and a retried message in active/
 *	keeps its last reasons). msg->reason[i] belongs
 *	to msg->env.rcpt[i] and is NULL when there is none.
 *	queue_scan_reasons() reads the deferred-reason log alone.
 *
 *	queue_scan_config() reads main.cf (admin_config_dir) and the
 *	parameters, and returns var_queue_dir; with need_admin, only root
 *	or mail_owner may continue. On failure it prints why on stderr
 *	and returns NULL.
 *
 * DIAGNOSTICS
 *	queue_scan_walk() returns 0, a negative value from fn, or -1 with
 *	a reason in why when the queue cannot be read (EACCES: "as uid N,
 *	only root and mail_owner X can read the queue").
 *	queue_scan_dir() returns -1 with errno set (ENOENT, ENOTDIR,
 *	ELOOP for a symbolic link, EINVAL for a bad name or ID).
 *	queue_scan_load() returns QUEUE_SCAN_OK, QUEUE_SCAN_GONE (the file
 *	vanished: a daemon moved or removed it) or QUEUE_SCAN_BAD with a
 *	reason in msg->error. A damaged deferred-reason log never makes
 *	the message bad: its reasons are then NULL, with a warning on
 *	stderr. queue_scan_reasons() returns 0, or -1 with why set.
 *
 * SECURITY
 *	Every directory below queue_dir is opened with O_NOFOLLOW and
 *	O_DIRECTORY, every file with O_NOFOLLOW and must be a regular file:
 *	a symbolic link planted in the queue is never followed, also not
 *	by root. Queue IDs are checked with mail_queue_id_ok() before they
 *	name anything. Queue files and deferred-reason logs are hostile
 *	input: the queue-file reader and attr_scan() with tight limits
 *	check every byte; the log is bounded by QUEUE_SCAN_DEFER_MAX.
 */
#ifndef QUEUE_SCAN_H
#define QUEUE_SCAN_H

#include "vstr.h"
#include "queue_file.h"

#define QUEUE_SCAN_OK		0
#define QUEUE_SCAN_GONE		1
#define QUEUE_SCAN_BAD		(-1)

#define QUEUE_SCAN_DEFER_MAX	(4 * 1024 * 1024)	/* log file bytes */
#define QUEUE_SCAN_REASON_MAX	(16 * 1024)	/* one reason */

typedef int (*queue_scan_fn) (const char *, int, const char *, void *);

struct queue_scan_msg {
    struct queue_env env;
    char  **reason;			/* per env.rcpt, or NULL */
    struct vstr *error;			/* why the file is bad */
};

extern const char *const queue_scan_list_queues[];
extern const char *const queue_scan_admin_queues[];

extern int queue_scan_walk(const char *, const char *, queue_scan_fn, void *,
			           struct vstr *);
extern int queue_scan_dir(const char *, const char *, const char *);
extern void queue_scan_msg_init(struct queue_scan_msg *);
extern void queue_scan_msg_free(struct queue_scan_msg *);
extern int queue_scan_load(const char *, int, const char *,
			           struct queue_scan_msg *);
extern int queue_scan_reasons(const char *, const char *,
			              struct queue_scan_msg *, struct vstr *);
extern const char *queue_scan_config(int);

#endif
