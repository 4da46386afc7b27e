/*
 * fuzz_sasl.c - libFuzzer target for the SMTP AUTH input decoders:
 * strict base64, SASL PLAIN and LOGIN responses. Checks that decoded
 * output re-encodes to the input (one canonical spelling) and that the
 * PLAIN fields obey their rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64_code.h"
#include "sasl_codec.h"
#include "vstr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vstr *out = vstr_alloc(10), *again = vstr_alloc(10);
    struct vstr *user = vstr_alloc(10), *pass = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    const char *in = (const char *) data;

    if (base64_decode(out, in, size, 64 * 1024) == 0) {
	base64_encode(again, vstr_str(out), vstr_len(out));
	if (vstr_len(again) != size || memcmp(vstr_str(again), in, size) != 0)
	    abort();				/* not canonical */
    } else if (vstr_len(out) != 0)
	abort();
    if (sasl_plain_decode(in, size, user, pass, why) == 0) {
	if (vstr_len(user) == 0 || vstr_len(user) > SASL_USER_MAX
	    || vstr_len(pass) == 0 || vstr_len(pass) > SASL_PASSWD_MAX
	    || memchr(vstr_str(pass), 0, vstr_len(pass))
	    || strlen(vstr_str(user)) != vstr_len(user))
	    abort();
    }
    if (sasl_login_decode(in, size, SASL_LOGIN_USER, user, why) == 0
	&& (vstr_len(user) == 0 || strpbrk(vstr_str(user), " \t\r\n")))
	abort();
    (void) sasl_login_decode(in, size, SASL_LOGIN_PASSWD, pass, why);
    vstr_free(out);
    vstr_free(again);
    vstr_free(user);
    vstr_free(pass);
    vstr_free(why);
    return (0);
}
