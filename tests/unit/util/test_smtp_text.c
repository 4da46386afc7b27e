/*
 * test_smtp_text.c - the DATA writer of the SMTP client
 * (util/smtp_text.c): CRLF, dot-stuffing, stray CR/LF, and lines longer
 * than smtp_line_length_limit broken with CRLF SPACE as Postfix does;
 * and the MIME header values the downgrade reads (util/mime_header.c).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "mime_header.h"
#include "mymalloc.h"
#include "smtp_text.h"
#include "vstr.h"

struct wsink {
    struct vstr *out;
    int     fail;
};

static int
wsink_write(const char *buf, size_t len, void *ctx)
{
    struct wsink *ws = ctx;

    if (ws->fail)
	return (-1);
    vstr_memcat(ws->out, buf, len);
    return (0);
}

/* put_lines - lines split at "\n", each in pieces of piece bytes (0: whole) */

static char *
put_lines(int limit, const char *in, size_t piece, long *broken)
{
    struct wsink ws = {vstr_alloc(100), 0};
    struct smtp_text txt;
    const char *cp = in;
    const char *end = in + strlen(in);
    const char *nl;
    size_t  len;
    size_t  n;

    smtp_text_init(&txt, limit, wsink_write, &ws);
    while (cp < end) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	len = nl ? (size_t) (nl - cp) : (size_t) (end - cp);
	if (piece == 0 || len == 0) {
	    cr_assert_eq(smtp_text_put(&txt, cp, len, nl != 0), 0);
	} else {
	    for (n = 0; n < len; n += piece)
		cr_assert_eq(smtp_text_put(&txt, cp + n, len - n > piece ? piece
				       : len - n, nl != 0 && len - n <= piece), 0);
	}
	cp += len + (nl != 0);
    }
    cr_assert_eq(smtp_text_flush(&txt), 0);
    if (broken)
	*broken = txt.broken;
    return (vstr_export(ws.out));
}

static void
expect_text(int limit, const char *in, const char *want)
{
    static const size_t pieces[] = {0, 1, 2, 3, 5, 1000};
    size_t  i;
    char   *got;

    for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
	got = put_lines(limit, in, pieces[i], 0);
	cr_assert_str_eq(got, want, "limit %d piece %zu", limit, pieces[i]);
	myfree(got);
    }
}

Test(smtp_text, crlf_and_dot_stuffing)
{
    expect_text(0, "a\n.\n..x\n\nb", "a\r\n..\r\n...x\r\n\r\nb\r\n");
    expect_text(998, ".hidden\n", "..hidden\r\n");
}

Test(smtp_text, stray_cr_lf_as_space)
{
    struct wsink ws = {vstr_alloc(10), 0};
    struct smtp_text txt;

    smtp_text_init(&txt, 0, wsink_write, &ws);
    cr_assert_eq(smtp_text_put(&txt, "a\rb\nc\r\n", 7, 1), 0);
    cr_assert_str_eq(vstr_str(ws.out), "a b c  \r\n");
    vstr_free(ws.out);
}

Test(smtp_text, long_lines_broken_with_crlf_space)
{
    long    broken;
    char   *got;

    expect_text(10, "0123456789\n", "0123456789\r\n");
    expect_text(10, "0123456789A\n", "0123456789\r\n A\r\n");
    expect_text(10, "0123456789ABCDEFGHIJKLMN\n",
		"0123456789\r\n ABCDEFGHI\r\n JKLMN\r\n");
    /* Headers and body alike; a dot after the break is not stuffed. */
    expect_text(5, "Subject: abc\n\n.....x\n",
		"Subje\r\n ct: \r\n abc\r\n\r\n......\r\n x\r\n");
    expect_text(3, "abc.de\n", "abc\r\n .d\r\n e\r\n");
    /* A limit of 1 still moves forward. */
    expect_text(1, "abc\n", "a\r\n b\r\n c\r\n");
    /* No limit. */
    got = put_lines(0, "0123456789ABCDEF\n", 0, &broken);
    cr_assert_str_eq(got, "0123456789ABCDEF\r\n");
    cr_assert_eq(broken, 0);
    myfree(got);
    got = put_lines(4, "0123456789\nab\n", 3, &broken);
    cr_assert_str_eq(got, "0123\r\n 456\r\n 789\r\nab\r\n");
    cr_assert_eq(broken, 2);
    myfree(got);
}

Test(smtp_text, line_2000_at_998)
{
    char    in[2002];
    char   *got;
    char   *cp;
    char   *nl;
    size_t  total = 0;

    memset(in, 'x', 2000);
    strcpy(in + 2000, "\n");
    got = put_lines(998, in, 0, 0);
    for (cp = got; (nl = strstr(cp, "\r\n")) != 0; cp = nl + 2) {
	cr_assert_leq(nl - cp, 998);
	total += (size_t) (nl - cp) - (cp != got);	/* less the space */
    }
    cr_assert_eq(total, 2000);
    myfree(got);
}

Test(smtp_text, write_failure)
{
    struct wsink ws = {vstr_alloc(10), 1};
    struct smtp_text txt;

    smtp_text_init(&txt, 10, wsink_write, &ws);
    cr_assert_eq(smtp_text_put(&txt, "abc", 3, 1), -1);
    ws.fail = 0;
    cr_assert_eq(smtp_text_put(&txt, "abc", 3, 0), 0);
    ws.fail = 1;
    cr_assert_eq(smtp_text_flush(&txt), -1);
    vstr_free(ws.out);
}

struct bounds {
    int     n;
    char    b[4][100];
};

static void
bound_cb(const char *val, size_t len, void *ctx)
{
    struct bounds *bs = ctx;

    cr_assert_lt(len, sizeof(bs->b[0]));
    if (bs->n < 4) {
	memcpy(bs->b[bs->n], val, len);
	bs->b[bs->n++][len] = 0;
    }
}

Test(mime_header, content_type)
{
    struct bounds bs;
    int     sub;
    const char *v;

    memset(&bs, 0, sizeof(bs));
    v = " Multipart/Mixed (c (nested) \\) x);\n\tBOUNDARY=\"a b\\\"c\"; x=y";
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, bound_cb, &bs),
		 MIME_TYPE_MULTIPART);
    cr_assert_eq(sub, MIME_SUB_OTHER);
    cr_assert_eq(bs.n, 1);
    cr_assert_str_eq(bs.b[0], "a b\"c");

    memset(&bs, 0, sizeof(bs));
    v = "multipart/digest; junk; boundary=tok=en; boundary = two; =; boundary";
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, bound_cb, &bs),
		 MIME_TYPE_MULTIPART);
    cr_assert_eq(sub, MIME_SUB_DIGEST);
    cr_assert_eq(bs.n, 2);
    cr_assert_str_eq(bs.b[0], "tok");
    cr_assert_str_eq(bs.b[1], "two");

    v = "text/plain; boundary=no";
    memset(&bs, 0, sizeof(bs));
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, bound_cb, &bs),
		 MIME_TYPE_TEXT);
    cr_assert_eq(sub, MIME_SUB_PLAIN);
    cr_assert_eq(bs.n, 0);
    v = "message/RFC822";
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, 0, 0), MIME_TYPE_MESSAGE);
    cr_assert_eq(sub, MIME_SUB_RFC822);
    v = "message/partial; id=1";
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, 0, 0), MIME_TYPE_MESSAGE);
    cr_assert_eq(sub, MIME_SUB_PARTIAL);
    v = "application/pdf";
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, 0, 0), MIME_TYPE_OTHER);
    cr_assert_eq(mime_header_type("", 0, &sub, 0, 0), MIME_TYPE_OTHER);
    v = "(unterminated comment";
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, 0, 0), MIME_TYPE_OTHER);
    v = "multipart/mixed; boundary=\"unterminated";
    memset(&bs, 0, sizeof(bs));
    cr_assert_eq(mime_header_type(v, strlen(v), &sub, bound_cb, &bs),
		 MIME_TYPE_MULTIPART);
    cr_assert_str_eq(bs.b[0], "unterminated");
}

static void
len_cb(const char *val, size_t len, void *ctx)
{
    (void) val;
    *(size_t *) ctx = len;
}

Test(mime_header, long_boundary_cut)
{
    struct vstr *v = vstr_alloc(5000);
    size_t  got = 0;
    int     sub;
    int     i;

    vstr_strcpy(v, "multipart/mixed; boundary=");
    for (i = 0; i < 3000; i++)
	vstr_addch(v, 'b');
    cr_assert_eq(mime_header_type(vstr_str(v), vstr_len(v), &sub, len_cb, &got),
		 MIME_TYPE_MULTIPART);
    cr_assert_eq(got, MIME_HEADER_VALUE_MAX);
    vstr_free(v);
}

Test(mime_header, encoding)
{
    static const struct {
	const char *in;
	int     want;
    }       cases[] = {
	{"7bit", MIME_ENC_7BIT},
	{" 8BIT ", MIME_ENC_8BIT},
	{"(c) binary", MIME_ENC_BINARY},
	{"Quoted-Printable", MIME_ENC_QP},
	{"\n base64", MIME_ENC_BASE64},
	{"x-uuencode", MIME_ENC_OTHER},
	{"8-bit", MIME_ENC_OTHER},
	{"", MIME_ENC_OTHER},
	{"\"8bit\"", MIME_ENC_OTHER},
    };
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	cr_assert_eq(mime_header_encoding(cases[i].in, strlen(cases[i].in)),
		     cases[i].want, "%s", cases[i].in);
}
