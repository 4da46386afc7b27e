/*
 * conv_size.c - strict conversion of byte sizes with k/m/g suffixes and
 * of bounded decimal integers (see conv_size.h).
 *
 * Both use one overflow-checked digit loop rather than strtoll(), which
 * would accept leading white space, '+' and hexadecimal prefixes.
 */
#include <stddef.h>
#include <limits.h>
#include <ctype.h>

#include "conv_size.h"

static int conv_digits(const unsigned char **, unsigned long long,
		               unsigned long long *);

/* conv_digits - read one or more digits, value at most limit */

static int
conv_digits(const unsigned char **cpp, unsigned long long limit,
	            unsigned long long *result)
{
    const unsigned char *cp = *cpp;
    unsigned long long value = 0;
    unsigned digit;

    if (!isdigit(*cp))
	return (-1);
    for (; isdigit(*cp); cp++) {
	digit = (unsigned) (*cp - '0');
	if (value > (limit - digit) / 10)
	    return (-1);
	value = value * 10 + digit;
    }
    *cpp = cp;
    *result = value;
    return (0);
}

/* conv_size - parse a byte count with an optional k/m/g suffix */

int
conv_size(const char *str, long long *result)
{
    const unsigned char *cp = (const unsigned char *) str;
    unsigned long long value;
    unsigned long long scale;

    if (str == NULL || conv_digits(&cp, LLONG_MAX, &value) < 0)
	return (-1);
    switch (*cp) {
    case 0:
	scale = 1;
	break;
    case 'k':
    case 'K':
	scale = 1ULL << 10;
	break;
    case 'm':
    case 'M':
	scale = 1ULL << 20;
	break;
    case 'g':
    case 'G':
	scale = 1ULL << 30;
	break;
    default:
	return (-1);
    }
    if (*cp != 0 && cp[1] != 0)
	return (-1);
    if (value > (unsigned long long) LLONG_MAX / scale)
	return (-1);
    *result = (long long) (value * scale);
    return (0);
}

/* conv_int - parse a decimal integer in [min, max] */

int
conv_int(const char *str, long long min, long long max, long long *result)
{
    const unsigned char *cp = (const unsigned char *) str;
    unsigned long long value;
    long long sval;
    int     negative = 0;

    if (str == NULL)
	return (-1);
    if (*cp == '-') {
	negative = 1;
	cp++;
    }
    if (conv_digits(&cp, negative ? (unsigned long long) LLONG_MAX + 1 :
		    (unsigned long long) LLONG_MAX, &value) < 0 || *cp != 0)
	return (-1);
    if (negative)
	sval = (value == (unsigned long long) LLONG_MAX + 1) ?
	    LLONG_MIN : -(long long) value;
    else
	sval = (long long) value;
    if (sval < min || sval > max)
	return (-1);
    *result = sval;
    return (0);
}
