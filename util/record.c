/*
 * record.c - read and write typed, length-prefixed records (record.h).
 *
 * The format is a type byte, a 4-byte big-endian length and the data.
 * Postfix uses a variable-length size; a fixed header is simpler to
 * validate (no overlong or non-canonical encodings) and lets a reader
 * compute every record's offset, at a cost of a few bytes per record.
 * See docs/queue.md for the record types and their order.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "record.h"

static const char *rec_type_names[] = {
    "version", "time", "size", "client_name", "client_addr", "helo",
    "protocol", "sasl_user", "flags", "dsn_ret", "dsn_envid", "sender",
    "dsn_orcpt", "dsn_notify", "rcpt", "done", "mesg", "norm", "cont",
    "xtra", "end", "mesg8",
};

/* rec_type_ok - is this byte a known record type? */

int
rec_type_ok(int type)
{
    return (type > 0 && type < 256 && strchr(REC_TYPE_ALL, type) != 0);
}

/* rec_type_name - printable name of a record type */

const char *
rec_type_name(int type)
{
    if (!rec_type_ok(type))
	return ("unknown");
    return (rec_type_names[strchr(REC_TYPE_ALL, type) - REC_TYPE_ALL]);
}

/* rec_put - write one record */

int
rec_put(struct vstream *fp, int type, const void *data, size_t len)
{
    unsigned char hdr[REC_HDR_LEN];

    if (!rec_type_ok(type))
	msg_panic("rec_put: bad record type %d", type);
    if (len > REC_DATA_MAX)
	msg_panic("rec_put: record length %lu exceeds %d",
		  (unsigned long) len, REC_DATA_MAX);
    hdr[0] = (unsigned char) type;
    hdr[1] = (unsigned char) (len >> 24);
    hdr[2] = (unsigned char) (len >> 16);
    hdr[3] = (unsigned char) (len >> 8);
    hdr[4] = (unsigned char) len;
    if (vstream_write(fp, hdr, sizeof(hdr)) != VSTREAM_OK
	|| (len > 0 && vstream_write(fp, data, len) != VSTREAM_OK))
	return (REC_TYPE_ERROR);
    return (type);
}

/* rec_reason - store a reason when the caller wants one */

static int PRINTFLIKE(2, 3)
rec_reason(struct vstr *why, const char *fmt,...)
{
    va_list ap;

    if (why != 0) {
	vstr_reset(why);
	va_start(ap, fmt);
	vstr_vsprintf_append(why, fmt, ap);
	va_end(ap);
    }
    return (REC_TYPE_ERROR);
}

/* rec_io_reason - name a stream failure */

static const char *
rec_io_reason(int status)
{
    switch (status) {
    case VSTREAM_EOF:
	return ("premature end of file");
    case VSTREAM_TIMEOUT:
	return ("timeout");
    default:
	return ("read error");
    }
}

/* rec_get_why - read one record, reason in why */

int
rec_get_why(struct vstream *fp, struct vstr *buf, size_t maxlen,
	            struct vstr *why)
{
    unsigned char lbuf[REC_HDR_LEN - 1];
    unsigned long len;
    int     type;
    int     st;

    vstr_reset(buf);
    if ((type = vstream_getc(fp)) == VSTREAM_EOF)
	return (REC_TYPE_EOF);
    if (type < 0)
	return (rec_reason(why, "record type: %s", rec_io_reason(type)));
    if (!rec_type_ok(type))
	return (rec_reason(why, "unknown record type 0x%02x", type));
    if ((st = vstream_read_exact(fp, lbuf, sizeof(lbuf))) != VSTREAM_OK)
	return (rec_reason(why, "%s record length: %s",
			   rec_type_name(type), rec_io_reason(st)));
    len = ((unsigned long) lbuf[0] << 24) | ((unsigned long) lbuf[1] << 16)
	| ((unsigned long) lbuf[2] << 8) | (unsigned long) lbuf[3];
    if (len > maxlen || len > REC_DATA_MAX)
	return (rec_reason(why, "%s record length %lu exceeds limit %lu",
			   rec_type_name(type), len, (unsigned long)
			   (maxlen < REC_DATA_MAX ? maxlen : REC_DATA_MAX)));
    if (len > 0 && (st = vstream_read_vstr(fp, buf, len)) != VSTREAM_OK)
	return (rec_reason(why, "%s record data: %s",
			   rec_type_name(type), rec_io_reason(st)));
    return (type);
}

/* rec_get - read one record, log the reason for a failure */

int
rec_get(struct vstream *fp, struct vstr *buf, size_t maxlen)
{
    struct vstr *why = vstr_alloc(100);
    int     type;

    if ((type = rec_get_why(fp, buf, maxlen, why)) == REC_TYPE_ERROR)
	msg_warn("bad queue record: %s", vstr_str(why));
    vstr_free(why);
    return (type);
}
