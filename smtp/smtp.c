/*
 * smtp.c - the SMTP client delivery agent: serves qmgr's delivery
 * requests on private/smtp (util/deliver_proto.h) for mail to other
 * hosts. A single-client server (one request per connection, the
 * process reused), chrooted, as mail_owner, with the seccomp list of
 * smtp_sandbox.c. docs/smtp.md describes routing and TLS policy.
 *
 * This file is the daemon shell and the connection cache: after a
 * delivery the session stays open, and the next request to the same
 * next hop within smtp_connection_cache_time_limit reuses it after an
 * RSET. An idle session is closed (QUIT) when that time has passed
 * without a request (the skeleton's loop hook: its wait for the next
 * request is cut short then), when the next request is for another next
 * hop, or when the process exits.
 *
 * It also tells qmgr about site failures: when no transaction was
 * possible with any address of the next hop (or the route could not be
 * found for now), the final reply list has DEL_ATTR_SITE_FAIL, and qmgr
 * counts a failure of the destination (util/deliver_proto.h).
 */
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp.h"
#include "attr.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "mymalloc.h"
#include "msg.h"
#include "queue_file.h"

static struct smtp_session *smtp_cached;

/* smtp_cache_exit - at exit: QUIT the idle session, if any */

static void
smtp_cache_exit(void)
{
    struct smtp_session *sp = smtp_cached;

    smtp_cached = 0;
    if (sp)
	smtp_session_close(sp, 1);
}

/* smtp_pre_init - tables, resolver, TLS context; before chroot */

static void
smtp_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    struct addrinfo *res;

    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    smtp_route_init();
    smtp_tls_init();
    if (atexit(smtp_cache_exit) != 0)
	msg_fatal("atexit: cannot register the connection cache's exit");
    if (var_disable_dns_lookups && getaddrinfo("localhost", 0, 0, &res) == 0)
	freeaddrinfo(res);			/* load NSS modules now */
}

/* smtp_queue_open - the queue file at its content, msg_flags set; or 0 */

static struct queue_reader *
smtp_queue_open(struct deliver_request *req, struct vstr *why)
{
    struct vstr *path = vstr_alloc(50);
    struct queue_reader *r = 0;
    struct queue_env env;

    queue_env_init(&env);
    if (mail_queue_path(path, vstr_str(req->queue_name),
			vstr_str(req->queue_id)) < 0) {
	vstr_fail(why, "bad queue file name");
    } else if ((r = queue_read_open(vstr_str(path), 0, why)) != 0) {
	if (queue_read_envelope(r, &env, why) == 0) {
	    req->msg_flags = env.flags;
	} else {
	    queue_read_close(r);
	    r = 0;
	}
    }
    queue_env_free(&env);
    vstr_free(path);
    return (r);
}

/* smtp_cache_take - the cached session for this next hop, if usable */

static struct smtp_session *
smtp_cache_take(const char *key)
{
    struct smtp_session *sp = smtp_cached;

    smtp_cached = 0;
    if (sp == 0)
	return (0);
    if (strcmp(sp->key, key) != 0
	|| server_now_ms() - sp->idle_since_ms
	> var_smtp_conn_cache_tlimit * 1000) {
	smtp_session_close(sp, 1);
	return (0);
    }
    if (smtp_session_reset(sp) < 0) {
	smtp_session_close(sp, 0);
	return (0);
    }
    msg_info("reusing the connection to %s", vstr_str(sp->relay));
    return (sp);
}

/* smtp_cache_timer - loop hook: close the idle session when it is time */

static int
smtp_cache_timer(const char *service UNUSED, char **argv UNUSED)
{
    long long left;

    if (smtp_cached == 0)
	return (-1);
    left = smtp_cached->idle_since_ms + var_smtp_conn_cache_tlimit * 1000
	- server_now_ms();
    if (left > 0)				/* wake up at, not before, the end */
	return (left >= 3600 * 1000 ? 3600 : (int) ((left + 999) / 1000));
    smtp_session_close(smtp_cached, 1);
    smtp_cached = 0;
    return (-1);
}

/* smtp_connect_any - the first address that gives a session */

static struct smtp_session *
smtp_connect_any(struct deliver_request *req, struct smtp_route *rt,
		         int *site_fail)
{
    struct smtp_session *sp = 0;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(100);
    size_t  n;
    int     rc = SMTP_SESS_DEFER;

    for (n = 0; n < rt->count && sp == 0; n++) {
	rc = smtp_session_open(rt->targets + n, rt->tls_level, &sp, dsn, why);
	vstr_sprintf(req->relay, "%s[%s]:%d", rt->targets[n].host,
		     rt->targets[n].addr, rt->targets[n].port);
	if (sp == 0)
	    msg_info("%s: %s", vstr_str(req->queue_id), vstr_str(why));
    }
    if (sp == 0) {
	smtp_result_all(req, rc == SMTP_SESS_BOUNCE ? MAIL_STAT_BOUNCE :
			MAIL_STAT_DEFER, vstr_str(dsn), vstr_str(why));
	*site_fail = (rc != SMTP_SESS_BOUNCE);	/* no address would talk */
    }
    vstr_free(dsn);
    vstr_free(why);
    return (sp);
}

/* smtp_deliver - route, connect or reuse, transaction, cache; site fail? */

static int
smtp_deliver(struct deliver_request *req)
{
    struct smtp_route rt;
    struct smtp_session *sp;
    struct queue_reader *r;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(100);
    long long t0 = server_now_ms();
    int     site_fail = 0;
    int     trans;
    int     rc;

    if ((r = smtp_queue_open(req, why)) == 0) {
	msg_warn("%s: cannot read queue file: %s", vstr_str(req->queue_id),
		 vstr_str(why));
	smtp_result_all(req, MAIL_STAT_DEFER, "4.3.0", "cannot read queue file");
    } else if ((rc = smtp_route_find(vstr_str(req->nexthop), &rt, dsn,
				     why)) != SMTP_ROUTE_OK) {
	smtp_result_all(req, rc == SMTP_ROUTE_BOUNCE ? MAIL_STAT_BOUNCE :
			MAIL_STAT_DEFER, vstr_str(dsn), vstr_str(why));
	site_fail = (rc == SMTP_ROUTE_DEFER);	/* DNS or route trouble */
	smtp_route_free(&rt);
    } else {
	if ((sp = smtp_cache_take(rt.key)) == 0)
	    sp = smtp_connect_any(req, &rt, &site_fail);
	req->setup_ms = server_now_ms() - t0;
	if (sp) {
	    vstr_strcpy(req->relay, vstr_str(sp->relay));
	    trans = smtp_transaction(sp, req, r);
	    if (trans == SMTP_TRANS_OK
		&& var_smtp_conn_cache_tlimit > 0 && !server_stopping()) {
		if (sp->key == 0)
		    sp->key = mystrdup(rt.key);
		sp->idle_since_ms = server_now_ms();
		smtp_cached = sp;
	    } else {
		smtp_session_close(sp, trans != SMTP_TRANS_ABORT);
	    }
	}
	smtp_route_free(&rt);
    }
    if (r)
	queue_read_close(r);
    vstr_free(dsn);
    vstr_free(why);
    return (site_fail);
}

/* smtp_service - one delivery request per connection */

static void
smtp_service(struct vstream *client, const char *service UNUSED,
	             char **argv UNUSED)
{
    struct deliver_request req;
    int     site_fail;

    vstream_set_timeout(client, var_ipc_timeout > INT_MAX ? INT_MAX :
			(int) var_ipc_timeout);
    if (attr_print_protocol(client, MAIL_PROTO_DELIVER) < 0)
	return;
    if (smtp_request_read(client, &req) == 0) {
	site_fail = smtp_deliver(&req);
	deliver_request_log(&req);
	if (smtp_request_reply(client, &req, site_fail) < 0)
	    msg_warn("%s: cannot send the delivery reply",
		     vstr_str(req.queue_id));
    } else {
	msg_warn("malformed delivery request");
    }
    deliver_request_free(&req);
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = smtp_syscalls;
    opts.pre_init = smtp_pre_init;
    opts.loop = smtp_cache_timer;
    single_server_main(argc, argv, smtp_service, &opts);
}
