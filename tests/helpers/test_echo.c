/*
 * test_echo.c - a single-server test service (tests only): answers one
 * line at a time so that integration tests can see which process
 * served them, as which user, and hold a process busy.
 *
 * Commands: "PID" -> the pid; "UID" -> "uid euid"; "SLEEP n" (n <= 30)
 * -> sleeps, then "OK"; "QUIT" -> "BYE" and end of session; anything
 * else -> "ECHO text". Lines are read with a 30 s deadline and at most
 * 1000 bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_server.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"

#define ECHO_LINE_MAX	1000
#define ECHO_TIMEOUT	30
#define ECHO_SLEEP_MAX	30

 /*
  * What this service does beyond the skeleton's base list.
  */
static const char *const test_echo_syscalls[] = {
    "clock_nanosleep",			/* SLEEP */
    "getuid",				/* UID */
    "geteuid",				/* UID */
    0,
};

/* echo_answer - one command, one reply line; 0 ends the session */

static int
echo_answer(struct vstream *client, const char *cmd)
{
    char   *end;
    long    secs;

    if (strcmp(cmd, "PID") == 0) {
	vstream_printf(client, "%ld\r\n", (long) getpid());
    } else if (strcmp(cmd, "UID") == 0) {
	vstream_printf(client, "%ld %ld\r\n", (long) getuid(), (long) geteuid());
    } else if (strncmp(cmd, "SLEEP ", 6) == 0) {
	secs = strtol(cmd + 6, &end, 10);
	if (*end != 0 || end == cmd + 6 || secs < 0 || secs > ECHO_SLEEP_MAX) {
	    vstream_puts(client, "ERR bad time\r\n");
	} else {
	    sleep((unsigned) secs);
	    vstream_puts(client, "OK\r\n");
	}
    } else if (strcmp(cmd, "QUIT") == 0) {
	vstream_puts(client, "BYE\r\n");
	return (0);
    } else {
	vstream_printf(client, "ECHO %s\r\n", cmd);
    }
    return (1);
}

/* echo_service - one client */

static void
echo_service(struct vstream *client, const char *service UNUSED,
	             char **argv UNUSED)
{
    struct vstr *line = vstr_alloc(100);
    int     more = 1;
    int     st;

    vstream_set_timeout(client, ECHO_TIMEOUT);
    while (more) {
	if ((st = vstream_read_line(client, line, ECHO_LINE_MAX)) == VSTREAM_TOOLONG) {
	    vstream_puts(client, "ERR line too long\r\n");
	    more = 0;
	} else if (st != VSTREAM_OK) {
	    break;
	} else {
	    while (vstr_len(line) > 0 && (vstr_str(line)[vstr_len(line) - 1] == '\n'
				   || vstr_str(line)[vstr_len(line) - 1] == '\r'))
		vstr_truncate(line, vstr_len(line) - 1);
	    more = echo_answer(client, vstr_str(line));
	}
	if (vstream_flush(client) != VSTREAM_OK)
	    break;
    }
    vstr_free(line);
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = test_echo_syscalls;
    single_server_main(argc, argv, echo_service, &opts);
}
