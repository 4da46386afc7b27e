/*
 * header_parse.h - split the primary header block of a message into
 *	logical header fields (RFC 5322 folding), with a size limit.
 *
 * SYNOPSIS
 *	#include "header_parse.h"
 *
 *	struct header_parse *header_parse_create(size_t limit,
 *			header_parse_fn fn, void *ctx);
 *	int	header_parse_line(struct header_parse *hp, const char *line,
 *			size_t len);
 *	void	header_parse_end(struct header_parse *hp);
 *	size_t	header_parse_room(struct header_parse *hp);
 *	void	header_parse_free(struct header_parse *hp);
 *
 *	size_t	header_parse_name_len(const char *line, size_t len);
 *	int	header_parse_name_eq(const char *hdr, size_t len,
 *			const char *name);
 *	size_t	header_parse_value(const char *hdr, size_t len);
 *
 * DESCRIPTION
 *	The caller feeds the physical lines of a message (without line
 *	endings) to header_parse_line() from the first line on. A line
 *	that starts a header field ("name:" where name is one or more
 *	printable US-ASCII characters other than ':', optionally followed
 *	by spaces or tabs before the colon) begins a new logical header;
 *	a line that starts with a space or a tab while a header is pending
 *	continues it. When a logical header is complete (the next header
 *	starts, or the header block ends) fn(hdr, len, name_len, ctx) is
 *	called with its physical lines joined by "\n" (no trailing "\n")
 *	and the length of the name (without white space and colon).
 *
 *	The header block ends at the first line that is neither: an empty
 *	line (the usual separator), or any other line, which then is the
 *	first body line. header_parse_line() returns HEADER_PARSE_BODY for
 *	that line and for every later one: the caller handles them (the
 *	parser does not keep them). header_parse_end() ends the header
 *	block at the end of the message (flushing a pending header).
 *
 *	limit bounds the whole header block: the bytes of every header and
 *	continuation line plus one per line. A header or continuation line
 *	that would go beyond it makes header_parse_line() return
 *	HEADER_PARSE_TOOBIG (the pending header is dropped, fn is not
 *	called again, and every later call returns HEADER_PARSE_TOOBIG).
 *	A body line is never too big. header_parse_room() tells how many
 *	more bytes a line may have (limit minus what was used, minus one
 *	for the line ending; 0 when none): a caller that reads long lines
 *	in pieces may give the parser a piece longer than the room, and the
 *	parser then decides between "too big" and "body".
 *
 *	header_parse_name_len() returns the length of the header name at
 *	the start of line, or 0 when the line does not start a header.
 *	header_parse_name_eq() tells whether the header hdr has the given
 *	name (ASCII case-insensitive). header_parse_value() returns the
 *	offset of the value: after the colon and the white space that
 *	follows it.
 *
 * DIAGNOSTICS
 *	header_parse_line() returns HEADER_PARSE_OK (0),
 *	HEADER_PARSE_BODY or HEADER_PARSE_TOOBIG.
 *
 * SECURITY
 *	Lines are hostile bytes; any byte is allowed and kept (the caller
 *	decides about CR, LF and NUL before parsing: a line that contains
 *	"\n" cannot be split again after joining). Memory is bounded by
 *	limit; all length arithmetic is done in size_t without overflow.
 */
#ifndef HEADER_PARSE_H
#define HEADER_PARSE_H

#include <stddef.h>

#define HEADER_PARSE_OK		0
#define HEADER_PARSE_BODY	1
#define HEADER_PARSE_TOOBIG	2

typedef void (*header_parse_fn) (const char *, size_t, size_t, void *);

struct header_parse;

extern struct header_parse *header_parse_create(size_t, header_parse_fn,
						        void *);
extern int header_parse_line(struct header_parse *, const char *, size_t);
extern void header_parse_end(struct header_parse *);
extern size_t header_parse_room(struct header_parse *);
extern void header_parse_free(struct header_parse *);

extern size_t header_parse_name_len(const char *, size_t);
extern int header_parse_name_eq(const char *, size_t, const char *);
extern size_t header_parse_value(const char *, size_t);

#endif
