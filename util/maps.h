/*
 * maps.h - a list of lookup tables searched in order, and the address
 * lookup order.
 *
 * SYNOPSIS
 *	#include "maps.h"
 *
 *	struct maps *maps_create(const char *title, const char *map_list,
 *			int flags, struct vstr *why);
 *	int	maps_find(struct maps *maps, const char *key,
 *			struct vstr *result);
 *	int	maps_find_addr(struct maps *maps, const char *address,
 *			const char *delim, int flags, struct vstr *result);
 *	const char *maps_reason(struct maps *maps);
 *	size_t	maps_count(struct maps *maps);
 *	int	maps_changed(struct maps *maps);
 *	void	maps_free(struct maps *maps);
 *
 * DESCRIPTION
 *	maps_create() opens every table of map_list, the value of a
 *	parameter such as "hash:/etc/postern/aliases, regexp:/x": tables are
 *	separated by commas and/or white space; text in braces is kept
 *	together ("inline:{a=b, c=d}", "static:{two words}"). title names
 *	the list in messages (usually the parameter name). flags go to
 *	dict_open(). An empty list is allowed and finds nothing.
 *
 *	maps_find() asks the tables in order; the first one that has the
 *	key gives the result.
 *
 *	maps_find_addr() looks an address up in Postfix's order
 *	(virtual(5), canonical(5)). The address is lowercased. With
 *	"user+ext@domain", delim "+" and MAPS_ADDR_LOCAL in flags:
 *		user+ext@domain, user@domain,		(any domain)
 *		user+ext, user,				(MAPS_ADDR_LOCAL only)
 *		@domain					(any domain)
 *	Without an extension the "+ext" forms are skipped. The local part
 *	is split from the domain at the last '@' outside double quotes; an
 *	address without '@' is a bare local part (user+ext, user). The
 *	extension starts at the first character of delim in the local part
 *	(not its first character; none in a quoted local part); delim may
 *	be NULL or "" (no extensions). Each candidate is tried against all
 *	tables before the next candidate.
 *
 *	maps_changed() is true when a table file was rebuilt since it was
 *	opened (a daemon then exits to be restarted).
 *
 * DIAGNOSTICS
 *	maps_create() returns NULL and a reason ("title: ...") when a table
 *	cannot be opened or the list is malformed. maps_find() and
 *	maps_find_addr() return DICT_FOUND, DICT_NOTFOUND or DICT_ERROR;
 *	after an error (reported with msg_warn() too) no further table is
 *	asked, and maps_reason() tells why.
 *
 * SECURITY
 *	The address comes from the network: it is bounded (an address
 *	longer than DICT_QUERY_MAX is not found), copied into a vstr, and
 *	a missing '@', empty parts or unbalanced quotes are handled.
 */
#ifndef MAPS_H
#define MAPS_H

#include <stddef.h>

#include "dict.h"
#include "vstr.h"

#define MAPS_ADDR_LOCAL	(1<<0)	/* the domain is ours: try bare user */

struct maps;

extern struct maps *maps_create(const char *, const char *, int, struct vstr *);
extern int maps_find(struct maps *, const char *, struct vstr *);
extern int maps_find_addr(struct maps *, const char *, const char *, int,
			          struct vstr *);
extern const char *maps_reason(struct maps *);
extern size_t maps_count(struct maps *);
extern int maps_changed(struct maps *);
extern void maps_free(struct maps *);

#endif
