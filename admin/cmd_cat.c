/*
 * cmd_cat.c - `postern cat [--json] QUEUEID`: show one queued message,
 *	like Postfix's postcat -q: the envelope, then the content (headers
 *	and body) verbatim.
 *
 * The message is looked up in incoming, active, deferred and hold (a
 * message being delivered can be shown: the file is only read). The
 * file is read with the hostile-input queue reader: a damaged file is
 * shown up to the damage, then the reason. Envelope strings are made
 * printable (cmd_queue_printable) or JSON-quoted (cmd_queue_json_quote);
 * the content is copied as it is, as postcat does. Only root and
 * mail_owner (the queue is theirs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "mail_queue.h"
#include "queue_file.h"
#include "queue_scan.h"
#include "admin.h"

 /*
  * One envelope field: label for the text form, name for JSON.
  */
struct cc_field {
    const char *label;
    const char *value;
};

/* cc_open - find and open id's file; its fd and queue, or -1 */

static int
cc_open(const char *queue_dir, const char *id, const char **queue_name)
{
    struct stat sb;
    int     dfd;
    int     fd;
    int     i;

    for (i = 0; queue_scan_admin_queues[i]; i++) {
	if ((dfd = queue_scan_dir(queue_dir, queue_scan_admin_queues[i],
				  id)) < 0)
	    continue;
	fd = openat(dfd, id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	(void) close(dfd);
	if (fd < 0 && errno == ELOOP) {		/* a symbolic link */
	    errno = EINVAL;
	    return (-1);
	}
	if (fd < 0)
	    continue;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
	    (void) close(fd);
	    errno = EINVAL;
	    return (-1);
	}
	*queue_name = queue_scan_admin_queues[i];
	return (fd);
    }
    errno = ENOENT;
    return (-1);
}

/* cc_fields - the optional envelope strings */

static size_t
cc_fields(const struct queue_env *env, struct cc_field *f)
{
    size_t  n = 0;

    f[n].label = "client_name", f[n++].value = env->client_name;
    f[n].label = "client_address", f[n++].value = env->client_addr;
    f[n].label = "helo_name", f[n++].value = env->helo;
    f[n].label = "protocol", f[n++].value = env->protocol;
    f[n].label = "sasl_username", f[n++].value = env->sasl_user;
    f[n].label = "dsn_envid", f[n++].value = env->dsn_envid;
    return (n);
}

/* cc_notify - DSN NOTIFY as text */

static void
cc_notify(struct vstr *out, int notify)
{
    if (notify & QUEUE_NOTIFY_NEVER)
	vstr_strcat(out, "NEVER");
    if (notify & QUEUE_NOTIFY_SUCCESS)
	vstr_strcat(out, vstr_len(out) ? ",SUCCESS" : "SUCCESS");
    if (notify & QUEUE_NOTIFY_FAILURE)
	vstr_strcat(out, vstr_len(out) ? ",FAILURE" : "FAILURE");
    if (notify & QUEUE_NOTIFY_DELAY)
	vstr_strcat(out, vstr_len(out) ? ",DELAY" : "DELAY");
}

/* cc_jstr - append "name": "value" */

static void
cc_jstr(struct vstr *out, const char *name, const char *value)
{
    vstr_sprintf_append(out, ", \"%s\": \"", name);
    cmd_queue_json_quote(out, value, strlen(value));
    vstr_addch(out, '"');
}

/* cc_json - the envelope as one JSON object */

static void
cc_json(struct vstr *out, const char *qname, const char *id,
	        const struct queue_env *env)
{
    struct cc_field f[8];
    struct vstr *tmp = vstr_alloc(40);
    size_t  n = cc_fields(env, f);
    size_t  i;

    vstr_sprintf(out, "{\"queue_name\": \"%s\", \"queue_id\": \"%s\","
		 " \"arrival_time\": %lld, \"message_size\": %lld", qname, id,
		 (long long) env->arrival.tv_sec, env->size);
    cc_jstr(out, "sender", env->sender);
    for (i = 0; i < n; i++)
	if (f[i].value)
	    cc_jstr(out, f[i].label, f[i].value);
    if (env->dsn_ret)
	cc_jstr(out, "dsn_ret", env->dsn_ret == QUEUE_RET_FULL ? "FULL" : "HDRS");
    vstr_sprintf_append(out, ", \"8bitmime\": %s, \"smtputf8\": %s,"
			" \"recipients\": [",
			(env->flags & QUEUE_FLAG_8BITMIME) ? "true" : "false",
			(env->flags & QUEUE_FLAG_SMTPUTF8) ? "true" : "false");
    for (i = 0; i < env->rcpt_count; i++) {
	vstr_strcat(out, i ? ", {\"address\": \"" : "{\"address\": \"");
	cmd_queue_json_quote(out, env->rcpt[i].address,
			     strlen(env->rcpt[i].address));
	vstr_addch(out, '"');
	if (env->rcpt[i].orcpt)
	    cc_jstr(out, "orcpt", env->rcpt[i].orcpt);
	vstr_reset(tmp);
	cc_notify(tmp, env->rcpt[i].notify);
	if (vstr_len(tmp))
	    cc_jstr(out, "notify", vstr_str(tmp));
	vstr_sprintf_append(out, ", \"done\": %s}",
			    env->rcpt[i].done ? "true" : "false");
    }
    vstr_strcat(out, "]}\n");
    vstr_free(tmp);
}

/* cc_line - append "label: value" with value made printable */

static void
cc_line(struct vstr *out, const char *label, const char *value)
{
    vstr_sprintf_append(out, "%s: ", label);
    cmd_queue_printable(out, value);
    vstr_addch(out, '\n');
}

/* cc_text - the envelope in postcat style */

static void
cc_text(struct vstr *out, const char *qname, const char *id,
	        const struct queue_env *env)
{
    struct cc_field f[8];
    struct vstr *tmp = vstr_alloc(40);
    size_t  n = cc_fields(env, f);
    time_t  when = env->arrival.tv_sec;
    char    tbuf[64];
    size_t  i;

    if (strftime(tbuf, sizeof(tbuf), "%a %b %e %H:%M:%S %Y",
		 localtime(&when)) == 0)
	tbuf[0] = 0;
    vstr_sprintf(out, "*** ENVELOPE RECORDS %s/%s ***\n", qname, id);
    vstr_sprintf_append(out, "message_size: %lld\nmessage_arrival_time: %s\n",
			env->size, tbuf);
    for (i = 0; i < n; i++)
	if (f[i].value)
	    cc_line(out, f[i].label, f[i].value);
    if (env->dsn_ret)
	cc_line(out, "dsn_ret", env->dsn_ret == QUEUE_RET_FULL ? "FULL" : "HDRS");
    if (env->flags & QUEUE_FLAG_8BITMIME)
	cc_line(out, "body_type", "8BITMIME");
    if (env->flags & QUEUE_FLAG_SMTPUTF8)
	cc_line(out, "smtputf8", "yes");
    cc_line(out, "sender", *env->sender ? env->sender : "MAILER-DAEMON");
    for (i = 0; i < env->rcpt_count; i++) {
	if (env->rcpt[i].orcpt)
	    cc_line(out, "original_recipient", env->rcpt[i].orcpt);
	vstr_reset(tmp);
	cc_notify(tmp, env->rcpt[i].notify);
	if (vstr_len(tmp))
	    cc_line(out, "notify", vstr_str(tmp));
	cc_line(out, env->rcpt[i].done ? "done_recipient" : "recipient",
		env->rcpt[i].address);
    }
    vstr_sprintf_append(out, "*** MESSAGE CONTENTS %s/%s ***\n", qname, id);
    vstr_free(tmp);
}

/* cc_content - copy the content lines to out; 0 or -1 with why */

static int
cc_content(struct queue_reader *r, struct vstream *out, struct vstr *why)
{
    struct vstr *line = vstr_alloc(QUEUE_LINE_CHUNK);
    int     rc;

    while ((rc = queue_read_line(r, line, QUEUE_LINE_CHUNK, why))
	   != QUEUE_END) {
	if (rc == QUEUE_ERR)
	    break;
	if (vstream_write(out, vstr_str(line), vstr_len(line)) < 0
	    || (rc == QUEUE_LINE && vstream_write(out, "\n", 1) < 0)) {
	    rc = vstr_fail(why, "write error: %s", strerror(errno));
	    break;
	}
    }
    vstr_free(line);
    return (rc == QUEUE_END ? 0 : -1);
}

/* cc_show - print one open queue file; 0 or -1 with why */

static int
cc_show(int fd, const char *qname, const char *id, int json,
	        struct vstream *out, struct vstr *why)
{
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_READ);
    struct queue_reader *r = queue_read_stream(fp);
    struct vstr *buf = vstr_alloc(1024);
    struct queue_env env;
    int     ret = -1;

    queue_env_init(&env);
    if (queue_read_envelope(r, &env, why) == 0) {
	if (json)
	    cc_json(buf, qname, id, &env);
	else
	    cc_text(buf, qname, id, &env);
	if (vstream_write(out, vstr_str(buf), vstr_len(buf)) < 0)
	    (void) vstr_fail(why, "write error: %s", strerror(errno));
	else if (json || cc_content(r, out, why) == 0)
	    ret = 0;
	if (!json && vstream_puts(out, ret == 0 ? "*** END OF MESSAGE ***\n" :
				  "*** DAMAGED: the rest is not shown ***\n") < 0)
	    ret = -1;
    }
    if (vstream_flush(out) < 0 && ret == 0)
	ret = vstr_fail(why, "write error: %s", strerror(errno));
    queue_env_free(&env);
    queue_read_close(r);
    (void) vstream_close(fp);
    vstr_free(buf);
    return (ret);
}

/* cmd_cat_main - `postern cat [--json] QUEUEID` */

int
cmd_cat_main(int argc, char **argv)
{
    struct vstream *out;
    struct vstr *why;
    const char *qdir;
    const char *qname = 0;
    const char *id;
    int     json = 0;
    int     fd;
    int     ret;

    if (argc == 3 && strcmp(argv[1], "--json") == 0)
	json = 1;
    if (argc != 2 + json || *argv[1 + json] == '-') {
	fprintf(stderr, "usage: postern cat [--json] QUEUEID\n");
	return (2);
    }
    id = argv[1 + json];
    if (!mail_queue_id_ok(id)) {
	fprintf(stderr, "postern: fatal: invalid queue ID\n");
	return (1);
    }
    if ((qdir = queue_scan_config(1)) == 0)
	return (1);
    if ((fd = cc_open(qdir, id, &qname)) < 0) {
	fprintf(stderr, "postern: fatal: %s: %s\n", id, errno == ENOENT ?
		"not in the queue" : "damaged queue file: not a regular file");
	return (1);
    }
    out = vstream_fdopen(STDOUT_FILENO, VSTREAM_WRITE);
    why = vstr_alloc(100);
    if ((ret = cc_show(fd, qname, id, json, out, why)) < 0)
	fprintf(stderr, "postern: fatal: %s: %s\n", id, vstr_str(why));
    vstream_free(out);
    vstr_free(why);
    return (ret < 0 ? 1 : 0);
}
