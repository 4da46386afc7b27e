/*
 * cleanup_proto.h - the contract between a message source (smtpd, pickup,
 * qmgr's bounce generator) and the cleanup service.
 *
 * DESCRIPTION
 *	The client connects to queue_directory/private/cleanup (a UNIX
 *	stream socket), then:
 *
 *	1. cleanup -> client: attr_print_protocol(MAIL_PROTO_CLEANUP).
 *	2. client -> cleanup: one attribute list
 *		{ MAIL_ATTR_FLAGS = int CLEANUP_FLAG_* }.
 *	3. client -> cleanup: the message as a queue-file record stream,
 *	   exactly as queue_out_envelope() / queue_out_text() /
 *	   queue_out_finish() write it (util/queue_file.h, docs/queue.md):
 *	   envelope (arrival time, client info, helo, protocol, sasl user,
 *	   flags, DSN ret/envid, sender, recipients with ORCPT/NOTIFY),
 *	   then the content lines. A source that adds a Received: header
 *	   (smtpd) sends it as the first content line(s).
 *	4. cleanup -> client: one attribute list
 *		{ MAIL_ATTR_STATUS = int MAIL_STAT_OK / _DEFER / _REJECT,
 *		  MAIL_ATTR_QUEUEID = str (the new queue ID, "" on error),
 *		  MAIL_ATTR_WHY = str ("" on success, else an enhanced status
 *		  code and text, e.g. "5.4.0 Error: too many hops") }.
 *
 *	cleanup reads the record stream as hostile input (the same reader
 *	as for queue files), rewrites and checks it, writes the queue file
 *	in incoming/, commits it (fsync file, rename, fsync directory), and
 *	only then sends MAIL_STAT_OK with the queue ID. After replying it
 *	pokes qmgr (public/qmgr trigger, MASTER_TRIGGER_WAKEUP); failure
 *	to poke is harmless (qmgr also scans).
 *
 *	A client that gives up in the middle (client vanished, size limit,
 *	smuggling attempt) just closes the connection: cleanup sees a
 *	truncated stream and removes its temporary file. If cleanup dies or
 *	the connection breaks before step 4, the client must answer its own
 *	client with 451 4.3.0 (local trouble, never a 5xx).
 *
 *	MAIL_STAT_DEFER means local trouble (disk full, cleanup's tables
 *	unavailable): SMTP 451 + WHY. MAIL_STAT_REJECT means the message
 *	itself is refused (hop count, header size, content): SMTP 554 or
 *	552 + WHY (552 when WHY starts with "5.3.4").
 */
#ifndef CLEANUP_PROTO_H
#define CLEANUP_PROTO_H

#define CLEANUP_FLAG_NONE	0
#define CLEANUP_FLAG_LOCAL	(1<<0)	/* local submission: add From: */
#define CLEANUP_FLAG_BOUNCE	(1<<1)	/* a bounce made by qmgr */
#define CLEANUP_FLAG_HOLD	(1<<2)	/* put the file in hold/ */
#define CLEANUP_FLAG_NOREWRITE	(1<<3)	/* no canonical/virtual rewriting */

#define CLEANUP_SOCKET	"private/cleanup"
#define QMGR_TRIGGER	"public/qmgr"

#endif
