/*
 * mac_expand.h - expand $name, ${name} and $(name) references.
 *
 * SYNOPSIS
 *	#include "mac_expand.h"
 *
 *	typedef const char *(*mac_expand_lookup_fn)(const char *name,
 *			void *ctx);
 *
 *	int	mac_expand(struct vstr *out, const char *text, int flags,
 *			mac_expand_lookup_fn lookup, void *ctx,
 *			struct vstr *err);
 *	void	mac_expand_names(const char *text,
 *			void (*fn)(const char *name, void *ctx), void *ctx);
 *
 * DESCRIPTION
 *	mac_expand() replaces out with text in which, as in Postfix
 *	mac_expand(3):
 *
 *	$name, ${name}, $(name)	become the value that lookup() returns
 *			for name (letters, digits, '_'), or nothing when
 *			lookup() returns NULL (an unknown name);
 *	${name?text}	becomes text when the value of name is not empty;
 *	${name:text}	becomes text when the value of name is empty;
 *	$$		becomes a single '$';
 *	a '$' followed by anything else is copied as it is.
 *
 *	With MAC_EXP_FLAG_RECURSE, values returned by lookup() (and the
 *	text of ? and :) are expanded in turn, as main.cf needs; without
 *	it they are inserted as they are, which is what a caller wants
 *	when the values come from outside (a recipient address).
 *
 *	mac_expand_names() calls fn for every name referenced in text,
 *	without expanding anything (used to find parameters that are only
 *	used through $name). Malformed references are skipped.
 *
 * DIAGNOSTICS
 *	mac_expand() returns 0, or -1 with a one-line reason in err: an
 *	unbalanced or malformed ${...}, a name longer than CONF_NAME_MAX,
 *	a loop ("loop in $a -> $b -> $a"), nesting deeper than
 *	MAC_EXP_DEPTH_MAX, more than MAC_EXP_CALLS_MAX lookups, or a result
 *	longer than MAC_EXP_LEN_MAX bytes. out then holds a partial result.
 *
 * SECURITY
 *	Hostile configuration text cannot recurse forever, blow the stack
 *	or grow the output or the work without bound (a = $b$b$b...,
 *	b = $c$c$c..., ...). Never expand attacker data with
 *	MAC_EXP_FLAG_RECURSE: that would let the data name parameters.
 */
#ifndef MAC_EXPAND_H
#define MAC_EXPAND_H

#include "vstr.h"

#define MAC_EXP_FLAG_RECURSE	(1<<0)

#define MAC_EXP_DEPTH_MAX	100
#define MAC_EXP_CALLS_MAX	100000
#define MAC_EXP_LEN_MAX		(1024 * 1024)

typedef const char *(*mac_expand_lookup_fn) (const char *, void *);

extern int mac_expand(struct vstr *, const char *, int, mac_expand_lookup_fn,
		              void *, struct vstr *);
extern void mac_expand_names(const char *, void (*) (const char *, void *),
			             void *);

#endif
