/*
 * dns_mx.h - MX and address lookups for the SMTP client, through the
 *	libc resolver (res_nquery and dn_expand, in glibc's libc).
 *
 * SYNOPSIS
 *	#include "dns_mx.h"
 *
 *	int	dns_init(const char *server, struct vstr *why);
 *	int	dns_mx_lookup(const char *domain, struct dns_mx_list *list,
 *			struct vstr *why);
 *	int	dns_addr_lookup(const char *host, struct argv *addrs,
 *			size_t max, struct vstr *why);
 *	int	dns_mx_parse(const unsigned char *ans, size_t len,
 *			struct dns_mx_list *list, struct vstr *why);
 *	int	dns_addr_parse(const unsigned char *ans, size_t len,
 *			int type, struct argv *addrs, size_t max,
 *			struct vstr *why);
 *	void	dns_mx_list_free(struct dns_mx_list *list);
 *
 * DESCRIPTION
 *	dns_init() prepares the resolver state (reads /etc/resolv.conf: call
 *	it before chroot). server, when not empty, is "ipv4addr:port" or
 *	"ipv4addr": the only name server used (smtp_dns_server, for tests).
 *
 *	dns_mx_lookup() fills list with the MX hosts of domain sorted by
 *	preference (stable for equal preference), at most DNS_MX_MAX.
 *	dns_addr_lookup() appends the IPv4 then IPv6 addresses of host (A,
 *	AAAA) as text to addrs, at most max in all.
 *
 *	dns_mx_parse() and dns_addr_parse() (type ns_t_a or ns_t_aaaa) parse
 *	one answer packet; they are what the lookups use, exposed for tests.
 *
 * DIAGNOSTICS
 *	DNS_OK; DNS_NOTFOUND: the name exists but has no such records (for
 *	MX: fall back to the domain's addresses), DNS_NXDOMAIN: the name
 *	does not exist, DNS_NULLMX (RFC 7505: the domain accepts no mail),
 *	DNS_RETRY: a temporary failure (timeout, SERVFAIL, bad packet),
 *	each with why set.
 *
 * SECURITY
 *	Answers are hostile: every length is checked against the packet
 *	end (dn_skipname, explicit bounds), names expanded with dn_expand into a bounded
 *	buffer and then checked to be host names; record data lengths are
 *	checked before use; the counts kept are bounded.
 */
#ifndef DNS_MX_H
#define DNS_MX_H

#include <stddef.h>

#include "argv.h"
#include "vstr.h"

#define DNS_OK		0
#define DNS_NOTFOUND	1
#define DNS_NXDOMAIN	2
#define DNS_NULLMX	3
#define DNS_RETRY	(-1)

#define DNS_MX_MAX	20		/* MX hosts kept */

struct dns_mx {
    char   *host;			/* lower case, no trailing dot */
    int     pref;
};

struct dns_mx_list {
    struct dns_mx mx[DNS_MX_MAX];
    size_t  count;
};

extern int dns_init(const char *, struct vstr *);
extern int dns_mx_lookup(const char *, struct dns_mx_list *, struct vstr *);
extern int dns_addr_lookup(const char *, struct argv *, size_t,
			           struct vstr *);
extern int dns_mx_parse(const unsigned char *, size_t, struct dns_mx_list *,
			        struct vstr *);
extern int dns_addr_parse(const unsigned char *, size_t, int, struct argv *,
			          size_t, struct vstr *);
extern void dns_mx_list_free(struct dns_mx_list *);

#endif
