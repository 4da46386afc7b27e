/*
 * mime_header.c - the Content-Type and Content-Transfer-Encoding values
 * as the MIME downgrade needs them (see mime_header.h).
 *
 * A small RFC 2045 tokenizer: white space and RFC 822 comments are
 * skipped, a token is a run of bytes that are not tspecials, white
 * space or controls, a quoted string is unquoted. Every token lands in a
 * fixed buffer of MIME_HEADER_VALUE_MAX bytes (longer ones are cut, as
 * Postfix cuts boundaries at mime_boundary_length_limit).
 */
#include <string.h>

#include "mime_header.h"

#define MH_END		(-1)		/* no more input */
#define MH_TOKEN	(-2)		/* token in buf */
#define MH_QSTRING	(-3)		/* quoted string in buf */

#define MH_TSPECIALS	"()<>@,;:\\\"/[]?="

struct mh_scan {
    const unsigned char *cp;
    const unsigned char *end;
    char    buf[MIME_HEADER_VALUE_MAX + 1];
    size_t  len;
};

/* mh_is_token - a byte that may be part of a token */

static int
mh_is_token(int ch)
{
    return (ch > 32 && ch != 127 && (ch >= 128 || !strchr(MH_TSPECIALS, ch)));
}

/* mh_skip - white space and comments */

static void
mh_skip(struct mh_scan *sp)
{
    int     depth;

    while (sp->cp < sp->end) {
	if (*sp->cp == ' ' || *sp->cp == '\t' || *sp->cp == '\n'
	    || *sp->cp == '\r') {
	    sp->cp++;
	} else if (*sp->cp == '(') {
	    for (depth = 0; sp->cp < sp->end; sp->cp++) {
		if (*sp->cp == '\\' && sp->cp + 1 < sp->end)
		    sp->cp++;
		else if (*sp->cp == '(')
		    depth++;
		else if (*sp->cp == ')' && --depth == 0) {
		    sp->cp++;
		    break;
		}
	    }
	} else {
	    return;
	}
    }
}

/* mh_add - one byte into the token buffer, cut at the limit */

static void
mh_add(struct mh_scan *sp, int ch)
{
    if (sp->len < MIME_HEADER_VALUE_MAX)
	sp->buf[sp->len++] = ch;
}

/* mh_next - the next token, quoted string or special character */

static int
mh_next(struct mh_scan *sp)
{
    int     ch;

    mh_skip(sp);
    sp->len = 0;
    if (sp->cp >= sp->end)
	return (MH_END);
    ch = *sp->cp;
    if (ch == '"') {
	for (sp->cp++; sp->cp < sp->end && *sp->cp != '"'; sp->cp++) {
	    if (*sp->cp == '\\' && sp->cp + 1 < sp->end)
		sp->cp++;
	    mh_add(sp, *sp->cp);
	}
	if (sp->cp < sp->end)
	    sp->cp++;				/* closing quote */
	sp->buf[sp->len] = 0;
	return (MH_QSTRING);
    }
    if (mh_is_token(ch)) {
	while (sp->cp < sp->end && mh_is_token(*sp->cp))
	    mh_add(sp, *sp->cp++);
	sp->buf[sp->len] = 0;
	return (MH_TOKEN);
    }
    sp->cp++;
    return (ch);
}

/* mh_eq - ASCII case-insensitive compare of the buffer with a name */

static int
mh_eq(const struct mh_scan *sp, const char *name)
{
    size_t  i;
    int     a;

    if (sp->len != strlen(name))
	return (0);
    for (i = 0; i < sp->len; i++) {
	a = (unsigned char) sp->buf[i];
	if (a >= 'A' && a <= 'Z')
	    a += 'a' - 'A';
	if (a != name[i])
	    return (0);
    }
    return (1);
}

/* mh_init - start scanning a value */

static void
mh_init(struct mh_scan *sp, const char *val, size_t len)
{
    sp->cp = (const unsigned char *) val;
    sp->end = sp->cp + len;
    sp->len = 0;
    sp->buf[0] = 0;
}

/* mh_subtype - the subtype token, classified */

static int
mh_subtype(struct mh_scan *sp, int type)
{
    static const struct {
	int     type;
	const char *name;
	int     code;
    }       subtypes[] = {
	{MIME_TYPE_TEXT, "plain", MIME_SUB_PLAIN},
	{MIME_TYPE_MESSAGE, "rfc822", MIME_SUB_RFC822},
	{MIME_TYPE_MESSAGE, "partial", MIME_SUB_PARTIAL},
	{MIME_TYPE_MESSAGE, "external-body", MIME_SUB_EXTERNAL},
	{MIME_TYPE_MULTIPART, "digest", MIME_SUB_DIGEST},
    };
    size_t  i;

    for (i = 0; i < sizeof(subtypes) / sizeof(subtypes[0]); i++)
	if (subtypes[i].type == type && mh_eq(sp, subtypes[i].name))
	    return (subtypes[i].code);
    return (MIME_SUB_OTHER);
}

/* mh_params - "; name=value" pairs: report every boundary */

static void
mh_params(struct mh_scan *sp, int tok, mime_header_param_fn fn, void *ctx)
{
    int     is_boundary;

    for (;;) {
	while (tok != ';' && tok != MH_END)
	    tok = mh_next(sp);			/* junk: resync at ";" */
	if (tok == MH_END)
	    return;
	if ((tok = mh_next(sp)) != MH_TOKEN)
	    continue;
	is_boundary = mh_eq(sp, "boundary");
	if ((tok = mh_next(sp)) != '=')
	    continue;
	tok = mh_next(sp);
	if ((tok == MH_TOKEN || tok == MH_QSTRING) && is_boundary && fn)
	    fn(sp->buf, sp->len, ctx);
	if (tok == MH_TOKEN || tok == MH_QSTRING)
	    tok = mh_next(sp);
    }
}

/* mime_header_type - Content-Type: type, subtype, boundaries */

int
mime_header_type(const char *val, size_t len, int *subtype,
		         mime_header_param_fn fn, void *ctx)
{
    struct mh_scan scan;
    int     type = MIME_TYPE_OTHER;
    int     tok;

    *subtype = MIME_SUB_OTHER;
    mh_init(&scan, val, len);
    if ((tok = mh_next(&scan)) != MH_TOKEN)
	return (MIME_TYPE_OTHER);
    if (mh_eq(&scan, "text"))
	type = MIME_TYPE_TEXT;
    else if (mh_eq(&scan, "message"))
	type = MIME_TYPE_MESSAGE;
    else if (mh_eq(&scan, "multipart"))
	type = MIME_TYPE_MULTIPART;
    if ((tok = mh_next(&scan)) == '/') {
	if ((tok = mh_next(&scan)) == MH_TOKEN) {
	    *subtype = mh_subtype(&scan, type);
	    tok = mh_next(&scan);
	}
    }
    if (type == MIME_TYPE_MULTIPART)
	mh_params(&scan, tok, fn, ctx);
    return (type);
}

/* mime_header_encoding - Content-Transfer-Encoding value */

int
mime_header_encoding(const char *val, size_t len)
{
    static const struct {
	const char *name;
	int     code;
    }       encodings[] = {
	{"7bit", MIME_ENC_7BIT},
	{"8bit", MIME_ENC_8BIT},
	{"binary", MIME_ENC_BINARY},
	{"quoted-printable", MIME_ENC_QP},
	{"base64", MIME_ENC_BASE64},
    };
    struct mh_scan scan;
    size_t  i;

    mh_init(&scan, val, len);
    if (mh_next(&scan) != MH_TOKEN)
	return (MIME_ENC_OTHER);
    for (i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++)
	if (mh_eq(&scan, encodings[i].name))
	    return (encodings[i].code);
    return (MIME_ENC_OTHER);
}
