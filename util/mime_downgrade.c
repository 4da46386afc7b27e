/*
 * mime_downgrade.c - the 8BITMIME to 7-bit converter of the SMTP client
 * (see mime_downgrade.h), written after reading Postfix's mime_state.c
 * (MIME_OPT_DOWNGRADE) and RFC 2045/2046.
 *
 * A streaming state machine: a header block (primary, after a
 * "--boundary", or at the start of a message/rfc822) is passed through
 * line by line except Content-Transfer-Encoding headers, which are held
 * until complete (an 8bit or binary one is replaced at the end of the
 * block); Content-Type headers are also kept to find the type and the
 * boundaries. At the end of the block the body mode is chosen: raw,
 * quoted-printable, or "look ahead" for an unlabelled leaf. Body lines
 * are checked against the boundary stack at the start of each line.
 *
 * Every piece of a long line is routed by what its line is (dg->line),
 * so a state change at the start of a line never splits a line.
 */
#include <stddef.h>
#include <string.h>

#include "header_parse.h"
#include "mime_downgrade.h"
#include "mime_header.h"
#include "mymalloc.h"
#include "msg.h"
#include "vstr.h"

#define DG_HEAD		0		/* dg->state: in a header block */
#define DG_BODY		1		/* in a body */

#define DG_BLOCK_PRIMARY 0		/* the message's own headers */
#define DG_BLOCK_PART	1		/* after "--boundary" */
#define DG_BLOCK_NESTED	2		/* start of message/rfc822 */

#define DG_RAW		0		/* as is, 8-bit byte as "?" */
#define DG_RAW_QP	1		/* declared QP: 8-bit byte as "=XX" */
#define DG_QP		2		/* convert to quoted-printable */
#define DG_LOOK		3		/* unlabelled leaf: hold back */

#define DG_LINE_HDR	0		/* header line, written as it comes */
#define DG_LINE_HDR_COPY 1		/* header line, also kept (Content-Type) */
#define DG_LINE_HDR_HOLD 2		/* header line, kept, written later */
#define DG_LINE_BODY	3		/* body line in dg->mode */
#define DG_LINE_BOUNDARY 4		/* boundary line (raw) */

#define DG_HK_NONE	0		/* no header pending */
#define DG_HK_OTHER	1
#define DG_HK_CTYPE	2
#define DG_HK_CTE	3

#define DG_ENC_NONE	(-1)		/* no Content-Transfer-Encoding seen */

#define DG_END_BLANK	0		/* header block ended: empty line */
#define DG_END_GARBAGE	1		/* a line that is not a header */
#define DG_END_EOF	2		/* the end of the message */

#define DG_QP_MAX	76		/* RFC 2045 6.7 (5) */
#define DG_LOOK_REC	(1 + sizeof(size_t))	/* lookahead record head */

struct dg_bound {
    char   *text;
    size_t  len;
    int     def_type;			/* default type of the parts */
    int     def_sub;
};

struct mime_downgrade {
    mime_downgrade_out_fn out;
    void   *ctx;
    int     state;			/* DG_HEAD, DG_BODY */
    int     block;			/* DG_BLOCK_* of the header block */
    int     type;			/* current entity: MIME_TYPE_* */
    int     subtype;			/* MIME_SUB_* */
    int     enc;			/* MIME_ENC_* or DG_ENC_NONE */
    int     mode;			/* body: DG_RAW ... */
    int     bol;			/* the next piece starts a line */
    int     line;			/* DG_LINE_* of the current line */
    int     hdr_kind;			/* DG_HK_* of the pending header */
    struct vstr *hdr;			/* kept copy of the pending header */
    int     hdr_full;			/* copy stopped at the limit */
    int     hdr_held;			/* copy not yet written */
    int     saw_cte;			/* a C-T-E header was written */
    int     saw_mimever;		/* MIME-Version in this block */
    int     saw_ctype;			/* Content-Type in this block */
    struct vstr *look;			/* held-back body records */
    int     look_end;			/* DG_END_* of the block */
    struct vstr *qp;			/* quoted-printable output line */
    struct dg_bound stack[MIME_DOWNGRADE_DEPTH];
    int     depth;
    int     errors;
    int     failed;			/* out() failed */
};

static int dg_body_piece(struct mime_downgrade *, const char *, size_t, int);

/* dg_out - one output piece; nothing to do for an empty non-end */

static int
dg_out(struct mime_downgrade *dg, const char *text, size_t len, int flags)
{
    if (len == 0 && !(flags & MIME_DOWNGRADE_EOL))
	return (0);
    return (dg->out(text, len, flags, dg->ctx) < 0 ? -1 : 0);
}

/* dg_hdr_out - one added header line */

static int
dg_hdr_out(struct mime_downgrade *dg, const char *text)
{
    return (dg_out(dg, text, strlen(text),
		   MIME_DOWNGRADE_HEADER | MIME_DOWNGRADE_EOL));
}

/* dg_block_start - a new header block with its default entity */

static void
dg_block_start(struct mime_downgrade *dg, int block, int type, int sub)
{
    dg->state = DG_HEAD;
    dg->block = block;
    dg->type = type;
    dg->subtype = sub;
    dg->enc = DG_ENC_NONE;
    dg->hdr_kind = DG_HK_NONE;
    dg->hdr_held = 0;
    dg->saw_cte = dg->saw_mimever = dg->saw_ctype = 0;
}

/* mime_downgrade_create - a converter for one message */

struct mime_downgrade *
mime_downgrade_create(mime_downgrade_out_fn out, void *ctx)
{
    struct mime_downgrade *dg = mycalloc(1, sizeof(*dg));

    dg->out = out;
    dg->ctx = ctx;
    dg->hdr = vstr_alloc(100);
    dg->look = vstr_alloc(100);
    dg->qp = vstr_alloc(DG_QP_MAX + 4);
    dg->bol = 1;
    dg->line = DG_LINE_HDR;
    dg->mode = DG_RAW;
    dg_block_start(dg, DG_BLOCK_PRIMARY, MIME_TYPE_TEXT, MIME_SUB_PLAIN);
    return (dg);
}

/* dg_pop - drop the innermost boundary */

static void
dg_pop(struct mime_downgrade *dg)
{
    if (dg->depth <= 0)
	msg_panic("dg_pop: empty boundary stack");
    dg->depth--;
    myfree(dg->stack[dg->depth].text);
}

/* dg_push - Content-Type callback: one more multipart boundary */

static void
dg_push(const char *val, size_t len, void *ctx)
{
    struct mime_downgrade *dg = ctx;
    struct dg_bound *bp;
    size_t  n;

    /*
     * A boundary is 7-bit printable (RFC 2046 5.1.1). One with control or
     * 8-bit bytes is not taken: its lines then stay body text, and are
     * made 7-bit like any other.
     */
    if (len == 0)
	return;
    for (n = 0; n < len; n++)
	if ((unsigned char) val[n] < 32 || (unsigned char) val[n] > 126)
	    return;
    if (dg->depth >= MIME_DOWNGRADE_DEPTH) {
	dg->errors |= MIME_DOWNGRADE_ERR_NESTING;
	return;
    }
    bp = dg->stack + dg->depth++;
    bp->text = mymalloc(len + 1);
    memcpy(bp->text, val, len);
    bp->text[len] = 0;
    bp->len = len;
    /* mime_header_type() sets the subtype before it reports parameters. */
    if (dg->subtype == MIME_SUB_DIGEST) {
	bp->def_type = MIME_TYPE_MESSAGE;
	bp->def_sub = MIME_SUB_RFC822;
    } else {
	bp->def_type = MIME_TYPE_TEXT;
	bp->def_sub = MIME_SUB_PLAIN;
    }
}

/* dg_keep - add a header piece to the kept copy; -1 when it won't fit */

static int
dg_keep(struct mime_downgrade *dg, const char *text, size_t len, int newline)
{
    size_t  n;

    if (dg->hdr_full
	|| len + newline > MIME_DOWNGRADE_HEADER_MAX - vstr_len(dg->hdr)) {
	dg->hdr_full = 1;
	return (-1);
    }
    if (newline)
	vstr_addch(dg->hdr, '\n');
    for (n = 0; n < len; n++)
	vstr_addch(dg->hdr, text[n] == '\r' || text[n] == '\n' ? ' ' : text[n]);
    return (0);
}

/* dg_hdr_write - write the kept copy, one output line per line */

static int
dg_hdr_write(struct mime_downgrade *dg, int last_eol)
{
    const char *cp = vstr_str(dg->hdr);
    const char *end = cp + vstr_len(dg->hdr);
    const char *nl;

    while ((nl = memchr(cp, '\n', (size_t) (end - cp))) != 0) {
	if (dg_out(dg, cp, (size_t) (nl - cp),
		   MIME_DOWNGRADE_HEADER | MIME_DOWNGRADE_EOL) < 0)
	    return (-1);
	cp = nl + 1;
    }
    return (dg_out(dg, cp, (size_t) (end - cp), MIME_DOWNGRADE_HEADER
		   | (last_eol ? MIME_DOWNGRADE_EOL : 0)));
}

/* dg_hdr_piece - a piece of a header line, by what the header is */

static int
dg_hdr_piece(struct mime_downgrade *dg, const char *text, size_t len,
	             int eol, int newline)
{
    int     flags = MIME_DOWNGRADE_HEADER | (eol ? MIME_DOWNGRADE_EOL : 0);

    switch (dg->line) {
    case DG_LINE_HDR_COPY:
	(void) dg_keep(dg, text, len, newline);
	break;
    case DG_LINE_HDR_HOLD:
	if (dg_keep(dg, text, len, newline) == 0)
	    return (0);
	/* Too long to be a real encoding: out as it is, no replacing. */
	if (dg_hdr_write(dg, newline) < 0)
	    return (-1);
	dg->hdr_held = 0;
	dg->saw_cte = 1;
	dg->line = DG_LINE_HDR;
	break;
    }
    return (dg_out(dg, text, len, flags));
}

/* dg_hdr_start - the first line of a header */

static int
dg_hdr_start(struct mime_downgrade *dg, const char *text, size_t len, int eol)
{
    vstr_reset(dg->hdr);
    dg->hdr_full = 0;
    dg->hdr_held = 0;
    dg->line = DG_LINE_HDR;
    dg->hdr_kind = DG_HK_OTHER;
    if (header_parse_name_eq(text, len, "content-type")) {
	dg->hdr_kind = DG_HK_CTYPE;
	dg->line = DG_LINE_HDR_COPY;
	dg->saw_ctype = 1;
    } else if (header_parse_name_eq(text, len, "content-transfer-encoding")) {
	dg->hdr_kind = DG_HK_CTE;
	dg->line = DG_LINE_HDR_HOLD;
	dg->hdr_held = 1;
    } else if (header_parse_name_eq(text, len, "mime-version")) {
	dg->saw_mimever = 1;
    }
    return (dg_hdr_piece(dg, text, len, eol, 0));
}

/* dg_hdr_done - a header is complete: learn from it, write a held one */

static int
dg_hdr_done(struct mime_downgrade *dg)
{
    const char *hdr = vstr_str(dg->hdr);
    size_t  len = vstr_len(dg->hdr);
    size_t  val = header_parse_value(hdr, len);
    int     kind = dg->hdr_kind;

    dg->hdr_kind = DG_HK_NONE;
    if (kind == DG_HK_CTYPE) {
	dg->type = mime_header_type(hdr + val, len - val, &dg->subtype,
				    dg_push, dg);
    } else if (kind == DG_HK_CTE) {
	dg->enc = mime_header_encoding(hdr + val, len - val);
	if (dg->hdr_held) {
	    dg->hdr_held = 0;
	    /* 8bit and binary are replaced at the end of the block. */
	    if (dg->enc != MIME_ENC_8BIT && dg->enc != MIME_ENC_BINARY) {
		dg->saw_cte = 1;
		return (dg_hdr_write(dg, 1));
	    }
	}
    }
    return (0);
}

/* dg_raw - a body piece as it is, 8-bit bytes made 7-bit */

static int
dg_raw(struct mime_downgrade *dg, const char *text, size_t len, int eol,
           int as_qp)
{
    static const char hex[] = "0123456789ABCDEF";
    char    rep[3];
    size_t  start;
    size_t  n;
    int     ch;

    for (start = n = 0; n < len; n++) {
	if (((ch = (unsigned char) text[n]) & 0x80) == 0)
	    continue;
	if (dg_out(dg, text + start, n - start, 0) < 0)
	    return (-1);
	rep[0] = as_qp ? '=' : '?';
	rep[1] = hex[ch >> 4];
	rep[2] = hex[ch & 15];
	if (dg_out(dg, rep, as_qp ? 3 : 1, 0) < 0)
	    return (-1);
	start = n + 1;
    }
    return (dg_out(dg, text + start, len - start,
		   eol ? MIME_DOWNGRADE_EOL : 0));
}

/* dg_qp_flush - write the pending quoted-printable line */

static int
dg_qp_flush(struct mime_downgrade *dg, int soft)
{
    int     rc;

    if (soft)
	vstr_addch(dg->qp, '=');
    rc = dg_out(dg, vstr_str(dg->qp), vstr_len(dg->qp), MIME_DOWNGRADE_EOL);
    vstr_reset(dg->qp);
    return (rc);
}

/* dg_qp_add - one encoded unit, with a soft break when it won't fit */

static int
dg_qp_add(struct mime_downgrade *dg, const char *unit, size_t n)
{
    /* Keep one byte for the "=" of a soft line break. */
    if (vstr_len(dg->qp) + n > DG_QP_MAX - 1 && dg_qp_flush(dg, 1) < 0)
	return (-1);

    /*
     * A "-" that starts an output line (after a soft break, or the first
     * byte of a line) is encoded: otherwise a soft break could turn text
     * into a "--boundary" line of an open multipart, and the next hop
     * would see another MIME structure than ours.
     */
    if (vstr_len(dg->qp) == 0 && n == 1 && unit[0] == '-') {
	unit = "=2D";
	n = 3;
    }
    vstr_memcat(dg->qp, unit, n);
    return (0);
}

/* dg_qp - a body piece encoded quoted-printable */

static int
dg_qp(struct mime_downgrade *dg, const char *text, size_t len, int eol)
{
    static const char hex[] = "0123456789ABCDEF";
    char    unit[3];
    size_t  n;
    size_t  qlen;
    int     ch;

    for (n = 0; n < len; n++) {
	ch = (unsigned char) text[n];
	if ((ch > 32 && ch < 127 && ch != '=') || ch == ' ' || ch == '\t') {
	    unit[0] = ch;
	    if (dg_qp_add(dg, unit, 1) < 0)
		return (-1);
	} else {
	    unit[0] = '=';
	    unit[1] = hex[ch >> 4];
	    unit[2] = hex[ch & 15];
	    if (dg_qp_add(dg, unit, 3) < 0)
		return (-1);
	}
    }
    if (!eol)
	return (0);

    /*
     * White space at the end of a line must be encoded (RFC 2045 6.7 (3)).
     * When the encoded form does not fit, a soft break goes before it.
     */
    if ((qlen = vstr_len(dg->qp)) > 0
	&& ((ch = vstr_str(dg->qp)[qlen - 1]) == ' ' || ch == '\t')) {
	vstr_truncate(dg->qp, qlen - 1);
	if (qlen - 1 + 3 > DG_QP_MAX && dg_qp_flush(dg, 1) < 0)
	    return (-1);
	vstr_strcat(dg->qp, ch == ' ' ? "=20" : "=09");
    }
    return (dg_qp_flush(dg, 0));
}

/* dg_look_resolve - end of the lookahead: convert (QP) or raw */

static int
dg_look_resolve(struct mime_downgrade *dg, int convert)
{
    const char *cp = vstr_str(dg->look);
    const char *end = cp + vstr_len(dg->look);
    size_t  len;
    int     eol;
    int     added = 0;

    dg->mode = convert ? DG_QP : DG_RAW;
    if (convert) {
	if (dg->block != DG_BLOCK_PART && !dg->saw_mimever) {
	    if (dg_hdr_out(dg, "MIME-Version: 1.0") < 0
		|| (!dg->saw_ctype && dg_hdr_out(dg, "Content-Type: "
				       "text/plain; charset=unknown-8bit") < 0))
		return (-1);
	}
	if (dg_hdr_out(dg, "Content-Transfer-Encoding: quoted-printable") < 0)
	    return (-1);
	added = 1;
    }
    if ((dg->look_end == DG_END_BLANK
	 || (dg->look_end == DG_END_GARBAGE && added))
	&& dg_out(dg, "", 0, MIME_DOWNGRADE_EOL) < 0)
	return (-1);
    while (end - cp >= (ptrdiff_t) DG_LOOK_REC) {
	eol = *cp;
	memcpy(&len, cp + 1, sizeof(len));
	cp += DG_LOOK_REC;
	if (len > (size_t) (end - cp))
	    msg_panic("dg_look_resolve: corrupt lookahead record");
	if (dg_body_piece(dg, cp, len, eol) < 0)
	    return (-1);
	cp += len;
    }
    vstr_reset(dg->look);
    return (0);
}

/* dg_look - hold back a piece of an unlabelled leaf body */

static int
dg_look(struct mime_downgrade *dg, const char *text, size_t len, int eol)
{
    size_t  n;
    char    flag = eol ? 1 : 0;

    for (n = 0; n < len; n++) {
	if ((unsigned char) text[n] & 0x80) {
	    if (dg_look_resolve(dg, 1) < 0)
		return (-1);
	    return (dg_body_piece(dg, text, len, eol));
	}
    }
    if (vstr_len(dg->look) + DG_LOOK_REC > MIME_DOWNGRADE_LOOKAHEAD
	|| len > MIME_DOWNGRADE_LOOKAHEAD - DG_LOOK_REC - vstr_len(dg->look)) {
	if (dg_look_resolve(dg, 0) < 0)
	    return (-1);
	return (dg_body_piece(dg, text, len, eol));
    }
    vstr_memcat(dg->look, &flag, 1);
    vstr_memcat(dg->look, &len, sizeof(len));
    vstr_memcat(dg->look, text, len);
    return (0);
}

/* dg_body_piece - a piece of a body line, in the current mode */

static int
dg_body_piece(struct mime_downgrade *dg, const char *text, size_t len,
	              int eol)
{
    switch (dg->mode) {
    case DG_QP:
	return (dg_qp(dg, text, len, eol));
    case DG_LOOK:
	return (dg_look(dg, text, len, eol));
    case DG_RAW_QP:
	return (dg_raw(dg, text, len, eol, 1));
    default:
	return (dg_raw(dg, text, len, eol, 0));
    }
}

/* dg_block_end - a header block ends: choose the body mode */

static int
dg_block_end(struct mime_downgrade *dg, int how)
{
    int     eightbit;
    int     nested;
    int     added = 0;

    if (dg_hdr_done(dg) < 0)
	return (-1);
    eightbit = (dg->enc == MIME_ENC_8BIT || dg->enc == MIME_ENC_BINARY);
    nested = (dg->type == MIME_TYPE_MESSAGE && dg->subtype == MIME_SUB_RFC822);

    /*
     * Multipart and message/rfc822 only take a domain (7bit, 8bit,
     * binary); their parts are converted one by one. A leaf gets
     * quoted-printable. Once some C-T-E header went out (two of them, or
     * an over-long one), no label is added: the body is then only made
     * 7-bit byte by byte, so the labels never contradict each other.
     */
    if (dg->type == MIME_TYPE_MULTIPART || nested) {
	dg->mode = DG_RAW;
	if (eightbit && !dg->saw_cte) {
	    if (dg_hdr_out(dg, "Content-Transfer-Encoding: 7bit") < 0)
		return (-1);
	    added = 1;
	}
    } else if (eightbit) {
	dg->mode = DG_RAW;
	if (!dg->saw_cte) {
	    if (dg_hdr_out(dg, "Content-Transfer-Encoding: "
			   "quoted-printable") < 0)
		return (-1);
	    dg->mode = DG_QP;
	    added = 1;
	}
    } else if (dg->enc == MIME_ENC_QP) {
	dg->mode = DG_RAW_QP;
    } else if (dg->enc == DG_ENC_NONE && how != DG_END_EOF) {
	dg->mode = DG_LOOK;
	dg->look_end = how;
	vstr_reset(dg->look);
    } else {
	dg->mode = DG_RAW;
    }
    if (dg->mode != DG_LOOK
	&& (how == DG_END_BLANK || (how == DG_END_GARBAGE && added))
	&& dg_out(dg, "", 0, MIME_DOWNGRADE_EOL) < 0)
	return (-1);

    /*
     * Only an empty line leads into a nested message or a multipart
     * preamble (as in Postfix); anything else is body of this entity.
     */
    if (how == DG_END_BLANK && nested) {
	dg_block_start(dg, DG_BLOCK_NESTED, MIME_TYPE_TEXT, MIME_SUB_PLAIN);
	return (0);
    }
    dg->state = DG_BODY;
    if (how == DG_END_BLANK && dg->type == MIME_TYPE_MULTIPART) {
	dg->type = MIME_TYPE_OTHER;
	dg->subtype = MIME_SUB_OTHER;
	dg->enc = DG_ENC_NONE;
	dg->mode = DG_RAW;
    }
    return (0);
}

/* dg_boundary - is this body line a boundary? switch state if so */

static int
dg_boundary(struct mime_downgrade *dg, const char *text, size_t len)
{
    struct dg_bound *bp;
    int     i;
    int     close;

    if (dg->depth == 0 || len < 3 || text[0] != '-' || text[1] != '-')
	return (0);
    for (i = dg->depth - 1; i >= 0; i--) {
	bp = dg->stack + i;
	if (len - 2 < bp->len || memcmp(text + 2, bp->text, bp->len) != 0)
	    continue;
	if (dg->mode == DG_LOOK && dg_look_resolve(dg, 0) < 0)
	    return (-1);
	close = (len - 2 - bp->len >= 2 && text[2 + bp->len] == '-'
		 && text[3 + bp->len] == '-');
	while (dg->depth > i + 1)
	    dg_pop(dg);
	if (close) {
	    dg_pop(dg);
	    dg->state = DG_BODY;
	    dg->type = MIME_TYPE_OTHER;
	    dg->subtype = MIME_SUB_OTHER;
	    dg->enc = DG_ENC_NONE;
	    dg->mode = DG_RAW;
	} else {
	    dg_block_start(dg, DG_BLOCK_PART, bp->def_type, bp->def_sub);
	}
	return (1);
    }
    return (0);
}

/* dg_line_start - the first piece of a line */

static int
dg_line_start(struct mime_downgrade *dg, const char *text, size_t len,
	              int eol)
{
    int     rc;

    if (dg->state == DG_HEAD) {
	if (dg->hdr_kind != DG_HK_NONE && len > 0
	    && (text[0] == ' ' || text[0] == '\t'))
	    return (dg_hdr_piece(dg, text, len, eol, 1));
	if (dg_hdr_done(dg) < 0)
	    return (-1);
	if (header_parse_name_len(text, len) > 0)
	    return (dg_hdr_start(dg, text, len, eol));
	if (len == 0 && eol)
	    return (dg_block_end(dg, DG_END_BLANK));
	if (dg_block_end(dg, DG_END_GARBAGE) < 0)
	    return (-1);
	/* This line is the first body line (or a boundary). */
    }
    if ((rc = dg_boundary(dg, text, len)) < 0)
	return (-1);
    if (rc > 0) {
	dg->line = DG_LINE_BOUNDARY;
	return (dg_raw(dg, text, len, eol, 0));
    }
    dg->line = DG_LINE_BODY;
    return (dg_body_piece(dg, text, len, eol));
}

/* mime_downgrade_line - one line, or a piece of one */

int
mime_downgrade_line(struct mime_downgrade *dg, const char *text, size_t len,
		            int eol)
{
    int     bol = dg->bol;
    int     rc;

    if (dg->failed)
	return (-1);
    dg->bol = (eol != 0);
    if (bol)
	rc = dg_line_start(dg, text, len, eol);
    else if (dg->line == DG_LINE_BODY)
	rc = dg_body_piece(dg, text, len, eol);
    else if (dg->line == DG_LINE_BOUNDARY)
	rc = dg_raw(dg, text, len, eol, 0);
    else
	rc = dg_hdr_piece(dg, text, len, eol, 0);
    if (rc < 0)
	dg->failed = 1;
    return (rc);
}

/* mime_downgrade_end - the end of the message: flush */

int
mime_downgrade_end(struct mime_downgrade *dg)
{
    int     rc = 0;

    if (dg->failed)
	return (-1);
    if (!dg->bol && mime_downgrade_line(dg, "", 0, 1) < 0)
	return (-1);
    if (dg->state == DG_HEAD)
	rc = dg_block_end(dg, DG_END_EOF);
    else if (dg->mode == DG_LOOK)
	rc = dg_look_resolve(dg, 0);
    if (rc < 0)
	dg->failed = 1;
    return (rc);
}

/* mime_downgrade_errors - MIME_DOWNGRADE_ERR_* seen so far */

int
mime_downgrade_errors(struct mime_downgrade *dg)
{
    return (dg->errors);
}

/* mime_downgrade_strerror - text for an error mask */

const char *
mime_downgrade_strerror(int errors)
{
    if (errors & MIME_DOWNGRADE_ERR_NESTING)
	return ("MIME nesting exceeds safety limit");
    return ("no MIME error");
}

/* mime_downgrade_free - destroy a converter */

void
mime_downgrade_free(struct mime_downgrade *dg)
{
    while (dg->depth > 0)
	dg_pop(dg);
    vstr_free(dg->hdr);
    vstr_free(dg->look);
    vstr_free(dg->qp);
    myfree(dg);
}
