/*
 * queue_file.h - write, read and update postern queue files.
 *
 * SYNOPSIS
 *	#include "queue_file.h"
 *
 *	Envelope (queue_file.c):
 *	void	queue_env_init(struct queue_env *env);
 *	void	queue_env_free(struct queue_env *env);
 *	void	queue_env_add_rcpt(struct queue_env *env, const char *addr,
 *			const char *orcpt, int notify);
 *	int	queue_field_ok(int type, const char *data, size_t len,
 *			struct vstr *why);
 *	int	queue_field_num(const char *data, size_t len, long long *val);
 *	int	queue_field_time(const char *data, size_t len,
 *			struct timeval *tv);
 *	int	queue_mark_done(int fd, off_t offset, struct vstr *why);
 *
 *	Records to any stream (queue_out.c):
 *	void	queue_out_init(struct queue_out *out, struct vstream *fp);
 *	void	queue_out_done(struct queue_out *out);
 *	int	queue_out_envelope(struct queue_out *out,
 *			struct queue_env *env, struct vstr *why);
 *	int	queue_out_text(struct queue_out *out, const char *data,
 *			size_t len, int more, struct vstr *why);
 *	void	queue_out_flags(struct queue_out *out, int flags);
 *	int	queue_out_finish(struct queue_out *out, struct vstr *why);
 *
 *	A new queue file (queue_write.c):
 *	struct queue_writer *queue_write_open(const char *queue_dir,
 *			const char *queue_name, struct vstr *why);
 *	const char *queue_write_id(struct queue_writer *w);
 *	int	queue_write_envelope(struct queue_writer *w,
 *			struct queue_env *env, struct vstr *why);
 *	int	queue_write_text(struct queue_writer *w, const char *data,
 *			size_t len, int more, struct vstr *why);
 *	void	queue_write_flags(struct queue_writer *w, int flags);
 *	int	queue_write_commit(struct queue_writer *w, struct vstr *why);
 *	void	queue_write_free(struct queue_writer *w);
 *
 *	Reading (queue_read.c):
 *	struct queue_reader *queue_read_open(const char *path, int rdwr,
 *			struct vstr *why);
 *	struct queue_reader *queue_read_stream(struct vstream *fp);
 *	int	queue_read_fd(struct queue_reader *r);
 *	int	queue_read_envelope(struct queue_reader *r,
 *			struct queue_env *env, struct vstr *why);
 *	int	queue_read_line(struct queue_reader *r, struct vstr *line,
 *			size_t maxlen, struct vstr *why);
 *	void	queue_read_close(struct queue_reader *r);
 *
 * DESCRIPTION
 *	struct queue_env is the envelope: arrival time, content size,
 *	client name/address/HELO/protocol, SASL user, QUEUE_FLAG_* flags
 *	(commit_flags: the part of them that the writer recorded at commit),
 *	DSN RET and ENVID, the sender ("" for the null sender) and the
 *	recipients, each with ORCPT, a QUEUE_NOTIFY_* mask, its done flag and
 *	the file offset of its record. Optional strings are NULL when
 *	absent; numbers are 0. queue_env_init() zeroes it and sets the
 *	arrival time to now; queue_env_free() frees every string.
 *	queue_field_ok() tells whether data is a valid value for an
 *	envelope record of the given type (writer and reader share it).
 *	queue_field_num() converts a canonical decimal number (no sign, no
 *	leading zero, at most 18 digits, or exactly 20 digits for the size
 *	record) and queue_field_time() "SECONDS.MICROSECONDS" (6 digits of
 *	microseconds); both return 0, or -1 for anything else.
 *
 *	Content is a sequence of lines without their newline; a line may
 *	hold any byte, NUL included. A line of more than QUEUE_LINE_CHUNK
 *	bytes is stored as full REC_TYPE_CONT pieces and a last
 *	REC_TYPE_NORM piece. queue_out_text() and queue_write_text() add
 *	data to the current line; more != 0 means that the line continues
 *	in the next call. The content size is the number of line bytes plus
 *	one per line; the writer patches it into the size record (only on a
 *	regular file: on a socket or pipe the size record stays 0 and the
 *	receiver counts the content itself).
 *
 *	QUEUE_FLAG_8BITMIME means that the content is 8-bit: the client
 *	said BODY=8BITMIME, or the content has a byte >= 0x80 (cleanup
 *	checks every line it writes). The flags record is written with
 *	the envelope, before the content is known, so the content part is
 *	added at commit: queue_out_flags() and queue_write_flags() (only
 *	QUEUE_FLAG_8BITMIME, after the envelope) make the writer turn the
 *	type byte of the end-of-envelope record from REC_TYPE_MESG into
 *	REC_TYPE_MESG8 when the flags record does not have the flag yet,
 *	like the size record, in place and only on a regular file (on a
 *	stream queue_out_finish() then fails). The reader returns the flag
 *	in flags and in commit_flags, and refuses REC_TYPE_MESG8 when the
 *	flags record already has it, so each value has one encoding; the
 *	writer writes flags & ~commit_flags into the flags record and
 *	REC_TYPE_MESG8 for a commit_flags of QUEUE_FLAG_8BITMIME.
 *
 *	queue_write_open() creates a temporary file (never a valid queue
 *	ID) in queue_dir/queue_name and chooses the queue ID.
 *	queue_write_commit() ends the content, flushes and fsyncs the file,
 *	renames it to its queue ID path (never replacing a file) and fsyncs
 *	the directory: only then is the message accepted. On failure it
 *	removes the file. queue_write_free() removes an uncommitted file and
 *	frees the writer. See docs/queue.md for the state machine.
 *
 *	queue_read_open() opens a queue file (O_RDWR when rdwr, for
 *	queue_mark_done()); queue_read_stream() reads any stream (memory,
 *	tests) and does not close it. queue_read_envelope() must be called
 *	first; it overwrites env (free an old one first) and leaves it empty
 *	on failure. Then queue_read_line() returns QUEUE_LINE with a whole line
 *	in line, QUEUE_PART when the line is longer than maxlen (line has
 *	at least maxlen bytes, at most maxlen + QUEUE_LINE_CHUNK - 1, and
 *	the rest follows), or QUEUE_END after the end record, a matching
 *	size and end of file.
 *
 *	queue_mark_done() overwrites the type byte of the recipient record
 *	at offset (from queue_rcpt.offset) with REC_TYPE_DONE and fsyncs.
 *
 * DIAGNOSTICS
 *	Functions that return int return 0 (or a QUEUE_ value) on success
 *	and -1 (QUEUE_ERR) on failure with a one-line reason in why (when
 *	not NULL) and, for system call failures, errno set (ENOSPC, EFBIG,
 *	EDQUOT and EIO are reported, never ignored). After a failure a
 *	reader or writer only accepts close/free.
 *
 * SECURITY
 *	The reader treats the file as hostile: wrong magic or version,
 *	an unknown record type, a record out of order or repeated, a
 *	missing sender or recipient, a field with a control character
 *	(CR, LF, NUL, ...) or beyond its length limit, a size mismatch,
 *	a truncated file or data after the end record is an error. The
 *	format is canonical: a file the reader accepts is what the writer
 *	writes for the envelope and lines read from it.
 */
#ifndef QUEUE_FILE_H
#define QUEUE_FILE_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/time.h>

#include "vstr.h"
#include "vstream.h"

#define QUEUE_MAGIC		"postern-queue 1"
#define QUEUE_LINE_CHUNK	4096	/* content bytes per record */
#define QUEUE_ADDR_MAX		2048	/* sender, recipient */
#define QUEUE_ORCPT_MAX		500	/* RFC 3461 */
#define QUEUE_ENVID_MAX		100	/* RFC 3461 */
#define QUEUE_SIZE_DIGITS	20	/* size record, patched in place */

#define QUEUE_FLAG_8BITMIME	(1<<0)
#define QUEUE_FLAG_SMTPUTF8	(1<<1)
#define QUEUE_FLAG_ALL		(QUEUE_FLAG_8BITMIME | QUEUE_FLAG_SMTPUTF8)

#define QUEUE_NOTIFY_NEVER	(1<<0)
#define QUEUE_NOTIFY_SUCCESS	(1<<1)
#define QUEUE_NOTIFY_FAILURE	(1<<2)
#define QUEUE_NOTIFY_DELAY	(1<<3)

#define QUEUE_RET_FULL		1
#define QUEUE_RET_HDRS		2

#define QUEUE_END		1	/* queue_read_line() results */
#define QUEUE_LINE		2
#define QUEUE_PART		3
#define QUEUE_ERR		(-1)

struct queue_rcpt {
    char   *address;			/* never empty */
    char   *orcpt;			/* DSN ORCPT or NULL */
    int     notify;			/* QUEUE_NOTIFY_* or 0 */
    int     done;			/* delivered, do not retry */
    off_t   offset;			/* of the recipient record */
};

struct queue_env {
    struct timeval arrival;
    long long size;			/* content size, set by the writer */
    char   *client_name;
    char   *client_addr;
    char   *helo;
    char   *protocol;
    char   *sasl_user;
    int     flags;			/* QUEUE_FLAG_* */
    int     commit_flags;		/* of flags: recorded at commit */
    int     dsn_ret;			/* QUEUE_RET_* or 0 */
    char   *dsn_envid;
    char   *sender;			/* "" for the null sender */
    struct queue_rcpt *rcpt;
    size_t  rcpt_count;
    size_t  rcpt_alloc;
};

struct queue_out {
    struct vstream *fp;
    off_t   offset;			/* bytes written so far */
    off_t   size_offset;		/* of the size record's data */
    off_t   mesg_offset;		/* of the end-of-envelope record */
    int     flags;			/* in the flags or mesg record */
    int     commit_flags;		/* to record at commit */
    long long content;			/* content size so far */
    struct vstr *pending;		/* unfinished line piece */
    int     in_line;			/* last text call had "more" set */
    int     state;			/* QUEUE_OUT_* (queue_out.c) */
};

struct queue_writer;
struct queue_reader;

extern void queue_env_init(struct queue_env *);
extern void queue_env_free(struct queue_env *);
extern void queue_env_add_rcpt(struct queue_env *, const char *,
			               const char *, int);
extern int queue_field_ok(int, const char *, size_t, struct vstr *);
extern int queue_field_num(const char *, size_t, long long *);
extern int queue_field_time(const char *, size_t, struct timeval *);
extern int queue_mark_done(int, off_t, struct vstr *);

extern void queue_out_init(struct queue_out *, struct vstream *);
extern void queue_out_done(struct queue_out *);
extern int queue_out_envelope(struct queue_out *, struct queue_env *,
			              struct vstr *);
extern int queue_out_text(struct queue_out *, const char *, size_t, int,
			          struct vstr *);
extern void queue_out_flags(struct queue_out *, int);
extern int queue_out_finish(struct queue_out *, struct vstr *);

extern struct queue_writer *queue_write_open(const char *, const char *,
					             struct vstr *);
extern const char *queue_write_id(struct queue_writer *);
extern int queue_write_envelope(struct queue_writer *, struct queue_env *,
				        struct vstr *);
extern int queue_write_text(struct queue_writer *, const char *, size_t,
			            int, struct vstr *);
extern void queue_write_flags(struct queue_writer *, int);
extern int queue_write_commit(struct queue_writer *, struct vstr *);
extern void queue_write_free(struct queue_writer *);

extern struct queue_reader *queue_read_open(const char *, int, struct vstr *);
extern struct queue_reader *queue_read_stream(struct vstream *);
extern int queue_read_fd(struct queue_reader *);
extern int queue_read_envelope(struct queue_reader *, struct queue_env *,
			               struct vstr *);
extern int queue_read_line(struct queue_reader *, struct vstr *, size_t,
			           struct vstr *);
extern void queue_read_close(struct queue_reader *);

#endif
