/*
 * attr.h - typed attribute lists: postern's internal IPC protocol.
 *
 * SYNOPSIS
 *	int	attr_print(struct vstream *fp, int flags, ...);
 *	int	attr_vprint(struct vstream *fp, int flags, va_list ap);
 *	int	attr_print_list(struct vstream *fp, int flags,
 *			const struct attr_list *list);
 *	int	attr_print_protocol(struct vstream *fp, const char *name);
 *
 *	int	attr_scan(struct vstream *fp, int flags, ...);
 *	int	attr_scan_lim(struct vstream *fp, int flags,
 *			const struct attr_limits *lim, ...);
 *	int	attr_vscan(struct vstream *fp, int flags,
 *			const struct attr_limits *lim, va_list ap);
 *	int	attr_scan_list(struct vstream *fp, int flags,
 *			const struct attr_limits *lim, struct attr_list *list);
 *	int	attr_scan_protocol(struct vstream *fp, const char *name);
 *
 *	struct attr_list *attr_list_alloc(void);
 *	void	attr_list_free(struct attr_list *list);
 *	void	attr_list_reset(struct attr_list *list);
 *	void	attr_list_add_int(struct attr_list *, const char *name, int);
 *	void	attr_list_add_long(struct attr_list *, const char *name, long);
 *	void	attr_list_add_str(struct attr_list *, const char *name,
 *			const char *value);
 *	void	attr_list_add_data(struct attr_list *, const char *name,
 *			const void *data, size_t len);
 *	const struct attr_value *attr_list_find(const struct attr_list *,
 *			const char *name);
 *	const char *attr_list_str(const struct attr_list *, const char *name);
 *	int	attr_list_scan(const struct attr_list *list, int flags, ...);
 *	int	attr_name_valid(const char *name, size_t len);
 *	const char *attr_type_name(int type);
 *
 * DESCRIPTION
 *	A request or reply is a list of records, each a name plus a typed
 *	value (int, long, string, binary data), ended by a terminator. The
 *	byte layout is in docs/ipc.md. Names are 1..ATTR_NAME_MAX bytes of
 *	[a-z0-9_] and are declared once in mail_proto.h.
 *
 *	attr_print() writes the attributes given as SEND_ATTR_*() macros up
 *	to ATTR_TYPE_END, then the terminator unless flags has
 *	ATTR_FLAG_MORE (the caller will add more attributes to the same
 *	list). Output is buffered: call vstream_flush() before waiting for
 *	a reply. attr_print_list() writes a struct attr_list the same way.
 *	attr_print_protocol() writes the server's announcement
 *	("protocol" = name) and flushes.
 *
 *	attr_scan() reads one list and stores the attributes given as
 *	RECV_ATTR_*() macros. Records may arrive in any order. By default
 *	(ATTR_FLAG_STRICT) it fails on a missing, unknown, mistyped,
 *	duplicate or extra attribute, and on any violation of the limits.
 *	ATTR_FLAG_ALLOW_MISSING: expected attributes may be absent (their
 *	targets are not touched). ATTR_FLAG_ALLOW_EXTRA: unknown names are
 *	skipped (still within the limits). ATTR_FLAG_MORE: stop as soon as
 *	every expected attribute was read, without reading the terminator,
 *	so that a later attr_scan() reads the rest of the same list
 *	(typically: read "request" first, then pick a handler). MORE cannot
 *	be combined with ALLOW_MISSING. attr_scan_lim() and attr_vscan()
 *	take explicit limits; a null pointer means attr_default_limits.
 *
 *	attr_scan_list() reads a whole list, whatever its names and types,
 *	into list (reset first). attr_list_scan() then applies the strict
 *	typed matching of attr_scan() to that list, so that a server can
 *	read a request, look at attr_list_str(list, "request") and pass the
 *	list to a handler that extracts exactly what it expects.
 *	attr_list_find() returns a record or a null pointer;
 *	attr_list_str() returns the value of a string record or a null
 *	pointer when absent or not a string.
 *
 *	attr_scan_protocol() reads the announcement and checks that it
 *	names the expected protocol.
 *
 *	attr_name_valid() tells whether len bytes at name form a valid
 *	attribute name. attr_type_name() names a type for diagnostics.
 *
 * DIAGNOSTICS
 *	attr_print*() return 0, or -1 on a write error (the stream's own
 *	status tells which). A bad name, bad type or an unterminated
 *	argument list in the caller's arguments is a bug: msg_panic(). A
 *	value longer than ATTR_WIRE_VALUE_MAX is refused with msg_warn() and
 *	-1 before anything is written.
 *
 *	attr_scan*() return the number of attributes stored, or -1 after
 *	logging with msg_warn() which attribute was wrong and how. After -1
 *	the stream position is unknown: the stream must be closed, never
 *	read again. The targets of a failed scan hold unspecified values.
 *	attr_scan_protocol() returns 0 or -1.
 *
 * SECURITY
 *	Every byte read is hostile. The reader checks each length against
 *	its limit before it reads or allocates anything: name length and
 *	characters, value length (lim->value_max), the sum of all value
 *	lengths of one list (lim->total_max) and the record count
 *	(lim->count_max). A string may not contain a NUL byte. Binary data
 *	may hold any byte. Integers are fixed size, big-endian, signed.
 */
#ifndef ATTR_H
#define ATTR_H

#include <stddef.h>
#include <stdarg.h>

#include "sys_defs.h"
#include "vstream.h"
#include "vstr.h"

 /*
  * Record types; also the type byte on the wire (0 ends a list).
  */
#define ATTR_TYPE_END	0
#define ATTR_TYPE_INT	1		/* 32-bit signed */
#define ATTR_TYPE_LONG	2		/* 64-bit signed */
#define ATTR_TYPE_STR	3		/* bytes without NUL */
#define ATTR_TYPE_DATA	4		/* any bytes */

 /*
  * Flags.
  */
#define ATTR_FLAG_STRICT	0
#define ATTR_FLAG_NONE		0
#define ATTR_FLAG_ALLOW_MISSING	(1<<0)	/* scan: absent is OK */
#define ATTR_FLAG_ALLOW_EXTRA	(1<<1)	/* scan: skip unknown names */
#define ATTR_FLAG_MORE		(1<<2)	/* no terminator read/written */
#define ATTR_FLAG_ALL		(07)

 /*
  * Protocol constants and limits.
  */
#define ATTR_NAME_MAX		64	/* bytes in a name */
#define ATTR_WIRE_VALUE_MAX	(64 * 1024 * 1024)	/* hard cap, both sides */
#define ATTR_DEF_VALUE_MAX	(1024 * 1024)	/* per string/data value */
#define ATTR_DEF_TOTAL_MAX	(4 * 1024 * 1024)	/* all values of a list */
#define ATTR_DEF_COUNT_MAX	1024	/* records in a list */

#define ATTR_NAME_PROTOCOL	"protocol"	/* the announcement */

struct attr_limits {
    size_t  value_max;			/* one string/data value */
    size_t  total_max;			/* sum of values in one list */
    int     count_max;			/* records in one list */
};

extern const struct attr_limits attr_default_limits;

 /*
  * Type-checked argument lists. The inline identity functions make the
  * compiler check each argument's type, as Postfix's CHECK_VAL does.
  */
static inline const char *attr_chk_name(const char *n) { return (n); }
static inline int attr_chk_int(int v) { return (v); }
static inline long attr_chk_long(long v) { return (v); }
static inline size_t attr_chk_size(size_t v) { return (v); }
static inline const void *attr_chk_cptr(const void *p) { return (p); }
static inline int *attr_chk_intp(int *p) { return (p); }
static inline long *attr_chk_longp(long *p) { return (p); }
static inline struct vstr *attr_chk_vstr(struct vstr *p) { return (p); }

#define SEND_ATTR_INT(n, v)	ATTR_TYPE_INT, attr_chk_name(n), attr_chk_int(v)
#define SEND_ATTR_LONG(n, v)	ATTR_TYPE_LONG, attr_chk_name(n), attr_chk_long(v)
#define SEND_ATTR_STR(n, v) \
	ATTR_TYPE_STR, attr_chk_name(n), (const char *) attr_chk_cptr(v)
#define SEND_ATTR_DATA(n, len, p) \
	ATTR_TYPE_DATA, attr_chk_name(n), attr_chk_size(len), attr_chk_cptr(p)

#define RECV_ATTR_INT(n, p)	ATTR_TYPE_INT, attr_chk_name(n), attr_chk_intp(p)
#define RECV_ATTR_LONG(n, p)	ATTR_TYPE_LONG, attr_chk_name(n), attr_chk_longp(p)
#define RECV_ATTR_STR(n, p)	ATTR_TYPE_STR, attr_chk_name(n), attr_chk_vstr(p)
#define RECV_ATTR_DATA(n, p)	ATTR_TYPE_DATA, attr_chk_name(n), attr_chk_vstr(p)

 /*
  * A list read without knowing its content.
  */
struct attr_value {
    int     type;			/* ATTR_TYPE_INT etc. */
    char   *name;			/* valid attribute name */
    long    num;			/* INT and LONG */
    struct vstr *buf;			/* STR and DATA, else null */
};

struct attr_list {
    struct attr_value *items;
    int     count;
    int     cap;
};

 /*
  * attr_print.c
  */
extern int attr_print(struct vstream *, int,...);
extern int attr_vprint(struct vstream *, int, va_list);
extern int attr_print_list(struct vstream *, int, const struct attr_list *);
extern int attr_print_protocol(struct vstream *, const char *);

 /*
  * attr_scan.c
  */
extern int attr_scan(struct vstream *, int,...);
extern int attr_scan_lim(struct vstream *, int, const struct attr_limits *,...);
extern int attr_vscan(struct vstream *, int, const struct attr_limits *, va_list);
extern int attr_scan_list(struct vstream *, int, const struct attr_limits *,
			          struct attr_list *);
extern int attr_scan_protocol(struct vstream *, const char *);

 /*
  * attr_list.c
  */
extern struct attr_list *attr_list_alloc(void);
extern void attr_list_free(struct attr_list *);
extern void attr_list_reset(struct attr_list *);
extern void attr_list_add_int(struct attr_list *, const char *, int);
extern void attr_list_add_long(struct attr_list *, const char *, long);
extern void attr_list_add_str(struct attr_list *, const char *, const char *);
extern void attr_list_add_data(struct attr_list *, const char *,
			               const void *, size_t);
extern const struct attr_value *attr_list_find(const struct attr_list *,
					               const char *);
extern const char *attr_list_str(const struct attr_list *, const char *);
extern int attr_list_scan(const struct attr_list *, int,...);
extern int attr_name_valid(const char *, size_t);
extern const char *attr_type_name(int);

 /*
  * Shared by attr_scan.c and attr_list.c: the caller's expectations.
  */
struct attr_spec {
    int     type;
    const char *name;
    void   *ptr;			/* int *, long * or struct vstr * */
    int     seen;
};
struct attr_specs {
    struct attr_spec *v;
    int     n;
};
extern void attr_specs_collect(struct attr_specs *, const char *, va_list *);
extern struct attr_spec *attr_specs_find(struct attr_specs *, const char *);
extern int attr_specs_missing(struct attr_specs *, const char *, int);
extern void attr_specs_free(struct attr_specs *);

#endif
