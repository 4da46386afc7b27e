/*
 * cmd_conf.c - `postern conf`: show or edit main.cf parameters, like
 *	postconf(1).
 *
 * postern conf [-n|-d] [-h] [-x] [NAME...]
 *	print "name = value" sorted by name: every declared parameter
 *	(value from main.cf, else the default), -n only what main.cf sets,
 *	-d the defaults; values as written (-x: $name expanded); -h only
 *	the value. An unknown NAME is an error (exit 1).
 * postern conf -e NAME=VALUE...
 *	edit main.cf in place: replace the line of NAME (and its
 *	continuation lines; a NAME set again later is removed) or append
 *	"NAME = VALUE"; comments and order are kept. The new text goes to
 *	a temporary file in the same directory, which is fsynced and
 *	renamed over main.cf (same mode and, as root, owner), so a crash
 *	leaves the old or the new file, never half of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "argv.h"
#include "mymalloc.h"
#include "stringops.h"
#include "conf_lines.h"
#include "conf_table.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "safe_open.h"
#include "vstream.h"
#include "admin.h"

struct conf_edit {
    char   *name;
    char   *value;
    int     done;
};

static int cmd_conf_edit(const char *, int, char **);

#define CONF_SHOW_NONDEF	(1<<0)		/* -n */
#define CONF_SHOW_DEFAULT	(1<<1)		/* -d */
#define CONF_SHOW_VALUE	(1<<2)		/* -h */
#define CONF_SHOW_EXPAND	(1<<3)		/* -x */

/* cmd_conf_sort - qsort helper for names */

static int
cmd_conf_sort(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* cmd_conf_value - the value to show for name; NULL when none */

static const char *
cmd_conf_value(const char *name, int flags, struct vstr *err)
{
    const char *value;

    if (flags & CONF_SHOW_DEFAULT)
	return (mail_conf_default(name));
    if ((flags & CONF_SHOW_NONDEF) && mail_conf_lookup(name) == 0)
	return (0);
    if (flags & CONF_SHOW_EXPAND) {
	if (mail_conf_eval_checked(name, &value, err) < 0)
	    return (0);
	return (value);
    }
    return (mail_conf_raw(name));
}

/* cmd_conf_print - print one parameter */

static int
cmd_conf_print(const char *name, int flags, struct vstr *err)
{
    const char *value;

    vstr_reset(err);
    if ((value = cmd_conf_value(name, flags, err)) == 0) {
	if (vstr_len(err) == 0)
	    return (0);
	fprintf(stderr, "postern conf: %s\n", vstr_str(err));
	return (-1);
    }
    if (flags & CONF_SHOW_VALUE)
	printf("%s\n", value);
    else
	printf("%s =%s%s\n", name, *value ? " " : "", value);
    return (0);
}

/* cmd_conf_names - the names to list when none are given */

static struct argv *
cmd_conf_names(int flags)
{
    struct argv *names = argv_alloc(mail_params_count + mail_conf_count());
    size_t  i;

    if (flags & CONF_SHOW_NONDEF) {
	for (i = 0; i < mail_conf_count(); i++)
	    argv_add(names, mail_conf_entry(i)->name);
    } else {
	for (i = 0; i < mail_params_count; i++)
	    argv_add(names, mail_params_table[i].name);
    }
    qsort(names->argv, names->argc, sizeof(char *), cmd_conf_sort);
    return (names);
}

/* cmd_conf_show - list parameters; return the exit status */

static int
cmd_conf_show(int flags, int argc, char **argv)
{
    struct vstr *err = vstr_alloc(100);
    struct argv *names;
    size_t  i;
    int     status = 0;

    if ((flags & CONF_SHOW_DEFAULT) == 0
	&& mail_conf_read(admin_config_dir, err) < 0) {
	fprintf(stderr, "postern conf: %s\n", vstr_str(err));
	vstr_free(err);
	return (1);
    }
    if (argc > 0) {
	for (i = 0; i < (size_t) argc; i++) {
	    if (mail_conf_raw(argv[i]) == 0
		|| ((flags & CONF_SHOW_DEFAULT) && mail_conf_default(argv[i]) == 0)) {
		fprintf(stderr, "postern conf: %s: unknown parameter\n", argv[i]);
		status = 1;
	    } else if (cmd_conf_print(argv[i], flags, err) < 0)
		status = 1;
	}
    } else {
	names = cmd_conf_names(flags);
	for (i = 0; i < names->argc; i++)
	    if (cmd_conf_print(names->argv[i], flags, err) < 0)
		status = 1;
	argv_free(names);
    }
    vstr_free(err);
    if (fflush(stdout) != 0 || ferror(stdout)) {
	fprintf(stderr, "postern conf: error writing output\n");
	status = 1;
    }
    return (status);
}

/* cmd_conf_has_control - a byte that must not go into main.cf */

static int
cmd_conf_has_control(const char *value)
{
    const unsigned char *cp;

    for (cp = (const unsigned char *) value; *cp; cp++)
	if ((*cp < 0x20 && *cp != '\t') || *cp == 0x7f)
	    return (1);
    return (0);
}

/* cmd_conf_edit_args - parse NAME=VALUE arguments */

static struct conf_edit *
cmd_conf_edit_args(int argc, char **argv, struct vstr *err)
{
    struct conf_edit *edits = mycalloc((size_t) argc, sizeof(*edits));
    char   *copy;
    char   *value;
    int     i;

    for (i = 0; i < argc; i++) {
	copy = mystrdup(argv[i]);
	if ((value = str_split_at(copy, '=')) == 0)
	    vstr_sprintf(err, "\"%.100s\": missing '='", argv[i]);
	else if (str_trim(copy), !conf_name_valid(copy, strlen(copy)))
	    vstr_sprintf(err, "\"%.100s\": bad parameter name", argv[i]);
	else if (str_trim(value), strlen(value) > CONF_LINE_MAX - CONF_NAME_MAX - 4)
	    vstr_sprintf(err, "%s: value is too long", copy);
	else if (cmd_conf_has_control(value))
	    vstr_sprintf(err, "%s: control character in value", copy);
	else {
	    edits[i].name = copy;
	    edits[i].value = mystrdup(value);
	    continue;
	}
	myfree(copy);
	while (i-- > 0) {
	    myfree(edits[i].name);
	    myfree(edits[i].value);
	}
	myfree(edits);
	return (0);
    }
    return (edits);
}

/* cmd_conf_edit_find - the last edit for a "name = ..." line, or NULL */

static struct conf_edit *
cmd_conf_edit_find(const char *line, size_t len, struct conf_edit *edits,
		           int count)
{
    const char *eq = memchr(line, '=', len);
    size_t  n;
    int     i;

    if (eq == 0)
	return (0);
    for (n = (size_t) (eq - line); n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'); n--)
	 /* void */ ;
    for (i = count - 1; i >= 0; i--)
	if (strlen(edits[i].name) == n && memcmp(edits[i].name, line, n) == 0)
	    return (edits + i);
    return (0);
}

/* cmd_conf_edit_text - apply the edits to the text of main.cf */

static void
cmd_conf_edit_text(const char *buf, size_t len, struct conf_edit *edits,
		           int count, struct vstr *out)
{
    struct conf_edit *ep;
    const char *cp = buf;
    const char *end = buf + len;
    const char *nl;
    size_t  n;
    size_t  i;
    int     skipping = 0;
    int     i2;

    while (cp < end) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	n = nl ? (size_t) (nl - cp) + 1 : (size_t) (end - cp);
	for (i = 0; i < n && (cp[i] == ' ' || cp[i] == '\t'); i++)
	     /* void */ ;
	if (i == n || cp[i] == '#' || cp[i] == '\n' || cp[i] == '\r') {
	    vstr_memcat(out, cp, n);		/* comment or blank: keep */
	} else if (i > 0) {
	    if (!skipping)			/* continuation line */
		vstr_memcat(out, cp, n);
	} else if ((ep = cmd_conf_edit_find(cp, n, edits, count)) != 0) {
	    if (!ep->done)
		vstr_sprintf_append(out, "%s = %s\n", ep->name, ep->value);
	    ep->done = skipping = 1;
	} else {
	    skipping = 0;
	    vstr_memcat(out, cp, n);
	}
	cp += n;
    }
    if (vstr_len(out) > 0 && vstr_str(out)[vstr_len(out) - 1] != '\n')
	vstr_addch(out, '\n');
    for (i2 = 0; i2 < count; i2++) {
	ep = edits + i2;
	if (!ep->done && cmd_conf_edit_find(ep->name, strlen(ep->name), ep + 1,
					    count - i2 - 1) == 0) {
	    vstr_sprintf_append(out, "%s = %s\n", ep->name, ep->value);
	    ep->done = 1;
	}
    }
}

/* cmd_conf_edit_write - replace path atomically with text */

static int
cmd_conf_edit_write(const char *dir, const char *path, const struct stat *st,
		            struct vstr *text, struct vstr *err)
{
    struct vstr *tmp = vstr_alloc(100);
    int     fd;

    vstr_sprintf(tmp, "%s/.main.cf.XXXXXX", dir);
    if ((fd = mkostemp(vstr_str(tmp), O_CLOEXEC)) < 0) {
	vstr_sprintf(err, "create temporary file in %s: %s", dir, strerror(errno));
	vstr_free(tmp);
	return (-1);
    }
    if (fchmod(fd, st->st_mode & 07777) < 0
	|| (geteuid() == 0 && fchown(fd, st->st_uid, st->st_gid) < 0)
	|| write_all(fd, vstr_str(text), vstr_len(text)) < 0
	|| fsync(fd) < 0) {
	vstr_sprintf(err, "write %s: %s", vstr_str(tmp), strerror(errno));
	(void) close(fd);
    } else if (close(fd) < 0) {
	vstr_sprintf(err, "close %s: %s", vstr_str(tmp), strerror(errno));
    } else if (rename(vstr_str(tmp), path) < 0) {
	vstr_sprintf(err, "rename %s to %s: %s", vstr_str(tmp), path, strerror(errno));
    } else {
	if (safe_open_dir_fsync(dir) < 0)
	    fprintf(stderr, "postern conf: warning: fsync %s: %s\n", dir, strerror(errno));
	vstr_free(tmp);
	return (0);
    }
    (void) unlink(vstr_str(tmp));
    vstr_free(tmp);
    return (-1);
}

/* cmd_conf_edit - `postern conf -e NAME=VALUE...` */

static int
cmd_conf_edit(const char *dir, int argc, char **argv)
{
    struct vstr *err = vstr_alloc(100);
    struct vstr *path = vstr_alloc(100);
    struct vstr *buf = vstr_alloc(4096);
    struct vstr *out = vstr_alloc(4096);
    struct conf_edit *edits;
    struct stat st;
    int     status = 1;
    int     i;

    vstr_sprintf(path, "%s/main.cf", dir);
    if ((edits = cmd_conf_edit_args(argc, argv, err)) == 0) {
	fprintf(stderr, "postern conf: -e %s\n", vstr_str(err));
	status = 2;
    } else if (stat(vstr_str(path), &st) < 0) {
	fprintf(stderr, "postern conf: %s: %s\n", vstr_str(path), strerror(errno));
    } else if (conf_file_load(vstr_str(path), MAIL_CONF_FILE_MAX, buf, err) < 0) {
	fprintf(stderr, "postern conf: %s\n", vstr_str(err));
    } else {
	cmd_conf_edit_text(vstr_str(buf), vstr_len(buf), edits, argc, out);
	if (vstr_len(out) > MAIL_CONF_FILE_MAX)
	    fprintf(stderr, "postern conf: %s would be too large\n", vstr_str(path));
	else if (cmd_conf_edit_write(dir, vstr_str(path), &st, out, err) < 0)
	    fprintf(stderr, "postern conf: %s\n", vstr_str(err));
	else
	    status = 0;
    }
    if (edits) {
	for (i = 0; i < argc; i++) {
	    myfree(edits[i].name);
	    myfree(edits[i].value);
	}
	myfree(edits);
    }
    vstr_free(err);
    vstr_free(path);
    vstr_free(buf);
    vstr_free(out);
    return (status);
}

/* cmd_conf_usage - complain */

static int
cmd_conf_usage(void)
{
    fprintf(stderr, "usage: postern conf [-n|-d] [-h] [-x] [NAME...]\n"
	    "       postern conf -e NAME=VALUE...\n");
    return (2);
}

/* cmd_conf_main - `postern conf` */

int
cmd_conf_main(int argc, char **argv)
{
    int     flags = 0;
    int     edit = 0;
    int     ch;

    while ((ch = getopt(argc, argv, "dehnx")) != -1) {
	switch (ch) {
	case 'd':
	    flags |= CONF_SHOW_DEFAULT;
	    break;
	case 'e':
	    edit = 1;
	    break;
	case 'h':
	    flags |= CONF_SHOW_VALUE;
	    break;
	case 'n':
	    flags |= CONF_SHOW_NONDEF;
	    break;
	case 'x':
	    flags |= CONF_SHOW_EXPAND;
	    break;
	default:
	    return (cmd_conf_usage());
	}
    }
    if ((flags & CONF_SHOW_DEFAULT) && (flags & (CONF_SHOW_NONDEF | CONF_SHOW_EXPAND))) {
	fprintf(stderr, "postern conf: -d cannot be combined with -n or -x\n");
	return (2);
    }
    if (edit) {
	if (flags || optind >= argc)
	    return (cmd_conf_usage());
	return (cmd_conf_edit(admin_config_dir, argc - optind, argv + optind));
    }
    return (cmd_conf_show(flags, argc - optind, argv + optind));
}
