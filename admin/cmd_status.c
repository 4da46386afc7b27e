/*
 * cmd_status.c - `postern status`: is the mail system running, and what
 *	are its services doing.
 *
 * Reads queue_directory/pid/master.status (format in
 * master/master_status.c and docs/master.md), written by the master at
 * most a few times a second. Prints the master pid and uptime, then one
 * line per service (processes, busy, idle, maxproc, throttling) and one
 * line per process; with --json, one JSON object with the same data
 * and the number of files in each queue. Exit 0 when running, 1 when
 * not. The file is read
 * as untrusted text: bounded size, every field checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "stringops.h"
#include "mail_queue.h"
#include "queue_scan.h"
#include "admin.h"

#define CMD_STATUS_MAX	(4 * 1024 * 1024)	/* file size bound */
#define CMD_STATUS_FIELDS 8

/* cmd_status_read - the whole file into buf; -1 on error */

static int
cmd_status_read(const char *queue_dir, struct vstr *buf)
{
    struct vstr *path = vstr_alloc(100);
    char    chunk[8192];
    ssize_t n;
    int     fd;

    vstr_sprintf(path, "%s/pid/master.status", queue_dir);
    fd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    vstr_free(path);
    if (fd < 0)
	return (-1);
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
	if (vstr_len(buf) + (size_t) n > CMD_STATUS_MAX)
	    break;
	vstr_memcat(buf, chunk, (size_t) n);
    }
    (void) close(fd);
    return (n < 0 ? -1 : 0);
}

/* cmd_status_duration - "1d02h03m04s" style */

static void
cmd_status_duration(struct vstr *out, long secs)
{
    vstr_reset(out);
    if (secs < 0)
	secs = 0;
    if (secs >= 86400)
	vstr_sprintf_append(out, "%ldd", secs / 86400);
    if (secs >= 3600)
	vstr_sprintf_append(out, "%02ldh", secs % 86400 / 3600);
    if (secs >= 60)
	vstr_sprintf_append(out, "%02ldm", secs % 3600 / 60);
    vstr_sprintf_append(out, "%02lds", secs % 60);
}

/* cmd_status_split - fields of one line; their count */

static int
cmd_status_split(char *line, char **f)
{
    int     n = 0;
    char   *cp;

    while (n < CMD_STATUS_FIELDS && (cp = str_token(&line, " ")) != 0)
	f[n++] = cp;
    return (str_token(&line, " ") ? -1 : n);
}

/* cmd_status_line - print one record; -1 when malformed */

static int
cmd_status_line(char *line, time_t now, struct vstr *tmp)
{
    char   *f[CMD_STATUS_FIELDS];
    int     n;

    if (!str_all_printable(line, strlen(line))
	|| (n = cmd_status_split(line, f)) <= 0)
	return (-1);
    if (strcmp(f[0], "master") == 0 && n == 3) {
	cmd_status_duration(tmp, (long) (now - strtol(f[2], 0, 10)));
	printf("postern: the mail system is running: master pid %s, up %s\n",
	       f[1], vstr_str(tmp));
	printf("%-24s %-5s %7s %5s %5s %7s\n", "service", "type", "procs",
	       "busy", "idle", "maxproc");
    } else if (strcmp(f[0], "service") == 0 && n == 7) {
	long    total = strtol(f[4], 0, 10);
	long    avail = strtol(f[5], 0, 10);

	printf("%-24.100s %-5.5s %7ld %5ld %5ld %7s", f[1], f[2], total,
	       total - avail, avail, strcmp(f[3], "0") ? f[3] : "-");
	if (strcmp(f[6], "0") != 0)
	    printf("  throttled (%ss left)", f[6]);
	printf("\n");
    } else if (strcmp(f[0], "proc") == 0 && n == 5) {
	cmd_status_duration(tmp, (long) (now - strtol(f[4], 0, 10)));
	printf("    pid %-10s %-8s uses %-6s up %s\n", f[1], f[2], f[3],
	       vstr_str(tmp));
    } else {
	return (-1);
    }
    return (0);
}

/* cs_num - a decimal field, or -1 */

static long
cs_num(const char *s)
{
    char   *end;
    long    val;

    if (*s < '0' || *s > '9')
	return (-1);
    errno = 0;
    val = strtol(s, &end, 10);
    return (*end || errno ? -1 : val);
}

/* cs_jstr - append a quoted JSON string */

static void
cs_jstr(struct vstr *out, const char *s)
{
    vstr_addch(out, '"');
    cmd_queue_json_quote(out, s, strlen(s));
    vstr_addch(out, '"');
}

/* cs_json_line - one record as JSON into its part; -1 when malformed */

static int
cs_json_line(char *line, struct vstr *head, struct vstr *svc,
	             struct vstr *proc)
{
    char   *f[CMD_STATUS_FIELDS];
    int     n;
    int     i;

    if (!str_all_printable(line, strlen(line))
	|| (n = cmd_status_split(line, f)) <= 0)
	return (-1);
    for (i = 3; i < n; i++)
	if (cs_num(f[i]) < 0)
	    return (-1);
    if (strcmp(f[0], "master") == 0 && n == 3 && cs_num(f[1]) >= 0
	&& cs_num(f[2]) >= 0) {
	vstr_sprintf(head, ", \"master_pid\": %ld, \"started\": %ld,"
		     " \"uptime\": %ld", cs_num(f[1]), cs_num(f[2]),
		     (long) time((time_t *) 0) - cs_num(f[2]));
    } else if (strcmp(f[0], "service") == 0 && n == 7) {
	vstr_strcat(svc, vstr_len(svc) ? ", {\"name\": " : "{\"name\": ");
	cs_jstr(svc, f[1]);
	vstr_strcat(svc, ", \"type\": ");
	cs_jstr(svc, f[2]);
	vstr_sprintf_append(svc, ", \"maxproc\": %ld, \"processes\": %ld,"
			    " \"busy\": %ld, \"idle\": %ld, \"throttled\": %ld}",
			    cs_num(f[3]), cs_num(f[4]),
			    cs_num(f[4]) - cs_num(f[5]), cs_num(f[5]),
			    cs_num(f[6]));
    } else if (strcmp(f[0], "proc") == 0 && n == 5 && cs_num(f[1]) >= 0
	       && cs_num(f[3]) >= 0) {
	vstr_sprintf_append(proc, "%s{\"pid\": %ld, \"service\": ",
			    vstr_len(proc) ? ", " : "", cs_num(f[1]));
	cs_jstr(proc, f[2]);
	vstr_sprintf_append(proc, ", \"uses\": %ld, \"started\": %ld}",
			    cs_num(f[3]), cs_num(f[4]));
    } else {
	return (-1);
    }
    return (0);
}

/* cs_count - queue_scan_walk() callback: count one file */

static int
cs_count(const char *queue_name UNUSED, int dir_fd UNUSED,
	         const char *queue_id UNUSED, void *ctx)
{
    *(long *) ctx += 1;
    return (0);
}

/* cs_json_queues - "queues": {...} with the count of each queue */

static void
cs_json_queues(const char *qdir, struct vstr *out)
{
    static const char *const queues[] = {MAIL_QUEUE_MAILDROP,
	MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
	MAIL_QUEUE_HOLD, MAIL_QUEUE_CORRUPT, 0};
    struct vstr *why = vstr_alloc(100);
    long    count;
    int     i;

    vstr_strcat(out, ", \"queues\": {");
    for (i = 0; queues[i]; i++) {
	count = 0;
	if (queue_scan_walk(qdir, queues[i], cs_count, &count, why) < 0) {
	    vstr_strcat(out, "}, \"queues_error\": ");
	    cs_jstr(out, vstr_str(why));
	    vstr_free(why);
	    return;
	}
	vstr_sprintf_append(out, "%s\"%s\": %ld", i ? ", " : "", queues[i], count);
    }
    vstr_strcat(out, "}");
    vstr_free(why);
}

/* cs_json - `postern status --json`: one JSON object */

static int
cs_json(const char *qdir)
{
    struct vstr *out = vstr_alloc(4096);
    struct vstr *buf = vstr_alloc(4096);
    struct vstr *head = vstr_alloc(100);
    struct vstr *svc = vstr_alloc(1000);
    struct vstr *proc = vstr_alloc(1000);
    char   *cp;
    char   *line;
    pid_t   pid;
    int     ready = 0;

    pid = cmd_master_pid(qdir, &ready);
    vstr_sprintf(out, "{\"running\": %s, \"state\": \"%s\"",
		 pid && ready ? "true" : "false",
		 pid == 0 ? "stopped" : ready ? "running" : "starting");
    if (pid && ready && cmd_status_read(qdir, buf) == 0) {
	cp = vstr_str(buf);
	while ((line = str_token(&cp, "\n")) != 0)
	    if (cs_json_line(line, head, svc, proc) < 0)
		fprintf(stderr, "postern: warning: malformed status line\n");
    }
    if (pid && vstr_len(head) == 0)
	vstr_sprintf(head, ", \"master_pid\": %ld", (long) pid);
    vstr_sprintf_append(out, "%s, \"services\": [%s], \"processes\": [%s]",
			vstr_str(head), vstr_str(svc), vstr_str(proc));
    cs_json_queues(qdir, out);
    vstr_strcat(out, "}\n");
    (void) fwrite(vstr_str(out), 1, vstr_len(out), stdout);
    vstr_free(out);
    vstr_free(buf);
    vstr_free(head);
    vstr_free(svc);
    vstr_free(proc);
    return (pid ? 0 : 1);
}

/* cmd_status_main - `postern status [--json]` */

int
cmd_status_main(int argc, char **argv)
{
    struct vstr *buf;
    struct vstr *tmp;
    const char *qdir;
    char   *cp;
    char   *line;
    pid_t   pid;
    int     ready;
    int     json = (argc == 2 && strcmp(argv[1], "--json") == 0);

    if (argc > 1 + json) {
	fprintf(stderr, "usage: postern status [--json]\n");
	return (2);
    }
    if ((qdir = cmd_master_queue_dir()) == 0)
	return (1);
    if (json)
	return (cs_json(qdir));
    if ((pid = cmd_master_pid(qdir, &ready)) == 0) {
	printf("postern: the mail system is not running\n");
	return (1);
    }
    buf = vstr_alloc(4096);
    tmp = vstr_alloc(100);
    if (!ready || cmd_status_read(qdir, buf) < 0 || vstr_len(buf) == 0) {
	printf("postern: the mail system is %s: master pid %ld\n",
	       ready ? "running" : "starting", (long) pid);
    } else {
	cp = vstr_str(buf);
	while ((line = str_token(&cp, "\n")) != 0)
	    if (cmd_status_line(line, time((time_t *) 0), tmp) < 0)
		fprintf(stderr, "postern: warning: malformed status line\n");
    }
    vstr_free(buf);
    vstr_free(tmp);
    return (0);
}
