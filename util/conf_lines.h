/*
 * conf_lines.h - read a configuration file and split it into logical
 *	lines (main.cf and master.cf syntax).
 *
 * SYNOPSIS
 *	#include "conf_lines.h"
 *
 *	int	conf_file_load(const char *path, size_t max,
 *			struct vstr *buf, struct vstr *err);
 *
 *	void	conf_lines_init(struct conf_lines *cl, const char *file,
 *			const char *buf, size_t len);
 *	int	conf_lines_next(struct conf_lines *cl, struct vstr *line,
 *			int *lineno, struct vstr *err);
 *
 * DESCRIPTION
 *	conf_file_load() reads the whole regular file path into buf. The
 *	file must be at most max bytes.
 *
 *	conf_lines_next() returns the next logical line of the text given
 *	to conf_lines_init() (file is only used in messages and must stay
 *	valid). The rules are those of Postfix readlline(3): a line whose
 *	first non-blank byte is '#' is a comment and is skipped, as is a
 *	blank line; a line that begins with white space continues the
 *	logical line before it (comments and blank lines in between are
 *	skipped); a '#' elsewhere is ordinary text. The newline (and a CR
 *	before it) is removed; continuation lines are appended as they
 *	are, their leading white space acting as a separator. *lineno is
 *	the number of the first physical line of the logical line.
 *
 * DIAGNOSTICS
 *	conf_file_load() returns 0, or -1 with "path: reason" in err.
 *	conf_lines_next() returns 1 with a line, 0 at the end, or -1 with
 *	"file:line: reason" in err for a NUL or other control byte (tab
 *	excepted), a physical line longer than CONF_LINE_MAX, a logical
 *	line longer than CONF_LOGICAL_MAX, or a continuation line with no
 *	line before it.
 *
 * SECURITY
 *	The text is treated as untrusted: every length is bounded, and
 *	control bytes, which could forge log lines or confuse other
 *	parsers, are refused.
 */
#ifndef CONF_LINES_H
#define CONF_LINES_H

#include <stddef.h>

#include "vstr.h"

#define CONF_LINE_MAX		(64 * 1024)	/* one physical line */
#define CONF_LOGICAL_MAX	(256 * 1024)	/* joined continuation lines */

struct conf_lines {
    const char *file;
    const char *buf;
    size_t  len;
    size_t  pos;
    int     lineno;			/* physical lines consumed */
};

extern int conf_file_load(const char *, size_t, struct vstr *, struct vstr *);
extern void conf_lines_init(struct conf_lines *, const char *, const char *, size_t);
extern int conf_lines_next(struct conf_lines *, struct vstr *, int *, struct vstr *);

#endif
