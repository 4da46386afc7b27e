/*
 * qmgr_route.c - where a recipient goes: a transport (the master.cf
 * service under private/) and a next hop.
 *
 * In order: transport_maps (transport(5): the address, the domain,
 * ".parent" domains, then "*"; value "transport:nexthop", an empty part
 * keeps the default); a domain in mydestination or
 * virtual_mailbox_domains goes to the transport of local_transport
 * ("local") with the domain as next hop; any other domain goes to
 * default_transport, with relayhost (when set) as next hop. A table
 * error is reported so that the recipient is deferred, never bounced.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "qmgr.h"
#include "dict.h"
#include "mail_params.h"
#include "maps.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"

#define QMGR_NAME_MAX	100		/* transport name */
#define QMGR_HOP_MAX	300		/* next hop */

#define QMGR_DLIST_EXACT	0
#define QMGR_DLIST_SUB		1	/* ".example.com" */
#define QMGR_DLIST_TABLE	2

struct qmgr_delem {
    int     kind;
    int     negate;
    char   *pattern;			/* lowercase */
    struct maps *maps;
};

struct qmgr_dlist {
    const char *title;
    struct qmgr_delem *v;
    int     count;
};

static struct qmgr_dlist qmgr_mydest = {"mydestination", 0, 0};
static struct qmgr_dlist qmgr_vmbox = {"virtual_mailbox_domains", 0, 0};
static struct maps *qmgr_transport_maps;

/* qmgr_dlist_parse - a domain list parameter; -1 on error */

static int
qmgr_dlist_parse(struct qmgr_dlist *dl, const char *list, struct vstr *why)
{
    struct vstr *tok = vstr_alloc(64);
    struct qmgr_delem *el;
    const char *cp = list ? list : "";
    const char *pat;
    int     st;

    while ((st = dict_list_token(&cp, tok, why)) > 0) {
	dl->v = myrealloc(dl->v, (dl->count + 1) * sizeof(*dl->v));
	el = dl->v + dl->count++;
	memset(el, 0, sizeof(*el));
	pat = vstr_str(tok);
	if ((el->negate = (*pat == '!')) != 0)
	    pat++;
	if (*pat != '[' && strchr(pat, ':') != 0) {
	    el->kind = QMGR_DLIST_TABLE;
	    if ((el->maps = maps_create(dl->title, pat, DICT_FLAG_NONE, why)) == 0)
		st = -1;
	    else
		continue;
	    break;
	}
	el->kind = (*pat == '.') ? QMGR_DLIST_SUB : QMGR_DLIST_EXACT;
	el->pattern = str_lower(mystrdup(pat));
    }
    if (st < 0 && why && strncmp(vstr_str(why), dl->title, strlen(dl->title)) != 0) {
	vstr_strcpy(tok, vstr_str(why));
	vstr_sprintf(why, "%s: %s", dl->title, vstr_str(tok));
    }
    vstr_free(tok);
    return (st < 0 ? -1 : 0);
}

/* qmgr_dlist_free - forget a domain list */

static void
qmgr_dlist_free(struct qmgr_dlist *dl)
{
    int     i;

    for (i = 0; i < dl->count; i++) {
	if (dl->v[i].pattern)
	    myfree(dl->v[i].pattern);
	if (dl->v[i].maps)
	    maps_free(dl->v[i].maps);
    }
    if (dl->v)
	myfree(dl->v);
    dl->v = 0;
    dl->count = 0;
}

/* qmgr_dlist_match - 1: listed, 0: not, -1: table error */

static int
qmgr_dlist_match(struct qmgr_dlist *dl, const char *domain, struct vstr *why)
{
    struct vstr *val = vstr_alloc(64);
    size_t  dlen = strlen(domain);
    size_t  plen;
    int     i, hit = 0, st = 0;

    for (i = 0; i < dl->count && dlen > 0; i++) {
	struct qmgr_delem *el = dl->v + i;

	if (el->kind == QMGR_DLIST_EXACT) {
	    hit = (strcmp(el->pattern, domain) == 0);
	} else if (el->kind == QMGR_DLIST_SUB) {
	    plen = strlen(el->pattern);
	    hit = (dlen > plen && strcmp(domain + dlen - plen, el->pattern) == 0);
	} else if ((hit = maps_find(el->maps, domain, val)) < 0) {
	    vstr_sprintf(why, "%s lookup error: %s", dl->title,
			 maps_reason(el->maps));
	    st = -1;
	    break;
	}
	if (hit) {
	    st = el->negate ? 0 : 1;
	    break;
	}
    }
    vstr_free(val);
    return (st);
}

/* qmgr_route_init - open the tables and lists; -1 with why */

int
qmgr_route_init(struct vstr *why)
{
    qmgr_route_free();
    if (qmgr_dlist_parse(&qmgr_mydest, var_mydestination, why) < 0
	|| qmgr_dlist_parse(&qmgr_vmbox, var_virt_mailbox_domains, why) < 0)
	return (-1);
    qmgr_transport_maps = maps_create("transport_maps", var_transport_maps
				      ? var_transport_maps : "",
				      DICT_FLAG_NONE, why);
    return (qmgr_transport_maps ? 0 : -1);
}

/* qmgr_route_free - close everything (tests, reload) */

void
qmgr_route_free(void)
{
    qmgr_dlist_free(&qmgr_mydest);
    qmgr_dlist_free(&qmgr_vmbox);
    if (qmgr_transport_maps)
	maps_free(qmgr_transport_maps);
    qmgr_transport_maps = 0;
}

/* qmgr_route_name_ok - a transport name that can be a socket name */

static int
qmgr_route_name_ok(const char *name, size_t len)
{
    size_t  i;

    if (len == 0 || len > QMGR_NAME_MAX || name[0] == '.')
	return (0);
    for (i = 0; i < len; i++)
	if (!isalnum((unsigned char) name[i]) && strchr("._-", name[i]) == 0)
	    return (0);
    return (1);
}

/* qmgr_route_split - "transport:nexthop" into its parts; -1 if bad */

static int
qmgr_route_split(const char *value, struct vstr *transport,
		         struct vstr *nexthop)
{
    const char *colon = strchr(value, ':');
    size_t  tlen = colon ? (size_t) (colon - value) : strlen(value);
    const char *hop = colon ? colon + 1 : "";

    if (tlen > 0 && !qmgr_route_name_ok(value, tlen))
	return (-1);
    if (strlen(hop) > QMGR_HOP_MAX || !str_all_printable(hop, strlen(hop)))
	return (-1);
    vstr_memcpy(transport, value, tlen);
    vstr_strcpy(nexthop, hop);
    return (0);
}

/* qmgr_route_default - the route without transport_maps */

static int
qmgr_route_default(const char *domain, struct vstr *transport,
		           struct vstr *nexthop, struct vstr *why)
{
    int     st;

    if ((st = qmgr_dlist_match(&qmgr_mydest, domain, why)) == 0)
	st = qmgr_dlist_match(&qmgr_vmbox, domain, why);
    if (st < 0)
	return (-1);
    if (st > 0 || strcasecmp(domain, var_myhostname) == 0) {
	if (qmgr_route_split(var_local_transport, transport, nexthop) < 0
	    || vstr_len(transport) == 0)
	    return (vstr_fail(why, "bad local_transport: %s", var_local_transport));
	vstr_strcpy(nexthop, domain);
	return (0);
    }
    if (qmgr_route_split(var_default_transport, transport, nexthop) < 0
	|| vstr_len(transport) == 0)
	return (vstr_fail(why, "bad default_transport: %s", var_default_transport));
    if (var_relayhost && *var_relayhost)
	vstr_strcpy(nexthop, var_relayhost);
    if (vstr_len(nexthop) == 0)
	vstr_strcpy(nexthop, domain);
    return (0);
}

/* qmgr_route_lookup - transport_maps: 1 found, 0 not, -1 error */

static int
qmgr_route_lookup(const char *addr, const char *domain, struct vstr *value,
		          struct vstr *why)
{
    struct vstr *key = vstr_alloc(100);
    const char *dot;
    int     st;

    vstr_strcpy(key, addr);
    vstr_lower(key);
    if ((st = maps_find(qmgr_transport_maps, vstr_str(key), value)) == 0)
	st = maps_find(qmgr_transport_maps, domain, value);
    for (dot = domain; st == 0 && (dot = strchr(dot + 1, '.')) != 0;)
	st = maps_find(qmgr_transport_maps, dot, value);
    if (st == 0)
	st = maps_find(qmgr_transport_maps, "*", value);
    if (st < 0)
	vstr_sprintf(why, "transport_maps lookup error: %s",
		     maps_reason(qmgr_transport_maps));
    vstr_free(key);
    return (st);
}

/* qmgr_route - transport and next hop of one recipient; -1 with why */

int
qmgr_route(const char *addr, struct vstr *transport, struct vstr *nexthop,
	           struct vstr *why)
{
    struct vstr *domain = vstr_alloc(64);
    struct vstr *value = vstr_alloc(64);
    struct vstr *t2 = vstr_alloc(20);
    struct vstr *h2 = vstr_alloc(20);
    const char *at = strrchr(addr, '@');
    int     st;

    vstr_strcpy(domain, at && at[1] ? at + 1 : var_myhostname);
    vstr_lower(domain);
    if (vstr_len(domain) > 1 && vstr_str(domain)[vstr_len(domain) - 1] == '.')
	vstr_truncate(domain, vstr_len(domain) - 1);
    if ((st = qmgr_route_default(vstr_str(domain), transport, nexthop, why)) == 0
	&& qmgr_transport_maps != 0
	&& (st = qmgr_route_lookup(addr, vstr_str(domain), value, why)) > 0) {
	if (qmgr_route_split(vstr_str(value), t2, h2) < 0) {
	    st = vstr_fail(why, "transport_maps: bad value for %s: %.100s",
			   vstr_str(domain), vstr_str(value));
	} else {
	    if (vstr_len(t2) > 0) {
		vstr_strcpy(transport, vstr_str(t2));
		vstr_strcpy(nexthop, vstr_str(domain));
	    }
	    if (vstr_len(h2) > 0)
		vstr_strcpy(nexthop, vstr_str(h2));
	    st = 0;
	}
    }
    vstr_free(domain);
    vstr_free(value);
    vstr_free(t2);
    vstr_free(h2);
    return (st < 0 ? -1 : 0);
}
