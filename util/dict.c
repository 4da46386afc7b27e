/*
 * dict.c - the generic half of the lookup table interface (see dict.h).
 *
 * Every table type fills in a struct dict with its operations; the code
 * here wraps them: it bounds and folds the key before a type sees it,
 * keeps the reason for a failed lookup, and watches the table's file so
 * that a daemon can tell when it was rebuilt. It also holds the small
 * parsers shared by the types and by maps.c ("type:name", "{ value }").
 */
#include <string.h>
#include <ctype.h>
#include <sys/stat.h>

#include "dict.h"
#include "mymalloc.h"
#include "msg.h"

/* dict_alloc - create a table handle with default operations */

struct dict *
dict_alloc(const char *type, const char *name, size_t size)
{
    struct dict *dict;

    if (size < sizeof(*dict))
	msg_panic("dict_alloc: bad size %zu", size);
    dict = mycalloc(1, size);
    dict->type = mystrdup(type);
    dict->name = mystrdup(name);
    dict->flags = DICT_FLAG_NONE;
    dict->fold = 0;
    dict->key_max = DICT_QUERY_MAX;
    dict->lookup = 0;
    dict->close = dict_free;
    dict->reason = vstr_alloc(64);
    dict->fold_buf = vstr_alloc(64);
    dict->file = 0;
    return (dict);
}

/* dict_free - release what dict_alloc() made */

void
dict_free(struct dict *dict)
{
    myfree(dict->type);
    myfree(dict->name);
    vstr_free(dict->reason);
    vstr_free(dict->fold_buf);
    if (dict->file)
	myfree(dict->file);
    myfree(dict);
}

/* dict_watch_file - remember which file version the table was read from */

void
dict_watch_file(struct dict *dict, const char *path, int fd)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
	return;
    if (dict->file)
	myfree(dict->file);
    dict->file = mystrdup(path);
    dict->file_dev = st.st_dev;
    dict->file_ino = st.st_ino;
    dict->file_mtime = st.st_mtime;
}

/* dict_changed - was the file replaced or modified since we opened it? */

int
dict_changed(struct dict *dict)
{
    struct stat st;

    if (dict->file == 0)
	return (0);
    if (stat(dict->file, &st) < 0)
	return (1);
    return (st.st_dev != dict->file_dev || st.st_ino != dict->file_ino
	    || st.st_mtime != dict->file_mtime);
}

/* dict_lookup - bound and fold the key, then ask the table */

int
dict_lookup(struct dict *dict, const char *key, struct vstr *result)
{
    size_t  len = strlen(key);
    int     status;

    vstr_reset(dict->reason);
    if (len > DICT_QUERY_MAX || len > dict->key_max)
	return (DICT_NOTFOUND);
    if (dict->fold) {
	vstr_memcpy(dict->fold_buf, key, len);
	vstr_lower(dict->fold_buf);
	key = vstr_str(dict->fold_buf);
    }
    status = dict->lookup(dict, key, result);
    if (status == DICT_ERROR && vstr_len(dict->reason) == 0)
	vstr_sprintf(dict->reason, "%s:%s: lookup error", dict->type, dict->name);
    return (status);
}

/* dict_reason - why the last lookup returned DICT_ERROR */

const char *
dict_reason(struct dict *dict)
{
    return (vstr_str(dict->reason));
}

/* dict_close - release a table */

void
dict_close(struct dict *dict)
{
    dict->close(dict);
}

/* dict_split_type - "type:name" into type and a pointer to name */

int
dict_split_type(const char *type_name, struct vstr *type, const char **name)
{
    const char *colon = strchr(type_name, ':');
    const char *cp;

    if (colon == 0 || colon == type_name) {
	vstr_sprintf(type, "table \"%.100s\": expected type:name", type_name);
	return (-1);
    }
    for (cp = type_name; cp < colon; cp++) {
	if (!isalnum((unsigned char) *cp) || cp - type_name > 32) {
	    vstr_sprintf(type, "table \"%.100s\": bad type name", type_name);
	    return (-1);
	}
    }
    vstr_memcpy(type, type_name, colon - type_name);
    *name = colon + 1;
    return (0);
}

/* dict_brace_value - "{ text }" to "text"; returns what follows the "}" */

const char *
dict_brace_value(const char *cp, struct vstr *out, struct vstr *why)
{
    const char *start;
    const char *end;
    int     depth = 0;

    if (*cp != '{')
	msg_panic("dict_brace_value: no opening brace");
    for (end = cp; *end; end++) {
	if (*end == '{')
	    depth++;
	else if (*end == '}' && --depth == 0)
	    break;
    }
    if (*end == 0) {
	vstr_strcpy(why, "missing '}'");
	return (0);
    }
    start = cp + 1;
    while (start < end && isspace((unsigned char) *start))
	start++;
    while (end > start && isspace((unsigned char) end[-1]))
	end--;
    vstr_memcpy(out, start, end - start);
    /* Skip over the closing brace (after any trailing space we trimmed). */
    end = strchr(end, '}');
    return (end + 1);
}

/* dict_list_token - next comma/space separated element; braces group */

int
dict_list_token(const char **cpp, struct vstr *tok, struct vstr *why)
{
    const char *cp = *cpp;
    const char *start;
    int     depth = 0;

    while (*cp == ',' || isspace((unsigned char) *cp))
	cp++;
    if (*cp == 0) {
	*cpp = cp;
	return (0);
    }
    for (start = cp; *cp; cp++) {
	if (*cp == '{') {
	    depth++;
	} else if (*cp == '}') {
	    if (--depth < 0) {
		vstr_strcpy(why, "unexpected '}'");
		return (-1);
	    }
	} else if (depth == 0 && (*cp == ',' || isspace((unsigned char) *cp))) {
	    break;
	}
    }
    if (depth > 0) {
	vstr_strcpy(why, "missing '}'");
	return (-1);
    }
    vstr_memcpy(tok, start, cp - start);
    *cpp = cp;
    return (1);
}
