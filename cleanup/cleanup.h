/*
 * cleanup.h - the state shared by the phases of the cleanup daemon, and
 *	the functions of each phase.
 *
 * SYNOPSIS
 *	#include "cleanup.h"
 *
 *	cleanup_state.c:
 *	int	cleanup_maps_open(struct cleanup_maps *maps, struct vstr *why);
 *	int	cleanup_maps_changed(const struct cleanup_maps *maps);
 *	void	cleanup_maps_close(struct cleanup_maps *maps);
 *	struct cleanup_state *cleanup_state_alloc(struct vstream *src,
 *			const struct cleanup_maps *maps, const char *queue_dir);
 *	void	cleanup_state_free(struct cleanup_state *state);
 *	int	cleanup_state_error(struct cleanup_state *state, int status,
 *			const char *fmt, ...);
 *	void	cleanup_serve(struct vstream *src,
 *			const struct cleanup_maps *maps, const char *queue_dir);
 *
 *	cleanup_addr.c:
 *	void	cleanup_addr_qualify(struct vstr *addr);
 *	int	cleanup_addr_canon(const struct cleanup_maps *maps,
 *			int sender, struct vstr *addr, struct vstr *why);
 *	int	cleanup_addr_virtual(struct maps *virt, const char *addr,
 *			struct argv *result, struct vstr *why);
 *
 *	cleanup_envelope.c:
 *	int	cleanup_envelope(struct cleanup_state *state);
 *
 *	cleanup_message.c:
 *	int	cleanup_message(struct cleanup_state *state);
 *
 *	cleanup_out.c:
 *	int	cleanup_out_open(struct cleanup_state *state);
 *	void	cleanup_out_line(struct cleanup_state *state,
 *			const char *data, size_t len, int more);
 *	void	cleanup_out_abort(struct cleanup_state *state);
 *	void	cleanup_out_commit(struct cleanup_state *state);
 *	int	cleanup_out_reply(struct cleanup_state *state);
 *	void	cleanup_out_trigger(const char *queue_dir);
 *
 * DESCRIPTION
 *	One message is one connection (cleanup_proto.h). cleanup_serve()
 *	runs the phases in order on a struct cleanup_state: the flags,
 *	the envelope (read, checked, rewritten: cleanup_envelope), the
 *	queue file opened (cleanup_out_open), the content (headers, then
 *	body: cleanup_message), the commit, the reply, the qmgr trigger.
 *
 *	The first error wins: cleanup_state_error() records a
 *	MAIL_STAT_DEFER or MAIL_STAT_REJECT status and its reason (an
 *	enhanced status code and text) unless one is recorded already,
 *	and abandons the queue file. Later phases still read (and
 *	discard) the rest of the client's stream so that the client reads
 *	the reply, then the reply carries that first error.
 *
 *	cleanup_addr_qualify() appends "@$myorigin" to a bare local part
 *	(append_at_myorigin) and ".$mydomain" to a domain without a dot
 *	(append_dot_mydomain). cleanup_addr_canon() qualifies addr, then
 *	maps it through sender_canonical_maps or recipient_canonical_maps
 *	and then canonical_maps (each 1:1, repeated while it changes, at
 *	most CLEANUP_CANON_DEPTH times). cleanup_addr_virtual() expands a
 *	recipient through virtual_alias_maps (see docs/cleanup.md for the
 *	loop rules and limits) into result, duplicates removed.
 *
 *	cleanup_out_trigger() pokes qmgr (queue_dir/public/qmgr) with one
 *	MASTER_TRIGGER_WAKEUP byte, without waiting; failure is harmless.
 *
 * DIAGNOSTICS
 *	cleanup_addr_canon() and cleanup_addr_virtual() return 0, or -1
 *	with an enhanced status code and text in why (a table error, or an
 *	alias expansion beyond its limits): the message must be deferred.
 *	cleanup_envelope() and cleanup_message() return 0, or -1 when the
 *	client's stream is unusable (malformed, truncated, timed out).
 *
 * SECURITY
 *	Everything read from the client is hostile: the stream is parsed
 *	with the queue file rules (queue_read.c for the envelope, the same
 *	record checks for the content), addresses produced by rewriting
 *	are checked with queue_field_ok() before they are used.
 */
#ifndef CLEANUP_H
#define CLEANUP_H

#include <stddef.h>

#include "argv.h"
#include "header_parse.h"
#include "maps.h"
#include "queue_file.h"
#include "sys_defs.h"
#include "vstr.h"
#include "vstream.h"

#define CLEANUP_CANON_DEPTH	100	/* canonical map chain, like Postfix */
#define CLEANUP_DRAIN_SLACK	(1024 * 1024)	/* read past a limit, bytes */

struct cleanup_maps {
    struct maps *send_canon;		/* sender_canonical_maps */
    struct maps *rcpt_canon;		/* recipient_canonical_maps */
    struct maps *canon;			/* canonical_maps */
    struct maps *virt;			/* virtual_alias_maps */
};

 /*
  * Headers seen in the primary header block.
  */
#define CLEANUP_HDR_MESSAGE_ID	(1<<0)
#define CLEANUP_HDR_DATE	(1<<1)
#define CLEANUP_HDR_FROM	(1<<2)

struct cleanup_state;
typedef void (*cleanup_line_fn) (struct cleanup_state *, char *, size_t, int);

struct cleanup_state {
    struct vstream *src;		/* client: protocol + record stream */
    const struct cleanup_maps *maps;
    const char *queue_dir;		/* "." in the daemon */
    int     flags;			/* CLEANUP_FLAG_* */
    struct queue_reader *reader;	/* envelope reader on src */
    struct queue_env env;		/* the rewritten envelope */
    struct queue_writer *dst;		/* the new queue file, or NULL */
    char   *queue_id;			/* once the file is open */
    int     status;			/* MAIL_STAT_OK or first error */
    struct vstr *reason;		/* "5.4.0 Error: ..." */
    struct vstr *why;			/* scratch for reasons */
    struct vstr *buf;			/* scratch record data */
    /* Content. */
    cleanup_line_fn action;		/* header, body or discard phase */
    struct header_parse *hp;		/* header block parser */
    struct vstr *line;			/* line being assembled */
    int     in_line;			/* last record was a piece */
    int     part;			/* current line already sent partly */
    long long size;			/* client content bytes */
    long long declared;			/* the stream's size record */
    int     hdr_seen;			/* CLEANUP_HDR_* */
    int     hops;			/* Received: headers */
    struct vstr *msgid;			/* Message-ID value, for the log */
    int     content_8bit;		/* wrote a byte >= 0x80 */
};

 /*
  * cleanup_state.c
  */
extern int cleanup_maps_open(struct cleanup_maps *, struct vstr *);
extern int cleanup_maps_changed(const struct cleanup_maps *);
extern void cleanup_maps_close(struct cleanup_maps *);
extern struct cleanup_state *cleanup_state_alloc(struct vstream *,
				          const struct cleanup_maps *, const char *);
extern void cleanup_state_free(struct cleanup_state *);
extern int PRINTFLIKE(3, 4) cleanup_state_error(struct cleanup_state *, int,
						        const char *,...);
extern void cleanup_serve(struct vstream *, const struct cleanup_maps *,
			          const char *);

 /*
  * cleanup_addr.c
  */
extern void cleanup_addr_qualify(struct vstr *);
extern int cleanup_addr_canon(const struct cleanup_maps *, int, struct vstr *,
			              struct vstr *);
extern int cleanup_addr_virtual(struct maps *, const char *, struct argv *,
				        struct vstr *);

 /*
  * cleanup_envelope.c
  */
extern int cleanup_envelope(struct cleanup_state *);

 /*
  * cleanup_message.c
  */
extern int cleanup_message(struct cleanup_state *);

 /*
  * cleanup_out.c
  */
extern int cleanup_out_open(struct cleanup_state *);
extern void cleanup_out_line(struct cleanup_state *, const char *, size_t, int);
extern void cleanup_out_abort(struct cleanup_state *);
extern void cleanup_out_commit(struct cleanup_state *);
extern int cleanup_out_reply(struct cleanup_state *);
extern void cleanup_out_trigger(const char *);

 /*
  * cleanup_sandbox.c
  */
extern const char *const cleanup_syscalls[];

#endif
