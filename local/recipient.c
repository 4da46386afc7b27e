/*
 * recipient.c - what one address means to local: a virtual mailbox, an
 * alias, a user with a ~/.forward, or a user's mailbox; and the checks
 * that keep the expansion finite: the Delivered-To loop test, repeated
 * ancestors, a depth limit, and duplicate destinations.
 *
 * An address is split into user, extension (recipient_delimiter) and
 * domain; the user part is folded to lower case for lookups, as Postfix
 * does. Addresses from alias and .forward expansion whose domain is not
 * ours are forwarded through cleanup (forward.c).
 */
#include <string.h>
#include <strings.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "stringops.h"
#include "msg.h"

/* local_state_init - fields shared by the root state and children */

static void
local_state_alloc(struct local_state *state)
{
    state->address = vstr_alloc(100);
    state->user = vstr_alloc(50);
    state->extension = vstr_alloc(10);
    state->domain = vstr_alloc(50);
}

/* local_state_child - a state one level below parent */

void
local_state_child(struct local_state *child, struct local_state *parent,
		          int exp_type, const struct local_priv *owner)
{
    memset(child, 0, sizeof(*child));
    local_state_alloc(child);
    child->msg = parent->msg;
    child->tab = parent->tab;
    child->orig_rcpt = parent->orig_rcpt;
    child->parent = parent;
    child->level = parent->level + 1;
    child->exp_type = exp_type;
    child->owner = owner;
    child->owner_root = parent->owner_root;
    child->done = parent->done;
    child->result = parent->result;
    vstr_strcpy(child->address, vstr_str(parent->address));
    vstr_strcpy(child->user, vstr_str(parent->user));
    vstr_strcpy(child->extension, vstr_str(parent->extension));
    vstr_strcpy(child->domain, vstr_str(parent->domain));
}

/* local_state_free - release a state's strings */

void
local_state_free(struct local_state *state)
{
    vstr_free(state->address);
    vstr_free(state->user);
    vstr_free(state->extension);
    vstr_free(state->domain);
}

/* local_split_address - fill address, user, extension, domain */

int
local_split_address(struct local_state *state, const char *addr)
{
    const char *at;
    const char *delim = var_recipient_delimiter ? var_recipient_delimiter : "";
    size_t  llen;
    size_t  n;

    if (*addr == '\\') {
	state->skip |= LOCAL_SKIP_ALIAS | LOCAL_SKIP_FORWARD;
	addr++;
    }
    at = strrchr(addr, '@');
    llen = at ? (size_t) (at - addr) : strlen(addr);
    if (llen == 0 || strlen(addr) > 1000)
	return (-1);
    vstr_memcpy(state->user, addr, llen);
    vstr_lower(state->user);
    vstr_strcpy(state->domain, at ? at + 1 : "");
    vstr_lower(state->domain);
    vstr_reset(state->extension);
    if (*delim && vstr_str(state->user)[0] != '"') {
	n = strcspn(vstr_str(state->user) + 1, delim) + 1;
	if (n < vstr_len(state->user)) {
	    vstr_strcpy(state->extension, vstr_str(state->user) + n + 1);
	    vstr_truncate(state->user, n);
	}
    }
    vstr_memcpy(state->address, addr, llen);
    vstr_lower(state->address);
    vstr_sprintf_append(state->address, "@%s", at ? vstr_str(state->domain) :
			var_myorigin);
    return (0);
}

/* local_domain_match - is domain in a list of names and tables? */

int
local_domain_match(struct argv *names, struct maps *tables, const char *domain)
{
    struct vstr *val;
    size_t  n;
    int     rc;

    for (n = 0; names && n < names->argc; n++)
	if (strcasecmp(names->argv[n], domain) == 0)
	    return (1);
    if (tables == 0 || *domain == 0)
	return (0);
    val = vstr_alloc(20);
    rc = maps_find(tables, domain, val);
    vstr_free(val);
    return (rc == DICT_FOUND ? 1 : rc == DICT_ERROR ? -1 : 0);
}

/* local_dup_find - was this destination seen? record it if asked */

static int
local_dup_find(struct local_state *state, const char *kind, const char *what,
	               int record)
{
    struct vstr *key = vstr_alloc(100);
    size_t  n;
    int     dup = 0;

    vstr_sprintf(key, "%s:%s", kind, what);
    for (n = 0; n < state->done->argc && !dup; n++)
	dup = (strcmp(state->done->argv[n], vstr_str(key)) == 0);
    if (!dup && record)
	argv_add(state->done, vstr_str(key));
    vstr_free(key);
    return (dup);
}

/* local_is_dup - record a destination; true when it was seen before */

int
local_is_dup(struct local_state *state, const char *kind, const char *what)
{
    return (local_dup_find(state, kind, what, 1));
}

/* local_was_done - true when a destination was seen (not recorded) */

int
local_was_done(struct local_state *state, const char *kind, const char *what)
{
    return (local_dup_find(state, kind, what, 0));
}

/* local_domain_local - mydestination, myhostname or no domain */

static int
local_domain_local(struct local_state *state, const char *domain)
{
    return (*domain == 0 || strcasecmp(domain, var_myhostname) == 0
	    || local_domain_match(state->tab->mydest, state->tab->mydest_maps,
				  domain) > 0);
}

/* local_same_domain - the same domain, or both local */

static int
local_same_domain(struct local_state *a, struct local_state *b)
{
    const char *da = vstr_str(a->domain);
    const char *db = vstr_str(b->domain);

    return (strcmp(da, db) == 0
	    || (local_domain_local(a, da) && local_domain_local(b, db)));
}

/* local_check_loop - Delivered-To, ancestors, depth; 1 when stopped */

static int
local_check_loop(struct local_state *state)
{
    const char *addr = vstr_str(state->address);
    struct local_state *p;

    if (state->level > LOCAL_DEPTH_MAX) {
	local_result_text(state->result, MAIL_STAT_BOUNCE,
			  "5.4.6 alias expansion too deep (possible loop)");
	return (1);
    }
    if (local_msg_looped(state->msg, addr)) {
	local_result_set(state->result, MAIL_STAT_BOUNCE, "5.4.6",
			 "mail forwarding loop for %s", addr);
	return (1);
    }
    for (p = state->parent; p; p = p->parent) {
	if (strcmp(vstr_str(p->user), vstr_str(state->user)) != 0
	    || !local_same_domain(p, state))
	    continue;
	if (p == state->parent) {
	    /* "a: a, b" or a .forward naming its owner: the mailbox. */
	    state->skip |= LOCAL_SKIP_ALIAS;
	    if (p->exp_type == LOCAL_EXP_FORWARD
		|| state->exp_type == LOCAL_EXP_FORWARD)
		state->skip |= LOCAL_SKIP_FORWARD;
	    continue;
	}
	if ((p->skip & LOCAL_SKIP_ALIAS) == 0) {
	    local_result_set(state->result, MAIL_STAT_BOUNCE, "5.4.6",
			     "mail forwarding loop for %s", addr);
	    return (1);
	}
    }
    return (0);
}

/* local_route - local (1), virtual (2), elsewhere (0), or error (-1) */

static int
local_route(struct local_state *state)
{
    const char *domain = vstr_str(state->domain);
    int     rc;

    if (*domain == 0)
	return (1);
    if ((rc = local_domain_match(state->tab->mydest, state->tab->mydest_maps,
				 domain)) != 0)
	return (rc);
    if (strcasecmp(domain, var_myhostname) == 0)
	return (1);
    if ((rc = local_domain_match(state->tab->vdomains,
				 state->tab->vdomain_maps, domain)) != 0)
	return (rc < 0 ? -1 : 2);
    return (state->level == 0 ? 1 : 0);
}

/* local_recipient - deliver to the address in state */

void
local_recipient(struct local_state *state)
{
    struct local_priv user;
    struct vstr *why;
    int     rc;

    if (local_check_loop(state))
	return;
    if ((rc = local_route(state)) < 0) {
	local_result_text(state->result, MAIL_STAT_DEFER,
			  "4.3.0 domain list lookup failure");
	return;
    }
    if (rc == 2) {
	(void) local_virtual(state);
	return;
    }
    if (rc == 0) {
	local_forward(state, vstr_str(state->address));
	return;
    }
    if ((state->skip & LOCAL_SKIP_ALIAS) == 0 && local_alias(state))
	return;
    why = vstr_alloc(100);
    if ((rc = local_priv_user(&user, vstr_str(state->user), why)) <= 0) {
	if (rc < 0)
	    local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0", "%s",
			     vstr_str(why));
	else
	    local_result_set(state->result, MAIL_STAT_BOUNCE, "5.1.1",
			     "unknown user: \"%s\"", vstr_str(state->user));
	vstr_free(why);
	return;
    }
    vstr_sprintf(why, "%s:%d", user.name, state->skip);
    if (!local_is_dup(state, "user", vstr_str(why)))
	local_user(state, &user);
    vstr_free(why);
    local_priv_free(&user);
}

/* local_deliver_rcpt - deliver to one recipient that qmgr sent */

void
local_deliver_rcpt(struct local_msg *msg, struct local_tables *tab,
		           const char *address, struct local_result *res)
{
    struct local_state state;

    memset(&state, 0, sizeof(state));
    local_state_alloc(&state);
    state.msg = msg;
    state.tab = tab;
    state.orig_rcpt = address;
    state.done = argv_alloc(4);
    state.result = res;
    if (local_split_address(&state, address) < 0) {
	local_result_set(res, MAIL_STAT_BOUNCE, "5.1.3",
			 "bad recipient address syntax");
    } else {
	/*
	 * "\user" skips aliases and .forward only inside an alias or
	 * forward list; from the envelope (a remote sender's RCPT TO) it
	 * is just the user, as in Postfix.
	 */
	state.skip = 0;
	local_recipient(&state);
    }
    if (res->count == 0)
	local_result_text(res, MAIL_STAT_OK, "2.0.0 delivered (no destinations)");
    argv_free(state.done);
    local_state_free(&state);
}
