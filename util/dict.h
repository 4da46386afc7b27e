/*
 * dict.h - lookup tables behind one interface: hash:, btree:, static:,
 * inline:, regexp:.
 *
 * SYNOPSIS
 *	#include "dict.h"
 *
 *	struct dict *dict_open(const char *type_name, int flags,
 *			struct vstr *why);
 *	int	dict_lookup(struct dict *dict, const char *key,
 *			struct vstr *result);
 *	const char *dict_reason(struct dict *dict);
 *	int	dict_changed(struct dict *dict);
 *	void	dict_close(struct dict *dict);
 *
 *	int	dict_compile(const char *type_name, int format,
 *			struct vstr *why);
 *	int	dict_table_stale(const char *type_name, struct vstr *why);
 *	int	dict_is_compiled_type(const char *type_name);
 *
 * DESCRIPTION
 *	A table is named "type:name" (SPEC section 3). dict_open() looks
 *	the type up in a registry (dict_open.c) and calls that type's open
 *	function, which fills in a struct dict whose function pointers are
 *	the table's operations (STYLE.md (b)10):
 *
 *	hash:PATH, btree:PATH	Berkeley DB file PATH.db, opened read-only;
 *				built from the text source PATH with
 *				dict_compile() (dict_db.c).
 *	static:VALUE		every key is found with VALUE; VALUE may be
 *				written {VALUE WITH SPACES}.
 *	inline:{k=v, {k2 = v, w}}	a small table in the name itself.
 *	regexp:PATH		Postfix regexp_table(5) rules (dict_regexp.c).
 *	proxy:TYPE:NAME		TYPE:NAME looked up by the proxymap service
 *				(dict_proxy.c), for chrooted daemons.
 *
 *	flags is DICT_FLAG_NONE (reserved for later use).
 *
 *	dict_lookup() finds key and replaces result with its value. Keys
 *	of hash:, btree: and inline: tables are folded to lower case both
 *	when the table is built and when it is searched; regexp: rules
 *	match case-insensitively unless the rule says otherwise.
 *
 *	dict_changed() is true when the file behind the table was replaced
 *	or modified since it was opened (a long-running daemon then exits
 *	and is restarted, as in Postfix). dict_close() frees the table.
 *
 *	dict_compile() builds PATH.db for a hash: or btree: table from its
 *	text source PATH. format is DICT_SRC_POSTMAP ("key value" lines)
 *	or DICT_SRC_ALIASES (aliases(5) "name: value, value" lines). The
 *	table is built in a temporary file in the same directory and then
 *	renamed over PATH.db, so readers see the old or the new table,
 *	never a half-built one. Run as root, the .db gets the owner, group
 *	and permissions of the source. A duplicate key is reported with a
 *	warning naming file:line and the first entry is kept (as postmap
 *	and postalias do without -r).
 *
 *	dict_table_stale() tells whether a hash:/btree: table needs to be
 *	compiled: PATH.db is missing or older than PATH. Other types are
 *	never stale. dict_is_compiled_type() is true for hash: and btree:.
 *
 *	Storage: a key is stored lower case with its terminating NUL byte,
 *	and so is a value (the Postfix convention on Linux), so that
 *	Postfix-built tables and ours read the same way. Databases are built
 *	with per-page checksums (DB_CHKSUM), so a damaged page is a lookup
 *	error rather than a crash inside Berkeley DB.
 *
 *	For the table types: dict_alloc() makes a handle of a given size
 *	(the struct dict first), dict_free() releases it, dict_watch_file()
 *	records the file for dict_changed(). dict_split_type() splits
 *	"type:name". dict_brace_value() turns "{ text }" into "text" and
 *	returns what follows the "}" (NULL: no "}"). dict_list_token() gets
 *	the next element of a comma/white-space separated list, keeping
 *	braced text together (1 token, 0 end, -1 unbalanced braces).
 *	docs/tables.md has the syntax of every type.
 *
 * DIAGNOSTICS
 *	dict_open() returns NULL and puts a one-line reason in why (an
 *	unknown type, a missing file, a corrupt database, or for regexp:
 *	"path:line: what is wrong"). dict_lookup() returns DICT_FOUND (1),
 *	DICT_NOTFOUND (0), or DICT_ERROR (-1) when the table could not be
 *	read; dict_reason() then tells why. A key longer than
 *	DICT_QUERY_MAX, or a key of a hash:/btree:/inline: lookup longer
 *	than DICT_KEY_MAX, is simply not found.
 *	dict_compile() returns 0, or -1 with a reason (the old PATH.db is
 *	left in place). dict_table_stale() returns 1, 0, or -1 with a reason.
 *
 * SECURITY
 *	Lookup keys come from the network and are treated as hostile: they
 *	are bounded, never used as a format or a path. Table files are
 *	trusted to the extent that their owner (root) is; still, every
 *	line and key is bounded (DICT_LINE_MAX, DICT_KEY_MAX), a NUL byte
 *	in a source line is refused, and a damaged .db file yields an
 *	error, never a crash (values read from it are length-checked).
 */
#ifndef DICT_H
#define DICT_H

#include <sys/types.h>
#include <time.h>

#include "vstr.h"

#define DICT_FOUND	1
#define DICT_NOTFOUND	0
#define DICT_ERROR	(-1)

#define DICT_FLAG_NONE	0

#define DICT_SRC_POSTMAP	1	/* "key whitespace value" lines */
#define DICT_SRC_ALIASES	2	/* aliases(5): "name: value, ..." */

#define DICT_KEY_MAX	1024		/* stored key, bytes */
#define DICT_QUERY_MAX	(128 * 1024)	/* any lookup key, bytes */
#define DICT_LINE_MAX	(64 * 1024)	/* source line, logical, bytes */

 /*
  * One open table. The open function of a type allocates it with
  * dict_alloc() (possibly as the first member of a larger struct) and sets
  * the operations.
  */
struct dict {
    char   *type;			/* "hash", "regexp", ... */
    char   *name;			/* what follows "type:" */
    int     flags;			/* DICT_FLAG_* */
    int     fold;			/* lowercase the key before lookup */
    size_t  key_max;			/* longest key that can be found */
    int     (*lookup) (struct dict *, const char *, struct vstr *);
    void    (*close) (struct dict *);
    struct vstr *reason;		/* why the last lookup failed */
    struct vstr *fold_buf;		/* lowercased key */
    char   *file;			/* file to watch, or NULL */
    dev_t   file_dev;
    ino_t   file_ino;
    time_t  file_mtime;
};

extern struct dict *dict_open(const char *, int, struct vstr *);
extern int dict_lookup(struct dict *, const char *, struct vstr *);
extern const char *dict_reason(struct dict *);
extern int dict_changed(struct dict *);
extern void dict_close(struct dict *);

extern int dict_compile(const char *, int, struct vstr *);
extern int dict_table_stale(const char *, struct vstr *);
extern int dict_is_compiled_type(const char *);

 /*
  * For the table types themselves (dict.c and the dict_*.c files).
  */
extern struct dict *dict_alloc(const char *, const char *, size_t);
extern void dict_free(struct dict *);
extern void dict_watch_file(struct dict *, const char *, int);
extern int dict_split_type(const char *, struct vstr *, const char **);
extern const char *dict_brace_value(const char *, struct vstr *, struct vstr *);
extern int dict_list_token(const char **, struct vstr *, struct vstr *);

typedef struct dict *(*dict_open_fn) (const char *, int, struct vstr *);
typedef int (*dict_compile_fn) (const char *, int, struct vstr *);

extern struct dict *dict_db_hash_open(const char *, int, struct vstr *);
extern struct dict *dict_db_btree_open(const char *, int, struct vstr *);
extern int dict_db_hash_compile(const char *, int, struct vstr *);
extern int dict_db_btree_compile(const char *, int, struct vstr *);
extern struct dict *dict_static_open(const char *, int, struct vstr *);
extern struct dict *dict_unix_open(const char *, int, struct vstr *);
extern struct dict *dict_inline_open(const char *, int, struct vstr *);
extern struct dict *dict_regexp_open(const char *, int, struct vstr *);
extern struct dict *dict_proxy_open(const char *, int, struct vstr *);

#endif
