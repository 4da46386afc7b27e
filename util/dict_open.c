/*
 * dict_open.c - the registry of lookup table types, by name.
 *
 * One table row per type: its name, its open function, and for the types
 * that are built from a text source, its compile function. dict_open(),
 * dict_compile() and dict_table_stale() look the type up here, so adding
 * a type is adding a row (STYLE.md (b)10; Postfix util/dict_open.c).
 */
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include "dict.h"
#include "mymalloc.h"
#include "msg.h"

struct dict_type {
    const char *type;
    dict_open_fn open;
    dict_compile_fn compile;		/* NULL: not built from a source */
};

static const struct dict_type dict_types[] = {
    {"hash", dict_db_hash_open, dict_db_hash_compile},
    {"btree", dict_db_btree_open, dict_db_btree_compile},
    {"static", dict_static_open, 0},
    {"inline", dict_inline_open, 0},
    {"regexp", dict_regexp_open, 0},
    {"unix", dict_unix_open, 0},
    {"proxy", dict_proxy_open, 0},
};

static const struct dict_type *dict_type_find(const char *, const char **,
					              struct vstr *);

/* dict_type_find - look up the type of "type:name" */

static const struct dict_type *
dict_type_find(const char *type_name, const char **name, struct vstr *why)
{
    struct vstr *type = vstr_alloc(16);
    const struct dict_type *dt = 0;
    size_t  i;

    if (dict_split_type(type_name, type, name) < 0) {
	vstr_strcpy(why, vstr_str(type));
    } else {
	for (i = 0; i < ARRAY_LEN(dict_types); i++) {
	    if (strcmp(dict_types[i].type, vstr_str(type)) == 0) {
		dt = dict_types + i;
		break;
	    }
	}
	if (dt == 0)
	    vstr_sprintf(why, "unsupported table type \"%.40s\" in \"%.100s\"",
			 vstr_str(type), type_name);
    }
    vstr_free(type);
    return (dt);
}

/* dict_open - open a table by its "type:name" */

struct dict *
dict_open(const char *type_name, int flags, struct vstr *why)
{
    const struct dict_type *dt;
    const char *name;
    struct dict *dict;

    vstr_reset(why);
    if ((dt = dict_type_find(type_name, &name, why)) == 0)
	return (0);
    if ((dict = dt->open(name, flags, why)) != 0)
	dict->flags = flags;
    return (dict);
}

/* dict_is_compiled_type - is this a table built from a text source? */

int
dict_is_compiled_type(const char *type_name)
{
    const struct dict_type *dt;
    const char *name;
    struct vstr *why = vstr_alloc(64);

    dt = dict_type_find(type_name, &name, why);
    vstr_free(why);
    return (dt != 0 && dt->compile != 0);
}

/* dict_compile - build the file behind a hash: or btree: table */

int
dict_compile(const char *type_name, int format, struct vstr *why)
{
    const struct dict_type *dt;
    const char *name;

    vstr_reset(why);
    if ((dt = dict_type_find(type_name, &name, why)) == 0)
	return (-1);
    if (dt->compile == 0) {
	vstr_sprintf(why, "table \"%.100s\": type %s is not compiled",
		     type_name, dt->type);
	return (-1);
    }
    if (format != DICT_SRC_POSTMAP && format != DICT_SRC_ALIASES)
	msg_panic("dict_compile: bad format %d", format);
    if (*name == 0) {
	vstr_sprintf(why, "table \"%.100s\": no file name", type_name);
	return (-1);
    }
    return (dt->compile(name, format, why));
}

/* dict_table_stale - is NAME.db missing or older than NAME? */

int
dict_table_stale(const char *type_name, struct vstr *why)
{
    const struct dict_type *dt;
    const char *name;
    struct vstr *db_path;
    struct stat src_st;
    struct stat db_st;
    int     status;

    vstr_reset(why);
    if ((dt = dict_type_find(type_name, &name, why)) == 0)
	return (-1);
    if (dt->compile == 0)
	return (0);
    if (stat(name, &src_st) < 0) {
	vstr_sprintf(why, "table %.100s: source file %.200s: %s",
		     type_name, name, strerror(errno));
	return (-1);
    }
    db_path = vstr_alloc(100);
    vstr_sprintf(db_path, "%s.db", name);
    if (stat(vstr_str(db_path), &db_st) < 0) {
	if (errno == ENOENT) {
	    vstr_sprintf(why, "%.200s is missing", vstr_str(db_path));
	    status = 1;
	} else {
	    vstr_sprintf(why, "%.200s: %s", vstr_str(db_path), strerror(errno));
	    status = -1;
	}
    } else if (db_st.st_mtim.tv_sec < src_st.st_mtim.tv_sec
	       || (db_st.st_mtim.tv_sec == src_st.st_mtim.tv_sec
		   && db_st.st_mtim.tv_nsec < src_st.st_mtim.tv_nsec)) {
	vstr_sprintf(why, "%.200s is older than %.200s", vstr_str(db_path), name);
	status = 1;
    } else {
	status = 0;
    }
    vstr_free(db_path);
    return (status);
}
