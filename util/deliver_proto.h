/*
 * deliver_proto.h - the contract between qmgr and the delivery agents
 * (local, later smtp), the deferred-reason log, and qmgr's triggers.
 *
 * DESCRIPTION
 *	Delivery request. qmgr connects to queue_directory/private/TRANSPORT
 *	(the transport's unix service in master.cf: "local", later "smtp"),
 *	then:
 *
 *	1. agent -> qmgr: attr_print_protocol(MAIL_PROTO_DELIVER).
 *	2. qmgr -> agent: one attribute list, the request header:
 *		MAIL_ATTR_FLAGS	int	DEL_REQ_FLAG_*
 *		MAIL_ATTR_QUEUE	str	queue name ("active")
 *		MAIL_ATTR_QUEUEID	str	queue ID
 *		MAIL_ATTR_TIME	long	arrival time, epoch seconds
 *		DEL_ATTR_ARRIVAL_USEC long	arrival microseconds
 *		DEL_ATTR_ACTIVE_TIME long	when qmgr took it into active/,
 *					epoch milliseconds (delays=a/b split)
 *		DEL_ATTR_REQUEST_TIME long	when qmgr sent this request,
 *					epoch milliseconds
 *		MAIL_ATTR_SENDER	str	envelope sender ("" = null sender)
 *		MAIL_ATTR_NEXTHOP	str	next hop (local: the domain;
 *					smtp: domain or [host]:port)
 *		MAIL_ATTR_DSN_ENVID	str	"" when none
 *		MAIL_ATTR_DSN_RET	int	0, MAIL_DSN_RET_FULL or _HDRS
 *		MAIL_ATTR_SIZE	long	content size
 *		MAIL_ATTR_NRCPT	int	number of recipient lists that follow
 *					(1 .. DEL_REQ_RCPT_MAX)
 *	3. qmgr -> agent: NRCPT attribute lists, one per recipient:
 *		MAIL_ATTR_RECIP	str	the address to deliver to
 *		MAIL_ATTR_ORCPT	str	original recipient ("" when none)
 *		MAIL_ATTR_DSN_NOTIFY int	QUEUE_NOTIFY_* mask
 *		MAIL_ATTR_OFFSET	long	offset of its record in the
 *					queue file (identifies it)
 *	4. agent -> qmgr: NRCPT attribute lists, one per recipient, in the
 *	   order received:
 *		MAIL_ATTR_OFFSET	long	as in the request
 *		MAIL_ATTR_STATUS	int	MAIL_STAT_OK (delivered), _DEFER,
 *					_BOUNCE
 *		MAIL_ATTR_DSN_STATUS str	"2.0.0", "4.2.0", "5.1.1", ...
 *		MAIL_ATTR_RELAY	str	"local", "host[addr]:port", ...
 *		MAIL_ATTR_WHY	str	human text ("delivered to maildir",
 *					"unknown user: \"x\"", the remote
 *					server's reply, ...)
 *	   then one final list:
 *		MAIL_ATTR_STATUS	int	MAIL_STAT_OK when the agent handled
 *					the request; anything else, or a
 *					broken connection, means: every
 *					recipient without a result is
 *					deferred with reason "delivery
 *					agent failed", and the destination
 *					had a failure
 *		DEL_ATTR_SITE_FAIL int	optional (absent = 0, older agents):
 *					1 when the attempt failed at the
 *					site level: no transaction was
 *					possible with any address of the
 *					next hop (every address refused,
 *					timed out, greeted or EHLO'd with
 *					4xx, or failed the required TLS; a
 *					temporary DNS or routing failure).
 *					The recipients were deferred
 *					(their results say why); qmgr
 *					counts it as a failure of the
 *					destination (slow start down, dead
 *					after QMGR_DEAD_FAILURES in a row),
 *					as Postfix's site-level deferral.
 *					A server that talked and deferred
 *					recipients (4xx to MAIL or RCPT) is
 *					not a site failure.
 *
 *	The agent opens queue_directory/QUEUE/<hash>/QUEUEID itself, read
 *	only, and reads the content with the queue-file reader (hostile
 *	input). It never changes the queue file: qmgr marks recipients
 *	done (queue_mark_done) when a result is final (OK or BOUNCE),
 *	before anything else happens to the message.
 *
 *	The agent logs one line per recipient in the SPEC section 9 format:
 *	  QUEUEID: to=<rcpt>, orig_to=<orcpt>, relay=R, delay=D,
 *	    delays=a/b/c/d, dsn=X.Y.Z, status=sent|deferred|bounced (WHY)
 *	with a = ACTIVE_TIME - arrival, b = REQUEST_TIME - ACTIVE_TIME,
 *	c = connection setup (0 for local), d = the rest, in seconds with
 *	up to two decimals (Postfix's format), and delay = their sum.
 *	qmgr logs "from=<...>, size=N, nrcpt=N (queue active)", bounces
 *	("sender non-delivery notification: NEWID") and "removed".
 *
 *	Deferred-reason log. For a message with deferred recipients qmgr
 *	writes queue_directory/defer/<hash>/QUEUEID (same hashing as the
 *	queues), replacing it atomically (temp file + rename) after each
 *	attempt: a sequence of attribute lists (util/attr.h wire format),
 *	one per deferred recipient:
 *		MAIL_ATTR_RECIP str, MAIL_ATTR_ORCPT str,
 *		MAIL_ATTR_DSN_STATUS str, MAIL_ATTR_WHY str,
 *		MAIL_ATTR_TIME long (when it was deferred)
 *	followed by end of file. `postern queue` reads it to show each
 *	recipient's delay reason; it is removed with the message.
 *	The next attempt time of a deferred message is the mtime of its
 *	file in deferred/ (Postfix's convention); `postern flush` sets it to
 *	now and sends QMGR_REQ_FLUSH.
 *
 *	Triggers. Writing one of these bytes to queue_directory/public/qmgr
 *	asks qmgr to act (several bytes may arrive in one trigger):
 *		QMGR_REQ_WAKEUP 'W'	(master's wakeup timer, cleanup):
 *					scan incoming/
 *		QMGR_REQ_SCAN_INCOMING 'I'	scan incoming/
 *		QMGR_REQ_SCAN_DEFERRED 'D'	scan deferred/ for due files
 *		QMGR_REQ_FLUSH 'F'		treat every deferred file as due
 *					(and forget dead destinations)
 */
#ifndef DELIVER_PROTO_H
#define DELIVER_PROTO_H

#define DEL_REQ_FLAG_NONE	0
#define DEL_REQ_FLAG_BOUNCE	(1<<0)	/* message is a bounce (null sender) */

#define DEL_REQ_RCPT_MAX	1000	/* recipients per request */

#define DEL_ATTR_ARRIVAL_USEC	"arrival_usec"
#define DEL_ATTR_ACTIVE_TIME	"active_time_ms"
#define DEL_ATTR_REQUEST_TIME	"request_time_ms"
#define DEL_ATTR_SITE_FAIL	"site_fail"

#define QMGR_REQ_WAKEUP		'W'
#define QMGR_REQ_SCAN_INCOMING	'I'
#define QMGR_REQ_SCAN_DEFERRED	'D'
#define QMGR_REQ_FLUSH		'F'

#endif
