/*
 * cleanup_addr.c - envelope address rewriting: qualify bare local parts,
 * canonical mapping (1:1) and virtual alias expansion (1:n, recursive,
 * with loop detection and limits). See cleanup.h and docs/cleanup.md.
 *
 * Addresses are in internal form (no angle brackets, quotes kept as
 * received). Results from tables are admin data but are still bounded
 * and checked with queue_field_ok() before they replace an address.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "msg.h"
#include "rec_type.h"
#include "stringops.h"

static size_t cleanup_addr_at(const char *, size_t);

 /*
  * One node of a virtual alias expansion tree.
  */
struct cleanup_vnode {
    char   *addr;
    int     parent;			/* index, -1 for the root */
    int     depth;
};

struct cleanup_vtree {
    struct cleanup_vnode *node;
    int     count;
    int     alloc;
    struct argv *done;			/* addresses already expanded */
    int     produced;			/* addresses made by expansion */
};

/* cleanup_addr_at - offset of the '@' before the domain, or len */

static size_t
cleanup_addr_at(const char *addr, size_t len)
{
    size_t  at = len;
    size_t  i;
    int     quoted = 0;

    for (i = 0; i < len; i++) {
	if (addr[i] == '\\' && quoted && i + 1 < len)
	    i++;
	else if (addr[i] == '"')
	    quoted = !quoted;
	else if (addr[i] == '@' && !quoted)
	    at = i;
    }
    return (at);
}

/* cleanup_addr_local - is the domain of addr one of ours? */

static int
cleanup_addr_local(const char *addr)
{
    size_t  len = strlen(addr);
    size_t  at = cleanup_addr_at(addr, len);
    const char *domain = at < len ? addr + at + 1 : "";
    char   *list;
    char   *bp;
    char   *tok;
    int     found = 0;

    if (at == len || strcasecmp(domain, var_myorigin) == 0
	|| strcasecmp(domain, var_myhostname) == 0)
	return (1);
    bp = list = mystrdup(var_mydestination ? var_mydestination : "");
    while (!found && (tok = str_token(&bp, ", \t\r\n")) != 0)
	found = (strchr(tok, ':') == 0 && strcasecmp(tok, domain) == 0);
    myfree(list);
    return (found);
}

/* cleanup_addr_qualify - append @$myorigin, .$mydomain; strip final dot */

void
cleanup_addr_qualify(struct vstr *addr)
{
    size_t  len = vstr_len(addr);
    size_t  at = cleanup_addr_at(vstr_str(addr), len);
    const char *domain;

    if (len == 0)
	return;
    if (at == len) {
	if (var_append_at_myorigin && var_myorigin && *var_myorigin)
	    vstr_sprintf_append(addr, "@%s", var_myorigin);
	return;
    }
    if (len - at > 2 && vstr_str(addr)[len - 1] == '.')
	vstr_truncate(addr, --len);
    domain = vstr_str(addr) + at + 1;
    if (var_append_dot_mydomain && *domain && *domain != '['
	&& strchr(domain, '.') == 0 && var_mydomain && *var_mydomain)
	vstr_sprintf_append(addr, ".%s", var_mydomain);
}

/* cleanup_addr_same - equal addresses (ASCII case-insensitive) */

static int
cleanup_addr_same(const char *a, const char *b)
{
    return (strcasecmp(a, b) == 0);
}

/* cleanup_addr_next - next address of a table value, or 0 at the end */

static int
cleanup_addr_next(const char **cpp, struct vstr *out)
{
    const char *cp = *cpp;
    int     quoted = 0;

    vstr_reset(out);
    while (*cp == ',' || isspace((unsigned char) *cp))
	cp++;
    if (*cp == 0)
	return (0);
    for (; *cp && (quoted || (*cp != ',' && !isspace((unsigned char) *cp))); cp++) {
	if (*cp == '"')
	    quoted = !quoted;
	else if (*cp == '\\' && quoted && cp[1])
	    vstr_addch(out, *cp++);
	vstr_addch(out, *cp);
    }
    *cpp = cp;
    if (vstr_len(out) >= 2 && vstr_str(out)[0] == '<'
	&& vstr_str(out)[vstr_len(out) - 1] == '>') {
	memmove(vstr_str(out), vstr_str(out) + 1, vstr_len(out) - 2);
	vstr_truncate(out, vstr_len(out) - 2);
    }
    return (1);
}

/* cleanup_addr_valid - can this table result be a queue file address? */

static int
cleanup_addr_valid(const char *title, const char *addr, struct vstr *res)
{
    if (vstr_len(res) == 0
	|| queue_field_ok(REC_TYPE_RCPT, vstr_str(res), vstr_len(res), 0) < 0) {
	msg_warn("%s: unusable result for %.300s: \"%.300s\": ignored",
		 title, addr, vstr_str(res));
	return (0);
    }
    return (1);
}

/* cleanup_addr_map11 - one canonical table list, repeated while it changes */

static int
cleanup_addr_map11(struct maps *maps, const char *title, struct vstr *addr,
		           struct vstr *why)
{
    struct vstr *val = vstr_alloc(100);
    struct vstr *res = vstr_alloc(100);
    const char *cp;
    size_t  at;
    int     depth;
    int     st;
    int     ret = 0;

    for (depth = 0; depth < CLEANUP_CANON_DEPTH; depth++) {
	st = maps_find_addr(maps, vstr_str(addr), var_recipient_delimiter,
		cleanup_addr_local(vstr_str(addr)) ? MAPS_ADDR_LOCAL : 0, val);
	if (st == DICT_ERROR) {
	    ret = vstr_fail(why, "4.3.0 Error: %s lookup error", title);
	    break;
	}
	cp = vstr_str(val);
	if (st != DICT_FOUND || cleanup_addr_next(&cp, res) == 0)
	    break;
	if (vstr_str(res)[0] == '@') {		/* @domain: keep the user */
	    at = cleanup_addr_at(vstr_str(addr), vstr_len(addr));
	    vstr_strcpy(val, vstr_str(res));
	    vstr_memcpy(res, vstr_str(addr), at);
	    vstr_strcat(res, vstr_str(val));
	}
	cleanup_addr_qualify(res);
	if (!cleanup_addr_valid(title, vstr_str(addr), res)
	    || strcmp(vstr_str(res), vstr_str(addr)) == 0)
	    break;
	vstr_strcpy(addr, vstr_str(res));
    }
    if (depth >= CLEANUP_CANON_DEPTH)
	msg_warn("%s: unreasonable map nesting for %.300s", title,
		 vstr_str(addr));
    vstr_free(val);
    vstr_free(res);
    return (ret);
}

/* cleanup_addr_canon - qualify, then the specific and common canonical maps */

int
cleanup_addr_canon(const struct cleanup_maps *maps, int sender,
		           struct vstr *addr, struct vstr *why)
{
    struct maps *specific = sender ? maps->send_canon : maps->rcpt_canon;

    if (vstr_len(addr) == 0)			/* the null sender */
	return (0);
    cleanup_addr_qualify(addr);
    if (specific && cleanup_addr_map11(specific, sender ?
			"sender_canonical_maps" : "recipient_canonical_maps",
				       addr, why) < 0)
	return (-1);
    if (maps->canon && cleanup_addr_map11(maps->canon, "canonical_maps",
					  addr, why) < 0)
	return (-1);
    return (0);
}

/* cleanup_vtree_add - a new node; -1 beyond the expansion limit */

static int
cleanup_vtree_add(struct cleanup_vtree *t, const char *addr, int parent)
{
    struct cleanup_vnode *n;

    if (parent >= 0 && ++t->produced > var_virt_expan_limit)
	return (-1);
    if (t->count >= t->alloc) {
	t->alloc = t->alloc ? 2 * t->alloc : 8;
	t->node = myrealloc(t->node, (size_t) t->alloc * sizeof(*t->node));
    }
    n = t->node + t->count++;
    n->addr = mystrdup(addr);
    n->parent = parent;
    n->depth = parent >= 0 ? t->node[parent].depth + 1 : 0;
    return (t->count - 1);
}

/* cleanup_vtree_seen - is addr an ancestor of node n, or expanded before? */

static int
cleanup_vtree_seen(struct cleanup_vtree *t, int n, int *cycle)
{
    const char *addr = t->node[n].addr;
    size_t  i;
    int     p;

    *cycle = 0;
    for (p = t->node[n].parent; p >= 0; p = t->node[p].parent)
	if (cleanup_addr_same(t->node[p].addr, addr)) {
	    *cycle = (p != t->node[n].parent);
	    return (1);
	}
    for (i = 0; i < t->done->argc; i++)
	if (cleanup_addr_same(t->done->argv[i], addr))
	    return (-1);
    return (0);
}

/* cleanup_vtree_final - add a final address, without duplicates */

static void
cleanup_vtree_final(struct argv *result, const char *addr)
{
    size_t  i;

    for (i = 0; i < result->argc; i++)
	if (cleanup_addr_same(result->argv[i], addr))
	    return;
    argv_add(result, addr);
}

/* cleanup_vtree_expand - look one node up; push its children */

static int
cleanup_vtree_expand(struct cleanup_vtree *t, struct maps *virt, int n,
		             struct argv *result, struct vstr *why)
{
    struct vstr *val = vstr_alloc(100);
    struct vstr *res = vstr_alloc(100);
    const char *cp;
    char   *addr = t->node[n].addr;
    int     first = t->count;
    int     st;
    int     ret = 0;

    st = maps_find_addr(virt, addr, var_recipient_delimiter,
			cleanup_addr_local(addr) ? MAPS_ADDR_LOCAL : 0, val);
    if (st == DICT_ERROR) {
	ret = vstr_fail(why, "4.3.0 Error: virtual_alias_maps lookup error");
    } else if (st != DICT_FOUND) {
	cleanup_vtree_final(result, addr);
    } else {
	argv_add(t->done, addr);
	for (cp = vstr_str(val); ret == 0 && cleanup_addr_next(&cp, res);) {
	    cleanup_addr_qualify(res);
	    if (!cleanup_addr_valid("virtual_alias_maps", addr, res))
		continue;
	    if (cleanup_vtree_add(t, vstr_str(res), n) < 0) {
		msg_warn("virtual_alias_maps: unreasonable expansion size"
			 " for %.300s (limit %d): message not accepted",
			 t->node[0].addr, var_virt_expan_limit);
		ret = vstr_fail(why, "4.6.0 Alias expansion error");
	    }
	}
	if (ret == 0 && t->count == first)	/* nothing usable */
	    cleanup_vtree_final(result, addr);
    }
    vstr_free(val);
    vstr_free(res);
    return (ret < 0 ? ret : first);
}

/* cleanup_addr_virtual - recursive 1:n expansion (see cleanup.h) */

int
cleanup_addr_virtual(struct maps *virt, const char *addr,
		             struct argv *result, struct vstr *why)
{
    struct cleanup_vtree t;
    int    *stack = 0;			/* node indices to visit */
    size_t  sp = 0;
    size_t  cap = 0;
    int     n;
    int     i;
    int     seen;
    int     cycle;
    int     ret = 0;

    memset(&t, 0, sizeof(t));
    t.done = argv_alloc(8);
    stack = myrealloc(stack, (cap = 8) * sizeof(*stack));
    stack[sp++] = cleanup_vtree_add(&t, addr, -1);
    while (ret == 0 && sp > 0) {
	n = stack[--sp];
	if ((seen = cleanup_vtree_seen(&t, n, &cycle)) > 0) {
	    if (cycle)
		msg_warn("virtual_alias_maps: alias loop at %.300s: "
			 "delivered as is", t.node[n].addr);
	    cleanup_vtree_final(result, t.node[n].addr);
	} else if (seen < 0) {
	    continue;				/* its results are in already */
	} else if (t.node[n].depth > var_virt_recur_limit) {
	    msg_warn("virtual_alias_maps: unreasonable nesting for %.300s"
		     " (limit %d): message not accepted", addr,
		     var_virt_recur_limit);
	    ret = vstr_fail(why, "4.6.0 Alias expansion error");
	} else if ((i = cleanup_vtree_expand(&t, virt, n, result, why)) < 0) {
	    ret = -1;
	} else {
	    if (sp + (size_t) (t.count - i) > cap) {
		cap = sp + (size_t) (t.count - i) + cap;
		stack = myrealloc(stack, cap * sizeof(*stack));
	    }
	    for (n = t.count - 1; n >= i; n--)	/* first child on top */
		stack[sp++] = n;
	}
    }
    for (i = 0; i < t.count; i++)
	myfree(t.node[i].addr);
    myfree(t.node);
    myfree(stack);
    argv_free(t.done);
    return (ret);
}
