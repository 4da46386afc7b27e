/*
 * sendmail.c - postern-sendmail, the sendmail(1)-compatible front end of
 * local submission (SPEC section 8, docs/submission.md).
 *
 * It runs with the caller's privileges only. It reads the message from
 * standard input (or an SMTP conversation with -bs), works out the
 * envelope (-f, -t, command-line recipients, DSN options), and hands
 * everything to the set-gid helper postern-postdrop (submit_drop.c),
 * which decides whether the caller may choose the sender. -bp, -bi and
 * -q, and the names mailq and newaliases, run the postern command.
 * The configuration directory comes only from POSTERN_CONFIG, or from
 * -C when the caller is root. Exit codes follow sysexits.h.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "header_parse.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "queue_file.h"
#include "submit.h"

#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR "/usr/local/etc/postern"
#endif

#define SENDMAIL_RCPT_MAX	10000	/* postdrop applies the real limit */
#define SENDMAIL_HDR_MAX	(1024 * 1024)

struct sendmail_hdrs {
    struct argv *rcpts;			/* -t: To/Cc/Bcc */
    int     have_from;
    int     too_many;
};

/* sendmail_die - one line on stderr and exit */

static NORETURN PRINTFLIKE(2, 3)
sendmail_die(int status, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "postern-sendmail: fatal: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

/* sendmail_run_postern - mailq, newaliases, -q: exec postern */

static NORETURN
sendmail_run_postern(int mode, const char *config_dir)
{
    struct vstr *path = vstr_alloc(100);
    char   *args[6];
    int     i = 0;

    submit_prog_path(path, "postern");
    args[i++] = (char *) "postern";
    args[i++] = (char *) "-c";
    args[i++] = (char *) config_dir;
    args[i++] = (char *) (mode == SUBMIT_MODE_MAILQ ? "queue" :
			  mode == SUBMIT_MODE_ALIASES ? "aliases" : "flush");
    args[i] = 0;
    execv(vstr_str(path), args);
    sendmail_die(EX_UNAVAILABLE, "cannot run %s: %s", vstr_str(path),
		 strerror(errno));
}

/* sendmail_hdr - one logical header of the message */

static void
sendmail_hdr(const char *hdr, size_t len, size_t name_len, void *ctx)
{
    struct sendmail_hdrs *h = ctx;
    size_t  val = header_parse_value(hdr, len);

    (void) name_len;
    if (header_parse_name_eq(hdr, len, "from"))
	h->have_from = 1;
    else if (h->rcpts && (header_parse_name_eq(hdr, len, "to")
			  || header_parse_name_eq(hdr, len, "cc")
			  || header_parse_name_eq(hdr, len, "bcc"))
	     && submit_hdr_rcpts(hdr + val, len - val, h->rcpts,
				 SENDMAIL_RCPT_MAX) < 0)
	h->too_many = 1;
}

/* sendmail_scan_headers - -t recipients, is there a From:? */

static void
sendmail_scan_headers(struct vstr *content, struct sendmail_hdrs *h)
{
    struct header_parse *hp;
    const char *cp = vstr_str(content);
    const char *end = cp + vstr_len(content);
    const char *nl;

    hp = header_parse_create(SENDMAIL_HDR_MAX, sendmail_hdr, h);
    while (cp < end) {
	if ((nl = memchr(cp, '\n', (size_t) (end - cp))) == 0)
	    nl = end;
	if (header_parse_line(hp, cp, (size_t) (nl - cp)) != HEADER_PARSE_OK)
	    break;
	cp = nl + 1;
    }
    header_parse_end(hp);
    header_parse_free(hp);
    if (h->too_many)
	sendmail_die(EX_DATAERR, "bad, too long or too many recipient addresses in the headers");
}

/* sendmail_read - the message from stdin, "\n" between lines */

static struct vstr *
sendmail_read(int ignore_dots)
{
    struct vstream *fp = vstream_fdopen(0, VSTREAM_READ);
    struct vstr *content = vstr_alloc(4096);
    struct vstr *line = vstr_alloc(1024);
    int     st;
    int     at_start = 1;

    while ((st = vstream_read_line(fp, line, QUEUE_LINE_CHUNK)) == VSTREAM_OK
	   || st == VSTREAM_TOOLONG) {
	size_t  len = vstr_len(line);
	int     complete = len > 0 && vstr_str(line)[len - 1] == '\n';

	if (complete && --len > 0 && vstr_str(line)[len - 1] == '\r')
	    len--;
	if (at_start && complete && !ignore_dots && len == 1
	    && vstr_str(line)[0] == '.')
	    break;
	vstr_memcat(content, vstr_str(line), len);
	if (complete)
	    vstr_addch(content, '\n');
	at_start = complete;
	if (var_message_limit > 0
	    && vstr_len(content) > (size_t) var_message_limit)
	    sendmail_die(EX_DATAERR, "message too large (message_size_limit %ld)",
			 var_message_limit);
    }
    if (st != VSTREAM_OK && st != VSTREAM_EOF)
	sendmail_die(EX_IOERR, "error reading the message");
    if (vstr_len(content) > 0 && vstr_str(content)[vstr_len(content) - 1] == '\n')
	vstr_truncate(content, vstr_len(content) - 1);
    vstr_free(line);
    vstream_free(fp);
    return (content);
}

/* sendmail_add_from - -F: a From: header when the message has none */

static void
sendmail_add_from(struct vstr *content, const char *name, const char *sender)
{
    struct vstr *hdr = vstr_alloc(100);
    const char *cp;

    vstr_strcpy(hdr, "From: \"");
    for (cp = name; *cp; cp++) {
	if ((unsigned char) *cp < 0x20 || *cp == 0x7f)
	    sendmail_die(EX_USAGE, "control character in -F value");
	if (*cp == '"' || *cp == '\\')
	    vstr_addch(hdr, '\\');
	vstr_addch(hdr, *cp);
    }
    vstr_sprintf_append(hdr, "\" <%s>\n", sender);
    vstr_memcat(hdr, vstr_str(content), vstr_len(content));
    vstr_memcpy(content, vstr_str(hdr), vstr_len(hdr));
    vstr_free(hdr);
}

/* sendmail_default_sender - login@myorigin */

static char *
sendmail_default_sender(void)
{
    struct passwd *pw;
    struct vstr *buf = vstr_alloc(100);

    if ((pw = getpwuid(getuid())) == 0)
	sendmail_die(EX_NOUSER, "no user name for uid %ld", (long) getuid());
    vstr_sprintf(buf, "%s@%s", pw->pw_name, var_myorigin);
    return (vstr_export(buf));
}

/* sendmail_send - the default mode: read, build the envelope, submit */

static int
sendmail_send(struct submit_opts *opts, struct submit_msg *msg,
	              const char *config_dir)
{
    struct sendmail_hdrs hdrs;
    struct vstr *why = vstr_alloc(100);
    size_t  i;
    int     status;

    msg->content = sendmail_read(opts->ignore_dots);
    memset(&hdrs, 0, sizeof(hdrs));
    hdrs.rcpts = opts->extract ? argv_alloc(4) : 0;
    sendmail_scan_headers(msg->content, &hdrs);
    msg->rcpts = argv_alloc(4);
    for (i = 0; i < opts->rcpts->argc; i++)
	argv_add(msg->rcpts, opts->rcpts->argv[i]);
    for (i = 0; hdrs.rcpts && i < hdrs.rcpts->argc; i++)
	argv_add(msg->rcpts, hdrs.rcpts->argv[i]);
    if (msg->rcpts->argc == 0)
	sendmail_die(EX_USAGE, "no recipients specified");
    if (opts->fullname && !hdrs.have_from)
	sendmail_add_from(msg->content, opts->fullname, msg->sender);
    if ((status = submit_drop(msg, config_dir, why)) != EX_OK)
	sendmail_die(status, "%s", vstr_str(why));
    return (EX_OK);
}

/* main - options, configuration, mode */

int
main(int argc, char **argv)
{
    struct submit_opts opts;
    struct submit_msg msg;
    struct vstr *why = vstr_alloc(100);
    const char *config_dir;
    const char *env_dir;
    size_t  i;

    if (submit_parse_args(argc, argv, &opts, why) < 0)
	sendmail_die(EX_USAGE, "%s", vstr_str(why));
    for (i = 0; i < opts.warnings->argc; i++)
	fprintf(stderr, "postern-sendmail: warning: ignoring option %s\n",
		opts.warnings->argv[i]);
    env_dir = getenv("POSTERN_CONFIG");
    config_dir = env_dir && *env_dir ? env_dir : 0;
    if (opts.config_dir) {
	if (getuid() != 0)
	    sendmail_die(EX_NOPERM, "-C is allowed for root only (use POSTERN_CONFIG)");
	config_dir = opts.config_dir;
    }
    if (mail_conf_read(config_dir ? config_dir : DEF_CONFIG_DIR, why) < 0)
	sendmail_die(EX_CONFIG, "%s", vstr_str(why));
    mail_params_init();
    if (opts.mode == SUBMIT_MODE_MAILQ || opts.mode == SUBMIT_MODE_ALIASES
	|| opts.mode == SUBMIT_MODE_FLUSH)
	sendmail_run_postern(opts.mode, config_dir ? config_dir : DEF_CONFIG_DIR);

    memset(&msg, 0, sizeof(msg));
    msg.sender = opts.sender ? opts.sender : sendmail_default_sender();
    msg.notify = opts.notify;
    msg.ret = opts.ret;
    msg.envid = opts.envid;
    if (opts.mode == SUBMIT_MODE_SMTP)
	return (submit_smtp(vstream_fdopen(0, VSTREAM_READ),
			    vstream_fdopen(1, VSTREAM_WRITE), &msg,
			    config_dir));
    return (sendmail_send(&opts, &msg, config_dir));
}
