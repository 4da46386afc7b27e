/*
 * test_attr.c - attribute protocol: round trips of every type, the exact
 * wire bytes, and the strict matching rules of attr_scan() (missing,
 * unknown, duplicate, extra, mistyped attributes; the flags that relax
 * them; ATTR_FLAG_MORE; the protocol announcement).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <signal.h>

#include "ipc/attr_test.h"
#include "mail_proto.h"

static struct vstr *wire;
static struct vstream *out;

static void
setup(void)
{
    wire = vstr_alloc(100);
    out = vstream_vstropen(wire);
}

static void
teardown(void)
{
    if (out)
	vstream_free(out);
    vstr_free(wire);
}

/* done - flush the encoder so that wire holds every byte */

static void
done(void)
{
    cr_assert_eq(vstream_flush(out), VSTREAM_OK);
}

TestSuite(attr, .init = setup, .fini = teardown);

Test(attr, round_trip_every_type)
{
    static const char bin[] = {'a', 0, 'b', 0, 0, '\377'};
    struct vstream *in;
    struct vstr *s1 = vstr_alloc(1), *s2 = vstr_alloc(1);
    struct vstr *d1 = vstr_alloc(1), *d2 = vstr_alloc(1);
    int     i1, i2, i3;
    long    l1, l2;

    cr_assert_eq(attr_print(out, ATTR_FLAG_NONE,
			    SEND_ATTR_INT("imin", INT_MIN),
			    SEND_ATTR_INT("imax", INT_MAX),
			    SEND_ATTR_INT("ineg", -1),
			    SEND_ATTR_LONG("lmin", LONG_MIN),
			    SEND_ATTR_LONG("lmax", LONG_MAX),
			    SEND_ATTR_STR("s_empty", ""),
			    SEND_ATTR_STR("s_text", "hello world\r\n"),
			    SEND_ATTR_DATA("d_bin", sizeof(bin), bin),
			    SEND_ATTR_DATA("d_empty", 0, ""),
			    ATTR_TYPE_END), 0);
    done();
    in = memscan(wire);
    cr_assert_eq(attr_scan(in, ATTR_FLAG_STRICT,
			   RECV_ATTR_INT("imin", &i1),
			   RECV_ATTR_INT("imax", &i2),
			   RECV_ATTR_INT("ineg", &i3),
			   RECV_ATTR_LONG("lmin", &l1),
			   RECV_ATTR_LONG("lmax", &l2),
			   RECV_ATTR_STR("s_empty", s1),
			   RECV_ATTR_STR("s_text", s2),
			   RECV_ATTR_DATA("d_bin", d1),
			   RECV_ATTR_DATA("d_empty", d2),
			   ATTR_TYPE_END), 9);
    cr_assert_eq(i1, INT_MIN);
    cr_assert_eq(i2, INT_MAX);
    cr_assert_eq(i3, -1);
    cr_assert_eq(l1, LONG_MIN);
    cr_assert_eq(l2, LONG_MAX);
    cr_assert_eq(vstr_len(s1), 0);
    cr_assert_str_eq(vstr_str(s2), "hello world\r\n");
    cr_assert_eq(vstr_len(d1), sizeof(bin));
    cr_assert(memcmp(vstr_str(d1), bin, sizeof(bin)) == 0);
    cr_assert_eq(vstr_len(d2), 0);
    cr_assert_eq(vstream_getc(in), VSTREAM_EOF, "scan must stop at the terminator");
    vstream_free(in);
    vstr_free(s1);
    vstr_free(s2);
    vstr_free(d1);
    vstr_free(d2);
}

Test(attr, exact_wire_bytes)
{
    static const unsigned char expect[] = {
	1, 1, 'i', 0xff, 0xff, 0xff, 0xfe,		/* int i = -2 */
	2, 1, 'l', 0, 0, 0, 1, 0, 0, 0, 2,		/* long l = 2^32+2 */
	3, 2, 's', '1', 0, 0, 0, 2, 'o', 'k',		/* str s1 = "ok" */
	4, 1, 'd', 0, 0, 0, 1, 0,			/* data d = "\0" */
	0,						/* end */
    };

    cr_assert_eq(attr_print(out, ATTR_FLAG_NONE, SEND_ATTR_INT("i", -2),
			    SEND_ATTR_LONG("l", 4294967298L),
			    SEND_ATTR_STR("s1", "ok"),
			    SEND_ATTR_DATA("d", 1, ""), ATTR_TYPE_END), 0);
    done();
    cr_assert_eq(vstr_len(wire), sizeof(expect));
    cr_assert(memcmp(vstr_str(wire), expect, sizeof(expect)) == 0);
}

Test(attr, any_order_is_accepted)
{
    struct vstream *in;
    int     a = 0, b = 0;

    attr_print(out, 0, SEND_ATTR_INT("b", 2), SEND_ATTR_INT("a", 1), ATTR_TYPE_END);
    done();
    in = memscan(wire);
    cr_assert_eq(attr_scan(in, 0, RECV_ATTR_INT("a", &a), RECV_ATTR_INT("b", &b),
			   ATTR_TYPE_END), 2);
    cr_assert(a == 1 && b == 2);
    vstream_free(in);
}

/* scan_ab - strict scan expecting int a and string b */

static int
scan_ab(int flags, int *a, struct vstr *b)
{
    struct vstream *in;
    int     ret;

    done();
    in = memscan(wire);
    ret = attr_scan(in, flags, RECV_ATTR_INT("a", a), RECV_ATTR_STR("b", b),
		    ATTR_TYPE_END);
    vstream_free(in);
    return (ret);
}

Test(attr, missing_attribute)
{
    struct vstr *b = vstr_alloc(1);
    int     a = 0;

    vstr_strcpy(b, "untouched");
    attr_print(out, 0, SEND_ATTR_INT("a", 7), ATTR_TYPE_END);
    cr_assert_eq(scan_ab(ATTR_FLAG_STRICT, &a, b), -1);
    cr_assert_eq(scan_ab(ATTR_FLAG_ALLOW_MISSING, &a, b), 1);
    cr_assert_eq(a, 7);
    cr_assert_str_eq(vstr_str(b), "untouched");
    vstr_free(b);
}

Test(attr, unknown_attribute)
{
    struct vstr *b = vstr_alloc(1);
    int     a = 0;

    attr_print(out, 0, SEND_ATTR_INT("a", 1), SEND_ATTR_DATA("zz", 3, "x\0y"),
	       SEND_ATTR_LONG("yy", 5L), SEND_ATTR_STR("b", "B"), ATTR_TYPE_END);
    cr_assert_eq(scan_ab(ATTR_FLAG_STRICT, &a, b), -1);
    cr_assert_eq(scan_ab(ATTR_FLAG_ALLOW_EXTRA, &a, b), 2);
    cr_assert_eq(a, 1);
    cr_assert_str_eq(vstr_str(b), "B");
    vstr_free(b);
}

Test(attr, duplicate_attribute)
{
    struct vstr *b = vstr_alloc(1);
    int     a = 0;

    attr_print(out, 0, SEND_ATTR_INT("a", 1), SEND_ATTR_STR("b", "B"),
	       SEND_ATTR_INT("a", 2), ATTR_TYPE_END);
    cr_assert_eq(scan_ab(ATTR_FLAG_STRICT, &a, b), -1);
    cr_assert_eq(scan_ab(ATTR_FLAG_ALLOW_EXTRA | ATTR_FLAG_ALLOW_MISSING, &a, b), -1,
		 "a duplicate is never allowed");
    vstr_free(b);
}

Test(attr, mistyped_attribute)
{
    struct vstr *b = vstr_alloc(1);
    int     a = 0;

    attr_print(out, 0, SEND_ATTR_LONG("a", 1L), SEND_ATTR_STR("b", "B"), ATTR_TYPE_END);
    cr_assert_eq(scan_ab(ATTR_FLAG_STRICT, &a, b), -1);
    vstr_reset(wire);
    attr_print(out, 0, SEND_ATTR_INT("a", 1), SEND_ATTR_DATA("b", 1, "B"), ATTR_TYPE_END);
    cr_assert_eq(scan_ab(ATTR_FLAG_ALLOW_EXTRA, &a, b), -1, "data is not a string");
    vstr_free(b);
}

Test(attr, string_with_nul_is_rejected)
{
    struct vstr *b = vstr_alloc(1);
    int     a = 0;

    attr_print(out, ATTR_FLAG_MORE, SEND_ATTR_INT("a", 1), ATTR_TYPE_END);
    done();
    raw_bytes(wire, ATTR_TYPE_STR, "b", "x\0y", 3);
    vstr_addch(wire, 0);
    cr_assert_eq(scan_ab(ATTR_FLAG_STRICT, &a, b), -1);
    vstr_free(b);
}

Test(attr, more_reads_a_list_in_parts)
{
    struct vstream *in;
    struct vstr *req = vstr_alloc(1);
    struct vstr *rcpt = vstr_alloc(1);
    long    off = 0;

    attr_print(out, 0, SEND_ATTR_STR(MAIL_ATTR_REQ, "deliver"),
	       SEND_ATTR_LONG(MAIL_ATTR_OFFSET, 1234L),
	       SEND_ATTR_STR(MAIL_ATTR_RECIP, "u@example.com"), ATTR_TYPE_END);
    attr_print(out, 0, SEND_ATTR_INT("next", 1), ATTR_TYPE_END);
    done();
    in = memscan(wire);
    cr_assert_eq(attr_scan(in, ATTR_FLAG_MORE,
			   RECV_ATTR_STR(MAIL_ATTR_REQ, req), ATTR_TYPE_END), 1);
    cr_assert_str_eq(vstr_str(req), "deliver");
    cr_assert_eq(attr_scan(in, ATTR_FLAG_STRICT,
			   RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &off),
			   RECV_ATTR_STR(MAIL_ATTR_RECIP, rcpt), ATTR_TYPE_END), 2);
    cr_assert_eq(off, 1234L);
    cr_assert_str_eq(vstr_str(rcpt), "u@example.com");
    cr_assert_eq(attr_scan(in, 0, ATTR_TYPE_END), -1, "next list has an extra");
    vstream_free(in);
    vstr_free(req);
    vstr_free(rcpt);
}

Test(attr, more_with_wrong_first_attribute_fails)
{
    struct vstream *in;
    struct vstr *req = vstr_alloc(1);

    attr_print(out, 0, SEND_ATTR_STR("sender", "x"),
	       SEND_ATTR_STR(MAIL_ATTR_REQ, "deliver"), ATTR_TYPE_END);
    done();
    in = memscan(wire);
    cr_assert_eq(attr_scan(in, ATTR_FLAG_MORE,
			   RECV_ATTR_STR(MAIL_ATTR_REQ, req), ATTR_TYPE_END), -1);
    vstream_free(in);
    vstr_free(req);
}

Test(attr, print_more_continues_a_list)
{
    struct vstream *in;
    int     a = 0, b = 0;

    attr_print(out, ATTR_FLAG_MORE, SEND_ATTR_INT("a", 1), ATTR_TYPE_END);
    attr_print(out, 0, SEND_ATTR_INT("b", 2), ATTR_TYPE_END);
    done();
    in = memscan(wire);
    cr_assert_eq(attr_scan(in, 0, RECV_ATTR_INT("a", &a), RECV_ATTR_INT("b", &b),
			   ATTR_TYPE_END), 2);
    vstream_free(in);
}

Test(attr, empty_list)
{
    struct vstream *in;

    attr_print(out, 0, ATTR_TYPE_END);
    done();
    cr_assert_eq(vstr_len(wire), 1);
    in = memscan(wire);
    cr_assert_eq(attr_scan(in, 0, ATTR_TYPE_END), 0);
    vstream_free(in);
}

Test(attr, protocol_announcement)
{
    struct vstream *in;

    cr_assert_eq(attr_print_protocol(out, MAIL_PROTO_CLEANUP), 0);
    cr_assert_eq(attr_print_protocol(out, MAIL_PROTO_QMGR), 0);
    attr_print(out, 0, SEND_ATTR_INT(ATTR_NAME_PROTOCOL, 1), ATTR_TYPE_END);
    done();
    in = memscan(wire);
    cr_assert_eq(attr_scan_protocol(in, MAIL_PROTO_CLEANUP), 0);
    cr_assert_eq(attr_scan_protocol(in, MAIL_PROTO_CLEANUP), -1);
    cr_assert_eq(attr_scan_protocol(in, MAIL_PROTO_CLEANUP), -1, "mistyped");
    cr_assert_eq(attr_scan_protocol(in, MAIL_PROTO_CLEANUP), -1, "unusable");
    vstream_free(in);
}

Test(attr, print_refuses_oversized_value_before_writing)
{
    cr_assert_eq(attr_print(out, 0, SEND_ATTR_INT("a", 1),
			    SEND_ATTR_DATA("d", (size_t) ATTR_WIRE_VALUE_MAX + 1, "x"),
			    ATTR_TYPE_END), -1);
    done();
    cr_assert_eq(vstr_len(wire), 0, "nothing may be written");
}

Test(attr, print_bad_name_panics, .signal = SIGABRT)
{
    attr_print(out, 0, SEND_ATTR_INT("Bad", 1), ATTR_TYPE_END);
}

Test(attr, print_long_name_panics, .signal = SIGABRT)
{
    attr_print(out, 0, SEND_ATTR_INT("a123456789012345678901234567890123456789"
				     "0123456789012345678901234", 1), ATTR_TYPE_END);
}

Test(attr, scan_expecting_a_name_twice_panics, .signal = SIGABRT)
{
    struct vstream *in = vstream_memopen("", 0);
    int     a, b;

    attr_scan(in, 0, RECV_ATTR_INT("a", &a), RECV_ATTR_INT("a", &b), ATTR_TYPE_END);
}

Test(attr, every_mail_attr_name_is_valid)
{
    static const char *names[] = {
	MAIL_ATTR_REQ, MAIL_ATTR_QUEUE, MAIL_ATTR_QUEUEID, MAIL_ATTR_OFFSET,
	MAIL_ATTR_SIZE, MAIL_ATTR_TIME, MAIL_ATTR_SENDER, MAIL_ATTR_RECIP,
	MAIL_ATTR_ORCPT, MAIL_ATTR_NRCPT, MAIL_ATTR_RCPT_OFFSET, MAIL_ATTR_FLAGS,
	MAIL_ATTR_ENCODING, MAIL_ATTR_SMTPUTF8, MAIL_ATTR_NEXTHOP,
	MAIL_ATTR_TRANSPORT, MAIL_ATTR_RELAY, MAIL_ATTR_DELIVERED, MAIL_ATTR_USER,
	MAIL_ATTR_EXTENSION, MAIL_ATTR_DATA, MAIL_ATTR_RECORD,
	MAIL_ATTR_CLIENT_NAME, MAIL_ATTR_CLIENT_ADDR, MAIL_ATTR_CLIENT_PORT,
	MAIL_ATTR_HELO_NAME, MAIL_ATTR_PROTO_NAME, MAIL_ATTR_SASL_USER,
	MAIL_ATTR_TLS_PROTO, MAIL_ATTR_TLS_CIPHER, MAIL_ATTR_STATUS, MAIL_ATTR_WHY,
	MAIL_ATTR_DSN_STATUS, MAIL_ATTR_DSN_ACTION, MAIL_ATTR_DSN_DTYPE,
	MAIL_ATTR_DSN_DTEXT, MAIL_ATTR_DSN_MTYPE, MAIL_ATTR_DSN_MNAME,
	MAIL_ATTR_DSN_ENVID, MAIL_ATTR_DSN_RET, MAIL_ATTR_DSN_NOTIFY,
	MAIL_ATTR_DSN_ORCPT, MAIL_ATTR_DELAY, ATTR_NAME_PROTOCOL,
	MAIL_PROTO_CLEANUP, MAIL_PROTO_QMGR, MAIL_PROTO_DELIVER,
    };
    size_t  i, j;

    for (i = 0; i < ARRAY_LEN(names); i++) {
	cr_assert(attr_name_valid(names[i], strlen(names[i])), "%s", names[i]);
	for (j = 0; j < i; j++)
	    cr_assert(strcmp(names[i], names[j]) != 0, "dup %s", names[i]);
    }
    cr_assert_not(attr_name_valid("", 0));
    cr_assert_not(attr_name_valid("a-b", 3));
    cr_assert_not(attr_name_valid("a\0b", 3));
}
