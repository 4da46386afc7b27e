/*
 * dotforward.c - a user's ~/.forward (forward_path): read as the user,
 * expanded like an alias, with commands and files run as the user
 * (root's become default_privs).
 *
 * forward_path is configuration text; the only values from outside that
 * reach it are the address extension and the user name, which are
 * filtered (no '/', no "..", only command_expansion_filter characters)
 * before they become part of a path.
 */
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "mac_expand.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "stringops.h"
#include "msg.h"

struct local_fwd_names {
    const struct local_state *state;
    const struct local_priv *user;
    struct vstr *buf;
};

/* local_fwd_filter - a value made safe for a path component */

static void
local_fwd_filter(struct vstr *out, const char *value)
{
    const char *cp;

    vstr_reset(out);
    for (cp = value; *cp && vstr_len(out) < 100; cp++)
	vstr_addch(out, (*cp != '/' && strchr(var_cmd_exp_filter, *cp)
			 && *cp != 0) ? *cp : '_');
    if (strstr(vstr_str(out), "..")) {
	vstr_reset(out);
	vstr_strcpy(out, "_");
    }
}

/* local_fwd_lookup - $home, $user, $extension, $recipient_delimiter */

static const char *
local_fwd_lookup(const char *name, void *ctx)
{
    struct local_fwd_names *fn = ctx;

    if (strcmp(name, "home") == 0)
	return (fn->user->home);
    if (strcmp(name, "recipient_delimiter") == 0)
	return (var_recipient_delimiter);
    if (strcmp(name, "user") == 0) {
	local_fwd_filter(fn->buf, fn->user->name);
	return (vstr_str(fn->buf));
    }
    if (strcmp(name, "extension") == 0) {
	local_fwd_filter(fn->buf, vstr_str(fn->state->extension));
	return (vstr_str(fn->buf));
    }
    return (0);
}

/* local_fwd_paths - forward_path expanded into candidate files */

static void
local_fwd_paths(const struct local_state *state, const struct local_priv *user,
		        struct argv *paths)
{
    struct local_fwd_names fn;
    struct vstr *out = vstr_alloc(200);
    struct vstr *err = vstr_alloc(50);
    char   *copy;
    char   *bp;
    char   *tok;

    fn.state = state;
    fn.user = user;
    fn.buf = vstr_alloc(50);
    if (mac_expand(out, var_forward_path ? var_forward_path : "", 0,
		   local_fwd_lookup, &fn, err) < 0) {
	msg_warn("forward_path: %s", vstr_str(err));
    } else {
	bp = copy = mystrdup(vstr_str(out));
	while ((tok = str_token(&bp, ", \t\r\n")) != 0)
	    if (*tok == '/')
		argv_add(paths, tok);
	myfree(copy);
    }
    vstr_free(fn.buf);
    vstr_free(out);
    vstr_free(err);
}

/* local_fwd_owner - rights for commands and files in the .forward */

static int
local_fwd_owner(struct local_state *state, const struct local_priv *user,
		        struct local_priv *owner)
{
    struct vstr *why = vstr_alloc(100);
    int     rc = 0;

    if (user->uid == 0 && geteuid() == 0) {
	state->owner_root = 1;
	rc = local_priv_default(owner, why);
    } else {
	state->owner_root = 0;
	local_priv_copy(owner, user);
    }
    if (rc < 0)
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0", "%s",
			 vstr_str(why));
    vstr_free(why);
    return (rc);
}

/* local_dotforward - use the user's .forward; 1 if it handled the mail */

int
local_dotforward(struct local_state *state, const struct local_priv *user)
{
    struct argv *paths = argv_alloc(2);
    struct vstr *content = vstr_alloc(200);
    struct vstr *why = vstr_alloc(100);
    struct argv *items = argv_alloc(4);
    struct local_priv owner;
    uid_t   file_uid;
    size_t  n;
    int     rc = 0;

    local_fwd_paths(state, user, paths);
    for (n = 0; n < paths->argc && rc == 0; n++) {
	rc = local_read_file(user, paths->argv[n], LOCAL_READ_FORWARD,
			     content, &file_uid, why);
	if (rc > 0 && local_alias_split(vstr_str(content), items) == 0)
	    rc = 0;				/* empty: the mailbox */
    }
    if (rc < 0) {
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0",
			 "cannot read .forward file: %s", vstr_str(why));
    } else if (rc > 0 && local_fwd_owner(state, user, &owner) == 0) {
	local_expand_list(state, vstr_str(content), LOCAL_EXP_FORWARD, &owner);
	local_priv_free(&owner);
    }
    argv_free(paths);
    argv_free(items);
    vstr_free(content);
    vstr_free(why);
    return (rc != 0);
}
