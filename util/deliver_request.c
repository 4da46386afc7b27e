/*
 * deliver_request.c - the delivery request from qmgr and the agent's
 * reply, exactly as util/deliver_proto.h describes them, plus the one
 * log line per recipient in the SPEC section 9 format. Shared by the
 * delivery agents (local, smtp); deliver_request.h has the interface.
 *
 * Everything qmgr sends is checked: the queue name and ID before they
 * become a path, the recipient count against DEL_REQ_RCPT_MAX, every
 * string against the attribute limits below.
 */
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "attr.h"
#include "deliver_proto.h"
#include "deliver_request.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mymalloc.h"
#include "msg.h"

static const struct attr_limits deliver_request_limits = {
    4096,				/* one value: addresses, names */
    64 * 1024,				/* one list */
    32,					/* records in one list */
};

/* deliver_request_init - empty request */

static void
deliver_request_init(struct deliver_request *req, const char *relay)
{
    memset(req, 0, sizeof(*req));
    req->queue_name = vstr_alloc(20);
    req->queue_id = vstr_alloc(20);
    req->sender = vstr_alloc(100);
    req->nexthop = vstr_alloc(100);
    req->envid = vstr_alloc(10);
    req->relay = vstr_alloc(50);
    vstr_strcpy(req->relay, relay);
}

/* deliver_request_rcpts - the recipient lists */

static int
deliver_request_rcpts(struct vstream *fp, struct deliver_request *req)
{
    struct deliver_rcpt *rp;
    int     n;

    req->rcpt = mycalloc(req->nrcpt, sizeof(*req->rcpt));
    for (n = 0; n < req->nrcpt; n++) {
	rp = req->rcpt + n;
	rp->address = vstr_alloc(100);
	rp->orcpt = vstr_alloc(10);
	rp->dsn = vstr_alloc(10);
	rp->why = vstr_alloc(100);
	rp->status = MAIL_STAT_DEFER;
	vstr_strcpy(rp->dsn, "4.3.0");
	vstr_strcpy(rp->why, "delivery agent failed");
    }
    for (n = 0; n < req->nrcpt; n++) {
	rp = req->rcpt + n;
	if (attr_scan_lim(fp, ATTR_FLAG_STRICT, &deliver_request_limits,
			  RECV_ATTR_STR(MAIL_ATTR_RECIP, rp->address),
			  RECV_ATTR_STR(MAIL_ATTR_ORCPT, rp->orcpt),
			  RECV_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, &rp->notify),
			  RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &rp->offset),
			  ATTR_TYPE_END) != 4)
	    return (-1);
	if (vstr_len(rp->address) == 0) {
	    msg_warn("delivery request: empty recipient");
	    return (-1);
	}
    }
    return (0);
}

#define DELIVER_TIME_MAX	(1L << 40)	/* seconds: far beyond 2038 */

/* deliver_request_read - read and check one request; 0 or -1 */

int
deliver_request_read(struct vstream *fp, struct deliver_request *req,
		             const char *relay)
{
    deliver_request_init(req, relay);
    if (attr_scan_lim(fp, ATTR_FLAG_STRICT, &deliver_request_limits,
		      RECV_ATTR_INT(MAIL_ATTR_FLAGS, &req->flags),
		      RECV_ATTR_STR(MAIL_ATTR_QUEUE, req->queue_name),
		      RECV_ATTR_STR(MAIL_ATTR_QUEUEID, req->queue_id),
		      RECV_ATTR_LONG(MAIL_ATTR_TIME, &req->arrival),
		      RECV_ATTR_LONG(DEL_ATTR_ARRIVAL_USEC, &req->arrival_usec),
		      RECV_ATTR_LONG(DEL_ATTR_ACTIVE_TIME, &req->active_ms),
		      RECV_ATTR_LONG(DEL_ATTR_REQUEST_TIME, &req->request_ms),
		      RECV_ATTR_STR(MAIL_ATTR_SENDER, req->sender),
		      RECV_ATTR_STR(MAIL_ATTR_NEXTHOP, req->nexthop),
		      RECV_ATTR_STR(MAIL_ATTR_DSN_ENVID, req->envid),
		      RECV_ATTR_INT(MAIL_ATTR_DSN_RET, &req->dsn_ret),
		      RECV_ATTR_LONG(MAIL_ATTR_SIZE, &req->size),
		      RECV_ATTR_INT(MAIL_ATTR_NRCPT, &req->nrcpt),
		      ATTR_TYPE_END) != 13)
	return (-1);
    if (!mail_queue_name_ok(vstr_str(req->queue_name))
	|| !mail_queue_id_ok(vstr_str(req->queue_id))) {
	msg_warn("delivery request: bad queue name or queue ID");
	return (-1);
    }
    if (req->nrcpt < 1 || req->nrcpt > DEL_REQ_RCPT_MAX) {
	msg_warn("delivery request: bad recipient count %d", req->nrcpt);
	req->nrcpt = 0;
	return (-1);
    }
    if (req->arrival_usec < 0 || req->arrival_usec > 999999)
	req->arrival_usec = 0;

    /*
     * Times and the size are used in arithmetic (delays, SIZE=): keep
     * them in a range where that cannot overflow.
     */
    if (req->arrival < 0 || req->arrival > DELIVER_TIME_MAX
	|| req->active_ms < 0 || req->active_ms > DELIVER_TIME_MAX * 1000
	|| req->request_ms < 0 || req->request_ms > DELIVER_TIME_MAX * 1000
	|| req->size < 0) {
	msg_warn("delivery request: time or size out of range");
	return (-1);
    }
    return (deliver_request_rcpts(fp, req));
}

/* deliver_request_free - release a request */

void
deliver_request_free(struct deliver_request *req)
{
    int     n;

    for (n = 0; req->rcpt && n < req->nrcpt; n++) {
	vstr_free(req->rcpt[n].address);
	vstr_free(req->rcpt[n].orcpt);
	vstr_free(req->rcpt[n].dsn);
	vstr_free(req->rcpt[n].why);
    }
    if (req->rcpt)
	myfree(req->rcpt);
    vstr_free(req->queue_name);
    vstr_free(req->queue_id);
    vstr_free(req->sender);
    vstr_free(req->nexthop);
    vstr_free(req->envid);
    vstr_free(req->relay);
    memset(req, 0, sizeof(*req));
}

/* deliver_rcpt_result - set one recipient's final result */

void
deliver_rcpt_result(struct deliver_rcpt *rp, int status, const char *dsn,
		            const char *why)
{
    rp->status = status;
    rp->final = 1;
    vstr_strcpy(rp->dsn, dsn);
    vstr_strcpy(rp->why, why);
}

/* deliver_request_reply - one result per recipient, then the final status */

int
deliver_request_reply(struct vstream *fp, const struct deliver_request *req,
		              const char *extra_name, int extra_value)
{
    const struct deliver_rcpt *rp;
    int     n;
    int     ret;

    for (n = 0; n < req->nrcpt; n++) {
	rp = req->rcpt + n;
	if (attr_print(fp, ATTR_FLAG_NONE,
		       SEND_ATTR_LONG(MAIL_ATTR_OFFSET, rp->offset),
		       SEND_ATTR_INT(MAIL_ATTR_STATUS, rp->status),
		       SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, vstr_str(rp->dsn)),
		       SEND_ATTR_STR(MAIL_ATTR_RELAY, vstr_str(req->relay)),
		       SEND_ATTR_STR(MAIL_ATTR_WHY, vstr_str(rp->why)),
		       ATTR_TYPE_END) < 0)
	    return (-1);
    }
    if (extra_name)
	ret = attr_print(fp, ATTR_FLAG_NONE,
			 SEND_ATTR_INT(MAIL_ATTR_STATUS, MAIL_STAT_OK),
			 SEND_ATTR_INT(extra_name, extra_value),
			 ATTR_TYPE_END);
    else
	ret = attr_print(fp, ATTR_FLAG_NONE,
			 SEND_ATTR_INT(MAIL_ATTR_STATUS, MAIL_STAT_OK),
			 ATTR_TYPE_END);
    if (ret < 0)
	return (-1);
    return (vstream_flush(fp) < 0 ? -1 : 0);
}

/* deliver_format_secs - seconds with up to two decimals, Postfix style */

static void
deliver_format_secs(struct vstr *out, long long ms)
{
    long long cs = (ms < 0 ? 0 : ms + 5) / 10;	/* hundredths */

    if (cs % 100 == 0)
	vstr_sprintf_append(out, "%lld", cs / 100);
    else if (cs % 10 == 0)
	vstr_sprintf_append(out, "%lld.%lld", cs / 100, (cs % 100) / 10);
    else
	vstr_sprintf_append(out, "%lld.%02lld", cs / 100, cs % 100);
}

/* deliver_format_delays - "delay=D, delays=a/b/c/d" */

void
deliver_format_delays(struct vstr *out, const struct deliver_request *req,
		              long long now_ms)
{
    long long arrival_ms = (long long) req->arrival * 1000
    + req->arrival_usec / 1000;
    long long a = req->active_ms - arrival_ms;
    long long b = req->request_ms - req->active_ms;
    long long c = req->setup_ms;
    long long d = now_ms - req->request_ms - c;

    a = (a < 0 ? 0 : a);
    b = (b < 0 ? 0 : b);
    c = (c < 0 ? 0 : c);
    d = (d < 0 ? 0 : d);
    vstr_strcat(out, "delay=");
    deliver_format_secs(out, a + b + c + d);
    vstr_strcat(out, ", delays=");
    deliver_format_secs(out, a);
    vstr_addch(out, '/');
    deliver_format_secs(out, b);
    vstr_addch(out, '/');
    deliver_format_secs(out, c);
    vstr_addch(out, '/');
    deliver_format_secs(out, d);
}

/* deliver_request_log - one log line per recipient */

void
deliver_request_log(const struct deliver_request *req)
{
    struct vstr *line = vstr_alloc(200);
    const struct deliver_rcpt *rp;
    struct timeval tv;
    const char *orig;
    int     n;

    gettimeofday(&tv, 0);
    for (n = 0; n < req->nrcpt; n++) {
	rp = req->rcpt + n;
	vstr_sprintf(line, "%s: to=<%s>, ", vstr_str(req->queue_id),
		     vstr_str(rp->address));
	orig = vstr_str(rp->orcpt);
	if (strncasecmp(orig, "rfc822;", 7) == 0)
	    orig += 7;
	if (*orig && strcasecmp(orig, vstr_str(rp->address)) != 0)
	    vstr_sprintf_append(line, "orig_to=<%s>, ", orig);
	vstr_sprintf_append(line, "relay=%s, ", vstr_str(req->relay));
	deliver_format_delays(line, req, (long long) tv.tv_sec * 1000
			      + tv.tv_usec / 1000);
	vstr_sprintf_append(line, ", dsn=%s, status=%s (%s)",
			    vstr_str(rp->dsn),
			    rp->status == MAIL_STAT_OK ? "sent" :
			    rp->status == MAIL_STAT_BOUNCE ? "bounced" :
			    "deferred", vstr_str(rp->why));
	msg_info("%s", vstr_str(line));
    }
    vstr_free(line);
}
