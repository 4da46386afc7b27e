/*
 * test_mime_boundary.c - the 8-bit to 7-bit downgrade never changes the
 * MIME structure: a quoted-printable soft line break must never start an
 * output line with a boundary delimiter of an open multipart ("--XX").
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mime_downgrade.h"
#include "mymalloc.h"
#include "vstr.h"

static int
sink_out(const char *text, size_t len, int flags, void *ctx)
{
    vstr_memcat((struct vstr *) ctx, text, len);
    if (flags & MIME_DOWNGRADE_EOL)
	vstr_addch((struct vstr *) ctx, '\n');
    return (0);
}

static size_t
count_lines(const char *text, const char *prefix)
{
    size_t  n = 0;
    const char *cp;

    for (cp = text; cp; cp = strchr(cp, '\n'), cp = cp ? cp + 1 : 0)
	if (strncmp(cp, prefix, strlen(prefix)) == 0)
	    n++;
    return (n);
}

Test(mime_boundary, soft_break_never_makes_a_boundary)
{
    struct vstr *in = vstr_alloc(500);
    struct vstr *out = vstr_alloc(500);
    struct mime_downgrade *dg;
    const char *cp, *nl, *end;
    int     i;

    vstr_strcat(in, "MIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"XX\"\n\n"
		"--XX\nContent-Type: text/plain\n"
		"Content-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9\n");
    for (i = 0; i < 75; i++)
	vstr_addch(in, 'a');
    vstr_strcat(in, "--XX\nContent-Type: application/x-evil\n\nEVIL\n--XX--\n");
    dg = mime_downgrade_create(sink_out, out);
    end = vstr_str(in) + vstr_len(in);
    for (cp = vstr_str(in); cp < end; cp = nl + 1) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	cr_assert_eq(mime_downgrade_line(dg, cp, (size_t) (nl - cp), 1), 0);
    }
    cr_assert_eq(mime_downgrade_end(dg), 0);
    mime_downgrade_free(dg);
    /* Input: "--XX" starts 2 lines (open, close). Output must agree. */
    cr_assert_eq(count_lines(vstr_str(in), "--XX"), 2);
    cr_assert_eq(count_lines(vstr_str(out), "--XX"), 2,
		 "a soft break made a new boundary line:\n%s", vstr_str(out));
    vstr_free(in);
    vstr_free(out);
}
