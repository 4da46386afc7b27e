/*
 * smtp_route.c - from qmgr's next hop to the list of addresses one
 * delivery attempt tries, in order, and the TLS level for it.
 *
 * The syntax is util/smtp_nexthop.c's. "[host]:port", "[host]" and
 * "[ipv6:addr]:port" are used as given (no MX lookup; an address is
 * connected to directly); "domain" and "domain:port" get the domain's
 * MX hosts by preference, each with its A then AAAA addresses, or the
 * domain's own addresses when it has no MX (RFC 5321 section 5). A null
 * MX (RFC 7505) bounces at once. MX routes use smtp_mx_port (25).
 * disable_dns_lookups uses the system resolver (getaddrinfo) for names
 * instead. At most SMTP_ADDR_MAX addresses are tried per attempt. A
 * malformed next hop defers (4.3.5) with a warning.
 *
 * Loops (smtp_loop.c), on smtp_mx_port only: MX hosts not better than
 * an MX named myhostname are dropped; when we are the best MX the
 * recipients bounce (5.4.6), and when the better ones have no address
 * they are deferred (4.4.4, as Postfix). Each target says whether it is
 * a most preferred MX, for the EHLO check.
 *
 * The TLS level: smtp_tls_policy_maps (key: the next-hop domain or
 * host, lower case; value: the level as its first word), else
 * smtp_tls_security_level.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtp.h"
#include "dns_mx.h"
#include "smtp_nexthop.h"
#include "smtp_reply.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "maps.h"
#include "mymalloc.h"
#include "msg.h"
#include "stringops.h"

static struct maps *smtp_tls_policy;

/* smtp_route_init - tables and resolver, before chroot */

void
smtp_route_init(void)
{
    struct vstr *why = vstr_alloc(100);

    if (var_smtp_tls_policy_maps && *var_smtp_tls_policy_maps
	&& (smtp_tls_policy = maps_create("smtp_tls_policy_maps",
					  var_smtp_tls_policy_maps,
					  DICT_FLAG_NONE, why)) == 0)
	msg_fatal("%s", vstr_str(why));
    if (dns_init(var_smtp_dns_server, why) < 0)
	msg_fatal("%s", vstr_str(why));
    if (smtp_tls_level_parse(var_smtp_tls_level) < 0)
	msg_fatal("bad smtp_tls_security_level \"%s\"", var_smtp_tls_level);
    vstr_free(why);
}

/* smtp_tls_level_parse - a level name to SMTP_TLS_*, -1 if unknown */

int
smtp_tls_level_parse(const char *name)
{
    if (name == 0 || *name == 0 || str_case_eq(name, "none"))
	return (SMTP_TLS_NONE);
    if (str_case_eq(name, "may"))
	return (SMTP_TLS_MAY);
    if (str_case_eq(name, "encrypt"))
	return (SMTP_TLS_ENCRYPT);
    if (str_case_eq(name, "verify") || str_case_eq(name, "secure"))
	return (SMTP_TLS_VERIFY);
    return (-1);
}

/* smtp_route_tls - the TLS level for a destination; -1 on table error */

static int
smtp_route_tls(const char *domain, struct vstr *why)
{
    struct vstr *val;
    char   *word, *cp;
    int     rc, level;

    if (smtp_tls_policy == 0)
	return (smtp_tls_level_parse(var_smtp_tls_level));
    val = vstr_alloc(50);
    rc = maps_find(smtp_tls_policy, domain, val);
    if (rc == DICT_ERROR) {
	vstr_free(val);
	return (vstr_fail(why, "smtp_tls_policy_maps lookup error"));
    }
    if (rc != DICT_FOUND) {
	vstr_free(val);
	return (smtp_tls_level_parse(var_smtp_tls_level));
    }
    cp = vstr_str(val);
    word = str_token(&cp, " \t,");
    level = smtp_tls_level_parse(word ? word : "");
    if (level < 0)
	vstr_fail(why, "bad smtp_tls_policy_maps level for %s", domain);
    vstr_free(val);
    return (level);
}

/* smtp_route_add - one address */

static void
smtp_route_add(struct smtp_route *rt, const char *host, const char *addr,
	               int port, int flags)
{
    struct smtp_target *tp;

    if (rt->count >= SMTP_ADDR_MAX)
	return;
    rt->targets = myrealloc(rt->targets, (rt->count + 1) * sizeof(*tp));
    tp = rt->targets + rt->count++;
    tp->host = mystrdup(host);
    tp->addr = mystrdup(addr);
    tp->port = port;
    tp->flags = flags | (port == var_smtp_mx_port ? SMTP_TARGET_LOOP_CHECK : 0);
    tp->dest = rt->key;
}

/* smtp_route_host - the addresses of one host name */

static int
smtp_route_host(struct smtp_route *rt, const char *host, int port, int flags,
		        struct vstr *why)
{
    struct argv *addrs = argv_alloc(4);
    unsigned char junk[16];
    struct addrinfo hints, *res, *ai;
    char    text[INET6_ADDRSTRLEN];
    int     rc = DNS_OK;
    int     gai;
    size_t  n;

    if (inet_pton(AF_INET, host, junk) == 1 || inet_pton(AF_INET6, host, junk) == 1) {
	argv_add(addrs, host);
    } else if (!var_disable_dns_lookups) {
	rc = dns_addr_lookup(host, addrs, SMTP_ADDR_MAX, why);
    } else {
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(host, 0, &hints, &res)) != 0) {
	    /* Only "no such name" is permanent; resolver trouble defers. */
	    if (gai == EAI_NONAME
#ifdef EAI_NODATA
		|| gai == EAI_NODATA
#endif
		) {
		rc = DNS_NXDOMAIN;
		vstr_fail(why, "Host or domain name not found: %s", host);
	    } else {
		rc = DNS_RETRY;
		vstr_fail(why, "Host or domain name lookup failed: %s: %s",
			  host, gai_strerror(gai));
	    }
	} else {
	    for (ai = res; ai; ai = ai->ai_next)
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof(text),
				0, 0, NI_NUMERICHOST) == 0)
		    argv_add(addrs, text);
	    freeaddrinfo(res);
	}
    }
    for (n = 0; n < addrs->argc; n++)
	smtp_route_add(rt, host, addrs->argv[n], port, flags);
    argv_free(addrs);
    return (rc);
}

/* smtp_route_mx - MX hosts in order, or the domain's own addresses */

static int
smtp_route_mx(struct smtp_route *rt, const char *domain, int port,
	              struct vstr *dsn, struct vstr *why)
{
    struct dns_mx_list mx;
    size_t  n;
    int     rc, loop = SMTP_LOOP_NONE;

    rc = dns_mx_lookup(domain, &mx, why);
    if (rc == DNS_NULLMX) {
	vstr_strcpy(dsn, "5.1.10");
	vstr_sprintf(why, "Domain %s does not accept mail (nullMX)", domain);
	return (SMTP_ROUTE_BOUNCE);
    }
    if (rc == DNS_NXDOMAIN) {
	vstr_strcpy(dsn, "5.4.4");
	return (SMTP_ROUTE_BOUNCE);
    }
    if (rc == DNS_RETRY) {
	vstr_strcpy(dsn, "4.4.3");
	return (SMTP_ROUTE_DEFER);
    }
    if (rc == DNS_NOTFOUND) {
	rc = smtp_route_host(rt, domain, port, SMTP_TARGET_BEST_MX, why);
    } else {
	if (port == var_smtp_mx_port
	    && (loop = smtp_loop_mx(&mx, var_myhostname)) == SMTP_LOOP_BEST) {
	    vstr_strcpy(dsn, "5.4.6");
	    vstr_sprintf(why, "mail for %s loops back to myself", domain);
	    return (SMTP_ROUTE_BOUNCE);
	}
	for (n = 0; n < mx.count && rt->count < SMTP_ADDR_MAX; n++)
	    (void) smtp_route_host(rt, mx.mx[n].host, port,
				   mx.mx[n].pref == mx.mx[0].pref ?
				   SMTP_TARGET_BEST_MX : 0, why);
	dns_mx_list_free(&mx);
	if (rt->count == 0)
	    rc = DNS_RETRY;
    }
    if (rt->count > 0)
	return (SMTP_ROUTE_OK);
    if (loop == SMTP_LOOP_TRIMMED) {
	vstr_strcpy(dsn, "4.4.4");
	vstr_sprintf(why, "unable to find primary relay for %s", domain);
	return (SMTP_ROUTE_DEFER);
    }
    vstr_strcpy(dsn, rc == DNS_NXDOMAIN ? "5.4.4" : "4.4.3");
    return (rc == DNS_NXDOMAIN ? SMTP_ROUTE_BOUNCE : SMTP_ROUTE_DEFER);
}

/* smtp_route_find - the addresses for a next hop, and its TLS level */

int
smtp_route_find(const char *nexthop, struct smtp_route *rt, struct vstr *dsn,
		        struct vstr *why)
{
    struct smtp_nexthop hop;
    struct vstr *safe;
    const char *err;
    int     port, rc;

    memset(rt, 0, sizeof(*rt));
    rt->key = str_lower(mystrdup(nexthop));
    if ((err = smtp_nexthop_parse(nexthop, strlen(nexthop), &hop)) != 0) {
	safe = vstr_alloc(50);
	smtp_reply_sanitize(safe, nexthop, strnlen(nexthop, 300));
	msg_warn("bad next hop \"%s\": %s", vstr_str(safe), err);
	vstr_strcpy(dsn, "4.3.5");
	vstr_sprintf(why, "bad next hop \"%s\": %s", vstr_str(safe), err);
	vstr_free(safe);
	return (SMTP_ROUTE_DEFER);
    }
    str_lower(hop.host);
    rt->domain = mystrdup(hop.host);
    if ((rt->tls_level = smtp_route_tls(hop.host, why)) < 0) {
	vstr_strcpy(dsn, "4.3.5");
	return (SMTP_ROUTE_DEFER);
    }
    port = hop.port ? hop.port : var_smtp_mx_port;
    if (hop.literal || hop.family || var_disable_dns_lookups) {
	rc = smtp_route_host(rt, hop.host, port, SMTP_TARGET_BEST_MX, why);
	rc = (rt->count > 0 ? SMTP_ROUTE_OK : rc == DNS_NXDOMAIN ?
	      SMTP_ROUTE_BOUNCE : SMTP_ROUTE_DEFER);
	vstr_strcpy(dsn, rc == SMTP_ROUTE_BOUNCE ? "5.4.4" : "4.4.3");
    } else {
	rc = smtp_route_mx(rt, hop.host, port, dsn, why);
    }
    return (rc);
}

/* smtp_route_free - release */

void
smtp_route_free(struct smtp_route *rt)
{
    size_t  n;

    for (n = 0; n < rt->count; n++) {
	myfree(rt->targets[n].host);
	myfree(rt->targets[n].addr);
    }
    if (rt->targets)
	myfree(rt->targets);
    if (rt->key)
	myfree(rt->key);
    if (rt->domain)
	myfree(rt->domain);
    memset(rt, 0, sizeof(*rt));
}
