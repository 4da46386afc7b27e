/*
 * cmd_status.c - `postern status`: is the mail system running, and what
 *	are its services doing.
 *
 * Reads queue_directory/pid/master.status (format in
 * master/master_status.c and docs/master.md), written by the master at
 * most a few times a second. Prints the master pid and uptime, then one
 * line per service (processes, busy, idle, maxproc, throttling) and one
 * line per process. Exit 0 when running, 1 when not. The file is read
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

/* cmd_status_main - `postern status` */

int
cmd_status_main(int argc, char **argv UNUSED)
{
    struct vstr *buf;
    struct vstr *tmp;
    const char *qdir;
    char   *cp;
    char   *line;
    pid_t   pid;
    int     ready;

    if (argc > 1) {
	fprintf(stderr, "usage: postern status\n");
	return (2);
    }
    if ((qdir = cmd_master_queue_dir()) == 0)
	return (1);
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
