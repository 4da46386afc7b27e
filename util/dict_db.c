/*
 * dict_db.c - hash: and btree: tables on Berkeley DB 5.3.
 *
 * A table "hash:/etc/postern/aliases" is the file /etc/postern/aliases.db,
 * built from the text source /etc/postern/aliases. Readers open the .db
 * read-only and keep it open; dict_changed() tells them when it was
 * replaced. The builder writes a new database into a temporary file in
 * the same directory, syncs it and renames it over the old one, so a
 * reader never needs a lock and never sees a half-built table.
 *
 * Keys and values are stored with a terminating NUL byte, keys in lower
 * case (Postfix's convention on Linux). A lookup also tries the key
 * without the NUL, so tables built by tools that omit it still work.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/stat.h>
#include <db.h>

#include "dict.h"
#include "table_src.h"
#include "mymalloc.h"
#include "stringops.h"
#include "msg.h"

#define DICT_DB_CACHE	(32 * 1024 * 1024)	/* compile cache, bytes */
#define DICT_DB_VALUE_MAX (1024 * 1024)		/* refuse bigger values */

struct dict_db {
    struct dict dict;			/* generic members, first */
    DB     *db;
};

 /*
  * Berkeley DB reports details through a callback; keep the last one so
  * that it can go into the caller's reason instead of onto stderr.
  */
static char dict_db_errbuf[256];

static void dict_db_errcall(const DB_ENV *, const char *, const char *);
static int dict_db_lookup(struct dict *, const char *, struct vstr *);
static void dict_db_close(struct dict *);
static struct dict *dict_db_open(const char *, const char *, DBTYPE, struct vstr *);
static int dict_db_compile(const char *, DBTYPE, int, struct vstr *);

/* dict_db_errcall - remember Berkeley DB's message */

static void
dict_db_errcall(const DB_ENV *env UNUSED, const char *pfx UNUSED,
		        const char *text)
{
    (void) str_copy(dict_db_errbuf, sizeof(dict_db_errbuf), text);
}

/* dict_db_strerror - the error text, with DB's detail when there is one */

static void
dict_db_strerror(struct vstr *why, const char *what, const char *path, int err)
{
    vstr_sprintf(why, "%s %.200s: %s", what, path, db_strerror(err));
    if (dict_db_errbuf[0])
	vstr_sprintf_append(why, " (%s)", dict_db_errbuf);
    dict_db_errbuf[0] = 0;
}

/* dict_db_get - one get; the key with or without its NUL */

static int
dict_db_get(struct dict_db *dd, const char *key, size_t key_len,
	            struct vstr *result)
{
    DBT     k;
    DBT     v;
    int     err;

    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    k.data = (void *) key;
    k.size = (u_int32_t) key_len;
    if ((err = dd->db->get(dd->db, 0, &k, &v, 0)) == DB_NOTFOUND)
	return (DICT_NOTFOUND);
    if (err != 0) {
	dict_db_strerror(dd->dict.reason, "read", dd->dict.name, err);
	return (DICT_ERROR);
    }
    if (v.size > DICT_DB_VALUE_MAX || (v.size > 0 && v.data == 0)) {
	vstr_sprintf(dd->dict.reason, "%.200s.db: bad value size %lu for key",
		     dd->dict.name, (unsigned long) v.size);
	return (DICT_ERROR);
    }
    if (v.size > 0 && ((char *) v.data)[v.size - 1] == 0)
	v.size--;
    if (memchr(v.data, 0, v.size) != 0) {
	vstr_sprintf(dd->dict.reason, "%.200s.db: NUL byte inside a value",
		     dd->dict.name);
	return (DICT_ERROR);
    }
    vstr_memcpy(result, v.data, v.size);
    return (DICT_FOUND);
}

/* dict_db_lookup - find a (folded) key */

static int
dict_db_lookup(struct dict *dict, const char *key, struct vstr *result)
{
    struct dict_db *dd = (struct dict_db *) dict;
    size_t  len = strlen(key);
    int     status;

    if ((status = dict_db_get(dd, key, len + 1, result)) == DICT_NOTFOUND
	&& len > 0)
	status = dict_db_get(dd, key, len, result);
    return (status);
}

/* dict_db_close - close the database and free the handle */

static void
dict_db_close(struct dict *dict)
{
    struct dict_db *dd = (struct dict_db *) dict;

    (void) dd->db->close(dd->db, 0);
    dict_free(dict);
}

/* dict_db_open - open NAME.db read-only */

static struct dict *
dict_db_open(const char *type, const char *name, DBTYPE dbtype,
	             struct vstr *why)
{
    struct dict_db *dd;
    struct vstr *path;
    DB     *db;
    int     err;
    int     fd;

    if (*name == 0) {
	vstr_sprintf(why, "%s: table has no file name", type);
	return (0);
    }
    if ((err = db_create(&db, 0, 0)) != 0) {
	vstr_sprintf(why, "%s:%.200s: db_create: %s", type, name, db_strerror(err));
	return (0);
    }
    db->set_errcall(db, dict_db_errcall);
    dict_db_errbuf[0] = 0;
    path = vstr_alloc(100);
    vstr_sprintf(path, "%s.db", name);
    if ((err = db->open(db, 0, vstr_str(path), 0, dbtype, DB_RDONLY, 0)) != 0) {
	dict_db_strerror(why, "open database", vstr_str(path),
			 err);
	(void) db->close(db, 0);
	vstr_free(path);
	return (0);
    }
    dd = (struct dict_db *) dict_alloc(type, name, sizeof(*dd));
    dd->db = db;
    dd->dict.lookup = dict_db_lookup;
    dd->dict.close = dict_db_close;
    dd->dict.fold = 1;
    dd->dict.key_max = DICT_KEY_MAX;
    if (db->fd(db, &fd) == 0)
	dict_watch_file(&dd->dict, vstr_str(path), fd);
    vstr_free(path);
    return (&dd->dict);
}

/* The registry entry points. */

struct dict *
dict_db_hash_open(const char *name, int flags UNUSED, struct vstr *why)
{
    return (dict_db_open("hash", name, DB_HASH, why));
}

struct dict *
dict_db_btree_open(const char *name, int flags UNUSED, struct vstr *why)
{
    return (dict_db_open("btree", name, DB_BTREE, why));
}

int
dict_db_hash_compile(const char *name, int format, struct vstr *why)
{
    return (dict_db_compile(name, DB_HASH, format, why));
}

int
dict_db_btree_compile(const char *name, int format, struct vstr *why)
{
    return (dict_db_compile(name, DB_BTREE, format, why));
}

/* dict_db_fill - put every entry of the source into the database */

static int
dict_db_fill(DB *db, struct table_src *src, int format, struct vstr *why)
{
    struct vstr *key = vstr_alloc(64);
    struct vstr *value = vstr_alloc(256);
    DBT     k;
    DBT     v;
    int     st;
    int     err;

    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    while ((st = table_src_entry(src, format, key, value, why)) != TABLE_SRC_EOF) {
	if (st == TABLE_SRC_BAD) {
	    msg_warn("%s", vstr_str(why));
	    continue;
	}
	if (st == TABLE_SRC_ERR)
	    break;
	vstr_lower(key);
	k.data = vstr_str(key);
	k.size = (u_int32_t) vstr_len(key) + 1;
	v.data = vstr_str(value);
	v.size = (u_int32_t) vstr_len(value) + 1;
	err = db->put(db, 0, &k, &v, DB_NOOVERWRITE);
	if (err == DB_KEYEXIST) {
	    msg_warn("%.200s:%d: duplicate entry: \"%.100s\" (the first one is kept)",
		     table_src_path(src), table_src_lineno(src), vstr_str(key));
	} else if (err != 0) {
	    dict_db_strerror(why, "write", table_src_path(src), err);
	    st = TABLE_SRC_ERR;
	    break;
	}
    }
    vstr_free(key);
    vstr_free(value);
    return (st == TABLE_SRC_EOF ? 0 : -1);
}

/* dict_db_build - create the database in the empty file tmp_path */

static int
dict_db_build(const char *tmp_path, DBTYPE dbtype, struct table_src *src,
	              int format, struct vstr *why)
{
    DB     *db;
    int     err;
    int     status;

    if ((err = db_create(&db, 0, 0)) != 0) {
	vstr_sprintf(why, "db_create: %s", db_strerror(err));
	return (-1);
    }
    db->set_errcall(db, dict_db_errcall);
    dict_db_errbuf[0] = 0;
    if ((err = db->set_cachesize(db, 0, DICT_DB_CACHE, 0)) != 0
	|| (err = db->set_flags(db, DB_CHKSUM)) != 0
	|| (err = db->open(db, 0, tmp_path, 0, dbtype, DB_CREATE, 0600)) != 0) {
	dict_db_strerror(why, "create database", tmp_path, err);
	(void) db->close(db, 0);
	return (-1);
    }
    status = dict_db_fill(db, src, format, why);
    if ((err = db->close(db, 0)) != 0 && status == 0) {
	dict_db_strerror(why, "close database", tmp_path, err);
	status = -1;
    }
    return (status);
}

/* dict_db_dir_fsync - make the rename durable */

static void
dict_db_dir_fsync(const char *path)
{
    char   *dir = mystrdup(path);
    char   *slash = strrchr(dir, '/');
    int     fd;

    if (slash == dir)
	slash[1] = 0;
    else if (slash)
	*slash = 0;
    if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
	if (fsync(fd) < 0)
	    msg_warn("fsync directory of %.200s: %s", path, strerror(errno));
	(void) close(fd);
    }
    myfree(dir);
}

/* dict_db_compile - build NAME.db from NAME, atomically */

static int
dict_db_compile(const char *name, DBTYPE dbtype, int format, struct vstr *why)
{
    struct table_src *src;
    struct vstr *tmp_path;
    struct vstr *db_path;
    struct stat st;
    int     fd;
    int     status = -1;

    if ((src = table_src_open(name, why)) == 0)
	return (-1);
    if (fstat(table_src_fd(src), &st) < 0) {
	vstr_sprintf(why, "fstat %.200s: %s", name, strerror(errno));
	table_src_close(src);
	return (-1);
    }
    db_path = vstr_alloc(100);
    tmp_path = vstr_alloc(100);
    vstr_sprintf(db_path, "%s.db", name);
    vstr_sprintf(tmp_path, "%s.db.tmpXXXXXX", name);
    if ((fd = mkostemp(vstr_str(tmp_path), O_CLOEXEC)) < 0) {
	vstr_sprintf(why, "create temporary file for %.200s: %s",
		     vstr_str(db_path), strerror(errno));
    } else if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) < 0) {
	vstr_sprintf(why, "chown %.200s: %s", vstr_str(tmp_path), strerror(errno));
    } else if (fchmod(fd, st.st_mode & 0644) < 0) {
	vstr_sprintf(why, "chmod %.200s: %s", vstr_str(tmp_path), strerror(errno));
    } else if (dict_db_build(vstr_str(tmp_path), dbtype, src, format, why) < 0) {
	 /* why is set */ ;
    } else if (fsync(fd) < 0) {
	vstr_sprintf(why, "fsync %.200s: %s", vstr_str(tmp_path), strerror(errno));
    } else if (rename(vstr_str(tmp_path), vstr_str(db_path)) < 0) {
	vstr_sprintf(why, "rename %.200s to %.200s: %s", vstr_str(tmp_path),
		     vstr_str(db_path), strerror(errno));
    } else {
	dict_db_dir_fsync(vstr_str(db_path));
	status = 0;
    }
    if (fd >= 0) {
	if (status < 0 && unlink(vstr_str(tmp_path)) < 0 && errno != ENOENT)
	    msg_warn("remove %.200s: %s", vstr_str(tmp_path), strerror(errno));
	(void) close(fd);
    }
    table_src_close(src);
    vstr_free(db_path);
    vstr_free(tmp_path);
    return (status);
}
