/*
 * mac_expand.c - $name, ${name}, $(name), ${name?text}, ${name:text}
 *	expansion with loop detection and hard limits (see mac_expand.h).
 *
 * The parser works on (pointer, length) spans so that the text of a
 * ${name?text} reference is expanded in place without copying. Every
 * limit (nesting, number of lookups, output size) is checked before the
 * work is done, so the fuzzer cannot find an input that runs away.
 */
#include <ctype.h>
#include <string.h>

#include "mac_expand.h"
#include "conf_table.h"
#include "mymalloc.h"
#include "msg.h"

struct mac_state {
    mac_expand_lookup_fn lookup;
    void   *ctx;
    int     flags;
    struct vstr *err;
    long    calls;
    int     depth;				/* $name values being expanded */
    int     nest;				/* ${name?...} texts being expanded */
    char    stack[MAC_EXP_DEPTH_MAX][CONF_NAME_MAX + 1];
};

static int mac_exp_span(struct mac_state *, struct vstr *, const char *, size_t);

#define IS_NAME_CHAR(c)	(isalnum((unsigned char) (c)) || (c) == '_')

/* mac_exp_loop - report a loop: the stack from name's first use */

static int
mac_exp_loop(struct mac_state *st, const char *name)
{
    int     i;
    int     first = 0;

    for (i = 0; i < st->depth; i++)
	if (strcmp(st->stack[i], name) == 0) {
	    first = i;
	    break;
	}
    vstr_sprintf(st->err, "loop in");
    for (i = first; i < st->depth; i++)
	vstr_sprintf_append(st->err, " $%s ->", st->stack[i]);
    vstr_sprintf_append(st->err, " $%s", name);
    return (-1);
}

/* mac_exp_value - look up name; append its (expanded) value */

static int
mac_exp_value(struct mac_state *st, struct vstr *out, const char *name)
{
    const char *value;
    int     i;
    int     ret;

    if (++st->calls > MAC_EXP_CALLS_MAX) {
	vstr_sprintf(st->err, "more than %d $name expansions", MAC_EXP_CALLS_MAX);
	return (-1);
    }
    if (st->flags & MAC_EXP_FLAG_RECURSE) {
	/* Before the lookup: a lookup may itself evaluate parameters. */
	for (i = 0; i < st->depth; i++)
	    if (strcmp(st->stack[i], name) == 0)
		return (mac_exp_loop(st, name));
    }
    if ((value = st->lookup(name, st->ctx)) == 0)
	return (0);
    if ((st->flags & MAC_EXP_FLAG_RECURSE) == 0) {
	if (strlen(value) > MAC_EXP_LEN_MAX - vstr_len(out)) {
	    vstr_sprintf(st->err, "expansion is longer than %d bytes", MAC_EXP_LEN_MAX);
	    return (-1);
	}
	vstr_strcat(out, value);
	return (0);
    }
    if (st->depth >= MAC_EXP_DEPTH_MAX) {
	vstr_sprintf(st->err, "$name nesting deeper than %d", MAC_EXP_DEPTH_MAX);
	return (-1);
    }
    memcpy(st->stack[st->depth], name, strlen(name) + 1);
    st->depth++;
    ret = mac_exp_span(st, out, value, strlen(value));
    st->depth--;
    return (ret);
}

/* mac_exp_brace - ${name}, ${name?text}, ${name:text}; *lenp consumed */

static int
mac_exp_brace(struct mac_state *st, struct vstr *out, const char *cp,
	              size_t len, size_t *usedp)
{
    char    close = (cp[0] == '{') ? '}' : ')';
    char    name[CONF_NAME_MAX + 1];
    size_t  n;
    size_t  i;
    size_t  end;
    int     level = 0;
    struct vstr *tmp;
    int     ret;

    for (end = 1; end < len; end++) {
	if (cp[end] == cp[0])
	    level++;
	else if (cp[end] == close && level-- == 0)
	    break;
    }
    if (end >= len) {
	vstr_sprintf(st->err, "missing '%c' in $%c...", close, cp[0]);
	return (-1);
    }
    for (n = 1; n < end && IS_NAME_CHAR(cp[n]); n++)
	 /* void */ ;
    if (n == 1 || (n < end && cp[n] != '?' && cp[n] != ':')) {
	vstr_sprintf(st->err, "bad name in $%c...%c reference", cp[0], close);
	return (-1);
    }
    if (n - 1 > CONF_NAME_MAX) {
	vstr_sprintf(st->err, "name longer than %d bytes", CONF_NAME_MAX);
	return (-1);
    }
    memcpy(name, cp + 1, n - 1);
    name[n - 1] = 0;
    *usedp = end + 1;
    if (n == end)
	return (mac_exp_value(st, out, name));

    /* Conditional: test whether the value is empty, then maybe add text. */
    tmp = vstr_alloc(64);
    ret = mac_exp_value(st, tmp, name);
    i = vstr_len(tmp);
    vstr_free(tmp);
    if (ret < 0)
	return (-1);
    if ((cp[n] == '?') == (i > 0)) {
	if ((st->flags & MAC_EXP_FLAG_RECURSE) == 0) {
	    vstr_memcat(out, cp + n + 1, end - n - 1);
	    return (0);
	}
	if (st->nest >= MAC_EXP_DEPTH_MAX) {
	    vstr_sprintf(st->err, "${name?...} nesting deeper than %d",
			 MAC_EXP_DEPTH_MAX);
	    return (-1);
	}
	st->nest++;
	ret = mac_exp_span(st, out, cp + n + 1, end - n - 1);
	st->nest--;
	return (ret);
    }
    return (0);
}

/* mac_exp_span - expand len bytes of text, appending to out */

static int
mac_exp_span(struct mac_state *st, struct vstr *out, const char *cp, size_t len)
{
    char    name[CONF_NAME_MAX + 1];
    const char *dollar;
    size_t  i;
    size_t  n;

    while (len > 0) {
	dollar = memchr(cp, '$', len);
	n = dollar ? (size_t) (dollar - cp) : len;
	if (n > MAC_EXP_LEN_MAX - vstr_len(out)) {
	    vstr_sprintf(st->err, "expansion is longer than %d bytes", MAC_EXP_LEN_MAX);
	    return (-1);
	}
	vstr_memcat(out, cp, n);
	cp += n;
	len -= n;
	if (len == 0)
	    break;
	/* cp[0] is '$' */
	if (len >= 2 && (cp[1] == '{' || cp[1] == '(')) {
	    if (mac_exp_brace(st, out, cp + 1, len - 1, &n) < 0)
		return (-1);
	    cp += n + 1;
	    len -= n + 1;
	    continue;
	}
	for (i = 1; i < len && IS_NAME_CHAR(cp[i]); i++)
	     /* void */ ;
	if (i == 1) {
	    /* "$$" is one '$'; a '$' before anything else is literal. */
	    vstr_addch(out, '$');
	    n = (len >= 2 && cp[1] == '$') ? 2 : 1;
	    cp += n;
	    len -= n;
	    continue;
	}
	if (i - 1 > CONF_NAME_MAX) {
	    vstr_sprintf(st->err, "name longer than %d bytes", CONF_NAME_MAX);
	    return (-1);
	}
	memcpy(name, cp + 1, i - 1);
	name[i - 1] = 0;
	if (mac_exp_value(st, out, name) < 0)
	    return (-1);
	cp += i;
	len -= i;
    }
    return (0);
}

/* mac_expand - expand text into out */

int
mac_expand(struct vstr *out, const char *text, int flags,
	           mac_expand_lookup_fn lookup, void *ctx, struct vstr *err)
{
    struct mac_state *st = mymalloc(sizeof(*st));
    int     ret;

    st->lookup = lookup;
    st->ctx = ctx;
    st->flags = flags;
    st->err = err;
    st->calls = 0;
    st->depth = 0;
    st->nest = 0;
    vstr_reset(out);
    ret = mac_exp_span(st, out, text, strlen(text));
    myfree(st);
    return (ret);
}

/* mac_expand_names - report referenced names without expanding */

void
mac_expand_names(const char *text, void (*fn) (const char *, void *), void *ctx)
{
    char    name[CONF_NAME_MAX + 1];
    const char *cp = text;
    size_t  n;

    while ((cp = strchr(cp, '$')) != 0) {
	cp++;
	if (*cp == '$') {
	    cp++;
	    continue;
	}
	if (*cp == '{' || *cp == '(')
	    cp++;
	for (n = 0; IS_NAME_CHAR(cp[n]); n++)
	     /* void */ ;
	if (n > 0 && n <= CONF_NAME_MAX) {
	    memcpy(name, cp, n);
	    name[n] = 0;
	    fn(name, ctx);
	}
	cp += n;
    }
}
