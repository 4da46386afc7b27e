/*
 * test_mymalloc.c - the allocation wrappers: normal use, and that an
 * impossible size or a multiplication overflow ends the process through
 * msg_fatal (exit status 1) instead of returning NULL.
 */
#include <stdint.h>
#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mymalloc.h"
#include "msg.h"

 /*
  * Under AddressSanitizer a huge malloc() aborts by default; we want it to
  * return NULL so that our own fatal path is what gets tested.
  */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
    return ("allocator_may_return_null=1");
}

static void
quiet(void)
{
    msg_open("postern", "test", 0);
}

Test(mymalloc, basic_use)
{
    char   *p = mymalloc(0);
    int    *z = mycalloc(100, sizeof(int));
    char   *s;
    int     i;

    cr_assert_not_null(p);
    for (i = 0; i < 100; i++)
	cr_assert_eq(z[i], 0);
    p = myrealloc(p, 4096);
    memset(p, 'x', 4096);
    myfree(p);
    myfree(z);
    myfree(NULL);
    s = mystrdup("hello");
    cr_assert_str_eq(s, "hello");
    myfree(s);
}

Test(mymalloc, strndup_and_memdup)
{
    char   *s;

    s = mystrndup("abcdef", 3);
    cr_assert_str_eq(s, "abc");
    myfree(s);
    s = mystrndup("ab\0cd", 5);
    cr_assert_str_eq(s, "ab");
    myfree(s);
    s = mystrndup("abc", 0);
    cr_assert_str_eq(s, "");
    myfree(s);
    s = mymemdup("a\0b", 3);
    cr_assert_eq(memcmp(s, "a\0b\0", 4), 0);
    myfree(s);
}

Test(mymalloc, malloc_size_max_is_fatal, .exit_code = 1, .init = quiet)
{
    (void) mymalloc(SIZE_MAX);
    cr_assert_fail("mymalloc(SIZE_MAX) returned");
}

Test(mymalloc, calloc_overflow_is_fatal, .exit_code = 1, .init = quiet)
{
    (void) mycalloc(SIZE_MAX / 2 + 1, 2);
    cr_assert_fail("mycalloc overflow returned");
}

Test(mymalloc, calloc_overflow_swapped_is_fatal, .exit_code = 1, .init = quiet)
{
    (void) mycalloc(16, SIZE_MAX / 8);
    cr_assert_fail("mycalloc overflow returned");
}

Test(mymalloc, realloc_size_max_is_fatal, .exit_code = 1, .init = quiet)
{
    char   *p = mymalloc(10);

    p = myrealloc(p, SIZE_MAX);
    cr_assert_fail("myrealloc(SIZE_MAX) returned %p", (void *) p);
}

Test(mymalloc, memdup_size_max_is_fatal, .exit_code = 1, .init = quiet)
{
    (void) mymemdup("", SIZE_MAX);
    cr_assert_fail("mymemdup(SIZE_MAX) returned");
}

Test(mymalloc, strdup_null_panics, .signal = SIGABRT, .init = quiet)
{
    (void) mystrdup(NULL);
}
