/*
 * table_src.c - the parser of lookup table text sources (see table_src.h).
 *
 * Reads postmap(1) "key value" files and aliases(5) files one logical
 * line at a time, with Postfix's rules for comments and continuation
 * lines, and splits each logical line into key and value. Both
 * dict_db.c (compile) and dict_regexp.c (logical lines only) use it;
 * it is fuzzed on its own (tests/fuzz/tablesrc).
 */
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "dict.h"
#include "table_src.h"
#include "vstream.h"
#include "mymalloc.h"
#include "msg.h"

struct table_src {
    struct vstream *stream;
    int     fd;				/* -1 for a memory source */
    char   *path;
    int     next_lineno;		/* number of the next physical line */
    int     lineno;			/* first line of the last logical line */
    struct vstr *phys;			/* one physical line */
    struct vstr *logical;		/* for table_src_entry() */
    int     have_pending;		/* phys holds a line not yet used */
    int     pending_lineno;
    struct vstr *error;			/* sticky error, reported later */
};

static int table_src_physical(struct table_src *, struct vstr *);
static int table_src_parse_postmap(const char *, struct vstr *, struct vstr *,
				           struct vstr *);
static int table_src_parse_alias(const char *, struct vstr *, struct vstr *,
				         struct vstr *);

/* table_src_alloc - common part of the open functions */

static struct table_src *
table_src_alloc(struct vstream *stream, int fd, const char *path)
{
    struct table_src *src = mymalloc(sizeof(*src));

    src->stream = stream;
    src->fd = fd;
    src->path = mystrdup(path);
    src->next_lineno = 1;
    src->lineno = 0;
    src->phys = vstr_alloc(256);
    src->logical = vstr_alloc(256);
    src->have_pending = 0;
    src->pending_lineno = 0;
    src->error = 0;
    return (src);
}

/* table_src_open - open a source file for reading */

struct table_src *
table_src_open(const char *path, struct vstr *why)
{
    struct stat st;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
	vstr_sprintf(why, "open %.200s: %s", path, strerror(errno));
	return (0);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
	vstr_sprintf(why, "open %.200s: not a regular file", path);
	(void) close(fd);
	return (0);
    }
    return (table_src_alloc(vstream_fdopen(fd, VSTREAM_READ), fd, path));
}

/* table_src_memopen - read from a memory buffer */

struct table_src *
table_src_memopen(const void *buf, size_t len, const char *label)
{
    return (table_src_alloc(vstream_memopen(buf, len), -1, label));
}

/* table_src_close - release; closes the file */

void
table_src_close(struct table_src *src)
{
    if (src->fd >= 0)
	(void) vstream_close(src->stream);
    else
	vstream_free(src->stream);
    myfree(src->path);
    vstr_free(src->phys);
    vstr_free(src->logical);
    if (src->error)
	vstr_free(src->error);
    myfree(src);
}

/* Trivial accessors. */

int
table_src_lineno(struct table_src *src)
{
    return (src->lineno);
}

const char *
table_src_path(struct table_src *src)
{
    return (src->path);
}

int
table_src_fd(struct table_src *src)
{
    return (src->fd);
}

/* table_src_physical - next physical line into src->phys, sans newline */

static int
table_src_physical(struct table_src *src, struct vstr *why)
{
    struct vstr *buf = src->phys;
    int     st;

    st = vstream_read_line(src->stream, buf, DICT_LINE_MAX + 1);
    if (st == VSTREAM_EOF)
	return (TABLE_SRC_EOF);
    if (st == VSTREAM_TOOLONG) {
	vstr_sprintf(why, "%.200s:%d: line longer than %d bytes",
		     src->path, src->next_lineno, DICT_LINE_MAX);
	return (TABLE_SRC_ERR);
    }
    if (st != VSTREAM_OK) {
	vstr_sprintf(why, "%.200s:%d: read error", src->path, src->next_lineno);
	return (TABLE_SRC_ERR);
    }
    if (vstr_len(buf) > 0 && vstr_str(buf)[vstr_len(buf) - 1] == '\n')
	vstr_truncate(buf, vstr_len(buf) - 1);
    if (vstr_len(buf) > 0 && vstr_str(buf)[vstr_len(buf) - 1] == '\r')
	vstr_truncate(buf, vstr_len(buf) - 1);
    if (memchr(vstr_str(buf), 0, vstr_len(buf)) != 0) {
	vstr_sprintf(why, "%.200s:%d: NUL byte in line",
		     src->path, src->next_lineno);
	return (TABLE_SRC_ERR);
    }
    src->pending_lineno = src->next_lineno++;
    return (TABLE_SRC_OK);
}

/* table_src_read - next logical line */

int
table_src_read(struct table_src *src, struct vstr *line, struct vstr *why)
{
    const char *cp;
    int     have = 0;
    int     st;

    vstr_reset(line);
    if (src->error) {
	vstr_strcpy(why, vstr_str(src->error));
	return (TABLE_SRC_ERR);
    }
    for (;;) {
	if (src->have_pending) {
	    src->have_pending = 0;
	} else if ((st = table_src_physical(src, why)) != TABLE_SRC_OK) {
	    if (st == TABLE_SRC_ERR) {
		src->error = vstr_alloc(64);
		vstr_strcpy(src->error, vstr_str(why));
	    }
	    /* Return the complete logical line first, the error next time. */
	    if (have)
		return (TABLE_SRC_OK);
	    return (st);
	}
	for (cp = vstr_str(src->phys); isspace((unsigned char) *cp); cp++)
	     /* void */ ;
	if (*cp == 0 || *cp == '#')
	    continue;
	if (cp == vstr_str(src->phys)) {
	    /* Text in column 1 starts a logical line. */
	    if (have) {
		src->have_pending = 1;
		return (TABLE_SRC_OK);
	    }
	    have = 1;
	    src->lineno = src->pending_lineno;
	} else if (have == 0) {
	    msg_warn("%.200s:%d: logical line must not start with whitespace",
		     src->path, src->pending_lineno);
	    continue;
	}
	if (vstr_len(src->phys) > DICT_LINE_MAX - vstr_len(line)) {
	    vstr_sprintf(why, "%.200s:%d: logical line longer than %d bytes",
			 src->path, src->lineno, DICT_LINE_MAX);
	    src->error = vstr_alloc(64);
	    vstr_strcpy(src->error, vstr_str(why));
	    return (TABLE_SRC_ERR);
	}
	vstr_memcat(line, vstr_str(src->phys), vstr_len(src->phys));
    }
}

/* table_src_parse_postmap - "key whitespace value" */

static int
table_src_parse_postmap(const char *line, struct vstr *key,
			        struct vstr *value, struct vstr *why)
{
    const char *cp = line;
    const char *start;
    const char *end;

    while (isspace((unsigned char) *cp))
	cp++;
    for (start = cp; *cp && !isspace((unsigned char) *cp); cp++)
	 /* void */ ;
    vstr_memcpy(key, start, cp - start);
    while (isspace((unsigned char) *cp))
	cp++;
    for (end = cp + strlen(cp); end > cp && isspace((unsigned char) end[-1]); end--)
	 /* void */ ;
    vstr_memcpy(value, cp, end - cp);
    if (vstr_len(key) == 0 || vstr_len(value) == 0) {
	vstr_strcpy(why, "expected format: key whitespace value");
	return (TABLE_SRC_BAD);
    }
    return (TABLE_SRC_OK);
}

/* table_src_parse_alias - "name: value" or "\"quoted name\": value" */

static int
table_src_parse_alias(const char *line, struct vstr *key,
		              struct vstr *value, struct vstr *why)
{
    const char *cp = line;
    const char *end;

    vstr_reset(key);
    vstr_reset(value);
    while (isspace((unsigned char) *cp))
	cp++;
    if (*cp == '"') {
	for (cp++; *cp && *cp != '"'; cp++) {
	    if (*cp == '\\' && cp[1] != 0)
		cp++;
	    vstr_addch(key, *cp);
	}
	if (*cp != '"') {
	    vstr_strcpy(why, "missing closing '\"' in alias name");
	    return (TABLE_SRC_BAD);
	}
	for (cp++; isspace((unsigned char) *cp); cp++)
	     /* void */ ;
	if (*cp != ':') {
	    vstr_strcpy(why, "expected ':' after quoted alias name");
	    return (TABLE_SRC_BAD);
	}
    } else {
	if ((end = strchr(cp, ':')) == 0) {
	    vstr_strcpy(why, "expected format: name: value");
	    return (TABLE_SRC_BAD);
	}
	while (end > cp && isspace((unsigned char) end[-1]))
	    end--;
	vstr_memcpy(key, cp, end - cp);
	cp = strchr(cp, ':');
    }
    for (cp++; isspace((unsigned char) *cp); cp++)
	 /* void */ ;
    for (end = cp + strlen(cp); end > cp && isspace((unsigned char) end[-1]); end--)
	 /* void */ ;
    vstr_memcpy(value, cp, end - cp);
    if (vstr_len(key) == 0) {
	vstr_strcpy(why, "empty alias name");
	return (TABLE_SRC_BAD);
    }
    if (vstr_len(value) == 0) {
	vstr_strcpy(why, "alias has no value");
	return (TABLE_SRC_BAD);
    }
    return (TABLE_SRC_OK);
}

/* table_src_parse - split one logical line */

int
table_src_parse(int format, const char *line, struct vstr *key,
		        struct vstr *value, struct vstr *why)
{
    int     st;

    if (format == DICT_SRC_POSTMAP)
	st = table_src_parse_postmap(line, key, value, why);
    else if (format == DICT_SRC_ALIASES)
	st = table_src_parse_alias(line, key, value, why);
    else
	msg_panic("table_src_parse: bad format %d", format);
    if (st == TABLE_SRC_OK && vstr_len(key) > DICT_KEY_MAX) {
	vstr_sprintf(why, "key longer than %d bytes", DICT_KEY_MAX);
	st = TABLE_SRC_BAD;
    }
    return (st);
}

/* table_src_entry - next logical line, split into key and value */

int
table_src_entry(struct table_src *src, int format, struct vstr *key,
		        struct vstr *value, struct vstr *why)
{
    struct vstr *line = src->logical;
    struct vstr *err;
    int     st;

    if ((st = table_src_read(src, line, why)) == TABLE_SRC_OK) {
	err = vstr_alloc(64);
	if ((st = table_src_parse(format, vstr_str(line), key, value, err)) != TABLE_SRC_OK)
	    vstr_sprintf(why, "%.200s:%d: %s", src->path, src->lineno, vstr_str(err));
	vstr_free(err);
    }
    return (st);
}
