/*
 * test_nexthop.c - the next-hop parser (util/smtp_nexthop.c) and what
 * smtp_route_find() makes of a next hop without DNS: IPv6 literals in
 * Postfix's [ipv6:...] syntax and without the prefix, ports, IPv4
 * literals, names, and everything malformed (deferred with 4.3.5).
 */
#include <string.h>
#include <sys/socket.h>
#include <criterion/criterion.h>

#include "smtp_nexthop.h"
#include "mail_params.h"
#include "../../../smtp/smtp.h"

struct good_case {
    const char *in;
    const char *host;
    int     port;
    int     literal;
    int     family;
};

static const struct good_case good[] = {
    {"[ipv6:2001:db8::1]:2525", "2001:db8::1", 2525, 1, AF_INET6},
    {"[ipv6:2001:db8::1]", "2001:db8::1", 0, 1, AF_INET6},
    {"[IPv6:2001:DB8:0:0::1]:25", "2001:db8::1", 25, 1, AF_INET6},
    {"[2001:db8::1]:587", "2001:db8::1", 587, 1, AF_INET6},
    {"[2001:db8::1]", "2001:db8::1", 0, 1, AF_INET6},
    {"[ipv6:::1]:1", "::1", 1, 1, AF_INET6},
    {"[ipv6:::ffff:192.0.2.1]", "::ffff:192.0.2.1", 0, 1, AF_INET6},
    {"[192.0.2.1]:65535", "192.0.2.1", 65535, 1, AF_INET},
    {"[192.0.2.1]", "192.0.2.1", 0, 1, AF_INET},
    {"[mx.example.com]:2525", "mx.example.com", 2525, 1, 0},
    {"[mx.example.com]", "mx.example.com", 0, 1, 0},
    {"example.com", "example.com", 0, 0, 0},
    {"example.com.", "example.com.", 0, 0, 0},
    {"example.com:26", "example.com", 26, 0, 0},
    {"Mail_1-x.Example.COM", "Mail_1-x.Example.COM", 0, 0, 0},
    {"192.0.2.7:25", "192.0.2.7", 25, 0, AF_INET},
    {"[a]:00025", "a", 25, 1, 0},
};

struct bad_case {
    const char *in;
    const char *err;
};

static const struct bad_case bad[] = {
    {"", "empty next hop"},
    {"[ipv6:2001:db8::zz]:25", "malformed IPv6 address"},
    {"[ipv6:2001:db8::1", "missing \"]\""},
    {"[ipv6:]", "malformed IPv6 address"},
    {"[ipv6:192.0.2.1]", "malformed IPv6 address"},
    {"[ipv6:fe80::1%eth0]", "malformed IPv6 address"},
    {"[ipv6:1:2:3:4:5:6:7:8:9]", "malformed IPv6 address"},
    {"[2001:db8::1::2]", "malformed IPv6 address"},
    {"[ipv6:2001:db8::1]:", "bad port"},
    {"[ipv6:2001:db8::1]:0", "bad port"},
    {"[ipv6:2001:db8::1]:65536", "bad port"},
    {"[ipv6:2001:db8::1]:123456", "bad port"},
    {"[ipv6:2001:db8::1]:+25", "bad port"},
    {"[ipv6:2001:db8::1]:-1", "bad port"},
    {"[ipv6:2001:db8::1]:25x", "bad port"},
    {"[ipv6:2001:db8::1]:25:25", "bad port"},
    {"[ipv6:2001:db8::1]x", "garbage after \"]\""},
    {"[ipv6:2001:db8::1]]", "garbage after \"]\""},
    {"2001:db8::1", "an IPv6 address needs [ipv6:...]"},
    {"ipv6:2001:db8::1", "an IPv6 address needs [ipv6:...]"},
    {"[]", "missing host"},
    {"[]:25", "missing host"},
    {"[1.2.3.999]", "bad host name"},
    {"[1.2.3]", "bad host name"},
    {"example.123", "bad host name"},
    {"example.com:", "bad port"},
    {"example.com:99999", "bad port"},
    {"exa mple.com", "bad character"},
    {"example.com\n", "bad character"},
    {"ex\xc3\xa9.com", "bad character"},
    {"a..b", "bad host name"},
    {".a", "bad host name"},
    {"a/b", "bad host name"},
    {"[[a]]", "garbage after \"]\""},
    {":25", "missing host"},
};

Test(nexthop, good_forms)
{
    struct smtp_nexthop hop;
    const char *err;
    size_t  i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
	err = smtp_nexthop_parse(good[i].in, strlen(good[i].in), &hop);
	cr_assert_null(err, "%s: %s", good[i].in, err);
	cr_assert_str_eq(hop.host, good[i].host, "%s", good[i].in);
	cr_assert_eq(hop.port, good[i].port, "%s", good[i].in);
	cr_assert_eq(hop.literal, good[i].literal, "%s", good[i].in);
	cr_assert_eq(hop.family, good[i].family, "%s", good[i].in);
    }
}

Test(nexthop, bad_forms)
{
    struct smtp_nexthop hop;
    const char *err;
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
	err = smtp_nexthop_parse(bad[i].in, strlen(bad[i].in), &hop);
	cr_assert_not_null(err, "%s accepted", bad[i].in);
	cr_assert_str_eq(err, bad[i].err, "%s", bad[i].in);
    }
}

Test(nexthop, embedded_nul_and_length)
{
    struct smtp_nexthop hop;
    char    name[300];

    cr_assert_not_null(smtp_nexthop_parse("[ipv6:::1\0]", 11, &hop));
    cr_assert_not_null(smtp_nexthop_parse("a.b\0c", 5, &hop));
    /* len is the bound, not a NUL: "[::1]" followed by more bytes */
    cr_assert_null(smtp_nexthop_parse("[::1]:25junk", 8, &hop));
    cr_assert_eq(hop.port, 25);
    memset(name, 'a', sizeof(name));
    cr_assert_null(smtp_nexthop_parse(name, SMTP_NEXTHOP_HOST_MAX, &hop));
    cr_assert_eq(strlen(hop.host), SMTP_NEXTHOP_HOST_MAX);
    cr_assert_str_eq(smtp_nexthop_parse(name, SMTP_NEXTHOP_HOST_MAX + 1, &hop),
		     "host name too long");
}

/* route_find - smtp_route_find() on a next hop, no DNS needed */

static int
route_find(const char *nexthop, struct smtp_route *rt, struct vstr *dsn,
	           struct vstr *why)
{
    var_smtp_mx_port = 25;
    var_disable_dns_lookups = 0;
    var_myhostname = "mail.example.test";
    return (smtp_route_find(nexthop, rt, dsn, why));
}

Test(nexthop, route_ipv6_literal_is_connected_to_directly)
{
    struct smtp_route rt;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct vstr *relay = vstr_alloc(10);

    cr_assert_eq(route_find("[IPv6:2001:DB8::1]:2525", &rt, dsn, why),
		 SMTP_ROUTE_OK, "%s", vstr_str(why));
    cr_assert_eq(rt.count, 1);
    cr_assert_str_eq(rt.targets[0].addr, "2001:db8::1");
    cr_assert_str_eq(rt.targets[0].host, "2001:db8::1");
    cr_assert_eq(rt.targets[0].port, 2525);
    cr_assert_str_eq(rt.domain, "2001:db8::1");
    /* how smtp.c and smtp_session.c write it in the log */
    vstr_sprintf(relay, "%s[%s]:%d", rt.targets[0].host, rt.targets[0].addr,
		 rt.targets[0].port);
    cr_assert_str_eq(vstr_str(relay), "2001:db8::1[2001:db8::1]:2525");
    /* not the standard port: no loop checks (a content filter) */
    cr_assert_eq(rt.targets[0].flags & SMTP_TARGET_LOOP_CHECK, 0);
    cr_assert(rt.targets[0].flags & SMTP_TARGET_BEST_MX);
    smtp_route_free(&rt);

    cr_assert_eq(route_find("[2001:db8::2]", &rt, dsn, why), SMTP_ROUTE_OK);
    cr_assert_eq(rt.count, 1);
    cr_assert_str_eq(rt.targets[0].addr, "2001:db8::2");
    cr_assert_eq(rt.targets[0].port, 25);
    cr_assert(rt.targets[0].flags & SMTP_TARGET_LOOP_CHECK);
    cr_assert_str_eq(rt.targets[0].dest, "[2001:db8::2]");
    smtp_route_free(&rt);

    cr_assert_eq(route_find("[ipv6:::1]", &rt, dsn, why), SMTP_ROUTE_OK);
    cr_assert_str_eq(rt.targets[0].addr, "::1");
    smtp_route_free(&rt);
    vstr_free(relay);
    vstr_free(dsn);
    vstr_free(why);
}

Test(nexthop, route_ipv4_literal_and_bare_address)
{
    struct smtp_route rt;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    cr_assert_eq(route_find("[192.0.2.1]:2525", &rt, dsn, why), SMTP_ROUTE_OK);
    cr_assert_str_eq(rt.targets[0].addr, "192.0.2.1");
    cr_assert_eq(rt.targets[0].port, 2525);
    smtp_route_free(&rt);
    /* a bare address: used as is, never an MX lookup */
    cr_assert_eq(route_find("192.0.2.9", &rt, dsn, why), SMTP_ROUTE_OK);
    cr_assert_str_eq(rt.targets[0].addr, "192.0.2.9");
    cr_assert_eq(rt.targets[0].port, 25);
    smtp_route_free(&rt);
    vstr_free(dsn);
    vstr_free(why);
}

Test(nexthop, route_malformed_defers_with_reason)
{
    static const char *hops[] = {
	"[ipv6:2001:db8::zz]:25", "[ipv6:2001:db8::1]:0", "[2001:db8::1]x",
	"2001:db8::1", "[ipv6:2001:db8::1]:70000", "[host", "bad\001hop",
    };
    struct smtp_route rt;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    size_t  i;

    for (i = 0; i < sizeof(hops) / sizeof(hops[0]); i++) {
	cr_assert_eq(route_find(hops[i], &rt, dsn, why), SMTP_ROUTE_DEFER,
		     "%s", hops[i]);
	cr_assert_str_eq(vstr_str(dsn), "4.3.5");
	cr_assert(strncmp(vstr_str(why), "bad next hop \"", 14) == 0,
		  "%s", vstr_str(why));
	cr_assert_null(strchr(vstr_str(why), '\001'));
	cr_assert_eq(rt.count, 0);
	smtp_route_free(&rt);
    }
    route_find("[ipv6:2001:db8::zz]:25", &rt, dsn, why);
    cr_assert_str_eq(vstr_str(why), "bad next hop \"[ipv6:2001:db8::zz]:25\": "
		     "malformed IPv6 address");
    smtp_route_free(&rt);
    vstr_free(dsn);
    vstr_free(why);
}
