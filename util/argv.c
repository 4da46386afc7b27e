/*
 * argv.c - growable, NULL-terminated string arrays (see argv.h).
 *
 * Used for master.cf command arguments and parsed lists. Growth is
 * overflow-checked through mymalloc; the array is always terminated.
 */
#include <stdint.h>
#include <string.h>

#include "argv.h"
#include "mymalloc.h"
#include "msg.h"

/* argv_alloc - create an empty array */

struct argv *
argv_alloc(size_t init)
{
    struct argv *ap = mymalloc(sizeof(*ap));

    if (init < 4)
	init = 4;
    if (init > SIZE_MAX / sizeof(char *) - 1)
	msg_panic("argv_alloc: bad initial size");
    ap->argv = mymalloc((init + 1) * sizeof(char *));
    ap->cap = init;
    ap->argc = 0;
    ap->argv[0] = 0;
    return (ap);
}

/* argv_grow - make room for one more string */

static void
argv_grow(struct argv *ap)
{
    size_t  ncap;

    if (ap->argc < ap->cap)
	return;
    if (ap->cap > (SIZE_MAX / sizeof(char *) - 1) / 2)
	msg_fatal("argv_grow: size overflow");
    ncap = ap->cap * 2;
    ap->argv = myrealloc(ap->argv, (ncap + 1) * sizeof(char *));
    ap->cap = ncap;
}

/* argv_addn - append a copy of len bytes */

void
argv_addn(struct argv *ap, const char *s, size_t len)
{
    argv_grow(ap);
    ap->argv[ap->argc++] = mystrndup(s, len);
    ap->argv[ap->argc] = 0;
}

/* argv_add - append a copy of a string */

void
argv_add(struct argv *ap, const char *s)
{
    argv_addn(ap, s, strlen(s));
}

/* argv_free - destroy array and strings */

void
argv_free(struct argv *ap)
{
    size_t  i;

    if (ap == 0)
	return;
    for (i = 0; i < ap->argc; i++)
	myfree(ap->argv[i]);
    myfree(ap->argv);
    myfree(ap);
}
