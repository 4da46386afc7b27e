/*
 * conv_time.c - convert "30s", "5m", "1h", "5d", "1w" and plain numbers
 * in a default unit to seconds (see conv_time.h).
 *
 * Hand-written digit loop instead of strtol(): strtol() accepts leading
 * white space, a sign and "0x", none of which a time value may have.
 */
#include <stddef.h>
#include <limits.h>
#include <ctype.h>

#include "conv_time.h"
#include "msg.h"

/* conv_time_unit - seconds per unit letter, or 0 if not a unit */

static long
conv_time_unit(int unit)
{
    switch (unit) {
    case 's':
	return (1L);
    case 'm':
	return (60L);
    case 'h':
	return (3600L);
    case 'd':
	return (86400L);
    case 'w':
	return (7L * 86400L);
    default:
	return (0L);
    }
}

/* conv_time - parse a time value, result in seconds */

int
conv_time(const char *str, int def_unit, long *result)
{
    const unsigned char *cp = (const unsigned char *) str;
    long    value = 0;
    long    scale;
    int     digit;

    if ((scale = conv_time_unit(def_unit)) == 0)
	msg_panic("conv_time: bad default unit '%c'", def_unit);
    if (str == NULL || !isdigit(*cp))
	return (-1);
    for (; isdigit(*cp); cp++) {
	digit = *cp - '0';
	if (value > (LONG_MAX - digit) / 10)
	    return (-1);
	value = value * 10 + digit;
    }
    if (*cp != 0) {
	if ((scale = conv_time_unit(*cp)) == 0 || cp[1] != 0)
	    return (-1);
    }
    if (value > LONG_MAX / scale)
	return (-1);
    *result = value * scale;
    return (0);
}
