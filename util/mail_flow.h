/*
 * mail_flow.h - inflow control tokens (Postfix's mail_flow(3)).
 *
 * SYNOPSIS
 *	#include "mail_flow.h"
 *
 *	void	mail_flow_init(int read_fd, int write_fd);
 *	int	mail_flow_enabled(void);
 *	int	mail_flow_get(long long timeout_ms);
 *	ssize_t	mail_flow_put(ssize_t count);
 *	ssize_t	mail_flow_drain(ssize_t max);
 *	ssize_t	mail_flow_refill(ssize_t level);
 *
 * DESCRIPTION
 *	A token is one byte in the flow pipe that master creates and that
 *	every service process inherits (MASTER_FLOW_READ, MASTER_FLOW_WRITE
 *	in master_proto.h; both ends non-blocking). qmgr produces tokens as
 *	it takes messages from incoming/ into active/, cleanup consumes one
 *	per message it queues. docs/cleanup.md "Inflow control".
 *
 *	mail_flow_init() sets the two descriptors (the skeleton does it
 *	with the master_proto.h ones; tests use their own pipe). Until
 *	then, or with -1, the channel is off: get and put do nothing.
 *
 *	mail_flow_get() takes one token, waiting at most timeout_ms (poll
 *	on the pipe, so a token put meanwhile is taken at once). Result: 1
 *	a token was taken; 0 none within the time; -1 no channel or a
 *	broken one (warned once). The caller never fails a message for it.
 *
 *	mail_flow_put() adds count tokens without blocking and returns how
 *	many it added: fewer when the pipe is full (the pool is bounded by
 *	the pipe's capacity), -1 on error when none was added.
 *
 *	mail_flow_drain() takes up to max tokens without waiting and returns
 *	how many. mail_flow_refill() sets the pool to about level tokens
 *	(drain all, then put level: Postfix's "put process_limit - count,
 *	get count - process_limit" without FIONREAD) and returns the number
 *	put, or -1.
 */
#ifndef MAIL_FLOW_H
#define MAIL_FLOW_H

#include <sys/types.h>

#define MAIL_FLOW_CHUNK	1024		/* tokens per read or write */
#define MAIL_FLOW_DRAIN_MAX (1L << 20)	/* refill: at most this many read */

extern void mail_flow_init(int, int);
extern int mail_flow_enabled(void);
extern int mail_flow_get(long long);
extern ssize_t mail_flow_put(ssize_t);
extern ssize_t mail_flow_drain(ssize_t);
extern ssize_t mail_flow_refill(ssize_t);

#endif
