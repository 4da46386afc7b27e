/*
 * attr_test.h - helpers shared by the IPC unit tests: encode attribute
 * lists into memory, decode them from memory, build raw wire bytes by
 * hand (to send what attr_print() would refuse to write).
 */
#ifndef ATTR_TEST_H
#define ATTR_TEST_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "attr.h"
#include "vstream.h"
#include "vstr.h"

/* raw_head - append a record header: type, name */

static inline void
raw_head(struct vstr *out, int type, const char *name, size_t namelen)
{
    vstr_addch(out, type);
    vstr_addch(out, (int) namelen);
    vstr_memcat(out, name, namelen);
}

/* raw_be - append an n-byte big-endian number */

static inline void
raw_be(struct vstr *out, uint64_t val, int n)
{
    int     i;

    for (i = n - 1; i >= 0; i--)
	vstr_addch(out, (int) ((val >> (8 * i)) & 0xff));
}

/* raw_str - append a whole STR or DATA record */

static inline void
raw_bytes(struct vstr *out, int type, const char *name, const void *p, size_t len)
{
    raw_head(out, type, name, strlen(name));
    raw_be(out, len, 4);
    vstr_memcat(out, p, len);
}

/* mono_ms - monotonic milliseconds for timing checks */

static inline long long
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* memscan - open a read stream on a vstr */

static inline struct vstream *
memscan(struct vstr *buf)
{
    return (vstream_memopen(vstr_str(buf), vstr_len(buf)));
}

#endif
