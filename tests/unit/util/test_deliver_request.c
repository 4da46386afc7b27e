/*
 * test_deliver_request.c - util/deliver_request.c, the delivery agents'
 * side of util/deliver_proto.h: a good request read back, the checks on
 * a hostile one (queue name and ID, recipient count, empty recipient,
 * cut stream), the reply with and without the optional attribute of
 * the final list, and the delay format of the log line.
 */
#include <limits.h>

#include <criterion/criterion.h>
#include <string.h>

#include "attr.h"
#include "deliver_proto.h"
#include "deliver_request.h"
#include "mail_proto.h"
#include "vstream.h"
#include "vstr.h"

#define GOOD_ID	"4Xb2mQ0000AbCd"

static long put_time = 1000L;		/* MAIL_ATTR_TIME of put_request */
static long put_size = 123L;		/* MAIL_ATTR_SIZE of put_request */

/* put_request - a request header and nrcpt recipient lists, as qmgr */

static void
put_request(struct vstr *wire, const char *queue, const char *id,
	            int nrcpt, int sent, const char *rcpt)
{
    struct vstream *out = vstream_vstropen(wire);
    int     n;

    cr_assert(attr_print(out, ATTR_FLAG_NONE,
			 SEND_ATTR_INT(MAIL_ATTR_FLAGS, 0),
			 SEND_ATTR_STR(MAIL_ATTR_QUEUE, queue),
			 SEND_ATTR_STR(MAIL_ATTR_QUEUEID, id),
			 SEND_ATTR_LONG(MAIL_ATTR_TIME, put_time),
			 SEND_ATTR_LONG(DEL_ATTR_ARRIVAL_USEC, 2000000L),
			 SEND_ATTR_LONG(DEL_ATTR_ACTIVE_TIME, 1000500L),
			 SEND_ATTR_LONG(DEL_ATTR_REQUEST_TIME, 1000700L),
			 SEND_ATTR_STR(MAIL_ATTR_SENDER, "s@example.org"),
			 SEND_ATTR_STR(MAIL_ATTR_NEXTHOP, "example.com"),
			 SEND_ATTR_STR(MAIL_ATTR_DSN_ENVID, ""),
			 SEND_ATTR_INT(MAIL_ATTR_DSN_RET, 0),
			 SEND_ATTR_LONG(MAIL_ATTR_SIZE, put_size),
			 SEND_ATTR_INT(MAIL_ATTR_NRCPT, nrcpt),
			 ATTR_TYPE_END) == 0);
    for (n = 0; n < sent; n++)
	cr_assert(attr_print(out, ATTR_FLAG_NONE,
			     SEND_ATTR_STR(MAIL_ATTR_RECIP, rcpt),
			     SEND_ATTR_STR(MAIL_ATTR_ORCPT, "rfc822;o@x"),
			     SEND_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, 3),
			     SEND_ATTR_LONG(MAIL_ATTR_OFFSET, 100L + n),
			     ATTR_TYPE_END) == 0);
    cr_assert(vstream_flush(out) == 0);
    vstream_free(out);
}

/* read_request - deliver_request_read() over the bytes; its result */

static int
read_request(struct vstr *wire, struct deliver_request *req)
{
    struct vstream *in = vstream_memopen(vstr_str(wire), vstr_len(wire));
    int     ret = deliver_request_read(in, req, "test");

    vstream_free(in);
    return (ret);
}

/* try_request - read one request, free it, say whether it was good */

static int
try_request(const char *queue, const char *id, int nrcpt, int sent,
	            const char *rcpt)
{
    struct vstr *wire = vstr_alloc(200);
    struct deliver_request req;
    int     ret;

    put_request(wire, queue, id, nrcpt, sent, rcpt);
    ret = read_request(wire, &req);
    deliver_request_free(&req);
    vstr_free(wire);
    return (ret);
}

Test(deliver_request, good_request)
{
    struct vstr *wire = vstr_alloc(200);
    struct deliver_request req;

    put_request(wire, "active", GOOD_ID, 2, 2, "r@example.com");
    cr_assert_eq(read_request(wire, &req), 0);
    cr_assert_str_eq(vstr_str(req.queue_id), GOOD_ID);
    cr_assert_str_eq(vstr_str(req.sender), "s@example.org");
    cr_assert_str_eq(vstr_str(req.relay), "test");
    cr_assert_eq(req.arrival_usec, 0, "out of range: 0");
    cr_assert_eq(req.size, 123);
    cr_assert_eq(req.nrcpt, 2);
    cr_assert_eq(req.rcpt[1].offset, 101);
    cr_assert_eq(req.rcpt[1].notify, 3);
    cr_assert_eq(req.rcpt[0].status, MAIL_STAT_DEFER);
    cr_assert_eq(req.rcpt[0].final, 0);
    cr_assert_str_eq(vstr_str(req.rcpt[0].dsn), "4.3.0");
    cr_assert_str_eq(vstr_str(req.rcpt[0].why), "delivery agent failed");
    deliver_request_free(&req);
    vstr_free(wire);
}

Test(deliver_request, hostile_requests)
{
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, "r@x"), 0);
    cr_assert_eq(try_request("../active", GOOD_ID, 1, 1, "r@x"), -1);
    cr_assert_eq(try_request("active", "../../etc/x", 1, 1, "r@x"), -1);
    cr_assert_eq(try_request("active", GOOD_ID, 0, 0, "r@x"), -1);
    cr_assert_eq(try_request("active", GOOD_ID, -1, 0, "r@x"), -1);
    cr_assert_eq(try_request("active", GOOD_ID, DEL_REQ_RCPT_MAX + 1, 1,
			     "r@x"), -1);
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, ""), -1);
    cr_assert_eq(try_request("active", GOOD_ID, 3, 2, "r@x"), -1, "cut");
}

Test(deliver_request, times_and_size_out_of_range)
{
    /* Would overflow the delay arithmetic, or send SIZE=-1 on. */
    put_time = LONG_MAX / 10;
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, "r@x"), -1);
    put_time = -1;
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, "r@x"), -1);
    put_time = 1000L;
    put_size = -1;
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, "r@x"), -1);
    put_size = 123L;
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, "r@x"), 0);
}

Test(deliver_request, long_value)
{
    char    addr[5000];

    memset(addr, 'a', sizeof(addr) - 1);
    addr[sizeof(addr) - 1] = 0;
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, addr), -1);
    addr[4000] = 0;
    cr_assert_eq(try_request("active", GOOD_ID, 1, 1, addr), 0);
}

/* check_reply - the reply to a 2-recipient request, read back */

static void
check_reply(const char *extra, int value)
{
    struct vstr *wire = vstr_alloc(200);
    struct vstr *reply = vstr_alloc(200);
    struct vstr *dsn = vstr_alloc(10), *relay = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct deliver_request req;
    struct vstream *out, *in;
    long    offset;
    int     status, got = -1, n;

    put_request(wire, "active", GOOD_ID, 2, 2, "r@x");
    cr_assert_eq(read_request(wire, &req), 0);
    deliver_rcpt_result(req.rcpt + 1, MAIL_STAT_OK, "2.0.0", "done");
    cr_assert_eq(req.rcpt[1].final, 1);
    out = vstream_vstropen(reply);
    cr_assert_eq(deliver_request_reply(out, &req, extra, value), 0);
    vstream_free(out);
    in = vstream_memopen(vstr_str(reply), vstr_len(reply));
    for (n = 0; n < 2; n++) {
	cr_assert_eq(attr_scan(in, ATTR_FLAG_STRICT,
			       RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &offset),
			       RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
			       RECV_ATTR_STR(MAIL_ATTR_DSN_STATUS, dsn),
			       RECV_ATTR_STR(MAIL_ATTR_RELAY, relay),
			       RECV_ATTR_STR(MAIL_ATTR_WHY, why),
			       ATTR_TYPE_END), 5);
	cr_assert_eq(offset, 100 + n);
	cr_assert_str_eq(vstr_str(relay), "test");
    }
    cr_assert_eq(status, MAIL_STAT_OK);
    cr_assert_str_eq(vstr_str(why), "done");
    if (extra) {
	cr_assert_eq(attr_scan(in, ATTR_FLAG_STRICT,
			       RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
			       RECV_ATTR_INT(extra, &got),
			       ATTR_TYPE_END), 2);
	cr_assert_eq(got, value);
    } else {
	cr_assert_eq(attr_scan(in, ATTR_FLAG_STRICT,
			       RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
			       ATTR_TYPE_END), 1);
    }
    cr_assert_eq(status, MAIL_STAT_OK);
    cr_assert_eq(vstream_getc(in), VSTREAM_EOF, "nothing after the final list");
    vstream_free(in);
    deliver_request_free(&req);
    vstr_free(wire);
    vstr_free(reply);
    vstr_free(dsn);
    vstr_free(relay);
    vstr_free(why);
}

Test(deliver_request, reply_plain)
{
    check_reply((char *) 0, 0);
}

Test(deliver_request, reply_extra)
{
    check_reply("extra_flag", 1);
}

Test(deliver_request, delay_format)
{
    struct deliver_request req;
    struct vstr *out = vstr_alloc(10);

    memset(&req, 0, sizeof(req));
    req.arrival = 1000;
    req.arrival_usec = 500000;
    req.active_ms = 1000 * 1000 + 530;
    req.request_ms = req.active_ms + 1200;
    deliver_format_delays(out, &req, req.request_ms + 10000);
    cr_assert_str_eq(vstr_str(out), "delay=11.23, delays=0.03/1.2/0/10");
    vstr_strcpy(out, "");
    req.setup_ms = 2500;
    deliver_format_delays(out, &req, req.request_ms + 10000);
    cr_assert_str_eq(vstr_str(out), "delay=11.23, delays=0.03/1.2/2.5/7.5");
    vstr_free(out);
}
