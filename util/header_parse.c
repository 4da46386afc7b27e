/*
 * header_parse.c - turn the physical lines at the start of a message
 * into logical header fields, and find where the body starts (see
 * header_parse.h).
 *
 * This is the part of cleanup's header handling that sees raw bytes, so
 * it lives here, free of daemon state, where the fuzz target
 * (tests/fuzz/headers) and the unit tests can drive it directly. What a
 * header means (hop count, Message-ID, ...) is cleanup_message.c's job.
 */
#include <string.h>

#include "header_parse.h"
#include "mymalloc.h"
#include "msg.h"
#include "vstr.h"

#define HP_HEADERS	0		/* in the header block */
#define HP_BODY		1		/* header block ended */
#define HP_TOOBIG	2		/* limit exceeded */

struct header_parse {
    size_t  limit;			/* header block bytes, lines + 1 each */
    size_t  used;			/* so far */
    int     state;			/* HP_* */
    struct vstr *pending;		/* logical header being collected */
    size_t  name_len;			/* of the pending header */
    header_parse_fn fn;
    void   *ctx;
};

#define HP_IS_WSP(c)	((c) == ' ' || (c) == '\t')
#define HP_IS_FTEXT(c)	((c) > 32 && (c) < 127 && (c) != ':')

/* header_parse_create - a parser for one message */

struct header_parse *
header_parse_create(size_t limit, header_parse_fn fn, void *ctx)
{
    struct header_parse *hp = mymalloc(sizeof(*hp));

    if (fn == 0)
	msg_panic("header_parse_create: no callback");
    hp->limit = limit;
    hp->used = 0;
    hp->state = HP_HEADERS;
    hp->pending = vstr_alloc(256);
    hp->name_len = 0;
    hp->fn = fn;
    hp->ctx = ctx;
    return (hp);
}

/* header_parse_free - release */

void
header_parse_free(struct header_parse *hp)
{
    vstr_free(hp->pending);
    myfree(hp);
}

/* header_parse_name_len - length of the header name, 0: not a header */

size_t
header_parse_name_len(const char *line, size_t len)
{
    const unsigned char *cp = (const unsigned char *) line;
    size_t  name;
    size_t  i;

    for (name = 0; name < len && HP_IS_FTEXT(cp[name]); name++)
	 /* void */ ;
    if (name == 0)
	return (0);
    for (i = name; i < len && HP_IS_WSP(cp[i]); i++)
	 /* void */ ;
    return (i < len && cp[i] == ':' ? name : 0);
}

/* header_parse_name_eq - does this header have that name? */

int
header_parse_name_eq(const char *hdr, size_t len, const char *name)
{
    size_t  nlen = strlen(name);
    size_t  i;
    int     a;
    int     b;

    if (header_parse_name_len(hdr, len) != nlen)
	return (0);
    for (i = 0; i < nlen; i++) {
	a = (unsigned char) hdr[i];
	b = (unsigned char) name[i];
	if (a >= 'A' && a <= 'Z')
	    a += 'a' - 'A';
	if (b >= 'A' && b <= 'Z')
	    b += 'a' - 'A';
	if (a != b)
	    return (0);
    }
    return (1);
}

/* header_parse_value - offset of the value: past the colon and blanks */

size_t
header_parse_value(const char *hdr, size_t len)
{
    size_t  i;

    if (header_parse_name_len(hdr, len) == 0)
	return (len);
    for (i = 0; i < len && hdr[i] != ':'; i++)
	 /* void */ ;
    for (i++; i < len && (HP_IS_WSP(hdr[i]) || hdr[i] == '\n'); i++)
	 /* void */ ;
    return (i);
}

/* header_parse_flush - hand the pending header to the caller */

static void
header_parse_flush(struct header_parse *hp)
{
    if (hp->name_len > 0)
	hp->fn(vstr_str(hp->pending), vstr_len(hp->pending), hp->name_len,
	       hp->ctx);
    vstr_reset(hp->pending);
    hp->name_len = 0;
}

/* header_parse_room - bytes a header line may still have */

size_t
header_parse_room(struct header_parse *hp)
{
    if (hp->state != HP_HEADERS || hp->used >= hp->limit)
	return (0);
    return (hp->limit - hp->used - 1);
}

/* header_parse_line - one physical line (see header_parse.h) */

int
header_parse_line(struct header_parse *hp, const char *line, size_t len)
{
    size_t  name_len = 0;
    int     cont;

    if (hp->state == HP_TOOBIG)
	return (HEADER_PARSE_TOOBIG);
    if (hp->state == HP_BODY)
	return (HEADER_PARSE_BODY);
    cont = (len > 0 && HP_IS_WSP(line[0]) && hp->name_len > 0);
    if (!cont && (name_len = header_parse_name_len(line, len)) == 0) {
	header_parse_flush(hp);
	hp->state = HP_BODY;
	return (HEADER_PARSE_BODY);
    }
    /* used + len + 1 <= limit, without overflow. */
    if (hp->used >= hp->limit || len > hp->limit - hp->used - 1) {
	vstr_reset(hp->pending);
	hp->name_len = 0;
	hp->state = HP_TOOBIG;
	return (HEADER_PARSE_TOOBIG);
    }
    hp->used += len + 1;
    if (cont) {
	vstr_addch(hp->pending, '\n');
    } else {
	header_parse_flush(hp);
	hp->name_len = name_len;
    }
    vstr_memcat(hp->pending, line, len);
    return (HEADER_PARSE_OK);
}

/* header_parse_end - end of message: the header block is over */

void
header_parse_end(struct header_parse *hp)
{
    if (hp->state == HP_HEADERS) {
	header_parse_flush(hp);
	hp->state = HP_BODY;
    }
}
