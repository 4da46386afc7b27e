/*
 * test_conv.c - table-driven tests for conv_time(), conv_size() and
 * conv_int(): good values, malformed input and overflow at the edges.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include <criterion/criterion.h>

#include "conv_time.h"
#include "conv_size.h"

struct time_case {
    const char *str;
    int     def_unit;
    int     status;
    long    value;
};

static const struct time_case time_cases[] = {
    {"0", 's', 0, 0},
    {"30", 's', 0, 30},
    {"30s", 'd', 0, 30},
    {"5m", 's', 0, 300},
    {"1h", 's', 0, 3600},
    {"5d", 's', 0, 5 * 86400L},
    {"5", 'd', 0, 5 * 86400L},
    {"2", 'w', 0, 14 * 86400L},
    {"1w", 's', 0, 7 * 86400L},
    {"007m", 's', 0, 420},
    {"9223372036854775807", 's', 0, LONG_MAX},
    {"9223372036854775807s", 'd', 0, LONG_MAX},
    {"153722867280912930m", 's', 0, 153722867280912930L * 60},
    /* bad syntax */
    {"", 's', -1, 0},
    {"s", 's', -1, 0},
    {"-1", 's', -1, 0},
    {"+1", 's', -1, 0},
    {" 1", 's', -1, 0},
    {"1 ", 's', -1, 0},
    {"1 s", 's', -1, 0},
    {"1x", 's', -1, 0},
    {"1S", 's', -1, 0},
    {"1ss", 's', -1, 0},
    {"1hm", 's', -1, 0},
    {"1h30m", 's', -1, 0},
    {"0x10", 's', -1, 0},
    {"1.5h", 's', -1, 0},
    {"1\n", 's', -1, 0},
    {"\xff", 's', -1, 0},
    /* overflow */
    {"9223372036854775808", 's', -1, 0},
    {"99999999999999999999999999", 's', -1, 0},
    {"153722867280912931m", 's', -1, 0},
    {"9223372036854775807m", 's', -1, 0},
    {"106751991167301", 'd', -1, 0},
    {"15250284452472", 'w', -1, 0},
};

Test(conv_time, table)
{
    size_t  i;
    long    value;
    int     status;

    for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
	const struct time_case *tc = time_cases + i;

	value = -42;
	status = conv_time(tc->str, tc->def_unit, &value);
	cr_assert_eq(status, tc->status, "conv_time(\"%s\", '%c') = %d, want %d",
		     tc->str, tc->def_unit, status, tc->status);
	if (tc->status == 0)
	    cr_assert_eq(value, tc->value, "conv_time(\"%s\") value %ld, want %ld",
			 tc->str, value, tc->value);
	else
	    cr_assert_eq(value, -42, "conv_time(\"%s\") changed result on error",
			 tc->str);
    }
}

Test(conv_time, null_string)
{
    long    value = 7;

    cr_assert_eq(conv_time(NULL, 's', &value), -1);
    cr_assert_eq(value, 7);
}

Test(conv_time, bad_default_unit_panics, .signal = SIGABRT)
{
    long    value;

    (void) conv_time("1", 'x', &value);
}

struct size_case {
    const char *str;
    int     status;
    long long value;
};

static const struct size_case size_cases[] = {
    {"0", 0, 0},
    {"10240000", 0, 10240000},
    {"1k", 0, 1024},
    {"1K", 0, 1024},
    {"50m", 0, 50LL << 20},
    {"50M", 0, 50LL << 20},
    {"2g", 0, 2LL << 30},
    {"2G", 0, 2LL << 30},
    {"9223372036854775807", 0, LLONG_MAX},
    {"8589934591G", 0, 8589934591LL << 30},
    {"9007199254740991k", 0, 9007199254740991LL << 10},
    /* bad syntax */
    {"", -1, 0},
    {"k", -1, 0},
    {"-1", -1, 0},
    {"+1", -1, 0},
    {" 1", -1, 0},
    {"1 ", -1, 0},
    {"1b", -1, 0},
    {"1kb", -1, 0},
    {"1KB", -1, 0},
    {"1t", -1, 0},
    {"1.5m", -1, 0},
    {"0x100", -1, 0},
    {"1k\n", -1, 0},
    /* overflow */
    {"9223372036854775808", -1, 0},
    {"18446744073709551616", -1, 0},
    {"8589934592G", -1, 0},
    {"9007199254740992k", -1, 0},
    {"9223372036854775807k", -1, 0},
};

Test(conv_size, table)
{
    size_t  i;
    long long value;
    int     status;

    for (i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
	const struct size_case *tc = size_cases + i;

	value = -42;
	status = conv_size(tc->str, &value);
	cr_assert_eq(status, tc->status, "conv_size(\"%s\") = %d, want %d",
		     tc->str, status, tc->status);
	if (tc->status == 0)
	    cr_assert_eq(value, tc->value, "conv_size(\"%s\") value %lld, want %lld",
			 tc->str, value, tc->value);
	else
	    cr_assert_eq(value, -42, "conv_size(\"%s\") changed result on error",
			 tc->str);
    }
}

struct int_case {
    const char *str;
    long long min;
    long long max;
    int     status;
    long long value;
};

static const struct int_case int_cases[] = {
    {"0", 0, 10, 0, 0},
    {"10", 0, 10, 0, 10},
    {"-5", -10, 10, 0, -5},
    {"-0", 0, 0, 0, 0},
    {"0042", 0, 100, 0, 42},
    {"9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX},
    {"-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN},
    /* range */
    {"11", 0, 10, -1, 0},
    {"-1", 0, 10, -1, 0},
    {"-11", -10, 10, -1, 0},
    /* bad syntax */
    {"", 0, 10, -1, 0},
    {"-", 0, 10, -1, 0},
    {"--1", -10, 10, -1, 0},
    {"+1", 0, 10, -1, 0},
    {" 1", 0, 10, -1, 0},
    {"1 ", 0, 10, -1, 0},
    {"1x", 0, 10, -1, 0},
    {"0x1", 0, 10, -1, 0},
    {"1e3", 0, 10000, -1, 0},
    {"- 1", -10, 10, -1, 0},
    /* overflow */
    {"9223372036854775808", LLONG_MIN, LLONG_MAX, -1, 0},
    {"-9223372036854775809", LLONG_MIN, LLONG_MAX, -1, 0},
    {"99999999999999999999", LLONG_MIN, LLONG_MAX, -1, 0},
};

Test(conv_int, table)
{
    size_t  i;
    long long value;
    int     status;

    for (i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++) {
	const struct int_case *tc = int_cases + i;

	value = 4242;
	status = conv_int(tc->str, tc->min, tc->max, &value);
	cr_assert_eq(status, tc->status, "conv_int(\"%s\", %lld, %lld) = %d, want %d",
		     tc->str, tc->min, tc->max, status, tc->status);
	if (tc->status == 0)
	    cr_assert_eq(value, tc->value, "conv_int(\"%s\") value %lld, want %lld",
			 tc->str, value, tc->value);
	else
	    cr_assert_eq(value, 4242, "conv_int(\"%s\") changed result on error",
			 tc->str);
    }
}

Test(conv_int, null_string)
{
    long long value = 1;

    cr_assert_eq(conv_int(NULL, 0, 10, &value), -1);
    cr_assert_eq(conv_size(NULL, &value), -1);
    cr_assert_eq(value, 1);
}
