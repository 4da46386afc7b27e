/*
 * attr_clnt.h - request/reply client for the attribute protocol, with
 * one deadline for the whole exchange.
 *
 * SYNOPSIS
 *	struct attr_clnt *attr_clnt_create(const char *path,
 *			const char *protocol, int timeout_secs);
 *	struct attr_clnt *attr_clnt_fdopen(int fd, const char *protocol,
 *			int timeout_secs);
 *	void	attr_clnt_set_limits(struct attr_clnt *client,
 *			const struct attr_limits *lim);
 *	int	attr_clnt_request(struct attr_clnt *client, int send_flags,
 *			SEND_ATTR_*(...), ..., ATTR_TYPE_END,
 *			int recv_flags,
 *			RECV_ATTR_*(...), ..., ATTR_TYPE_END);
 *	int	attr_clnt_status(const struct attr_clnt *client);
 *	void	attr_clnt_disconnect(struct attr_clnt *client);
 *	void	attr_clnt_free(struct attr_clnt *client);
 *
 * DESCRIPTION
 *	attr_clnt_create() makes a client for the UNIX socket at path; it
 *	connects on the first request and keeps the connection for the
 *	next ones. attr_clnt_fdopen() takes over an already connected
 *	socket (for example one end of unix_pair()); it is not reconnected
 *	once lost. On every new connection the server must first announce
 *	"protocol" = protocol (attr_print_protocol()), which is checked.
 *
 *	attr_clnt_request() sends one request (attr_print() arguments),
 *	flushes it, and reads one reply (attr_scan() arguments, with the
 *	client's limits), all before timeout_secs have passed since the
 *	call began: connect, announcement, write and read share that one
 *	deadline, however the server trickles its bytes (0: no deadline).
 *	If a cached connection turns out to be closed by the server (idle
 *	timeout), the request is retried once on a new connection within
 *	the same deadline; a timeout or malformed reply is never retried.
 *	A request may therefore reach the server twice when the server
 *	dies after reading it; requests should be safe to repeat.
 *
 *	After any failure the connection is closed; the next request opens
 *	a new one. attr_clnt_status() tells why the last request failed.
 *	attr_clnt_disconnect() closes the cached connection.
 *
 * DIAGNOSTICS
 *	attr_clnt_request() returns what attr_scan() returns for the reply
 *	(the number of reply attributes stored), or -1 after logging a
 *	warning; attr_clnt_status() is then ATTR_CLNT_CONNECT (cannot
 *	connect), ATTR_CLNT_TIMEOUT (deadline passed), ATTR_CLNT_EOF (the
 *	server closed the connection), ATTR_CLNT_IO (read or write error)
 *	or ATTR_CLNT_PROTO (bad announcement or malformed reply), and
 *	ATTR_CLNT_OK after success.
 *
 * SECURITY
 *	The reply is hostile input, read with the limits of
 *	attr_clnt_set_limits() (default: attr_default_limits). Writes use
 *	MSG_NOSIGNAL: a vanished server yields an error, not SIGPIPE.
 */
#ifndef ATTR_CLNT_H
#define ATTR_CLNT_H

#include "attr.h"

#define ATTR_CLNT_OK		0
#define ATTR_CLNT_CONNECT	1
#define ATTR_CLNT_TIMEOUT	2
#define ATTR_CLNT_EOF		3
#define ATTR_CLNT_IO		4
#define ATTR_CLNT_PROTO		5

struct attr_clnt;

extern struct attr_clnt *attr_clnt_create(const char *, const char *, int);
extern struct attr_clnt *attr_clnt_fdopen(int, const char *, int);
extern void attr_clnt_set_limits(struct attr_clnt *, const struct attr_limits *);
extern int attr_clnt_request(struct attr_clnt *, int,...);
extern int attr_clnt_status(const struct attr_clnt *);
extern void attr_clnt_disconnect(struct attr_clnt *);
extern void attr_clnt_free(struct attr_clnt *);

#endif
