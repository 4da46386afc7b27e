/*
 * vstr.h - counted, growable, always NUL-terminated strings.
 *
 * SYNOPSIS
 *	struct vstr *vstr_alloc(size_t init);
 *	void	vstr_free(struct vstr *vp);
 *	char	*vstr_str(struct vstr *vp);		(macro)
 *	size_t	vstr_len(struct vstr *vp);		(macro)
 *	void	vstr_reset(struct vstr *vp);
 *	void	vstr_truncate(struct vstr *vp, size_t len);
 *	void	vstr_addch(struct vstr *vp, int ch);
 *	void	vstr_strcpy(struct vstr *vp, const char *s);
 *	void	vstr_strcat(struct vstr *vp, const char *s);
 *	void	vstr_strncat(struct vstr *vp, const char *s, size_t n);
 *	void	vstr_memcpy(struct vstr *vp, const void *p, size_t n);
 *	void	vstr_memcat(struct vstr *vp, const void *p, size_t n);
 *	void	vstr_sprintf(struct vstr *vp, const char *fmt, ...);
 *	void	vstr_sprintf_append(struct vstr *vp, const char *fmt, ...);
 *	void	vstr_vsprintf_append(struct vstr *vp, const char *fmt, va_list);
 *	void	vstr_lower(struct vstr *vp);
 *	char	*vstr_export(struct vstr *vp);
 *	int	vstr_fail(struct vstr *why, const char *fmt, ...);
 *
 * DESCRIPTION
 *	The buffer may hold NUL bytes (vstr_memcat); vstr_len() is the
 *	count, and data[len] is always 0. Growth checks for overflow and
 *	dies through mymalloc on exhaustion. vstr_truncate() only shrinks.
 *	vstr_export() returns the buffer (caller frees with myfree) and
 *	destroys the vstr.
 *
 *	vstr_fail() is for functions that report a reason to an optional
 *	caller buffer: when why is not NULL it is replaced by the formatted
 *	text; errno is preserved and the result is always -1.
 */
#ifndef VSTR_H
#define VSTR_H

#include <stddef.h>
#include <stdarg.h>

#include "sys_defs.h"

struct vstr {
    char   *data;
    size_t  len;
    size_t  cap;			/* allocated, excluding the NUL */
};

#define vstr_str(vp)	((vp)->data)
#define vstr_len(vp)	((vp)->len)

extern struct vstr *vstr_alloc(size_t);
extern void vstr_free(struct vstr *);
extern void vstr_reset(struct vstr *);
extern void vstr_truncate(struct vstr *, size_t);
extern void vstr_reserve(struct vstr *, size_t);
extern void vstr_addch(struct vstr *, int);
extern void vstr_strcpy(struct vstr *, const char *);
extern void vstr_strcat(struct vstr *, const char *);
extern void vstr_strncat(struct vstr *, const char *, size_t);
extern void vstr_memcpy(struct vstr *, const void *, size_t);
extern void vstr_memcat(struct vstr *, const void *, size_t);
extern void PRINTFLIKE(2, 3) vstr_sprintf(struct vstr *, const char *, ...);
extern void PRINTFLIKE(2, 3) vstr_sprintf_append(struct vstr *, const char *, ...);
extern void vstr_vsprintf_append(struct vstr *, const char *, va_list);
extern void vstr_lower(struct vstr *);
extern char *vstr_export(struct vstr *);
extern int PRINTFLIKE(2, 3) vstr_fail(struct vstr *, const char *, ...);

#endif
