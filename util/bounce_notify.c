/*
 * bounce_notify.c - decide whether a message's failed or delayed
 * recipients are owed a notice, build it from the original queue file
 * with dsn_report(3), and submit it to cleanup with the null sender
 * (see bounce_notify.h and docs/bounces.md).
 *
 * This runs inside qmgr, synchronously: the original is read once, the
 * report is kept in memory (bounded by bounce_size_limit), and cleanup,
 * a local service, answers within seconds. Every failure is returned to
 * qmgr, which keeps the message and tries again later; nothing here
 * changes or removes the original.
 */
#include <string.h>

#include "argv.h"
#include "bounce_notify.h"
#include "cleanup_clnt.h"
#include "cleanup_proto.h"
#include "dsn_report.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mymalloc.h"
#include "smtp_addr.h"
#include "stringops.h"

#define BN_CLASS_2BOUNCE	"2bounce"

/* bn_none - no notice is due: say why */

static int
bn_none(struct vstr *why, const char *text)
{
    if (why)
	vstr_strcpy(why, text);
    return (1);
}

/* bn_has_2bounce - does notify_classes contain "2bounce"? */

static int
bn_has_2bounce(void)
{
    char   *copy, *bp, *word;
    int     found = 0;

    if (var_notify_classes == 0)
	return (0);
    bp = copy = mystrdup(var_notify_classes);
    while (!found && (word = str_token(&bp, ", \t\r\n")) != 0)
	found = str_case_eq(word, BN_CLASS_2BOUNCE);
    myfree(copy);
    return (found);
}

/* bn_wants - does this recipient's NOTIFY ask for this kind of notice? */

static int
bn_wants(int notify, int flags)
{
    if (notify == 0)
	return (1);
    if (notify & QUEUE_NOTIFY_NEVER)
	return (0);
    return ((notify & ((flags & BOUNCE_FLAG_DELAY) ?
		       QUEUE_NOTIFY_DELAY : QUEUE_NOTIFY_FAILURE)) != 0);
}

/* bn_qualify - an address as the To: header shows it */

static void
bn_qualify(struct vstr *out, const char *addr)
{
    vstr_strcpy(out, addr);
    if (strchr(addr, '@') == 0 && var_myorigin && *var_myorigin)
	vstr_sprintf_append(out, "@%s", var_myorigin);
}

/* bn_envelope - the notice's envelope: null sender, its recipients */

static void
bn_envelope(struct queue_env *benv, const struct queue_env *env, int twice)
{
    char   *copy, *bp, *word;

    queue_env_init(benv);
    benv->sender = mystrdup("");
    benv->protocol = mystrdup(twice ? BOUNCE_PROTO_2BOUNCE :
			      BOUNCE_PROTO_NOTICE);
    if (twice) {
	bp = copy = mystrdup(var_2bounce_notice_rcpt ?
			     var_2bounce_notice_rcpt : "postmaster");
	while ((word = str_token(&bp, ", \t\r\n")) != 0)
	    queue_env_add_rcpt(benv, word, 0, 0);
	myfree(copy);
	if (benv->rcpt_count == 0)
	    queue_env_add_rcpt(benv, "postmaster", 0, 0);
    } else {
	queue_env_add_rcpt(benv, env->sender, 0, 0);
	if (smtp_addr_has_8bit(env->sender, strlen(env->sender)))
	    benv->flags |= QUEUE_FLAG_SMTPUTF8;
    }
}

/* bn_submit - hand the notice to cleanup */

static int
bn_submit(const char *queue_dir, struct queue_env *benv,
	          const struct argv *lines, struct vstr *new_queue_id,
	          struct vstr *why)
{
    struct cleanup_clnt *cl;
    size_t  i;
    int     status;

    if ((cl = cleanup_clnt_open(queue_dir, 0, CLEANUP_FLAG_BOUNCE,
				(int) var_ipc_timeout, why)) == 0)
	return (-1);
    if (cleanup_clnt_envelope(cl, benv, why) < 0) {
	cleanup_clnt_abort(cl);
	return (-1);
    }
    for (i = 0; i < lines->argc; i++) {
	if (cleanup_clnt_text(cl, lines->argv[i], strlen(lines->argv[i]), 0,
			      why) < 0) {
	    cleanup_clnt_abort(cl);
	    return (-1);
	}
    }
    status = cleanup_clnt_close(cl, new_queue_id, why);
    if (status == MAIL_STAT_OK)
	return (0);
    if (status > 0 && why) {
	/* why holds cleanup's own reason: say who gave it. */
	struct vstr *text = vstr_alloc(100);

	vstr_sprintf(text, "cleanup %s the notice: %s",
		     status == MAIL_STAT_REJECT ? "refused" : "deferred",
		     vstr_str(why));
	vstr_strcpy(why, vstr_str(text));
	vstr_free(text);
    }
    return (-1);
}

/* bn_build - read the original and build the report */

static int
bn_build(const char *queue_dir, const char *queue_name,
	         const struct dsn_report_info *info,
	         const struct dsn_rcpt *drc, size_t k, struct argv *lines,
	         struct vstr *why)
{
    struct vstr *path = vstr_alloc(100);
    struct vstr *rel = vstr_alloc(100);
    struct queue_reader *r;
    struct queue_env fenv;
    int     ret = -1;

    if (mail_queue_path(rel, queue_name, info->queue_id) < 0) {
	(void) vstr_fail(why, "bad queue name or queue ID");
    } else {
	if (queue_dir && *queue_dir)
	    vstr_sprintf(path, "%s/%s", queue_dir, vstr_str(rel));
	else
	    vstr_strcpy(path, vstr_str(rel));
	if ((r = queue_read_open(vstr_str(path), 0, why)) != 0) {
	    /* The caller's envelope is used; this one is only skipped. */
	    if (queue_read_envelope(r, &fenv, why) == 0) {
		queue_env_free(&fenv);
		ret = dsn_report_build(lines, info, drc, k, r, why);
	    }
	    queue_read_close(r);
	}
    }
    vstr_free(path);
    vstr_free(rel);
    return (ret);
}

/* bn_select - the recipients to report; 0 when none */

static size_t
bn_select(const struct bounce_rcpt *rcpts, size_t n, int flags, int twice,
	          struct dsn_rcpt *drc)
{
    size_t  i, k;

    for (i = k = 0; i < n; i++) {
	if (!twice && !bn_wants(rcpts[i].notify, flags))
	    continue;
	drc[k].address = rcpts[i].address ? rcpts[i].address : "";
	drc[k].orcpt = rcpts[i].orcpt;
	drc[k].dsn_status = rcpts[i].dsn_status;
	drc[k].action = rcpts[i].action;
	drc[k].reason = rcpts[i].reason;
	drc[k].relay = rcpts[i].relay;
	k++;
    }
    return (k);
}

/* bounce_notify - send one notice for these recipients, if due */

int
bounce_notify(const char *queue_dir, const char *queue_name,
	              const char *queue_id, const struct queue_env *env,
	              const struct bounce_rcpt *rcpts, size_t n, int flags,
	              struct vstr *new_queue_id, struct vstr *why)
{
    struct dsn_report_info info;
    struct dsn_rcpt *drc;
    struct argv *lines;
    struct queue_env benv;
    struct vstr *to;
    size_t  k;
    int     twice = 0, ret;

    if (new_queue_id)
	vstr_reset(new_queue_id);
    if (env == 0 || env->sender == 0 || n == 0)
	return (bn_none(why, "no envelope or no recipients"));
    if (*env->sender == 0) {
	if (flags & BOUNCE_FLAG_DELAY)
	    return (bn_none(why, "no delay warning for the null sender"));
	if (env->protocol && strcmp(env->protocol, BOUNCE_PROTO_2BOUNCE) == 0)
	    return (bn_none(why, "undeliverable postmaster copy: discarded"));
	if (!bn_has_2bounce())
	    return (bn_none(why, "undeliverable message with the null sender:"
			    " no notice (notify_classes has no 2bounce)"));
	twice = 1;
    }
    drc = mycalloc(n, sizeof(*drc));		/* checks n * size */
    if ((k = bn_select(rcpts, n, flags, twice, drc)) == 0) {
	myfree(drc);
	return (bn_none(why, (flags & BOUNCE_FLAG_DELAY) ?
			"NOTIFY asks for no delay warning" :
			"NOTIFY asks for no failure notice"));
    }
    to = vstr_alloc(100);
    lines = argv_alloc(100);
    bn_envelope(&benv, env, twice);
    bn_qualify(to, benv.rcpt[0].address);
    memset(&info, 0, sizeof(info));
    info.myhostname = var_myhostname ? var_myhostname : "localhost";
    info.queue_id = queue_id;
    info.env = env;
    info.to = vstr_str(to);
    info.flags = (twice ? DSN_REPORT_FLAG_2BOUNCE : 0)
	| ((flags & BOUNCE_FLAG_DELAY) ? DSN_REPORT_FLAG_DELAY : 0);
    info.size_limit = var_bounce_limit;
    info.max_queue_time = var_max_queue_time;
    ret = bn_build(queue_dir, queue_name, &info, drc, k, lines, why);
    if (ret == 0) {
	if (dsn_report_8bit(lines))
	    benv.flags |= QUEUE_FLAG_8BITMIME;
	ret = bn_submit(queue_dir, &benv, lines, new_queue_id, why);
    }
    queue_env_free(&benv);
    argv_free(lines);
    vstr_free(to);
    myfree(drc);
    return (ret);
}
