/*
 * showq - list the mail queue for users who cannot read it (Postfix
 *	showq(8)).
 *
 * `postern queue` run by a user who is neither root nor mail_owner
 * connects to public/showq. This daemon (mail_owner, not chrooted: it
 * needs the passwd file for the client's login name) reads the
 * client's uid with SO_PEERCRED, checks authorized_mailq_users (root
 * and mail_owner always pass; an empty list lets everyone in), reads
 * one request line, "text\n" or "json\n" (at most SHOWQ_REQ_MAX bytes,
 * within SHOWQ_TIMEOUT seconds), writes the listing of cmd_queue_list()
 * and closes. A refusal is one line, "postern: permission denied: USER
 * is not in authorized_mailq_users". Nothing the client sends is
 * echoed back; see docs/queue-admin.md.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail_server.h"
#include "mail_params.h"
#include "maps.h"
#include "dict.h"
#include "mymalloc.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "admin.h"

#define SHOWQ_REQ_MAX	16		/* request line, bytes */
#define SHOWQ_TIMEOUT	10		/* seconds per read or write */

const char *admin_config_dir;		/* libadmin's; unused: the skeleton
					 * reads main.cf */

static struct maps *showq_users;	/* authorized_mailq_users, or NULL */
static uid_t showq_owner_uid;		/* mail_owner */

 /*
  * Beyond the skeleton's base list: the queue walk (directories and
  * queue files), getpwuid() through the passwd file (and the nscd
  * socket glibc tries first), and lookup tables.
  */
static const char *const showq_syscalls[] = {
    "openat", "newfstatat", "fstat", "lseek", "pread64", "getdents64",
    "fadvise64", "flock", "getsockopt", "socket", "connect", "futex",
    "mprotect", "madvise", "getrandom", "uname", "getuid", "geteuid",
    "getgid", "getegid", "statfs", "fstatfs", "readlinkat",
#ifdef __NR_stat
    "stat",
#endif
#ifdef __NR_open
    "open",
#endif
    0,
};

/* showq_pre_init - open authorized_mailq_users, find mail_owner */

static void
showq_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    struct vstr *why = vstr_alloc(64);
    struct passwd *pw;

    if ((pw = getpwnam(var_mail_owner)) == 0)
	msg_fatal("unknown mail_owner: %s", var_mail_owner);
    showq_owner_uid = pw->pw_uid;
    if (*var_authorized_mailq_users
	&& (showq_users = maps_create("authorized_mailq_users",
				      var_authorized_mailq_users,
				      DICT_FLAG_NONE, why)) == 0)
	msg_fatal("%s", vstr_str(why));
    if (showq_users && maps_count(showq_users) == 0) {
	maps_free(showq_users);			/* only separators */
	showq_users = 0;
    }
    vstr_free(why);
}

/* showq_allowed - 1: may list, 0: not, -1: lookup error; name is set */

static int
showq_allowed(int fd, struct vstr *name)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    struct passwd *pw;
    struct vstr *value;
    int     status;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0
	|| len != sizeof(cred)) {
	msg_warn("cannot get the client's credentials: %m");
	vstr_strcpy(name, "unknown");
	return (0);
    }
    if ((pw = getpwuid(cred.uid)) != 0)
	vstr_strcpy(name, pw->pw_name);
    else
	vstr_sprintf(name, "uid %ld", (long) cred.uid);
    if (cred.uid == 0 || cred.uid == showq_owner_uid || showq_users == 0)
	return (1);
    if (pw == 0)
	return (0);				/* no login name to look up */
    value = vstr_alloc(32);
    status = maps_find(showq_users, pw->pw_name, value);
    vstr_free(value);
    if (status == DICT_ERROR) {
	msg_warn("authorized_mailq_users: %s", maps_reason(showq_users));
	return (-1);
    }
    return (status == DICT_FOUND);
}

/* showq_request - 1: JSON, 0: text, -1: bad or no request */

static int
showq_request(struct vstream *client)
{
    struct vstr *line = vstr_alloc(SHOWQ_REQ_MAX);
    int     ret = -1;

    if (vstream_read_line(client, line, SHOWQ_REQ_MAX) == VSTREAM_OK) {
	if (strcmp(vstr_str(line), "text\n") == 0)
	    ret = 0;
	else if (strcmp(vstr_str(line), "json\n") == 0)
	    ret = 1;
    }
    vstr_free(line);
    return (ret);
}

/* showq_service - answer one client */

static void
showq_service(struct vstream *client, const char *service UNUSED,
	              char **argv UNUSED)
{
    struct vstr *name = vstr_alloc(32);
    struct vstr *why = vstr_alloc(64);
    int     json;
    int     ok;

    vstream_set_timeout(client, SHOWQ_TIMEOUT);
    ok = showq_allowed(vstream_fd(client), name);
    if ((json = showq_request(client)) < 0) {
	msg_warn("bad request from %s", vstr_str(name));
	(void) vstream_puts(client, "postern: bad showq request\n");
    } else if (ok < 0) {
	(void) vstream_puts(client, "postern: temporary error: cannot check"
			    " authorized_mailq_users\n");
    } else if (ok == 0) {
	vstr_reset(why);
	cmd_queue_printable(why, vstr_str(name));
	msg_info("queue listing refused for %s", vstr_str(why));
	(void) vstream_printf(client, "postern: permission denied: %s is not"
			      " in authorized_mailq_users\n", vstr_str(why));
    } else if (cmd_queue_list(var_queue_dir, json, client, why) < 0) {
	msg_warn("cannot list the queue for %s: %s", vstr_str(name),
		 vstr_str(why));
    }
    (void) vstream_flush(client);
    vstr_free(name);
    vstr_free(why);
}

/* main - pass control to the single-client skeleton */

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = showq_syscalls;
    opts.pre_init = showq_pre_init;
    single_server_main(argc, argv, showq_service, &opts);
}
