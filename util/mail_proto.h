/*
 * mail_proto.h - names of postern's internal services, protocols and
 * attributes, declared once.
 *
 * SYNOPSIS
 *	#include "attr.h"
 *	#include "mail_proto.h"
 *
 * DESCRIPTION
 *	Services listen on UNIX sockets named after them under
 *	queue_directory/private/ (daemons only) or public/ (pickup,
 *	qmgr's trigger). On each new connection a server first announces
 *	its protocol: attr_print_protocol(fp, MAIL_PROTO_*); the client
 *	checks it with attr_scan_protocol() (attr_clnt does this).
 *
 *	Every attribute name on the wire is one MAIL_ATTR_* macro below;
 *	never write a name as a literal in a daemon. A name is 1..64
 *	bytes of [a-z0-9_] (attr_name_valid()). The type of each attribute
 *	is given in its comment and is fixed: a sender and its receiver
 *	must use the same SEND_ATTR_x / RECV_ATTR_x. To add one, see
 *	docs/ipc.md "Adding an attribute".
 *
 *	Requests that are dispatched by a handler table carry
 *	MAIL_ATTR_REQ with one of the MAIL_REQ_* values.
 *
 * SECURITY
 *	Names are constants; values are hostile input and are bounded by
 *	the receiver's struct attr_limits.
 */
#ifndef MAIL_PROTO_H
#define MAIL_PROTO_H

 /*
  * Service names: the socket file name and the master.cf service name.
  */
#define MAIL_SERVICE_CLEANUP	"cleanup"
#define MAIL_SERVICE_QMGR	"qmgr"
#define MAIL_SERVICE_LOCAL	"local"
#define MAIL_SERVICE_VIRTUAL	"virtual"
#define MAIL_SERVICE_SMTP	"smtp"
#define MAIL_SERVICE_LMTP	"lmtp"
#define MAIL_SERVICE_SMTPD	"smtpd"
#define MAIL_SERVICE_PICKUP	"pickup"
#define MAIL_SERVICE_BOUNCE	"bounce"
#define MAIL_SERVICE_DEFER	"defer"
#define MAIL_SERVICE_TRACE	"trace"
#define MAIL_SERVICE_FLUSH	"flush"
#define MAIL_SERVICE_MASTER	"master"
#define MAIL_SERVICE_PROXYMAP	"proxymap"

#define MAIL_CLASS_PRIVATE	"private"	/* queue_directory subdirs */
#define MAIL_CLASS_PUBLIC	"public"

 /*
  * Protocol announcements: the value of ATTR_NAME_PROTOCOL ("protocol")
  * sent first by each server. A change that breaks compatibility gets a
  * new name (suffix _v2), so that old and new never mix silently.
  */
#define MAIL_PROTO_CLEANUP	"cleanup_protocol"
#define MAIL_PROTO_QMGR		"qmgr_protocol"
#define MAIL_PROTO_DELIVER	"delivery_protocol"	/* local, smtp, ... */
#define MAIL_PROTO_BOUNCE	"bounce_protocol"
#define MAIL_PROTO_FLUSH	"flush_protocol"
#define MAIL_PROTO_MASTER	"master_protocol"
#define MAIL_PROTO_PROXYMAP	"proxymap_protocol"

 /*
  * Request dispatch (string MAIL_ATTR_REQ).
  */
#define MAIL_ATTR_REQ		"request"	/* str */
#define MAIL_REQ_DELIVER	"deliver"	/* qmgr -> delivery agent */
#define MAIL_REQ_BOUNCE_APPEND	"append"	/* to bounce/defer */
#define MAIL_REQ_BOUNCE_FLUSH	"flush"
#define MAIL_REQ_BOUNCE_WARN	"warn"
#define MAIL_REQ_FLUSH_SEND	"send"		/* flush a site */
#define MAIL_REQ_FLUSH_ALL	"flush_all"
#define MAIL_REQ_PROXY_LOOKUP	"lookup"		/* proxymap: one key */

 /*
  * Envelope and message.
  */
#define MAIL_ATTR_QUEUE		"queue_name"	/* str: incoming, active.. */
#define MAIL_ATTR_QUEUEID	"queue_id"	/* str: [0-9A-Za-z]{12,20} */
#define MAIL_ATTR_OFFSET	"offset"	/* long: record offset */
#define MAIL_ATTR_SIZE		"size"		/* long: message bytes */
#define MAIL_ATTR_TIME		"time"		/* long: arrival, epoch s */
#define MAIL_ATTR_SENDER	"sender"	/* str: may be "" */
#define MAIL_ATTR_RECIP		"recipient"	/* str */
#define MAIL_ATTR_ORCPT		"original_recipient"	/* str */
#define MAIL_ATTR_NRCPT		"nrcpt"		/* int */
#define MAIL_ATTR_RCPT_OFFSET	"recipient_offset"	/* long */
#define MAIL_ATTR_FLAGS		"flags"		/* int: MAIL_FLAG_* */
#define MAIL_ATTR_ENCODING	"encoding"	/* str: 7bit, 8bit, ... */
#define MAIL_ATTR_SMTPUTF8	"smtputf8"	/* int: 0/1 */
#define MAIL_ATTR_NEXTHOP	"nexthop"	/* str: domain or [host]:port */
#define MAIL_ATTR_TRANSPORT	"transport"	/* str */
#define MAIL_ATTR_RELAY		"relay"		/* str: host[addr]:port */
#define MAIL_ATTR_DELIVERED	"delivered_to"	/* str: loop detection */
#define MAIL_ATTR_USER		"user"		/* str: local recipient */
#define MAIL_ATTR_EXTENSION	"extension"	/* str: address extension */
#define MAIL_ATTR_DATA		"data"		/* data: opaque bytes */
#define MAIL_ATTR_RECORD	"record"	/* data: one queue record */
#define MAIL_ATTR_TABLE		"table"		/* str: type:name (proxymap) */
#define MAIL_ATTR_KEY		"key"		/* str: lookup key (proxymap) */
#define MAIL_ATTR_VALUE		"value"		/* str: lookup result (proxymap) */

 /*
  * Client information (smtpd -> cleanup, for Received: and logging).
  */
#define MAIL_ATTR_CLIENT_NAME	"client_name"	/* str */
#define MAIL_ATTR_CLIENT_ADDR	"client_address"	/* str */
#define MAIL_ATTR_CLIENT_PORT	"client_port"	/* int */
#define MAIL_ATTR_HELO_NAME	"helo_name"	/* str */
#define MAIL_ATTR_PROTO_NAME	"protocol_name"	/* str: SMTP, ESMTPSA.. */
#define MAIL_ATTR_SASL_USER	"sasl_username"	/* str */
#define MAIL_ATTR_TLS_PROTO	"tls_protocol"	/* str */
#define MAIL_ATTR_TLS_CIPHER	"tls_cipher"	/* str */

 /*
  * Delivery status and DSN (delivery agent -> qmgr, qmgr -> bounce).
  */
#define MAIL_ATTR_STATUS	"status"	/* int: MAIL_STAT_* */
#define MAIL_ATTR_WHY		"reason"	/* str: human text */
#define MAIL_ATTR_DSN_STATUS	"dsn_status"	/* str: X.Y.Z */
#define MAIL_ATTR_DSN_ACTION	"dsn_action"	/* str: delivered, failed.. */
#define MAIL_ATTR_DSN_DTYPE	"dsn_diag_type"	/* str: smtp */
#define MAIL_ATTR_DSN_DTEXT	"dsn_diag_text"	/* str: remote reply */
#define MAIL_ATTR_DSN_MTYPE	"dsn_mta_type"	/* str: dns */
#define MAIL_ATTR_DSN_MNAME	"dsn_mta_name"	/* str */
#define MAIL_ATTR_DSN_ENVID	"dsn_envid"	/* str: ENVID= */
#define MAIL_ATTR_DSN_RET	"dsn_ret"	/* int: MAIL_DSN_RET_* */
#define MAIL_ATTR_DSN_NOTIFY	"dsn_notify"	/* int: MAIL_DSN_NOTIFY_* */
#define MAIL_ATTR_DSN_ORCPT	"dsn_orig_rcpt"	/* str: ORCPT= */
#define MAIL_ATTR_DELAY		"delay"		/* long: ms in queue */

 /*
  * Values of MAIL_ATTR_STATUS: the result of a request.
  */
#define MAIL_STAT_OK		0	/* done */
#define MAIL_STAT_DEFER		1	/* temporary failure, retry */
#define MAIL_STAT_BOUNCE	2	/* permanent failure */
#define MAIL_STAT_REJECT	3	/* refused (cleanup: content) */
#define MAIL_STAT_ERROR		4	/* local trouble: retry later */

 /*
  * proxymap lookup status (MAIL_ATTR_STATUS of a "lookup" reply).
  */
#define MAIL_PROXY_FOUND	0	/* value holds the result */
#define MAIL_PROXY_NOTFOUND	1
#define MAIL_PROXY_ERROR	2	/* table error or table refused */

 /*
  * Values of MAIL_ATTR_FLAGS (a bit mask).
  */
#define MAIL_FLAG_NONE		0
#define MAIL_FLAG_BOUNCE	(1<<0)	/* this is a bounce message */
#define MAIL_FLAG_8BITMIME	(1<<1)
#define MAIL_FLAG_SMTPUTF8	(1<<2)
#define MAIL_FLAG_HOLD		(1<<3)	/* put in hold/ */
#define MAIL_FLAG_VERBOSE	(1<<4)

 /*
  * DSN values.
  */
#define MAIL_DSN_RET_FULL	1
#define MAIL_DSN_RET_HDRS	2
#define MAIL_DSN_NOTIFY_NEVER	(1<<0)
#define MAIL_DSN_NOTIFY_SUCCESS	(1<<1)
#define MAIL_DSN_NOTIFY_FAILURE	(1<<2)
#define MAIL_DSN_NOTIFY_DELAY	(1<<3)

#endif
