/*
 * conf_table.h - typed configuration parameter rows, value conversion
 *	with bounds, and list splitting.
 *
 * SYNOPSIS
 *	#include "conf_table.h"
 *
 *	const struct conf_param *conf_table_find(const struct conf_param *tab,
 *			size_t count, const char *name);
 *	int	conf_param_convert(const struct conf_param *p,
 *			const char *value, int store, struct vstr *why);
 *	int	conf_param_number(const struct conf_param *p,
 *			const char *value, long long *result, struct vstr *why);
 *	const char *conf_type_name(int type);
 *	int	conf_time_unit(const struct conf_param *p);
 *	int	conf_list_next(const char **cpp, struct vstr *elem);
 *	int	conf_name_valid(const char *name, size_t len);
 *
 * DESCRIPTION
 *	A struct conf_param row declares one parameter: its name, type,
 *	default text (which may hold $name references) or a function that
 *	computes the default at run time, bounds, flags and the address of
 *	the var_ global that receives the converted value:
 *
 *	CONF_STR	char **; min/max bound the length in bytes
 *	CONF_INT	int *; decimal, min <= value <= max
 *	CONF_LONG	long *; decimal, min <= value <= max
 *	CONF_BOOL	int *; "yes" or "no" (any case), 1 or 0
 *	CONF_TIME	long *; seconds; conv_time(3) syntax, the default unit
 *			is the unit letter at the end of the default text
 *	CONF_SIZE	long *; bytes; conv_size(3) syntax (k, m, g suffixes)
 *
 *	Flags: CONF_FLAG_MAPS (the value is a list of type:name lookup
 *	tables), CONF_FLAG_LIST (a list whose elements may be type:name
 *	tables, such as mydestination), CONF_FLAG_RAW (not $name-expanded
 *	when the configuration is read: expanded later with per-delivery
 *	names, such as forward_path).
 *
 *	The CONF_ROW_* macros build rows and make the compiler check that
 *	the variable has the C type of its parameter type.
 *
 *	conf_table_find() finds a row by exact name.
 *
 *	conf_param_convert() converts value (already $name-expanded) and,
 *	when store is non-zero, assigns it to the row's variable (a string
 *	is copied; the previous copy made by this function is freed).
 *
 *	conf_param_number() converts the value of a numeric row (int, long,
 *	bool, time, size) to a long long, with the same checks, without
 *	storing it.
 *
 *	conf_time_unit() returns the default unit letter of a time row.
 *
 *	conf_list_next() extracts the next element of a list value
 *	separated by comma and/or white space; braces group text with
 *	separators in it (inline:{a=1, b=2} is one element). It advances
 *	*cpp and returns 1, or 0 at the end.
 *
 *	conf_name_valid() is true when name (len bytes) is a possible
 *	parameter name: 1 to CONF_NAME_MAX letters, digits and '_'.
 *
 * DIAGNOSTICS
 *	conf_param_convert() and conf_param_number() return 0, or -1 with
 *	a one-line reason (that does not name the parameter) in why. A row
 *	with a type that does not exist is a bug: msg_panic().
 */
#ifndef CONF_TABLE_H
#define CONF_TABLE_H

#include <stddef.h>

#include "vstr.h"

#define CONF_STR	1
#define CONF_INT	2
#define CONF_LONG	3
#define CONF_BOOL	4
#define CONF_TIME	5
#define CONF_SIZE	6

#define CONF_FLAG_MAPS	(1<<0)		/* list of type:name tables */
#define CONF_FLAG_LIST	(1<<1)		/* list, may hold type:name tables */
#define CONF_FLAG_RAW	(1<<2)		/* expanded later, at use */

#define CONF_NAME_MAX	100		/* bytes in a parameter name */
#define CONF_VALUE_MAX	(256 * 1024)	/* bytes in an expanded value */

struct conf_param {
    const char *name;
    int     type;
    const char *defval;			/* default text, or NULL: def_fn */
    const char *(*def_fn) (void);	/* default computed at run time */
    long long min;			/* bounds (string: length) */
    long long max;
    int     flags;
    void   *var;			/* the var_ global */
};

 /*
  * The conditional expression makes a mismatched variable type a
  * compile error ("pointer type mismatch").
  */
#define CONF_VAR(v, t)	((void *) (1 ? &(v) : (t *) 0))
#define CONF_ROW_STR(n, d, mn, mx, fl, v) \
	{ (n), CONF_STR, (d), 0, (mn), (mx), (fl), CONF_VAR(v, char *) }
#define CONF_ROW_STR_FN(n, fn, mn, mx, fl, v) \
	{ (n), CONF_STR, 0, (fn), (mn), (mx), (fl), CONF_VAR(v, char *) }
#define CONF_ROW_INT(n, d, mn, mx, v) \
	{ (n), CONF_INT, (d), 0, (mn), (mx), 0, CONF_VAR(v, int) }
#define CONF_ROW_LONG(n, d, mn, mx, v) \
	{ (n), CONF_LONG, (d), 0, (mn), (mx), 0, CONF_VAR(v, long) }
#define CONF_ROW_BOOL(n, d, v) \
	{ (n), CONF_BOOL, (d), 0, 0, 1, 0, CONF_VAR(v, int) }
#define CONF_ROW_TIME(n, d, mn, mx, v) \
	{ (n), CONF_TIME, (d), 0, (mn), (mx), 0, CONF_VAR(v, long) }
#define CONF_ROW_SIZE(n, d, mn, mx, v) \
	{ (n), CONF_SIZE, (d), 0, (mn), (mx), 0, CONF_VAR(v, long) }

extern const struct conf_param *conf_table_find(const struct conf_param *,
						        size_t, const char *);
extern int conf_param_convert(const struct conf_param *, const char *, int,
			              struct vstr *);
extern int conf_param_number(const struct conf_param *, const char *,
			             long long *, struct vstr *);
extern const char *conf_type_name(int);
extern int conf_time_unit(const struct conf_param *);
extern int conf_list_next(const char **, struct vstr *);
extern int conf_name_valid(const char *, size_t);

#endif
