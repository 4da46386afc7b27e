/*
 * iostuff.h - small file descriptor mode switches.
 *
 * SYNOPSIS
 *	int	non_blocking(int fd, int on);
 *	int	close_on_exec(int fd, int on);
 *
 * DESCRIPTION
 *	non_blocking() turns O_NONBLOCK on (NON_BLOCKING) or off (BLOCKING)
 *	for fd. close_on_exec() turns FD_CLOEXEC on (CLOSE_ON_EXEC) or off
 *	(PASS_ON_EXEC). Any non-zero "on" counts as on.
 *
 * DIAGNOSTICS
 *	Both return the previous setting (1 on, 0 off), or -1 with errno
 *	set when fcntl() fails (for example EBADF).
 */
#ifndef IOSTUFF_H
#define IOSTUFF_H

#define BLOCKING	0
#define NON_BLOCKING	1

#define PASS_ON_EXEC	0
#define CLOSE_ON_EXEC	1

extern int non_blocking(int, int);
extern int close_on_exec(int, int);

#endif
