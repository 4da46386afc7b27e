/*
 * fuzz_smtpaddr.c - libFuzzer target for the RFC 5321 path parser
 * (util/smtp_addr.c): quoted local parts, UTF-8, source routes, address
 * literals, length limits.
 *
 * Properties checked beyond "no crash": an accepted path starts with "<"
 * and ends with ">" within the input; the kept mailbox is within the
 * length limits, holds no control character, holds 8-bit bytes only in
 * UTF-8 mode, and is itself a valid mailbox (the parser accepts its own
 * output); whatever is accepted without SMTPUTF8 is accepted the same
 * way with it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_addr.h"
#include "vstr.h"

/* check_ok - invariants of an accepted path */

static void
check_ok(const char *s, size_t len, int flags, struct vstr *addr, size_t used)
{
    size_t  i;

    if (used < 2 || used > len || used > SMTP_ADDR_PATH_MAX
	|| s[0] != '<' || s[used - 1] != '>')
	abort();
    for (i = 0; i < vstr_len(addr); i++) {
	unsigned char ch = (unsigned char) vstr_str(addr)[i];

	if (ch < 32 || ch == 127)
	    abort();
	if (ch >= 128 && !(flags & SMTP_ADDR_FLAG_UTF8))
	    abort();
    }
    if (vstr_len(addr) == 0) {
	if (!(flags & SMTP_ADDR_FLAG_NULL_OK) || used != 2)
	    abort();
    } else if (smtp_addr_mailbox(vstr_str(addr), vstr_len(addr), flags) != 0) {
	abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vstr *a1 = vstr_alloc(10);
    struct vstr *a2 = vstr_alloc(10);
    const char *s = (const char *) data;
    size_t  used1 = 0;
    size_t  used2 = 0;
    int     st1;
    int     st2;

    st1 = smtp_addr_path(s, size, SMTP_ADDR_FLAG_NULL_OK, a1, &used1);
    st2 = smtp_addr_path(s, size, SMTP_ADDR_FLAG_NULL_OK | SMTP_ADDR_FLAG_UTF8,
			 a2, &used2);
    if (st1 == SMTP_ADDR_OK)
	check_ok(s, size, SMTP_ADDR_FLAG_NULL_OK, a1, used1);
    if (st2 == SMTP_ADDR_OK)
	check_ok(s, size, SMTP_ADDR_FLAG_NULL_OK | SMTP_ADDR_FLAG_UTF8, a2, used2);
    if (st1 == SMTP_ADDR_OK && (st2 != SMTP_ADDR_OK || used1 != used2
				|| strcmp(vstr_str(a1), vstr_str(a2)) != 0))
	abort();
    (void) smtp_addr_mailbox(s, size, SMTP_ADDR_FLAG_UTF8);
    vstr_free(a1);
    vstr_free(a2);
    return (0);
}
