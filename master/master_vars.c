/*
 * master_vars.c - the master's global state and clock, apart from
 *	main() so that unit tests can link the master modules.
 */
#include <time.h>

#include "sys_defs.h"
#include "msg.h"
#include "master.h"

struct master_serv *master_services;
const char *master_config_dir;
char   *master_queue_dir;
char   *master_daemon_dir;
uid_t   master_owner_uid;
gid_t   master_owner_gid;
gid_t   master_setgid_gid;
int     master_foreground;
time_t  master_start_time;

/* master_now - monotonic seconds, for timers */

double
master_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	msg_fatal("clock_gettime: %m");
    return (ts.tv_sec + ts.tv_nsec / 1e9);
}
