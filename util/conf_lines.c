/*
 * conf_lines.c - bounded whole-file reads and logical-line splitting for
 *	main.cf and master.cf (see conf_lines.h).
 *
 * Both files share Postfix's line grammar, so it lives here once: the
 * main.cf and master.cf parsers only see complete logical lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf_lines.h"
#include "msg.h"

/* conf_file_load - read a whole regular file, at most max bytes */

int
conf_file_load(const char *path, size_t max, struct vstr *buf, struct vstr *err)
{
    struct stat st;
    char    chunk[8192];
    ssize_t n;
    int     fd;

    vstr_reset(buf);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
	vstr_sprintf(err, "%s: %s", path, strerror(errno));
	return (-1);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
	vstr_sprintf(err, "%s: not a regular file", path);
	(void) close(fd);
	return (-1);
    }
    for (;;) {
	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0) {
	    vstr_sprintf(err, "%s: read: %s", path, strerror(errno));
	    break;
	}
	if (n == 0) {
	    (void) close(fd);
	    return (0);
	}
	if ((size_t) n > max - vstr_len(buf)) {
	    vstr_sprintf(err, "%s: file is larger than %lu bytes",
			 path, (unsigned long) max);
	    break;
	}
	vstr_memcat(buf, chunk, (size_t) n);
    }
    (void) close(fd);
    vstr_reset(buf);
    return (-1);
}

/* conf_lines_init - start splitting a buffer */

void
conf_lines_init(struct conf_lines *cl, const char *file, const char *buf,
		        size_t len)
{
    cl->file = file;
    cl->buf = buf;
    cl->len = len;
    cl->pos = 0;
    cl->lineno = 0;
}

/* conf_lines_phys - next physical line: start and length, no newline */

static int
conf_lines_phys(struct conf_lines *cl, const char **start, size_t *len,
		        struct vstr *err)
{
    const char *cp = cl->buf + cl->pos;
    const char *end = cl->buf + cl->len;
    const char *nl;
    size_t  n;
    size_t  i;

    if (cp >= end)
	return (0);
    nl = memchr(cp, '\n', (size_t) (end - cp));
    n = nl ? (size_t) (nl - cp) : (size_t) (end - cp);
    cl->pos += n + (nl != 0);
    cl->lineno++;
    if (n > 0 && cp[n - 1] == '\r')
	n--;
    if (n > CONF_LINE_MAX) {
	vstr_sprintf(err, "%s:%d: line is longer than %d bytes",
		     cl->file, cl->lineno, CONF_LINE_MAX);
	return (-1);
    }
    for (i = 0; i < n; i++) {
	unsigned char ch = (unsigned char) cp[i];

	if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
	    vstr_sprintf(err, "%s:%d: control character 0x%02x in line",
			 cl->file, cl->lineno, ch);
	    return (-1);
	}
    }
    *start = cp;
    *len = n;
    return (1);
}

/* conf_lines_kind - 0 blank or comment, 1 starts text, 2 continues */

static int
conf_lines_kind(const char *cp, size_t len)
{
    size_t  i = 0;

    while (i < len && (cp[i] == ' ' || cp[i] == '\t'))
	i++;
    if (i == len || cp[i] == '#')
	return (0);
    return (i == 0 ? 1 : 2);
}

/* conf_lines_next - next logical line */

int
conf_lines_next(struct conf_lines *cl, struct vstr *line, int *lineno,
		        struct vstr *err)
{
    const char *cp;
    size_t  len;
    size_t  save_pos;
    int     save_lineno;
    int     kind;
    int     ret;

    vstr_reset(line);
    *lineno = 0;
    for (;;) {
	save_pos = cl->pos;
	save_lineno = cl->lineno;
	if ((ret = conf_lines_phys(cl, &cp, &len, err)) <= 0)
	    return (ret < 0 ? -1 : *lineno != 0);
	if ((kind = conf_lines_kind(cp, len)) == 0)
	    continue;
	if (kind == 1 && *lineno != 0) {
	    /* Start of the next logical line: push it back. */
	    cl->pos = save_pos;
	    cl->lineno = save_lineno;
	    return (1);
	}
	if (kind == 2 && *lineno == 0) {
	    vstr_sprintf(err, "%s:%d: continuation line (starting with"
			 " white space) without a line before it",
			 cl->file, cl->lineno);
	    return (-1);
	}
	if (*lineno == 0)
	    *lineno = cl->lineno;
	if (len > CONF_LOGICAL_MAX - vstr_len(line)) {
	    vstr_sprintf(err, "%s:%d: logical line is longer than %d bytes",
			 cl->file, *lineno, CONF_LOGICAL_MAX);
	    return (-1);
	}
	vstr_memcat(line, cp, len);
    }
}
