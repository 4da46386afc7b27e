/*
 * mail_queue.h - queue names, queue file paths, queue IDs, queue tree.
 *
 * SYNOPSIS
 *	#include "mail_queue.h"
 *
 *	int	mail_queue_name_ok(const char *queue_name);
 *	int	mail_queue_hashed(const char *queue_name);
 *	int	mail_queue_id_ok(const char *queue_id);
 *	int	mail_queue_path(struct vstr *buf, const char *queue_name,
 *			const char *queue_id);
 *	int	mail_queue_id_make(struct vstr *id, const struct timeval *tv,
 *			unsigned long long inum);
 *	int	mail_queue_id_next(struct vstr *id, unsigned long long inum);
 *	void	mail_queue_id_stamp(struct timeval *stamp);
 *	int	mail_queue_id_time(const char *queue_id, struct timeval *tv);
 *	int	mail_queue_temp_name(struct vstr *name);
 *	int	mail_queue_temp_ok(const char *name);
 *	int	mail_queue_create_tree(const char *queue_dir, uid_t owner,
 *			gid_t setgid_group, struct vstr *why);
 *
 * DESCRIPTION
 *	The queue directory holds the queues MAIL_QUEUE_* below. The
 *	hashed ones (incoming active deferred hold bounce defer) have one
 *	level of subdirectories, named by character MAIL_QUEUE_HASH_POS of
 *	the queue ID (one of [0-9A-Za-z]).
 *
 *	mail_queue_name_ok() is true for a known queue name;
 *	mail_queue_hashed() for a hashed one. mail_queue_id_ok() is true
 *	for 12 to 20 characters of [0-9A-Za-z] and nothing else.
 *
 *	mail_queue_path() puts the path of a queue file, relative to the
 *	queue directory, in buf: "queue/ID" or "queue/H/ID" when hashed.
 *
 *	A queue ID is the arrival time, 6 characters of seconds and 4 of
 *	microseconds in base 62 (alphabet 0-9A-Za-z, which sorts like
 *	ASCII), then the file's inode number in base 62 (2 to 10 digits).
 *	Files that exist at the same time have different inodes, and a
 *	reused inode comes with a later time, so an ID is never used twice;
 *	IDs sort by arrival time. mail_queue_id_make() encodes tv and inum.
 *	mail_queue_id_next() uses the current time, made strictly
 *	increasing within this process; mail_queue_id_stamp() just takes
 *	such a time stamp (a writer learns the hash subdirectory from it
 *	before the file, and so its inode, exists). mail_queue_id_time()
 *	decodes the time of an ID.
 *
 *	mail_queue_temp_name() makes a name for a file that is being
 *	written ("tmp.PID.COUNTER.USEC"): it contains '.', so no one can
 *	take it for a queue ID. mail_queue_temp_ok() recognizes such a name
 *	(so that a stale one can be removed).
 *
 *	mail_queue_create_tree() creates queue_dir and every queue and
 *	hash subdirectory, or repairs their owner and mode: queue_dir and
 *	pid/ root 0755; maildrop/ owner:setgid_group 0730; public/
 *	owner:setgid_group 0710; every other queue and its hash
 *	subdirectories owner 0700. When not run as root, "root" means the
 *	caller. It is idempotent.
 *
 * DIAGNOSTICS
 *	mail_queue_path() returns -1 for an unknown queue name or a bad
 *	queue ID (buf is then empty). mail_queue_id_make() and _next()
 *	return -1 when the inode number needs more than 10 digits or the
 *	time is out of range. mail_queue_id_time() returns -1 for a bad ID.
 *	mail_queue_create_tree() returns -1 with a reason in why (when not
 *	NULL) and errno set.
 *
 * SECURITY
 *	A queue ID from outside (a command line, a directory entry, a
 *	queue file) must pass mail_queue_id_ok() before it becomes part of
 *	a path; mail_queue_path() enforces this, so "../x" cannot escape.
 *	mail_queue_create_tree() opens every directory with O_NOFOLLOW and
 *	O_DIRECTORY and fixes it through the descriptor: a symbolic link or
 *	a file in place of a directory is refused, not followed.
 */
#ifndef MAIL_QUEUE_H
#define MAIL_QUEUE_H

#include <sys/types.h>
#include <sys/time.h>

#include "vstr.h"

#define MAIL_QUEUE_MAILDROP	"maildrop"
#define MAIL_QUEUE_INCOMING	"incoming"
#define MAIL_QUEUE_ACTIVE	"active"
#define MAIL_QUEUE_DEFERRED	"deferred"
#define MAIL_QUEUE_HOLD		"hold"
#define MAIL_QUEUE_CORRUPT	"corrupt"
#define MAIL_QUEUE_BOUNCE	"bounce"
#define MAIL_QUEUE_DEFER	"defer"
#define MAIL_QUEUE_PRIVATE	"private"
#define MAIL_QUEUE_PUBLIC	"public"
#define MAIL_QUEUE_PID		"pid"

#define MAIL_QUEUE_ID_MIN	12
#define MAIL_QUEUE_ID_MAX	20
#define MAIL_QUEUE_HASH_POS	9	/* last microseconds digit */
#define MAIL_QUEUE_ALPHABET \
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

extern int mail_queue_name_ok(const char *);
extern int mail_queue_hashed(const char *);
extern int mail_queue_id_ok(const char *);
extern int mail_queue_path(struct vstr *, const char *, const char *);
extern int mail_queue_id_make(struct vstr *, const struct timeval *,
			              unsigned long long);
extern int mail_queue_id_next(struct vstr *, unsigned long long);
extern void mail_queue_id_stamp(struct timeval *);
extern int mail_queue_id_time(const char *, struct timeval *);
extern int mail_queue_temp_name(struct vstr *);
extern int mail_queue_temp_ok(const char *);
extern int mail_queue_create_tree(const char *, uid_t, gid_t, struct vstr *);

#endif
