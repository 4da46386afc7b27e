/*
 * submit_args.c - the command line of postern-sendmail: sendmail's usual
 * flags parsed into struct submit_opts (submit.h). Unknown flags are
 * ignored with a warning, as sendmail and Postfix do, so that programs
 * written for another MTA keep working.
 */
#include <string.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "rec_type.h"
#include "stringops.h"
#include "submit.h"

/* submit_notify_parse - DSN NOTIFY keywords to QUEUE_NOTIFY_* bits */

int
submit_notify_parse(const char *text)
{
    char   *copy = mystrdup(text);
    char   *cp = copy;
    char   *word;
    int     mask = 0;

    while ((word = str_token(&cp, ", \t")) != 0) {
	if (str_case_eq(word, "never"))
	    mask |= QUEUE_NOTIFY_NEVER;
	else if (str_case_eq(word, "success"))
	    mask |= QUEUE_NOTIFY_SUCCESS;
	else if (str_case_eq(word, "failure"))
	    mask |= QUEUE_NOTIFY_FAILURE;
	else if (str_case_eq(word, "delay"))
	    mask |= QUEUE_NOTIFY_DELAY;
	else {
	    mask = -1;
	    break;
	}
    }
    myfree(copy);
    if (mask == 0 || (mask > 0 && (mask & QUEUE_NOTIFY_NEVER)
		      && mask != QUEUE_NOTIFY_NEVER))
	return (-1);
    return (mask);
}

/* submit_arg_value - the value of a flag: attached, or the next word */

static const char *
submit_arg_value(int argc, char **argv, int *ip, size_t skip)
{
    if (argv[*ip][skip])
	return (argv[*ip] + skip);
    if (*ip + 1 >= argc)
	return (0);
    return (argv[++*ip]);
}

/* submit_flag_b - the -bX modes */

static void
submit_flag_b(const char *arg, struct submit_opts *opts)
{
    if (strcmp(arg, "-bs") == 0)
	opts->mode = SUBMIT_MODE_SMTP;
    else if (strcmp(arg, "-bp") == 0)
	opts->mode = SUBMIT_MODE_MAILQ;
    else if (strcmp(arg, "-bi") == 0)
	opts->mode = SUBMIT_MODE_ALIASES;
    else if (strcmp(arg, "-bm") == 0)
	opts->mode = SUBMIT_MODE_SEND;
    else
	argv_add(opts->warnings, arg);
}

/* submit_flag_value - a flag that takes a value; 0 or -1 */

static int
submit_flag_value(int flag, const char *val, struct submit_opts *opts,
		          struct vstr *why)
{
    switch (flag) {
    case 'f':
    case 'r':
	opts->sender = val;
	return (0);
    case 'F':
	opts->fullname = val;
	return (0);
    case 'C':
	opts->config_dir = val;
	return (0);
    case 'N':
	if ((opts->notify = submit_notify_parse(val)) < 0)
	    return (vstr_fail(why, "bad -N value: use never, or a list of success, failure, delay"));
	return (0);
    case 'R':
	if (str_case_eq(val, "full"))
	    opts->ret = QUEUE_RET_FULL;
	else if (str_case_eq(val, "hdrs"))
	    opts->ret = QUEUE_RET_HDRS;
	else
	    return (vstr_fail(why, "bad -R value: use full or hdrs"));
	return (0);
    case 'V':
	if (queue_field_ok(REC_TYPE_DSN_ENVID, val, strlen(val), 0) < 0)
	    return (vstr_fail(why, "bad -V value: 1-%d printable ASCII characters",
			      QUEUE_ENVID_MAX));
	opts->envid = val;
	return (0);
    default:					/* -B, -X, -L, -O: ignored */
	return (0);
    }
}

/* submit_parse_args - sendmail's command line */

int
submit_parse_args(int argc, char **argv, struct submit_opts *opts,
		          struct vstr *why)
{
    const char *name;
    const char *val;
    int     i;

    memset(opts, 0, sizeof(*opts));
    opts->rcpts = argv_alloc(4);
    opts->warnings = argv_alloc(1);
    name = argc > 0 ? strrchr(argv[0], '/') : 0;
    name = name ? name + 1 : (argc > 0 ? argv[0] : "");
    if (strcmp(name, "mailq") == 0)
	opts->mode = SUBMIT_MODE_MAILQ;
    else if (strcmp(name, "newaliases") == 0)
	opts->mode = SUBMIT_MODE_ALIASES;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
	const char *arg = argv[i];

	if (strcmp(arg, "--") == 0) {
	    i++;
	    break;
	}
	if (strchr("frFCNRVBXLO", arg[1]) != 0) {
	    if ((val = submit_arg_value(argc, argv, &i, 2)) == 0)
		return (vstr_fail(why, "option %.2s needs a value", arg));
	    if (submit_flag_value(arg[1], val, opts, why) < 0)
		return (-1);
	    if (strchr("BXLO", arg[1]) != 0)
		argv_add(opts->warnings, arg);
	} else if (strcmp(arg, "-t") == 0) {
	    opts->extract = 1;
	} else if (strcmp(arg, "-i") == 0 || strcmp(arg, "-oi") == 0) {
	    opts->ignore_dots = 1;
	} else if (arg[1] == 'b') {
	    submit_flag_b(arg, opts);
	} else if (arg[1] == 'q') {
	    opts->mode = SUBMIT_MODE_FLUSH;
	} else if (strcmp(arg, "-v") == 0 || strcmp(arg, "-m") == 0
		   || strcmp(arg, "-n") == 0 || strncmp(arg, "-od", 3) == 0
		   || strncmp(arg, "-oe", 3) == 0 || strcmp(arg, "-om") == 0) {
	     /* harmless sendmail flags: silently accepted */ ;
	} else {
	    argv_add(opts->warnings, arg);
	}
    }
    for (; i < argc; i++)
	argv_add(opts->rcpts, argv[i]);
    return (0);
}

/* submit_opts_free - release what submit_parse_args() allocated */

void
submit_opts_free(struct submit_opts *opts)
{
    if (opts->rcpts)
	argv_free(opts->rcpts);
    if (opts->warnings)
	argv_free(opts->warnings);
    opts->rcpts = opts->warnings = 0;
}
