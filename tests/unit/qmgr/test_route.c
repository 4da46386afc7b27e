/*
 * test_route.c - qmgr_route.c, table-driven: mydestination and
 * virtual_mailbox_domains (exact, ".sub", negation, a table) to the
 * local transport with the domain as next hop; other domains to
 * default_transport (with relayhost); transport_maps by address,
 * domain, parent domain and "*", with empty parts; hostile addresses
 * and table values; a broken transport_maps setting.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "../../../qmgr/qmgr.h"
#include "mail_params.h"

static struct vstr *transport, *nexthop, *why;

/* setup - the parameters routing reads */

static void
setup(void)
{
    var_myhostname = "mx.example.com";
    var_mydestination = "example.com, localhost, .sub.example.com,"
	" !bad.example.org .example.org inline:{tab.example=yes}";
    var_virt_mailbox_domains = "virt.example";
    var_local_transport = "local:$myhostname";
    var_default_transport = "smtp";
    var_relayhost = "";
    var_transport_maps = "inline:{ special@example.com=special:,"
	" route.example=relay:[10.0.0.1]:2525, .deep.example=deep,"
	" keep.example=:other.host, bad.example=../../etc:x,"
	" badhop.example=smtp:a\177b }";
    transport = vstr_alloc(10);
    nexthop = vstr_alloc(10);
    why = vstr_alloc(10);
    cr_assert_eq(qmgr_route_init(why), 0, "%s", vstr_str(why));
}

static void
teardown(void)
{
    qmgr_route_free();
    vstr_free(transport);
    vstr_free(nexthop);
    vstr_free(why);
}

TestSuite(route, .init = setup, .fini = teardown);

struct route_case {
    const char *addr;
    int     ret;
    const char *transport;
    const char *nexthop;
};

static const struct route_case cases[] = {
    {"user@example.com", 0, "local", "example.com"},
    {"User@EXAMPLE.COM.", 0, "local", "example.com"},
    {"user@localhost", 0, "local", "localhost"},
    {"user@mx.example.com", 0, "local", "mx.example.com"},
    {"user", 0, "local", "mx.example.com"},
    {"user@", 0, "local", "mx.example.com"},
    {"a@x.sub.example.com", 0, "local", "x.sub.example.com"},
    {"a@sub.example.com", 0, "smtp", "sub.example.com"},
    {"a@bad.example.org", 0, "smtp", "bad.example.org"},
    {"a@good.example.org", 0, "local", "good.example.org"},
    {"a@tab.example", 0, "local", "tab.example"},
    {"a@virt.example", 0, "local", "virt.example"},
    {"a@remote.example", 0, "smtp", "remote.example"},
    {"\"we@ird\"@remote.example", 0, "smtp", "remote.example"},
    {"special@example.com", 0, "special", "example.com"},
    {"other@example.com", 0, "local", "example.com"},
    {"a@route.example", 0, "relay", "[10.0.0.1]:2525"},
    {"a@x.y.deep.example", 0, "deep", "x.y.deep.example"},
    {"a@deep.example", 0, "smtp", "deep.example"},
    {"a@keep.example", 0, "smtp", "other.host"},
    {"a@bad.example", -1, 0, 0},
    {"a@badhop.example", -1, 0, 0},
};

Test(route, table)
{
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	const struct route_case *c = cases + i;
	int     ret = qmgr_route(c->addr, transport, nexthop, why);

	cr_assert_eq(ret, c->ret, "%s: ret %d (%s)", c->addr, ret, vstr_str(why));
	if (ret < 0)
	    continue;
	cr_assert_str_eq(vstr_str(transport), c->transport, "%s", c->addr);
	cr_assert_str_eq(vstr_str(nexthop), c->nexthop, "%s", c->addr);
    }
}

Test(route, relayhost_is_the_default_nexthop)
{
    var_relayhost = "[relay.example]:587";
    cr_assert_eq(qmgr_route("a@remote.example", transport, nexthop, why), 0);
    cr_assert_str_eq(vstr_str(transport), "smtp");
    cr_assert_str_eq(vstr_str(nexthop), "[relay.example]:587");
    cr_assert_eq(qmgr_route("a@example.com", transport, nexthop, why), 0);
    cr_assert_str_eq(vstr_str(nexthop), "example.com");
}

Test(route, wildcard_entry)
{
    qmgr_route_free();
    var_transport_maps = "inline:{*=catch:all.example}";
    cr_assert_eq(qmgr_route_init(why), 0, "%s", vstr_str(why));
    cr_assert_eq(qmgr_route("a@example.com", transport, nexthop, why), 0);
    cr_assert_str_eq(vstr_str(transport), "catch");
    cr_assert_str_eq(vstr_str(nexthop), "all.example");
}

Test(route, bad_default_transport)
{
    var_default_transport = "../x";
    cr_assert_eq(qmgr_route("a@remote.example", transport, nexthop, why), -1);
    cr_assert(strstr(vstr_str(why), "default_transport") != 0);
}

Test(route, unknown_table_type_fails_init)
{
    qmgr_route_free();
    var_transport_maps = "nosuchtype:/x";
    cr_assert_eq(qmgr_route_init(why), -1);
    cr_assert(strstr(vstr_str(why), "transport_maps") != 0, "%s", vstr_str(why));
    qmgr_route_free();
    var_transport_maps = "";
    var_mydestination = "inline:{unbalanced";
    cr_assert_eq(qmgr_route_init(why), -1);
}

Test(route, long_address_is_bounded)
{
    char    buf[5000];

    memset(buf, 'a', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = 0;
    buf[100] = '@';
    cr_assert_eq(qmgr_route(buf, transport, nexthop, why), 0);
    cr_assert_str_eq(vstr_str(transport), "smtp");
}
