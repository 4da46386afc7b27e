/*
 * attr_scan.c - read typed attribute lists (see attr.h, docs/ipc.md).
 *
 * Every byte comes from another process and is treated as hostile. A
 * record is read in two steps: attr_read_head() reads the type byte, the
 * name and (for strings and data) the declared length, and checks each
 * against its limit BEFORE the next read; only then is the value read,
 * into a buffer that grows with the bytes actually received. So a peer
 * that claims 4 GiB is refused after 4 bytes of length, and nothing is
 * allocated for it.
 *
 * attr_vscan() is driven by the caller's RECV_ATTR_*() arguments: a
 * record whose name is not expected, whose type differs, or that comes
 * twice fails the whole scan (unless flags allow extra names), as does
 * an expected attribute that never comes. attr_scan_list() reads any
 * valid list into a struct attr_list for later attr_list_scan().
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "attr.h"
#include "mymalloc.h"
#include "msg.h"

const struct attr_limits attr_default_limits = {
    ATTR_DEF_VALUE_MAX, ATTR_DEF_TOTAL_MAX, ATTR_DEF_COUNT_MAX,
};

 /*
  * State of one scan: the current record and the running totals that the
  * limits apply to.
  */
struct attr_reader {
    struct vstream *fp;
    const char *myname;
    size_t  value_max;
    size_t  total_max;
    int     count_max;
    int     count;			/* records so far */
    size_t  total;			/* value bytes so far */
    int     type;			/* current record type */
    struct vstr *name;			/* current record name */
    size_t  len;			/* current value length */
};

/* attr_reader_init - set up limits and scratch */

static void
attr_reader_init(struct attr_reader *rd, struct vstream *fp,
		         const char *myname, const struct attr_limits *lim)
{
    if (lim == 0)
	lim = &attr_default_limits;
    rd->fp = fp;
    rd->myname = myname;
    rd->value_max = lim->value_max > ATTR_WIRE_VALUE_MAX ?
	ATTR_WIRE_VALUE_MAX : lim->value_max;
    rd->total_max = lim->total_max;
    rd->count_max = lim->count_max;
    rd->count = 0;
    rd->total = 0;
    rd->type = ATTR_TYPE_END;
    rd->name = vstr_alloc(ATTR_NAME_MAX);
    rd->len = 0;
}

/* attr_read_fail - report a stream error while reading what */

static int
attr_read_fail(struct attr_reader *rd, int status, const char *what)
{
    const char *why = "read error: ";
    const char *detail = "";

    if (status == VSTREAM_EOF)
	why = "unexpected end of input";
    else if (status == VSTREAM_TIMEOUT)
	why = "timeout";
    else
	detail = strerror(errno);
    if (rd->type != ATTR_TYPE_END && vstr_len(rd->name) > 0)
	msg_warn("%s: attribute %s: %s%s while reading %s",
		 rd->myname, vstr_str(rd->name), why, detail, what);
    else
	msg_warn("%s: record %d: %s%s while reading %s",
		 rd->myname, rd->count, why, detail, what);
    return (-1);
}

/* attr_read_be - read an n-byte big-endian unsigned number */

static int
attr_read_be(struct attr_reader *rd, int n, uint64_t *val, const char *what)
{
    unsigned char buf[8];
    int     st;
    int     i;

    if ((st = vstream_read_exact(rd->fp, buf, (size_t) n)) != VSTREAM_OK)
	return (attr_read_fail(rd, st, what));
    *val = 0;
    for (i = 0; i < n; i++)
	*val = (*val << 8) | buf[i];
    return (0);
}

/* attr_read_head - read type, name and value length; 1, 0 (end), -1 */

static int
attr_read_head(struct attr_reader *rd)
{
    uint64_t len = 0;
    int     ch;
    int     st;

    rd->type = ATTR_TYPE_END;
    vstr_reset(rd->name);
    if ((ch = vstream_getc(rd->fp)) < 0)
	return (attr_read_fail(rd, ch, "record type"));
    if (ch == ATTR_TYPE_END)
	return (0);
    if (++rd->count > rd->count_max) {
	msg_warn("%s: more than %d records", rd->myname, rd->count_max);
	return (-1);
    }
    if (ch > ATTR_TYPE_DATA) {
	msg_warn("%s: record %d: unknown type %d", rd->myname, rd->count, ch);
	return (-1);
    }
    if ((st = vstream_getc(rd->fp)) < 0)
	return (attr_read_fail(rd, st, "name length"));
    if (st < 1 || st > ATTR_NAME_MAX) {
	msg_warn("%s: record %d: bad name length %d", rd->myname, rd->count, st);
	return (-1);
    }
    if ((st = vstream_read_vstr(rd->fp, rd->name, (size_t) st)) != VSTREAM_OK)
	return (attr_read_fail(rd, st, "name"));
    if (!attr_name_valid(vstr_str(rd->name), vstr_len(rd->name))) {
	msg_warn("%s: record %d: bad character in attribute name",
		 rd->myname, rd->count);
	return (-1);
    }
    rd->type = ch;
    if (ch == ATTR_TYPE_INT || ch == ATTR_TYPE_LONG) {
	rd->len = (ch == ATTR_TYPE_INT ? 4 : 8);
	return (1);
    }
    if (attr_read_be(rd, 4, &len, "value length") < 0)
	return (-1);
    if (len > rd->value_max) {
	msg_warn("%s: attribute %s: length %llu exceeds limit %zu",
		 rd->myname, vstr_str(rd->name), (unsigned long long) len,
		 rd->value_max);
	return (-1);
    }
    if (len > rd->total_max - rd->total) {
	msg_warn("%s: attribute %s: list exceeds total size limit %zu",
		 rd->myname, vstr_str(rd->name), rd->total_max);
	return (-1);
    }
    rd->len = (size_t) len;
    rd->total += rd->len;
    return (1);
}

/* attr_read_num - read an INT or LONG value, sign-extended */

static int
attr_read_num(struct attr_reader *rd, long *out)
{
    uint64_t val;

    if (attr_read_be(rd, (int) rd->len, &val, "value") < 0)
	return (-1);
    if (rd->type == ATTR_TYPE_INT)
	*out = (int32_t) (uint32_t) val;
    else
	*out = (long) (int64_t) val;
    return (0);
}

/* attr_read_bytes - read a STR or DATA value into out (replaced) */

static int
attr_read_bytes(struct attr_reader *rd, struct vstr *out)
{
    int     st;

    vstr_reset(out);
    if ((st = vstream_read_vstr(rd->fp, out, rd->len)) != VSTREAM_OK)
	return (attr_read_fail(rd, st, "value"));
    if (rd->type == ATTR_TYPE_STR && memchr(vstr_str(out), 0, vstr_len(out))) {
	msg_warn("%s: attribute %s: string contains a NUL byte",
		 rd->myname, vstr_str(rd->name));
	return (-1);
    }
    return (0);
}

/* attr_skip_value - discard the current value without storing it */

static int
attr_skip_value(struct attr_reader *rd)
{
    unsigned char junk[512];
    size_t  left = rd->len;
    size_t  take;
    int     st;

    while (left > 0) {
	take = left < sizeof(junk) ? left : sizeof(junk);
	if ((st = vstream_read_exact(rd->fp, junk, take)) != VSTREAM_OK)
	    return (attr_read_fail(rd, st, "value"));
	left -= take;
    }
    return (0);
}

/* attr_scan_store - match the current record, read its value; 1, 0, -1 */

static int
attr_scan_store(struct attr_reader *rd, struct attr_specs *specs, int flags)
{
    const char *name = vstr_str(rd->name);
    struct attr_spec *sp;
    long    num;

    if ((sp = attr_specs_find(specs, name)) == 0) {
	if (flags & ATTR_FLAG_ALLOW_EXTRA)
	    return (attr_skip_value(rd));
	msg_warn("%s: unexpected attribute %s", rd->myname, name);
	return (-1);
    }
    if (sp->seen) {
	msg_warn("%s: duplicate attribute %s", rd->myname, name);
	return (-1);
    }
    if (sp->type != rd->type) {
	msg_warn("%s: attribute %s: expected %s, got %s", rd->myname, name,
		 attr_type_name(sp->type), attr_type_name(rd->type));
	return (-1);
    }
    sp->seen = 1;
    if (rd->type == ATTR_TYPE_INT || rd->type == ATTR_TYPE_LONG) {
	if (attr_read_num(rd, &num) < 0)
	    return (-1);
	if (rd->type == ATTR_TYPE_INT)
	    *(int *) sp->ptr = (int) num;
	else
	    *(long *) sp->ptr = num;
	return (1);
    }
    return (attr_read_bytes(rd, (struct vstr *) sp->ptr) < 0 ? -1 : 1);
}

/* attr_vscan - caller-driven strict scan */

int
attr_vscan(struct vstream *fp, int flags, const struct attr_limits *lim,
	           va_list ap)
{
    const char *myname = "attr_scan";
    struct attr_reader rd;
    struct attr_specs specs;
    va_list work;
    int     stored = 0;
    int     st = 0;

    if (flags & ~ATTR_FLAG_ALL)
	msg_panic("%s: bad flags 0x%x", myname, (unsigned) flags);
    if ((flags & ATTR_FLAG_MORE) && (flags & ATTR_FLAG_ALLOW_MISSING))
	msg_panic("%s: ATTR_FLAG_MORE with ATTR_FLAG_ALLOW_MISSING", myname);
    va_copy(work, ap);
    attr_specs_collect(&specs, myname, &work);
    va_end(work);
    attr_reader_init(&rd, fp, myname, lim);
    for (;;) {
	if ((flags & ATTR_FLAG_MORE) && stored == specs.n)
	    break;
	if ((st = attr_read_head(&rd)) <= 0)
	    break;
	if ((st = attr_scan_store(&rd, &specs, flags)) < 0)
	    break;
	stored += st;
    }
    if (st >= 0)
	st = attr_specs_missing(&specs, myname, flags);
    attr_specs_free(&specs);
    vstr_free(rd.name);
    return (st < 0 ? -1 : stored);
}

/* attr_scan - strict scan with default limits */

int
attr_scan(struct vstream *fp, int flags,...)
{
    va_list ap;
    int     ret;

    va_start(ap, flags);
    ret = attr_vscan(fp, flags, 0, ap);
    va_end(ap);
    return (ret);
}

/* attr_scan_lim - strict scan with explicit limits */

int
attr_scan_lim(struct vstream *fp, int flags, const struct attr_limits *lim,...)
{
    va_list ap;
    int     ret;

    va_start(ap, lim);
    ret = attr_vscan(fp, flags, lim, ap);
    va_end(ap);
    return (ret);
}

/* attr_scan_value - read the current record's value into a new list item */

static int
attr_scan_value(struct attr_reader *rd, struct attr_list *list)
{
    struct attr_value *vp;
    const char *name = vstr_str(rd->name);
    long    num;

    switch (rd->type) {
    case ATTR_TYPE_INT:
    case ATTR_TYPE_LONG:
	if (attr_read_num(rd, &num) < 0)
	    return (-1);
	if (rd->type == ATTR_TYPE_INT)
	    attr_list_add_int(list, name, (int) num);
	else
	    attr_list_add_long(list, name, num);
	return (0);
    case ATTR_TYPE_STR:
	attr_list_add_str(list, name, "");
	break;
    default:
	attr_list_add_data(list, name, "", 0);
	break;
    }
    vp = list->items + list->count - 1;
    return (attr_read_bytes(rd, vp->buf));
}

/* attr_scan_list - read a whole list of unknown content */

int
attr_scan_list(struct vstream *fp, int flags, const struct attr_limits *lim,
	               struct attr_list *list)
{
    struct attr_reader rd;
    int     st;

    if (flags & ~ATTR_FLAG_ALL)
	msg_panic("attr_scan_list: bad flags 0x%x", (unsigned) flags);
    attr_list_reset(list);
    attr_reader_init(&rd, fp, "attr_scan_list", lim);
    while ((st = attr_read_head(&rd)) > 0)
	if ((st = attr_scan_value(&rd, list)) < 0)
	    break;
    vstr_free(rd.name);
    return (st < 0 ? -1 : list->count);
}

/* attr_scan_protocol - read and check the server's announcement */

int
attr_scan_protocol(struct vstream *fp, const char *expect)
{
    struct vstr *got = vstr_alloc(32);
    struct attr_limits lim = attr_default_limits;
    int     ret = -1;

    lim.value_max = ATTR_NAME_MAX;
    if (attr_scan_lim(fp, ATTR_FLAG_STRICT, &lim,
		      RECV_ATTR_STR(ATTR_NAME_PROTOCOL, got),
		      ATTR_TYPE_END) != 1)
	msg_warn("attr_scan_protocol: no valid %s announcement", expect);
    else if (strcmp(vstr_str(got), expect) != 0)
	msg_warn("attr_scan_protocol: unexpected protocol \"%s\", want %s",
		 vstr_str(got), expect);
    else
	ret = 0;
    vstr_free(got);
    return (ret);
}
