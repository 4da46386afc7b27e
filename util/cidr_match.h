/*
 * cidr_match.h - match an IP address against a list of IPv4/IPv6
 * networks (mynetworks).
 *
 * SYNOPSIS
 *	#include "cidr_match.h"
 *
 *	struct cidr_match *cidr_match_create(const char *list,
 *			struct vstr *why);
 *	int	cidr_match_addr(const struct cidr_match *cm,
 *			const char *addr);
 *	int	cidr_match_parse(const char *pattern,
 *			struct cidr_entry *entry, struct vstr *why);
 *	int	cidr_match_entry(const struct cidr_entry *entry,
 *			const unsigned char *addr, int family);
 *	int	cidr_match_count(const struct cidr_match *cm);
 *	void	cidr_match_free(struct cidr_match *cm);
 *
 * DESCRIPTION
 *	cidr_match_create() parses a list such as "127.0.0.0/8 [::1]/128
 *	192.168.0.0/16, 10.1.2.3": elements are separated by commas and/or
 *	white space. An element is an IPv4 address or network
 *	("a.b.c.d/len", len 0..32), or an IPv6 address or network, bare
 *	or in brackets ("::1", "[::1]", "[2001:db8::]/32", len 0..128).
 *	A leading '!' negates an element: an address that matches it does
 *	not match the list. Elements are tried in order; the first match
 *	decides. An address without /len is a /32 or /128.
 *
 *	cidr_match_addr() returns 1 when addr (a printable client address:
 *	"192.0.2.1", "2001:db8::1", or an IPv4-mapped "::ffff:192.0.2.1",
 *	which is compared as IPv4) matches the list, else 0.
 *
 *	cidr_match_parse() parses one element (without '!') into entry;
 *	cidr_match_entry() matches a binary address (4 or 16 bytes of
 *	network order for AF_INET or AF_INET6) against it.
 *
 * DIAGNOSTICS
 *	cidr_match_create() returns NULL with a reason in why for any
 *	malformed element: bad address, a prefix length that is not
 *	plain decimal or out of range, non-zero host bits after the
 *	network ("192.168.1.1/24"), unbalanced brackets, an IPv4 address
 *	in brackets, a table (type:name). The parsing is strict on
 *	purpose: a typo in mynetworks must not silently widen or narrow
 *	the trusted networks. cidr_match_parse() returns 0 or -1 with a
 *	reason. cidr_match_addr() returns 0 for an unparsable address.
 *
 * SECURITY
 *	addr comes from the kernel (getpeername), but is still parsed with
 *	inet_pton() and bounded; it is never trusted to be well formed.
 */
#ifndef CIDR_MATCH_H
#define CIDR_MATCH_H

#include "vstr.h"

struct cidr_entry {
    int     family;			/* AF_INET or AF_INET6 */
    unsigned char net[16];		/* network, host bits zero */
    int     len;			/* prefix length in bits */
    int     negate;			/* '!' element */
};

struct cidr_match;

extern struct cidr_match *cidr_match_create(const char *, struct vstr *);
extern int cidr_match_addr(const struct cidr_match *, const char *);
extern int cidr_match_parse(const char *, struct cidr_entry *, struct vstr *);
extern int cidr_match_entry(const struct cidr_entry *, const unsigned char *,
			            int);
extern int cidr_match_count(const struct cidr_match *);
extern void cidr_match_free(struct cidr_match *);

#endif
