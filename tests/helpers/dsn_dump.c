/*
 * dsn_dump.c - test helper: build a delivery status notification with
 * dsn_report(3) from a queue file and print it, one line per report
 * line ("\n" endings), so that tests/integration/test_bounce.py can parse
 * it with Python's email package without a running system.
 *
 * Usage: dsn_dump [-d] [-2] [-l SIZE_LIMIT] [-H MYHOSTNAME] [-t TO]
 *	[-n NOW] [-q MAX_QUEUE_TIME] QUEUE_FILE [RCPT...]
 * -d: delay warning; -2: postmaster copy of a failed notice. Each RCPT
 * is "address<TAB>orcpt<TAB>status<TAB>action<TAB>reason<TAB>relay"
 * (trailing fields may be left off; an empty field is absent). Without
 * RCPT the envelope's recipients are reported as 5.1.1 failures. TO
 * defaults to the envelope sender. Exit 0, or 1 with the reason on
 * stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "dsn_report.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "vstr.h"

#define DUMP_FIELDS	6

/* field - the i-th tab-separated field of spec, or NULL when empty */

static const char *
field(char **fields, int i)
{
    return (fields[i] && *fields[i] ? fields[i] : 0);
}

/* parse_rcpt - one RCPT argument */

static void
parse_rcpt(char *spec, struct dsn_rcpt *rp)
{
    char   *fields[DUMP_FIELDS] = {0};
    char   *cp = spec;
    int     i;

    for (i = 0; i < DUMP_FIELDS && cp; i++) {
	fields[i] = cp;
	if ((cp = strchr(cp, '\t')) != 0)
	    *cp++ = 0;
    }
    rp->address = fields[0] ? fields[0] : "";
    rp->orcpt = field(fields, 1);
    rp->dsn_status = field(fields, 2);
    rp->action = field(fields, 3);
    rp->reason = field(fields, 4);
    rp->relay = field(fields, 5);
}

/* env_rcpts - the envelope's recipients as failures */

static size_t
env_rcpts(struct queue_env *env, struct dsn_rcpt *rcpts)
{
    size_t  i;

    for (i = 0; i < env->rcpt_count; i++) {
	rcpts[i].address = env->rcpt[i].address;
	rcpts[i].orcpt = env->rcpt[i].orcpt;
	rcpts[i].dsn_status = "5.1.1";
	rcpts[i].action = "failed";
	rcpts[i].reason = "unknown user";
	rcpts[i].relay = 0;
    }
    return (env->rcpt_count);
}

int
main(int argc, char **argv)
{
    struct dsn_report_info info;
    struct vstr *why = vstr_alloc(100);
    struct argv *lines = argv_alloc(100);
    struct queue_reader *r;
    struct queue_env env;
    struct dsn_rcpt *rcpts;
    size_t  n, i;
    int     ch;

    memset(&info, 0, sizeof(info));
    info.myhostname = "mx.example.org";
    info.size_limit = 50000;
    while ((ch = getopt(argc, argv, "d2l:H:t:n:q:")) != -1) {
	switch (ch) {
	case 'd':
	    info.flags |= DSN_REPORT_FLAG_DELAY;
	    break;
	case '2':
	    info.flags |= DSN_REPORT_FLAG_2BOUNCE;
	    break;
	case 'l':
	    info.size_limit = atol(optarg);
	    break;
	case 'H':
	    info.myhostname = optarg;
	    break;
	case 't':
	    info.to = optarg;
	    break;
	case 'n':
	    info.now = (time_t) atoll(optarg);
	    break;
	case 'q':
	    info.max_queue_time = atol(optarg);
	    break;
	default:
	    fprintf(stderr, "usage: dsn_dump [-d2] [-l limit] [-H host]"
		    " [-t to] [-n now] [-q qtime] QUEUE_FILE [RCPT...]\n");
	    return (1);
	}
    }
    if (optind >= argc) {
	fprintf(stderr, "dsn_dump: no queue file\n");
	return (1);
    }
    if ((r = queue_read_open(argv[optind], 0, why)) == 0
	|| queue_read_envelope(r, &env, why) < 0) {
	fprintf(stderr, "dsn_dump: %s: %s\n", argv[optind], vstr_str(why));
	return (1);
    }
    rcpts = mycalloc(env.rcpt_count + (size_t) argc, sizeof(*rcpts));
    if (optind + 1 < argc)
	for (n = 0, i = (size_t) optind + 1; i < (size_t) argc; i++)
	    parse_rcpt(argv[i], rcpts + n++);
    else
	n = env_rcpts(&env, rcpts);
    info.queue_id = strrchr(argv[optind], '/') ?
	strrchr(argv[optind], '/') + 1 : argv[optind];
    info.env = &env;
    if (info.to == 0)
	info.to = env.sender;
    if (dsn_report_build(lines, &info, rcpts, n, r, why) < 0) {
	fprintf(stderr, "dsn_dump: %s: %s\n", argv[optind], vstr_str(why));
	return (1);
    }
    for (i = 0; i < lines->argc; i++)
	printf("%s\n", lines->argv[i]);
    queue_read_close(r);
    queue_env_free(&env);
    argv_free(lines);
    vstr_free(why);
    myfree(rcpts);
    return (fflush(stdout) == 0 ? 0 : 1);
}
