/*
 * master_flow.c - the inflow control pipe (Postfix's master_flow.c):
 *	created once at start-up, kept across reloads, handed to every
 *	child at MASTER_FLOW_READ and MASTER_FLOW_WRITE (master_proto.h).
 *
 * The master itself neither puts nor takes tokens: qmgr fills the pool
 * (util/mail_flow.h), cleanup drains it. Both ends are non-blocking -
 * a flag of the shared open file description, so it holds in every
 * child - and close-on-exec in the master.
 */
#include <fcntl.h>
#include <unistd.h>

#include "msg.h"
#include "master.h"

int     master_flow_pipe[2] = {-1, -1};

/* master_flow_init - create the flow pipe */

void
master_flow_init(void)
{
    if (pipe2(master_flow_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
	msg_fatal("flow pipe: %m");
}
