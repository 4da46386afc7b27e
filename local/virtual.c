/*
 * virtual.c - virtual mailbox domains: virtual_mailbox_maps gives the
 * mailbox path under virtual_mailbox_base (a trailing '/' means
 * Maildir), virtual_uid_maps and virtual_gid_maps the owner (static:NNN
 * works), and the delivery runs as that uid, which must be at least
 * virtual_minimum_uid. Virtual mbox files are locked with fcntl only.
 */
#include <stdlib.h>
#include <string.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"

/* local_virtual_id - a numeric id from a table; 1, 0 or -1 */

static int
local_virtual_id(struct local_state *state, struct maps *maps, long *id)
{
    struct vstr *val = vstr_alloc(20);
    char   *end;
    int     rc = DICT_NOTFOUND;

    if (maps)
	rc = maps_find_addr(maps, vstr_str(state->address),
			    var_recipient_delimiter, 0, val);
    if (rc == DICT_FOUND) {
	*id = strtol(vstr_str(val), &end, 10);
	if (end == vstr_str(val) || *end || *id < 0 || *id > 0x7fffffffL)
	    rc = DICT_NOTFOUND;
    }
    vstr_free(val);
    return (rc);
}

/* local_virtual_path_ok - relative, no "..", printable */

static int
local_virtual_path_ok(const char *path)
{
    const char *cp;

    if (*path == 0 || *path == '/' || strcmp(path, "..") == 0
	|| strncmp(path, "../", 3) == 0 || strstr(path, "/../")
	|| (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
	return (0);
    for (cp = path; *cp; cp++)
	if ((unsigned char) *cp <= ' ' || *cp == 0x7f)
	    return (0);
    return (1);
}

/* local_virtual_owner - uid and gid of the mailbox; 0 or -1 */

static int
local_virtual_owner(struct local_state *state, struct local_priv *priv)
{
    long    uid;
    long    gid;
    int     rc;

    if ((rc = local_virtual_id(state, state->tab->vuid, &uid)) != DICT_FOUND
	|| (rc = local_virtual_id(state, state->tab->vgid, &gid)) != DICT_FOUND) {
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.5",
			 "%s for %s", rc == DICT_ERROR ? "virtual_uid_maps or"
			 " virtual_gid_maps lookup failure" :
			 "no valid uid or gid in virtual_uid_maps/"
			 "virtual_gid_maps", vstr_str(state->address));
	return (-1);
    }
    if (uid < var_virt_minimum_uid || gid == 0) {
	msg_warn("virtual mailbox %s: uid %ld below virtual_minimum_uid %d"
		 " or gid 0", vstr_str(state->address), uid,
		 var_virt_minimum_uid);
	local_result_text(state->result, MAIL_STAT_DEFER,
			  "4.3.5 bad uid or gid for a virtual mailbox");
	return (-1);
    }
    priv->uid = (uid_t) uid;
    priv->gid = (gid_t) gid;
    priv->name = 0;
    priv->home = 0;
    return (0);
}

/* local_virtual_deliver - mbox or Maildir as priv */

static int
local_virtual_deliver(struct local_state *state, struct local_priv *priv,
		              struct vstr *path, int *maildir, struct vstr *why)
{
    struct local_mbox_job job;

    *maildir = (vstr_str(path)[vstr_len(path) - 1] == '/');
    while (*maildir && vstr_len(path) > 1
	   && vstr_str(path)[vstr_len(path) - 1] == '/')
	vstr_truncate(path, vstr_len(path) - 1);
    job.path = path;
    job.maildir = *maildir;
    job.spool = 0;
    job.mc.msg = state->msg;
    job.mc.path = vstr_str(path);
    job.mc.delivered_to = vstr_str(state->address);
    job.mc.flags = LOCAL_MBOX_FCNTL | LOCAL_MBOX_OWNER;
    job.mc.limit = var_mailbox_limit;
    return (local_child_run(priv, local_mailbox_job_child, &job,
			    (struct vstr *) 0, why));
}

/* local_virtual - deliver to a virtual mailbox; 1 when handled */

int
local_virtual(struct local_state *state)
{
    struct vstr *rel = vstr_alloc(100);
    struct vstr *path = vstr_alloc(100);
    struct vstr *why = vstr_alloc(100);
    struct local_priv priv;
    int     maildir;
    int     rc = DICT_NOTFOUND;

    if (state->tab->vmailbox)
	rc = maps_find_addr(state->tab->vmailbox, vstr_str(state->address),
			    var_recipient_delimiter, 0, rel);
    if (rc == DICT_ERROR) {
	local_result_text(state->result, MAIL_STAT_DEFER,
			  "4.3.0 virtual_mailbox_maps lookup failure");
    } else if (rc == DICT_NOTFOUND) {
	local_result_set(state->result, MAIL_STAT_BOUNCE, "5.1.1",
			 "unknown user: \"%s\"", vstr_str(state->address));
    } else if (!local_virtual_path_ok(vstr_str(rel))
	       || *var_virt_mailbox_base != '/') {
	msg_warn("bad virtual mailbox path \"%s\" (base \"%s\") for %s",
		 vstr_str(rel), var_virt_mailbox_base, vstr_str(state->address));
	local_result_text(state->result, MAIL_STAT_DEFER,
			  "4.3.5 bad virtual mailbox path");
    } else if (local_virtual_owner(state, &priv) == 0) {
	vstr_sprintf(path, "%s/%s", var_virt_mailbox_base, vstr_str(rel));
	if (!local_is_dup(state, "virtual", vstr_str(path))) {
	    rc = local_virtual_deliver(state, &priv, path, &maildir, why);
	    if (rc == MAIL_STAT_OK)
		local_result_text(state->result, rc, maildir ?
			    "delivered to maildir" : "delivered to mailbox");
	    else
		local_result_text(state->result, local_child_status(rc),
				  vstr_str(why));
	}
    }
    vstr_free(rel);
    vstr_free(path);
    vstr_free(why);
    return (1);
}
