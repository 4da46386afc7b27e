/*
 * smtp_nexthop.h - the syntax of an SMTP next hop (relayhost, the
 *	next-hop part of a transport_maps value): host, optional port,
 *	optional [brackets], IPv6 address literals.
 *
 * SYNOPSIS
 *	#include "smtp_nexthop.h"
 *
 *	const char *smtp_nexthop_parse(const char *text, size_t len,
 *			struct smtp_nexthop *hop);
 *
 * DESCRIPTION
 *	smtp_nexthop_parse() parses len bytes at text (no NUL needed) as
 *	one of:
 *
 *	[ipv6:ADDR]:port, [ipv6:ADDR]	an IPv6 address (Postfix syntax;
 *					"ipv6:" in any case)
 *	[ADDR]:port, [ADDR]		the same without the prefix
 *					(accepted when ADDR has a ":")
 *	[1.2.3.4]:port, [1.2.3.4]	an IPv4 address
 *	[host]:port, [host]		a host name (no MX lookup)
 *	domain:port, domain		a domain (MX lookup), or a bare
 *					IPv4 address (used as is)
 *
 *	ADDR must pass inet_pton(AF_INET6) (no zone index); hop->host is
 *	then its canonical text (inet_ntop), hop->family AF_INET6. An
 *	IPv4 address gives AF_INET; a name gives family 0 and is kept as
 *	written. A port is 1 to 5 digits, 1..65535; hop->port is 0 when
 *	none is given. hop->literal is set for the [...] forms. A name is
 *	1..253 bytes of letters, digits, "-", "_" and ".", does not start
 *	with "." and its last label is not all digits (a malformed
 *	address). Nothing else is accepted: no empty port, nothing after
 *	"]" but ":port", no bare IPv6 address (its ":" would be ambiguous
 *	with the port), no space, control or 8-bit byte.
 *
 * DIAGNOSTICS
 *	0 on success, else a constant text saying what is wrong (for
 *	"bad next hop ...: TEXT"); *hop is unspecified then.
 *
 * SECURITY
 *	The text is configuration, but the parser treats it as hostile:
 *	one forward pass with explicit bounds, fixed-size output, never a
 *	read past len.
 */
#ifndef SMTP_NEXTHOP_H
#define SMTP_NEXTHOP_H

#include <stddef.h>

#define SMTP_NEXTHOP_HOST_MAX	253	/* a host name, without a NUL */

struct smtp_nexthop {
    char    host[SMTP_NEXTHOP_HOST_MAX + 1];	/* name or address text */
    int     port;			/* 1..65535, or 0: none given */
    int     literal;			/* [...]: no MX lookup */
    int     family;			/* AF_INET, AF_INET6, or 0: a name */
};

extern const char *smtp_nexthop_parse(const char *, size_t,
				              struct smtp_nexthop *);

#endif
