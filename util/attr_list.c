/*
 * attr_list.c - attribute lists in memory, and the caller-driven typed
 * matching shared with attr_scan.c (see attr.h).
 *
 * A server reads a request of unknown content with attr_scan_list(),
 * looks at its "request" attribute, and hands the list to a handler that
 * calls attr_list_scan() with exactly the attributes it expects; the
 * same strict rules as attr_scan() apply (missing, unknown, mistyped,
 * duplicate attributes fail).
 *
 * The attr_specs_*() functions hold the caller's RECV_ATTR_*() arguments
 * as a table; they are used by both scanners.
 */
#include <string.h>

#include "attr.h"
#include "mymalloc.h"
#include "msg.h"

/* attr_name_valid - 1..ATTR_NAME_MAX bytes of [a-z0-9_] */

int
attr_name_valid(const char *name, size_t len)
{
    size_t  i;
    int     ch;

    if (len < 1 || len > ATTR_NAME_MAX)
	return (0);
    for (i = 0; i < len; i++) {
	ch = (unsigned char) name[i];
	if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
	    return (0);
    }
    return (1);
}

/* attr_type_name - printable type for diagnostics */

const char *
attr_type_name(int type)
{
    switch (type) {
    case ATTR_TYPE_INT:
	return ("int");
    case ATTR_TYPE_LONG:
	return ("long");
    case ATTR_TYPE_STR:
	return ("string");
    case ATTR_TYPE_DATA:
	return ("data");
    default:
	return ("unknown");
    }
}

/* attr_list_alloc - create an empty list */

struct attr_list *
attr_list_alloc(void)
{
    struct attr_list *list = mymalloc(sizeof(*list));

    list->items = 0;
    list->count = 0;
    list->cap = 0;
    return (list);
}

/* attr_list_reset - forget all records, keep the list */

void
attr_list_reset(struct attr_list *list)
{
    int     i;

    for (i = 0; i < list->count; i++) {
	myfree(list->items[i].name);
	vstr_free(list->items[i].buf);
    }
    list->count = 0;
}

/* attr_list_free - destroy; a null pointer is allowed */

void
attr_list_free(struct attr_list *list)
{
    if (list) {
	attr_list_reset(list);
	if (list->items)
	    myfree(list->items);
	myfree(list);
    }
}

/* attr_list_add - append a record with a valid name */

static struct attr_value *
attr_list_add(struct attr_list *list, int type, const char *name)
{
    struct attr_value *vp;

    if (name == 0 || !attr_name_valid(name, strlen(name)))
	msg_panic("attr_list_add: bad attribute name");
    if (list->count >= list->cap) {
	if (list->cap > (1 << 20))
	    msg_panic("attr_list_add: list too long");
	list->cap = list->cap ? list->cap * 2 : 8;
	list->items = myrealloc(list->items, sizeof(*vp) * (size_t) list->cap);
    }
    vp = list->items + list->count++;
    vp->type = type;
    vp->name = mystrdup(name);
    vp->num = 0;
    vp->buf = 0;
    return (vp);
}

void
attr_list_add_int(struct attr_list *list, const char *name, int val)
{
    attr_list_add(list, ATTR_TYPE_INT, name)->num = val;
}

void
attr_list_add_long(struct attr_list *list, const char *name, long val)
{
    attr_list_add(list, ATTR_TYPE_LONG, name)->num = val;
}

void
attr_list_add_str(struct attr_list *list, const char *name, const char *val)
{
    struct attr_value *vp = attr_list_add(list, ATTR_TYPE_STR, name);

    vp->buf = vstr_alloc(strlen(val));
    vstr_strcpy(vp->buf, val);
}

void
attr_list_add_data(struct attr_list *list, const char *name,
		           const void *data, size_t len)
{
    struct attr_value *vp = attr_list_add(list, ATTR_TYPE_DATA, name);

    vp->buf = vstr_alloc(len);
    vstr_memcpy(vp->buf, data, len);
}

/* attr_list_find - first record with this name, or null */

const struct attr_value *
attr_list_find(const struct attr_list *list, const char *name)
{
    int     i;

    for (i = 0; i < list->count; i++)
	if (strcmp(list->items[i].name, name) == 0)
	    return (list->items + i);
    return (0);
}

/* attr_list_str - value of a string record, or null */

const char *
attr_list_str(const struct attr_list *list, const char *name)
{
    const struct attr_value *vp = attr_list_find(list, name);

    return (vp && vp->type == ATTR_TYPE_STR ? vstr_str(vp->buf) : 0);
}

/* attr_specs_collect - turn RECV_ATTR_*() arguments into a table */

void
attr_specs_collect(struct attr_specs *specs, const char *myname, va_list *ap)
{
    struct attr_spec *sp;
    int     type;
    int     cap = 0;

    specs->v = 0;
    specs->n = 0;
    while ((type = va_arg(*ap, int)) != ATTR_TYPE_END) {
	if (type < ATTR_TYPE_INT || type > ATTR_TYPE_DATA)
	    msg_panic("%s: bad attribute type %d", myname, type);
	if (specs->n >= ATTR_DEF_COUNT_MAX)
	    msg_panic("%s: too many attributes (missing ATTR_TYPE_END?)", myname);
	if (specs->n >= cap) {
	    cap = cap ? cap * 2 : 8;
	    specs->v = myrealloc(specs->v, sizeof(*sp) * (size_t) cap);
	}
	sp = specs->v + specs->n;
	sp->type = type;
	sp->name = va_arg(*ap, const char *);
	sp->ptr = va_arg(*ap, void *);
	sp->seen = 0;
	if (sp->name == 0 || !attr_name_valid(sp->name, strlen(sp->name)))
	    msg_panic("%s: bad attribute name", myname);
	if (sp->ptr == 0)
	    msg_panic("%s: attribute %s: null target", myname, sp->name);
	if (attr_specs_find(specs, sp->name) != 0)
	    msg_panic("%s: attribute %s: expected twice", myname, sp->name);
	specs->n++;
    }
}

/* attr_specs_find - the expectation for a name, or null */

struct attr_spec *
attr_specs_find(struct attr_specs *specs, const char *name)
{
    int     i;

    for (i = 0; i < specs->n; i++)
	if (strcmp(specs->v[i].name, name) == 0)
	    return (specs->v + i);
    return (0);
}

/* attr_specs_missing - complain about expected attributes not seen */

int
attr_specs_missing(struct attr_specs *specs, const char *myname, int flags)
{
    int     i;

    if (flags & ATTR_FLAG_ALLOW_MISSING)
	return (0);
    for (i = 0; i < specs->n; i++) {
	if (!specs->v[i].seen) {
	    msg_warn("%s: missing attribute %s", myname, specs->v[i].name);
	    return (-1);
	}
    }
    return (0);
}

/* attr_specs_free - release the table */

void
attr_specs_free(struct attr_specs *specs)
{
    if (specs->v)
	myfree(specs->v);
    specs->v = 0;
    specs->n = 0;
}

/* attr_list_store - match one in-memory record against the table */

static int
attr_list_store(struct attr_specs *specs, int flags, const struct attr_value *vp)
{
    const char *myname = "attr_list_scan";
    struct attr_spec *sp;

    if ((sp = attr_specs_find(specs, vp->name)) == 0) {
	if (flags & ATTR_FLAG_ALLOW_EXTRA)
	    return (0);
	msg_warn("%s: unexpected attribute %s", myname, vp->name);
	return (-1);
    }
    if (sp->seen) {
	msg_warn("%s: duplicate attribute %s", myname, vp->name);
	return (-1);
    }
    if (sp->type != vp->type) {
	msg_warn("%s: attribute %s: expected %s, got %s", myname, vp->name,
		 attr_type_name(sp->type), attr_type_name(vp->type));
	return (-1);
    }
    sp->seen = 1;
    if (vp->type == ATTR_TYPE_INT)
	*(int *) sp->ptr = (int) vp->num;
    else if (vp->type == ATTR_TYPE_LONG)
	*(long *) sp->ptr = vp->num;
    else
	vstr_memcpy((struct vstr *) sp->ptr, vstr_str(vp->buf), vstr_len(vp->buf));
    return (1);
}

/* attr_list_scan - strict typed extraction from an in-memory list */

int
attr_list_scan(const struct attr_list *list, int flags,...)
{
    struct attr_specs specs;
    va_list ap;
    int     i;
    int     st = 0;
    int     stored = 0;

    if (flags & ~(ATTR_FLAG_ALLOW_MISSING | ATTR_FLAG_ALLOW_EXTRA))
	msg_panic("attr_list_scan: bad flags 0x%x", (unsigned) flags);
    va_start(ap, flags);
    attr_specs_collect(&specs, "attr_list_scan", &ap);
    va_end(ap);
    for (i = 0; i < list->count; i++) {
	if ((st = attr_list_store(&specs, flags, list->items + i)) < 0)
	    break;
	stored += st;
    }
    if (i == list->count && attr_specs_missing(&specs, "attr_list_scan", flags) < 0)
	st = -1;
    attr_specs_free(&specs);
    return (st < 0 ? -1 : stored);
}
