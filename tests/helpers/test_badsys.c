/*
 * test_badsys.c - a single-server test service (tests only) that makes a
 * system call outside its allow-list on command, to show that the
 * seccomp filter kills it (SIGSYS) and that master logs the kill.
 *
 * Commands: "BAD" -> ptrace(PTRACE_TRACEME), which no list allows;
 * "PID" -> the pid; anything else -> "ECHO text".
 */
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>

#include "mail_server.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"

 /*
  * Nothing beyond the skeleton's base list; in particular not ptrace.
  */
static const char *const test_badsys_syscalls[] = {
    0,
};

/* badsys_service - one client */

static void
badsys_service(struct vstream *client, const char *service UNUSED,
	               char **argv UNUSED)
{
    struct vstr *line = vstr_alloc(100);

    vstream_set_timeout(client, 30);
    while (vstream_read_line(client, line, 1000) == VSTREAM_OK) {
	while (vstr_len(line) > 0 && (vstr_str(line)[vstr_len(line) - 1] == '\n'
				   || vstr_str(line)[vstr_len(line) - 1] == '\r'))
	    vstr_truncate(line, vstr_len(line) - 1);
	if (strcmp(vstr_str(line), "BAD") == 0) {
	    msg_info("making a forbidden system call (ptrace)");
	    if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		msg_warn("ptrace: %m");
	    vstream_puts(client, "STILL ALIVE\r\n");
	} else if (strcmp(vstr_str(line), "PID") == 0) {
	    vstream_printf(client, "%ld\r\n", (long) getpid());
	} else {
	    vstream_printf(client, "ECHO %s\r\n", vstr_str(line));
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
    opts.syscalls = test_badsys_syscalls;
    single_server_main(argc, argv, badsys_service, &opts);
}
