/*
 * unix_sock.h - UNIX-domain stream sockets: listen, connect, pairs.
 *
 * SYNOPSIS
 *	int	unix_listen(const char *path, int backlog, mode_t mode);
 *	int	unix_connect(const char *path, int timeout_secs);
 *	int	unix_connect_mode(const char *path, int block_mode,
 *			int timeout_secs);
 *	int	unix_pair(int fds[2]);
 *
 * DESCRIPTION
 *	unix_listen() creates a listening socket at path. A stale file at
 *	path is removed only if it IS a socket (lstat, no symlink is
 *	followed); any other kind of file makes the call fail with EEXIST.
 *	The socket file is created with permissions mode (the umask is
 *	narrowed around bind(), then chmod() makes it exact), and the
 *	descriptor is close-on-exec and blocking.
 *
 *	unix_connect() connects to path and returns a blocking,
 *	close-on-exec descriptor. The connect is non-blocking underneath:
 *	when the server's backlog is full it is retried until timeout_secs
 *	have passed (0: try once, fail at once with EAGAIN when the
 *	backlog is full). unix_connect_mode() is the same but leaves the
 *	descriptor in block_mode (BLOCKING or NON_BLOCKING, iostuff.h).
 *
 *	unix_pair() makes a connected pair of close-on-exec stream sockets.
 *
 * DIAGNOSTICS
 *	All return a descriptor (unix_pair: 0), or -1 with errno set and
 *	nothing left open: ENAMETOOLONG (path does not fit sun_path),
 *	EEXIST (not a socket at path), ETIMEDOUT, or a system call error.
 *	Nothing is logged; the caller knows the context.
 *
 * SECURITY
 *	The path is trusted configuration. Access control is the mode of
 *	the socket file and of its directory (private/ versus public/).
 */
#ifndef UNIX_SOCK_H
#define UNIX_SOCK_H

#include <sys/types.h>

extern int unix_listen(const char *, int, mode_t);
extern int unix_connect(const char *, int);
extern int unix_connect_mode(const char *, int, int);
extern int unix_pair(int[2]);

#endif
