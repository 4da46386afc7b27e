/*
 * cidr_match.c - IPv4/IPv6 network lists such as mynetworks (see
 * cidr_match.h).
 *
 * A list is parsed once into an array of (family, network, prefix
 * length) entries; matching compares the leading prefix bits. Parsing
 * is strict (plain decimal lengths, no host bits, no tables) because a
 * mistake here decides who may relay through us.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "cidr_match.h"
#include "mymalloc.h"
#include "msg.h"

#define CIDR_ELEM_MAX	128		/* longest element text */
#define CIDR_ADDR_MAX	64		/* longest printable address */

struct cidr_match {
    struct cidr_entry *v;
    int     count;
};

static int cidr_match_prefix(const char *, int *, int, struct vstr *);
static int cidr_match_host_bits(const struct cidr_entry *);
static int cidr_match_text_addr(const char *, unsigned char *, int *);

/* cidr_match_prefix - strict decimal prefix length in 0..max */

static int
cidr_match_prefix(const char *cp, int *len, int max, struct vstr *why)
{
    int     n = 0;
    const char *start = cp;

    if (*cp == 0)
	return (vstr_fail(why, "empty prefix length"));
    for (; *cp; cp++) {
	if (!isdigit((unsigned char) *cp) || cp - start >= 3)
	    return (vstr_fail(why, "bad prefix length \"%.20s\"", start));
	n = n * 10 + (*cp - '0');
    }
    if ((cp - start > 1 && *start == '0') || n > max)
	return (vstr_fail(why, "bad prefix length \"%.20s\"", start));
    *len = n;
    return (0);
}

/* cidr_match_host_bits - are bits beyond the prefix non-zero? */

static int
cidr_match_host_bits(const struct cidr_entry *ent)
{
    int     size = (ent->family == AF_INET ? 4 : 16);
    int     i;

    for (i = 0; i < size; i++) {
	int     bit0 = i * 8;
	unsigned mask;

	if (bit0 + 8 <= ent->len)
	    continue;
	mask = (bit0 >= ent->len) ? 0xff : (0xffu >> (ent->len - bit0));
	if (ent->net[i] & mask)
	    return (1);
    }
    return (0);
}

/* cidr_match_parse - one element: address, [v6], with optional /len */

int
cidr_match_parse(const char *pattern, struct cidr_entry *ent, struct vstr *why)
{
    char    buf[CIDR_ELEM_MAX + 1];
    char   *addr = buf;
    char   *slash;
    char   *end;
    size_t  plen = strlen(pattern);

    memset(ent, 0, sizeof(*ent));
    if (plen == 0 || plen > CIDR_ELEM_MAX)
	return (vstr_fail(why, "bad network \"%.40s\": empty or too long",
			  pattern));
    memcpy(buf, pattern, plen + 1);
    if ((slash = strchr(buf, '/')) != 0)
	*slash++ = 0;
    if (*addr == '[') {
	if ((end = strchr(addr, ']')) == 0 || end[1] != 0)
	    return (vstr_fail(why, "bad network \"%.100s\": bad brackets", pattern));
	*end = 0;
	addr++;
	if (strchr(addr, ':') == 0)
	    return (vstr_fail(why, "bad network \"%.100s\": IPv4 in brackets", pattern));
    }
    if (strchr(addr, ':') != 0) {
	ent->family = AF_INET6;
	ent->len = 128;
    } else {
	ent->family = AF_INET;
	ent->len = 32;
    }
    if (inet_pton(ent->family, addr, ent->net) != 1)
	return (vstr_fail(why, "bad network \"%.100s\": bad address", pattern));
    if (slash && cidr_match_prefix(slash, &ent->len, ent->len, why) < 0)
	return (vstr_fail(why, "bad network \"%.100s\": bad prefix length",
			  pattern));
    if (cidr_match_host_bits(ent))
	return (vstr_fail(why, "bad network \"%.100s\": non-zero host bits"
			  " after the prefix", pattern));
    return (0);
}

/* cidr_match_entry - does a binary address fall in the network? */

int
cidr_match_entry(const struct cidr_entry *ent, const unsigned char *addr,
		         int family)
{
    int     full = ent->len / 8;
    int     rest = ent->len % 8;
    unsigned mask;

    if (family != ent->family)
	return (0);
    if (full > 0 && memcmp(ent->net, addr, full) != 0)
	return (0);
    if (rest == 0)
	return (1);
    mask = (0xff00u >> rest) & 0xff;
    return ((addr[full] & mask) == ent->net[full]);
}

/* cidr_match_text_addr - printable client address to binary */

static int
cidr_match_text_addr(const char *text, unsigned char *addr, int *family)
{
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0xff, 0xff};
    unsigned char v6[16];

    if (strlen(text) > CIDR_ADDR_MAX)
	return (-1);
    if (inet_pton(AF_INET, text, addr) == 1) {
	*family = AF_INET;
	return (0);
    }
    if (inet_pton(AF_INET6, text, v6) != 1)
	return (-1);
    if (memcmp(v6, v4mapped, sizeof(v4mapped)) == 0) {
	memcpy(addr, v6 + 12, 4);
	*family = AF_INET;
    } else {
	memcpy(addr, v6, 16);
	*family = AF_INET6;
    }
    return (0);
}

/* cidr_match_addr - does the printable address match the list? */

int
cidr_match_addr(const struct cidr_match *cm, const char *text)
{
    unsigned char addr[16];
    int     family;
    int     i;

    if (cm == 0 || text == 0 || cidr_match_text_addr(text, addr, &family) < 0)
	return (0);
    for (i = 0; i < cm->count; i++)
	if (cidr_match_entry(cm->v + i, addr, family))
	    return (cm->v[i].negate ? 0 : 1);
    return (0);
}

/* cidr_match_create - parse a whole list */

struct cidr_match *
cidr_match_create(const char *list, struct vstr *why)
{
    struct cidr_match *cm = mycalloc(1, sizeof(*cm));
    struct vstr *elem = vstr_alloc(64);
    const char *cp = list;
    const char *start;
    int     cap = 0;
    int     negate;

    for (;;) {
	while (*cp == ',' || isspace((unsigned char) *cp))
	    cp++;
	if (*cp == 0)
	    break;
	if ((negate = (*cp == '!')) != 0)
	    cp++;
	for (start = cp; *cp && *cp != ',' && !isspace((unsigned char) *cp); cp++)
	     /* void */ ;
	vstr_memcpy(elem, start, cp - start);
	if (cm->count >= cap) {
	    cap = cap ? 2 * cap : 8;
	    cm->v = myrealloc(cm->v, cap * sizeof(*cm->v));
	}
	if (cidr_match_parse(vstr_str(elem), cm->v + cm->count, why) < 0) {
	    vstr_free(elem);
	    cidr_match_free(cm);
	    return (0);
	}
	cm->v[cm->count++].negate = negate;
    }
    vstr_free(elem);
    return (cm);
}

/* cidr_match_count - number of elements */

int
cidr_match_count(const struct cidr_match *cm)
{
    return (cm ? cm->count : 0);
}

/* cidr_match_free - release a list */

void
cidr_match_free(struct cidr_match *cm)
{
    if (cm == 0)
	return;
    if (cm->v)
	myfree(cm->v);
    myfree(cm);
}
