/*
 * fuzz_nexthop.c - libFuzzer target for the SMTP next-hop parser
 * (util/smtp_nexthop.c): relayhost and transport_maps next hops,
 * [ipv6:...] literals, ports.
 *
 * Properties checked beyond "no crash": an accepted next hop has a host
 * of 1..253 bytes, a port 0 or 1..65535, an address family whose
 * inet_pton accepts the host (IPv6 only as a [literal]), a name of
 * host-name characters only; and writing the result back in canonical
 * form parses to the same result.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtp_nexthop.h"

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check_ok - invariants of an accepted next hop */

static void
check_ok(const struct smtp_nexthop *hop)
{
    unsigned char bin[16];
    size_t  len = strnlen(hop->host, sizeof(hop->host));

    if (len == 0 || len > SMTP_NEXTHOP_HOST_MAX)
	abort();
    if (hop->port < 0 || hop->port > 65535)
	abort();
    if (hop->family == AF_INET6) {
	if (!hop->literal || inet_pton(AF_INET6, hop->host, bin) != 1)
	    abort();
    } else if (hop->family == AF_INET) {
	if (inet_pton(AF_INET, hop->host, bin) != 1)
	    abort();
    } else if (hop->family != 0
	       || strspn(hop->host, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != len) {
	abort();
    }
}

/* check_roundtrip - the canonical form parses to the same result */

static void
check_roundtrip(const struct smtp_nexthop *hop)
{
    struct smtp_nexthop again;
    char    buf[SMTP_NEXTHOP_HOST_MAX + 20];
    int     n;

    n = snprintf(buf, sizeof(buf), "%s%s%s%s",
		 hop->literal ? "[" : "",
		 hop->family == AF_INET6 ? "ipv6:" : "",
		 hop->host, hop->literal ? "]" : "");
    if (hop->port)
	n += snprintf(buf + n, sizeof(buf) - (size_t) n, ":%d", hop->port);
    if (n <= 0 || (size_t) n >= sizeof(buf))
	abort();
    if (smtp_nexthop_parse(buf, (size_t) n, &again) != 0
	|| strcmp(again.host, hop->host) != 0 || again.port != hop->port
	|| again.literal != hop->literal || again.family != hop->family)
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smtp_nexthop hop;

    if (smtp_nexthop_parse((const char *) data, size, &hop) == 0) {
	check_ok(&hop);
	check_roundtrip(&hop);
    }
    return (0);
}
