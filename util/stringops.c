/*
 * stringops.c - bounded string helpers (see stringops.h).
 */
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "stringops.h"

int
str_copy(char *dst, size_t size, const char *src)
{
    size_t  len = strlen(src);

    if (size == 0)
	return (-1);
    if (len >= size) {
	memcpy(dst, src, size - 1);
	dst[size - 1] = 0;
	return (-1);
    }
    memcpy(dst, src, len + 1);
    return (0);
}

char *
str_lower(char *s)
{
    char   *cp;

    for (cp = s; *cp; cp++)
	*cp = (char) tolower((unsigned char) *cp);
    return (s);
}

char *
str_trim(char *s)
{
    char   *start = s;
    size_t  len;

    while (*start && isspace((unsigned char) *start))
	start++;
    len = strlen(start);
    while (len > 0 && isspace((unsigned char) start[len - 1]))
	len--;
    memmove(s, start, len);
    s[len] = 0;
    return (s);
}

char *
str_token(char **bufp, const char *delims)
{
    char   *start = *bufp;
    char   *end;

    if (start == NULL)
	return (NULL);
    start += strspn(start, delims);
    if (*start == 0) {
	*bufp = start;
	return (NULL);
    }
    end = start + strcspn(start, delims);
    if (*end)
	*end++ = 0;
    *bufp = end;
    return (start);
}

char *
str_split_at(char *s, int delim)
{
    char   *cp = strchr(s, delim);

    if (cp == NULL)
	return (NULL);
    *cp = 0;
    return (cp + 1);
}

int
str_prefix(const char *s, const char *prefix)
{
    return (strncmp(s, prefix, strlen(prefix)) == 0);
}

int
str_case_eq(const char *a, const char *b)
{
    return (strcasecmp(a, b) == 0);
}

int
str_all_printable(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e)
	    return (0);
    return (1);
}
