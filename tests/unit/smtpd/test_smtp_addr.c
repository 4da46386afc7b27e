/*
 * test_smtp_addr.c - the RFC 5321 path parser (util/smtp_addr.c), table
 * driven: valid paths and what is kept of them, source routes, quoted
 * local parts, address literals, UTF-8 with and without SMTPUTF8, the
 * length limits, and hostile input (NUL, controls, unbalanced quotes,
 * bad UTF-8, overlong forms, surrogates).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "smtp_addr.h"

#define N	SMTP_ADDR_FLAG_NULL_OK
#define U	SMTP_ADDR_FLAG_UTF8

struct path_case {
    const char *in;
    size_t  len;			/* 0: strlen(in) */
    int     flags;
    int     status;
    const char *addr;			/* expected when OK */
    size_t  used;			/* 0: whole input */
};

static const struct path_case path_cases[] = {
    {"<>", 0, N, SMTP_ADDR_OK, "", 0},
    {"<>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@b.example>", 0, 0, SMTP_ADDR_OK, "a@b.example", 0},
    {"<a@b.example> SIZE=10", 0, 0, SMTP_ADDR_OK, "a@b.example", 13},
    {"<Postmaster>", 0, 0, SMTP_ADDR_OK, "Postmaster", 0},
    {"<first.last+tag@Sub.Example.ORG>", 0, 0, SMTP_ADDR_OK,
    "first.last+tag@Sub.Example.ORG", 0},
    {"<!#$%&'*+-/=?^_`{|}~@x.y>", 0, 0, SMTP_ADDR_OK, "!#$%&'*+-/=?^_`{|}~@x.y", 0},
    {"<\"a b\"@x.example>", 0, 0, SMTP_ADDR_OK, "\"a b\"@x.example", 0},
    {"<\"a\\\"b\"@our.example>", 0, 0, SMTP_ADDR_OK, "\"a\\\"b\"@our.example", 0},
    {"<\"user@remote\"@local.example>", 0, 0, SMTP_ADDR_OK,
    "\"user@remote\"@local.example", 0},
    {"<\"unterminated@our.example>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<@a.example,@b.example:u@d.example>", 0, 0, SMTP_ADDR_OK, "u@d.example", 0},
    {"<@a.example:u@d.example>", 0, 0, SMTP_ADDR_OK, "u@d.example", 0},
    {"<@a.example u@d.example>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<@:u@d.example>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<u@[192.0.2.1]>", 0, 0, SMTP_ADDR_OK, "u@[192.0.2.1]", 0},
    {"<u@[IPv6:2001:db8::1]>", 0, 0, SMTP_ADDR_OK, "u@[IPv6:2001:db8::1]", 0},
    {"<u@[ipv6:::1]>", 0, 0, SMTP_ADDR_OK, "u@[ipv6:::1]", 0},
    {"<u@[192.0.2.256]>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<u@[tag:whatever]>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<u@[]>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<u@[1.2.3.4>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@b.example", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"a@b.example>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<<>>", 0, N, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@@b>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@b..c>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@-b.c>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@b-.c>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@b.c.>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<.a@b>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a.@b>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a..b@c>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a b@c>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a@>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<@b.example>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<;sleep 66;>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<\"$(touch /tmp/pwn)\"@example.com>", 0, 0, SMTP_ADDR_OK,
    "\"$(touch /tmp/pwn)\"@example.com", 0},
    {"<${run{\\x2Fbin}}@localhost>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<root@localhost\0.evil.example>", 30, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a\0@evil>", 9, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<\"a\tb\"@c>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<\"a\\\x01\"@c>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"<a\r\n@b>", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    /* UTF-8 (RFC 6531) */
    {"<j\xc3\xb6rg@m\xc3\xbcller.example>", 0, 0, SMTP_ADDR_NEED_UTF8, 0, 0},
    {"<j\xc3\xb6rg@m\xc3\xbcller.example>", 0, U, SMTP_ADDR_OK,
    "j\xc3\xb6rg@m\xc3\xbcller.example", 0},
    {"<\"\xe2\x82\xac\"@x>", 0, U, SMTP_ADDR_OK, "\"\xe2\x82\xac\"@x", 0},
    {"<\xf0\x9f\x98\x80@x>", 0, U, SMTP_ADDR_OK, "\xf0\x9f\x98\x80@x", 0},
    {"<\xc0\xaf@x>", 0, U, SMTP_ADDR_SYNTAX, 0, 0},	/* overlong */
    {"<\xe0\x80\xaf@x>", 0, U, SMTP_ADDR_SYNTAX, 0, 0},	/* overlong */
    {"<\xed\xa0\x80@x>", 0, U, SMTP_ADDR_SYNTAX, 0, 0},	/* surrogate */
    {"<\xf4\x90\x80\x80@x>", 0, U, SMTP_ADDR_SYNTAX, 0, 0},	/* > U+10FFFF */
    {"<\xc3@x>", 0, U, SMTP_ADDR_SYNTAX, 0, 0},	/* truncated */
    {"<\xff@x>", 0, U, SMTP_ADDR_SYNTAX, 0, 0},
    {"<\xc3", 0, U, SMTP_ADDR_SYNTAX, 0, 0},
    {"<", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
    {"", 0, 0, SMTP_ADDR_SYNTAX, 0, 0},
};

Test(smtp_addr, path_table)
{
    struct vstr *addr = vstr_alloc(10);
    const struct path_case *cp;
    size_t  used;
    size_t  len;
    int     st;

    for (cp = path_cases; cp < path_cases + sizeof(path_cases) / sizeof(path_cases[0]); cp++) {
	len = cp->len ? cp->len : strlen(cp->in);
	used = 12345;
	st = smtp_addr_path(cp->in, len, cp->flags, addr, &used);
	cr_assert_eq(st, cp->status, "\"%s\": status %d, expected %d",
		     cp->in, st, cp->status);
	if (st == SMTP_ADDR_OK) {
	    cr_assert_str_eq(vstr_str(addr), cp->addr, "\"%s\"", cp->in);
	    cr_assert_eq(used, cp->used ? cp->used : len, "\"%s\": used %zu",
			 cp->in, used);
	} else {
	    cr_assert_eq(used, 12345, "\"%s\": used set on error", cp->in);
	}
    }
    vstr_free(addr);
}

/* mkpath - "<" + local + "@" + domain + ">" from repeated characters */

static char *
mkpath(char *buf, size_t local, size_t labels, size_t label_len)
{
    char   *cp = buf;
    size_t  i;

    *cp++ = '<';
    memset(cp, 'a', local);
    cp += local;
    *cp++ = '@';
    for (i = 0; i < labels; i++) {
	if (i)
	    *cp++ = '.';
	memset(cp, 'b', label_len);
	cp += label_len;
    }
    *cp++ = '>';
    *cp = 0;
    return (buf);
}

/* try_path - build a path, then parse it (argument order matters) */

static int
try_path(size_t local, size_t labels, size_t label_len, size_t *used)
{
    static char buf[20000];
    struct vstr *addr = vstr_alloc(10);
    int     st;

    mkpath(buf, local, labels, label_len);
    st = smtp_addr_path(buf, strlen(buf), 0, addr, used);
    vstr_free(addr);
    return (st);
}

Test(smtp_addr, length_limits)
{
    struct vstr *addr = vstr_alloc(10);
    char    buf[400];
    size_t  used;

    /* Local part: 64 ok, 65 too long. */
    cr_assert_eq(try_path(64, 1, 10, &used), 0);
    cr_assert_eq(try_path(65, 1, 10, &used), SMTP_ADDR_TOOLONG);
    cr_assert_eq(try_path(10000, 1, 10, &used), SMTP_ADDR_TOOLONG);
    /* Label: 63 ok, 64 too long. */
    cr_assert_eq(try_path(1, 1, 63, &used), 0);
    cr_assert_eq(try_path(1, 1, 64, &used), SMTP_ADDR_TOOLONG);
    /* Domain 4 x 63 + 3 = 255 is ok but the path is 1+1+1+255+1 = 259. */
    cr_assert_eq(try_path(1, 4, 63, &used), SMTP_ADDR_TOOLONG);
    /* Domain of 5 labels: 319 > 255. */
    cr_assert_eq(try_path(1, 5, 63, &used), SMTP_ADDR_TOOLONG);
    /* Path of exactly 256 bytes is fine, 257 is too long. */
    memset(buf, 0, sizeof(buf));
    buf[0] = '<';
    memset(buf + 1, 'a', 64);
    buf[65] = '@';
    memset(buf + 66, 'b', 63);
    buf[129] = '.';
    memset(buf + 130, 'c', 63);
    buf[193] = '.';
    memset(buf + 194, 'd', 61);
    buf[255] = '>';
    cr_assert_eq(smtp_addr_path(buf, strlen(buf), 0, addr, &used), 0);
    cr_assert_eq(used, 256);
    buf[255] = 'd';
    buf[256] = '>';
    cr_assert_eq(smtp_addr_path(buf, strlen(buf), 0, addr, &used), SMTP_ADDR_TOOLONG);
    vstr_free(addr);
}

Test(smtp_addr, long_source_route)
{
    struct vstr *addr = vstr_alloc(10);
    char    buf[8000];
    size_t  used;
    char   *cp = buf;
    int     i;

    *cp++ = '<';
    for (i = 0; i < 1000; i++) {
	memcpy(cp, i ? ",@h" : "@h", i ? 3 : 2);
	cp += i ? 3 : 2;
    }
    strcpy(cp, ":u@our.example>");
    cr_assert_eq(smtp_addr_path(buf, strlen(buf), 0, addr, &used), SMTP_ADDR_TOOLONG);
    vstr_free(addr);
}

Test(smtp_addr, no_read_past_len)
{
    struct vstr *addr = vstr_alloc(10);
    size_t  used;

    /* The ">" lies beyond len: must not be seen. */
    cr_assert_eq(smtp_addr_path("<a@b>", 4, 0, addr, &used), SMTP_ADDR_SYNTAX);
    cr_assert_eq(smtp_addr_path("<\"a\">", 4, 0, addr, &used), SMTP_ADDR_SYNTAX);
    cr_assert_eq(smtp_addr_path("<a@[1.2.3.4]>", 11, 0, addr, &used), SMTP_ADDR_SYNTAX);
    vstr_free(addr);
}

Test(smtp_addr, mailbox_and_utf8_helpers)
{
    cr_assert_eq(smtp_addr_mailbox("a@b.example", 11, 0), 0);
    cr_assert_eq(smtp_addr_mailbox("a@b.example x", 13, 0), SMTP_ADDR_SYNTAX);
    cr_assert_eq(smtp_addr_mailbox("", 0, 0), SMTP_ADDR_SYNTAX);
    cr_assert_eq(smtp_addr_utf8_len((const unsigned char *) "\xc3\xa9", 2), 2);
    cr_assert_eq(smtp_addr_utf8_len((const unsigned char *) "\xc3\xa9", 1), 0);
    cr_assert_eq(smtp_addr_utf8_len((const unsigned char *) "a", 1), 0);
    cr_assert_eq(smtp_addr_utf8_len((const unsigned char *) "\xf4\x8f\xbf\xbf", 4), 4);
    cr_assert_eq(smtp_addr_has_8bit("abc", 3), 0);
    cr_assert_eq(smtp_addr_has_8bit("ab\x80", 3), 1);
}
