/*
 * test_stringops.c - the bounded string helpers: truncation edges of
 * str_copy, trimming, tokenising with empty fields, prefix and case
 * tests, and str_all_printable on control and 8-bit bytes.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "stringops.h"

Test(stringops, copy_fits_and_truncates)
{
    char    buf[6];

    memset(buf, 'Z', sizeof(buf));
    cr_assert_eq(str_copy(buf, sizeof(buf), "hello"), 0);
    cr_assert_str_eq(buf, "hello");
    cr_assert_eq(str_copy(buf, sizeof(buf), "hello!"), -1);
    cr_assert_str_eq(buf, "hello");
    cr_assert_eq(str_copy(buf, 1, "x"), -1);
    cr_assert_eq(buf[0], 0);
    buf[0] = 'Z';
    cr_assert_eq(str_copy(buf, 0, "x"), -1);
    cr_assert_eq(buf[0], 'Z', "wrote into a zero-size buffer");
    cr_assert_eq(str_copy(buf, sizeof(buf), ""), 0);
    cr_assert_str_eq(buf, "");
}

Test(stringops, lower)
{
    char    s[] = "MAIL From:<Bob@Example.ORG>\xc4";

    cr_assert_eq(str_lower(s), s);
    cr_assert_str_eq(s, "mail from:<bob@example.org>\xc4");
}

Test(stringops, trim)
{
    struct {
	const char *in;
	const char *out;
    }       cases[] = {
	{"", ""},
	{"   ", ""},
	{"a", "a"},
	{"  a b  ", "a b"},
	{"\t\r\n x \r\n", "x"},
	{"no-space", "no-space"},
    };
    char    buf[64];
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	strcpy(buf, cases[i].in);
	cr_assert_eq(str_trim(buf), buf);
	cr_assert_str_eq(buf, cases[i].out, "trim(\"%s\")", cases[i].in);
    }
}

Test(stringops, token)
{
    char    buf[] = ",, a,b ,,c  ";
    char   *cp = buf;

    cr_assert_str_eq(str_token(&cp, ", "), "a");
    cr_assert_str_eq(str_token(&cp, ", "), "b");
    cr_assert_str_eq(str_token(&cp, ", "), "c");
    cr_assert_null(str_token(&cp, ", "));
    cr_assert_null(str_token(&cp, ", "));
    cp = NULL;
    cr_assert_null(str_token(&cp, ", "));
}

Test(stringops, token_empty_and_delims_only)
{
    char    empty[] = "";
    char    delims[] = " \t \t";
    char   *cp = empty;

    cr_assert_null(str_token(&cp, " "));
    cp = delims;
    cr_assert_null(str_token(&cp, " \t"));
}

Test(stringops, split_at)
{
    char    buf[] = "user@example.org@x";
    char   *rest;

    rest = str_split_at(buf, '@');
    cr_assert_str_eq(buf, "user");
    cr_assert_str_eq(rest, "example.org@x");
    cr_assert_null(str_split_at(buf, '@'));
    cr_assert_str_eq(buf, "user");
}

Test(stringops, prefix_and_case)
{
    cr_assert(str_prefix("MAIL FROM:", "MAIL"));
    cr_assert(str_prefix("abc", ""));
    cr_assert_not(str_prefix("MA", "MAIL"));
    cr_assert_not(str_prefix("mail", "MAIL"));
    cr_assert(str_case_eq("HeLo", "helo"));
    cr_assert_not(str_case_eq("helo", "ehlo"));
    cr_assert_not(str_case_eq("helo", "helo "));
}

Test(stringops, all_printable)
{
    cr_assert(str_all_printable("Hello, world ~!", 15));
    cr_assert(str_all_printable("", 0));
    cr_assert_not(str_all_printable("a\tb", 3));
    cr_assert_not(str_all_printable("a\0b", 3));
    cr_assert_not(str_all_printable("a\x7f", 2));
    cr_assert_not(str_all_printable("caf\xc3\xa9", 5));
    cr_assert_not(str_all_printable("line\r\n", 6));
    cr_assert(str_all_printable("ab\x01", 2), "looked past len");
}
