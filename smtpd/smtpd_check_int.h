/*
 * smtpd_check_int.h - internal interfaces between the smtpd_check*.c
 * files (restriction lists, access tables, the relay decision,
 * recipient validation). Not for use outside smtpd_check*.c and their
 * unit tests.
 *
 * SYNOPSIS
 *	#include "smtpd_check_int.h"
 *
 *	smtpd_check.c (configuration, public entry points):
 *	struct maps *smtpd_check_maps_open(const char *title,
 *			const char *list);
 *	int	smtpd_check_reject(struct smtpd_check_ctx *ctx, int code,
 *			const char *dsn, const char *what,
 *			const char *class, const char *fmt, ...);
 *	const char *smtpd_check_client_what(struct smtpd_check_ctx *ctx);
 *
 *	smtpd_check_list.c (restriction lists):
 *	void	smtpd_check_list_parse(struct smtpd_check_list *list,
 *			const char *name, const char *value);
 *	int	smtpd_check_list_eval(struct smtpd_check_ctx *ctx,
 *			const struct smtpd_check_list *list);
 *	int	smtpd_check_list_guarded(const struct smtpd_check_list *list);
 *	int	smtpd_check_word_eval(struct smtpd_check_ctx *ctx,
 *			const char *words);
 *	void	smtpd_check_list_free(struct smtpd_check_list *list);
 *
 *	smtpd_check_access.c (check_*_access):
 *	int	smtpd_check_access(struct smtpd_check_ctx *ctx,
 *			struct maps *maps, int kind);
 *
 *	smtpd_check_addr.c (addresses and domains):
 *	struct smtpd_check_dlist *smtpd_check_dlist_create(
 *			const char *title, const char *list);
 *	int	smtpd_check_dlist_match(struct smtpd_check_dlist *dl,
 *			const char *domain);
 *	void	smtpd_check_dlist_free(struct smtpd_check_dlist *dl);
 *	struct cidr_match *smtpd_check_our_addrs(const char *interfaces);
 *	void	smtpd_check_addr_init(struct smtpd_check_addr *res);
 *	void	smtpd_check_addr_free(struct smtpd_check_addr *res);
 *	int	smtpd_check_resolve(const char *addr,
 *			struct smtpd_check_addr *res);
 *	int	smtpd_check_domain_class(const char *domain);
 *	int	smtpd_check_hostname(const char *name, int flags);
 *	int	smtpd_check_unauth_dest(struct smtpd_check_ctx *ctx, int op);
 *	int	smtpd_check_non_fqdn(struct smtpd_check_ctx *ctx, int op);
 *	int	smtpd_check_helo_name(struct smtpd_check_ctx *ctx, int op);
 *
 *	smtpd_check_rcpt.c (recipient validation, DNS):
 *	int	smtpd_check_rcpt_maps(struct smtpd_check_ctx *ctx);
 *	int	smtpd_check_unknown_domain(struct smtpd_check_ctx *ctx,
 *			int op);
 *	int	smtpd_check_dns_init(void);
 *	int	(*smtpd_check_dns_hook)(const char *domain);
 *
 * DESCRIPTION
 *	A restriction returns SMTPD_CHECK_DUNNO (no decision: go on with
 *	the next one), SMTPD_CHECK_OK (permit: the current list ends) or
 *	SMTPD_CHECK_REJECT (ctx->reply holds the complete SMTP reply).
 *	smtpd_check_reject() formats "CODE DSN <what>: Class rejected:
 *	text" (or "CODE DSN <what>: text" when class is NULL) and returns
 *	SMTPD_CHECK_REJECT, or logs a warning and returns DUNNO after
 *	warn_if_reject.
 *
 *	smtpd_check_resolve() finds where an address really goes: the
 *	source route is dropped, quotes and backslashes are removed, then
 *	while the domain is local it is stripped and the local part is
 *	looked at again (user@remote@local, user%remote@local,
 *	remote!user@local: "safe instead of correct", Postfix's
 *	resolve_dequoted_address=yes). res->routed is set when the local
 *	part still holds '@', '%' or '!' or when a local domain was
 *	stripped. The result is an SMTPD_CHECK_CLASS_*.
 *
 *	smtpd_check_hostname() flags: SMTPD_CHECK_HOST_LITERAL (accept an
 *	address literal), SMTPD_CHECK_HOST_FQDN (require a dot),
 *	SMTPD_CHECK_HOST_UTF8 (accept bytes >= 0x80 in labels).
 *
 *	smtpd_check_dns_hook, when set (unit tests), replaces the DNS
 *	query of reject_unknown_*_domain; it returns SMTPD_CHECK_DNS_*.
 */
#ifndef SMTPD_CHECK_INT_H
#define SMTPD_CHECK_INT_H

#include "sys_defs.h"
#include "vstr.h"
#include "maps.h"
#include "cidr_match.h"
#include "smtpd.h"

#define SMTPD_CHECK_DUNNO	0
#define SMTPD_CHECK_OK		1
#define SMTPD_CHECK_REJECT	2

#define SMTPD_CHECK_CLASS_ERROR		(-1)	/* table lookup failed */
#define SMTPD_CHECK_CLASS_LOCAL		1	/* mydestination, [our IP] */
#define SMTPD_CHECK_CLASS_VALIAS	2	/* virtual_alias_domains */
#define SMTPD_CHECK_CLASS_VMBOX		3	/* virtual_mailbox_domains */
#define SMTPD_CHECK_CLASS_RELAY		4	/* relay_domains */
#define SMTPD_CHECK_CLASS_REMOTE	5	/* anything else */

#define SMTPD_CHECK_HOST_LITERAL	(1<<0)
#define SMTPD_CHECK_HOST_FQDN		(1<<1)
#define SMTPD_CHECK_HOST_UTF8		(1<<2)

#define SMTPD_CHECK_DNS_OK	0	/* MX, A or AAAA exists */
#define SMTPD_CHECK_DNS_NONE	1	/* no such domain or no record */
#define SMTPD_CHECK_DNS_TEMP	2	/* try again later */

 /*
  * Access table kinds (check_*_access).
  */
#define SMTPD_CHECK_ACL_CLIENT	1
#define SMTPD_CHECK_ACL_HELO	2
#define SMTPD_CHECK_ACL_SENDER	3
#define SMTPD_CHECK_ACL_RCPT	4

 /*
  * Restriction operators (smtpd_check_list.c has the keyword table).
  */
enum smtpd_check_op {
    SMTPD_OP_PERMIT = 1, SMTPD_OP_REJECT, SMTPD_OP_DEFER, SMTPD_OP_DUNNO,
    SMTPD_OP_WARN_IF_REJECT,
    SMTPD_OP_PERMIT_MYNETWORKS, SMTPD_OP_PERMIT_SASL,
    SMTPD_OP_REJECT_UNAUTH_DEST, SMTPD_OP_DEFER_UNAUTH_DEST,
    SMTPD_OP_PERMIT_AUTH_DEST,
    SMTPD_OP_REJECT_UNKNOWN_RCPT_DOMAIN, SMTPD_OP_REJECT_UNKNOWN_SENDER_DOMAIN,
    SMTPD_OP_REJECT_NON_FQDN_SENDER, SMTPD_OP_REJECT_NON_FQDN_RCPT,
    SMTPD_OP_REJECT_NON_FQDN_HELO, SMTPD_OP_REJECT_INVALID_HELO,
    SMTPD_OP_REJECT_UNAUTH_PIPELINING, SMTPD_OP_REJECT_UNLISTED_RCPT,
    SMTPD_OP_CHECK_CLIENT, SMTPD_OP_CHECK_HELO, SMTPD_OP_CHECK_SENDER,
    SMTPD_OP_CHECK_RCPT,
};

struct smtpd_check_rule {
    enum smtpd_check_op op;
    struct maps *maps;			/* check_*_access only */
};

struct smtpd_check_list {
    char   *name;			/* parameter name */
    struct smtpd_check_rule *v;
    int     count;
};

struct smtpd_check_dlist;

 /*
  * Everything smtpd_check_init() prepared; read-only afterwards.
  */
struct smtpd_check_cfg {
    struct smtpd_check_list client, helo, sender, relay, rcpt, data;
    struct cidr_match *mynetworks;
    struct cidr_match *our_addrs;	/* [literal] domains that are ours */
    struct smtpd_check_dlist *mydest, *valias_domains, *vmbox_domains;
    struct smtpd_check_dlist *relay_domains;
    struct maps *local_rcpt_maps, *valias_maps, *vmbox_maps;
    struct maps *relay_rcpt_maps;
    int     proxy_wrap;			/* open unix: tables as proxy: */
};

extern struct smtpd_check_cfg smtpd_check_cfg;

 /*
  * What is being checked now.
  */
struct smtpd_check_ctx {
    struct smtpd_state *state;
    const char *verb;			/* "CONNECT", "HELO", "MAIL", ... */
    const char *helo;			/* NULL: none yet */
    const char *sender;			/* NULL: no MAIL yet */
    const char *rcpt;			/* NULL: not at RCPT */
    const char *what;			/* default reply object */
    const char *class;			/* default reply class */
    struct vstr *reply;
    struct vstr *client_what;		/* "name[addr]" */
    int     warn;			/* warn_if_reject is pending */
    int     depth;			/* access table value nesting */
};

struct smtpd_check_addr {
    int     class;			/* SMTPD_CHECK_CLASS_* */
    int     routed;			/* sender-specified routing seen */
    struct vstr *local;			/* final local part */
    struct vstr *domain;		/* final domain, lowercase */
    struct vstr *work;			/* scratch */
};

 /*
  * smtpd_check.c
  */
extern struct maps *smtpd_check_maps_open(const char *, const char *);
extern int PRINTFLIKE(6, 7) smtpd_check_reject(struct smtpd_check_ctx *, int,
				          const char *, const char *,
					          const char *, const char *,...);
extern const char *smtpd_check_client_what(struct smtpd_check_ctx *);

 /*
  * smtpd_check_list.c
  */
extern void smtpd_check_list_parse(struct smtpd_check_list *, const char *,
				           const char *);
extern int smtpd_check_list_eval(struct smtpd_check_ctx *,
				         const struct smtpd_check_list *);
extern int smtpd_check_list_guarded(const struct smtpd_check_list *);
extern int smtpd_check_word_eval(struct smtpd_check_ctx *, const char *);
extern void smtpd_check_list_free(struct smtpd_check_list *);

 /*
  * smtpd_check_access.c
  */
extern int smtpd_check_access(struct smtpd_check_ctx *, struct maps *, int);

 /*
  * smtpd_check_addr.c
  */
extern struct smtpd_check_dlist *smtpd_check_dlist_create(const char *,
							          const char *);
extern int smtpd_check_dlist_match(struct smtpd_check_dlist *, const char *);
extern void smtpd_check_dlist_free(struct smtpd_check_dlist *);
extern struct cidr_match *smtpd_check_our_addrs(const char *);
extern void smtpd_check_addr_init(struct smtpd_check_addr *);
extern void smtpd_check_addr_free(struct smtpd_check_addr *);
extern int smtpd_check_resolve(const char *, struct smtpd_check_addr *);
extern int smtpd_check_domain_class(const char *);
extern int smtpd_check_hostname(const char *, int);
extern int smtpd_check_unauth_dest(struct smtpd_check_ctx *, int);
extern int smtpd_check_non_fqdn(struct smtpd_check_ctx *, int);
extern int smtpd_check_helo_name(struct smtpd_check_ctx *, int);

 /*
  * smtpd_check_rcpt.c
  */
extern int smtpd_check_rcpt_maps(struct smtpd_check_ctx *);
extern int smtpd_check_unknown_domain(struct smtpd_check_ctx *, int);
extern int smtpd_check_dns_init(void);
extern int (*smtpd_check_dns_hook) (const char *);

#endif
