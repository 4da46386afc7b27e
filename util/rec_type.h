/*
 * rec_type.h - the record types of a postern queue file.
 *
 * SYNOPSIS
 *	#include "rec_type.h"
 *
 *	int	rec_type_ok(int type);
 *	const char *rec_type_name(int type);
 *
 * DESCRIPTION
 *	A queue file is a sequence of records: a type byte, a 4-byte
 *	big-endian length and that many bytes of data (util/record.c). The
 *	types are printable letters so that a hex dump is readable. The
 *	order in which they may appear is enforced by util/queue_read.c and
 *	written down in docs/queue.md:
 *
 *	  V T Z [c] [a] [h] [p] [u] [f] [r] [i] S ([O] [n] (R|D))+ (M|B)
 *	  (L* N)* X E
 *
 *	REC_TYPE_RCPT and REC_TYPE_DONE differ in one byte only: a delivered
 *	recipient is marked by overwriting the type byte in place. So do
 *	REC_TYPE_MESG and REC_TYPE_MESG8: the writer turns M into B at
 *	commit to add QUEUE_FLAG_8BITMIME once the content is known.
 *
 *	rec_type_ok() is true for every type defined here and false for any
 *	other byte. rec_type_name() returns a short name for logging
 *	("unknown" for an unknown type).
 *
 * DIAGNOSTICS
 *	REC_TYPE_EOF and REC_TYPE_ERROR are not record types: rec_get()
 *	returns them for end of file and for a bad record.
 */
#ifndef REC_TYPE_H
#define REC_TYPE_H

#define REC_TYPE_EOF	(-1)		/* clean end of file */
#define REC_TYPE_ERROR	(-2)		/* truncated, too long, unknown, I/O */

 /*
  * Envelope, in this order.
  */
#define REC_TYPE_VERSION	'V'	/* magic and format version, first */
#define REC_TYPE_TIME		'T'	/* arrival "seconds.microseconds" */
#define REC_TYPE_SIZE		'Z'	/* content size, 20 digits, patched */
#define REC_TYPE_CLIENT_NAME	'c'	/* client host name */
#define REC_TYPE_CLIENT_ADDR	'a'	/* client IP address */
#define REC_TYPE_HELO		'h'	/* HELO/EHLO argument */
#define REC_TYPE_PROTOCOL	'p'	/* SMTP, ESMTP, ESMTPSA, local... */
#define REC_TYPE_SASL_USER	'u'	/* authenticated SASL user name */
#define REC_TYPE_FLAGS		'f'	/* QUEUE_FLAG_* bit mask, decimal */
#define REC_TYPE_DSN_RET	'r'	/* QUEUE_RET_FULL or QUEUE_RET_HDRS */
#define REC_TYPE_DSN_ENVID	'i'	/* DSN ENVID (decoded xtext) */
#define REC_TYPE_SENDER		'S'	/* envelope sender, may be empty */
#define REC_TYPE_DSN_ORCPT	'O'	/* ORCPT of the next recipient */
#define REC_TYPE_DSN_NOTIFY	'n'	/* NOTIFY mask of the next recipient */
#define REC_TYPE_RCPT		'R'	/* recipient still to deliver */
#define REC_TYPE_DONE		'D'	/* recipient finished (in place) */
#define REC_TYPE_MESG		'M'	/* end of envelope, content follows */
#define REC_TYPE_MESG8		'B'	/* same, and 8BITMIME set at commit */

 /*
  * Content and trailer.
  */
#define REC_TYPE_NORM		'N'	/* a line, or the last piece of one */
#define REC_TYPE_CONT		'L'	/* a piece of a line that continues */
#define REC_TYPE_XTRA		'X'	/* end of content */
#define REC_TYPE_END		'E'	/* end of file, nothing may follow */

#define REC_TYPE_ALL		"VTZcahpufriSOnRDMNLXEB"

extern int rec_type_ok(int);
extern const char *rec_type_name(int);

#endif
