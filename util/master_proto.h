/*
 * master_proto.h - the contract between master and the service processes
 * it runs (the shared daemon skeleton: single_server, multi_server,
 * trigger_server).
 *
 * DESCRIPTION
 *	Command line. master runs daemon_directory/COMMAND with:
 *
 *	    COMMAND -c CONFIG_DIR -n SERVICE -t TYPE -s COUNT [-C] [-U]
 *		    [-v] [ARGS from master.cf, including -o name=value]
 *
 *	-n the service name as written in master.cf (e.g. "smtp",
 *	"127.0.0.1:2525", "cleanup"); -t inet, unix, fifo or pass; -s the
 *	number of listening descriptors passed; -C chroot to
 *	queue_directory (master.cf chroot column y); -U run unprivileged
 *	as mail_owner (unpriv column y); -v log to stderr as well.
 *	Only master.cf args after COMMAND follow; -o overrides are applied
 *	with mail_conf_override() before the configuration is used.
 *
 *	Environment. Cleared by master, then: PATH=/usr/bin:/bin,
 *	TZ (when master had it), POSTERN_CONFIG=CONFIG_DIR.
 *
 *	Descriptors. 0, 1, 2 are /dev/null (2 is master's stderr in
 *	foreground mode). MASTER_FLOW_READ and MASTER_FLOW_WRITE are
 *	the two ends of the one flow pipe that master creates at start-up
 *	and every service process shares (both non-blocking; inflow
 *	control tokens, util/mail_flow.h: qmgr puts one per message it
 *	takes from incoming/, cleanup takes one per message it queues,
 *	waiting at most in_flow_delay for it; docs/cleanup.md).
 *	MASTER_STATUS_FD is the write end of the
 *	service's status pipe. Listening descriptors are MASTER_LISTEN_FD
 *	.. MASTER_LISTEN_FD + COUNT - 1, in the order master created them
 *	(for an inet service, one per address). Nothing else is open.
 *
 *	Status. A child reports with one write(2) of a struct master_status
 *	(smaller than PIPE_BUF, so atomic): MASTER_STAT_AVAIL when it is
 *	ready for a client (after start-up and after each client),
 *	MASTER_STAT_TAKEN when it has accepted a client (single server) or
 *	is busy with a trigger. master forks another process of a service
 *	only when none of its processes is available and the service is
 *	below maxproc. master ignores a status from a pid it does not know.
 *
 *	Lifetime. A child exits by itself after max_use clients or
 *	triggers, or after max_idle seconds without any (trigger servers
 *	do not idle out). SIGTERM from master asks a child to finish the
 *	client it has, then exit (reload, stop); SIGKILL is for abort.
 *	A child also exits when master goes away (parent-death signal,
 *	set again after the privilege drop, and getppid() checked).
 *
 *	Triggers. For a service with a wakeup time, master writes the one
 *	byte MASTER_TRIGGER_WAKEUP to the service's endpoint (fifo or unix
 *	socket) every wakeup seconds. Other programs poke a trigger server
 *	the same way (e.g. cleanup waking qmgr).
 *
 *	Exit status. 0: normal (max_use, max_idle, SIGTERM). Any other
 *	status or a signal is abnormal: master logs it (SIGSYS: "killed
 *	by seccomp: system call outside the service's allow-list") and
 *	throttles the service.
 */
#ifndef MASTER_PROTO_H
#define MASTER_PROTO_H

#include <sys/types.h>

#define MASTER_FLOW_READ	3
#define MASTER_FLOW_WRITE	4
#define MASTER_STATUS_FD	5
#define MASTER_LISTEN_FD	6

#define MASTER_STAT_TAKEN	0
#define MASTER_STAT_AVAIL	1

#define MASTER_TRIGGER_WAKEUP	'W'

struct master_status {
    pid_t   pid;
    int     avail;			/* MASTER_STAT_TAKEN or _AVAIL */
};

#endif
