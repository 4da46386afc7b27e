/*
 * test_sasl_codec.c - decoding of SASL PLAIN and LOGIN responses:
 * the three PLAIN fields, authzid rules, user name rules, bounds, and
 * hostile encodings.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "base64_code.h"
#include "sasl_codec.h"
#include "vstr.h"

/* plain - decode the base64 of len raw bytes as a PLAIN response */

static int
plain(const char *raw, size_t len, struct vstr *user, struct vstr *pass,
      struct vstr *why)
{
    struct vstr *b64 = vstr_alloc(100);
    int     ret;

    base64_encode(b64, raw, len);
    ret = sasl_plain_decode(vstr_str(b64), vstr_len(b64), user, pass, why);
    vstr_free(b64);
    return (ret);
}

#define PLAIN(s) plain((s), sizeof(s) - 1, user, pass, why)

Test(sasl_codec, plain_good)
{
    struct vstr *user = vstr_alloc(10), *pass = vstr_alloc(10), *why = vstr_alloc(10);

    cr_assert_eq(PLAIN("\0alice\0s3cret"), 0);
    cr_assert_str_eq(vstr_str(user), "alice");
    cr_assert_str_eq(vstr_str(pass), "s3cret");
    cr_assert_eq(PLAIN("alice\0alice\0pw with spaces"), 0);
    cr_assert_str_eq(vstr_str(pass), "pw with spaces");
    cr_assert_eq(PLAIN("\0j\xc3\xbcrgen@example.org\0x"), 0);
    cr_assert_str_eq(vstr_str(user), "j\xc3\xbcrgen@example.org");
    /* RFC 4616 example. */
    cr_assert_eq(sasl_plain_decode("AHRpbQB0YW5zdGFhZnRhbnN0YWFm", 28, user, pass, why), 0);
    cr_assert_str_eq(vstr_str(user), "tim");
    cr_assert_str_eq(vstr_str(pass), "tanstaaftanstaaf");
    vstr_free(user);
    vstr_free(pass);
    vstr_free(why);
}

Test(sasl_codec, plain_bad)
{
    struct vstr *user = vstr_alloc(10), *pass = vstr_alloc(10), *why = vstr_alloc(10);
    char    big[SASL_PASSWD_MAX + 20];

    cr_assert_eq(PLAIN("alice\0s3cret"), -1);		/* two fields */
    cr_assert_eq(PLAIN("alice"), -1);			/* one field */
    cr_assert_eq(PLAIN(""), -1);
    cr_assert_eq(PLAIN("\0alice\0pw\0"), -1);		/* four fields */
    cr_assert_eq(PLAIN("\0alice\0p\0w"), -1);
    cr_assert_eq(PLAIN("\0\0pw"), -1);			/* empty authcid */
    cr_assert_eq(PLAIN("\0alice\0"), -1);		/* empty password */
    cr_assert_eq(PLAIN("bob\0alice\0pw"), -1);		/* proxy authz */
    cr_assert_str_eq(vstr_str(why), "authorization identity differs from authentication identity");
    cr_assert_eq(PLAIN("alicex\0alice\0pw"), -1);
    cr_assert_eq(PLAIN("alic\0alice\0pw"), -1);
    cr_assert_eq(PLAIN("\0al ice\0pw"), -1);		/* space in user */
    cr_assert_eq(PLAIN("\0al\nice\0pw"), -1);		/* control in user */
    cr_assert_eq(PLAIN("\0al\x7fice\0pw"), -1);
    cr_assert_eq(vstr_len(user), 0);
    cr_assert_eq(vstr_len(pass), 0);
    /* Bad base64 and over-long input. */
    cr_assert_eq(sasl_plain_decode("AGFsaWNlAHB3", 11, user, pass, why), -1);
    cr_assert_eq(sasl_plain_decode("AGFsaWNlAHB3 ", 13, user, pass, why), -1);
    memset(big, 'p', sizeof(big));
    big[0] = 0;
    big[1] = 'u';
    big[2] = 0;
    cr_assert_eq(plain(big, 3 + SASL_PASSWD_MAX, user, pass, why), 0);
    cr_assert_eq(vstr_len(pass), SASL_PASSWD_MAX);
    cr_assert_eq(plain(big, 4 + SASL_PASSWD_MAX, user, pass, why), -1);
    cr_assert_eq(plain(big, sizeof(big), user, pass, why), -1);
    vstr_free(user);
    vstr_free(pass);
    vstr_free(why);
}

Test(sasl_codec, plain_error_text_has_no_secret)
{
    struct vstr *user = vstr_alloc(10), *pass = vstr_alloc(10), *why = vstr_alloc(10);

    cr_assert_eq(PLAIN("root\0alice\0topsecret"), -1);
    cr_assert_null(strstr(vstr_str(why), "topsecret"));
    cr_assert_null(strstr(vstr_str(why), "alice"));
    vstr_free(user);
    vstr_free(pass);
    vstr_free(why);
}

Test(sasl_codec, login)
{
    struct vstr *out = vstr_alloc(10), *why = vstr_alloc(10);
    struct vstr *b64 = vstr_alloc(10);

    cr_assert_eq(sasl_login_decode("dXNlcm5hbWU=", 12, SASL_LOGIN_USER, out, why), 0);
    cr_assert_str_eq(vstr_str(out), "username");
    cr_assert_eq(sasl_login_decode("cGEgc3M=", 8, SASL_LOGIN_PASSWD, out, why), 0);
    cr_assert_str_eq(vstr_str(out), "pa ss");
    /* A space is fine in a password, not in a user name. */
    cr_assert_eq(sasl_login_decode("cGEgc3M=", 8, SASL_LOGIN_USER, out, why), -1);
    cr_assert_eq(sasl_login_decode("", 0, SASL_LOGIN_USER, out, why), -1);
    cr_assert_eq(sasl_login_decode("", 0, SASL_LOGIN_PASSWD, out, why), -1);
    /* NUL inside a LOGIN value. */
    base64_encode(b64, "a\0b", 3);
    cr_assert_eq(sasl_login_decode(vstr_str(b64), vstr_len(b64), SASL_LOGIN_PASSWD, out, why), -1);
    cr_assert_eq(sasl_login_decode(vstr_str(b64), vstr_len(b64), SASL_LOGIN_USER, out, why), -1);
    cr_assert_eq(vstr_len(out), 0);
    cr_assert_eq(sasl_login_decode("dXNlcm5hbWU", 11, SASL_LOGIN_USER, out, why), -1);
    cr_assert_eq(sasl_login_decode("*", 1, SASL_LOGIN_USER, out, why), -1);
    vstr_free(out);
    vstr_free(why);
    vstr_free(b64);
}

Test(sasl_codec, login_length_bounds)
{
    struct vstr *out = vstr_alloc(10), *why = vstr_alloc(10);
    struct vstr *b64 = vstr_alloc(10);
    char    buf[SASL_PASSWD_MAX + 1];

    memset(buf, 'u', sizeof(buf));
    base64_encode(b64, buf, SASL_USER_MAX);
    cr_assert_eq(sasl_login_decode(vstr_str(b64), vstr_len(b64), SASL_LOGIN_USER, out, why), 0);
    base64_encode(b64, buf, SASL_USER_MAX + 1);
    cr_assert_eq(sasl_login_decode(vstr_str(b64), vstr_len(b64), SASL_LOGIN_USER, out, why), -1);
    base64_encode(b64, buf, SASL_PASSWD_MAX);
    cr_assert_eq(sasl_login_decode(vstr_str(b64), vstr_len(b64), SASL_LOGIN_PASSWD, out, why), 0);
    base64_encode(b64, buf, SASL_PASSWD_MAX + 1);
    cr_assert_eq(sasl_login_decode(vstr_str(b64), vstr_len(b64), SASL_LOGIN_PASSWD, out, why), -1);
    vstr_free(out);
    vstr_free(why);
    vstr_free(b64);
}

Test(sasl_codec, wipe)
{
    struct vstr *s = vstr_alloc(10);

    vstr_strcpy(s, "secret");
    sasl_wipe(s);
    cr_assert_eq(vstr_len(s), 0);
    cr_assert_eq(memcmp(s->data, "\0\0\0\0\0\0", 6), 0);
    sasl_wipe(NULL);
    vstr_free(s);
}
