/*
 * dns_mx.c - MX, A and AAAA lookups for the SMTP client (dns_mx.h).
 *
 * The resolver is glibc's (res_nquery, dn_expand; in libc since 2.34,
 * the packet parsing is ours since ns_initparse needs -lresolv): it is
 * part of libc on Debian 12, maintained, needs no thread or event loop,
 * and its per-state name server list lets tests point it at a server on
 * a loopback port. One resolver state per process, set up before the
 * chroot (resolv.conf is unreachable afterwards).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <netdb.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>

#include "dns_mx.h"
#include "mymalloc.h"
#include "msg.h"
#include "stringops.h"

#define DNS_ANSWER_MAX	65536

static struct __res_state dns_res;
static int dns_ready;

/* dns_init - resolver state, optional fixed server */

int
dns_init(const char *server, struct vstr *why)
{
    struct in_addr in;
    char   *copy;
    char   *port;
    char   *end;
    long    pnum = 53;

    memset(&dns_res, 0, sizeof(dns_res));
    if (res_ninit(&dns_res) < 0)
	return (vstr_fail(why, "cannot initialise the resolver"));
    dns_ready = 1;
    if (server == 0 || *server == 0)
	return (0);
    copy = mystrdup(server);
    if ((port = strrchr(copy, ':')) != 0) {
	*port++ = 0;
	pnum = strtol(port, &end, 10);
	if (end == port || *end != 0)
	    pnum = 0;				/* rejected below */
    }
    if (inet_pton(AF_INET, copy, &in) != 1 || pnum < 1 || pnum > 65535) {
	myfree(copy);
	return (vstr_fail(why, "bad DNS server \"%s\"", server));
    }
    myfree(copy);
    dns_res.nscount = 1;
    memset(&dns_res.nsaddr_list[0], 0, sizeof(dns_res.nsaddr_list[0]));
    dns_res.nsaddr_list[0].sin_family = AF_INET;
    dns_res.nsaddr_list[0].sin_addr = in;
    dns_res.nsaddr_list[0].sin_port = htons((unsigned short) pnum);
    dns_res.retrans = 2;
    dns_res.retry = 2;
    return (0);
}

/* dns_name_ok - a plausible host name (letters, digits, - _ .) */

static int
dns_name_ok(const char *name)
{
    size_t  len = strlen(name);

    return (len > 0 && len <= 253
	    && strspn(name, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == len);
}

/* dns_get16 - a 16-bit network-order number */

static unsigned
dns_get16(const unsigned char *cp)
{
    return ((unsigned) cp[0] << 8 | cp[1]);
}

struct dns_rr_view {
    unsigned type;
    unsigned klass;
    const unsigned char *rdata;
    size_t  rdlen;
};

/* dns_answer_start - check the header, skip the questions: ancount or -1 */

static int
dns_answer_start(const unsigned char *base, size_t len,
		         const unsigned char **cpp)
{
    const unsigned char *end = base + len;
    const unsigned char *cp = base + 12;
    unsigned qd, n;
    int     skip;

    if (len < 12 || len > DNS_ANSWER_MAX)
	return (-1);
    qd = dns_get16(base + 4);
    for (n = 0; n < qd; n++) {
	if (cp >= end || (skip = dn_skipname(cp, end)) < 0
	    || end - cp < skip + 4)
	    return (-1);
	cp += skip + 4;
    }
    *cpp = cp;
    return ((int) dns_get16(base + 6));
}

/* dns_answer_next - the next resource record, bounds checked; 0 or -1 */

static int
dns_answer_next(const unsigned char *base, size_t len,
		        const unsigned char **cpp, struct dns_rr_view *rr)
{
    const unsigned char *end = base + len;
    const unsigned char *cp = *cpp;
    int     skip;

    if (cp >= end || (skip = dn_skipname(cp, end)) < 0
	|| end - cp < skip + 10)
	return (-1);
    cp += skip;
    rr->type = dns_get16(cp);
    rr->klass = dns_get16(cp + 2);
    rr->rdlen = dns_get16(cp + 8);
    cp += 10;
    if ((size_t) (end - cp) < rr->rdlen)
	return (-1);
    rr->rdata = cp;
    *cpp = cp + rr->rdlen;
    return (0);
}

/* dns_mx_sort - by preference, then by order of arrival (stable) */

static void
dns_mx_sort(struct dns_mx_list *list)
{
    struct dns_mx tmp;
    size_t  i, j;

    /* At most DNS_MX_MAX entries; qsort() is not stable. */
    for (i = 1; i < list->count; i++) {
	tmp = list->mx[i];
	for (j = i; j > 0 && list->mx[j - 1].pref > tmp.pref; j--)
	    list->mx[j] = list->mx[j - 1];
	list->mx[j] = tmp;
    }
}

/* dns_mx_parse - MX records of one answer packet */

int
dns_mx_parse(const unsigned char *ans, size_t len, struct dns_mx_list *list,
	             struct vstr *why)
{
    const unsigned char *cp;
    struct dns_rr_view rr;
    char    name[NS_MAXDNAME];
    int     n, count, nullmx = 0;

    list->count = 0;
    if ((count = dns_answer_start(ans, len, &cp)) < 0)
	return (vstr_fail(why, "malformed DNS answer"));
    for (n = 0; n < count; n++) {
	if (dns_answer_next(ans, len, &cp, &rr) < 0)
	    return (dns_mx_list_free(list), vstr_fail(why, "malformed DNS answer"));
	if (rr.type != ns_t_mx || rr.klass != ns_c_in)
	    continue;
	if (rr.rdlen < 3
	    || dn_expand(ans, ans + len, rr.rdata + 2, name, sizeof(name)) < 0)
	    return (dns_mx_list_free(list), vstr_fail(why, "malformed MX record"));
	if (name[0] == 0 || strcmp(name, ".") == 0) {
	    nullmx = 1;				/* RFC 7505 */
	    continue;
	}
	if (!dns_name_ok(name) || list->count >= DNS_MX_MAX)
	    continue;
	list->mx[list->count].host = str_lower(mystrdup(name));
	list->mx[list->count].pref = (int) dns_get16(rr.rdata);
	list->count++;
    }
    if (nullmx && list->count == 0) {
	vstr_fail(why, "domain does not accept mail (null MX)");
	return (DNS_NULLMX);
    }
    if (list->count == 0) {
	vstr_fail(why, "no MX records");
	return (DNS_NOTFOUND);
    }
    dns_mx_sort(list);
    return (DNS_OK);
}

/* dns_addr_parse - A or AAAA records of one answer packet, as text */

int
dns_addr_parse(const unsigned char *ans, size_t len, int type,
	               struct argv *addrs, size_t max, struct vstr *why)
{
    const unsigned char *cp;
    struct dns_rr_view rr;
    char    text[INET6_ADDRSTRLEN];
    int     n, count;
    size_t  want = (type == ns_t_a ? 4 : 16);
    int     found = 0;

    if ((count = dns_answer_start(ans, len, &cp)) < 0)
	return (vstr_fail(why, "malformed DNS answer"));
    for (n = 0; n < count; n++) {
	if (dns_answer_next(ans, len, &cp, &rr) < 0)
	    return (vstr_fail(why, "malformed DNS answer"));
	if ((int) rr.type != type || rr.klass != ns_c_in)
	    continue;
	if (rr.rdlen != want)
	    return (vstr_fail(why, "malformed address record"));
	if (inet_ntop(type == ns_t_a ? AF_INET : AF_INET6, rr.rdata,
		      text, sizeof(text)) == 0)
	    continue;
	found = 1;
	if (addrs->argc < max)
	    argv_add(addrs, text);
    }
    if (!found) {
	vstr_fail(why, "no address records");
	return (DNS_NOTFOUND);
    }
    return (DNS_OK);
}

/* dns_query - one query; the answer in buf, or a DNS_ status */

static int
dns_query(const char *name, int type, unsigned char *buf, int *len,
	          struct vstr *why)
{
    const char *tname = (type == ns_t_mx ? "MX" : type == ns_t_a ? "A" : "AAAA");

    if (!dns_ready && dns_init(0, why) < 0)
	return (DNS_RETRY);
    if ((*len = res_nquery(&dns_res, name, ns_c_in, type, buf,
			   DNS_ANSWER_MAX)) >= 0)
	return (DNS_OK);
    switch (dns_res.res_h_errno) {
    case HOST_NOT_FOUND:
	vstr_fail(why, "Host or domain name not found. Name service error "
		  "for name=%s type=%s: Host not found", name, tname);
	return (DNS_NXDOMAIN);
    case NO_DATA:
	vstr_fail(why, "no %s record for %s", tname, name);
	return (DNS_NOTFOUND);
    default:
	vstr_fail(why, "Host or domain name not found. Name service error "
		  "for name=%s type=%s: Host not found, try again", name, tname);
	return (DNS_RETRY);
    }
}

/* dns_mx_lookup - MX hosts of a domain, by preference */

int
dns_mx_lookup(const char *domain, struct dns_mx_list *list, struct vstr *why)
{
    unsigned char *buf = mymalloc(DNS_ANSWER_MAX);
    int     len;
    int     rc;

    list->count = 0;
    if ((rc = dns_query(domain, ns_t_mx, buf, &len, why)) == DNS_OK
	&& (rc = dns_mx_parse(buf, (size_t) len, list, why)) < 0)
	rc = DNS_RETRY;
    myfree(buf);
    return (rc);
}

/* dns_addr_lookup - A then AAAA addresses of a host */

int
dns_addr_lookup(const char *host, struct argv *addrs, size_t max,
		        struct vstr *why)
{
    static const int types[] = {ns_t_a, ns_t_aaaa};
    unsigned char *buf = mymalloc(DNS_ANSWER_MAX);
    int     len, n, rc[2];

    for (n = 0; n < 2; n++) {
	rc[n] = dns_query(host, types[n], buf, &len, why);
	if (rc[n] == DNS_OK)
	    rc[n] = dns_addr_parse(buf, (size_t) len, types[n], addrs, max, why);
	if (rc[n] < 0)
	    rc[n] = DNS_RETRY;
	if (rc[n] == DNS_NXDOMAIN)
	    break;
    }
    myfree(buf);
    if (rc[0] == DNS_OK || (rc[0] != DNS_NXDOMAIN && rc[1] == DNS_OK)) {
	vstr_reset(why);
	return (DNS_OK);
    }
    if (rc[0] == DNS_RETRY || (rc[0] != DNS_NXDOMAIN && rc[1] == DNS_RETRY))
	return (DNS_RETRY);
    return (rc[0] == DNS_NXDOMAIN ? DNS_NXDOMAIN : DNS_NOTFOUND);
}

/* dns_mx_list_free - release the host names */

void
dns_mx_list_free(struct dns_mx_list *list)
{
    size_t  n;

    for (n = 0; n < list->count; n++)
	myfree(list->mx[n].host);
    list->count = 0;
}
