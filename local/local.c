/*
 * local.c - the local and virtual delivery agent: serves qmgr's delivery
 * requests on private/local (util/deliver_proto.h) for the domains of
 * mydestination and virtual_mailbox_domains.
 *
 * This file is the daemon shell: the tables opened in pre_init (before
 * the seccomp filter; local keeps root, MAIL_SERVER_NEEDS_ROOT), the
 * spawn helper for commands started there too, and the service: read a
 * request, open the queue file, deliver to each recipient, log, reply.
 * docs/local.md describes the process and privilege model.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "local.h"
#include "attr.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "mymalloc.h"
#include "msg.h"

struct local_tables local_tables;

/* local_open_alias - alias_maps, table by table (owners matter) */

static void
local_open_alias(struct local_tables *tab)
{
    struct vstr *tok = vstr_alloc(50);
    struct vstr *why = vstr_alloc(100);
    const char *cp = var_alias_maps ? var_alias_maps : "";
    struct local_alias_table *at;
    struct stat st;
    int     rc;

    while ((rc = dict_list_token(&cp, tok, why)) > 0) {
	tab->alias = myrealloc(tab->alias, (tab->alias_count + 1)
			       * sizeof(*tab->alias));
	at = tab->alias + tab->alias_count++;
	if ((at->dict = dict_open(vstr_str(tok), DICT_FLAG_NONE, why)) == 0)
	    msg_fatal("alias_maps: %s", vstr_str(why));
	at->owner = 0;
	if (at->dict->file && stat(at->dict->file, &st) == 0)
	    at->owner = st.st_uid;
    }
    if (rc < 0)
	msg_fatal("alias_maps: %s", vstr_str(why));
    vstr_free(tok);
    vstr_free(why);
}

/* local_open_domains - a domain list: plain names and tables */

static void
local_open_domains(const char *title, const char *list, struct argv **names,
		           struct maps **tables)
{
    struct vstr *tok = vstr_alloc(50);
    struct vstr *maplist = vstr_alloc(50);
    struct vstr *why = vstr_alloc(100);
    const char *cp = list ? list : "";
    int     rc;

    *names = argv_alloc(4);
    while ((rc = dict_list_token(&cp, tok, why)) > 0) {
	if (strchr(vstr_str(tok), ':')) {
	    vstr_sprintf_append(maplist, "%s%s", vstr_len(maplist) ? ", " : "",
				vstr_str(tok));
	} else {
	    vstr_lower(tok);
	    argv_add(*names, vstr_str(tok));
	}
    }
    if (rc < 0)
	msg_fatal("%s: %s", title, vstr_str(why));
    *tables = 0;
    if (vstr_len(maplist) > 0
	&& (*tables = maps_create(title, vstr_str(maplist), DICT_FLAG_NONE,
				  why)) == 0)
	msg_fatal("%s", vstr_str(why));
    vstr_free(tok);
    vstr_free(maplist);
    vstr_free(why);
}

/* local_open_maps - one table list, NULL when empty */

static struct maps *
local_open_maps(const char *title, const char *list)
{
    struct vstr *why = vstr_alloc(100);
    struct maps *maps = 0;

    if (list && *list
	&& (maps = maps_create(title, list, DICT_FLAG_NONE, why)) == 0)
	msg_fatal("%s", vstr_str(why));
    vstr_free(why);
    return (maps);
}

/* local_class_mask - "alias, forward, include" as LOCAL_EXP_* bits */

static int
local_class_mask(const char *value)
{
    int     mask = 0;

    if (value && strstr(value, "alias"))
	mask |= LOCAL_EXP_ALIAS;
    if (value && strstr(value, "forward"))
	mask |= LOCAL_EXP_FORWARD;
    if (value && strstr(value, "include"))
	mask |= LOCAL_EXP_INCLUDE;
    return (mask);
}

/* local_pre_init - tables, the NSS modules, the spawn helper */

static void
local_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    struct local_tables *tab = &local_tables;
    struct vstr *why = vstr_alloc(100);

    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    local_open_alias(tab);
    tab->vmailbox = local_open_maps("virtual_mailbox_maps",
				    var_virt_mailbox_maps);
    tab->vuid = local_open_maps("virtual_uid_maps", var_virt_uid_maps);
    tab->vgid = local_open_maps("virtual_gid_maps", var_virt_gid_maps);
    local_open_domains("mydestination", var_mydestination, &tab->mydest,
		       &tab->mydest_maps);
    local_open_domains("virtual_mailbox_domains", var_virt_mailbox_domains,
		       &tab->vdomains, &tab->vdomain_maps);
    tab->allow_commands = local_class_mask(var_allow_commands);
    tab->allow_files = local_class_mask(var_allow_files);

    /*
     * Load the name service modules now: after the seccomp filter no new
     * executable mapping (dlopen) is possible.
     */
    (void) getpwnam("root");
    (void) getpwnam("postern-no-such-user-warmup");
    (void) getpwuid(0);
    (void) getpwuid((uid_t) 2147483600);
    (void) getgrgid(0);
    (void) getpwnam(var_default_privs);
    if (local_spawn_start(why) < 0)
	msg_fatal("cannot start the command spawn helper: %s", vstr_str(why));
    vstr_free(why);
}

/* local_deliver_all - every recipient of a request */

static void
local_deliver_all(struct deliver_request *req, struct local_msg *msg)
{
    struct local_result res;
    struct deliver_rcpt *rp;
    int     n;

    for (n = 0; n < req->nrcpt; n++) {
	rp = req->rcpt + n;
	local_result_init(&res);
	local_deliver_rcpt(msg, &local_tables, vstr_str(rp->address), &res);
	deliver_rcpt_result(rp, res.status, vstr_str(res.dsn),
			    vstr_str(res.why));
	local_result_free(&res);
    }
}

/* local_serve - one request: open, deliver, log, reply */

static void
local_serve(struct vstream *client, struct deliver_request *req)
{
    struct local_msg msg;
    struct vstr *path = vstr_alloc(50);
    struct vstr *why = vstr_alloc(100);
    int     n;

    memset(&msg, 0, sizeof(msg));
    msg.req = req;
    msg.queue_id = vstr_str(req->queue_id);
    msg.sender = vstr_str(req->sender);
    if (mail_queue_path(path, vstr_str(req->queue_name),
			vstr_str(req->queue_id)) < 0
	|| local_msg_open(&msg, vstr_str(path), why) < 0) {
	msg_warn("%s: cannot read queue file %s: %s", msg.queue_id,
		 vstr_str(path), vstr_str(why));
	for (n = 0; n < req->nrcpt; n++)
	    vstr_sprintf(req->rcpt[n].why, "cannot read queue file");
    } else {
	local_deliver_all(req, &msg);
    }
    local_msg_close(&msg);
    deliver_request_log(req);
    if (deliver_request_reply(client, req, (char *) 0, 0) < 0)
	msg_warn("%s: cannot send the delivery reply", msg.queue_id);
    vstr_free(path);
    vstr_free(why);
}

/* local_tables_changed - was an alias or virtual table rebuilt? */

static int
local_tables_changed(void)
{
    struct local_tables *tab = &local_tables;
    size_t  n;

    for (n = 0; n < tab->alias_count; n++)
	if (dict_changed(tab->alias[n].dict))
	    return (1);
    return ((tab->vmailbox && maps_changed(tab->vmailbox))
	    || (tab->vuid && maps_changed(tab->vuid))
	    || (tab->vgid && maps_changed(tab->vgid)));
}

/* local_service - one delivery request per connection */

static void
local_service(struct vstream *client, const char *service UNUSED,
	              char **argv UNUSED)
{
    struct deliver_request req;

    vstream_set_timeout(client, var_ipc_timeout > INT_MAX ? INT_MAX :
			(int) var_ipc_timeout);
    if (attr_print_protocol(client, MAIL_PROTO_DELIVER) < 0)
	return;
    if (deliver_request_read(client, &req, LOCAL_RELAY) == 0)
	local_serve(client, &req);
    else
	msg_warn("malformed delivery request");
    deliver_request_free(&req);
    if (local_tables_changed()) {
	msg_info("lookup table has changed -- restarting");
	server_exit();
    }
    if (!local_spawn_alive()) {
	msg_warn("command spawn helper is gone -- restarting");
	server_exit();
    }
}

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = local_syscalls;
    opts.pre_init = local_pre_init;
    opts.flags = MAIL_SERVER_NEEDS_ROOT;
    single_server_main(argc, argv, local_service, &opts);
}
