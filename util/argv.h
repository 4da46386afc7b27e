/*
 * argv.h - growable, NULL-terminated arrays of strings.
 *
 * SYNOPSIS
 *	#include "argv.h"
 *
 *	struct argv *argv_alloc(size_t init);
 *	void	argv_add(struct argv *ap, const char *s);
 *	void	argv_addn(struct argv *ap, const char *s, size_t len);
 *	void	argv_free(struct argv *ap);
 *
 * DESCRIPTION
 *	argv_alloc() creates an empty array. argv_add() appends a copy of s
 *	(argv_addn() a copy of len bytes of s). ap->argv[ap->argc] is always
 *	NULL, so ap->argv can be handed to execve(). argv_free() releases
 *	the array and every string in it; NULL is allowed.
 *
 * DIAGNOSTICS
 *	Memory exhaustion and size overflow are fatal (mymalloc).
 */
#ifndef ARGV_H
#define ARGV_H

#include <stddef.h>

struct argv {
    char  **argv;			/* argc strings, then NULL */
    size_t  argc;
    size_t  cap;			/* slots, excluding the NULL */
};

extern struct argv *argv_alloc(size_t);
extern void argv_add(struct argv *, const char *);
extern void argv_addn(struct argv *, const char *, size_t);
extern void argv_free(struct argv *);

#endif
