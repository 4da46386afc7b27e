/*
 * alias.c - alias_maps lookups and the expansion of a destination list,
 * shared by aliases, ~/.forward and :include: files.
 *
 * A list is split at commas and newlines outside double quotes; '#'
 * starts a comment at the start of a line. Each item is "|command",
 * "/file", ":include:/file", or an address ("\user" means the user's
 * own mailbox, no alias or .forward). Commands and files from an alias
 * run with the rights of the alias table file's owner, or default_privs
 * when that is root (Postfix local(8)); allow_mail_to_commands and
 * allow_mail_to_files say which kinds of lists may name them.
 */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "stringops.h"
#include "msg.h"

/* local_alias_item - add one trimmed item */

static void
local_alias_item(struct argv *out, const char *start, const char *end)
{
    while (start < end && (*start == ' ' || *start == '\t'))
	start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'
			   || end[-1] == '\r'))
	end--;
    if (end > start && out->argc < LOCAL_DEST_MAX + 1)
	argv_addn(out, start, (size_t) (end - start));
}

/* local_alias_split - a destination list into items; count, -1 if bad */

int
local_alias_split(const char *value, struct argv *out)
{
    const char *cp = value;
    const char *start = value;
    int     quoted = 0;
    int     bol = 1;

    for (cp = value; *cp; cp++) {
	if (bol && *cp == '#') {
	    while (cp[1] && cp[1] != '\n')
		cp++;
	    start = cp + 1;
	    continue;
	}
	bol = 0;
	if (*cp == '"')
	    quoted = !quoted;
	else if (*cp == '\\' && quoted && cp[1])
	    cp++;
	else if (*cp == '\n' || (*cp == ',' && !quoted)) {
	    local_alias_item(out, start, cp);
	    start = cp + 1;
	    bol = (*cp == '\n');
	    quoted = (quoted && *cp != '\n');
	}
    }
    local_alias_item(out, start, cp);
    return (quoted ? -1 : (int) out->argc);
}

/* local_expand_item - deliver to one item of a list */

static void
local_expand_item(struct local_state *child, char *item)
{
    const struct local_tables *tab = child->tab;
    size_t  len = strlen(item);

    if (len >= 2 && item[0] == '"' && item[len - 1] == '"'
	&& (item[1] == '|' || item[1] == '/')) {
	item[len - 1] = 0;
	item++;
    }
    if (*item == '|') {
	if ((tab->allow_commands & child->exp_type) == 0)
	    local_result_text(child->result, MAIL_STAT_BOUNCE,
			      "5.7.1 mail to command is restricted");
	else
	    local_command(child, item + 1);
    } else if (*item == '/') {
	if ((tab->allow_files & child->exp_type) == 0)
	    local_result_text(child->result, MAIL_STAT_BOUNCE,
			      "5.7.1 mail to file is restricted");
	else
	    local_file(child, item);
    } else if (strncasecmp(item, ":include:", 9) == 0) {
	local_include(child, str_trim(item + 9));
    } else if (local_split_address(child, item) < 0) {
	local_result_text(child->result, MAIL_STAT_BOUNCE,
			  "5.1.3 bad address syntax in alias or forward list");
    } else {
	local_recipient(child);
    }
}

/* local_expand_list - deliver to every item of a list */

void
local_expand_list(struct local_state *state, const char *text, int exp_type,
		          const struct local_priv *owner)
{
    struct argv *items = argv_alloc(8);
    struct local_state child;
    size_t  n;

    if (local_alias_split(text, items) < 0)
	msg_warn("unbalanced quotes in the expansion of %s",
		 vstr_str(state->address));
    if (items->argc > LOCAL_DEST_MAX) {
	local_result_text(state->result, MAIL_STAT_BOUNCE,
			  "5.3.0 too many destinations in alias or forward list");
	argv_free(items);
	return;
    }
    for (n = 0; n < items->argc; n++) {
	local_state_child(&child, state, exp_type, owner);
	local_expand_item(&child, items->argv[n]);
	local_state_free(&child);
    }
    argv_free(items);
}

/* local_alias_owner - whose rights commands and files of a table get */

static int
local_alias_owner(struct local_state *state, uid_t owner,
		          struct local_priv *priv)
{
    struct vstr *why = vstr_alloc(100);
    int     rc;

    if (owner == 0) {
	state->owner_root = 1;
	rc = local_priv_default(priv, why);
    } else {
	state->owner_root = 0;
	if ((rc = local_priv_uid(priv, owner, why)) == 0)
	    rc = vstr_fail(why, "alias table owner uid %ld is unknown",
			   (long) owner);
    }
    if (rc < 0)
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0", "%s",
			 vstr_str(why));
    vstr_free(why);
    return (rc < 0 ? -1 : 0);
}

/* local_alias_lookup - the first table that knows key; 1, 0 or -1 */

static int
local_alias_lookup(struct local_state *state, const char *key,
		           struct vstr *value, uid_t *owner)
{
    struct local_tables *tab = state->tab;
    size_t  n;
    int     rc;

    for (n = 0; n < tab->alias_count; n++) {
	rc = dict_lookup(tab->alias[n].dict, key, value);
	if (rc == DICT_FOUND) {
	    *owner = tab->alias[n].owner;
	    return (1);
	}
	if (rc == DICT_ERROR)
	    return (-1);
    }
    return (0);
}

/* local_alias - expand state's user through alias_maps; 1 if handled */

int
local_alias(struct local_state *state)
{
    struct vstr *value = vstr_alloc(100);
    struct vstr *key = vstr_alloc(50);
    struct local_priv owner;
    uid_t   owner_uid = 0;
    int     rc;

    vstr_strcpy(key, vstr_str(state->user));
    if (vstr_len(state->extension) > 0)
	vstr_sprintf_append(key, "%c%s", var_recipient_delimiter[0],
			    vstr_str(state->extension));
    rc = local_alias_lookup(state, vstr_str(key), value, &owner_uid);
    if (rc == 0 && vstr_len(state->extension) > 0)
	rc = local_alias_lookup(state, vstr_str(state->user), value,
				&owner_uid);
    if (rc < 0)
	local_result_text(state->result, MAIL_STAT_DEFER,
			  "4.3.0 alias database unavailable");
    else if (rc > 0 && local_alias_owner(state, owner_uid, &owner) == 0) {
	local_expand_list(state, vstr_str(value), LOCAL_EXP_ALIAS, &owner);
	local_priv_free(&owner);
    }
    vstr_free(value);
    vstr_free(key);
    return (rc != 0);
}
