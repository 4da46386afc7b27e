/*
 * test_trigger.c - a trigger-server test service (tests only): logs each
 * wakeup with msg_info so that tests can see master's wakeup timer and
 * other programs' triggers in the maillog_file.
 *
 * Log line: "trigger: N bytes: TEXT" with the bytes shown as printable
 * ASCII ('?' for the rest), at most 64 of them.
 */
#include <string.h>

#include "mail_server.h"
#include "msg.h"

 /*
  * Nothing beyond the skeleton's base list.
  */
static const char *const test_trigger_syscalls[] = {
    0,
};

/* trigger_service - log one trigger */

static void
trigger_service(const char *buf, size_t len, const char *service,
		        char **argv UNUSED)
{
    char    text[65];
    size_t  i;

    for (i = 0; i < len && i < sizeof(text) - 1; i++)
	text[i] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : '?';
    text[i] = 0;
    msg_info("service %s: trigger: %zu bytes: %s", service, len, text);
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = test_trigger_syscalls;
    trigger_server_main(argc, argv, trigger_service, &opts);
}
