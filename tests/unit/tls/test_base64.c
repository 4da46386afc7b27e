/*
 * test_base64.c - the strict base64 codec of SMTP AUTH: RFC 4648 test
 * vectors both ways, and a table of hostile or non-canonical input
 * that must be refused (white space, bad characters, misplaced or
 * missing padding, non-zero pad bits, over-long output).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "base64_code.h"
#include "vstr.h"

struct b64_good {
    const char *plain;
    size_t  plain_len;
    const char *coded;
};

static const struct b64_good b64_good[] = {
    {"", 0, ""},
    {"f", 1, "Zg=="},
    {"fo", 2, "Zm8="},
    {"foo", 3, "Zm9v"},
    {"foob", 4, "Zm9vYg=="},
    {"fooba", 5, "Zm9vYmE="},
    {"foobar", 6, "Zm9vYmFy"},
    {"\0u\0p", 4, "AHUAcA=="},
    {"\xff\xfe\xfd", 3, "//79"},
    {"\xfb\xff", 2, "+/8="},
};

Test(base64, rfc4648_vectors_both_ways)
{
    struct vstr *out = vstr_alloc(10);
    size_t  i;

    for (i = 0; i < sizeof(b64_good) / sizeof(b64_good[0]); i++) {
	base64_encode(out, b64_good[i].plain, b64_good[i].plain_len);
	cr_assert_str_eq(vstr_str(out), b64_good[i].coded, "encode #%zu", i);
	cr_assert_eq(base64_decode(out, b64_good[i].coded,
				   strlen(b64_good[i].coded), 100), 0,
		     "decode #%zu", i);
	cr_assert_eq(vstr_len(out), b64_good[i].plain_len, "len #%zu", i);
	cr_assert(memcmp(vstr_str(out), b64_good[i].plain,
			 b64_good[i].plain_len) == 0, "bytes #%zu", i);
    }
    vstr_free(out);
}

static const char *const b64_bad[] = {
    "Zg",				/* missing padding */
    "Zg=",				/* short */
    "Zm9",
    "Z",
    "=",
    "==",
    "====",
    "Zg===",
    "Z===",				/* too much padding */
    "=Zg=",				/* padding first */
    "Zg==Zg==",				/* padding in the middle */
    "Zm=v",
    "Zh==",				/* non-zero pad bits */
    "Zm9=",				/* non-zero pad bits (9 = 0b111101) */
    " Zg==",				/* white space anywhere */
    "Zg== ",
    "Zm9v\r\n",
    "Zm 9v",
    "Zm9v\t",
    "Zm9-",				/* URL-safe alphabet */
    "Zm9_",
    "Zm9.",
    "Zm9\x80",				/* 8-bit */
    "Zm9\xff",
    "*",
};

Test(base64, hostile_and_non_canonical_refused)
{
    struct vstr *out = vstr_alloc(10);
    size_t  i;

    for (i = 0; i < sizeof(b64_bad) / sizeof(b64_bad[0]); i++) {
	vstr_strcpy(out, "stale");
	cr_assert_eq(base64_decode(out, b64_bad[i], strlen(b64_bad[i]), 100), -1,
		     "accepted bad input #%zu \"%s\"", i, b64_bad[i]);
	cr_assert_eq(vstr_len(out), 0, "output not emptied #%zu", i);
    }
    vstr_free(out);
}

Test(base64, embedded_nul_in_input_refused)
{
    struct vstr *out = vstr_alloc(10);

    cr_assert_eq(base64_decode(out, "Zm9v\0Zm9v", 8, 100), -1);
    cr_assert_eq(base64_decode(out, "Zg=\0", 4, 100), -1);
    vstr_free(out);
}

Test(base64, output_bound)
{
    struct vstr *out = vstr_alloc(10);

    cr_assert_eq(base64_decode(out, "Zm9vYmFy", 8, 6), 0);
    cr_assert_eq(base64_decode(out, "Zm9vYmFy", 8, 5), -1);
    cr_assert_eq(base64_decode(out, "Zm9vYmE=", 8, 5), 0);
    cr_assert_eq(base64_decode(out, "Zm9vYg==", 8, 4), 0);
    cr_assert_eq(base64_decode(out, "Zm9vYg==", 8, 3), -1);
    cr_assert_eq(base64_decode(out, "", 0, 0), 0);
    vstr_free(out);
}

Test(base64, long_round_trip_all_bytes)
{
    struct vstr *coded = vstr_alloc(10);
    struct vstr *out = vstr_alloc(10);
    unsigned char buf[3000];
    size_t  i, n;

    for (i = 0; i < sizeof(buf); i++)
	buf[i] = (unsigned char) (i * 7 + 3);
    for (n = 2990; n <= sizeof(buf); n++) {
	base64_encode(coded, buf, n);
	cr_assert_eq(vstr_len(coded), (n + 2) / 3 * 4);
	cr_assert_eq(base64_decode(out, vstr_str(coded), vstr_len(coded), n), 0);
	cr_assert_eq(vstr_len(out), n);
	cr_assert(memcmp(vstr_str(out), buf, n) == 0);
    }
    vstr_free(coded);
    vstr_free(out);
}
