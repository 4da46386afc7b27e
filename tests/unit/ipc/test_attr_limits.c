/*
 * test_attr_limits.c - hostile input to the attribute reader: name,
 * value, total and count limits (under, at, over), unknown types, huge
 * declared lengths refused before reading, a message cut at every byte,
 * every single-byte corruption, and a peer that stalls mid-message.
 */
#include <criterion/criterion.h>
#include <unistd.h>

#include "ipc/attr_test.h"
#include "unix_sock.h"

/* scan_list_raw - attr_scan_list() over raw bytes with limits */

static int
scan_list_raw(struct vstr *raw, const struct attr_limits *lim, struct attr_list *list)
{
    struct vstream *in = memscan(raw);
    int     ret = attr_scan_list(in, 0, lim, list);

    vstream_free(in);
    return (ret);
}

/* name_case - scan a one-record list whose name is len bytes at name */

static int
name_case(const char *name, size_t len)
{
    struct vstr *raw = vstr_alloc(100);
    struct attr_list *list = attr_list_alloc();
    int     ret;

    raw_head(raw, ATTR_TYPE_INT, name, len);
    raw_be(raw, 42, 4);
    vstr_addch(raw, 0);
    ret = scan_list_raw(raw, 0, list);
    attr_list_free(list);
    vstr_free(raw);
    return (ret);
}

Test(attr_limits, name_length)
{
    char    name[300];

    memset(name, 'n', sizeof(name));
    cr_assert_eq(name_case(name, 1), 1);
    cr_assert_eq(name_case(name, ATTR_NAME_MAX - 1), 1);
    cr_assert_eq(name_case(name, ATTR_NAME_MAX), 1);
    cr_assert_eq(name_case(name, ATTR_NAME_MAX + 1), -1);
    cr_assert_eq(name_case(name, 255), -1);
    cr_assert_eq(name_case(name, 0), -1);
}

Test(attr_limits, name_characters)
{
    cr_assert_eq(name_case("ok_1", 4), 1);
    cr_assert_eq(name_case("Ok", 2), -1);
    cr_assert_eq(name_case("a-b", 3), -1);
    cr_assert_eq(name_case("a b", 3), -1);
    cr_assert_eq(name_case("a\0", 2), -1);
    cr_assert_eq(name_case("a\n", 2), -1);
    cr_assert_eq(name_case("\xc3\xa9", 2), -1);
}

/* value_case - one string (or data) of len bytes, with value_max 10 */

static int
value_case(int type, size_t len)
{
    struct attr_limits lim = {10, 100, 10};
    struct vstr *raw = vstr_alloc(100);
    struct vstr *val = vstr_alloc(1);
    struct attr_list *list = attr_list_alloc();
    struct vstream *in;
    int     ret, ret2;
    char    buf[64];

    memset(buf, 'v', sizeof(buf));
    raw_bytes(raw, type, "v", buf, len);
    vstr_addch(raw, 0);
    ret = scan_list_raw(raw, &lim, list);
    in = memscan(raw);
    ret2 = (type == ATTR_TYPE_STR ?
	    attr_scan_lim(in, 0, &lim, RECV_ATTR_STR("v", val), ATTR_TYPE_END) :
	    attr_scan_lim(in, 0, &lim, RECV_ATTR_DATA("v", val), ATTR_TYPE_END));
    vstream_free(in);
    cr_assert_eq(ret, ret2, "list and typed scan disagree at %zu", len);
    if (ret == 1)
	cr_assert_eq(vstr_len(val), len);
    attr_list_free(list);
    vstr_free(raw);
    vstr_free(val);
    return (ret);
}

Test(attr_limits, value_length)
{
    cr_assert_eq(value_case(ATTR_TYPE_STR, 0), 1);
    cr_assert_eq(value_case(ATTR_TYPE_STR, 9), 1);
    cr_assert_eq(value_case(ATTR_TYPE_STR, 10), 1);
    cr_assert_eq(value_case(ATTR_TYPE_STR, 11), -1);
    cr_assert_eq(value_case(ATTR_TYPE_DATA, 10), 1);
    cr_assert_eq(value_case(ATTR_TYPE_DATA, 11), -1);
}

/* count_case - n int records, count_max 3 */

static int
count_case(int n, int flags)
{
    struct attr_limits lim = {10, 100, 3};
    struct vstr *raw = vstr_alloc(100);
    struct attr_list *list = attr_list_alloc();
    struct vstream *in;
    char    name[2] = "a";
    int     i, ret, ret2, a;

    for (i = 0; i < n; i++) {
	name[0] = (char) ('a' + i);
	raw_head(raw, ATTR_TYPE_INT, name, 1);
	raw_be(raw, (uint64_t) i, 4);
    }
    vstr_addch(raw, 0);
    ret = scan_list_raw(raw, &lim, list);
    in = memscan(raw);
    ret2 = attr_scan_lim(in, flags, &lim, RECV_ATTR_INT("a", &a), ATTR_TYPE_END);
    vstream_free(in);
    cr_assert_eq(ret2 < 0, ret < 0, "typed scan and list scan disagree at %d", n);
    attr_list_free(list);
    vstr_free(raw);
    return (ret);
}

Test(attr_limits, record_count)
{
    cr_assert_eq(count_case(2, ATTR_FLAG_ALLOW_EXTRA), 2);
    cr_assert_eq(count_case(3, ATTR_FLAG_ALLOW_EXTRA), 3);
    cr_assert_eq(count_case(4, ATTR_FLAG_ALLOW_EXTRA), -1);
}

Test(attr_limits, default_count_limit)
{
    struct vstr *raw = vstr_alloc(10000);
    struct attr_list *list = attr_list_alloc();
    int     i;

    for (i = 0; i < ATTR_DEF_COUNT_MAX; i++) {
	raw_head(raw, ATTR_TYPE_INT, "x", 1);
	raw_be(raw, 1, 4);
    }
    vstr_addch(raw, 0);
    cr_assert_eq(scan_list_raw(raw, 0, list), ATTR_DEF_COUNT_MAX);
    vstr_truncate(raw, vstr_len(raw) - 1);
    raw_head(raw, ATTR_TYPE_INT, "x", 1);
    raw_be(raw, 1, 4);
    vstr_addch(raw, 0);
    cr_assert_eq(scan_list_raw(raw, 0, list), -1);
    attr_list_free(list);
    vstr_free(raw);
}

Test(attr_limits, total_size)
{
    struct attr_limits lim = {10, 10, 10};
    struct vstr *raw = vstr_alloc(100);
    struct attr_list *list = attr_list_alloc();

    raw_bytes(raw, ATTR_TYPE_STR, "a", "12345", 5);
    raw_bytes(raw, ATTR_TYPE_DATA, "b", "12345", 5);
    vstr_addch(raw, 0);
    cr_assert_eq(scan_list_raw(raw, &lim, list), 2);
    vstr_reset(raw);
    raw_bytes(raw, ATTR_TYPE_STR, "a", "12345", 5);
    raw_bytes(raw, ATTR_TYPE_DATA, "b", "123456", 6);
    vstr_addch(raw, 0);
    cr_assert_eq(scan_list_raw(raw, &lim, list), -1);
    attr_list_free(list);
    vstr_free(raw);
}

Test(attr_limits, unknown_type_byte)
{
    static const int types[] = {5, 6, 127, 128, 255};
    struct vstr *raw = vstr_alloc(100);
    struct attr_list *list = attr_list_alloc();
    size_t  i;

    for (i = 0; i < ARRAY_LEN(types); i++) {
	vstr_reset(raw);
	raw_head(raw, types[i], "a", 1);
	raw_be(raw, 0, 8);
	vstr_addch(raw, 0);
	cr_assert_eq(scan_list_raw(raw, 0, list), -1, "type %d", types[i]);
    }
    attr_list_free(list);
    vstr_free(raw);
}

/* huge_case - claim len bytes, send none, keep the writer open */

static void
huge_case(uint64_t len, const struct attr_limits *lim)
{
    struct vstr *raw = vstr_alloc(100);
    struct vstr *val = vstr_alloc(1);
    struct vstream *in;
    long long start;
    int     fds[2];

    cr_assert_eq(unix_pair(fds), 0);
    raw_head(raw, ATTR_TYPE_DATA, "d", 1);
    raw_be(raw, len, 4);
    cr_assert_eq(write(fds[1], vstr_str(raw), vstr_len(raw)), (ssize_t) vstr_len(raw));
    in = vstream_fdopen(fds[0], VSTREAM_READ);
    vstream_set_timeout(in, 5);
    start = mono_ms();
    cr_assert_eq(attr_scan_lim(in, 0, lim, RECV_ATTR_DATA("d", val), ATTR_TYPE_END), -1);
    cr_assert_lt(mono_ms() - start, 1000, "the reader waited for the value");
    cr_assert_lt(val->cap, 1024, "the reader allocated for the claim");
    vstream_close(in);
    close(fds[1]);
    vstr_free(raw);
    vstr_free(val);
}

Test(attr_limits, huge_length_refused_before_reading)
{
    struct attr_limits wide = {(size_t) -1, (size_t) -1, 10};

    huge_case(0xffffffffULL, 0);
    huge_case(ATTR_DEF_VALUE_MAX + 1ULL, 0);
    huge_case(0xffffffffULL, &wide);
    huge_case(ATTR_WIRE_VALUE_MAX + 1ULL, &wide);
}

/* sample - a valid list using every type */

static void
sample(struct vstr *raw)
{
    struct vstream *out = vstream_vstropen(raw);

    attr_print(out, 0, SEND_ATTR_STR("request", "deliver"),
	       SEND_ATTR_INT("n", -5), SEND_ATTR_LONG("off", 1L << 40),
	       SEND_ATTR_DATA("d", 3, "a\0b"), SEND_ATTR_STR("e", ""),
	       ATTR_TYPE_END);
    cr_assert_eq(vstream_close(out), 0);
}

/* strict_scan - scan the sample's attributes strictly */

static int
strict_scan(struct vstream *in, const struct attr_limits *lim)
{
    struct vstr *req = vstr_alloc(1), *d = vstr_alloc(1), *e = vstr_alloc(1);
    int     n;
    long    off;
    int     ret;

    ret = attr_scan_lim(in, 0, lim, RECV_ATTR_STR("request", req),
			RECV_ATTR_INT("n", &n), RECV_ATTR_LONG("off", &off),
			RECV_ATTR_DATA("d", d), RECV_ATTR_STR("e", e),
			ATTR_TYPE_END);
    if (ret >= 0 && lim) {
	cr_assert_leq(vstr_len(req), lim->value_max);
	cr_assert_leq(vstr_len(d), lim->value_max);
	cr_assert_null(memchr(vstr_str(req), 0, vstr_len(req)));
    }
    vstr_free(req);
    vstr_free(d);
    vstr_free(e);
    return (ret);
}

Test(attr_limits, cut_at_every_byte_in_memory)
{
    struct vstr *raw = vstr_alloc(100);
    struct attr_list *list = attr_list_alloc();
    struct vstream *in;
    size_t  n;

    sample(raw);
    in = memscan(raw);
    cr_assert_eq(strict_scan(in, 0), 5);
    vstream_free(in);
    for (n = 0; n < vstr_len(raw); n++) {
	in = vstream_memopen(vstr_str(raw), n);
	cr_assert_eq(attr_scan_list(in, 0, 0, list), -1, "cut at %zu", n);
	vstream_free(in);
	in = vstream_memopen(vstr_str(raw), n);
	cr_assert_eq(strict_scan(in, 0), -1, "cut at %zu", n);
	vstream_free(in);
    }
    attr_list_free(list);
    vstr_free(raw);
}

Test(attr_limits, cut_at_every_byte_on_a_socket)
{
    struct vstr *raw = vstr_alloc(100);
    struct vstream *in;
    long long start;
    size_t  n;
    int     fds[2];

    sample(raw);
    start = mono_ms();
    for (n = 0; n < vstr_len(raw); n++) {
	cr_assert_eq(unix_pair(fds), 0);
	cr_assert_eq(write(fds[1], vstr_str(raw), n), (ssize_t) n);
	close(fds[1]);
	in = vstream_fdopen(fds[0], VSTREAM_READ);
	vstream_set_timeout(in, 2);
	cr_assert_eq(strict_scan(in, 0), -1, "cut at %zu", n);
	vstream_close(in);
    }
    cr_assert_lt(mono_ms() - start, 2000, "a cut stream made the reader wait");
    vstr_free(raw);
}

Test(attr_limits, every_single_byte_corruption)
{
    struct attr_limits lim = {16, 40, 8};
    struct vstr *raw = vstr_alloc(100);
    struct vstr *bad = vstr_alloc(100);
    struct attr_list *list = attr_list_alloc();
    struct vstream *in;
    size_t  pos;
    int     val, i, ret;

    sample(raw);
    for (pos = 0; pos < vstr_len(raw); pos++) {
	for (val = 0; val < 256; val++) {
	    if (val == (unsigned char) vstr_str(raw)[pos])
		continue;
	    vstr_memcpy(bad, vstr_str(raw), vstr_len(raw));
	    vstr_str(bad)[pos] = (char) val;
	    in = memscan(bad);
	    ret = attr_scan_list(in, 0, &lim, list);
	    vstream_free(in);
	    if (ret >= 0) {
		cr_assert_leq(ret, lim.count_max);
		for (i = 0; i < list->count; i++)
		    if (list->items[i].buf)
			cr_assert_leq(vstr_len(list->items[i].buf), lim.value_max);
	    }
	    in = memscan(bad);
	    (void) strict_scan(in, &lim);
	    vstream_free(in);
	}
    }
    attr_list_free(list);
    vstr_free(raw);
    vstr_free(bad);
}

Test(attr_limits, stalled_peer_times_out)
{
    struct vstr *raw = vstr_alloc(100);
    struct vstream *in;
    long long start, took;
    int     fds[2];

    sample(raw);
    cr_assert_eq(unix_pair(fds), 0);
    cr_assert_eq(write(fds[1], vstr_str(raw), vstr_len(raw) / 2),
		 (ssize_t) vstr_len(raw) / 2);
    in = vstream_fdopen(fds[0], VSTREAM_READ);
    vstream_set_timeout(in, 1);
    start = mono_ms();
    cr_assert_eq(strict_scan(in, 0), -1);
    took = mono_ms() - start;
    cr_assert_geq(took, 900);
    cr_assert_lt(took, 2500, "took %lld ms", took);
    vstream_close(in);
    close(fds[1]);
    vstr_free(raw);
}
