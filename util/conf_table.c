/*
 * conf_table.c - conversion of parameter values by their declared type,
 *	with bounds (see conf_table.h).
 *
 * Every number goes through the strict converters of conv_size(3) and
 * conv_time(3), so "  +0x10", "1e9" or a value that overflows is refused
 * instead of silently becoming some other limit.
 */
#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "conf_table.h"
#include "conv_size.h"
#include "conv_time.h"
#include "mymalloc.h"
#include "msg.h"

/* conf_table_find - look up a row by name */

const struct conf_param *
conf_table_find(const struct conf_param *tab, size_t count, const char *name)
{
    size_t  i;

    for (i = 0; i < count; i++)
	if (strcmp(tab[i].name, name) == 0)
	    return (tab + i);
    return (0);
}

/* conf_type_name - printable type name */

const char *
conf_type_name(int type)
{
    switch (type) {
    case CONF_STR:
	return ("string");
    case CONF_INT:
	return ("integer");
    case CONF_LONG:
	return ("long integer");
    case CONF_BOOL:
	return ("boolean (yes or no)");
    case CONF_TIME:
	return ("time (unit s, m, h, d or w)");
    case CONF_SIZE:
	return ("size in bytes (suffix k, m or g)");
    default:
	msg_panic("conf_type_name: unknown type %d", type);
    }
}

/* conf_time_unit - default unit: the letter that ends the default */

int
conf_time_unit(const struct conf_param *p)
{
    size_t  len;

    if (p->defval == 0 || (len = strlen(p->defval)) == 0)
	return ('s');
    if (strchr("smhdw", p->defval[len - 1]) != 0)
	return (p->defval[len - 1]);
    return ('s');
}

/* conf_param_number - numeric types to a long long, with bounds */

int
conf_param_number(const struct conf_param *p, const char *value,
		            long long *result, struct vstr *why)
{
    long    lval;

    switch (p->type) {
    case CONF_INT:
    case CONF_LONG:
	if (conv_int(value, LLONG_MIN, LLONG_MAX, result) < 0) {
	    vstr_sprintf(why, "bad %s value \"%.100s\"",
			 conf_type_name(p->type), value);
	    return (-1);
	}
	break;
    case CONF_BOOL:
	if (strcasecmp(value, "yes") == 0)
	    *result = 1;
	else if (strcasecmp(value, "no") == 0)
	    *result = 0;
	else {
	    vstr_sprintf(why, "bad boolean value \"%.100s\" (use yes or no)",
			 value);
	    return (-1);
	}
	return (0);
    case CONF_TIME:
	if (conv_time(value, conf_time_unit(p), &lval) < 0) {
	    vstr_sprintf(why, "bad time value \"%.100s\" (a number with"
			 " optional unit s, m, h, d or w)", value);
	    return (-1);
	}
	*result = lval;
	break;
    case CONF_SIZE:
	if (conv_size(value, result) < 0) {
	    vstr_sprintf(why, "bad size value \"%.100s\" (bytes, optional"
			 " suffix k, m or g)", value);
	    return (-1);
	}
	break;
    default:
	msg_panic("conf_param_number: parameter %s: bad type %d",
		  p->name, p->type);
    }
    if (*result < p->min || *result > p->max) {
	vstr_sprintf(why, "value \"%.100s\" is out of range [%lld..%lld]",
		     value, p->min, p->max);
	return (-1);
    }
    return (0);
}

/* conf_param_convert - check, and optionally store, a value */

int
conf_param_convert(const struct conf_param *p, const char *value, int store,
		           struct vstr *why)
{
    long long num;
    size_t  len;

    if (p->type == CONF_STR) {
	len = strlen(value);
	if ((long long) len < p->min || (p->max > 0 && (long long) len > p->max)) {
	    if (len == 0)
		vstr_sprintf(why, "value must not be empty");
	    else
		vstr_sprintf(why, "value length %lu is out of range"
			     " [%lld..%lld]", (unsigned long) len, p->min, p->max);
	    return (-1);
	}
	if (store) {
	    char  **vp = (char **) p->var;

	    if (*vp)
		myfree(*vp);
	    *vp = mystrdup(value);
	}
	return (0);
    }
    if (conf_param_number(p, value, &num, why) < 0)
	return (-1);
    if (store) {
	if (p->type == CONF_INT || p->type == CONF_BOOL) {
	    if (num < INT_MIN || num > INT_MAX)
		msg_panic("conf_param_convert: %s: bounds exceed int", p->name);
	    *(int *) p->var = (int) num;
	} else {
	    if (num < LONG_MIN || num > LONG_MAX)
		msg_panic("conf_param_convert: %s: bounds exceed long", p->name);
	    *(long *) p->var = (long) num;
	}
    }
    return (0);
}

/* conf_list_next - next element of a comma/space list, braces group */

int
conf_list_next(const char **cpp, struct vstr *elem)
{
    const char *cp = *cpp;
    const char *start;
    int     depth = 0;

    vstr_reset(elem);
    while (*cp == ',' || isspace((unsigned char) *cp))
	cp++;
    if (*cp == 0) {
	*cpp = cp;
	return (0);
    }
    for (start = cp; *cp; cp++) {
	if (*cp == '{')
	    depth++;
	else if (*cp == '}' && depth > 0)
	    depth--;
	else if (depth == 0 && (*cp == ',' || isspace((unsigned char) *cp)))
	    break;
    }
    vstr_memcpy(elem, start, (size_t) (cp - start));
    *cpp = cp;
    return (1);
}

/* conf_name_valid - letters, digits, underscore; bounded */

int
conf_name_valid(const char *name, size_t len)
{
    size_t  i;

    if (len == 0 || len > CONF_NAME_MAX)
	return (0);
    for (i = 0; i < len; i++)
	if (!isalnum((unsigned char) name[i]) && name[i] != '_')
	    return (0);
    return (1);
}
