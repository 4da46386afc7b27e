/*
 * proxymap - lookup table service for chrooted daemons (Postfix
 * proxymap(8), read-only part).
 *
 * A client (util/dict_proxy.c, the proxy: table type) connects to
 * queue_directory/private/proxymap and sends, per lookup,
 *	request = "lookup", table = "type:name", flags = int, key = str
 * and receives
 *	status = 0 found / 1 not found / 2 error or refused, value = str.
 * Only tables named in proxy_read_maps are served (a "proxy:" prefix
 * there is ignored); a request for any other table is refused and
 * logged, so that a compromised chrooted smtpd cannot read arbitrary
 * files through us. Tables are opened on first use and reopened when
 * their file changed (dict_changed). proxymap is not chrooted (it must
 * reach /etc/passwd and tables anywhere) and runs as mail_owner.
 *
 * Each connection is served by one process (single_server): the
 * protocol announcement must go out on connect, which the multi-client
 * skeleton has no hook for. An idle connection is closed after
 * PROXYMAP_IDLE seconds; the client reconnects transparently.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <string.h>

#include "mail_server.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "attr.h"
#include "argv.h"
#include "dict.h"
#include "mymalloc.h"
#include "msg.h"

#define PROXYMAP_IDLE		10	/* seconds between requests */
#define PROXYMAP_TABLES_MAX	200	/* open tables, at most */

struct proxymap_table {
    char   *name;			/* "type:name" */
    struct dict *dict;
};

static struct argv *proxymap_allowed;	/* from proxy_read_maps */
static struct proxymap_table proxymap_tables[PROXYMAP_TABLES_MAX];
static int proxymap_count;

 /*
  * Beyond the skeleton's base list: opening and reading tables
  * (Berkeley DB, regexp files, getpwnam() with nsswitch "files"), the
  * idle poll's MSG_PEEK, and the nscd socket that glibc tries first.
  */
static const char *const proxymap_syscalls[] = {
    "openat", "newfstatat", "fstat", "lseek", "pread64", "pwrite64",
    "recvfrom", "socket", "connect", "futex", "mprotect", "madvise",
    "getdents64", "fadvise64", "flock", "getrandom", "uname", "getuid",
    "geteuid", "getgid", "getegid", "statfs", "fstatfs", "readlinkat",
#ifdef __NR_stat
    "stat",
#endif
#ifdef __NR_open
    "open",
#endif
    0,
};

static void proxymap_pre_init(const char *, char **);
static void proxymap_service(struct vstream *, const char *, char **);
static struct dict *proxymap_table(const char *, int);
static int proxymap_lookup(const char *, int, const char *, struct vstr *);
static int proxymap_wait(struct vstream *);

/* proxymap_pre_init - the names that may be served */

static void
proxymap_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    struct vstr *tok = vstr_alloc(64);
    struct vstr *type = vstr_alloc(16);
    struct vstr *why = vstr_alloc(64);
    const char *cp = var_proxy_read_maps;
    const char *name;
    const char *tp;
    int     st;

    proxymap_allowed = argv_alloc(16);
    while ((st = dict_list_token(&cp, tok, why)) > 0) {
	tp = vstr_str(tok);
	while (strncmp(tp, "proxy:", 6) == 0)
	    tp += 6;
	if (dict_split_type(tp, type, &name) == 0 && *name != 0)
	    argv_add(proxymap_allowed, tp);
    }
    if (st < 0)
	msg_fatal("proxy_read_maps: %s", vstr_str(why));

    /*
     * Let glibc load its NSS modules (libnss_systemd, ...) now: after
     * the sandbox, mapping executable code is not allowed.
     */
    (void) getpwnam("postern-nss-preload");
    endpwent();
    vstr_free(tok);
    vstr_free(type);
    vstr_free(why);
}

/* proxymap_table - the open table, opened or reopened as needed */

static struct dict *
proxymap_table(const char *name, int flags)
{
    struct proxymap_table *tp = 0;
    struct vstr *why;
    size_t  i;
    int     n;

    for (i = 0; i < proxymap_allowed->argc; i++)
	if (strcmp(proxymap_allowed->argv[i], name) == 0)
	    break;
    if (i >= proxymap_allowed->argc) {
	msg_warn("request for table \"%.200s\" refused: not in proxy_read_maps",
		 name);
	return (0);
    }
    for (n = 0; n < proxymap_count; n++)
	if (strcmp(proxymap_tables[n].name, name) == 0)
	    tp = proxymap_tables + n;
    if (tp && tp->dict && dict_changed(tp->dict)) {
	msg_info("table %s has changed -- reopening", name);
	dict_close(tp->dict);
	tp->dict = 0;
    }
    if (tp == 0) {
	if (proxymap_count >= PROXYMAP_TABLES_MAX)
	    msg_fatal("too many tables (%d); restart", proxymap_count);
	tp = proxymap_tables + proxymap_count++;
	tp->name = mystrdup(name);
	tp->dict = 0;
    }
    if (tp->dict == 0) {
	why = vstr_alloc(64);
	if ((tp->dict = dict_open(name, flags, why)) == 0)
	    msg_warn("open table %s: %s", name, vstr_str(why));
	vstr_free(why);
    }
    return (tp->dict);
}

/* proxymap_lookup - one lookup; MAIL_PROXY_* */

static int
proxymap_lookup(const char *name, int flags, const char *key,
		        struct vstr *value)
{
    struct dict *dict;

    vstr_reset(value);
    if (strncmp(name, "proxy:", 6) == 0) {
	msg_warn("request for nested proxy table \"%.200s\" refused", name);
	return (MAIL_PROXY_ERROR);
    }
    if ((dict = proxymap_table(name, flags)) == 0)
	return (MAIL_PROXY_ERROR);
    switch (dict_lookup(dict, key, value)) {
    case DICT_FOUND:
	return (MAIL_PROXY_FOUND);
    case DICT_NOTFOUND:
	vstr_reset(value);
	return (MAIL_PROXY_NOTFOUND);
    default:
	msg_warn("%s: %s", name, dict_reason(dict));
	vstr_reset(value);
	return (MAIL_PROXY_ERROR);
    }
}

/* proxymap_wait - 1 when a request is coming, 0 at EOF/idle/stop */

static int
proxymap_wait(struct vstream *client)
{
    struct pollfd pfd;
    char    ch;
    int     n;

    if (vstream_pending(client) > 0)
	return (1);
    pfd.fd = vstream_fd(client);
    pfd.events = POLLIN;
    pfd.revents = 0;
    while ((n = poll(&pfd, 1, PROXYMAP_IDLE * 1000)) < 0 && errno == EINTR)
	if (server_stopping())
	    return (0);
    if (n <= 0 || server_stopping())
	return (0);
    return (recv(pfd.fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT) == 1);
}

/* proxymap_service - serve one client until it goes away */

static void
proxymap_service(struct vstream *client, const char *service UNUSED,
		         char **argv UNUSED)
{
    static const struct attr_limits lim = {DICT_QUERY_MAX + 1024,
    DICT_QUERY_MAX + 4096, 8};
    struct vstr *req = vstr_alloc(16);
    struct vstr *table = vstr_alloc(64);
    struct vstr *key = vstr_alloc(64);
    struct vstr *value = vstr_alloc(64);
    int     flags, status;

    if (attr_print_protocol(client, MAIL_PROTO_PROXYMAP) < 0)
	goto done;
    while (proxymap_wait(client)) {
	if (attr_scan_lim(client, ATTR_FLAG_STRICT, &lim,
			  RECV_ATTR_STR(MAIL_ATTR_REQ, req),
			  RECV_ATTR_STR(MAIL_ATTR_TABLE, table),
			  RECV_ATTR_INT(MAIL_ATTR_FLAGS, &flags),
			  RECV_ATTR_STR(MAIL_ATTR_KEY, key),
			  ATTR_TYPE_END) != 4)
	    break;
	if (strcmp(vstr_str(req), MAIL_REQ_PROXY_LOOKUP) != 0) {
	    msg_warn("unknown request \"%.100s\"", vstr_str(req));
	    break;
	}
	status = proxymap_lookup(vstr_str(table), flags, vstr_str(key), value);
	if (attr_print(client, ATTR_FLAG_NONE,
		       SEND_ATTR_INT(MAIL_ATTR_STATUS, status),
		       SEND_ATTR_STR(MAIL_ATTR_VALUE, vstr_str(value)),
		       ATTR_TYPE_END) < 0
	    || vstream_flush(client) != VSTREAM_OK)
	    break;
    }
done:
    vstr_free(req);
    vstr_free(table);
    vstr_free(key);
    vstr_free(value);
}

/* main - pass control to the single-client skeleton */

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = proxymap_syscalls;
    opts.pre_init = proxymap_pre_init;
    single_server_main(argc, argv, proxymap_service, &opts);
}
