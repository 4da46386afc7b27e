/*
 * master_cf.h - parse master.cf, the table of services the master runs.
 *
 * SYNOPSIS
 *	#include "master_cf.h"
 *
 *	int	master_cf_read(const char *config_dir, struct master_cf **cfp,
 *			struct vstr *err);
 *	int	master_cf_parse_buffer(const char *file, const char *buf,
 *			size_t len, struct master_cf **cfp, struct vstr *err);
 *	void	master_cf_free(struct master_cf *cf);
 *	int	master_cf_parse_inet(const char *service, char **host,
 *			char **port, struct vstr *why);
 *	const char *master_cf_type_name(int type);
 *
 * DESCRIPTION
 *	master_cf_read() parses CONFIG_DIR/master.cf, and
 *	master_cf_parse_buffer() text in memory (file names it in
 *	messages). Lines, comments and continuations follow conf_lines(3).
 *	Each logical line is (master(5)):
 *
 *	service type private unpriv chroot wakeup maxproc command [args]
 *
 *	type is inet, unix, fifo or pass. private, unpriv and chroot are
 *	y or n; wakeup is seconds (0 = never) with an optional '?' (wake
 *	only once used); maxproc is a count (0 = no limit). A '-' picks the
 *	default: private y (n for inet, which cannot be private), unpriv
 *	y, chroot n, wakeup 0, maxproc default_process_limit (the value of
 *	var_default_process_limit when it is set, else 100). An argument
 *	"{ text with spaces }" is one argument (braces and the space next
 *	to them removed). "-o name=value" (or "-oname=value", or
 *	"-o { name = value }") is an override for the service; it is
 *	kept in args (as "-o" "name=value") and in opts.
 *
 *	An inet service is "port", "host:port" or "[ipv6]:port"; the port
 *	is a number 1..65535 or a service name. master_cf_parse_inet()
 *	splits it (host "" when absent); the results are allocated.
 *	master_cf_type_name() is "inet", "unix", "fifo" or "pass".
 *	unix, fifo and pass service names are socket names: letters,
 *	digits, '.', '-', '_', not starting with '.'. command is a program
 *	in daemon_directory: the same characters, no '/'.
 *
 *	The result is an array of entries in file order:
 *
 *	struct master_cf_ent {
 *	    char *service;	as written
 *	    int type;		MASTER_CF_INET, _UNIX, _FIFO, _PASS
 *	    char *host, *port;	inet only (host "" = inet_interfaces)
 *	    int private_, unpriv, chroot;	0 or 1
 *	    int wakeup;		seconds, 0 = none
 *	    int wakeup_if_used;	the '?' suffix
 *	    int maxproc;	0 = no limit
 *	    int maxproc_default;	was '-'
 *	    char *command;
 *	    struct argv *args;	arguments after command
 *	    struct argv *opts;	"name=value" of each -o
 *	    const char *file;	int line;
 *	};
 *
 * DIAGNOSTICS
 *	master_cf_read() and master_cf_parse_buffer() return 0, or -1 with
 *	"file:line: reason" in err, for the first bad line: too few
 *	columns, an unknown type, a bad y/n, number, port or name, a
 *	malformed -o or brace, a duplicate service/type pair, or more than
 *	MASTER_CF_MAX_ENTS entries or MASTER_CF_MAX_ARGS arguments.
 *	master_cf_parse_inet() returns 0 or -1 with a reason.
 *
 * SECURITY
 *	master.cf decides what runs as whom; every column is checked
 *	strictly, and names that become paths cannot contain '/' or "..".
 */
#ifndef MASTER_CF_H
#define MASTER_CF_H

#include <stddef.h>

#include "vstr.h"
#include "argv.h"

#define MASTER_CF_INET	1
#define MASTER_CF_UNIX	2
#define MASTER_CF_FIFO	3
#define MASTER_CF_PASS	4

#define MASTER_CF_FILE_MAX	(1024 * 1024)
#define MASTER_CF_MAX_ENTS	1000
#define MASTER_CF_MAX_ARGS	256
#define MASTER_CF_NAME_MAX	100		/* service, command */
#define MASTER_CF_WAKEUP_MAX	(366 * 86400)
#define MASTER_CF_MAXPROC_MAX	100000
#define MASTER_CF_DEF_MAXPROC	100

struct master_cf_ent {
    char   *service;
    int     type;
    char   *host;
    char   *port;
    int     private_;
    int     unpriv;
    int     chroot;
    int     wakeup;
    int     wakeup_if_used;
    int     maxproc;
    int     maxproc_default;
    char   *command;
    struct argv *args;
    struct argv *opts;
    const char *file;
    int     line;
};

struct master_cf {
    struct master_cf_ent *ents;
    size_t  count;
    char   *file;
};

extern int master_cf_read(const char *, struct master_cf **, struct vstr *);
extern int master_cf_parse_buffer(const char *, const char *, size_t,
				          struct master_cf **, struct vstr *);
extern void master_cf_free(struct master_cf *);
extern int master_cf_parse_inet(const char *, char **, char **, struct vstr *);
extern const char *master_cf_type_name(int);

#endif
