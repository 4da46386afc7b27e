/*
 * test_multi.c - a multi-server test service (tests only): many clients
 * in one process, one line request and reply each.
 *
 * Commands: "PID" -> the pid; "QUIT" -> "BYE" and disconnect; anything
 * else -> "ECHO text". End of file or a line over 1000 bytes
 * disconnects.
 */
#include <string.h>
#include <unistd.h>

#include "mail_server.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"

 /*
  * Nothing beyond the skeleton's base list.
  */
static const char *const test_multi_syscalls[] = {
    0,
};

static struct vstr *multi_line;

/* multi_service - one request from one client */

static void
multi_service(struct vstream *client, const char *service UNUSED,
	              char **argv UNUSED)
{
    char   *cmd;
    size_t  len;

    if (vstream_read_line(client, multi_line, 1000) != VSTREAM_OK) {
	multi_server_disconnect(client);
	return;
    }
    cmd = vstr_str(multi_line);
    len = vstr_len(multi_line);
    while (len > 0 && (cmd[len - 1] == '\n' || cmd[len - 1] == '\r'))
	cmd[--len] = 0;
    if (strcmp(cmd, "PID") == 0) {
	vstream_printf(client, "%ld\r\n", (long) getpid());
    } else if (strcmp(cmd, "QUIT") == 0) {
	vstream_puts(client, "BYE\r\n");
	multi_server_disconnect(client);
    } else {
	vstream_printf(client, "ECHO %s\r\n", cmd);
    }
    if (vstream_flush(client) != VSTREAM_OK)
	multi_server_disconnect(client);
}

/* multi_pre_init - allocate before the sandbox */

static void
multi_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    multi_line = vstr_alloc(100);
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = test_multi_syscalls;
    opts.pre_init = multi_pre_init;
    multi_server_main(argc, argv, multi_service, &opts);
}
