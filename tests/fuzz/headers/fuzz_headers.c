/*
 * fuzz_headers.c - libFuzzer target for cleanup's header block parser
 * (util/header_parse.c, SECURITY-CASES D4, H).
 *
 * The first input byte picks the header size limit (16 to 4096 bytes);
 * the rest is split at '\n' into physical lines and fed to the parser
 * until it says "body". Checks: every header handed out starts with a
 * valid name of the reported length; the header block never exceeds the
 * limit; and unless the limit was hit, the headers (split at '\n') and
 * the body lines that follow are exactly the input lines, in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "header_parse.h"
#include "msg.h"
#include "vstr.h"

struct check {
    struct vstr *out;			/* headers and body lines, joined */
    size_t  used;			/* header bytes handed out */
};

/* header - parser callback: check and collect */

static void
header(const char *hdr, size_t len, size_t name_len, void *ctx)
{
    struct check *ck = ctx;

    if (name_len == 0 || header_parse_name_len(hdr, len) != name_len)
	abort();
    if (header_parse_value(hdr, len) > len)
	abort();
    (void) header_parse_name_eq(hdr, len, "received");
    ck->used += len + 1;
    vstr_memcat(ck->out, hdr, len);
    vstr_addch(ck->out, '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct header_parse *hp;
    struct check ck;
    const char *cp;
    const char *end;
    const char *nl;
    size_t  limit;
    size_t  len;
    int     st = HEADER_PARSE_OK;

    if (size < 1)
	return (0);
    limit = 16 + (size_t) data[0] * 16;
    cp = (const char *) data + 1;
    end = (const char *) data + size;
    ck.out = vstr_alloc(size + 1);
    ck.used = 0;
    hp = header_parse_create(limit, header, &ck);
    while (cp < end) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	len = nl ? (size_t) (nl - cp) : (size_t) (end - cp);
	if (st == HEADER_PARSE_OK)
	    st = header_parse_line(hp, cp, len);
	if (st == HEADER_PARSE_BODY) {
	    vstr_memcat(ck.out, cp, len);
	    vstr_addch(ck.out, '\n');
	}
	if (st == HEADER_PARSE_TOOBIG)
	    break;
	cp += len + 1;
    }
    header_parse_end(hp);
    if (ck.used > limit)
	abort();
    if (st != HEADER_PARSE_TOOBIG && size > 1) {
	/* Input lines each end in '\n' in ck.out; the input may lack one. */
	len = size - 1;
	if (vstr_len(ck.out) != len + (data[size - 1] != '\n')
	    || memcmp(vstr_str(ck.out), data + 1, len) != 0)
	    abort();
    }
    header_parse_free(hp);
    vstr_free(ck.out);
    return (0);
}
