/*
 * fuzz_tablesrc.c - the table source parser and the list/brace parsers.
 *
 * The first byte picks what the rest is fed to: 0 postmap source, 1
 * aliases source (logical lines, continuation, key/value split, bounds),
 * 2 an inline:{...} table name (brace and element parsing), 3 a table
 * list plus an address lookup (maps.c address splitting).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "maps.h"
#include "table_src.h"
#include "msg.h"

/* fuzz_source - read every entry of a source in one format */

static void
fuzz_source(int format, const uint8_t *data, size_t size)
{
    struct table_src *src = table_src_memopen(data, size, "fuzz");
    struct vstr *key = vstr_alloc(10);
    struct vstr *value = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    int     st;

    while ((st = table_src_entry(src, format, key, value, why)) != TABLE_SRC_EOF) {
	if (st == TABLE_SRC_ERR)
	    break;
	if (st == TABLE_SRC_OK && (vstr_len(key) == 0 || vstr_len(value) == 0
				   || vstr_len(key) > DICT_KEY_MAX))
	    abort();			/* the parser promised otherwise */
	if (st == TABLE_SRC_BAD && vstr_len(why) == 0)
	    abort();
    }
    table_src_close(src);
    vstr_free(key);
    vstr_free(value);
    vstr_free(why);
}

/* fuzz_maps - a table list, then an address lookup */

static void
fuzz_maps(const char *text, int inline_only)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *value = vstr_alloc(10);
    struct vstr *list = vstr_alloc(10);
    const char *addr = strchr(text, '\n');
    struct maps *maps;
    struct dict *dict;

    if (inline_only) {
	vstr_sprintf(list, "inline:%s", text);
	if ((dict = dict_open(vstr_str(list), DICT_FLAG_NONE, why)) != 0) {
	    (void) dict_lookup(dict, "a", value);
	    dict_close(dict);
	}
    } else {
	/* Only in-memory types: the input must not name files. */
	vstr_strcpy(list, "inline:{a@b=1, @b=2, a=3, a+b=4} static:{x}");
	if ((maps = maps_create("fuzz", vstr_str(list), 0, why)) == 0)
	    abort();
	(void) maps_find_addr(maps, addr ? addr + 1 : text, "+-",
			      MAPS_ADDR_LOCAL, value);
	(void) maps_find_addr(maps, text, 0, 0, value);
	maps_free(maps);
    }
    vstr_free(why);
    vstr_free(value);
    vstr_free(list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char   *text;

    if (size < 1 || size > 200000)
	return (0);
    msg_set_flags(0);
    switch (data[0] & 3) {
    case 0:
	fuzz_source(DICT_SRC_POSTMAP, data + 1, size - 1);
	break;
    case 1:
	fuzz_source(DICT_SRC_ALIASES, data + 1, size - 1);
	break;
    default:
	text = strndup((const char *) data + 1, size - 1);
	if (text == 0)
	    abort();
	fuzz_maps(text, (data[0] & 3) == 2);
	free(text);
	break;
    }
    return (0);
}
