/*
 * test_vstr.c - vstr growth, embedded NULs, formatted output past the
 * initial size, truncate, copies from the string's own buffer, export,
 * and the fatal/panic paths for impossible sizes.
 */
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vstr.h"
#include "mymalloc.h"

Test(vstr, alloc_is_empty_and_terminated)
{
    struct vstr *vp = vstr_alloc(0);

    cr_assert_eq(vstr_len(vp), 0);
    cr_assert_str_eq(vstr_str(vp), "");
    cr_assert_geq(vp->cap, 16);
    vstr_free(vp);
    vstr_free(NULL);
}

Test(vstr, growth_by_addch)
{
    struct vstr *vp = vstr_alloc(1);
    size_t  i;

    for (i = 0; i < 100000; i++)
	vstr_addch(vp, 'a' + (int) (i % 26));
    cr_assert_eq(vstr_len(vp), 100000);
    cr_assert_geq(vp->cap, 100000);
    cr_assert_eq(vstr_str(vp)[100000], 0);
    for (i = 0; i < 100000; i++)
	cr_assert_eq(vstr_str(vp)[i], 'a' + (int) (i % 26), "byte %zu", i);
    vstr_free(vp);
}

Test(vstr, growth_by_large_memcat)
{
    struct vstr *vp = vstr_alloc(16);
    char    big[70000];

    memset(big, 'q', sizeof(big));
    vstr_strcpy(vp, "x");
    vstr_memcat(vp, big, sizeof(big));
    cr_assert_eq(vstr_len(vp), sizeof(big) + 1);
    cr_assert_eq(vstr_str(vp)[0], 'x');
    cr_assert_eq(vstr_str(vp)[sizeof(big)], 'q');
    cr_assert_eq(vstr_str(vp)[sizeof(big) + 1], 0);
    vstr_free(vp);
}

Test(vstr, embedded_nul)
{
    struct vstr *vp = vstr_alloc(4);

    vstr_memcat(vp, "a\0b", 3);
    vstr_addch(vp, 0);
    vstr_memcat(vp, "c", 1);
    cr_assert_eq(vstr_len(vp), 5);
    cr_assert_eq(memcmp(vstr_str(vp), "a\0b\0c", 6), 0);
    cr_assert_eq(strlen(vstr_str(vp)), 1);
    vstr_memcpy(vp, "\0\0", 2);
    cr_assert_eq(vstr_len(vp), 2);
    cr_assert_eq(memcmp(vstr_str(vp), "\0\0\0", 3), 0);
    vstr_free(vp);
}

Test(vstr, sprintf_grows_past_initial_size)
{
    struct vstr *vp = vstr_alloc(16);
    char    big[1000];
    char    want[1100];

    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    vstr_sprintf(vp, "<%s>-%d", big, 42);
    snprintf(want, sizeof(want), "<%s>-%d", big, 42);
    cr_assert_eq(vstr_len(vp), strlen(want));
    cr_assert_str_eq(vstr_str(vp), want);

    /* sprintf replaces, sprintf_append appends */
    vstr_sprintf(vp, "%s=%u", "n", 7u);
    cr_assert_str_eq(vstr_str(vp), "n=7");
    vstr_sprintf_append(vp, ", %s", big);
    cr_assert_eq(vstr_len(vp), 3 + 2 + 999);
    cr_assert_eq(strncmp(vstr_str(vp), "n=7, zzz", 8), 0);
    vstr_sprintf_append(vp, "%s", "");
    cr_assert_eq(vstr_len(vp), 1004);
    vstr_free(vp);
}

Test(vstr, sprintf_exact_fit)
{
    struct vstr *vp = vstr_alloc(16);

    vstr_sprintf(vp, "%s", "0123456789abcdef");	/* exactly cap */
    cr_assert_str_eq(vstr_str(vp), "0123456789abcdef");
    vstr_sprintf_append(vp, "%c", 'G');		/* one past */
    cr_assert_str_eq(vstr_str(vp), "0123456789abcdefG");
    cr_assert_eq(vstr_len(vp), 17);
    vstr_free(vp);
}

Test(vstr, truncate_only_shrinks)
{
    struct vstr *vp = vstr_alloc(16);

    vstr_strcpy(vp, "hello world");
    vstr_truncate(vp, 100);
    cr_assert_str_eq(vstr_str(vp), "hello world");
    cr_assert_eq(vstr_len(vp), 11);
    vstr_truncate(vp, 5);
    cr_assert_str_eq(vstr_str(vp), "hello");
    cr_assert_eq(vstr_len(vp), 5);
    vstr_truncate(vp, 0);
    cr_assert_str_eq(vstr_str(vp), "");
    vstr_strcat(vp, "again");
    cr_assert_str_eq(vstr_str(vp), "again");
    vstr_reset(vp);
    cr_assert_eq(vstr_len(vp), 0);
    vstr_free(vp);
}

Test(vstr, memcpy_from_own_tail)
{
    struct vstr *vp = vstr_alloc(16);

    vstr_strcpy(vp, "hello world");
    vstr_memcpy(vp, vstr_str(vp) + 6, 5);
    cr_assert_str_eq(vstr_str(vp), "world");
    cr_assert_eq(vstr_len(vp), 5);
    vstr_strcpy(vp, vstr_str(vp) + 2);		/* strcpy from own tail */
    cr_assert_str_eq(vstr_str(vp), "rld");
    vstr_strcpy(vp, vstr_str(vp));		/* onto itself */
    cr_assert_str_eq(vstr_str(vp), "rld");
    vstr_free(vp);
}

Test(vstr, memcat_of_self_survives_growth)
{
    struct vstr *vp = vstr_alloc(16);
    int     i;

    vstr_strcpy(vp, "0123456789");
    for (i = 0; i < 10; i++)			/* doubles, moves the buffer */
	vstr_memcat(vp, vstr_str(vp), vstr_len(vp));
    cr_assert_eq(vstr_len(vp), 10 * 1024);
    for (i = 0; i < 10 * 1024; i++)
	cr_assert_eq(vstr_str(vp)[i], '0' + i % 10, "byte %d", i);
    vstr_strcat(vp, vstr_str(vp) + vstr_len(vp) - 3);
    cr_assert_eq(strcmp(vstr_str(vp) + vstr_len(vp) - 6, "789789"), 0);
    vstr_free(vp);
}

Test(vstr, strncat_stops_at_nul_and_n)
{
    struct vstr *vp = vstr_alloc(16);

    vstr_strncat(vp, "abcdef", 3);
    cr_assert_str_eq(vstr_str(vp), "abc");
    vstr_strncat(vp, "de\0fg", 5);
    cr_assert_str_eq(vstr_str(vp), "abcde");
    cr_assert_eq(vstr_len(vp), 5);
    vstr_strncat(vp, "xyz", 0);
    cr_assert_eq(vstr_len(vp), 5);
    vstr_free(vp);
}

Test(vstr, lower)
{
    struct vstr *vp = vstr_alloc(16);

    vstr_memcpy(vp, "MiXeD\0ÄB", 9);
    vstr_lower(vp);
    cr_assert_eq(memcmp(vstr_str(vp), "mixed\0\xc3\x84" "b", 9), 0);
    vstr_free(vp);
}

Test(vstr, export)
{
    struct vstr *vp = vstr_alloc(16);
    char   *s;

    vstr_sprintf(vp, "id=%d", 99);
    s = vstr_export(vp);
    cr_assert_str_eq(s, "id=99");
    myfree(s);
}

Test(vstr, reserve_overflow_is_fatal, .exit_code = 1)
{
    struct vstr *vp = vstr_alloc(16);

    vstr_addch(vp, 'x');
    vstr_reserve(vp, SIZE_MAX);
    cr_assert_fail("vstr_reserve(SIZE_MAX) returned");
}

Test(vstr, alloc_size_max_panics, .signal = SIGABRT)
{
    (void) vstr_alloc(SIZE_MAX);
}

Test(vstr, copy_of_nothing_terminates)
{
    struct vstr *vp = vstr_alloc(10);

    vstr_strcpy(vp, "previous value");
    vstr_memcpy(vp, "", 0);
    cr_assert_eq(vstr_len(vp), 0);
    cr_assert_str_eq(vstr_str(vp), "");
    vstr_strcpy(vp, "again");
    vstr_strcpy(vp, "");
    cr_assert_str_eq(vstr_str(vp), "");
    vstr_free(vp);
}
