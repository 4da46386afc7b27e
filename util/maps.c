/*
 * maps.c - a list of lookup tables, and address lookups (see maps.h).
 *
 * The address lookup order is Postfix's (global/mail_addr_find.c):
 * the full address, the address without its extension, the bare local
 * part for local domains, then "@domain". The candidates are built in a
 * vstr from a bounded copy of the address, never in a fixed buffer.
 */
#include <string.h>

#include "maps.h"
#include "mymalloc.h"
#include "msg.h"

struct maps {
    char   *title;
    struct dict **dicts;
    size_t  count;
    struct vstr *reason;
};

/* maps_create - open every table of the list */

struct maps *
maps_create(const char *title, const char *map_list, int flags,
	            struct vstr *why)
{
    struct maps *maps = mymalloc(sizeof(*maps));
    struct vstr *tok = vstr_alloc(64);
    struct vstr *err = vstr_alloc(64);
    const char *cp = map_list;
    struct dict *dict;
    int     st;

    maps->title = mystrdup(title);
    maps->dicts = 0;
    maps->count = 0;
    maps->reason = vstr_alloc(64);
    while ((st = dict_list_token(&cp, tok, err)) > 0) {
	if ((dict = dict_open(vstr_str(tok), flags, err)) == 0) {
	    st = -1;
	    break;
	}
	maps->dicts = myrealloc(maps->dicts, (maps->count + 1) * sizeof(dict));
	maps->dicts[maps->count++] = dict;
    }
    if (st < 0) {
	vstr_sprintf(why, "%.100s: %s", title, vstr_str(err));
	maps_free(maps);
	maps = 0;
    }
    vstr_free(tok);
    vstr_free(err);
    return (maps);
}

/* maps_free - close every table */

void
maps_free(struct maps *maps)
{
    size_t  i;

    for (i = 0; i < maps->count; i++)
	dict_close(maps->dicts[i]);
    if (maps->dicts)
	myfree(maps->dicts);
    myfree(maps->title);
    vstr_free(maps->reason);
    myfree(maps);
}

/* Trivial accessors. */

const char *
maps_reason(struct maps *maps)
{
    return (vstr_str(maps->reason));
}

size_t
maps_count(struct maps *maps)
{
    return (maps->count);
}

/* maps_changed - was any table file rebuilt? */

int
maps_changed(struct maps *maps)
{
    size_t  i;

    for (i = 0; i < maps->count; i++)
	if (dict_changed(maps->dicts[i]))
	    return (1);
    return (0);
}

/* maps_find - first table with the key wins */

int
maps_find(struct maps *maps, const char *key, struct vstr *result)
{
    struct dict *dict;
    size_t  i;
    int     st;

    vstr_reset(maps->reason);
    for (i = 0; i < maps->count; i++) {
	dict = maps->dicts[i];
	if ((st = dict_lookup(dict, key, result)) == DICT_NOTFOUND)
	    continue;
	if (st == DICT_ERROR) {
	    vstr_sprintf(maps->reason, "%.100s: %s:%.200s: %s", maps->title,
			 dict->type, dict->name, dict_reason(dict));
	    msg_warn("%s", vstr_str(maps->reason));
	}
	return (st);
    }
    return (DICT_NOTFOUND);
}

/* maps_split_addr - find the '@' and the extension of an address */

static void
maps_split_addr(const char *addr, const char *delim, const char **at,
		        const char **ext)
{
    const char *cp;
    int     quoted = 0;

    *at = 0;
    *ext = 0;
    for (cp = addr; *cp; cp++) {
	if (*cp == '\\' && quoted && cp[1] != 0)
	    cp++;
	else if (*cp == '"')
	    quoted = !quoted;
	else if (*cp == '@' && !quoted)
	    *at = cp;
    }
    if (delim == 0 || *delim == 0 || *addr == 0 || *addr == '"')
	return;
    for (cp = addr + 1; *cp && cp != *at; cp++) {
	if (strchr(delim, *cp) != 0) {
	    *ext = cp;
	    return;
	}
    }
}

/* maps_find_addr - Postfix's address lookup order */

int
maps_find_addr(struct maps *maps, const char *address, const char *delim,
	               int flags, struct vstr *result)
{
    struct vstr *addr;
    struct vstr *key;
    const char *at;
    const char *ext;
    const char *local_end;
    int     st;

    if (strlen(address) > DICT_QUERY_MAX)
	return (DICT_NOTFOUND);
    addr = vstr_alloc(64);
    key = vstr_alloc(64);
    vstr_strcpy(addr, address);
    vstr_lower(addr);
    maps_split_addr(vstr_str(addr), delim, &at, &ext);
    local_end = at ? at : vstr_str(addr) + vstr_len(addr);

    /* 1: user+ext@domain (or just the local part). */
    st = maps_find(maps, vstr_str(addr), result);

    /* 2: user@domain without the extension. */
    if (st == DICT_NOTFOUND && ext) {
	vstr_memcpy(key, vstr_str(addr), ext - vstr_str(addr));
	vstr_strcat(key, local_end);
	st = maps_find(maps, vstr_str(key), result);
    }

    /* 3: user+ext, user: only for a local domain. */
    if (st == DICT_NOTFOUND && at && (flags & MAPS_ADDR_LOCAL) && at > vstr_str(addr)) {
	vstr_memcpy(key, vstr_str(addr), at - vstr_str(addr));
	st = maps_find(maps, vstr_str(key), result);
	if (st == DICT_NOTFOUND && ext) {
	    vstr_memcpy(key, vstr_str(addr), ext - vstr_str(addr));
	    st = maps_find(maps, vstr_str(key), result);
	}
    }

    /* 4: @domain. */
    if (st == DICT_NOTFOUND && at && at > vstr_str(addr) && at[1] != 0)
	st = maps_find(maps, at, result);

    vstr_free(addr);
    vstr_free(key);
    return (st);
}
