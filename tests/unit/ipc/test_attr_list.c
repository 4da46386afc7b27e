/*
 * test_attr_list.c - reading a request of unknown content with
 * attr_scan_list(), dispatching on its "request" attribute through a
 * handler table, strict attr_list_scan() in the handler, and
 * attr_print_list() writing the same bytes as attr_print().
 */
#include <criterion/criterion.h>
#include <signal.h>

#include "ipc/attr_test.h"
#include "mail_proto.h"

static struct vstr *got_rcpt;
static long got_offset;

/* handle_deliver - a handler that expects exactly its attributes */

static int
handle_deliver(const struct attr_list *req)
{
    return (attr_list_scan(req, ATTR_FLAG_STRICT,
			   RECV_ATTR_STR(MAIL_ATTR_REQ, got_rcpt),
			   RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &got_offset),
			   RECV_ATTR_STR(MAIL_ATTR_RECIP, got_rcpt),
			   ATTR_TYPE_END) == 3 ? 0 : -1);
}

static const struct handler {
    const char *name;
    int     (*fn) (const struct attr_list *);
} handlers[] = {
    {MAIL_REQ_DELIVER, handle_deliver},
};

/* dispatch - pick a handler by the request attribute */

static int
dispatch(struct vstr *raw)
{
    struct attr_list *list = attr_list_alloc();
    struct vstream *in = memscan(raw);
    const char *req;
    size_t  i;
    int     ret = -2;

    if (attr_scan_list(in, 0, 0, list) < 0)
	ret = -3;
    else if ((req = attr_list_str(list, MAIL_ATTR_REQ)) != 0)
	for (i = 0; i < ARRAY_LEN(handlers); i++)
	    if (strcmp(req, handlers[i].name) == 0)
		ret = handlers[i].fn(list);
    vstream_free(in);
    attr_list_free(list);
    return (ret);
}

Test(attr_list, dispatch_by_request)
{
    struct vstr *raw = vstr_alloc(100);
    struct vstream *out = vstream_vstropen(raw);

    got_rcpt = vstr_alloc(1);
    attr_print(out, 0, SEND_ATTR_LONG(MAIL_ATTR_OFFSET, 99L),
	       SEND_ATTR_STR(MAIL_ATTR_REQ, MAIL_REQ_DELIVER),
	       SEND_ATTR_STR(MAIL_ATTR_RECIP, "rcpt@example.org"), ATTR_TYPE_END);
    vstream_flush(out);
    cr_assert_eq(dispatch(raw), 0);
    cr_assert_eq(got_offset, 99L);
    cr_assert_str_eq(vstr_str(got_rcpt), "rcpt@example.org");

    vstr_reset(raw);				/* handler sees an extra */
    attr_print(out, 0, SEND_ATTR_LONG(MAIL_ATTR_OFFSET, 99L),
	       SEND_ATTR_STR(MAIL_ATTR_REQ, MAIL_REQ_DELIVER),
	       SEND_ATTR_STR(MAIL_ATTR_SENDER, "x"),
	       SEND_ATTR_STR(MAIL_ATTR_RECIP, "rcpt@example.org"), ATTR_TYPE_END);
    vstream_flush(out);
    cr_assert_eq(dispatch(raw), -1);

    vstr_reset(raw);				/* duplicate recipient */
    attr_print(out, 0, SEND_ATTR_LONG(MAIL_ATTR_OFFSET, 99L),
	       SEND_ATTR_STR(MAIL_ATTR_REQ, MAIL_REQ_DELIVER),
	       SEND_ATTR_STR(MAIL_ATTR_RECIP, "a"),
	       SEND_ATTR_STR(MAIL_ATTR_RECIP, "b"), ATTR_TYPE_END);
    vstream_flush(out);
    cr_assert_eq(dispatch(raw), -1);

    vstr_reset(raw);				/* request is not a string */
    attr_print(out, 0, SEND_ATTR_INT(MAIL_ATTR_REQ, 1), ATTR_TYPE_END);
    vstream_flush(out);
    cr_assert_eq(dispatch(raw), -2);

    vstr_reset(raw);				/* unknown request */
    attr_print(out, 0, SEND_ATTR_STR(MAIL_ATTR_REQ, "nope"), ATTR_TYPE_END);
    vstream_flush(out);
    cr_assert_eq(dispatch(raw), -2);
    vstream_free(out);
    vstr_free(raw);
    vstr_free(got_rcpt);
}

Test(attr_list, list_scan_flags)
{
    struct attr_list *list = attr_list_alloc();
    int     a = 0, b = 0;
    long    c = 0;

    attr_list_add_int(list, "a", 1);
    attr_list_add_long(list, "c", 3L);
    cr_assert_eq(attr_list_scan(list, 0, RECV_ATTR_INT("a", &a), ATTR_TYPE_END), -1);
    cr_assert_eq(attr_list_scan(list, ATTR_FLAG_ALLOW_EXTRA,
				RECV_ATTR_INT("a", &a), ATTR_TYPE_END), 1);
    cr_assert_eq(attr_list_scan(list, 0, RECV_ATTR_INT("a", &a),
				RECV_ATTR_INT("b", &b), RECV_ATTR_LONG("c", &c),
				ATTR_TYPE_END), -1);
    cr_assert_eq(attr_list_scan(list, ATTR_FLAG_ALLOW_MISSING, RECV_ATTR_INT("a", &a),
				RECV_ATTR_INT("b", &b), RECV_ATTR_LONG("c", &c),
				ATTR_TYPE_END), 2);
    cr_assert(a == 1 && b == 0 && c == 3);
    cr_assert_eq(attr_list_scan(list, 0, RECV_ATTR_INT("a", &a),
				RECV_ATTR_INT("c", &b), ATTR_TYPE_END), -1, "mistyped");
    cr_assert_null(attr_list_find(list, "b"));
    cr_assert_null(attr_list_str(list, "a"), "a is not a string");
    attr_list_free(list);
}

Test(attr_list, print_list_matches_print)
{
    static const char bin[] = {0, 1, 2, 0};
    struct attr_list *list = attr_list_alloc();
    struct vstr *w1 = vstr_alloc(10), *w2 = vstr_alloc(10);
    struct vstream *o1 = vstream_vstropen(w1), *o2 = vstream_vstropen(w2);
    struct vstream *in;

    attr_list_add_int(list, "i", -7);
    attr_list_add_long(list, "l", -(1L << 50));
    attr_list_add_str(list, "s", "text");
    attr_list_add_data(list, "d", bin, sizeof(bin));
    cr_assert_eq(attr_print_list(o1, 0, list), 0);
    cr_assert_eq(attr_print(o2, 0, SEND_ATTR_INT("i", -7),
			    SEND_ATTR_LONG("l", -(1L << 50)),
			    SEND_ATTR_STR("s", "text"),
			    SEND_ATTR_DATA("d", sizeof(bin), bin), ATTR_TYPE_END), 0);
    vstream_close(o1);
    vstream_close(o2);
    cr_assert_eq(vstr_len(w1), vstr_len(w2));
    cr_assert(memcmp(vstr_str(w1), vstr_str(w2), vstr_len(w1)) == 0);
    in = memscan(w1);
    cr_assert_eq(attr_scan_list(in, 0, 0, list), 4, "read back replaces the list");
    cr_assert_eq(list->items[0].num, -7);
    cr_assert_eq(list->items[1].num, -(1L << 50));
    cr_assert_str_eq(attr_list_str(list, "s"), "text");
    cr_assert_eq(vstr_len(attr_list_find(list, "d")->buf), sizeof(bin));
    vstream_free(in);
    attr_list_free(list);
    vstr_free(w1);
    vstr_free(w2);
}

Test(attr_list, add_bad_name_panics, .signal = SIGABRT)
{
    struct attr_list *list = attr_list_alloc();

    attr_list_add_int(list, "no way", 1);
}
