/*
 * attr_print.c - write typed attribute lists (see attr.h, docs/ipc.md).
 *
 * The writer is the trusted side: a bad name or type in the caller's
 * arguments is a bug and panics. Arguments are checked in a first pass
 * over a copy of the va_list, so that nothing is written when a value is
 * refused; the second pass encodes. Each record is:
 *
 *	type(1) namelen(1) name(namelen) value
 *
 * with value = 4 bytes (INT), 8 bytes (LONG), or a 4-byte length plus
 * that many bytes (STR, DATA); all integers big-endian. A list ends with
 * one 0 byte. Output is buffered; the caller flushes.
 */
#include <stdint.h>
#include <string.h>

#include "attr.h"
#include "msg.h"

/* attr_put_be - encode an unsigned value of n bytes, big-endian */

static int
attr_put_be(struct vstream *fp, uint64_t val, int n)
{
    unsigned char buf[8];
    int     i;

    for (i = n - 1; i >= 0; i--) {
	buf[i] = (unsigned char) (val & 0xff);
	val >>= 8;
    }
    return (vstream_write(fp, buf, (size_t) n));
}

/* attr_put_head - write the type byte and the name */

static int
attr_put_head(struct vstream *fp, int type, const char *name)
{
    unsigned char hdr[2];
    size_t  len = strlen(name);

    hdr[0] = (unsigned char) type;
    hdr[1] = (unsigned char) len;
    if (vstream_write(fp, hdr, 2) != VSTREAM_OK
	|| vstream_write(fp, name, len) != VSTREAM_OK)
	return (-1);
    return (0);
}

/* attr_put_bytes - write a length-prefixed value */

static int
attr_put_bytes(struct vstream *fp, const void *data, size_t len)
{
    if (attr_put_be(fp, (uint64_t) len, 4) != VSTREAM_OK)
	return (-1);
    if (len > 0 && vstream_write(fp, data, len) != VSTREAM_OK)
	return (-1);
    return (0);
}

/* attr_print_check - validate the arguments before anything is written */

static int
attr_print_check(va_list ap)
{
    const char *myname = "attr_print";
    const char *name;
    const char *str;
    size_t  len;
    int     type;
    int     count = 0;

    while ((type = va_arg(ap, int)) != ATTR_TYPE_END) {
	if (++count > ATTR_DEF_COUNT_MAX)
	    msg_panic("%s: more than %d attributes (missing ATTR_TYPE_END?)",
		      myname, ATTR_DEF_COUNT_MAX);
	name = va_arg(ap, const char *);
	if (name == 0 || !attr_name_valid(name, strlen(name)))
	    msg_panic("%s: bad attribute name", myname);
	switch (type) {
	case ATTR_TYPE_INT:
	    (void) va_arg(ap, int);
	    break;
	case ATTR_TYPE_LONG:
	    (void) va_arg(ap, long);
	    break;
	case ATTR_TYPE_STR:
	    if ((str = va_arg(ap, const char *)) == 0)
		msg_panic("%s: attribute %s: null string", myname, name);
	    len = strlen(str);
	    if (len > ATTR_WIRE_VALUE_MAX) {
		msg_warn("%s: attribute %s: string length %zu exceeds %d",
			 myname, name, len, ATTR_WIRE_VALUE_MAX);
		return (-1);
	    }
	    break;
	case ATTR_TYPE_DATA:
	    len = va_arg(ap, size_t);
	    if (va_arg(ap, const void *) == 0 && len > 0)
		msg_panic("%s: attribute %s: null data", myname, name);
	    if (len > ATTR_WIRE_VALUE_MAX) {
		msg_warn("%s: attribute %s: data length %zu exceeds %d",
			 myname, name, len, ATTR_WIRE_VALUE_MAX);
		return (-1);
	    }
	    break;
	default:
	    msg_panic("%s: attribute %s: unknown type %d", myname, name, type);
	}
    }
    return (0);
}

/* attr_print_one - encode one record from the argument list */

static int
attr_print_one(struct vstream *fp, int type, const char *name, va_list *ap)
{
    const char *str;
    const void *data;
    size_t  len;
    int     ival;
    long    lval;

    if (attr_put_head(fp, type, name) < 0)
	return (-1);
    switch (type) {
    case ATTR_TYPE_INT:
	ival = va_arg(*ap, int);
	return (attr_put_be(fp, (uint64_t) (uint32_t) ival, 4) == VSTREAM_OK ? 0 : -1);
    case ATTR_TYPE_LONG:
	lval = va_arg(*ap, long);
	return (attr_put_be(fp, (uint64_t) lval, 8) == VSTREAM_OK ? 0 : -1);
    case ATTR_TYPE_STR:
	str = va_arg(*ap, const char *);
	return (attr_put_bytes(fp, str, strlen(str)));
    case ATTR_TYPE_DATA:
	len = va_arg(*ap, size_t);
	data = va_arg(*ap, const void *);
	return (attr_put_bytes(fp, data, len));
    default:
	msg_panic("attr_print_one: unknown type %d", type);
    }
}

/* attr_vprint - write a list from a va_list */

int
attr_vprint(struct vstream *fp, int flags, va_list ap)
{
    va_list check;
    va_list work;
    const char *name;
    int     type;
    int     ret = 0;

    if (flags & ~ATTR_FLAG_ALL)
	msg_panic("attr_vprint: bad flags 0x%x", (unsigned) flags);
    va_copy(check, ap);
    ret = attr_print_check(check);
    va_end(check);
    if (ret < 0)
	return (-1);
    va_copy(work, ap);				/* &ap may not be a va_list * */
    while (ret == 0 && (type = va_arg(work, int)) != ATTR_TYPE_END) {
	name = va_arg(work, const char *);
	ret = attr_print_one(fp, type, name, &work);
    }
    va_end(work);
    if (ret < 0)
	return (-1);
    if ((flags & ATTR_FLAG_MORE) == 0
	&& vstream_write(fp, "", 1) != VSTREAM_OK)
	return (-1);
    return (vstream_error(fp) == VSTREAM_OK ? 0 : -1);
}

/* attr_print - write a list from arguments */

int
attr_print(struct vstream *fp, int flags,...)
{
    va_list ap;
    int     ret;

    va_start(ap, flags);
    ret = attr_vprint(fp, flags, ap);
    va_end(ap);
    return (ret);
}

/* attr_print_list - write a list held in memory */

int
attr_print_list(struct vstream *fp, int flags, const struct attr_list *list)
{
    const struct attr_value *vp;
    int     i;
    int     st;

    if (flags & ~ATTR_FLAG_ALL)
	msg_panic("attr_print_list: bad flags 0x%x", (unsigned) flags);
    for (i = 0; i < list->count; i++) {
	vp = list->items + i;
	if (vp->buf && vstr_len(vp->buf) > ATTR_WIRE_VALUE_MAX) {
	    msg_warn("attr_print_list: attribute %s: length %zu exceeds %d",
		     vp->name, vstr_len(vp->buf), ATTR_WIRE_VALUE_MAX);
	    return (-1);
	}
    }
    for (i = 0; i < list->count; i++) {
	vp = list->items + i;
	if (attr_put_head(fp, vp->type, vp->name) < 0)
	    return (-1);
	if (vp->type == ATTR_TYPE_INT)
	    st = attr_put_be(fp, (uint64_t) (uint32_t) (int) vp->num, 4);
	else if (vp->type == ATTR_TYPE_LONG)
	    st = attr_put_be(fp, (uint64_t) vp->num, 8);
	else
	    st = attr_put_bytes(fp, vstr_str(vp->buf), vstr_len(vp->buf));
	if (st != 0)
	    return (-1);
    }
    if ((flags & ATTR_FLAG_MORE) == 0
	&& vstream_write(fp, "", 1) != VSTREAM_OK)
	return (-1);
    return (vstream_error(fp) == VSTREAM_OK ? 0 : -1);
}

/* attr_print_protocol - server announcement, flushed */

int
attr_print_protocol(struct vstream *fp, const char *name)
{
    if (attr_print(fp, ATTR_FLAG_NONE,
		   SEND_ATTR_STR(ATTR_NAME_PROTOCOL, name),
		   ATTR_TYPE_END) < 0)
	return (-1);
    return (vstream_flush(fp) == VSTREAM_OK ? 0 : -1);
}
