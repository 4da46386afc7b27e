/*
 * test_agent.c - a fake delivery agent for qmgr tests (tests only): a
 * single server that speaks util/deliver_proto.h (the request read and
 * checked by util/deliver_request.c, like the real agents) and picks each
 * recipient's result from its local part:
 *
 *	ok*	MAIL_STAT_OK	 "2.0.0 delivered (test)"
 *	defer*	MAIL_STAT_DEFER	 "4.2.0 test defer"
 *	bounce*	MAIL_STAT_BOUNCE "5.1.1 test bounce"
 *	slow*	sleeps 2 seconds, then OK
 *	crash*	exits without a reply (qmgr: "delivery agent failed")
 *	garbage* replies with bytes that are no attribute list
 *	other	OK
 *
 * It logs a to= line per recipient like a real agent and, when master.cf
 * gives it a file name argument, appends "QUEUEID RECIPIENT SENDER
 * STATUS" to that file for each recipient (one write, O_APPEND), so
 * that tests can count deliveries exactly.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "deliver_proto.h"
#include "deliver_request.h"
#include "mail_proto.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"

static const char *const test_agent_syscalls[] = {
    "openat",				/* the delivery log */
    "fsync",				/* same */
    "nanosleep",			/* slow* */
    "clock_nanosleep",			/* same */
    0,
};

/* agent_decide - result of one recipient */

static int
agent_decide(const char *addr, const char **dsn, const char **why)
{
    if (str_prefix(addr, "crash"))
	_exit(0);
    if (str_prefix(addr, "slow"))
	sleep(2);
    if (str_prefix(addr, "defer")) {
	*dsn = "4.2.0";
	*why = "test defer";
	return (MAIL_STAT_DEFER);
    }
    if (str_prefix(addr, "bounce")) {
	*dsn = "5.1.1";
	*why = "test bounce";
	return (MAIL_STAT_BOUNCE);
    }
    *dsn = "2.0.0";
    *why = "delivered (test)";
    return (MAIL_STAT_OK);
}

/* agent_record - log a to= line, append to the delivery file */

static void
agent_record(const struct deliver_request *rq, const struct deliver_rcpt *rc,
	             int status, const char *dsn, const char *why,
	             const char *file)
{
    const char *text = status == MAIL_STAT_OK ? "sent" :
    status == MAIL_STAT_DEFER ? "deferred" : "bounced";
    struct vstr *line = vstr_alloc(100);
    double  a = (rq->active_ms - rq->arrival * 1000.0
		 - rq->arrival_usec / 1000.0) / 1000.0;
    double  b = (rq->request_ms - rq->active_ms) / 1000.0;
    int     fd;

    msg_info("%s: to=<%s>, relay=test, delay=%.2f, delays=%.2f/%.2f/0/0,"
	     " dsn=%s, status=%s (%s)", vstr_str(rq->queue_id),
	     vstr_str(rc->address),
	     a + b, a, b, dsn, text, why);
    if (file == 0)
	return;
    vstr_sprintf(line, "%s %s %s %s\n", vstr_str(rq->queue_id),
		 vstr_str(rc->address),
		 vstr_len(rq->sender) ? vstr_str(rq->sender) : "<>", text);
    if ((fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0
	|| write_all(fd, vstr_str(line), vstr_len(line)) < 0 || fsync(fd) < 0)
	msg_fatal("append to %s: %m", file);
    (void) close(fd);
    vstr_free(line);
}

/* agent_service - one delivery request */

static void
agent_service(struct vstream *fp, const char *service UNUSED, char **argv)
{
    struct deliver_request rq;
    struct deliver_rcpt *rc;
    const char *dsn, *why;
    int     i, status;

    vstream_set_timeout(fp, 30);
    if (attr_print_protocol(fp, MAIL_PROTO_DELIVER) < 0
	|| deliver_request_read(fp, &rq, "test") < 0)
	msg_fatal("bad delivery request");
    for (i = 0; i < rq.nrcpt; i++) {
	rc = rq.rcpt + i;
	if (str_prefix(vstr_str(rc->address), "garbage")) {
	    (void) vstream_write(fp, "\007\377garbage\0\0\0", 12);
	    break;
	}
	status = agent_decide(vstr_str(rc->address), &dsn, &why);
	agent_record(&rq, rc, status, dsn, why, argv && argv[0] ? argv[0] : 0);
	(void) attr_print(fp, ATTR_FLAG_NONE,
			  SEND_ATTR_LONG(MAIL_ATTR_OFFSET, rc->offset),
			  SEND_ATTR_INT(MAIL_ATTR_STATUS, status),
			  SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, dsn),
			  SEND_ATTR_STR(MAIL_ATTR_RELAY, vstr_str(rq.relay)),
			  SEND_ATTR_STR(MAIL_ATTR_WHY, why),
			  ATTR_TYPE_END);
    }
    (void) attr_print(fp, ATTR_FLAG_NONE,
		      SEND_ATTR_INT(MAIL_ATTR_STATUS, MAIL_STAT_OK), ATTR_TYPE_END);
    (void) vstream_flush(fp);
    deliver_request_free(&rq);
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = test_agent_syscalls;
    single_server_main(argc, argv, agent_service, &opts);
}
