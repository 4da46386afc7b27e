/*
 * vstr.c - counted growable strings (see vstr.h).
 *
 * All text from outside goes through these buffers; there is no fixed-size
 * buffer to overflow. Every size computation is checked.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>

#include "vstr.h"
#include "mymalloc.h"
#include "msg.h"

/* vstr_alloc - create an empty string with some room */

struct vstr *
vstr_alloc(size_t init)
{
    struct vstr *vp = mymalloc(sizeof(*vp));

    if (init < 16)
	init = 16;
    if (init == SIZE_MAX)
	msg_panic("vstr_alloc: bad initial size");
    vp->data = mymalloc(init + 1);
    vp->cap = init;
    vp->len = 0;
    vp->data[0] = 0;
    return (vp);
}

/* vstr_free - destroy; NULL is allowed */

void
vstr_free(struct vstr *vp)
{
    if (vp) {
	myfree(vp->data);
	myfree(vp);
    }
}

/* vstr_reserve - make room for extra more bytes */

void
vstr_reserve(struct vstr *vp, size_t extra)
{
    size_t  need;
    size_t  ncap;

    if (extra > SIZE_MAX - 1 - vp->len)
	msg_fatal("vstr_reserve: size overflow");
    need = vp->len + extra;
    if (need <= vp->cap)
	return;
    ncap = vp->cap;
    while (ncap < need)
	ncap = (ncap > (SIZE_MAX - 1) / 2) ? need : ncap * 2;
    vp->data = myrealloc(vp->data, ncap + 1);
    vp->cap = ncap;
}

void
vstr_reset(struct vstr *vp)
{
    vp->len = 0;
    vp->data[0] = 0;
}

void
vstr_truncate(struct vstr *vp, size_t len)
{
    if (len < vp->len) {
	vp->len = len;
	vp->data[len] = 0;
    }
}

void
vstr_addch(struct vstr *vp, int ch)
{
    vstr_reserve(vp, 1);
    vp->data[vp->len++] = (char) ch;
    vp->data[vp->len] = 0;
}

void
vstr_memcat(struct vstr *vp, const void *ptr, size_t n)
{
    const char *src = ptr;
    size_t  off;

    if (n == 0)
	return;
    /* Appending part of ourselves: the buffer may move in reserve. */
    if (src >= vp->data && src <= vp->data + vp->len) {
	off = (size_t) (src - vp->data);
	vstr_reserve(vp, n);
	src = vp->data + off;
    } else {
	vstr_reserve(vp, n);
    }
    memmove(vp->data + vp->len, src, n);
    vp->len += n;
    vp->data[vp->len] = 0;
}

void
vstr_memcpy(struct vstr *vp, const void *ptr, size_t n)
{
    if (ptr >= (const void *) vp->data && ptr <= (const void *) (vp->data + vp->len)) {
	/* Copy of our own tail: move it to the front. */
	memmove(vp->data, ptr, n);
	vp->len = n;
	vp->data[n] = 0;
	return;
    }
    vp->len = 0;
    vp->data[0] = 0;
    vstr_memcat(vp, ptr, n);
}

void
vstr_strcpy(struct vstr *vp, const char *s)
{
    vstr_memcpy(vp, s, strlen(s));
}

void
vstr_strcat(struct vstr *vp, const char *s)
{
    vstr_memcat(vp, s, strlen(s));
}

void
vstr_strncat(struct vstr *vp, const char *s, size_t n)
{
    const char *end = memchr(s, 0, n);

    vstr_memcat(vp, s, end ? (size_t) (end - s) : n);
}

/* vstr_vsprintf_append - formatted append, growing as needed */

void
vstr_vsprintf_append(struct vstr *vp, const char *fmt, va_list ap)
{
    va_list ap2;
    int     n;

    va_copy(ap2, ap);
    n = vsnprintf(vp->data + vp->len, vp->cap - vp->len + 1, fmt, ap2);
    va_end(ap2);
    if (n < 0)
	msg_panic("vstr_vsprintf_append: bad format \"%s\"", fmt);
    if ((size_t) n > vp->cap - vp->len) {
	vstr_reserve(vp, (size_t) n);
	n = vsnprintf(vp->data + vp->len, vp->cap - vp->len + 1, fmt, ap);
	if (n < 0)
	    msg_panic("vstr_vsprintf_append: bad format \"%s\"", fmt);
    }
    vp->len += (size_t) n;
    vp->data[vp->len] = 0;
}

void
vstr_sprintf_append(struct vstr *vp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(vp, fmt, ap);
    va_end(ap);
}

void
vstr_sprintf(struct vstr *vp, const char *fmt, ...)
{
    va_list ap;

    vstr_reset(vp);
    va_start(ap, fmt);
    vstr_vsprintf_append(vp, fmt, ap);
    va_end(ap);
}

/* vstr_lower - ASCII lowercase in place */

void
vstr_lower(struct vstr *vp)
{
    size_t  i;

    for (i = 0; i < vp->len; i++)
	vp->data[i] = (char) tolower((unsigned char) vp->data[i]);
}

/* vstr_export - hand the buffer to the caller */

char *
vstr_export(struct vstr *vp)
{
    char   *data = vp->data;

    myfree(vp);
    return (data);
}

/* vstr_fail - store a reason if wanted, keep errno, return -1 */

int
vstr_fail(struct vstr *why, const char *fmt,...)
{
    int     saved_errno = errno;
    va_list ap;

    if (why != NULL) {
	vstr_reset(why);
	va_start(ap, fmt);
	vstr_vsprintf_append(why, fmt, ap);
	va_end(ap);
    }
    errno = saved_errno;
    return (-1);
}
