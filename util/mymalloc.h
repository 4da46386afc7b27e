/*
 * mymalloc.h - allocation that never returns NULL.
 *
 * SYNOPSIS
 *	void	*mymalloc(size_t len);
 *	void	*mycalloc(size_t nmemb, size_t size);
 *	void	*myrealloc(void *ptr, size_t len);
 *	char	*mystrdup(const char *str);
 *	char	*mystrndup(const char *str, size_t len);
 *	void	*mymemdup(const void *ptr, size_t len);
 *	void	myfree(void *ptr);
 *
 * DESCRIPTION
 *	Each function logs a fatal error and exits when memory is exhausted
 *	or when a size computation would overflow, so callers never check
 *	for NULL. mystrndup copies at most len bytes and always terminates.
 *	mymemdup adds a terminating NUL after len bytes.
 */
#ifndef MYMALLOC_H
#define MYMALLOC_H

#include <stddef.h>

extern void *mymalloc(size_t);
extern void *mycalloc(size_t, size_t);
extern void *myrealloc(void *, size_t);
extern char *mystrdup(const char *);
extern char *mystrndup(const char *, size_t);
extern void *mymemdup(const void *, size_t);
extern void myfree(void *);

#endif
