/*
 * stringops.h - small, bounded string helpers.
 *
 * SYNOPSIS
 *	int	str_copy(char *dst, size_t size, const char *src);
 *	char	*str_lower(char *s);
 *	char	*str_trim(char *s);
 *	char	*str_token(char **bufp, const char *delims);
 *	char	*str_split_at(char *s, int delim);
 *	int	str_prefix(const char *s, const char *prefix);
 *	int	str_case_eq(const char *a, const char *b);
 *	int	str_all_printable(const char *s, size_t len);
 *
 * DESCRIPTION
 *	str_copy() is strlcpy with a result of 0 (copied whole) or -1
 *	(truncated; dst still terminated). str_lower() lowercases ASCII in
 *	place. str_trim() removes leading and trailing white space in place.
 *	str_token() returns the next token of *bufp separated by any of
 *	delims (NULL at the end), like Postfix mystrtok. str_split_at()
 *	cuts s at the first delim and returns what follows, or NULL.
 *	str_prefix() is true when s starts with prefix. str_case_eq() is
 *	an ASCII case-insensitive equality test. str_all_printable() is
 *	true when the bytes are all printable US-ASCII (0x20..0x7e).
 */
#ifndef STRINGOPS_H
#define STRINGOPS_H

#include <stddef.h>

extern int str_copy(char *, size_t, const char *);
extern char *str_lower(char *);
extern char *str_trim(char *);
extern char *str_token(char **, const char *);
extern char *str_split_at(char *, int);
extern int str_prefix(const char *, const char *);
extern int str_case_eq(const char *, const char *);
extern int str_all_printable(const char *, size_t);

#endif
