/*
 * queue_select.c - which messages a queue command acts on: the
 *	selector options shared by postern queue, hold, release, delete
 *	and requeue (--from, --to, --domain, --older-than, --status,
 *	--reason, --dry-run, --json).
 *
 * Options may appear anywhere among the arguments, as "--opt VALUE" or
 * "--opt=VALUE"; the other arguments (queue IDs, ALL, -) are kept in
 * order. Matching compares envelope data read by queue_scan_load().
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "vstr.h"
#include "stringops.h"
#include "conv_time.h"
#include "mail_queue.h"
#include "queue_scan.h"
#include "queue_select.h"

/* queue_select_init - nothing selected */

void
queue_select_init(struct queue_select *sel)
{
    memset(sel, 0, sizeof(*sel));
    sel->older_than = -1;
}

/* queue_select_free - release the argument list and the regex */

void
queue_select_free(struct queue_select *sel)
{
    if (sel->has_reason)
	regfree(&sel->reason);
    if (sel->args)
	myfree(sel->args);
    queue_select_init(sel);
}

/* qsel_value - store one selector; 0, or -1 with why */

static int
qsel_value(struct queue_select *sel, const char *name, const char *value,
	           struct vstr *why)
{
    int     err;
    char    buf[200];

    if (strcmp(name, "from") == 0) {
	sel->from = value;
    } else if (strcmp(name, "to") == 0) {
	sel->to = value;
    } else if (strcmp(name, "domain") == 0) {
	sel->domain = (*value == '@') ? value + 1 : value;
    } else if (strcmp(name, "older-than") == 0) {
	if (conv_time(value, 's', &sel->older_than) < 0)
	    return (vstr_fail(why, "--older-than: bad age \"%s\" (e.g. 30m, 2h,"
			      " 5d)", value));
    } else if (strcmp(name, "status") == 0) {
	if (strcmp(value, MAIL_QUEUE_ACTIVE) && strcmp(value, MAIL_QUEUE_DEFERRED)
	    && strcmp(value, MAIL_QUEUE_HOLD) && strcmp(value, MAIL_QUEUE_INCOMING))
	    return (vstr_fail(why, "--status: must be active, deferred, hold"
			      " or incoming"));
	sel->status = value;
    } else if (strcmp(name, "reason") == 0) {
	if (sel->has_reason)
	    regfree(&sel->reason);
	sel->has_reason = 0;
	if ((err = regcomp(&sel->reason, value, REG_EXTENDED | REG_NOSUB)) != 0) {
	    regerror(err, &sel->reason, buf, sizeof(buf));
	    return (vstr_fail(why, "--reason: %s", buf));
	}
	sel->has_reason = 1;
    } else {
	return (vstr_fail(why, "unknown option --%s", name));
    }
    sel->any = 1;
    return (0);
}

/* queue_select_parse - options anywhere, the rest into sel->args */

int
queue_select_parse(struct queue_select *sel, int argc, char **argv,
		           struct vstr *why)
{
    struct vstr *name = vstr_alloc(20);
    const char *value;
    const char *eq;
    int     opts = 1;
    int     ret = 0;
    int     i;

    sel->args = (char **) mymalloc(sizeof(char *) * (size_t) (argc + 1));
    for (i = 1; ret == 0 && i < argc; i++) {
	if (!opts || strncmp(argv[i], "--", 2) != 0) {
	    sel->args[sel->nargs++] = argv[i];
	    continue;
	}
	if (argv[i][2] == 0) {
	    opts = 0;
	} else if (strcmp(argv[i], "--dry-run") == 0) {
	    sel->dry_run = 1;
	} else if (strcmp(argv[i], "--json") == 0) {
	    sel->json = 1;
	} else {
	    if ((eq = strchr(argv[i] + 2, '=')) != 0) {
		vstr_memcpy(name, argv[i] + 2, (size_t) (eq - argv[i] - 2));
		value = eq + 1;
	    } else if (i + 1 < argc) {
		vstr_strcpy(name, argv[i] + 2);
		value = argv[++i];
	    } else {
		ret = vstr_fail(why, "%s needs a value", argv[i]);
		break;
	    }
	    ret = qsel_value(sel, vstr_str(name), value, why);
	}
    }
    sel->args[sel->nargs] = 0;
    vstr_free(name);
    return (ret);
}

/* queue_select_queue - is this queue wanted */

int
queue_select_queue(const struct queue_select *sel, const char *queue_name)
{
    return (sel->status == 0 || strcmp(sel->status, queue_name) == 0);
}

/* qsel_rcpt - does a not-yet-delivered recipient match --to/--domain */

static int
qsel_rcpt(const struct queue_select *sel, const struct queue_env *env)
{
    const char *at;
    size_t  i;

    for (i = 0; i < env->rcpt_count; i++) {
	if (env->rcpt[i].done)
	    continue;
	if (sel->to && !str_case_eq(sel->to, env->rcpt[i].address))
	    continue;
	if (sel->domain && ((at = strrchr(env->rcpt[i].address, '@')) == 0
			    || !str_case_eq(sel->domain, at + 1)))
	    continue;
	return (1);
    }
    return (0);
}

/* qsel_reason - does one delay reason match --reason */

static int
qsel_reason(const struct queue_select *sel, const struct queue_scan_msg *msg)
{
    size_t  i;

    for (i = 0; msg->reason && i < msg->env.rcpt_count; i++)
	if (msg->reason[i] && !msg->env.rcpt[i].done
	    && regexec(&sel->reason, msg->reason[i], 0, 0, 0) == 0)
	    return (1);
    return (0);
}

/* qsel_null - is addr the null sender as typed by an administrator */

static int
qsel_null(const char *addr)
{
    return (*addr == 0 || strcmp(addr, "<>") == 0);
}

/* queue_select_match - is this message selected */

int
queue_select_match(const struct queue_select *sel, const char *queue_name,
		           const char *queue_id, int status,
		           const struct queue_scan_msg *msg, time_t now)
{
    struct timeval tv;

    if (!queue_select_queue(sel, queue_name))
	return (0);
    if (sel->older_than >= 0) {
	if (status == QUEUE_SCAN_OK)
	    tv = msg->env.arrival;
	else if (mail_queue_id_time(queue_id, &tv) < 0)
	    return (0);
	if ((long long) now - (long long) tv.tv_sec < sel->older_than)
	    return (0);
    }
    if (status != QUEUE_SCAN_OK)
	return (sel->from == 0 && sel->to == 0 && sel->domain == 0
		&& !sel->has_reason);
    if (sel->from && !(qsel_null(sel->from) ? *msg->env.sender == 0 :
		       str_case_eq(sel->from, msg->env.sender)))
	return (0);
    if ((sel->to || sel->domain) && !qsel_rcpt(sel, &msg->env))
	return (0);
    if (sel->has_reason && !qsel_reason(sel, msg))
	return (0);
    return (1);
}

/* queue_select_read_ids - the IDs of "-", one a line; errors */

int
queue_select_read_ids(struct vstream *in, int (*fn) (const char *, void *),
		              void *ctx)
{
    struct vstr *line = vstr_alloc(QUEUE_SELECT_LINE_MAX);
    int     errors = 0;
    int     st;

    while ((st = vstream_read_line(in, line, QUEUE_SELECT_LINE_MAX)) != VSTREAM_EOF) {
	if (st == VSTREAM_TOOLONG) {
	    fprintf(stderr, "postern: error: input line longer than %d bytes\n",
		    QUEUE_SELECT_LINE_MAX);
	    errors++;
	    if (vstream_skip_line(in) != VSTREAM_OK)
		break;
	    continue;
	}
	if (st != VSTREAM_OK) {
	    fprintf(stderr, "postern: error: read error on standard input\n");
	    errors++;
	    break;
	}
	while (vstr_len(line) > 0 && (vstr_str(line)[vstr_len(line) - 1] == '\n'
				|| vstr_str(line)[vstr_len(line) - 1] == '\r'))
	    vstr_truncate(line, vstr_len(line) - 1);
	if (vstr_len(line) > 0)
	    errors += fn(vstr_str(line), ctx);
    }
    vstr_free(line);
    return (errors);
}
