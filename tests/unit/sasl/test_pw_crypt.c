/*
 * test_pw_crypt.c - crypt(3) password hashes: new yescrypt and SHA-512
 * hashes verify, wrong passwords and malformed or weak hashes do not,
 * a published SHA-512 crypt vector, and fresh salts.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "pw_crypt.h"
#include "vstr.h"

Test(pw_crypt, yescrypt_round_trip)
{
    struct vstr *hash = vstr_alloc(10), *why = vstr_alloc(10);

    cr_assert_eq(pw_crypt_hash("correct horse", PW_CRYPT_YESCRYPT, hash, why), 0,
		 "%s", vstr_str(why));
    cr_assert(strncmp(vstr_str(hash), "$y$", 3) == 0, "%s", vstr_str(hash));
    cr_assert_eq(pw_crypt_verify("correct horse", vstr_str(hash)), 1);
    cr_assert_eq(pw_crypt_verify("correct horsE", vstr_str(hash)), 0);
    cr_assert_eq(pw_crypt_verify("", vstr_str(hash)), 0);
    cr_assert_eq(pw_crypt_verify("correct horse ", vstr_str(hash)), 0);
    vstr_free(hash);
    vstr_free(why);
}

Test(pw_crypt, sha512_round_trip_and_fresh_salt)
{
    struct vstr *h1 = vstr_alloc(10), *h2 = vstr_alloc(10), *why = vstr_alloc(10);

    cr_assert_eq(pw_crypt_hash("pw", PW_CRYPT_SHA512, h1, why), 0);
    cr_assert_eq(pw_crypt_hash("pw", PW_CRYPT_SHA512, h2, why), 0);
    cr_assert(strncmp(vstr_str(h1), "$6$", 3) == 0);
    cr_assert_str_neq(vstr_str(h1), vstr_str(h2));
    cr_assert_eq(pw_crypt_verify("pw", vstr_str(h1)), 1);
    cr_assert_eq(pw_crypt_verify("pw", vstr_str(h2)), 1);
    cr_assert_eq(pw_crypt_verify("pW", vstr_str(h1)), 0);
    vstr_free(h1);
    vstr_free(h2);
    vstr_free(why);
}

Test(pw_crypt, published_sha512_vector)
{
    /* From Drepper's SHA-crypt specification. */
    const char *hash = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";

    cr_assert_eq(pw_crypt_verify("Hello world!", hash), 1);
    cr_assert_eq(pw_crypt_verify("Hello world?", hash), 0);
}

Test(pw_crypt, malformed_and_weak_hashes_never_match)
{
    static const char *const bad[] = {
	"",
	"*",
	"!",
	"!$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
	"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz",
	"$6$saltstring$",
	"$6$",
	"$y$",
	"$y$garbage",
	"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",	/* MD5-crypt of "password": weak */
	"saKVsy.6mH0ZY",				/* DES crypt: weak */
	"plaintext-password",
    };
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	cr_assert_eq(pw_crypt_verify("Hello world!", bad[i]), 0, "#%zu", i);
    cr_assert_eq(pw_crypt_verify("password", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"), 0);
    cr_assert_eq(pw_crypt_verify("plaintext-password", "plaintext-password"), 0);
}

Test(pw_crypt, unsupported_method_refused)
{
    struct vstr *hash = vstr_alloc(10), *why = vstr_alloc(10);

    cr_assert_eq(pw_crypt_hash("pw", "$1$", hash, why), -1);
    cr_assert_eq(pw_crypt_hash("pw", "", hash, why), -1);
    cr_assert_eq(pw_crypt_supported("$y$x"), 1);
    cr_assert_eq(pw_crypt_supported("$6$x"), 1);
    cr_assert_eq(pw_crypt_supported("$5$x"), 0);
    cr_assert_eq(pw_crypt_supported("$2b$x"), 0);
    vstr_free(hash);
    vstr_free(why);
}
