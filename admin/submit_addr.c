/*
 * submit_addr.c - the recipients of an RFC 5322 address-list header, for
 * postern-sendmail -t. Understands display names, quoted strings,
 * (nested) comments, <angle> addresses, groups ("team: a, b;") and
 * folded lines. The result goes into the envelope, where cleanup and
 * the delivery agents check it again: this is no validator.
 */
#include <string.h>

#include "sys_defs.h"
#include "queue_file.h"
#include "submit.h"

struct submit_addr_state {
    struct vstr *plain;			/* addr-spec text outside <> */
    struct vstr *angle;			/* text inside <> */
    int     have_angle;			/* saw a <...> in this entry */
    struct argv *out;
    size_t  max;
    int     added;
};

/* submit_addr_has_ctrl - a control character (NUL included)? */

static int
submit_addr_has_ctrl(struct vstr *addr)
{
    size_t  i;

    for (i = 0; i < vstr_len(addr); i++)
	if ((unsigned char) vstr_str(addr)[i] < 0x20
	    || vstr_str(addr)[i] == 0x7f)
	    return (1);
    return (0);
}

/* submit_addr_emit - end of one address-list entry */

static int
submit_addr_emit(struct submit_addr_state *st)
{
    struct vstr *addr = st->have_angle ? st->angle : st->plain;

    if (vstr_len(addr) > 0) {
	if (vstr_len(addr) > QUEUE_ADDR_MAX || st->out->argc >= st->max
	    || submit_addr_has_ctrl(addr))
	    return (-1);
	argv_addn(st->out, vstr_str(addr), vstr_len(addr));
	st->added++;
    }
    vstr_reset(st->plain);
    vstr_reset(st->angle);
    st->have_angle = 0;
    return (0);
}

/* submit_addr_skip_comment - skip a (nested) comment; index after it */

static size_t
submit_addr_skip_comment(const char *cp, size_t len, size_t i)
{
    int     depth = 0;

    for (; i < len; i++) {
	if (cp[i] == '\\' && i + 1 < len)
	    i++;
	else if (cp[i] == '(')
	    depth++;
	else if (cp[i] == ')' && --depth == 0)
	    return (i + 1);
    }
    return (len);
}

/* submit_addr_quoted - copy a quoted string to buf; index after it */

static size_t
submit_addr_quoted(const char *cp, size_t len, size_t i, struct vstr *buf)
{
    vstr_addch(buf, '"');
    for (i++; i < len && cp[i] != '"'; i++) {
	if (cp[i] == '\\' && i + 1 < len)
	    vstr_addch(buf, cp[i++]);
	if (cp[i] != '\n' && cp[i] != '\r')
	    vstr_addch(buf, cp[i]);	/* controls: caught by the caller */
    }
    vstr_addch(buf, '"');
    return (i < len ? i + 1 : len);
}

/* submit_hdr_rcpts - the addresses of one address-list header value */

int
submit_hdr_rcpts(const char *cp, size_t len, struct argv *out, size_t max)
{
    struct submit_addr_state st;
    int     in_angle = 0;
    int     in_group = 0;
    int     ret = 0;
    size_t  i = 0;

    st.plain = vstr_alloc(64);
    st.angle = vstr_alloc(64);
    st.have_angle = 0;
    st.out = out;
    st.max = max;
    st.added = 0;
    while (i < len && ret == 0) {
	int     ch = (unsigned char) cp[i];
	struct vstr *buf = in_angle ? st.angle : st.plain;

	if (ch == '(') {
	    i = submit_addr_skip_comment(cp, len, i);
	} else if (ch == '"') {
	    i = submit_addr_quoted(cp, len, i, buf);
	} else if (ch == '<' && !in_angle) {
	    in_angle = 1;
	    st.have_angle = 1;
	    vstr_reset(st.angle);
	    i++;
	} else if (ch == '>' && in_angle) {
	    in_angle = 0;
	    i++;
	} else if (ch == ':' && !in_angle && !in_group) {
	    in_group = 1;			/* "name:" starts a group */
	    vstr_reset(st.plain);
	    i++;
	} else if ((ch == ',' || ch == ';') && !in_angle) {
	    ret = submit_addr_emit(&st);
	    if (ch == ';')
		in_group = 0;
	    i++;
	} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
	    i++;
	} else if (ch < 0x20 || ch == 0x7f) {
	    ret = -1;				/* NUL, escape, ...: refuse */
	} else {
	    vstr_addch(buf, ch);
	    i++;
	}
    }
    if (ret == 0)
	ret = submit_addr_emit(&st);
    vstr_free(st.plain);
    vstr_free(st.angle);
    return (ret < 0 ? -1 : st.added);
}
