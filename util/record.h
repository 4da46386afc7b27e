/*
 * record.h - typed, length-prefixed records on a stream.
 *
 * SYNOPSIS
 *	#include "record.h"
 *
 *	int	rec_put(struct vstream *fp, int type, const void *data,
 *			size_t len);
 *	int	rec_get(struct vstream *fp, struct vstr *buf, size_t maxlen);
 *	int	rec_get_why(struct vstream *fp, struct vstr *buf,
 *			size_t maxlen, struct vstr *why);
 *	size_t	REC_SIZE(size_t len);			(macro)
 *
 * DESCRIPTION
 *	A record is one type byte (rec_type.h), the data length as 4 bytes
 *	big-endian, then the data. The fixed-width header makes the offset
 *	of every record a simple sum (REC_SIZE), so a reader can report
 *	where a recipient record starts and the type byte can be rewritten
 *	in place.
 *
 *	rec_put() writes one record (buffered; the caller flushes). type
 *	must be a known type and len at most REC_DATA_MAX.
 *
 *	rec_get() replaces buf with the data of the next record and returns
 *	its type. rec_get_why() does the same but puts the reason for a
 *	failure in why (when not NULL) instead of logging it.
 *
 * DIAGNOSTICS
 *	rec_put() returns type, or REC_TYPE_ERROR when the stream fails
 *	(errno tells why, e.g. ENOSPC or EFBIG). A bad type or a length
 *	beyond REC_DATA_MAX is a caller bug: panic.
 *
 *	rec_get() returns REC_TYPE_EOF at a clean end of file (no byte of a
 *	new record), and REC_TYPE_ERROR with a logged reason for a
 *	truncated record, an unknown type, a length above maxlen (or
 *	REC_DATA_MAX), a read error or a timeout.
 *
 * SECURITY
 *	The length is checked against maxlen before any byte of data is
 *	read or any memory is allocated, so a record that claims 4 GiB costs
 *	nothing. Data is read in stream-buffer sized pieces; buf grows only
 *	as real bytes arrive. Record data may hold any byte including NUL;
 *	what a field may contain is checked one level up (queue_read.c).
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>

#include "vstr.h"
#include "vstream.h"
#include "rec_type.h"

#define REC_HDR_LEN	5		/* type byte + 4-byte length */
#define REC_DATA_MAX	65536		/* hard limit on any record's data */
#define REC_SIZE(len)	(REC_HDR_LEN + (size_t) (len))

extern int rec_put(struct vstream *, int, const void *, size_t);
extern int rec_get(struct vstream *, struct vstr *, size_t);
extern int rec_get_why(struct vstream *, struct vstr *, size_t, struct vstr *);

#endif
