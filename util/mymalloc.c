/*
 * mymalloc.c - allocation wrappers that log and exit on out-of-memory.
 *
 * A daemon that cannot allocate memory cannot do anything useful; it exits
 * with a fatal log line and master restarts it. Call sites therefore never
 * test for NULL (STYLE.md (b)6).
 */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "mymalloc.h"
#include "msg.h"

/* mymalloc - allocate or die */

void *
mymalloc(size_t len)
{
    void   *ptr;

    if ((ptr = malloc(len ? len : 1)) == NULL)
	msg_fatal("mymalloc: insufficient memory for %zu bytes", len);
    return (ptr);
}

/* mycalloc - allocate zeroed array or die, with overflow check */

void *
mycalloc(size_t nmemb, size_t size)
{
    void   *ptr;

    if (size != 0 && nmemb > SIZE_MAX / size)
	msg_fatal("mycalloc: size overflow: %zu * %zu", nmemb, size);
    if ((ptr = calloc(nmemb ? nmemb : 1, size ? size : 1)) == NULL)
	msg_fatal("mycalloc: insufficient memory for %zu * %zu bytes", nmemb, size);
    return (ptr);
}

/* myrealloc - resize or die */

void *
myrealloc(void *ptr, size_t len)
{
    void   *new;

    if ((new = realloc(ptr, len ? len : 1)) == NULL)
	msg_fatal("myrealloc: insufficient memory for %zu bytes", len);
    return (new);
}

/* mystrdup - copy string or die */

char *
mystrdup(const char *str)
{
    if (str == NULL)
	msg_panic("mystrdup: null pointer argument");
    return (mymemdup(str, strlen(str)));
}

/* mystrndup - copy at most len bytes of string, terminated */

char *
mystrndup(const char *str, size_t len)
{
    const char *cp;

    if (str == NULL)
	msg_panic("mystrndup: null pointer argument");
    if ((cp = memchr(str, 0, len)) != NULL)
	len = cp - str;
    return (mymemdup(str, len));
}

/* mymemdup - copy memory plus a terminating NUL */

void *
mymemdup(const void *ptr, size_t len)
{
    char   *copy;

    if (len == SIZE_MAX)
	msg_fatal("mymemdup: size overflow");
    copy = mymalloc(len + 1);
    if (len)
	memcpy(copy, ptr, len);
    copy[len] = 0;
    return (copy);
}

/* myfree - release memory; NULL is allowed */

void
myfree(void *ptr)
{
    free(ptr);
}
