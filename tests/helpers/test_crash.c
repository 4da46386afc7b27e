/*
 * test_crash.c - a test service (tests only) that dies right after
 * start-up, for master's throttling tests.
 *
 * master.cf argument "abort" -> abort() (SIGABRT, also showing that a
 * panic inside the sandbox ends in SIGABRT, not SIGSYS); anything else
 * or none -> exit status 1.
 */
#include <stdlib.h>
#include <string.h>

#include "mail_server.h"
#include "msg.h"

 /*
  * Nothing beyond the skeleton's base list.
  */
static const char *const test_crash_syscalls[] = {
    0,
};

/* crash_post_init - die inside the sandbox */

static void
crash_post_init(const char *service, char **argv)
{
    if (argv[0] && strcmp(argv[0], "abort") == 0) {
	msg_info("service %s: crashing with abort()", service);
	abort();
    }
    msg_info("service %s: crashing with exit status 1", service);
    exit(1);
}

/* crash_service - never reached */

static void
crash_service(struct vstream *client UNUSED, const char *service UNUSED,
	              char **argv UNUSED)
{
    msg_panic("crash_service: reached");
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = test_crash_syscalls;
    opts.post_init = crash_post_init;
    single_server_main(argc, argv, crash_service, &opts);
}
