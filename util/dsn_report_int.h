/*
 * dsn_report_int.h - internal interface between dsn_report.c (fields,
 *	boundary, assembly) and dsn_report_part.c (the explanation and the
 *	original message). Not for use outside dsn_report(3).
 *
 * SYNOPSIS
 *	#include "dsn_report_int.h"
 *
 *	void	dsn_report_fold(struct argv *out, const char *s, size_t len,
 *			const char *cont);
 *	void	dsn_report_field(struct dsn_report_state *st,
 *			struct argv *out, const char *name, const char *value);
 *	int	dsn_report_orcpt(struct dsn_report_state *st,
 *			const char *orcpt, struct vstr *type,
 *			struct vstr *addr);
 *	void	dsn_report_text(struct dsn_report_state *st,
 *			const struct dsn_rcpt *rcpts, size_t n);
 *	int	dsn_report_orig(struct dsn_report_state *st,
 *			struct queue_reader *r, struct vstr *why);
 *
 * DESCRIPTION
 *	dsn_report_fold() appends the logical line s (len bytes, already
 *	clean: no control characters) to out as physical lines of at most
 *	DSN_REPORT_FOLD bytes where a space allows, never more than
 *	DSN_REPORT_LINE_MAX; continuation lines start with cont, then the
 *	space the line was broken at (a space is inserted when a word had
 *	to be cut). dsn_report_field() folds "name: value".
 *
 *	dsn_report_orcpt() splits an ORCPT "type;address" into a clean
 *	address type (default rfc822) and address; it returns 0 when
 *	there is none. dsn_report_text() fills st->text, part 1: a fixed
 *	introduction (failure, delay or postmaster copy) and one line per
 *	recipient with its reason (needs st->orig_full: call it after
 *	dsn_report_orig()). dsn_report_orig() fills st->orig (and st->orig_full)
 *	from the original queue file (see dsn_report.h for what is
 *	included).
 *
 * DIAGNOSTICS
 *	dsn_report_orig() returns 0, or -1 with the reader's reason in why.
 */
#ifndef DSN_REPORT_INT_H
#define DSN_REPORT_INT_H

#include "argv.h"
#include "dsn_report.h"
#include "queue_file.h"
#include "vstr.h"

struct dsn_report_state {
    const struct dsn_report_info *info;
    time_t  now;			/* date of the report */
    struct argv *head;			/* top-level headers, no MIME */
    struct argv *text;			/* part 1 body */
    struct argv *status;		/* part 2 body */
    struct argv *orig;			/* part 3 body */
    int     orig_full;			/* part 3 is message/rfc822 */
    struct vstr *qid;			/* original queue ID, alnum only */
    struct vstr *buf;			/* scratch */
    struct vstr *tmp;			/* scratch of dsn_report_field() */
    struct vstr *tmp2;			/* scratch */
};

extern void dsn_report_fold(struct argv *, const char *, size_t,
			            const char *);
extern void dsn_report_field(struct dsn_report_state *, struct argv *,
			             const char *, const char *);
extern int dsn_report_orcpt(struct dsn_report_state *, const char *,
			            struct vstr *, struct vstr *);
extern void dsn_report_text(struct dsn_report_state *,
			            const struct dsn_rcpt *, size_t);
extern int dsn_report_orig(struct dsn_report_state *, struct queue_reader *,
			           struct vstr *);

#endif
