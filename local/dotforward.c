/*
 * dotforward.c - a user's ~/.forward (forward_path): read as the user,
 * expanded like an alias, with commands and files run as the user
 * (root's become default_privs).
 *
 * forward_path is configuration text; the only values from outside that
 * reach it are the address extension and the user name, which are
 * filtered (no '/', no "..", only command_expansion_filter characters)
 * before they become part of a path. As in Postfix, a forward_path
 * element that uses $extension is skipped when the address has none.
 *
 * One child, as the user, reads the candidates in order and, when none
 * is usable and the mailbox needs no root work first, delivers to the
 * mailbox right away (local_user): one fork per plain delivery.
 */
#include <ctype.h>
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "mac_expand.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "stringops.h"
#include "msg.h"

struct local_fwd_ctx {			/* local_fwd_child() */
    struct argv *paths;			/* forward_path candidates */
    struct local_mbox_job *job;		/* then the mailbox; 0: no */
};

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

/* local_fwd_uses_ext - does text use $extension (not ${extension?..})? */

static int
local_fwd_uses_ext(const char *text)
{
    static const char *const forms[] = {"${extension}", "$(extension)"};
    const char *cp;
    size_t  n;

    for (n = 0; n < ARRAY_LEN(forms); n++)
	if (strstr(text, forms[n]))
	    return (1);
    for (cp = text; (cp = strstr(cp, "$extension")) != 0; cp += 10)
	if (!isalnum((unsigned char) cp[10]) && cp[10] != '_')
	    return (1);
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
    int     no_ext = (vstr_len(state->extension) == 0);
    char   *copy;
    char   *bp;
    char   *tok;

    fn.state = state;
    fn.user = user;
    fn.buf = vstr_alloc(50);
    bp = copy = mystrdup(var_forward_path ? var_forward_path : "");
    while ((tok = str_token(&bp, ", \t\r\n")) != 0) {
	if (no_ext && local_fwd_uses_ext(tok))
	    continue;
	if (mac_expand(out, tok, 0, local_fwd_lookup, &fn, err) < 0)
	    msg_warn("forward_path: %s", vstr_str(err));
	else if (vstr_str(out)[0] == '/')
	    argv_add(paths, vstr_str(out));
    }
    myfree(copy);
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

/* local_fwd_child - as the user: a .forward, else the mailbox */

static int
local_fwd_child(void *ctx, struct vstr *data, struct vstr *why)
{
    struct local_fwd_ctx *fc = ctx;
    struct argv *items = argv_alloc(4);
    const char *content;
    size_t  n;
    int     rc = 0;

    for (n = 0; n < fc->paths->argc && rc == 0; n++) {
	rc = local_read_here(fc->paths->argv[n], LOCAL_READ_FORWARD, data, why);
	if (rc > 0 && ((content = strchr(vstr_str(data), '\n')) == 0
		       || local_alias_split(content + 1, items) == 0))
	    rc = 0;				/* empty: the next one */
    }
    argv_free(items);
    if (rc != 0)
	return (rc < 0 ? LOCAL_FWD_TROUBLE : LOCAL_FWD_FOUND);
    vstr_reset(data);
    if (fc->job == 0)
	return (LOCAL_FWD_NONE);
    return (local_mailbox_job_child(fc->job, data, why));
}

/* local_fwd_expand - a .forward was found: expand it */

static void
local_fwd_expand(struct local_state *state, const struct local_priv *user,
		         const char *data)
{
    struct vstr *content = vstr_alloc(200);
    struct vstr *why = vstr_alloc(100);
    struct local_priv owner;
    uid_t   file_uid;

    if (local_read_parse(data, content, &file_uid, why) < 0)
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0",
			 "cannot read .forward file: %s", vstr_str(why));
    else if (local_fwd_owner(state, user, &owner) == 0) {
	local_expand_list(state, vstr_str(content), LOCAL_EXP_FORWARD, &owner);
	local_priv_free(&owner);
    }
    vstr_free(content);
    vstr_free(why);
}

/* local_dotforward - .forward, and the mailbox when job is given */

int
local_dotforward(struct local_state *state, const struct local_priv *user,
		         struct local_mbox_job *job)
{
    struct local_fwd_ctx fc;
    struct vstr *data = vstr_alloc(200);
    struct vstr *why = vstr_alloc(100);
    int     rc;

    fc.paths = argv_alloc(2);
    fc.job = job;
    local_fwd_paths(state, user, fc.paths);
    if (fc.paths->argc == 0 && job == 0)
	rc = LOCAL_FWD_NONE;			/* nothing to look at */
    else
	rc = local_child_run(user, local_fwd_child, &fc, data, why);
    if (rc == LOCAL_FWD_FOUND)
	local_fwd_expand(state, user, vstr_str(data));
    else if (rc == LOCAL_FWD_TROUBLE || (job == 0 && rc != LOCAL_FWD_NONE))
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0",
			 "cannot read .forward file: %s", vstr_str(why));
    else if (job != 0)
	local_mailbox_result(state, job, rc, why);
    argv_free(fc.paths);
    vstr_free(data);
    vstr_free(why);
    return (rc == LOCAL_FWD_NONE ? 0 : rc == LOCAL_FWD_FOUND
	    || rc == LOCAL_FWD_TROUBLE || job == 0 ? 1 : 2);
}

/* local_user - a user's .forward, then mailbox; one child when it can */

void
local_user(struct local_state *state, const struct local_priv *user)
{
    struct local_mbox_job job;

    if (state->skip & LOCAL_SKIP_FORWARD) {
	if (!local_is_dup(state, "mailbox", user->name))
	    local_mailbox(state, user);
	return;
    }
    local_mailbox_plan(state, user, &job);
    if (!local_was_done(state, "mailbox", user->name)
	&& local_mailbox_ready(&job)) {
	if (local_dotforward(state, user, &job) == 2)
	    (void) local_is_dup(state, "mailbox", user->name);
    } else if (!local_dotforward(state, user, (struct local_mbox_job *) 0)
	       && !local_is_dup(state, "mailbox", user->name)) {
	local_mailbox(state, user);
    }
    local_mailbox_plan_free(&job);
}
