/*
 * table_src.h - read the text source of a lookup table.
 *
 * SYNOPSIS
 *	#include "table_src.h"
 *
 *	struct table_src *table_src_open(const char *path, struct vstr *why);
 *	struct table_src *table_src_memopen(const void *buf, size_t len,
 *			const char *label);
 *	int	table_src_read(struct table_src *src, struct vstr *line,
 *			struct vstr *why);
 *	int	table_src_entry(struct table_src *src, int format,
 *			struct vstr *key, struct vstr *value,
 *			struct vstr *why);
 *	int	table_src_parse(int format, const char *line,
 *			struct vstr *key, struct vstr *value,
 *			struct vstr *why);
 *	int	table_src_lineno(struct table_src *src);
 *	const char *table_src_path(struct table_src *src);
 *	int	table_src_fd(struct table_src *src);
 *	void	table_src_close(struct table_src *src);
 *
 * DESCRIPTION
 *	table_src_read() returns the next logical line, like Postfix
 *	readlline(3): empty, all-white-space and comment lines (first
 *	non-blank character '#') are skipped; a line that starts with
 *	white space continues the logical line (it is appended as is,
 *	newline dropped); a continuation line with nothing to continue
 *	is skipped with a warning. A trailing CR is removed from every
 *	physical line. table_src_lineno() is the number of the first
 *	physical line of the logical line just returned.
 *
 *	table_src_parse() splits one logical line of a given format:
 *	DICT_SRC_POSTMAP: "key value": the key is the first white-space
 *	delimited word, the value is the rest with white space trimmed.
 *	DICT_SRC_ALIASES: "name: value, value": the name is the text
 *	before the first ':', or a "quoted name" (with \ escapes) followed
 *	by ':'; quotes are removed. The value is the rest, trimmed; it is
 *	stored as written (addresses, |command, /file, :include:/file).
 *	Keys are not case folded here. table_src_entry() is
 *	table_src_read() followed by table_src_parse().
 *
 *	table_src_memopen() reads a caller-owned buffer (tests, fuzzing);
 *	label names it in messages. table_src_fd() is the descriptor of a
 *	file opened with table_src_open(), -1 for a memory source.
 *
 * DIAGNOSTICS
 *	table_src_read() and table_src_entry() return TABLE_SRC_OK (1),
 *	TABLE_SRC_EOF (0), TABLE_SRC_ERR (-1: read error, a physical or
 *	logical line longer than DICT_LINE_MAX, or a NUL byte; give up), or,
 *	for table_src_entry() and table_src_parse() only, TABLE_SRC_BAD (-2:
 *	this entry is malformed, e.g. no value or an over-long key; the
 *	caller warns and may go on). Every reason in why starts with
 *	"path:line: ". table_src_open() returns NULL and a reason.
 *
 * SECURITY
 *	Memory use is bounded by DICT_LINE_MAX per line whatever the input.
 */
#ifndef TABLE_SRC_H
#define TABLE_SRC_H

#include <stddef.h>

#include "vstr.h"

#define TABLE_SRC_OK	1
#define TABLE_SRC_EOF	0
#define TABLE_SRC_ERR	(-1)
#define TABLE_SRC_BAD	(-2)

struct table_src;

extern struct table_src *table_src_open(const char *, struct vstr *);
extern struct table_src *table_src_memopen(const void *, size_t, const char *);
extern int table_src_read(struct table_src *, struct vstr *, struct vstr *);
extern int table_src_entry(struct table_src *, int, struct vstr *,
			           struct vstr *, struct vstr *);
extern int table_src_parse(int, const char *, struct vstr *, struct vstr *,
			           struct vstr *);
extern int table_src_lineno(struct table_src *);
extern const char *table_src_path(struct table_src *);
extern int table_src_fd(struct table_src *);
extern void table_src_close(struct table_src *);

#endif
