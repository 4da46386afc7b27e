/*
 * cmd_queue.c - `postern queue [--json]`: list every message in the
 *	queue, like Postfix's mailq / `postqueue -p` and `postqueue -j`.
 *
 * The queue is read directly (queue_scan.c), so the listing works while
 * the daemons are down: incoming, active (ID marked '*'), deferred, hold
 * (marked '!') and maildrop, each sorted by queue ID (arrival order).
 * Recipients already delivered are not shown; deferred ones carry their
 * delay reason from the deferred-reason log. A damaged queue file is
 * listed as damaged, with the reader's reason; it never stops the
 * listing. Every byte that came from outside is made safe for the
 * terminal (text) or escaped (JSON); see docs/queue-admin.md.
 *
 * Other users cannot read the queue directories: their `postern queue`
 * asks the showq service (public/showq, showq/showq.c) instead, which
 * checks authorized_mailq_users and sends the same listing.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "mail_queue.h"
#include "mail_params.h"
#include "queue_file.h"
#include "queue_scan.h"
#include "queue_select.h"
#include "unix_sock.h"
#include "admin.h"
#include "submit.h"

 /*
  * Postfix's mailq layout for long queue IDs (showq_compat.c), which is
  * what ours are: a 17-column ID, so that "ID*" of up to 16 characters
  * keeps the columns aligned.
  */
#define CQ_STRING_FMT	"%-17s %8s %-19s %s\n"
#define CQ_SENDER_FMT	"%-17s %8lld %19.19s %s\n"
#define CQ_HEADINGS	"----Queue ID-----", "--Size--", \
			"---Arrival Time----", "--Sender/Recipient------"
#define CQ_REASON_COL	76		/* reasons end here when they fit */
#define CQ_NULL_SENDER	"MAILER-DAEMON"

#define CQ_SHOWQ_TIMEOUT 60		/* seconds per showq read */
#define CQ_SHOWQ_LINE	4096		/* bytes copied at a time */

 /*
  * State of one listing.
  */
struct cq_state {
    const char *queue_dir;
    int     json;
    struct vstream *out;
    unsigned long count;		/* messages listed */
    unsigned long long bytes;		/* their sizes */
    struct queue_scan_msg msg;
    struct vstr *buf;			/* one output line or object */
    struct vstr *tmp;			/* one quoted field */
    const struct queue_select *sel;	/* or NULL: every message */
    time_t  now;
};

/* cq_utf8_len - length of the valid UTF-8 sequence at s; 0 when invalid */

static size_t
cq_utf8_len(const unsigned char *s, size_t left, unsigned long *cp)
{
    unsigned long c;
    size_t  n;
    size_t  i;

    if (s[0] < 0x80) {
	*cp = s[0];
	return (1);
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
	n = 2, c = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
	n = 3, c = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
	n = 4, c = s[0] & 0x07;
    else
	return (0);
    if (left < n)
	return (0);
    for (i = 1; i < n; i++) {
	if ((s[i] & 0xc0) != 0x80)
	    return (0);
	c = (c << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff))
	|| (c >= 0xd800 && c <= 0xdfff))
	return (0);				/* overlong, surrogate, too big */
    *cp = c;
    return (n);
}

/* cmd_queue_json_quote - append data as the inside of a JSON string */

void
cmd_queue_json_quote(struct vstr *out, const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *) data;
    unsigned long cp;
    size_t  n;
    size_t  i;

    for (i = 0; i < len; i += n) {
	if ((n = cq_utf8_len(s + i, len - i, &cp)) == 0) {
	    vstr_strcat(out, "\\ufffd");	/* invalid byte */
	    n = 1;
	} else if (cp == '"' || cp == '\\') {
	    vstr_addch(out, '\\');
	    vstr_addch(out, (int) cp);
	} else if (cp == '\n') {
	    vstr_strcat(out, "\\n");
	} else if (cp == '\r') {
	    vstr_strcat(out, "\\r");
	} else if (cp == '\t') {
	    vstr_strcat(out, "\\t");
	} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)
		   || cp == 0x2028 || cp == 0x2029) {
	    vstr_sprintf_append(out, "\\u%04lx", cp);
	} else {
	    vstr_memcat(out, s + i, n);
	}
    }
}

/* cmd_queue_printable - append text safe for a terminal */

void
cmd_queue_printable(struct vstr *out, const char *data)
{
    const unsigned char *s = (const unsigned char *) data;
    size_t  len = strlen(data);
    unsigned long cp;
    size_t  n;
    size_t  i;

    for (i = 0; i < len; i += n) {
	if ((n = cq_utf8_len(s + i, len - i, &cp)) == 0)
	    n = 1, cp = 0;			/* invalid byte */
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
	    vstr_addch(out, '?');
	else
	    vstr_memcat(out, s + i, n);
    }
}

/* cq_safe - text made safe in st->tmp */

static const char *
cq_safe(struct cq_state *st, const char *text)
{
    vstr_reset(st->tmp);
    cmd_queue_printable(st->tmp, text);
    return (vstr_str(st->tmp));
}

/* cq_id_status - queue ID with Postfix's mark for the queue */

static void
cq_id_status(struct vstr *out, const char *queue_name, const char *queue_id)
{
    vstr_strcpy(out, queue_id);
    if (strcmp(queue_name, MAIL_QUEUE_ACTIVE) == 0)
	vstr_addch(out, '*');
    else if (strcmp(queue_name, MAIL_QUEUE_HOLD) == 0)
	vstr_addch(out, '!');
}

/* cq_time - "Sun Nov 29 10:41:36" (asctime without the year) */

static void
cq_time(char *buf, size_t size, time_t when)
{
    struct tm tm;

    if (localtime_r(&when, &tm) == 0
	|| strftime(buf, size, "%a %b %e %H:%M:%S", &tm) == 0)
	(void) snprintf(buf, size, "%s", "-");
}

/* cq_text_rcpts - the recipients still to deliver, with reason lines */

static void
cq_text_rcpts(struct cq_state *st)
{
    const struct queue_env *env = &st->msg.env;
    const char *saved = "";
    const char *reason;
    const char *show;
    int     pad;
    size_t  i;

    for (i = 0; i < env->rcpt_count; i++) {
	if (env->rcpt[i].done)
	    continue;
	reason = st->msg.reason[i] ? st->msg.reason[i] : "";
	if (strcmp(saved, reason) != 0) {
	    saved = reason;
	    show = *reason ? cq_safe(st, reason) : "reason unavailable";
	    if ((pad = CQ_REASON_COL - (int) strlen(show)) < 0)
		pad = 0;
	    vstr_sprintf_append(st->buf, "%*s(%s)\n", pad, "", show);
	}
	vstr_sprintf_append(st->buf, CQ_STRING_FMT, "", "", "",
			    cq_safe(st, env->rcpt[i].address));
    }
}

/* cq_text - one message in mailq format */

static void
cq_text(struct cq_state *st, const char *queue_name, const char *queue_id,
	        int status)
{
    struct vstr *id = vstr_alloc(32);
    struct timeval tv;
    char    when[64];

    cq_id_status(id, queue_name, queue_id);
    if (status == QUEUE_SCAN_OK) {
	cq_time(when, sizeof(when), st->msg.env.arrival.tv_sec);
	vstr_sprintf_append(st->buf, CQ_SENDER_FMT, vstr_str(id),
			    st->msg.env.size, when,
			    *st->msg.env.sender ?
			    cq_safe(st, st->msg.env.sender) : CQ_NULL_SENDER);
	cq_text_rcpts(st);
    } else {
	if (mail_queue_id_time(queue_id, &tv) < 0)
	    (void) snprintf(when, sizeof(when), "%s", "-");
	else
	    cq_time(when, sizeof(when), tv.tv_sec);
	vstr_sprintf_append(st->buf, "%-17s %8s %19.19s (damaged queue file:"
			    " %s)\n", vstr_str(id), "-", when,
			    cq_safe(st, vstr_str(st->msg.error)));
    }
    vstr_free(id);
}

/* cq_json_str - append "name": "quoted value" */

static void
cq_json_str(struct vstr *out, const char *name, const char *value)
{
    vstr_sprintf_append(out, "\"%s\": \"", name);
    cmd_queue_json_quote(out, value, strlen(value));
    vstr_addch(out, '"');
}

/* cq_json - one message as one JSON object on one line */

static void
cq_json(struct cq_state *st, const char *queue_name, const char *queue_id,
	        int status)
{
    const struct queue_env *env = &st->msg.env;
    struct timeval tv;
    int     first = 1;
    size_t  i;

    vstr_addch(st->buf, '{');
    cq_json_str(st->buf, "queue_name", queue_name);
    vstr_strcat(st->buf, ", ");
    cq_json_str(st->buf, "queue_id", queue_id);
    if (status != QUEUE_SCAN_OK) {
	if (mail_queue_id_time(queue_id, &tv) < 0)
	    tv.tv_sec = 0;
	vstr_sprintf_append(st->buf, ", \"arrival_time\": %lld, \"message_size\":"
			    " 0, \"sender\": \"\", \"recipients\": [], ",
			    (long long) tv.tv_sec);
	cq_json_str(st->buf, "error", vstr_str(st->msg.error));
	vstr_strcat(st->buf, "}\n");
	return;
    }
    vstr_sprintf_append(st->buf, ", \"arrival_time\": %lld, \"message_size\":"
			" %lld, ", (long long) env->arrival.tv_sec, env->size);
    cq_json_str(st->buf, "sender", env->sender);
    vstr_strcat(st->buf, ", \"recipients\": [");
    for (i = 0; i < env->rcpt_count; i++) {
	if (env->rcpt[i].done)
	    continue;
	vstr_strcat(st->buf, first ? "{" : ", {");
	first = 0;
	cq_json_str(st->buf, "address", env->rcpt[i].address);
	if (st->msg.reason[i] && *st->msg.reason[i]) {
	    vstr_strcat(st->buf, ", ");
	    cq_json_str(st->buf, "delay_reason", st->msg.reason[i]);
	}
	vstr_addch(st->buf, '}');
    }
    vstr_strcat(st->buf, "]}\n");
}

/* cq_one - queue_scan_walk() callback: list one queue file */

static int
cq_one(const char *queue_name, int dir_fd, const char *queue_id, void *ctx)
{
    struct cq_state *st = ctx;
    int     status;

    if ((status = queue_scan_load(st->queue_dir, dir_fd, queue_id,
				  &st->msg)) == QUEUE_SCAN_GONE)
	return (0);				/* moved or removed meanwhile */
    if (st->sel && !queue_select_match(st->sel, queue_name, queue_id, status,
				       &st->msg, st->now))
	return (0);
    vstr_reset(st->buf);
    if (st->json) {
	cq_json(st, queue_name, queue_id, status);
    } else {
	if (st->count == 0)
	    vstr_sprintf(st->buf, CQ_STRING_FMT, CQ_HEADINGS);
	else
	    vstr_addch(st->buf, '\n');
	cq_text(st, queue_name, queue_id, status);
    }
    st->count++;
    if (status == QUEUE_SCAN_OK && st->msg.env.size > 0)
	st->bytes += (unsigned long long) st->msg.env.size;
    if (vstream_write(st->out, vstr_str(st->buf), vstr_len(st->buf)) < 0
	|| vstream_flush(st->out) < 0)
	return (-2);
    return (0);
}

/* cmd_queue_list - list every queue on out; 0, or -1 with why */

int
cmd_queue_list(const char *queue_dir, int json, struct vstream *out,
	               struct vstr *why)
{
    return (cmd_queue_select(queue_dir, json, 0, out, why));
}

/* cmd_queue_select - list the messages that sel selects (NULL: all) */

int
cmd_queue_select(const char *queue_dir, int json,
		         const struct queue_select *sel,
		         struct vstream *out, struct vstr *why)
{
    struct cq_state st;
    int     ret = 0;
    int     i;

    memset(&st, 0, sizeof(st));
    st.queue_dir = queue_dir;
    st.json = json;
    st.out = out;
    st.sel = (sel && sel->any) ? sel : 0;
    st.now = time((time_t *) 0);
    st.buf = vstr_alloc(1024);
    st.tmp = vstr_alloc(100);
    queue_scan_msg_init(&st.msg);
    for (i = 0; ret == 0 && queue_scan_list_queues[i]; i++)
	if (st.sel == 0 || (queue_select_queue(st.sel, queue_scan_list_queues[i])
		       && strcmp(queue_scan_list_queues[i], MAIL_QUEUE_MAILDROP)))
	    ret = queue_scan_walk(queue_dir, queue_scan_list_queues[i], cq_one,
			      &st, why);
    if (ret == -2)
	ret = vstr_fail(why, "write error: %s", strerror(errno));
    if (ret == 0 && !json) {
	if (st.count == 0)
	    vstr_strcpy(st.buf, "Mail queue is empty\n");
	else
	    vstr_sprintf(st.buf, "\n-- %llu Kbytes in %lu Request%s.\n",
			 st.bytes / 1024, st.count, st.count == 1 ? "" : "s");
	if (vstream_write(out, vstr_str(st.buf), vstr_len(st.buf)) < 0
	    || vstream_flush(out) < 0)
	    ret = vstr_fail(why, "write error: %s", strerror(errno));
    }
    queue_scan_msg_free(&st.msg);
    vstr_free(st.buf);
    vstr_free(st.tmp);
    return (ret);
}

/* cq_is_admin - 1 when the caller is root or mail_owner */

static int
cq_is_admin(void)
{
    struct passwd *pw;

    return (geteuid() == 0 || ((pw = getpwnam(var_mail_owner)) != 0
			       && pw->pw_uid == geteuid()));
}

/* cq_showq_copy - copy the showq reply to stdout (refusal: stderr) */

static int
cq_showq_copy(struct vstream *sp)
{
    struct vstr *line = vstr_alloc(256);
    int     first = 1;
    int     refused = 0;
    int     st;

    while ((st = vstream_read_line(sp, line, CQ_SHOWQ_LINE)) == VSTREAM_OK
	   || st == VSTREAM_TOOLONG) {
	if (first && strncmp(vstr_str(line), "postern: ", 9) == 0)
	    refused = 1;
	first = 0;
	if (fwrite(vstr_str(line), 1, vstr_len(line),
		   refused ? stderr : stdout) != vstr_len(line))
	    break;
    }
    vstr_free(line);
    if (fflush(stdout) != 0 || first || (st != VSTREAM_EOF && !refused)) {
	fprintf(stderr, "postern: fatal: cannot read the listing from the"
		" showq service\n");
	return (1);
    }
    return (refused);
}

/* cq_showq_postdrop - run `postern-postdrop -Q text|json`; exit status */

static int
cq_showq_postdrop(int json)
{
    struct vstr *path = vstr_alloc(100);
    char   *args[6];
    char   *envp[1];
    pid_t   pid;
    int     status;

    submit_drop_path(path);
    args[0] = (char *) "postern-postdrop";
    args[1] = (char *) "-c";
    args[2] = (char *) admin_config_dir;
    args[3] = (char *) "-Q";
    args[4] = (char *) (json ? "json" : "text");
    args[5] = 0;
    envp[0] = 0;
    fflush(stdout);
    if ((pid = fork()) < 0) {
	fprintf(stderr, "postern: fatal: fork: %s\n", strerror(errno));
	vstr_free(path);
	return (1);
    }
    if (pid == 0) {
	execve(vstr_str(path), args, envp);
	fprintf(stderr, "postern: cannot run %s: %s\n", vstr_str(path),
		strerror(errno));
	_exit(1);
    }
    vstr_free(path);
    while (waitpid(pid, &status, 0) < 0)
	if (errno != EINTR)
	    return (1);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
	return (0);
    fprintf(stderr, "postern: the queue can be listed by root and"
	    " mail_owner (%s), or through the showq service when the"
	    " mail system runs\n", var_mail_owner);
    return (1);
}

/* cq_showq - unprivileged: list through public/showq; exit status */

static int
cq_showq(const char *queue_dir, int json)
{
    struct vstr *path = vstr_alloc(100);
    struct vstream *sp;
    int     fd;
    int     ret = 1;

    vstr_sprintf(path, "%s/%s/showq", queue_dir, MAIL_QUEUE_PUBLIC);
    if ((fd = unix_connect(vstr_str(path), CQ_SHOWQ_TIMEOUT)) < 0
	&& errno == EACCES) {
	/* Outside setgid_group: the set-gid postdrop reaches showq. */
	vstr_free(path);
	return (cq_showq_postdrop(json));
    }
    if (fd < 0) {
	fprintf(stderr, "postern: cannot connect to %s: %s\n",
		vstr_str(path), strerror(errno));
	fprintf(stderr, "postern: the queue can be listed by root and"
		" mail_owner (%s), or through the showq service when the"
		" mail system runs\n", var_mail_owner);
	if (errno == EACCES)
	    fprintf(stderr, "postern: %s/ is reachable by members of"
		    " setgid_group (%s) only\n", MAIL_QUEUE_PUBLIC,
		    var_setgid_group);
	vstr_free(path);
	return (1);
    }
    sp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_timeout(sp, CQ_SHOWQ_TIMEOUT);
    if (vstream_puts(sp, json ? "json\n" : "text\n") < 0
	|| vstream_flush(sp) < 0)
	fprintf(stderr, "postern: fatal: cannot send to %s: %s\n",
		vstr_str(path), strerror(errno));
    else
	ret = cq_showq_copy(sp);
    (void) vstream_close(sp);
    vstr_free(path);
    return (ret);
}

/* cmd_queue_main - `postern queue [SELECTORS] [--json]` */

int
cmd_queue_main(int argc, char **argv)
{
    struct queue_select sel;
    struct vstream *out;
    struct vstr *why = vstr_alloc(100);
    const char *qdir;
    int     ret = 1;

    queue_select_init(&sel);
    if (argc == 2 && strcmp(argv[1], "-j") == 0)
	sel.json = 1;
    else if (queue_select_parse(&sel, argc, argv, why) < 0 || sel.nargs
	     || sel.dry_run) {
	if (vstr_len(why))
	    fprintf(stderr, "postern: %s\n", vstr_str(why));
	fprintf(stderr, "usage: postern queue [--from ADDR] [--to ADDR]"
		" [--domain DOMAIN] [--older-than AGE] [--status QUEUE]"
		" [--reason REGEX] [--json]\n");
	ret = 2;
	goto out;
    }
    if ((qdir = queue_scan_config(0)) == 0)
	goto out;
    if (!cq_is_admin()) {
	if (sel.any) {
	    fprintf(stderr, "postern: fatal: selectors need root or"
		    " mail_owner (%s)\n", var_mail_owner);
	    goto out;
	}
	ret = cq_showq(qdir, sel.json);
	goto out;
    }
    out = vstream_fdopen(STDOUT_FILENO, VSTREAM_WRITE);
    if ((ret = cmd_queue_select(qdir, sel.json, &sel, out, why)) < 0) {
	int     saved = errno;

	fprintf(stderr, "postern: fatal: cannot list the queue: %s\n",
		vstr_str(why));
	if (saved == EACCES)
	    fprintf(stderr, "postern: the queue is readable by root and"
		    " mail_owner (%s) only; you are uid %ld\n",
		    var_mail_owner, (long) geteuid());
    }
    vstream_free(out);
    ret = (ret < 0 ? 1 : 0);
out:
    queue_select_free(&sel);
    vstr_free(why);
    return (ret);
}
