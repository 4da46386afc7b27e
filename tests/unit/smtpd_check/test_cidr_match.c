/*
 * test_cidr_match.c - mynetworks lists: strict parsing and matching of
 * IPv4, IPv6 and IPv4-mapped addresses.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cidr_match.h"

/* match - build a list, match one address */

static int
match(const char *list, const char *addr)
{
    struct vstr *why = vstr_alloc(10);
    struct cidr_match *cm = cidr_match_create(list, why);
    int     res;

    cr_assert_not_null(cm, "list \"%s\": %s", list, vstr_str(why));
    res = cidr_match_addr(cm, addr);
    cidr_match_free(cm);
    vstr_free(why);
    return (res);
}

Test(cidr_match, default_mynetworks)
{
    const char *list = "127.0.0.0/8 [::1]/128";

    cr_assert_eq(match(list, "127.0.0.1"), 1);
    cr_assert_eq(match(list, "127.255.255.254"), 1);
    cr_assert_eq(match(list, "128.0.0.1"), 0);
    cr_assert_eq(match(list, "126.255.255.255"), 0);
    cr_assert_eq(match(list, "::1"), 1);
    cr_assert_eq(match(list, "::2"), 0);
    cr_assert_eq(match(list, "::ffff:127.0.0.1"), 1);
    cr_assert_eq(match(list, "::ffff:10.0.0.1"), 0);
}

Test(cidr_match, prefixes_and_separators)
{
    const char *list = "192.168.0.0/16, 10.1.2.3,[2001:db8::]/32 ,172.16.0.0/12";

    cr_assert_eq(match(list, "192.168.200.1"), 1);
    cr_assert_eq(match(list, "192.169.0.1"), 0);
    cr_assert_eq(match(list, "10.1.2.3"), 1);
    cr_assert_eq(match(list, "10.1.2.4"), 0);
    cr_assert_eq(match(list, "2001:db8:ffff::1"), 1);
    cr_assert_eq(match(list, "2001:db9::1"), 0);
    cr_assert_eq(match(list, "172.31.255.255"), 1);
    cr_assert_eq(match(list, "172.32.0.0"), 0);
    cr_assert_eq(match("0.0.0.0/0", "203.0.113.9"), 1);
    cr_assert_eq(match("0.0.0.0/0", "2001:db8::1"), 0);
    cr_assert_eq(match("::/0", "2001:db8::1"), 1);
    cr_assert_eq(match("10.0.0.0/9", "10.127.0.1"), 1);
    cr_assert_eq(match("10.0.0.0/9", "10.128.0.1"), 0);
    cr_assert_eq(match("fe80::/10", "febf::1"), 1);
    cr_assert_eq(match("fe80::/10", "fec0::1"), 0);
    cr_assert_eq(match("2001:db8::1", "2001:db8::1"), 1);
    cr_assert_eq(match("", "127.0.0.1"), 0);
}

Test(cidr_match, negation_first_match_wins)
{
    const char *list = "!192.168.1.0/24 192.168.0.0/16";

    cr_assert_eq(match(list, "192.168.1.7"), 0);
    cr_assert_eq(match(list, "192.168.2.7"), 1);
}

Test(cidr_match, hostile_client_addresses)
{
    const char *list = "127.0.0.0/8 [::1]/128";

    cr_assert_eq(match(list, ""), 0);
    cr_assert_eq(match(list, "unknown"), 0);
    cr_assert_eq(match(list, "127.0.0.1 "), 0);
    cr_assert_eq(match(list, "127.0.0.1/8"), 0);
    cr_assert_eq(match(list, "[::1]"), 0);
    cr_assert_eq(match(list, "::1%lo"), 0);
    cr_assert_eq(match(list, "127.0.0.1.5"), 0);
    cr_assert_eq(match(list, "0177.0.0.1"), 0);
    {
	char    big[300];

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	cr_assert_eq(match(list, big), 0);
    }
    cr_assert_eq(cidr_match_addr(0, "127.0.0.1"), 0);
}

Test(cidr_match, strict_parsing)
{
    static const char *bad[] = {
	"127.0.0.0/33", "127.0.0.0/", "127.0.0.0/-1", "127.0.0.0/+8",
	"127.0.0.0/08", "127.0.0.0/8/8", "127.0.0.1/8", "192.168.1.1/24",
	"[127.0.0.1]", "[::1", "::1]", "[::1]x/128", "::1/129", "[::1]/1280",
	"1.2.3", "1.2.3.4.5", "256.1.1.1", "hash:/etc/postern/networks",
	"localhost", "01.2.3.4", "1.2.3.4/ 8", "2001:db8::/32x", "/8",
	"[]", "!",
    };
    struct vstr *why = vstr_alloc(10);
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
	vstr_reset(why);
	cr_expect_null(cidr_match_create(bad[i], why), "accepted \"%s\"", bad[i]);
	cr_expect(vstr_len(why) > 0, "no reason for \"%s\"", bad[i]);
    }
    vstr_free(why);
}

Test(cidr_match, entry_api)
{
    struct vstr *why = vstr_alloc(10);
    struct cidr_entry ent;
    unsigned char a[16] = {10, 2, 3, 4};

    cr_assert_eq(cidr_match_parse("10.0.0.0/8", &ent, why), 0);
    cr_assert_eq(ent.len, 8);
    cr_assert_eq(cidr_match_entry(&ent, a, 2 /* AF_INET */), 1);
    a[0] = 11;
    cr_assert_eq(cidr_match_entry(&ent, a, 2), 0);
    cr_assert_eq(cidr_match_entry(&ent, a, 10 /* AF_INET6 */), 0);
    {
	struct cidr_match *cm = cidr_match_create(" 1.2.3.4 , ::/0 ", why);

	cr_assert_eq(cidr_match_count(cm), 2);
	cidr_match_free(cm);
    }
    vstr_free(why);
}
