/*
 * test_mime_downgrade.c - the 8BITMIME to 7-bit converter
 * (util/mime_downgrade.c): 8bit text, multipart with an 8bit part and
 * a base64 part, nested multipart, message/rfc822, parts without a
 * Content-Transfer-Encoding header, broken and unterminated boundaries,
 * long lines and soft breaks, "=" and trailing white space, the nesting
 * limit, and the promise that 7-bit mail comes out unchanged. Every
 * message is also fed in small pieces: the output must not change.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mime_downgrade.h"
#include "mymalloc.h"
#include "vstr.h"

struct sink {
    struct vstr *out;			/* output, lines ended by "\n" */
    int     body8;			/* an 8-bit byte outside headers */
    size_t  col;			/* current body line length */
    size_t  body_max;			/* longest body line */
    int     fail_after;			/* > 0: out() fails after so many */
};

/* sink_out - converter output: collect and check */

static int
sink_out(const char *text, size_t len, int flags, void *ctx)
{
    struct sink *sk = ctx;
    size_t  n;

    if (sk->fail_after > 0 && --sk->fail_after == 0)
	return (-1);
    vstr_memcat(sk->out, text, len);
    if (!(flags & MIME_DOWNGRADE_HEADER)) {
	for (n = 0; n < len; n++)
	    if ((unsigned char) text[n] & 0x80)
		sk->body8 = 1;
	sk->col += len;
	if (sk->col > sk->body_max)
	    sk->body_max = sk->col;
    }
    if (flags & MIME_DOWNGRADE_EOL) {
	vstr_addch(sk->out, '\n');
	sk->col = 0;
    }
    return (0);
}

/*
 * feed - the lines of in (split at "\n"); a line longer than FIRST goes
 * as a first piece of FIRST bytes, then pieces of piece bytes (the
 * converter sees headers and boundaries in the first piece only, as
 * queue_read_line() pieces are 4096 bytes or more).
 */
#define FIRST	80


static int
feed(struct mime_downgrade *dg, const char *in, size_t piece)
{
    const char *cp = in;
    const char *end = in + strlen(in);
    const char *nl;
    size_t  len;
    size_t  n;

    while (cp < end) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	len = nl ? (size_t) (nl - cp) : (size_t) (end - cp);
	if (piece == 0 || len <= FIRST) {
	    if (mime_downgrade_line(dg, cp, len, nl != 0) < 0)
		return (-1);
	} else {
	    if (mime_downgrade_line(dg, cp, FIRST, 0) < 0)
		return (-1);
	    for (n = FIRST; n < len; n += piece)
		if (mime_downgrade_line(dg, cp + n, len - n > piece ? piece
					: len - n, nl != 0 && len - n <= piece) < 0)
		    return (-1);
	}
	cp += len + (nl != 0);
    }
    return (mime_downgrade_end(dg));
}

/* run - convert a message; check the 7-bit promise; return the output */

static char *
run_piece(const char *in, size_t piece, int *errors)
{
    struct sink sk;
    struct mime_downgrade *dg;

    memset(&sk, 0, sizeof(sk));
    sk.out = vstr_alloc(100);
    dg = mime_downgrade_create(sink_out, &sk);
    cr_assert_eq(feed(dg, in, piece), 0);
    if (errors)
	*errors = mime_downgrade_errors(dg);
    mime_downgrade_free(dg);
    cr_assert_eq(sk.body8, 0, "8-bit body output for:\n%s", in);
    return (vstr_export(sk.out));
}

/* run - convert whole and in pieces; both must agree */

static char *
run(const char *in)
{
    static const size_t pieces[] = {1, 3, 7, 64};
    char   *whole = run_piece(in, 0, 0);
    char   *part;
    size_t  i;

    for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
	part = run_piece(in, pieces[i], 0);
	cr_assert_str_eq(part, whole, "piece size %zu differs", pieces[i]);
	myfree(part);
    }
    return (whole);
}

/* expect - in converts to out */

static void
expect(const char *in, const char *out)
{
    char   *got = run(in);

    cr_assert_str_eq(got, out, "input:\n%s", in);
    myfree(got);
}

Test(mime_downgrade, plain_8bit_text)
{
    expect("Subject: x\n"
	   "MIME-Version: 1.0\n"
	   "Content-Type: text/plain; charset=utf-8\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "Date: today\n"
	   "\n"
	   "caf\xc3\xa9 = cr\xc3\xa8me \n"
	   "\n"
	   "tab\t\n",
	   "Subject: x\n"
	   "MIME-Version: 1.0\n"
	   "Content-Type: text/plain; charset=utf-8\n"
	   "Date: today\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "caf=C3=A9 =3D cr=C3=A8me=20\n"
	   "\n"
	   "tab=09\n");
}

Test(mime_downgrade, binary_and_case_insensitive)
{
    expect("content-transfer-encoding: BINARY\n"
	   "CONTENT-TYPE: Text/Plain\n"
	   "\n"
	   "\x01\x7f\xff\n",
	   "CONTENT-TYPE: Text/Plain\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=01=7F=FF\n");
}

Test(mime_downgrade, multipart_8bit_and_base64)
{
    expect("From: a@b\n"
	   "MIME-Version: 1.0\n"
	   "Content-Type: multipart/mixed; boundary=\"XX\"\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "preamble\n"
	   "--XX\n"
	   "Content-Type: text/plain; charset=utf-8\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "caf\xc3\xa9\n"
	   "--XX\n"
	   "Content-Type: application/octet-stream\n"
	   "Content-Transfer-Encoding: base64\n"
	   "\n"
	   "AAEC/w==\n"
	   "--XX--\n"
	   "epilogue\n",
	   "From: a@b\n"
	   "MIME-Version: 1.0\n"
	   "Content-Type: multipart/mixed; boundary=\"XX\"\n"
	   "Content-Transfer-Encoding: 7bit\n"
	   "\n"
	   "preamble\n"
	   "--XX\n"
	   "Content-Type: text/plain; charset=utf-8\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "caf=C3=A9\n"
	   "--XX\n"
	   "Content-Type: application/octet-stream\n"
	   "Content-Transfer-Encoding: base64\n"
	   "\n"
	   "AAEC/w==\n"
	   "--XX--\n"
	   "epilogue\n");
}

Test(mime_downgrade, nested_multipart)
{
    expect("Content-Type: multipart/mixed; boundary=outer\n"
	   "\n"
	   "--outer\n"
	   "Content-Type: multipart/alternative;\n"
	   "\tboundary=\"inner\" (comment)\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "--inner\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe9\n"
	   "--inner\n"
	   "Content-Type: text/html\n"
	   "\n"
	   "<p>ok</p>\n"
	   "--inner--\n"
	   "--outer\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe8\n"
	   "--outer--\n",
	   "Content-Type: multipart/mixed; boundary=outer\n"
	   "\n"
	   "--outer\n"
	   "Content-Type: multipart/alternative;\n"
	   "\tboundary=\"inner\" (comment)\n"
	   "Content-Transfer-Encoding: 7bit\n"
	   "\n"
	   "--inner\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9\n"
	   "--inner\n"
	   "Content-Type: text/html\n"
	   "\n"
	   "<p>ok</p>\n"
	   "--inner--\n"
	   "--outer\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E8\n"
	   "--outer--\n");
}

Test(mime_downgrade, message_rfc822)
{
    expect("Content-Type: multipart/mixed; boundary=b1\n"
	   "\n"
	   "--b1\n"
	   "Content-Type: message/rfc822\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "Subject: inner\n"
	   "Content-Type: text/plain; charset=iso-8859-1\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe9t\xe9\n"
	   "--b1--\n",
	   "Content-Type: multipart/mixed; boundary=b1\n"
	   "\n"
	   "--b1\n"
	   "Content-Type: message/rfc822\n"
	   "Content-Transfer-Encoding: 7bit\n"
	   "\n"
	   "Subject: inner\n"
	   "Content-Type: text/plain; charset=iso-8859-1\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9t=E9\n"
	   "--b1--\n");
    /* At the top, and the inner message without MIME-Version. */
    expect("Content-Type: message/rfc822\n"
	   "\n"
	   "Subject: inner\n"
	   "\n"
	   "\xe9\n",
	   "Content-Type: message/rfc822\n"
	   "\n"
	   "Subject: inner\n"
	   "MIME-Version: 1.0\n"
	   "Content-Type: text/plain; charset=unknown-8bit\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9\n");
}

Test(mime_downgrade, digest_parts_default_to_message)
{
    expect("Content-Type: multipart/digest; boundary=d\n"
	   "\n"
	   "--d\n"
	   "\n"
	   "Subject: one\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe9\n"
	   "--d--\n",
	   "Content-Type: multipart/digest; boundary=d\n"
	   "\n"
	   "--d\n"
	   "\n"
	   "Subject: one\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9\n"
	   "--d--\n");
}

Test(mime_downgrade, part_without_cte)
{
    /* 8-bit found: the header is added; 7-bit: nothing changes. */
    expect("MIME-Version: 1.0\n"
	   "Content-Type: multipart/mixed; boundary=b\n"
	   "\n"
	   "--b\n"
	   "Content-Type: text/plain; charset=utf-8\n"
	   "\n"
	   "line one\n"
	   "caf\xc3\xa9\n"
	   "--b\n"
	   "Content-Type: text/plain\n"
	   "\n"
	   "a=b\n"
	   "--b--\n",
	   "MIME-Version: 1.0\n"
	   "Content-Type: multipart/mixed; boundary=b\n"
	   "\n"
	   "--b\n"
	   "Content-Type: text/plain; charset=utf-8\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "line one\n"
	   "caf=C3=A9\n"
	   "--b\n"
	   "Content-Type: text/plain\n"
	   "\n"
	   "a=b\n"
	   "--b--\n");
}

Test(mime_downgrade, non_mime_8bit_message)
{
    expect("Subject: old\n"
	   "\n"
	   "hello\n"
	   "gr\xfc\xdf""e\n",
	   "Subject: old\n"
	   "MIME-Version: 1.0\n"
	   "Content-Type: text/plain; charset=unknown-8bit\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "hello\n"
	   "gr=FC=DFe\n");
    /* No empty line after the headers: one is added with the headers. */
    expect("Subject: old\n"
	   "gr\xfc\xdf""e\n",
	   "Subject: old\n"
	   "MIME-Version: 1.0\n"
	   "Content-Type: text/plain; charset=unknown-8bit\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "gr=FC=DFe\n");
}

Test(mime_downgrade, seven_bit_unchanged)
{
    static const char *msgs[] = {
	"Subject: plain\n\nhello\n.dot\n\n",
	"Subject: no body\n",
	"",
	"no headers at all\nsecond = line \n",
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/alternative; boundary=\"=_x\"\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"--=_x\n"
	"Content-Type: text/plain\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"caf=C3=A9 \n"
	"--=_x\n"
	"Content-Type: text/html\n"
	"\n"
	"<b>x</b>  \n"
	"--=_x--\n"
	"\n",
	"Subject: garbage header block\n"
	"this is not a header\n"
	"body\n",
	"Subject: a\n\tfolded\n  twice\nContent-Transfer-Encoding:\n 7bit\n\nx\n",
    };
    size_t  i;
    char   *got;

    for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
	got = run(msgs[i]);
	cr_assert_str_eq(got, msgs[i]);
	myfree(got);
    }
}

Test(mime_downgrade, headers_left_alone)
{
    char   *got = run("Subject: =?utf-8?q?x?= caf\xc3\xa9\n"
		      "Content-Transfer-Encoding: 8bit\n"
		      "\n"
		      "\xc3\xa9\n");

    cr_assert_str_eq(got, "Subject: =?utf-8?q?x?= caf\xc3\xa9\n"
		     "Content-Transfer-Encoding: quoted-printable\n"
		     "\n"
		     "=C3=A9\n");
    myfree(got);
}

Test(mime_downgrade, folded_cte_header)
{
    expect("Content-Transfer-Encoding:\n"
	   "  8bit  (really)\n"
	   "X-After: 1\n"
	   "\n"
	   "\xe9\n",
	   "X-After: 1\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9\n");
}

Test(mime_downgrade, unterminated_and_broken_boundaries)
{
    /* No closing boundary: the message just ends. */
    expect("Content-Type: multipart/mixed; boundary=b\n"
	   "\n"
	   "--b\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe9",
	   "Content-Type: multipart/mixed; boundary=b\n"
	   "\n"
	   "--b\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9\n");
    /* Trailing junk after a boundary is ignored (as Postfix). */
    expect("Content-Type: multipart/mixed; boundary=b\n"
	   "\n"
	   "--b  junk\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe9\n"
	   "--b-- \xff\n"
	   "\xe9 epilogue\n",
	   "Content-Type: multipart/mixed; boundary=b\n"
	   "\n"
	   "--b  junk\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9\n"
	   "--b-- ?\n"
	   "? epilogue\n");
    /* No boundary parameter: everything is preamble, made 7-bit. */
    expect("Content-Type: multipart/mixed\n"
	   "\n"
	   "--b\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe9\n",
	   "Content-Type: multipart/mixed\n"
	   "\n"
	   "--b\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "?\n");
    /* An 8-bit boundary is not taken; an empty one neither. */
    expect("Content-Type: multipart/mixed; boundary=\"\xe9\"\n"
	   "\n"
	   "--\xe9\n",
	   "Content-Type: multipart/mixed; boundary=\"\xe9\"\n"
	   "\n"
	   "--?\n");
    /* A closing outer boundary closes the inner multipart too. */
    expect("Content-Type: multipart/mixed; boundary=o\n"
	   "\n"
	   "--o\n"
	   "Content-Type: multipart/mixed; boundary=i\n"
	   "\n"
	   "--i\n"
	   "Content-Transfer-Encoding: 8bit\n"
	   "\n"
	   "\xe9\n"
	   "--o--\n"
	   "--i\n"
	   "\xe9\n",
	   "Content-Type: multipart/mixed; boundary=o\n"
	   "\n"
	   "--o\n"
	   "Content-Type: multipart/mixed; boundary=i\n"
	   "\n"
	   "--i\n"
	   "Content-Transfer-Encoding: quoted-printable\n"
	   "\n"
	   "=E9\n"
	   "--o--\n"
	   "--i\n"
	   "?\n");
}

Test(mime_downgrade, declared_7bit_and_qp_with_8bit)
{
    expect("Content-Transfer-Encoding: 7bit\n\n\xe9t\xe9\n",
	   "Content-Transfer-Encoding: 7bit\n\n?t?\n");
    expect("Content-Transfer-Encoding: quoted-printable\n\n\xe9t=E9\n",
	   "Content-Transfer-Encoding: quoted-printable\n\n=E9t=E9\n");
    expect("Content-Transfer-Encoding: base64\n\nAA\xff==\n",
	   "Content-Transfer-Encoding: base64\n\nAA?==\n");
    /* Two C-T-E headers: no label is added, bytes are made 7-bit. */
    expect("Content-Transfer-Encoding: 7bit\n"
	   "Content-Transfer-Encoding: 8bit\n\n\xe9\n",
	   "Content-Transfer-Encoding: 7bit\n\n?\n");
}

/* qp_case - an 8bit body line; the quoted-printable body expected */

static void
qp_case(const char *body, const char *want_body)
{
    struct vstr *in = vstr_alloc(300);
    struct vstr *want = vstr_alloc(300);

    vstr_sprintf(in, "Content-Transfer-Encoding: 8bit\n\n%s\n", body);
    vstr_sprintf(want, "Content-Transfer-Encoding: quoted-printable\n\n%s\n",
		 want_body);
    expect(vstr_str(in), vstr_str(want));
    vstr_free(in);
    vstr_free(want);
}

/* rep - n copies of a byte */

static const char *
rep(char *buf, int ch, size_t n, const char *tail)
{
    memset(buf, ch, n);
    strcpy(buf + n, tail);
    return (buf);
}

Test(mime_downgrade, soft_breaks_at_76)
{
    char    in[300];
    char    a[300];
    char    b[300];

    /* 100 bytes: 75 and "=", then 25. */
    rep(a, 'a', 75, "=\n");
    qp_case(rep(in, 'a', 100, ""), strcat(a, rep(b, 'a', 25, "")));
    /* 76 bytes fit in no line: the same rule. */
    rep(a, 'a', 75, "=\na");
    qp_case(rep(in, 'a', 76, ""), a);
    /* 75 bytes fit. */
    qp_case(rep(in, 'a', 75, ""), rep(a, 'a', 75, ""));
    /* 74 bytes and a trailing space: "=20" does not fit, breaks first. */
    qp_case(rep(in, 'b', 74, " "), rep(a, 'b', 74, "=\n=20"));
    /* 72 bytes and a trailing tab: "=09" fits (75). */
    qp_case(rep(in, 'b', 72, "\t"), rep(a, 'b', 72, "=09"));
    /* Escapes never split: 73 bytes then "=", "=3D" goes on. */
    qp_case(rep(in, 'c', 73, "=x"), rep(a, 'c', 73, "=\n=3Dx"));
    /* Inner white space stays, controls and "=" are encoded. */
    qp_case("a b\tc=d\x01\x7f", "a b\tc=3Dd=01=7F");
}

Test(mime_downgrade, long_lines_qp_and_pieces)
{
    struct vstr *in = vstr_alloc(10000);
    char   *got;
    char   *cp;
    char   *nl;
    size_t  i;
    size_t  decoded = 0;

    vstr_strcpy(in, "Content-Transfer-Encoding: 8bit\n\n");
    for (i = 0; i < 9000; i++)
	vstr_addch(in, i % 7 == 0 ? (char) 0xe9 : (char) ('a' + i % 26));
    vstr_addch(in, '\n');
    got = run(vstr_str(in));
    cp = strstr(got, "\n\n") + 2;
    for (; (nl = strchr(cp, '\n')) != 0; cp = nl + 1) {
	cr_assert_leq(nl - cp, 76);
	for (i = 0; cp + i < nl; i++) {
	    if (cp[i] == '=' && cp + i + 1 == nl)
		break;				/* soft break */
	    if (cp[i] == '=')
		i += 2;
	    decoded++;
	}
    }
    cr_assert_eq(decoded, 9000);
    myfree(got);
    vstr_free(in);
}

Test(mime_downgrade, lookahead_limit)
{
    struct vstr *in = vstr_alloc(80000);
    char   *got;
    int     i;

    vstr_strcpy(in, "Subject: big\n\n");
    for (i = 0; i < 1000; i++)
	vstr_strcat(in, "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789\n");
    vstr_strcat(in, "late \xe9\n");
    got = run_piece(vstr_str(in), 0, 0);
    cr_assert_eq(strstr(got, "Content-Transfer-Encoding"), 0);
    cr_assert_neq(strstr(got, "\nlate ?\n"), 0);
    cr_assert_eq(strlen(got), vstr_len(in));
    myfree(got);
    vstr_free(in);
}

Test(mime_downgrade, nesting_limit)
{
    struct vstr *in = vstr_alloc(10000);
    char   *got;
    int     errors;
    int     i;

    for (i = 0; i <= MIME_DOWNGRADE_DEPTH; i++)
	vstr_sprintf_append(in, "Content-Type: multipart/mixed; boundary=b%d\n"
			    "\n--b%d\n", i, i);
    vstr_strcat(in, "Content-Transfer-Encoding: 8bit\n\n\xe9\n");
    got = run_piece(vstr_str(in), 0, &errors);
    cr_assert_eq(errors, MIME_DOWNGRADE_ERR_NESTING);
    cr_assert_str_eq(mime_downgrade_strerror(errors),
		     "MIME nesting exceeds safety limit");
    myfree(got);
    vstr_free(in);

    in = vstr_alloc(100);
    for (i = 0; i < MIME_DOWNGRADE_DEPTH; i++)
	vstr_sprintf_append(in, "Content-Type: multipart/mixed; boundary=b%d\n"
			    "\n--b%d\n", i, i);
    got = run_piece(vstr_str(in), 0, &errors);
    cr_assert_eq(errors, 0);
    myfree(got);
    vstr_free(in);
}

Test(mime_downgrade, huge_cte_header_passes)
{
    struct vstr *in = vstr_alloc(40000);
    char   *got;
    int     i;

    vstr_strcpy(in, "Content-Transfer-Encoding: 8bit\n");
    for (i = 0; i < 2000; i++)
	vstr_strcat(in, " (padding padding)\n");
    vstr_strcat(in, "\n\xe9\n");
    got = run_piece(vstr_str(in), 0, 0);
    /* Too long to hold: written as is, and the body made 7-bit. */
    cr_assert_eq(strncmp(got, vstr_str(in), vstr_len(in) - 2), 0);
    cr_assert_str_eq(got + vstr_len(in) - 2, "?\n");
    myfree(got);
    vstr_free(in);
}

Test(mime_downgrade, output_failure_stops)
{
    struct sink sk;
    struct mime_downgrade *dg;

    memset(&sk, 0, sizeof(sk));
    sk.out = vstr_alloc(100);
    sk.fail_after = 2;
    dg = mime_downgrade_create(sink_out, &sk);
    cr_assert_eq(mime_downgrade_line(dg, "Subject: x", 10, 1), 0);
    cr_assert_eq(mime_downgrade_line(dg, "X: y", 4, 1), -1);
    cr_assert_eq(mime_downgrade_line(dg, "more", 4, 1), -1);
    cr_assert_eq(mime_downgrade_end(dg), -1);
    mime_downgrade_free(dg);
    vstr_free(sk.out);
}
