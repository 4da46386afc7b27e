/*
 * cleanup.c - the cleanup daemon: receives one message per connection
 * from smtpd (or pickup, or qmgr's bounce generator) over
 * private/cleanup, rewrites and checks it, and writes it as a durable
 * queue file in incoming/ (see util/cleanup_proto.h, docs/cleanup.md).
 *
 * This file is only the daemon shell: the tables opened before the
 * chroot, the service callback, and the exit when a table changed. The
 * phases live in cleanup_*.c and share struct cleanup_state.
 */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"

static struct cleanup_maps cleanup_tables;
static int cleanup_watch_tables = 1;

/* cleanup_pre_init - before chroot: the queue directory and the tables */

static void
cleanup_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    struct vstr *why = vstr_alloc(100);

    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    if (cleanup_maps_open(&cleanup_tables, why) < 0)
	msg_fatal("%s", vstr_str(why));
    vstr_free(why);
}

/* cleanup_post_init - after the sandbox: can table changes be seen? */

static void
cleanup_post_init(const char *service UNUSED, char **argv UNUSED)
{
    /*
     * Inside the chroot jail the files of tables opened from outside it
     * cannot be looked at again; the open tables still work. A change
     * then takes effect when the process is replaced (max_use, max_idle,
     * "postern reload").
     */
    if (cleanup_maps_changed(&cleanup_tables)) {
	msg_info("lookup tables outside %s: a table change takes effect"
		 " when this process is replaced", var_queue_dir);
	cleanup_watch_tables = 0;
    }
}

/* cleanup_service - one message per connection */

static void
cleanup_service(struct vstream *client, const char *service UNUSED,
		        char **argv UNUSED)
{
    vstream_set_timeout(client, var_ipc_timeout > INT_MAX ? INT_MAX :
			(int) var_ipc_timeout);
    cleanup_serve(client, &cleanup_tables, ".");
    if (cleanup_watch_tables && cleanup_maps_changed(&cleanup_tables)) {
	msg_info("lookup table has changed -- restarting");
	server_exit();
    }
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = cleanup_syscalls;
    opts.pre_init = cleanup_pre_init;
    opts.post_init = cleanup_post_init;
    single_server_main(argc, argv, cleanup_service, &opts);
}
