/*
 * smtp_nexthop.c - parse an SMTP next hop: [ipv6:ADDR]:port, [ADDR]:port,
 * [host]:port, domain:port, each port optional (smtp_nexthop.h).
 *
 * Strict: IPv6 and IPv4 addresses are checked with inet_pton, a port is
 * 1..65535 in at most 5 digits, a name has host-name characters only;
 * anything else is an error with a short reason.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "smtp_nexthop.h"

#define NEXTHOP_V6_PREFIX	"ipv6:"
#define NEXTHOP_V6_PREFIX_LEN	(sizeof(NEXTHOP_V6_PREFIX) - 1)

/* nexthop_port - 1..5 digits, 1..65535; -1 if not */

static int
nexthop_port(const char *cp, size_t len, int *port)
{
    long    num = 0;
    size_t  i;

    if (len < 1 || len > 5)
	return (-1);
    for (i = 0; i < len; i++) {
	if (cp[i] < '0' || cp[i] > '9')
	    return (-1);
	num = num * 10 + (cp[i] - '0');
    }
    if (num < 1 || num > 65535)
	return (-1);
    *port = (int) num;
    return (0);
}

/* nexthop_address - an address of family into hop (canonical); -1 if not */

static int
nexthop_address(const char *cp, size_t len, int family,
		        struct smtp_nexthop *hop)
{
    char    buf[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];

    if (len == 0 || len >= sizeof(buf))
	return (-1);
    memcpy(buf, cp, len);
    buf[len] = 0;
    if (inet_pton(family, buf, bin) != 1
	|| inet_ntop(family, bin, hop->host, sizeof(hop->host)) == 0)
	return (-1);
    hop->family = family;
    return (0);
}

/* nexthop_name - a host or domain name into hop; 0 or a reason */

static const char *
nexthop_name(const char *cp, size_t len, struct smtp_nexthop *hop)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    size_t  i, end, last, digits;

    if (len == 0)
	return ("missing host");
    if (len > SMTP_NEXTHOP_HOST_MAX)
	return ("host name too long");
    for (i = 0; i < len; i++)
	if (cp[i] == 0 || strchr(ok, cp[i]) == 0
	    || (cp[i] == '.' && (i == 0 || cp[i - 1] == '.')))
	    return ("bad host name");
    end = (cp[len - 1] == '.' ? len - 1 : len);
    for (last = end; last > 0 && cp[last - 1] != '.'; last--)
	 /* void */ ;
    for (digits = 0, i = last; i < end; i++)
	digits += (cp[i] >= '0' && cp[i] <= '9');
    if (digits == end - last)
	return ("bad host name");		/* a malformed address */
    memcpy(hop->host, cp, len);
    hop->host[len] = 0;
    return (0);
}

/* smtp_nexthop_parse - see smtp_nexthop.h */

const char *
smtp_nexthop_parse(const char *text, size_t len, struct smtp_nexthop *hop)
{
    const char *end = text + len;
    const char *close;
    const char *colon;
    const char *host;
    size_t  hlen, i;

    memset(hop, 0, sizeof(*hop));
    if (len == 0)
	return ("empty next hop");
    for (i = 0; i < len; i++)
	if ((unsigned char) text[i] <= ' ' || (unsigned char) text[i] >= 127)
	    return ("bad character");

    /*
     * [ipv6:ADDR], [ADDR], [host], each with an optional ":port".
     */
    if (*text == '[') {
	hop->literal = 1;
	if ((close = memchr(text, ']', len)) == 0)
	    return ("missing \"]\"");
	host = text + 1;
	hlen = (size_t) (close - host);
	if (close + 1 < end && (close[1] != ':'
				|| nexthop_port(close + 2,
					 (size_t) (end - close - 2),
						&hop->port) < 0))
	    return (close[1] != ':' ? "garbage after \"]\"" : "bad port");
	if (hlen >= NEXTHOP_V6_PREFIX_LEN
	    && strncasecmp(host, NEXTHOP_V6_PREFIX, NEXTHOP_V6_PREFIX_LEN) == 0)
	    return (nexthop_address(host + NEXTHOP_V6_PREFIX_LEN,
				    hlen - NEXTHOP_V6_PREFIX_LEN, AF_INET6,
				    hop) < 0 ? "malformed IPv6 address" : 0);
	if (memchr(host, ':', hlen) != 0)
	    return (nexthop_address(host, hlen, AF_INET6, hop) < 0 ?
		    "malformed IPv6 address" : 0);
	if (nexthop_address(host, hlen, AF_INET, hop) == 0)
	    return (0);
	return (nexthop_name(host, hlen, hop));
    }

    /*
     * domain, domain:port; a bare IPv4 address is used as is.
     */
    if ((colon = memchr(text, ':', len)) != 0) {
	if (memchr(colon + 1, ':', (size_t) (end - colon - 1)) != 0)
	    return ("an IPv6 address needs [ipv6:...]");
	if (nexthop_port(colon + 1, (size_t) (end - colon - 1), &hop->port) < 0)
	    return ("bad port");
	len = (size_t) (colon - text);
    }
    if (nexthop_address(text, len, AF_INET, hop) == 0)
	return (0);
    return (nexthop_name(text, len, hop));
}
