/*
 * smtp_addr.h - RFC 5321 reverse-path / forward-path parser (MAIL FROM,
 *	RCPT TO, AUTH=), with RFC 6531 (SMTPUTF8) UTF-8 support.
 *
 * SYNOPSIS
 *	#include "smtp_addr.h"
 *
 *	int	smtp_addr_path(const char *s, size_t len, int flags,
 *			struct vstr *addr, size_t *used);
 *	int	smtp_addr_mailbox(const char *s, size_t len, int flags);
 *	size_t	smtp_addr_utf8_len(const unsigned char *s, size_t len);
 *	int	smtp_addr_has_8bit(const char *s, size_t len);
 *
 * DESCRIPTION
 *	smtp_addr_path() parses a Path that starts at s[0] (which must be
 *	"<"): "<" [ A-d-l ":" ] Mailbox ">", or "<>" when flags has
 *	SMTP_ADDR_FLAG_NULL_OK. It stops after the ">" and stores in *used
 *	how many bytes it consumed; what follows is the caller's business.
 *	On success addr holds the Mailbox exactly as sent (a quoted local
 *	part stays quoted, case is kept), without the brackets and without
 *	the source route (A-d-l, parsed and then dropped per RFC 5321
 *	Appendix C); "" for "<>".
 *
 *	Mailbox = Local-part [ "@" ( Domain / address-literal ) ]. The
 *	domain is optional (postern's cleanup appends myorigin, and RFC
 *	5321 needs "<Postmaster>"), but the local part is then still fully
 *	checked. Local-part is a Dot-string of RFC 5322 atext or a
 *	Quoted-string (qtextSMTP, quoted-pairSMTP). Domain is a dot
 *	separated list of LDH labels of 1..63 octets that start and end
 *	with a letter or digit; an address literal is [IPv4] or
 *	[IPv6:...] (checked with inet_pton); general address literals are
 *	refused. With SMTP_ADDR_FLAG_UTF8 any well-formed UTF-8 non-ASCII
 *	character also counts as atext, qtext and label letter.
 *
 *	Limits (RFC 5321 4.5.3.1): local part 64 octets, domain 255,
 *	the whole path from "<" to ">" including a source route 256.
 *
 *	smtp_addr_mailbox() checks that len bytes at s are one Mailbox as
 *	above (for AUTH= and tests). smtp_addr_utf8_len() returns the
 *	length (2..4) of the well-formed UTF-8 non-ASCII character at s,
 *	or 0 (no overlong forms, no surrogates, nothing past U+10FFFF).
 *	smtp_addr_has_8bit() is true when a byte is >= 0x80.
 *
 * DIAGNOSTICS
 *	SMTP_ADDR_OK (0); SMTP_ADDR_SYNTAX, SMTP_ADDR_TOOLONG, or
 *	SMTP_ADDR_NEED_UTF8 (well-formed UTF-8 without
 *	SMTP_ADDR_FLAG_UTF8). addr is unspecified after an error.
 *
 * SECURITY
 *	The input is hostile. The parser walks forward once with explicit
 *	bounds, never reads past len, and never treats a NUL byte, a
 *	control character, a space outside quotes or a byte >= 0x80
 *	outside UTF-8 mode as part of an address.
 */
#ifndef SMTP_ADDR_H
#define SMTP_ADDR_H

#include <stddef.h>

#include "vstr.h"

#define SMTP_ADDR_LOCAL_MAX	64
#define SMTP_ADDR_DOMAIN_MAX	255
#define SMTP_ADDR_PATH_MAX	256
#define SMTP_ADDR_LABEL_MAX	63

#define SMTP_ADDR_FLAG_NULL_OK	(1<<0)	/* "<>" is allowed */
#define SMTP_ADDR_FLAG_UTF8	(1<<1)	/* SMTPUTF8 in effect */

#define SMTP_ADDR_OK		0
#define SMTP_ADDR_SYNTAX	(-1)
#define SMTP_ADDR_TOOLONG	(-2)
#define SMTP_ADDR_NEED_UTF8	(-3)

extern int smtp_addr_path(const char *, size_t, int, struct vstr *, size_t *);
extern int smtp_addr_mailbox(const char *, size_t, int);
extern size_t smtp_addr_utf8_len(const unsigned char *, size_t);
extern int smtp_addr_has_8bit(const char *, size_t);

#endif
