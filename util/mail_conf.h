/*
 * mail_conf.h - read main.cf, apply -o overrides, expand $name values.
 *
 * SYNOPSIS
 *	#include "mail_conf.h"
 *
 *	int	mail_conf_read(const char *config_dir, struct vstr *err);
 *	int	mail_conf_parse_buffer(const char *file, const char *buf,
 *			size_t len, struct vstr *err);
 *	int	mail_conf_override(const char *assignment, struct vstr *err);
 *	void	mail_conf_reset(void);
 *
 *	const char *mail_conf_eval(const char *name);
 *	int	mail_conf_eval_checked(const char *name, const char **valp,
 *			struct vstr *err);
 *	int	mail_conf_expand(const char *text, struct vstr *out,
 *			struct vstr *err);
 *
 *	const char *mail_conf_raw(const char *name);
 *	const char *mail_conf_lookup(const char *name);
 *	const char *mail_conf_default(const char *name);
 *	const char *mail_conf_path(void);
 *	const char *mail_conf_config_dir(void);
 *	size_t	mail_conf_count(void);
 *	const struct mail_conf_ent *mail_conf_entry(size_t i);
 *	const struct mail_conf_ent *mail_conf_find(const char *name);
 *
 * DESCRIPTION
 *	mail_conf_read() reads CONFIG_DIR/main.cf (see conf_lines(3) for
 *	lines, comments and continuations). Each logical line is
 *	"name = value"; white space around the name and the value is
 *	removed, the value may be empty, and a '#' after the value is
 *	part of the value (as in Postfix). A name set twice keeps its last
 *	value (the entry remembers the line of the setting it replaced).
 *	The previous main.cf settings are replaced only when the whole file
 *	is good; -o overrides are kept. mail_conf_parse_buffer() does the
 *	same for text in memory; file names the text in messages.
 *
 *	mail_conf_override() applies a "name=value" setting (master.cf or
 *	command line -o) that takes precedence over main.cf. It stays in
 *	force across mail_conf_read(). mail_conf_reset() forgets main.cf
 *	and every override.
 *
 *	mail_conf_eval() returns the value of a parameter with $name
 *	references expanded (mac_expand(3) rules, with recursion): the -o
 *	value, else the main.cf value, else the declared default from
 *	mail_params(3). A parameter with CONF_FLAG_RAW is returned as it
 *	is. A name that is neither declared nor set gives NULL. The result
 *	is cached and stays valid until the configuration changes
 *	(mail_conf_read, mail_conf_parse_buffer, mail_conf_override,
 *	mail_conf_reset). mail_conf_eval_checked() is the same but reports
 *	an expansion error instead of dying; *valp is NULL for an unknown
 *	name. mail_conf_expand() expands any text against the
 *	configuration.
 *
 *	mail_conf_raw() is the unexpanded value (override, main.cf or
 *	default; NULL when unknown), mail_conf_lookup() the unexpanded
 *	-o or main.cf value (NULL when not set), mail_conf_default() the
 *	unexpanded declared default (computed defaults such as myhostname
 *	are computed; NULL for an undeclared name).
 *
 *	mail_conf_path() is the file last read ("main.cf" path), and
 *	mail_conf_config_dir() its directory (NULL before the first
 *	successful mail_conf_read(); it is the default of the parameter
 *	config_directory).
 *	mail_conf_count() and mail_conf_entry() walk the main.cf settings
 *	sorted by name; mail_conf_find() finds one.
 *
 * DIAGNOSTICS
 *	mail_conf_read(), mail_conf_parse_buffer() and mail_conf_override()
 *	return 0, or -1 with "file:line: reason" in err (a missing main.cf
 *	is an error). mail_conf_eval() terminates with msg_fatal() when a
 *	value cannot be expanded (loop, bad ${...}, limits), naming the
 *	main.cf line; mail_conf_eval_checked() and mail_conf_expand()
 *	return -1 with the reason in err instead.
 *
 * SECURITY
 *	main.cf is bounded (MAIL_CONF_FILE_MAX bytes, conf_lines(3) line
 *	limits) and every expansion is bounded (mac_expand(3)).
 */
#ifndef MAIL_CONF_H
#define MAIL_CONF_H

#include <stddef.h>

#include "vstr.h"

#define MAIL_CONF_FILE_MAX	(4 * 1024 * 1024)

struct mail_conf_ent {
    char   *name;
    char   *value;			/* as written, not expanded */
    const char *file;			/* main.cf path, or "-o" */
    int     line;			/* first line of the setting */
    int     prev_line;			/* line of a replaced setting, or 0 */
    char   *expanded;			/* cache, or NULL */
};

extern int mail_conf_read(const char *, struct vstr *);
extern int mail_conf_parse_buffer(const char *, const char *, size_t,
				          struct vstr *);
extern int mail_conf_override(const char *, struct vstr *);
extern void mail_conf_reset(void);

extern const char *mail_conf_eval(const char *);
extern int mail_conf_eval_checked(const char *, const char **, struct vstr *);
extern int mail_conf_expand(const char *, struct vstr *, struct vstr *);

extern const char *mail_conf_raw(const char *);
extern const char *mail_conf_lookup(const char *);
extern const char *mail_conf_default(const char *);
extern const char *mail_conf_path(void);
extern const char *mail_conf_config_dir(void);
extern size_t mail_conf_count(void);
extern const struct mail_conf_ent *mail_conf_entry(size_t);
extern const struct mail_conf_ent *mail_conf_find(const char *);

#endif
