/*
 * dict_inline.c - the inline: table, written in the table name itself.
 *
 * "inline:{ key=value, key2=value2, { key3 = value with, comma } }" as in
 * Postfix: elements are separated by commas or white space; an element
 * in braces may hold spaces and commas, and is split at its first '='
 * with white space trimmed around key and value. Keys are folded to
 * lower case. The first of two equal keys wins. A handful of entries is
 * expected, so a linear search is all the structure needed.
 */
#include <string.h>
#include <ctype.h>

#include "dict.h"
#include "mymalloc.h"
#include "stringops.h"
#include "msg.h"

#define DICT_INLINE_MAX	10000		/* entries */

struct dict_inline {
    struct dict dict;			/* generic members, first */
    char  **keys;
    char  **values;
    size_t  count;
};

static int dict_inline_lookup(struct dict *, const char *, struct vstr *);
static void dict_inline_close(struct dict *);
static int dict_inline_add(struct dict_inline *, struct vstr *, struct vstr *);

/* dict_inline_lookup - linear search */

static int
dict_inline_lookup(struct dict *dict, const char *key, struct vstr *result)
{
    struct dict_inline *di = (struct dict_inline *) dict;
    size_t  i;

    for (i = 0; i < di->count; i++) {
	if (strcmp(di->keys[i], key) == 0) {
	    vstr_strcpy(result, di->values[i]);
	    return (DICT_FOUND);
	}
    }
    return (DICT_NOTFOUND);
}

/* dict_inline_close - free the entries and the handle */

static void
dict_inline_close(struct dict *dict)
{
    struct dict_inline *di = (struct dict_inline *) dict;
    size_t  i;

    for (i = 0; i < di->count; i++) {
	myfree(di->keys[i]);
	myfree(di->values[i]);
    }
    if (di->keys) {
	myfree(di->keys);
	myfree(di->values);
    }
    dict_free(dict);
}

/* dict_inline_add - split one element at '=' and store it */

static int
dict_inline_add(struct dict_inline *di, struct vstr *elem, struct vstr *why)
{
    char   *text = vstr_str(elem);
    char   *value;
    size_t  i;

    if ((value = str_split_at(text, '=')) == 0) {
	vstr_sprintf(why, "missing '=' in \"%.100s\"", text);
	return (-1);
    }
    str_lower(str_trim(text));
    str_trim(value);
    if (*text == 0 || strlen(text) > DICT_KEY_MAX) {
	vstr_strcpy(why, *text ? "key too long" : "empty key");
	return (-1);
    }
    for (i = 0; i < di->count; i++)
	if (strcmp(di->keys[i], text) == 0)
	    return (0);
    if (di->count >= DICT_INLINE_MAX) {
	vstr_strcpy(why, "too many entries");
	return (-1);
    }
    di->keys = myrealloc(di->keys, (di->count + 1) * sizeof(char *));
    di->values = myrealloc(di->values, (di->count + 1) * sizeof(char *));
    di->keys[di->count] = mystrdup(text);
    di->values[di->count] = mystrdup(value);
    di->count++;
    return (0);
}

/* dict_inline_parse - fill the table from "{ elem, elem ... }" */

static int
dict_inline_parse(struct dict_inline *di, const char *name, struct vstr *why)
{
    struct vstr *body = vstr_alloc(64);
    struct vstr *elem = vstr_alloc(64);
    struct vstr *inner = vstr_alloc(64);
    const char *rest;
    const char *cp;
    int     status;

    if (*name != '{') {
	vstr_strcpy(why, "expected inline:{key=value, ...}");
	status = -1;
    } else if ((rest = dict_brace_value(name, body, why)) == 0) {
	status = -1;
    } else if (*rest != 0) {
	vstr_strcpy(why, "text after '}'");
	status = -1;
    } else {
	cp = vstr_str(body);
	while ((status = dict_list_token(&cp, elem, why)) > 0) {
	    if (*vstr_str(elem) == '{') {
		if ((rest = dict_brace_value(vstr_str(elem), inner, why)) == 0) {
		    status = -1;
		    break;
		}
		if (*rest != 0) {
		    vstr_sprintf(why, "text after '}' in \"%.100s\"", vstr_str(elem));
		    status = -1;
		    break;
		}
		vstr_strcpy(elem, vstr_str(inner));
	    }
	    if ((status = dict_inline_add(di, elem, why)) < 0)
		break;
	}
    }
    vstr_free(body);
    vstr_free(elem);
    vstr_free(inner);
    return (status);
}

/* dict_inline_open - parse the table from its name */

struct dict *
dict_inline_open(const char *name, int flags UNUSED, struct vstr *why)
{
    struct dict_inline *di;
    struct vstr *err = vstr_alloc(64);

    di = (struct dict_inline *) dict_alloc("inline", name, sizeof(*di));
    di->dict.lookup = dict_inline_lookup;
    di->dict.close = dict_inline_close;
    di->dict.fold = 1;
    di->dict.key_max = DICT_KEY_MAX;
    if (dict_inline_parse(di, name, err) < 0) {
	vstr_sprintf(why, "inline:%.100s: %s", name, vstr_str(err));
	dict_inline_close(&di->dict);
	di = 0;
    }
    vstr_free(err);
    return (di ? &di->dict : 0);
}
