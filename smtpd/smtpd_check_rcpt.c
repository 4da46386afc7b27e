/*
 * smtpd_check_rcpt.c - recipient validation (does this user exist?) and
 * reject_unknown_sender_domain / reject_unknown_recipient_domain (does
 * this domain exist in DNS?).
 *
 * Validation follows Postfix (smtpd_reject_unlisted_recipient): an
 * address in virtual_alias_maps is always known; otherwise a local
 * domain's user must be in local_recipient_maps (when that is not
 * empty), a virtual mailbox domain's in virtual_mailbox_maps, a relay
 * domain's in relay_recipient_maps (when not empty). A table that
 * cannot be read gives 451 4.3.0, never a 5xx: a local fault must not
 * bounce mail. DNS uses res_nquery() on a resolver state read before
 * chroot (resolv.conf is not inside the chroot).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <string.h>

#include "smtpd_check_int.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "msg.h"

#define SMTPD_DNS_ANSWER_MAX	4096

int     (*smtpd_check_dns_hook) (const char *);

static struct __res_state smtpd_check_res;
static int smtpd_check_res_ok;

static int smtpd_check_dns_lookup(const char *);
static int smtpd_check_unknown_user(struct smtpd_check_ctx *, int,
				            const char *);

/* smtpd_check_dns_init - read resolv.conf now, before chroot */

int
smtpd_check_dns_init(void)
{
    if (smtpd_check_res_ok)
	return (0);
    memset(&smtpd_check_res, 0, sizeof(smtpd_check_res));
    if (res_ninit(&smtpd_check_res) != 0) {
	msg_warn("res_ninit failed: DNS domain checks will defer");
	return (-1);
    }
    smtpd_check_res_ok = 1;
    return (0);
}

/* smtpd_check_dns_lookup - MX, A or AAAA for the domain? */

static int
smtpd_check_dns_lookup(const char *domain)
{
    static const int types[] = {ns_t_mx, ns_t_a, ns_t_aaaa};
    unsigned char *answer;
    struct vstr *name;
    size_t  i;
    int     n, temp = 0, result = SMTPD_CHECK_DNS_NONE;

    if (smtpd_check_dns_hook)
	return (smtpd_check_dns_hook(domain));
    if (!smtpd_check_res_ok && smtpd_check_dns_init() < 0)
	return (SMTPD_CHECK_DNS_TEMP);
    answer = mymalloc(SMTPD_DNS_ANSWER_MAX);
    name = vstr_alloc(64);
    vstr_sprintf(name, "%s.", domain);		/* no search list */
    for (i = 0; i < ARRAY_LEN(types); i++) {
	n = res_nquery(&smtpd_check_res, vstr_str(name), ns_c_in, types[i],
		       answer, SMTPD_DNS_ANSWER_MAX);
	if (n >= NS_HFIXEDSZ && n <= SMTPD_DNS_ANSWER_MAX
	    && ((answer[6] << 8) | answer[7]) > 0) {
	    result = SMTPD_CHECK_DNS_OK;
	    break;
	}
	if (n >= 0)
	    continue;
	if (smtpd_check_res.res_h_errno == HOST_NOT_FOUND)
	    break;				/* NXDOMAIN: no other type */
	if (smtpd_check_res.res_h_errno != NO_DATA)
	    temp = 1;
    }
    if (result != SMTPD_CHECK_DNS_OK && temp)
	result = SMTPD_CHECK_DNS_TEMP;
    myfree(answer);
    vstr_free(name);
    return (result);
}

/* smtpd_check_unknown_domain - reject_unknown_{sender,recipient}_domain */

int
smtpd_check_unknown_domain(struct smtpd_check_ctx *ctx, int op)
{
    int     is_sender = (op == SMTPD_OP_REJECT_UNKNOWN_SENDER_DOMAIN);
    const char *addr = is_sender ? ctx->sender : ctx->rcpt;
    const char *class = is_sender ? "Sender address" : "Recipient address";
    struct smtpd_check_addr res;
    int     dclass, dns = SMTPD_CHECK_DNS_OK, code;
    char    dsn[8];

    if (addr == 0 || *addr == 0 || var_disable_dns_lookups)
	return (SMTPD_CHECK_DUNNO);
    smtpd_check_addr_init(&res);
    dclass = smtpd_check_resolve(addr, &res);
    if (dclass == SMTPD_CHECK_CLASS_REMOTE && *vstr_str(res.domain) != '[') {
	if (!smtpd_check_hostname(vstr_str(res.domain),
				  SMTPD_CHECK_HOST_FQDN | SMTPD_CHECK_HOST_UTF8))
	    dns = SMTPD_CHECK_DNS_NONE;
	else
	    dns = smtpd_check_dns_lookup(vstr_str(res.domain));
    }
    smtpd_check_addr_free(&res);
    if (dclass == SMTPD_CHECK_CLASS_ERROR)
	return (smtpd_check_reject(ctx, 451, "4.3.0", addr, 0,
				   "Temporary lookup failure"));
    if (dns == SMTPD_CHECK_DNS_OK)
	return (SMTPD_CHECK_DUNNO);
    code = (dns == SMTPD_CHECK_DNS_TEMP) ? 450 : var_unk_addr_code;
    snprintf(dsn, sizeof(dsn), "%c.1.%c", code / 100 == 4 ? '4' : '5',
	     is_sender ? '8' : '2');
    return (smtpd_check_reject(ctx, code, dsn, addr, class,
			       "Domain not found"));
}

/* smtpd_check_unknown_user - the 550 5.1.1 reply */

static int
smtpd_check_unknown_user(struct smtpd_check_ctx *ctx, int code,
			         const char *table)
{
    return (smtpd_check_reject(ctx, code, code / 100 == 4 ? "4.1.1" : "5.1.1",
			       ctx->rcpt, "Recipient address",
			       "User unknown in %s table", table));
}

/* smtpd_check_rcpt_maps - does the recipient exist? */

int
smtpd_check_rcpt_maps(struct smtpd_check_ctx *ctx)
{
    struct smtpd_check_cfg *cfg = &smtpd_check_cfg;
    struct smtpd_check_addr res;
    struct vstr *addr = vstr_alloc(64);
    struct vstr *val = vstr_alloc(64);
    const char *delim = var_recipient_delimiter;
    struct maps *maps = 0;
    int     class, st = DICT_NOTFOUND, result = SMTPD_CHECK_DUNNO;
    int     local;

    if (ctx->rcpt == 0)
	return (SMTPD_CHECK_DUNNO);
    smtpd_check_addr_init(&res);
    class = smtpd_check_resolve(ctx->rcpt, &res);
    local = (class == SMTPD_CHECK_CLASS_LOCAL) ? MAPS_ADDR_LOCAL : 0;
    vstr_strcpy(addr, vstr_str(res.local));
    if (vstr_len(res.domain))
	vstr_sprintf_append(addr, "@%s", vstr_str(res.domain));

    /* Any domain: a virtual alias makes the address known. */
    if (class != SMTPD_CHECK_CLASS_ERROR && maps_count(cfg->valias_maps) > 0)
	st = maps_find_addr(maps = cfg->valias_maps, vstr_str(addr), delim,
			    local, val);
    if (class == SMTPD_CHECK_CLASS_ERROR || st == DICT_ERROR) {
	result = smtpd_check_reject(ctx, 451, "4.3.0", ctx->rcpt, 0,
				    "Temporary lookup failure");
    } else if (st == DICT_NOTFOUND) {
	switch (class) {
	case SMTPD_CHECK_CLASS_LOCAL:
	    maps = cfg->local_rcpt_maps;
	    break;
	case SMTPD_CHECK_CLASS_VALIAS:
	    result = smtpd_check_unknown_user(ctx, 550, "virtual alias");
	    break;
	case SMTPD_CHECK_CLASS_VMBOX:
	    maps = cfg->vmbox_maps;
	    break;
	case SMTPD_CHECK_CLASS_RELAY:
	    maps = cfg->relay_rcpt_maps;
	    break;
	default:
	    break;
	}
	if (result == SMTPD_CHECK_DUNNO && maps && maps != cfg->valias_maps
	    && (maps_count(maps) > 0 || class == SMTPD_CHECK_CLASS_VMBOX)) {
	    st = maps_find_addr(maps, vstr_str(addr), delim, local, val);
	    if (st == DICT_ERROR)
		result = smtpd_check_reject(ctx, 451, "4.3.0", ctx->rcpt, 0,
					    "Temporary lookup failure");
	    else if (st == DICT_NOTFOUND)
		result = smtpd_check_unknown_user(ctx,
		       class == SMTPD_CHECK_CLASS_LOCAL ? var_unk_local_rcpt_code : 550,
			      class == SMTPD_CHECK_CLASS_LOCAL ? "local recipient" :
			      class == SMTPD_CHECK_CLASS_VMBOX ? "virtual mailbox" :
						   "relay recipient");
	}
    }
    smtpd_check_addr_free(&res);
    vstr_free(addr);
    vstr_free(val);
    return (result);
}
