/*
 * sasl_codec.c - SASL PLAIN and LOGIN response decoding (see
 * sasl_codec.h).
 *
 * Kept apart from the SMTP server so that the hostile-input rules can
 * be tested and fuzzed on their own. Decoded bytes that include a
 * password are wiped before their buffer is released.
 */
#include <string.h>

#include "base64_code.h"
#include "sasl_codec.h"

/* sasl_wipe - overwrite and empty a secret */

void
sasl_wipe(struct vstr *secret)
{
    if (secret == NULL)
	return;
    explicit_bzero(vstr_str(secret), vstr_len(secret));
    vstr_reset(secret);
}

/* sasl_user_ok - 1..SASL_USER_MAX bytes, no controls, space, DEL */

static int
sasl_user_ok(const char *cp, size_t len)
{
    size_t  i;

    if (len == 0 || len > SASL_USER_MAX)
	return (0);
    for (i = 0; i < len; i++)
	if ((unsigned char) cp[i] <= ' ' || (unsigned char) cp[i] == 0x7f)
	    return (0);
    return (1);
}

/* sasl_decode - strict base64 into a buffer sized for the maximum */

static int
sasl_decode(const char *b64, size_t len, size_t max, struct vstr *out,
	            struct vstr *why)
{
    vstr_reserve(out, max + 4);			/* no copies left on growth */
    if (base64_decode(out, b64, len, max) < 0)
	return (vstr_fail(why, "malformed or over-long base64 response"));
    return (0);
}

/* sasl_plain_decode - "authzid NUL authcid NUL passwd" */

int
sasl_plain_decode(const char *b64, size_t len, struct vstr *authcid,
		          struct vstr *passwd, struct vstr *why)
{
    struct vstr *buf = vstr_alloc(SASL_PLAIN_MAX + 4);
    const char *zid, *cid, *pw, *end, *nul1, *nul2;
    int     ret = -1;

    vstr_reset(authcid);
    sasl_wipe(passwd);
    if (sasl_decode(b64, len, SASL_PLAIN_MAX, buf, why) < 0)
	goto done;
    zid = vstr_str(buf);
    end = zid + vstr_len(buf);
    if ((nul1 = memchr(zid, 0, end - zid)) == NULL
	|| (nul2 = memchr(nul1 + 1, 0, end - nul1 - 1)) == NULL
	|| memchr(nul2 + 1, 0, end - nul2 - 1) != NULL) {
	vstr_fail(why, "PLAIN response must have exactly three fields");
	goto done;
    }
    cid = nul1 + 1;
    pw = nul2 + 1;
    if (!sasl_user_ok(cid, nul2 - cid)) {
	vstr_fail(why, "bad authentication identity");
	goto done;
    }
    if (nul1 != zid && ((size_t) (nul1 - zid) != (size_t) (nul2 - cid)
			|| memcmp(zid, cid, nul1 - zid) != 0)) {
	vstr_fail(why, "authorization identity differs from authentication identity");
	goto done;
    }
    if (end == pw || (size_t) (end - pw) > SASL_PASSWD_MAX) {
	vstr_fail(why, "bad password length");
	goto done;
    }
    vstr_memcpy(authcid, cid, nul2 - cid);
    vstr_reserve(passwd, SASL_PASSWD_MAX + 4);
    vstr_memcpy(passwd, pw, end - pw);
    ret = 0;

done:
    sasl_wipe(buf);
    vstr_free(buf);
    return (ret);
}

/* sasl_login_decode - one LOGIN response: user name or password */

int
sasl_login_decode(const char *b64, size_t len, int what, struct vstr *out,
		          struct vstr *why)
{
    size_t  max = what == SASL_LOGIN_USER ? SASL_USER_MAX : SASL_PASSWD_MAX;

    sasl_wipe(out);
    if (sasl_decode(b64, len, max, out, why) < 0)
	return (-1);
    if (what == SASL_LOGIN_USER ? !sasl_user_ok(vstr_str(out), vstr_len(out))
	: (vstr_len(out) == 0 || memchr(vstr_str(out), 0, vstr_len(out)))) {
	sasl_wipe(out);
	return (vstr_fail(why, what == SASL_LOGIN_USER ?
			  "bad authentication identity" : "bad password"));
    }
    return (0);
}
