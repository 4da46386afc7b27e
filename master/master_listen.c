/*
 * master_listen.c - the listening endpoints of a service, made by the
 *	master before any child is forked.
 *
 * inet: one socket per address: the host of "host:port" or
 * "[ipv6]:port", else each of inet_interfaces ("all": the wildcard of
 * each protocol, "loopback-only": 127.0.0.1 and ::1), limited to the
 * families of inet_protocols (all, ipv4, ipv6). SO_REUSEADDR, IPV6_V6ONLY
 * for IPv6, backlog MASTER_LISTEN_BACKLOG.
 * unix and pass: a socket queue_directory/private/NAME (mode 0600) or
 * public/NAME (0666; public/ itself is 0710 mail_owner:setgid_group),
 * owned by mail_owner. fifo: a FIFO at the same place (0600 or 0622),
 * opened read-write so that it never reports end-of-file.
 * Every descriptor is close-on-exec; the child side clears that only for
 * the descriptors it passes (master_spawn.c).
 *
 * SECURITY: a FIFO is given to mail_owner through its descriptor. A
 * socket can only be given by name; that is done without following a
 * symbolic link and checked afterwards (still a socket, one link), in a
 * directory that only mail_owner and root can write (with the kernel's
 * protected_hardlinks, mail_owner cannot plant a link to a file of
 * root's there).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "conf_table.h"
#include "mail_params.h"
#include "unix_sock.h"
#include "master_cf.h"
#include "master.h"

#define LISTEN_V4	(1<<0)
#define LISTEN_V6	(1<<1)

/* master_listen_add - remember one descriptor */

static void
master_listen_add(struct master_serv *serv, int fd)
{
    serv->listen_fds = (int *) myrealloc(serv->listen_fds,
			      sizeof(int) * (size_t) (serv->listen_count + 1));
    serv->listen_fds[serv->listen_count++] = fd;
}

/* master_listen_protocols - inet_protocols as LISTEN_V4|LISTEN_V6 */

static int
master_listen_protocols(struct vstr *why)
{
    struct vstr *elem = vstr_alloc(10);
    const char *cp = var_inet_protocols;
    int     mask = 0;

    while (conf_list_next(&cp, elem)) {
	if (strcasecmp(vstr_str(elem), "all") == 0)
	    mask |= LISTEN_V4 | LISTEN_V6;
	else if (strcasecmp(vstr_str(elem), "ipv4") == 0)
	    mask |= LISTEN_V4;
	else if (strcasecmp(vstr_str(elem), "ipv6") == 0)
	    mask |= LISTEN_V6;
	else {
	    vstr_sprintf(why, "inet_protocols: unknown protocol \"%.50s\"",
			 vstr_str(elem));
	    mask = -1;
	    break;
	}
    }
    vstr_free(elem);
    if (mask == 0)
	vstr_sprintf(why, "inet_protocols is empty");
    return (mask > 0 ? mask : -1);
}

/* master_listen_socket - one inet listener; -1 with why */

static int
master_listen_socket(const struct addrinfo *ai, struct vstr *why)
{
    int     on = 1;
    int     fd;

    if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		     ai->ai_protocol)) < 0) {
	vstr_sprintf(why, "socket: %m");
	return (-1);
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
	|| (ai->ai_family == AF_INET6
	    && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)) {
	vstr_sprintf(why, "setsockopt: %m");
    } else if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
	vstr_sprintf(why, "bind: %m");
    } else if (listen(fd, MASTER_LISTEN_BACKLOG) < 0) {
	vstr_sprintf(why, "listen: %m");
    } else {
	return (fd);
    }
    (void) close(fd);
    return (-1);
}

/* master_listen_host - listeners for one host (NULL: wildcard) */

static int
master_listen_host(struct master_serv *serv, const char *host,
		           const char *port, int protos, struct vstr *why)
{
    struct addrinfo hints;
    struct addrinfo *res;
    struct addrinfo *ai;
    int     err;
    int     fd;
    int     count = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = protos == LISTEN_V4 ? AF_INET :
	protos == LISTEN_V6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if ((err = getaddrinfo(host, port, &hints, &res)) != 0) {
	vstr_sprintf(why, "%s:%s: %s", host ? host : "*", port,
		     gai_strerror(err));
	return (-1);
    }
    for (ai = res; ai; ai = ai->ai_next) {
	if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
	    continue;
	if ((fd = master_listen_socket(ai, why)) < 0) {
	    if (ai->ai_family == AF_INET6 && protos != LISTEN_V6
		&& (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
		continue;			/* no IPv6 here: not fatal */
	    vstr_sprintf_append(why, " (%s:%s)", host ? host : "*", port);
	    freeaddrinfo(res);
	    return (-1);
	}
	master_listen_add(serv, fd);
	count++;
    }
    freeaddrinfo(res);
    if (count == 0) {
	vstr_sprintf(why, "%s:%s: no usable address", host ? host : "*", port);
	return (-1);
    }
    return (0);
}

/* master_listen_inet - every listener of an inet service */

static int
master_listen_inet(struct master_serv *serv, struct vstr *why)
{
    struct vstr *elem = vstr_alloc(100);
    const char *cp = var_inet_interfaces;
    char   *host;
    char   *port;
    int     protos;
    int     ret = 0;

    if ((protos = master_listen_protocols(why)) < 0
	|| master_cf_parse_inet(serv->name, &host, &port, why) < 0) {
	vstr_free(elem);
	return (-1);
    }
    if (*host) {
	ret = master_listen_host(serv, host, port, protos, why);
    } else {
	while (ret == 0 && conf_list_next(&cp, elem)) {
	    if (strcasecmp(vstr_str(elem), "all") == 0)
		ret = master_listen_host(serv, (char *) 0, port, protos, why);
	    else if (strcasecmp(vstr_str(elem), "loopback-only") == 0)
		ret = master_listen_host(serv, "localhost", port, protos, why);
	    else {
		if (vstr_str(elem)[0] == '[' && vstr_len(elem) > 2
		    && vstr_str(elem)[vstr_len(elem) - 1] == ']') {
		    vstr_truncate(elem, vstr_len(elem) - 1);
		    ret = master_listen_host(serv, vstr_str(elem) + 1, port,
					     protos, why);
		} else
		    ret = master_listen_host(serv, vstr_str(elem), port,
					     protos, why);
	    }
	}
    }
    myfree(host);
    myfree(port);
    vstr_free(elem);
    return (ret);
}

/* master_listen_fifo - a FIFO, read-write so it never sees EOF */

static int
master_listen_fifo(const char *path, mode_t mode, struct vstr *why)
{
    struct stat st;
    int     fd;

    if (lstat(path, &st) == 0) {
	if (!S_ISFIFO(st.st_mode)) {
	    vstr_sprintf(why, "%s: exists and is not a FIFO", path);
	    return (-1);
	}
	if (unlink(path) < 0) {
	    vstr_sprintf(why, "remove %s: %m", path);
	    return (-1);
	}
    }
    if (mkfifo(path, 0600) < 0) {
	vstr_sprintf(why, "mkfifo %s: %m", path);
	return (-1);
    }
    if ((fd = open(path, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)) < 0) {
	vstr_sprintf(why, "open %s: %m", path);
	return (-1);
    }
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) || fchmod(fd, mode) < 0) {
	vstr_sprintf(why, "%s: not a FIFO or cannot set its mode", path);
	(void) close(fd);
	return (-1);
    }
    return (fd);
}

/* master_listen_chown - give a new socket or FIFO to mail_owner */

static int
master_listen_chown(struct master_serv *serv, int fd, const char *path,
		            struct vstr *why)
{
    struct stat st;

    if (serv->type == MASTER_CF_FIFO) {
	if (fchown(fd, master_owner_uid, master_owner_gid) < 0) {
	    vstr_sprintf(why, "chown %s: %m", path);
	    return (-1);
	}
	return (0);
    }
    /* A socket has no descriptor for its file: chown the name, no link. */
    if (fchownat(AT_FDCWD, path, master_owner_uid, master_owner_gid,
		 AT_SYMLINK_NOFOLLOW) < 0 || lstat(path, &st) < 0) {
	vstr_sprintf(why, "chown %s: %m", path);
	return (-1);
    }
    if (!S_ISSOCK(st.st_mode) || st.st_nlink != 1) {
	vstr_sprintf(why, "%s: replaced while being created", path);
	return (-1);
    }
    return (0);
}

/* master_listen_local - unix, pass or fifo endpoint in private/ or public/ */

static int
master_listen_local(struct master_serv *serv, struct vstr *why)
{
    struct vstr *path = vstr_alloc(100);
    int     fd;

    vstr_sprintf(path, "%s/%s/%s", master_queue_dir,
		 serv->private_ ? "private" : "public", serv->name);
    if (serv->type == MASTER_CF_FIFO) {
	fd = master_listen_fifo(vstr_str(path), serv->private_ ? 0600 : 0622, why);
    } else if ((fd = unix_listen(vstr_str(path), MASTER_LISTEN_BACKLOG,
				 serv->private_ ? 0600 : 0666)) < 0) {
	vstr_sprintf(why, "listen on %s: %m", vstr_str(path));
    }
    if (fd >= 0 && master_listen_chown(serv, fd, vstr_str(path), why) < 0) {
	(void) close(fd);
	fd = -1;
    }
    if (fd < 0) {
	vstr_free(path);
	return (-1);
    }
    master_listen_add(serv, fd);
    myfree(serv->path);
    serv->path = vstr_export(path);
    return (0);
}

/* master_listen_open - create every listener of a service */

int
master_listen_open(struct master_serv *serv, struct vstr *why)
{
    int     ret;

    if (serv->listen_count > 0)
	msg_panic("master_listen_open: service %s already listens", serv->name);
    ret = (serv->type == MASTER_CF_INET) ?
	master_listen_inet(serv, why) : master_listen_local(serv, why);
    if (ret < 0)
	master_listen_close(serv);
    return (ret);
}

/* master_listen_close - close the listeners, remove a socket or FIFO */

void
master_listen_close(struct master_serv *serv)
{
    int     i;

    for (i = 0; i < serv->listen_count; i++)
	if (close(serv->listen_fds[i]) < 0)
	    msg_warn("service %s: close listener: %m", serv->name);
    myfree(serv->listen_fds);
    serv->listen_fds = 0;
    serv->listen_count = 0;
    if (serv->path) {
	if (unlink(serv->path) < 0 && errno != ENOENT)
	    msg_warn("remove %s: %m", serv->path);
	myfree(serv->path);
	serv->path = 0;
    }
}
