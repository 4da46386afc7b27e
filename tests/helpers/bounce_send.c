/*
 * bounce_send.c - test helper: call bounce_notify(3) for a message in a
 * test instance's queue, as qmgr would, so that integration tests drive
 * the real cleanup daemon through cleanup_clnt(3).
 *
 * Usage: bounce_send CONFIG_DIR [-d] [-o name=value]... QUEUE_NAME
 *	QUEUE_ID [RCPT...]
 * The configuration (queue_directory, myhostname, notify_classes, ...)
 * is read from CONFIG_DIR/main.cf plus the -o overrides. -d: a delay
 * warning. Each RCPT is "address<TAB>status<TAB>reason<TAB>relay"; its
 * ORCPT and NOTIFY come from the envelope recipient with that address.
 * Without RCPT every envelope recipient is reported as a 5.1.1 failure.
 * Prints three lines: the result (0, 1, -1), the new queue ID, the
 * reason. Exit 0, or 2 on a usage or setup error.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bounce_notify.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "vstr.h"

/* find_env_rcpt - the envelope recipient with this address */

static const struct queue_rcpt *
find_env_rcpt(const struct queue_env *env, const char *addr)
{
    size_t  i;

    for (i = 0; i < env->rcpt_count; i++)
	if (strcmp(env->rcpt[i].address, addr) == 0)
	    return (env->rcpt + i);
    return (0);
}

/* parse_rcpt - one RCPT argument */

static void
parse_rcpt(char *spec, const struct queue_env *env, struct bounce_rcpt *rp)
{
    char   *fields[4] = {0};
    const struct queue_rcpt *er;
    char   *cp = spec;
    int     i;

    for (i = 0; i < 4 && cp; i++) {
	fields[i] = cp;
	if ((cp = strchr(cp, '\t')) != 0)
	    *cp++ = 0;
    }
    rp->address = fields[0];
    rp->dsn_status = fields[1] ? fields[1] : "5.1.1";
    rp->reason = fields[2] ? fields[2] : "unknown user";
    rp->relay = fields[3];
    rp->action = 0;			/* the one that fits the flags */
    if ((er = find_env_rcpt(env, rp->address)) != 0) {
	rp->orcpt = er->orcpt;
	rp->notify = er->notify;
    }
}

/* read_env - the envelope of the original */

static int
read_env(const char *queue_name, const char *queue_id, struct queue_env *env,
	         struct vstr *why)
{
    struct vstr *path = vstr_alloc(100);
    struct vstr *rel = vstr_alloc(100);
    struct queue_reader *r;
    int     ret = -1;

    if (mail_queue_path(rel, queue_name, queue_id) < 0) {
	vstr_strcpy(why, "bad queue name or ID");
    } else {
	vstr_sprintf(path, "%s/%s", var_queue_dir, vstr_str(rel));
	if ((r = queue_read_open(vstr_str(path), 0, why)) != 0) {
	    ret = queue_read_envelope(r, env, why);
	    queue_read_close(r);
	}
    }
    vstr_free(path);
    vstr_free(rel);
    return (ret);
}

int
main(int argc, char **argv)
{
    struct vstr *why = vstr_alloc(100);
    struct vstr *id = vstr_alloc(20);
    struct bounce_rcpt *rcpts;
    struct queue_env env;
    size_t  n, i;
    int     flags = BOUNCE_FLAG_NONE;
    int     ch, ret;

    signal(SIGPIPE, SIG_IGN);		/* as the daemon skeleton does */
    if (argc < 2 || mail_conf_read(argv[1], why) < 0) {
	fprintf(stderr, "usage: bounce_send CONFIG_DIR [-d] [-o n=v]..."
		" QUEUE_NAME QUEUE_ID [RCPT...]: %s\n", vstr_str(why));
	return (2);
    }
    optind = 2;
    while ((ch = getopt(argc, argv, "do:")) != -1) {
	if (ch == 'd') {
	    flags |= BOUNCE_FLAG_DELAY;
	} else if (ch != 'o' || mail_conf_override(optarg, why) < 0) {
	    fprintf(stderr, "bounce_send: bad option: %s\n", vstr_str(why));
	    return (2);
	}
    }
    mail_params_init();
    if (argc - optind < 2
	|| read_env(argv[optind], argv[optind + 1], &env, why) < 0) {
	fprintf(stderr, "bounce_send: %s\n", vstr_str(why));
	return (2);
    }
    rcpts = mycalloc(env.rcpt_count + (size_t) argc, sizeof(*rcpts));
    for (n = 0, i = (size_t) optind + 2; i < (size_t) argc; i++)
	parse_rcpt(argv[i], &env, rcpts + n++);
    for (i = 0; n == 0 && i < env.rcpt_count; i++) {
	rcpts[i].address = env.rcpt[i].address;
	rcpts[i].orcpt = env.rcpt[i].orcpt;
	rcpts[i].notify = env.rcpt[i].notify;
	rcpts[i].dsn_status = "5.1.1";
	rcpts[i].action = (flags & BOUNCE_FLAG_DELAY) ? "delayed" : "failed";
	rcpts[i].reason = "unknown user";
    }
    if (n == 0)
	n = env.rcpt_count;
    ret = bounce_notify(var_queue_dir, argv[optind], argv[optind + 1], &env,
			rcpts, n, flags, id, why);
    printf("%d\n%s\n%s\n", ret, vstr_str(id), vstr_str(why));
    queue_env_free(&env);
    myfree(rcpts);
    vstr_free(why);
    vstr_free(id);
    return (0);
}
