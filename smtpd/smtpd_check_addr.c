/*
 * smtpd_check_addr.c - the relay decision: where does an address really
 * go, which domains are ours, and the address and hostname syntax
 * checks (reject_unauth_destination, reject_non_fqdn_*,
 * reject_invalid_helo_hostname).
 *
 * The resolver is deliberately paranoid (SECURITY-CASES F1): quotes and
 * backslashes are removed before the domain is found, a local domain is
 * stripped and the local part looked at again, '%' and '!' routing is
 * honoured, so "user@remote"@local, user%remote@local, remote!user@local
 * and user@remote@local all resolve to remote and are refused as relay
 * attempts. Sender-specified routing into relay_domains is refused too
 * (Postfix allow_untrusted_routing=no).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <string.h>
#include <strings.h>

#include "smtpd_check.h"
#include "smtpd_check_int.h"
#include "dict.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "msg.h"

#define SMTPD_RESOLVE_DEPTH	10	/* routing hops we unwrap */
#define SMTPD_DLIST_EXACT	0
#define SMTPD_DLIST_SUB		1	/* ".example.com" */
#define SMTPD_DLIST_TABLE	2

struct smtpd_check_delem {
    int     kind;
    int     negate;
    char   *pattern;			/* lowercase domain */
    struct maps *maps;			/* SMTPD_DLIST_TABLE */
};

struct smtpd_check_dlist {
    char   *title;
    struct smtpd_check_delem *v;
    int     count;
};

static void smtpd_check_domain_norm(struct vstr *, const char *);
static int smtpd_check_literal(const char *, size_t);
static int smtpd_check_routed(const char *);
static const char *smtpd_check_addr_domain(const char *);

/* smtpd_check_domain_norm - lowercase, one trailing dot removed */

static void
smtpd_check_domain_norm(struct vstr *out, const char *domain)
{
    vstr_strcpy(out, domain);
    vstr_lower(out);
    if (vstr_len(out) > 1 && vstr_str(out)[vstr_len(out) - 1] == '.')
	vstr_truncate(out, vstr_len(out) - 1);
}

/* smtpd_check_dlist_create - parse a domain list; fatal on errors */

struct smtpd_check_dlist *
smtpd_check_dlist_create(const char *title, const char *list)
{
    struct smtpd_check_dlist *dl = mycalloc(1, sizeof(*dl));
    struct vstr *tok = vstr_alloc(64);
    struct vstr *why = vstr_alloc(64);
    struct smtpd_check_delem *el;
    const char *cp = list;
    const char *pat;
    int     cap = 0;
    int     st;

    dl->title = mystrdup(title);
    while ((st = dict_list_token(&cp, tok, why)) > 0) {
	if (dl->count >= cap) {
	    cap = cap ? 2 * cap : 8;
	    dl->v = myrealloc(dl->v, cap * sizeof(*dl->v));
	}
	el = dl->v + dl->count++;
	memset(el, 0, sizeof(*el));
	pat = vstr_str(tok);
	if ((el->negate = (*pat == '!')) != 0)
	    pat++;
	if (*pat == 0)
	    msg_fatal("%s: empty element", title);
	if (*pat != '[' && strchr(pat, ':') != 0) {
	    el->kind = SMTPD_DLIST_TABLE;
	    el->maps = smtpd_check_maps_open(title, pat);
	    continue;
	}
	el->kind = (*pat == '.') ? SMTPD_DLIST_SUB : SMTPD_DLIST_EXACT;
	smtpd_check_domain_norm(why, pat);
	el->pattern = mystrdup(vstr_str(why));
    }
    if (st < 0)
	msg_fatal("%s: %s", title, vstr_str(why));
    vstr_free(tok);
    vstr_free(why);
    return (dl);
}

/* smtpd_check_dlist_match - 1 match, 0 no match, -1 table error */

int
smtpd_check_dlist_match(struct smtpd_check_dlist *dl, const char *domain)
{
    struct vstr *dom = vstr_alloc(64);
    struct vstr *val = vstr_alloc(64);
    size_t  dlen, plen;
    int     i, hit = 0, st = 0;

    smtpd_check_domain_norm(dom, domain);
    dlen = vstr_len(dom);
    for (i = 0; dl && i < dl->count && dlen > 0; i++) {
	struct smtpd_check_delem *el = dl->v + i;

	if (el->kind == SMTPD_DLIST_EXACT) {
	    hit = (strcmp(el->pattern, vstr_str(dom)) == 0);
	} else if (el->kind == SMTPD_DLIST_SUB) {
	    plen = strlen(el->pattern);
	    hit = (dlen > plen
		   && strcmp(vstr_str(dom) + dlen - plen, el->pattern) == 0);
	} else if ((hit = maps_find(el->maps, vstr_str(dom), val)) < 0) {
	    msg_warn("%s: lookup of \"%.100s\": %s", dl->title,
		     vstr_str(dom), maps_reason(el->maps));
	    st = -1;
	    break;
	}
	if (hit) {
	    st = el->negate ? 0 : 1;
	    break;
	}
    }
    vstr_free(dom);
    vstr_free(val);
    return (st);
}

/* smtpd_check_dlist_free - release a domain list */

void
smtpd_check_dlist_free(struct smtpd_check_dlist *dl)
{
    int     i;

    if (dl == 0)
	return;
    for (i = 0; i < dl->count; i++) {
	if (dl->v[i].pattern)
	    myfree(dl->v[i].pattern);
	if (dl->v[i].maps)
	    maps_free(dl->v[i].maps);
    }
    if (dl->v)
	myfree(dl->v);
    myfree(dl->title);
    myfree(dl);
}

/* smtpd_check_our_addrs - our own IP addresses, for [literal] domains */

struct cidr_match *
smtpd_check_our_addrs(const char *interfaces)
{
    struct vstr *list = vstr_alloc(100);
    struct vstr *why = vstr_alloc(100);
    struct cidr_match *cm;
    struct ifaddrs *ifa, *ifp;
    char    buf[INET6_ADDRSTRLEN];

    if (strcasecmp(interfaces, "all") == 0) {
	if (getifaddrs(&ifa) < 0) {
	    msg_warn("getifaddrs: %m; only loopback literals are ours");
	    vstr_strcpy(list, "127.0.0.1 ::1");
	} else {
	    for (ifp = ifa; ifp; ifp = ifp->ifa_next) {
		const void *ap = 0;

		if (ifp->ifa_addr == 0)
		    continue;
		if (ifp->ifa_addr->sa_family == AF_INET)
		    ap = &((struct sockaddr_in *) ifp->ifa_addr)->sin_addr;
		else if (ifp->ifa_addr->sa_family == AF_INET6)
		    ap = &((struct sockaddr_in6 *) ifp->ifa_addr)->sin6_addr;
		if (ap && inet_ntop(ifp->ifa_addr->sa_family, ap, buf,
				    sizeof(buf)) != 0)
		    vstr_sprintf_append(list, " %s", buf);
	    }
	    freeifaddrs(ifa);
	}
    } else {
	vstr_strcpy(list, interfaces);
	/* Names are not resolved here; the two Postfix aliases are. */
	if (strstr(interfaces, "loopback-only") || strstr(interfaces, "localhost"))
	    vstr_strcpy(list, "127.0.0.1 ::1");
    }
    if ((cm = cidr_match_create(vstr_str(list), why)) == 0) {
	msg_warn("inet_interfaces: %s; address literals are not ours",
		 vstr_str(why));
	cm = cidr_match_create("", why);
    }
    vstr_free(list);
    vstr_free(why);
    return (cm);
}

/* smtpd_check_literal - is "[addr]" (len bytes) a literal of ours? */

static int
smtpd_check_literal(const char *dom, size_t len)
{
    char    buf[64];

    if (len < 3 || len - 2 >= sizeof(buf) || dom[len - 1] != ']')
	return (0);
    memcpy(buf, dom + 1, len - 2);
    buf[len - 2] = 0;
    if (strncasecmp(buf, "ipv6:", 5) == 0)
	return (strchr(buf + 5, ':') != 0
		&& cidr_match_addr(smtpd_check_cfg.our_addrs, buf + 5));
    return (strchr(buf, ':') == 0
	    && cidr_match_addr(smtpd_check_cfg.our_addrs, buf));
}

/* smtpd_check_domain_class - which of our domain classes, if any */

int
smtpd_check_domain_class(const char *domain)
{
    static const struct {
	int     which;
	int     class;
    }       order[] = {
	{0, SMTPD_CHECK_CLASS_LOCAL},
	{1, SMTPD_CHECK_CLASS_VALIAS},
	{2, SMTPD_CHECK_CLASS_VMBOX},
	{3, SMTPD_CHECK_CLASS_RELAY},
    };
    struct smtpd_check_dlist *lists[4];
    size_t  i;
    int     st;

    if (*domain == '[' && smtpd_check_literal(domain, strlen(domain)))
	return (SMTPD_CHECK_CLASS_LOCAL);
    lists[0] = smtpd_check_cfg.mydest;
    lists[1] = smtpd_check_cfg.valias_domains;
    lists[2] = smtpd_check_cfg.vmbox_domains;
    lists[3] = smtpd_check_cfg.relay_domains;
    for (i = 0; i < ARRAY_LEN(order); i++) {
	if ((st = smtpd_check_dlist_match(lists[order[i].which], domain)) < 0)
	    return (SMTPD_CHECK_CLASS_ERROR);
	if (st > 0)
	    return (order[i].class);
    }
    return (SMTPD_CHECK_CLASS_REMOTE);
}

/* smtpd_check_addr_init - empty result */

void
smtpd_check_addr_init(struct smtpd_check_addr *res)
{
    res->class = SMTPD_CHECK_CLASS_REMOTE;
    res->routed = 0;
    res->local = vstr_alloc(64);
    res->domain = vstr_alloc(64);
    res->work = vstr_alloc(64);
}

/* smtpd_check_addr_free - release a result */

void
smtpd_check_addr_free(struct smtpd_check_addr *res)
{
    vstr_free(res->local);
    vstr_free(res->domain);
    vstr_free(res->work);
}

/* smtpd_check_routed - does a local part hold routing characters? */

static int
smtpd_check_routed(const char *local)
{
    return (strpbrk(local, "@%!") != 0);
}

/* smtpd_check_resolve - where does this address really go? */

int
smtpd_check_resolve(const char *addr, struct smtpd_check_addr *res)
{
    const char *cp = addr;
    char   *work, *at, *mark;
    int     n;

    res->routed = 0;
    vstr_reset(res->local);
    vstr_reset(res->domain);
    res->class = SMTPD_CHECK_CLASS_REMOTE;
    if (strlen(addr) > SMTPD_CHECK_ADDR_MAX) {
	res->routed = 1;
	return (res->class);
    }
    /* RFC 5321 4.1.1.3: a source route is ignored. */
    if (*cp == '@' && (mark = strchr(cp, ':')) != 0)
	cp = mark + 1;
    /* Dequote: "safe instead of correct". */
    vstr_reset(res->work);
    for (; *cp; cp++) {
	if (*cp == '"')
	    continue;
	if (*cp == '\\' && cp[1])
	    cp++;
	vstr_addch(res->work, *cp);
    }
    work = vstr_str(res->work);
    for (n = 0; n < SMTPD_RESOLVE_DEPTH; n++) {
	if ((at = strrchr(work, '@')) != 0) {
	    *at = 0;
	    smtpd_check_domain_norm(res->domain, at + 1);
	    vstr_strcpy(res->local, work);
	    if (vstr_len(res->domain) == 0 || *vstr_str(res->domain) == '.')
		return (res->class = SMTPD_CHECK_CLASS_REMOTE);
	    res->class = smtpd_check_domain_class(vstr_str(res->domain));
	    if (res->class != SMTPD_CHECK_CLASS_LOCAL
		|| !smtpd_check_routed(work)) {
		if (smtpd_check_routed(work))
		    res->routed = 1;
		return (res->class);
	    }
	    res->routed = 1;			/* strip the local domain */
	} else if ((mark = strrchr(work, '%')) != 0) {
	    *mark = '@';			/* user%domain */
	    res->routed = 1;
	} else if ((mark = strchr(work, '!')) != 0) {
	    struct vstr *tmp = vstr_alloc(64);	/* site!user -> user@site */

	    *mark = 0;
	    vstr_sprintf(tmp, "%s@%s", mark + 1, work);
	    vstr_strcpy(res->work, vstr_str(tmp));
	    work = vstr_str(res->work);
	    vstr_free(tmp);
	    res->routed = 1;
	} else {
	    vstr_strcpy(res->local, work);	/* bare local part */
	    vstr_reset(res->domain);
	    return (res->class = SMTPD_CHECK_CLASS_LOCAL);
	}
    }
    res->routed = 1;
    return (res->class = SMTPD_CHECK_CLASS_REMOTE);
}

/* smtpd_check_addr_domain - domain after the last '@' outside quotes */

static const char *
smtpd_check_addr_domain(const char *addr)
{
    const char *at = 0;
    const char *cp;
    int     quoted = 0;

    for (cp = addr; *cp; cp++) {
	if (*cp == '\\' && cp[1])
	    cp++;
	else if (*cp == '"')
	    quoted = !quoted;
	else if (*cp == '@' && !quoted)
	    at = cp;
    }
    return (at ? at + 1 : 0);
}

/* smtpd_check_hostname - RFC 1035 name or address literal syntax */

int
smtpd_check_hostname(const char *name, int flags)
{
    unsigned char bin[16];
    char    buf[64];
    size_t  len = strlen(name);
    size_t  label = 0;
    int     dots = 0, alpha = 0;
    const char *cp;

    if (len == 0 || len > 255)
	return (0);
    if (*name == '[') {
	if (!(flags & SMTPD_CHECK_HOST_LITERAL) || name[len - 1] != ']'
	    || len - 2 >= sizeof(buf) || len < 3)
	    return (0);
	memcpy(buf, name + 1, len - 2);
	buf[len - 2] = 0;
	if (strncasecmp(buf, "ipv6:", 5) == 0)
	    return (inet_pton(AF_INET6, buf + 5, bin) == 1);
	return (inet_pton(AF_INET, buf, bin) == 1);
    }
    if (name[len - 1] == '.')
	len--;
    for (cp = name; cp < name + len; cp++) {
	unsigned char ch = (unsigned char) *cp;

	if (ch == '.') {
	    if (label == 0 || cp[-1] == '-')
		return (0);
	    dots++;
	    label = 0;
	    alpha = 0;
	    continue;
	}
	if (++label > 63)
	    return (0);
	if (isalpha(ch) || ch == '_' || (ch >= 0x80 && (flags & SMTPD_CHECK_HOST_UTF8)))
	    alpha = 1;
	else if (ch == '-' && label > 1)
	    alpha = 1;
	else if (!isdigit(ch))
	    return (0);
    }
    /* No empty last label, no trailing '-', no all-numeric TLD. */
    if (label == 0 || cp[-1] == '-' || !alpha)
	return (0);
    return (!(flags & SMTPD_CHECK_HOST_FQDN) || dots > 0);
}

/* smtpd_check_unauth_dest - reject/defer/permit _unauth_destination */

int
smtpd_check_unauth_dest(struct smtpd_check_ctx *ctx, int op)
{
    struct smtpd_check_addr res;
    int     class, ok;

    if (ctx->rcpt == 0)
	return (SMTPD_CHECK_DUNNO);
    smtpd_check_addr_init(&res);
    class = smtpd_check_resolve(ctx->rcpt, &res);
    ok = (class == SMTPD_CHECK_CLASS_LOCAL || class == SMTPD_CHECK_CLASS_VALIAS
	  || class == SMTPD_CHECK_CLASS_VMBOX
	  || (class == SMTPD_CHECK_CLASS_RELAY && !res.routed));
    smtpd_check_addr_free(&res);
    if (class == SMTPD_CHECK_CLASS_ERROR)
	return (smtpd_check_reject(ctx, 451, "4.3.0", ctx->rcpt, 0,
				   "Temporary lookup failure"));
    if (op == SMTPD_OP_PERMIT_AUTH_DEST)
	return (ok ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO);
    if (ok)
	return (SMTPD_CHECK_DUNNO);
    if (op == SMTPD_OP_DEFER_UNAUTH_DEST)
	return (smtpd_check_reject(ctx, 450, "4.7.1", ctx->rcpt, 0,
				   "Relay access denied"));
    return (smtpd_check_reject(ctx, var_relay_code,
			       var_relay_code / 100 == 4 ? "4.7.1" : "5.7.1",
			       ctx->rcpt, 0, "Relay access denied"));
}

/* smtpd_check_non_fqdn - reject_non_fqdn_sender/_recipient */

int
smtpd_check_non_fqdn(struct smtpd_check_ctx *ctx, int op)
{
    const char *addr = (op == SMTPD_OP_REJECT_NON_FQDN_SENDER) ?
    ctx->sender : ctx->rcpt;
    const char *domain;

    if (addr == 0 || *addr == 0)		/* not yet, or null sender */
	return (SMTPD_CHECK_DUNNO);
    if ((domain = smtpd_check_addr_domain(addr)) != 0
	&& smtpd_check_hostname(domain, SMTPD_CHECK_HOST_LITERAL
			     | SMTPD_CHECK_HOST_FQDN | SMTPD_CHECK_HOST_UTF8))
	return (SMTPD_CHECK_DUNNO);
    return (smtpd_check_reject(ctx, 504, "5.5.2", addr,
			       op == SMTPD_OP_REJECT_NON_FQDN_SENDER ?
			       "Sender address" : "Recipient address",
			       "need fully-qualified address"));
}

/* smtpd_check_helo_name - reject_invalid/non_fqdn_helo_hostname */

int
smtpd_check_helo_name(struct smtpd_check_ctx *ctx, int op)
{
    const char *helo = ctx->helo;
    const char *dot;

    if (helo == 0)
	return (SMTPD_CHECK_DUNNO);
    if (op == SMTPD_OP_REJECT_INVALID_HELO) {
	if (smtpd_check_hostname(helo, SMTPD_CHECK_HOST_LITERAL
				 | SMTPD_CHECK_HOST_UTF8))
	    return (SMTPD_CHECK_DUNNO);
	return (smtpd_check_reject(ctx, 501, "5.5.2", helo, "Helo command",
				   "Invalid name"));
    }
    /* An address literal is fine; a trailing dot does not count. */
    dot = strchr(helo, '.');
    if (*helo == '[' || (dot != 0 && dot[1] != 0))
	return (SMTPD_CHECK_DUNNO);
    return (smtpd_check_reject(ctx, 504, "5.5.2", helo, "Helo command",
			       "need fully-qualified hostname"));
}
