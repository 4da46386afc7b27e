/*
 * test_dns_mx.c - DNS answer parsing for the SMTP client (util/dns_mx.c)
 * from canned packets: MX preference order, null MX, A and AAAA, and
 * hostile packets (truncated, lying lengths, compression loops, bad
 * names, record length mismatches).
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>

#include "dns_mx.h"

struct pkt {
    unsigned char buf[1024];
    size_t  len;
    size_t  ancount_at;
    int     ancount;
};

static void
put(struct pkt *p, const void *data, size_t n)
{
    cr_assert(p->len + n <= sizeof(p->buf));
    memcpy(p->buf + p->len, data, n);
    p->len += n;
}

static void
put16(struct pkt *p, unsigned v)
{
    unsigned char b[2] = {(unsigned char) (v >> 8), (unsigned char) v};

    put(p, b, 2);
}

/* pkt_start - header and the question "ex.test" type */

static void
pkt_start(struct pkt *p, unsigned qtype)
{
    memset(p, 0, sizeof(*p));
    put16(p, 0x1234);
    put16(p, 0x8180);
    put16(p, 1);
    p->ancount_at = p->len;
    put16(p, 0);
    put16(p, 0);
    put16(p, 0);
    put(p, "\2ex\4test\0", 9);
    put16(p, qtype);
    put16(p, 1);
}

/* pkt_rr - one answer owned by the question name (pointer to 12) */

static void
pkt_rr(struct pkt *p, unsigned type, const void *rdata, size_t rdlen)
{
    put16(p, 0xc00c);
    put16(p, type);
    put16(p, 1);
    put16(p, 0);
    put16(p, 300);
    put16(p, (unsigned) rdlen);
    put(p, rdata, rdlen);
    p->ancount++;
    p->buf[p->ancount_at] = (unsigned char) (p->ancount >> 8);
    p->buf[p->ancount_at + 1] = (unsigned char) p->ancount;
}

static void
pkt_mx(struct pkt *p, unsigned pref, const char *wire, size_t wlen)
{
    unsigned char rd[300];

    rd[0] = (unsigned char) (pref >> 8);
    rd[1] = (unsigned char) pref;
    memcpy(rd + 2, wire, wlen);
    pkt_rr(p, ns_t_mx, rd, wlen + 2);
}

Test(dns_mx, preference_order)
{
    struct pkt p;
    struct dns_mx_list list;
    struct vstr *why = vstr_alloc(10);

    pkt_start(&p, ns_t_mx);
    pkt_mx(&p, 20, "\3mx2\2ex\4test\0", 13);
    pkt_mx(&p, 10, "\3MX1\xc0\x0c", 6);
    pkt_mx(&p, 30, "\3mx3\2ex\4test\0", 13);
    cr_assert_eq(dns_mx_parse(p.buf, p.len, &list, why), DNS_OK);
    cr_assert_eq(list.count, 3);
    cr_assert_str_eq(list.mx[0].host, "mx1.ex.test");
    cr_assert_eq(list.mx[0].pref, 10);
    cr_assert_str_eq(list.mx[1].host, "mx2.ex.test");
    cr_assert_str_eq(list.mx[2].host, "mx3.ex.test");
    dns_mx_list_free(&list);
    vstr_free(why);
}

Test(dns_mx, equal_preference_keeps_answer_order)
{
    struct pkt p;
    struct dns_mx_list list;
    struct vstr *why = vstr_alloc(10);
    char    wire[16];
    char    want[16];
    size_t  n;

    /* 12 hosts, alternating preference 20 and 10: each group in order. */
    pkt_start(&p, ns_t_mx);
    for (n = 0; n < 12; n++) {
	memcpy(wire, "\3mxA\xc0\x0c", 6);
	wire[3] = (char) ('a' + n);
	pkt_mx(&p, n % 2 ? 10 : 20, wire, 6);
    }
    cr_assert_eq(dns_mx_parse(p.buf, p.len, &list, why), DNS_OK);
    cr_assert_eq(list.count, 12);
    for (n = 0; n < 12; n++) {
	snprintf(want, sizeof(want), "mx%c.ex.test",
		 (char) ('a' + (n < 6 ? 2 * n + 1 : 2 * (n - 6))));
	cr_assert_str_eq(list.mx[n].host, want, "entry %zu", n);
	cr_assert_eq(list.mx[n].pref, n < 6 ? 10 : 20);
    }
    dns_mx_list_free(&list);
    vstr_free(why);
}

Test(dns_mx, null_mx)
{
    struct pkt p;
    struct dns_mx_list list;
    struct vstr *why = vstr_alloc(10);

    pkt_start(&p, ns_t_mx);
    pkt_mx(&p, 0, "\0", 1);
    cr_assert_eq(dns_mx_parse(p.buf, p.len, &list, why), DNS_NULLMX);
    cr_assert_eq(list.count, 0);
    vstr_free(why);
}

Test(dns_mx, no_mx_records)
{
    struct pkt p;
    struct dns_mx_list list;
    struct vstr *why = vstr_alloc(10);
    unsigned char a[4] = {127, 0, 0, 1};

    pkt_start(&p, ns_t_mx);
    pkt_rr(&p, ns_t_a, a, 4);
    cr_assert_eq(dns_mx_parse(p.buf, p.len, &list, why), DNS_NOTFOUND);
    vstr_free(why);
}

Test(dns_mx, hostile_mx)
{
    struct pkt p;
    struct dns_mx_list list;
    struct vstr *why = vstr_alloc(10);
    size_t  cut;

    /* A compression loop in the target name. */
    pkt_start(&p, ns_t_mx);
    pkt_mx(&p, 10, "\3abc\xc0\x2b", 6);	/* offset 0x2b: itself */
    cr_assert_eq(p.buf[0x2b], 0xc0);
    cr_assert_lt(dns_mx_parse(p.buf, p.len, &list, why), 0);
    /* Bad characters in the name are skipped. */
    pkt_start(&p, ns_t_mx);
    pkt_mx(&p, 10, "\4a\nb;\0", 6);
    cr_assert_eq(dns_mx_parse(p.buf, p.len, &list, why), DNS_NOTFOUND);
    /* rdlength too short. */
    pkt_start(&p, ns_t_mx);
    pkt_rr(&p, ns_t_mx, "\0", 1);
    cr_assert_lt(dns_mx_parse(p.buf, p.len, &list, why), 0);
    /* Every truncation of a good packet fails cleanly. */
    pkt_start(&p, ns_t_mx);
    pkt_mx(&p, 10, "\3mx1\2ex\4test\0", 13);
    for (cut = 0; cut < p.len; cut++)
	cr_assert_lt(dns_mx_parse(p.buf, cut, &list, why), 0, "cut %zu", cut);
    /* An answer count larger than the packet. */
    p.buf[p.ancount_at + 1] = 50;
    cr_assert_lt(dns_mx_parse(p.buf, p.len, &list, why), 0);
    vstr_free(why);
}

Test(dns_mx, addresses)
{
    struct pkt p;
    struct argv *addrs = argv_alloc(4);
    struct vstr *why = vstr_alloc(10);
    unsigned char a1[4] = {127, 0, 0, 2};
    unsigned char a2[4] = {10, 1, 2, 3};
    unsigned char six[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

    pkt_start(&p, ns_t_a);
    pkt_rr(&p, ns_t_a, a1, 4);
    pkt_rr(&p, ns_t_a, a2, 4);
    cr_assert_eq(dns_addr_parse(p.buf, p.len, ns_t_a, addrs, 10, why), DNS_OK);
    cr_assert_eq(addrs->argc, 2);
    cr_assert_str_eq(addrs->argv[0], "127.0.0.2");
    cr_assert_str_eq(addrs->argv[1], "10.1.2.3");
    /* The limit is respected. */
    cr_assert_eq(dns_addr_parse(p.buf, p.len, ns_t_a, addrs, 3, why), DNS_OK);
    cr_assert_eq(addrs->argc, 3);
    pkt_start(&p, ns_t_aaaa);
    pkt_rr(&p, ns_t_aaaa, six, 16);
    cr_assert_eq(dns_addr_parse(p.buf, p.len, ns_t_aaaa, addrs, 10, why), DNS_OK);
    cr_assert_str_eq(addrs->argv[addrs->argc - 1], "2001:db8::1");
    /* A record of the wrong length. */
    pkt_start(&p, ns_t_a);
    pkt_rr(&p, ns_t_a, six, 16);
    cr_assert_lt(dns_addr_parse(p.buf, p.len, ns_t_a, addrs, 10, why), 0);
    argv_free(addrs);
    vstr_free(why);
}
