/*
 * dict_static.c - the static: table: every key is found, with one value.
 *
 * "static:VALUE" or "static:{ VALUE WITH SPACES }" (Postfix 3.x syntax).
 * Used where a map is required but one answer fits all, for example
 * "transport_maps = static:smtp:[relay.example]".
 */
#include <string.h>

#include "dict.h"
#include "mymalloc.h"
#include "msg.h"

struct dict_static {
    struct dict dict;			/* generic members, first */
    char   *value;
};

static int dict_static_lookup(struct dict *, const char *, struct vstr *);
static void dict_static_close(struct dict *);

/* dict_static_lookup - always found */

static int
dict_static_lookup(struct dict *dict, const char *key UNUSED,
		           struct vstr *result)
{
    struct dict_static *ds = (struct dict_static *) dict;

    vstr_strcpy(result, ds->value);
    return (DICT_FOUND);
}

/* dict_static_close - free the value and the handle */

static void
dict_static_close(struct dict *dict)
{
    struct dict_static *ds = (struct dict_static *) dict;

    myfree(ds->value);
    dict_free(dict);
}

/* dict_static_open - parse the value in the table name */

struct dict *
dict_static_open(const char *name, int flags UNUSED, struct vstr *why)
{
    struct dict_static *ds;
    struct vstr *value = vstr_alloc(32);
    struct vstr *err = vstr_alloc(32);
    const char *rest;

    if (*name == '{') {
	if ((rest = dict_brace_value(name, value, err)) == 0 || *rest != 0) {
	    vstr_sprintf(why, "static:%.100s: %s", name,
			 rest == 0 ? vstr_str(err) : "text after '}'");
	    vstr_free(value);
	    vstr_free(err);
	    return (0);
	}
    } else {
	vstr_strcpy(value, name);
    }
    vstr_free(err);
    ds = (struct dict_static *) dict_alloc("static", name, sizeof(*ds));
    ds->value = vstr_export(value);
    ds->dict.lookup = dict_static_lookup;
    ds->dict.close = dict_static_close;
    return (&ds->dict);
}
