/*
 * mime_downgrade.h - turn 8-bit MIME content into 7-bit, one line at a
 *	time, for a server that does not offer 8BITMIME (Postfix's
 *	mime_state with MIME_OPT_DOWNGRADE).
 *
 * SYNOPSIS
 *	#include "mime_downgrade.h"
 *
 *	struct mime_downgrade *mime_downgrade_create(
 *			mime_downgrade_out_fn out, void *ctx);
 *	int	mime_downgrade_line(struct mime_downgrade *dg,
 *			const char *text, size_t len, int eol);
 *	int	mime_downgrade_end(struct mime_downgrade *dg);
 *	int	mime_downgrade_errors(struct mime_downgrade *dg);
 *	const char *mime_downgrade_strerror(int errors);
 *	void	mime_downgrade_free(struct mime_downgrade *dg);
 *
 * DESCRIPTION
 *	The caller feeds the message lines (headers, then body; no line
 *	ends) to mime_downgrade_line(), a long line in pieces: eol is
 *	non-zero on the piece that ends the line. The converter writes its
 *	result through out(text, len, flags, ctx), also in pieces;
 *	MIME_DOWNGRADE_EOL in flags ends an output line and
 *	MIME_DOWNGRADE_HEADER marks header text. out returns 0, or -1 to
 *	stop. mime_downgrade_end() flushes at the end of the message (a
 *	last line without its end gets one). A header name or a boundary
 *	is recognised in the first piece of a line only (as in Postfix;
 *	queue_read_line() pieces are QUEUE_LINE_CHUNK bytes or more).
 *
 *	What is converted (RFC 2045, 2046, 6152; as Postfix does):
 *
 *	- a leaf entity (text/any, application/any, message/partial, ...)
 *	  with "Content-Transfer-Encoding: 8bit" or "binary" gets its body
 *	  quoted-printable encoded and the header replaced by
 *	  "Content-Transfer-Encoding: quoted-printable", emitted at the end
 *	  of its header block;
 *	- a multipart/any or message/rfc822 entity with 8bit or binary gets
 *	  "Content-Transfer-Encoding: 7bit", and the converter recurses
 *	  into its parts (boundaries tracked on a stack of at most
 *	  MIME_DOWNGRADE_DEPTH, prefix-matched as Postfix does, trailing
 *	  junk after "--boundary" ignored) or its nested message;
 *	- unlike Postfix, a leaf without any Content-Transfer-Encoding
 *	  header whose body turns out to hold 8-bit bytes (looked for in
 *	  the first MIME_DOWNGRADE_LOOKAHEAD bytes, held back meanwhile) is
 *	  converted the same way, the header added; in the primary header
 *	  block (or a message/rfc822's) without MIME-Version, also
 *	  "MIME-Version: 1.0", and without Content-Type also
 *	  "Content-Type: text/plain; charset=unknown-8bit" (RFC 1428).
 *
 *	Quoted-printable: bytes 33-126 except "=" stay, space and tab stay
 *	except at the end of a line, all else is "=XX"; soft line breaks
 *	keep every output line at 76 bytes or less.
 *
 *	Everything else passes unchanged, with one exception: an 8-bit byte
 *	in a body that cannot be relabelled (declared 7bit, base64 or an
 *	unknown encoding, a multipart preamble or epilogue, a boundary
 *	line, an unlabelled leaf with 8-bit only after the lookahead) is
 *	written as "?", and in a quoted-printable body as its "=XX" form.
 *	So body output is always 7-bit. Headers are left as they are,
 *	8-bit included, as Postfix leaves them. A message that has no
 *	8-bit byte in any body and declares no 8bit or binary part comes
 *	out byte for byte as it went in.
 *
 *	A header block that ends in a line that is not a header (no empty
 *	line) gets an empty line inserted when the converter added a
 *	header to it. A CR or LF byte in a header is held as a space.
 *
 *	mime_downgrade_errors() returns MIME_DOWNGRADE_ERR_NESTING when a
 *	multipart boundary would have gone deeper than the limit (Postfix
 *	bounces such mail with 5.6.0; the converter carries on without the
 *	boundary). mime_downgrade_strerror() describes it.
 *
 * DIAGNOSTICS
 *	mime_downgrade_line() and mime_downgrade_end() return 0, or -1 when
 *	out() did; after -1 only mime_downgrade_free() is allowed.
 *
 * SECURITY
 *	The content is hostile (it came from the network through the
 *	queue). Every buffer is bounded: a header kept for parsing or held
 *	back (MIME_DOWNGRADE_HEADER_MAX; a longer one is written out as it
 *	is and no longer parsed), a boundary (MIME_HEADER_VALUE_MAX), the
 *	boundary stack (MIME_DOWNGRADE_DEPTH), the lookahead
 *	(MIME_DOWNGRADE_LOOKAHEAD), a quoted-printable line (76). Output
 *	never exceeds what the input dictates; no recursion.
 */
#ifndef MIME_DOWNGRADE_H
#define MIME_DOWNGRADE_H

#include <stddef.h>

#define MIME_DOWNGRADE_EOL	(1<<0)	/* out(): this piece ends the line */
#define MIME_DOWNGRADE_HEADER	(1<<1)	/* out(): header text */

#define MIME_DOWNGRADE_ERR_NESTING	(1<<0)

#define MIME_DOWNGRADE_DEPTH	100	/* Postfix mime_nesting_limit */
#define MIME_DOWNGRADE_HEADER_MAX 16384	/* one header kept to parse */
#define MIME_DOWNGRADE_LOOKAHEAD 65536	/* unlabelled body held back */

typedef int (*mime_downgrade_out_fn) (const char *, size_t, int, void *);

struct mime_downgrade;

extern struct mime_downgrade *mime_downgrade_create(mime_downgrade_out_fn,
						            void *);
extern int mime_downgrade_line(struct mime_downgrade *, const char *, size_t,
			               int);
extern int mime_downgrade_end(struct mime_downgrade *);
extern int mime_downgrade_errors(struct mime_downgrade *);
extern const char *mime_downgrade_strerror(int);
extern void mime_downgrade_free(struct mime_downgrade *);

#endif
