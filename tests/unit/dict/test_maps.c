/*
 * test_maps.c - table lists and Postfix's address lookup order.
 */
#include "dict/dict_test.h"
#include "maps.h"

/* find_addr - maps_find_addr on an inline table list */

static int
find_addr(const char *list, const char *addr, const char *delim, int flags,
	  struct vstr *v)
{
    struct vstr *why = vstr_alloc(10);
    struct maps *maps = maps_create("test_maps", list, DICT_FLAG_NONE, why);
    int     st;

    cr_assert_not_null(maps, "%s", vstr_str(why));
    vstr_strcpy(v, "(unset)");
    st = maps_find_addr(maps, addr, delim, flags, v);
    maps_free(maps);
    vstr_free(why);
    return (st);
}

Test(maps, list_parsing)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    struct maps *maps;

    maps = maps_create("m", " inline:{a=1, b=2},static:{any thing}  ", 0, why);
    cr_assert_not_null(maps, "%s", vstr_str(why));
    cr_assert_eq(maps_count(maps), 2);
    cr_assert_eq(maps_find(maps, "b", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "2");
    cr_assert_eq(maps_find(maps, "zzz", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "any thing");
    cr_assert_eq(maps_changed(maps), 0);
    maps_free(maps);

    maps = maps_create("m", "", 0, why);
    cr_assert_not_null(maps);
    cr_assert_eq(maps_count(maps), 0);
    cr_assert_eq(maps_find(maps, "a", v), DICT_NOTFOUND);
    maps_free(maps);

    cr_assert_null(maps_create("virtual_maps", "inline:{a=1", 0, why));
    cr_assert(strstr(vstr_str(why), "virtual_maps: "), "%s", vstr_str(why));
    cr_assert(strstr(vstr_str(why), "missing '}'"), "%s", vstr_str(why));
    cr_assert_null(maps_create("m", "inline:{a=1} bogus:x", 0, why));
    cr_assert(strstr(vstr_str(why), "unsupported"), "%s", vstr_str(why));
    vstr_free(why);
    vstr_free(v);
}

Test(maps, first_table_wins)
{
    struct vstr *v = vstr_alloc(10);

    cr_assert_eq(find_addr("inline:{k=first} inline:{k=second, j=only}", "k", 0, 0, v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "first");
    cr_assert_eq(find_addr("inline:{k=first} inline:{k=second, j=only}", "j", 0, 0, v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "only");
    vstr_free(v);
}

 /*
  * Each row: the keys present, the address, delimiter, flags, and which
  * value must win. Values name the key that matched.
  */
struct order_case {
    const char *table;
    const char *addr;
    const char *delim;
    int     flags;
    int     status;
    const char *value;
};

static const struct order_case order_cases[] = {
    {"inline:{u+e@d=full, u@d=noext, u+e=userext, u=user, @d=domain}", "U+E@D", "+", MAPS_ADDR_LOCAL, DICT_FOUND, "full"},
    {"inline:{u@d=noext, u+e=userext, u=user, @d=domain}", "u+e@d", "+", MAPS_ADDR_LOCAL, DICT_FOUND, "noext"},
    {"inline:{u+e=userext, u=user, @d=domain}", "u+e@d", "+", MAPS_ADDR_LOCAL, DICT_FOUND, "userext"},
    {"inline:{u=user, @d=domain}", "u+e@d", "+", MAPS_ADDR_LOCAL, DICT_FOUND, "user"},
    {"inline:{u=user, @d=domain}", "u+e@d", "+", 0, DICT_FOUND, "domain"},
    {"inline:{u=user}", "u+e@d", "+", 0, DICT_NOTFOUND, 0},
    {"inline:{@d=domain}", "u+e@d", "+", 0, DICT_FOUND, "domain"},
    {"inline:{u@d=noext}", "u+e@d", 0, 0, DICT_NOTFOUND, 0},
    {"inline:{u@d=noext}", "u-e@d", "+-", 0, DICT_FOUND, "noext"},
    {"inline:{u@d=noext}", "u+e@d", "", 0, DICT_NOTFOUND, 0},
    {"inline:{+e@d=x}", "+e@d", "+", 0, DICT_FOUND, "x"},
    {"inline:{@d=x}", "+e@d", "+", 0, DICT_FOUND, "x"},
    {"inline:{u=user}", "u", "+", 0, DICT_FOUND, "user"},
    {"inline:{u=user}", "u+ext", "+", 0, DICT_FOUND, "user"},
    {"inline:{@=x, u=user}", "u@", "+", 0, DICT_NOTFOUND, 0},
    {"inline:{@d=x}", "@d", "+", 0, DICT_FOUND, "x"},
    {"inline:{@d=x}", "", "+", 0, DICT_NOTFOUND, 0},
    {"inline:{@d=x}", "@", "+", MAPS_ADDR_LOCAL, DICT_NOTFOUND, 0},
    {"inline:{@c=last-at}", "a@b@c", "+", 0, DICT_FOUND, "last-at"},
    {"inline:{@d=dom}", "\"a@b\"@d", "+", 0, DICT_FOUND, "dom"},
    {"inline:{@b\"=x}", "\"a@b\"", "+", 0, DICT_NOTFOUND, 0},
    {"inline:{\"a+b\"=x, @d=dom}", "\"a+b\"@d", "+", MAPS_ADDR_LOCAL, DICT_FOUND, "x"},
    {"inline:{\"a=x, @d=dom}", "\"a+b@d", "+", MAPS_ADDR_LOCAL, DICT_NOTFOUND, 0},
    {"inline:{\"a\\\"+b\"=x}", "\"a\\\"+b\"@d", "+", MAPS_ADDR_LOCAL, DICT_FOUND, "x"},
};

Test(maps, address_lookup_order)
{
    const struct order_case *c;
    struct vstr *v = vstr_alloc(10);
    size_t  i;
    int     st;

    for (i = 0; i < ARRAY_LEN(order_cases); i++) {
	c = order_cases + i;
	st = find_addr(c->table, c->addr, c->delim, c->flags, v);
	cr_assert_eq(st, c->status, "case %zu (%s): status %d", i, c->addr, st);
	if (c->value)
	    cr_assert_str_eq(vstr_str(v), c->value, "case %zu (%s)", i, c->addr);
    }
    vstr_free(v);
}

Test(maps, long_address)
{
    struct vstr *v = vstr_alloc(10);
    struct vstr *a = vstr_alloc(10);
    int     i;

    for (i = 0; i < DICT_QUERY_MAX + 10; i++)
	vstr_addch(a, 'a');
    vstr_strcat(a, "@d");
    cr_assert_eq(find_addr("static:x", vstr_str(a), "+", 0, v), DICT_NOTFOUND);
    vstr_truncate(a, 2000);
    vstr_strcat(a, "+@d");
    cr_assert_eq(find_addr("inline:{@d=dom}", vstr_str(a), "+", MAPS_ADDR_LOCAL, v), DICT_FOUND);
    vstr_free(v);
    vstr_free(a);
}

Test(maps, error_stops_search, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    struct vstr *list = vstr_alloc(10);
    struct maps *maps;
    char   *err;
    int     i;

    vstr_strcpy(list, "regexp:");
    vstr_strcat(list, dt_path("re"));
    vstr_strcat(list, " static:after");
    vstr_strcpy(v, "/^(.*)$/ ");
    for (i = 0; i < 1000; i++)
	vstr_strcat(v, "$1");
    vstr_addch(v, '\n');
    dt_write(dt_path("re"), vstr_str(v));
    maps = maps_create("m", vstr_str(list), 0, why);
    cr_assert_not_null(maps, "%s", vstr_str(why));
    vstr_reset(v);
    for (i = 0; i < 2000; i++)
	vstr_addch(v, 'k');
    dt_stderr_begin();
    cr_assert_eq(maps_find(maps, vstr_str(v), why), DICT_ERROR);
    err = dt_stderr_end();
    cr_assert(strstr(err, "warning: m: regexp:"), "%s", err);
    cr_assert(strstr(maps_reason(maps), "too long"), "%s", maps_reason(maps));
    maps_free(maps);
    vstr_free(why);
    vstr_free(v);
    vstr_free(list);
}
