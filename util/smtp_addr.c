/*
 * smtp_addr.c - the RFC 5321 path grammar (see smtp_addr.h).
 *
 * A small recursive-descent parser over a bounded cursor: each function
 * consumes one grammar element or returns a negative SMTP_ADDR_ code.
 * Nothing here allocates except the result vstr, and nothing reads past
 * the given length (the input need not be NUL-terminated).
 */
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "smtp_addr.h"

struct sa_cursor {
    const unsigned char *s;
    size_t  len;
    size_t  pos;
    int     flags;
};

#define SA_AT_END(c)	((c)->pos >= (c)->len)
#define SA_PEEK(c)	(SA_AT_END(c) ? -1 : (int) (c)->s[(c)->pos])

#define SA_IS_ALPHA(ch)	(((ch) >= 'a' && (ch) <= 'z') || ((ch) >= 'A' && (ch) <= 'Z'))
#define SA_IS_DIGIT(ch)	((ch) >= '0' && (ch) <= '9')
#define SA_IS_LETDIG(ch) (SA_IS_ALPHA(ch) || SA_IS_DIGIT(ch))

#define SA_LITERAL_MAX	64		/* inside [ ]: IPv6 text fits */

/* smtp_addr_utf8_len - length of one well-formed non-ASCII character */

size_t
smtp_addr_utf8_len(const unsigned char *s, size_t len)
{
    unsigned int cp;
    size_t  n;
    size_t  i;

    if (len == 0 || s[0] < 0xc2 || s[0] > 0xf4)
	return (0);
    n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    if (len < n)
	return (0);
    cp = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (i = 1; i < n; i++) {
	if ((s[i] & 0xc0) != 0x80)
	    return (0);
	cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
	|| (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
	return (0);
    return (n);
}

/* smtp_addr_has_8bit - any byte >= 0x80? */

int
smtp_addr_has_8bit(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if ((unsigned char) s[i] >= 0x80)
	    return (1);
    return (0);
}

/* sa_utf8 - consume one UTF-8 character at the cursor, if allowed */

static int
sa_utf8(struct sa_cursor *c)
{
    size_t  n = smtp_addr_utf8_len(c->s + c->pos, c->len - c->pos);

    if (n == 0)
	return (SMTP_ADDR_SYNTAX);
    if ((c->flags & SMTP_ADDR_FLAG_UTF8) == 0)
	return (SMTP_ADDR_NEED_UTF8);
    c->pos += n;
    return (SMTP_ADDR_OK);
}

/* sa_is_atext - RFC 5322 atext, ASCII part */

static int
sa_is_atext(int ch)
{
    return (ch >= 0 && ch < 0x80
	    && (SA_IS_LETDIG(ch) || (ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch) != 0)));
}

/* sa_dot_string - Atom *("." Atom) */

static int
sa_dot_string(struct sa_cursor *c)
{
    int     ch;
    int     atom_len = 0;
    int     st;

    for (;;) {
	ch = SA_PEEK(c);
	if (sa_is_atext(ch)) {
	    c->pos++;
	    atom_len++;
	} else if (ch >= 0x80) {
	    if ((st = sa_utf8(c)) != SMTP_ADDR_OK)
		return (st);
	    atom_len++;
	} else if (ch == '.' && atom_len > 0) {
	    c->pos++;
	    atom_len = 0;
	} else {
	    return (atom_len > 0 ? SMTP_ADDR_OK : SMTP_ADDR_SYNTAX);
	}
    }
}

/* sa_quoted_string - DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE */

static int
sa_quoted_string(struct sa_cursor *c)
{
    int     ch;
    int     st;

    c->pos++;					/* opening quote */
    for (;;) {
	if ((ch = SA_PEEK(c)) < 0)
	    return (SMTP_ADDR_SYNTAX);
	if (ch == '"') {
	    c->pos++;
	    return (SMTP_ADDR_OK);
	} else if (ch == '\\') {
	    c->pos++;
	    ch = SA_PEEK(c);
	    if (ch < 32 || ch > 126)
		return (SMTP_ADDR_SYNTAX);
	    c->pos++;
	} else if (ch >= 0x80) {
	    if ((st = sa_utf8(c)) != SMTP_ADDR_OK)
		return (st);
	} else if (ch >= 32 && ch <= 126) {
	    c->pos++;
	} else {
	    return (SMTP_ADDR_SYNTAX);
	}
    }
}

/* sa_local_part - Dot-string / Quoted-string, with its length limit */

static int
sa_local_part(struct sa_cursor *c)
{
    size_t  start = c->pos;
    int     st;

    st = SA_PEEK(c) == '"' ? sa_quoted_string(c) : sa_dot_string(c);
    if (st == SMTP_ADDR_OK && c->pos - start > SMTP_ADDR_LOCAL_MAX)
	st = SMTP_ADDR_TOOLONG;
    return (st);
}

/* sa_label - Let-dig [Ldh-str], or U-label characters in UTF-8 mode */

static int
sa_label(struct sa_cursor *c)
{
    size_t  start = c->pos;
    int     last = -1;
    int     ch;
    int     st;

    for (;;) {
	ch = SA_PEEK(c);
	if (SA_IS_LETDIG(ch) || (ch == '-' && c->pos > start)) {
	    c->pos++;
	    last = ch;
	} else if (ch >= 0x80) {
	    if ((st = sa_utf8(c)) != SMTP_ADDR_OK)
		return (st);
	    last = 'a';
	} else {
	    break;
	}
    }
    if (c->pos == start || last == '-')
	return (SMTP_ADDR_SYNTAX);
    if (c->pos - start > SMTP_ADDR_LABEL_MAX)
	return (SMTP_ADDR_TOOLONG);
    return (SMTP_ADDR_OK);
}

/* sa_literal - "[" IPv4 "]" or "[IPv6:" IPv6 "]" */

static int
sa_literal(struct sa_cursor *c)
{
    char    text[SA_LITERAL_MAX + 1];
    unsigned char bin[16];
    size_t  start = ++c->pos;
    size_t  n;
    int     ch;

    while ((ch = SA_PEEK(c)) >= 33 && ch <= 126 && ch != '[' && ch != ']'
	   && ch != '\\')
	c->pos++;
    if (ch != ']' || (n = c->pos - start) == 0 || n > SA_LITERAL_MAX)
	return (SMTP_ADDR_SYNTAX);
    c->pos++;
    memcpy(text, c->s + start, n);
    text[n] = 0;
    if (n > 5 && strncasecmp(text, "IPv6:", 5) == 0)
	return (inet_pton(AF_INET6, text + 5, bin) == 1 ?
		SMTP_ADDR_OK : SMTP_ADDR_SYNTAX);
    return (inet_pton(AF_INET, text, bin) == 1 ? SMTP_ADDR_OK : SMTP_ADDR_SYNTAX);
}

/* sa_domain - Domain or address-literal, with its length limit */

static int
sa_domain(struct sa_cursor *c)
{
    size_t  start = c->pos;
    int     st;

    if (SA_PEEK(c) == '[')
	return (sa_literal(c));
    for (;;) {
	if ((st = sa_label(c)) != SMTP_ADDR_OK)
	    return (st);
	if (SA_PEEK(c) != '.')
	    break;
	c->pos++;
    }
    if (c->pos - start > SMTP_ADDR_DOMAIN_MAX)
	return (SMTP_ADDR_TOOLONG);
    return (SMTP_ADDR_OK);
}

/* sa_mailbox - Local-part [ "@" ( Domain / address-literal ) ] */

static int
sa_mailbox(struct sa_cursor *c)
{
    int     st;

    if ((st = sa_local_part(c)) != SMTP_ADDR_OK)
	return (st);
    if (SA_PEEK(c) != '@')
	return (SMTP_ADDR_OK);
    c->pos++;
    return (sa_domain(c));
}

/* sa_route - A-d-l ":" = At-domain *( "," At-domain ) ":" */

static int
sa_route(struct sa_cursor *c)
{
    int     st;

    for (;;) {
	if (SA_PEEK(c) != '@')
	    return (SMTP_ADDR_SYNTAX);
	c->pos++;
	if ((st = sa_domain(c)) != SMTP_ADDR_OK)
	    return (st);
	if (SA_PEEK(c) == ':') {
	    c->pos++;
	    return (SMTP_ADDR_OK);
	}
	if (SA_PEEK(c) != ',')
	    return (SMTP_ADDR_SYNTAX);
	c->pos++;
    }
}

/* smtp_addr_path - parse "<" [A-d-l ":"] Mailbox ">" or "<>" */

int
smtp_addr_path(const char *s, size_t len, int flags, struct vstr *addr,
	               size_t *used)
{
    struct sa_cursor cur = {(const unsigned char *) s, len, 0, flags};
    size_t  box;
    int     st;

    if (len < 2 || s[0] != '<')
	return (SMTP_ADDR_SYNTAX);
    cur.pos = 1;
    if (s[1] == '>') {
	if ((flags & SMTP_ADDR_FLAG_NULL_OK) == 0)
	    return (SMTP_ADDR_SYNTAX);
	vstr_reset(addr);
	*used = 2;
	return (SMTP_ADDR_OK);
    }
    if (s[1] == '@' && (st = sa_route(&cur)) != SMTP_ADDR_OK)
	return (st);
    box = cur.pos;
    if ((st = sa_mailbox(&cur)) != SMTP_ADDR_OK)
	return (st);
    if (SA_PEEK(&cur) != '>')
	return (SMTP_ADDR_SYNTAX);
    cur.pos++;
    if (cur.pos > SMTP_ADDR_PATH_MAX)
	return (SMTP_ADDR_TOOLONG);
    vstr_memcpy(addr, s + box, cur.pos - 1 - box);
    *used = cur.pos;
    return (SMTP_ADDR_OK);
}

/* smtp_addr_mailbox - is the whole input one Mailbox? */

int
smtp_addr_mailbox(const char *s, size_t len, int flags)
{
    struct sa_cursor cur = {(const unsigned char *) s, len, 0, flags};
    int     st;

    if ((st = sa_mailbox(&cur)) != SMTP_ADDR_OK)
	return (st);
    return (SA_AT_END(&cur) ? SMTP_ADDR_OK : SMTP_ADDR_SYNTAX);
}
