/*
 * fuzz_mimedowngrade.c - libFuzzer target for the SMTP client's content
 * path to a server without 8BITMIME: util/mime_downgrade.c (8-bit to
 * 7-bit) followed by util/smtp_text.c (CRLF, dot-stuffing, long lines).
 *
 * Input: byte 0 is the piece size (0: whole lines, else every line is
 * fed in pieces of that many bytes), byte 1 the line length limit
 * (0: 998, else 2 + 4 * byte); the rest is the message, split at "\n".
 * Checks: every body byte the converter writes is 7-bit (headers are
 * left as they are, as Postfix leaves them); the wire text is CRLF
 * lines only, no bare CR or LF, no line that is just "."; every line,
 * less a dot doubled for transparency, is at most the limit (998 by
 * default); the output stays within a constant factor of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime_downgrade.h"
#include "smtp_text.h"
#include "vstr.h"

struct fz {
    struct smtp_text txt;
    struct vstr *wire;
};

/* fz_write - smtp_text output: collect the wire bytes */

static int
fz_write(const char *buf, size_t len, void *ctx)
{
    struct fz *fz = ctx;

    vstr_memcat(fz->wire, buf, len);
    return (0);
}

/* fz_out - converter output: body must be 7-bit; on to smtp_text */

static int
fz_out(const char *text, size_t len, int flags, void *ctx)
{
    struct fz *fz = ctx;
    size_t  n;

    if (!(flags & MIME_DOWNGRADE_HEADER))
	for (n = 0; n < len; n++)
	    if ((unsigned char) text[n] & 0x80)
		abort();
    return (smtp_text_put(&fz->txt, text, len, flags & MIME_DOWNGRADE_EOL));
}

/* fz_check_wire - CRLF lines within the limit */

static void
fz_check_wire(struct vstr *wire, size_t limit)
{
    const char *cp = vstr_str(wire);
    const char *end = cp + vstr_len(wire);
    const char *crlf;
    size_t  len;

    while (cp < end) {
	if ((crlf = memmem(cp, (size_t) (end - cp), "\r\n", 2)) == 0)
	    abort();				/* unterminated line */
	len = (size_t) (crlf - cp);
	if (memchr(cp, '\r', len) || memchr(cp, '\n', len))
	    abort();				/* bare CR or LF */
	if (len == 1 && cp[0] == '.')
	    abort();				/* would end DATA */
	if (len > 0 && cp[0] == '.')
	    len--;				/* the doubled dot */
	if (len > limit)
	    abort();
	cp = crlf + 2;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mime_downgrade *dg;
    struct fz fz;
    const char *cp;
    const char *end;
    const char *nl;
    size_t  piece;
    size_t  limit;
    size_t  len;
    size_t  n;
    size_t  chunk;

    if (size < 2)
	return (0);
    piece = data[0];
    limit = data[1] ? 2 + (size_t) data[1] * 4 : 998;
    cp = (const char *) data + 2;
    end = (const char *) data + size;
    fz.wire = vstr_alloc(size * 2 + 16);
    smtp_text_init(&fz.txt, (int) limit, fz_write, &fz);
    dg = mime_downgrade_create(fz_out, &fz);
    while (cp < end) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	len = nl ? (size_t) (nl - cp) : (size_t) (end - cp);
	if (piece == 0 || len <= piece) {
	    if (mime_downgrade_line(dg, cp, len, nl != 0) < 0)
		abort();
	} else {
	    for (n = 0; n < len; n += chunk) {
		chunk = len - n > piece ? piece : len - n;
		if (mime_downgrade_line(dg, cp + n, chunk,
					nl != 0 && n + chunk == len) < 0)
		    abort();
	    }
	}
	cp += len + (nl != 0);
    }
    if (mime_downgrade_end(dg) < 0 || smtp_text_flush(&fz.txt) < 0)
	abort();
    (void) mime_downgrade_errors(dg);
    mime_downgrade_free(dg);
    fz_check_wire(fz.wire, limit);
    if (vstr_len(fz.wire) > 16 * size + 4096)
	abort();
    vstr_free(fz.wire);
    return (0);
}
