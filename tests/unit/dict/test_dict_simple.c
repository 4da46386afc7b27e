/*
 * test_dict_simple.c - the type registry, static: and inline: tables,
 * and the shared "{ }" and list parsers.
 */
#include "dict/dict_test.h"
#include "dict.h"

/* lookup - open, look up, close; returns the status */

static int
lookup(const char *table, const char *key, struct vstr *value)
{
    struct vstr *why = vstr_alloc(10);
    struct dict *dict = dict_open(table, DICT_FLAG_NONE, why);
    int     st;

    cr_assert_not_null(dict, "open %s: %s", table, vstr_str(why));
    st = dict_lookup(dict, key, value);
    dict_close(dict);
    vstr_free(why);
    return (st);
}

/* open_fails - the table must not open; returns the reason */

static const char *
open_fails(const char *table)
{
    static char reason[512];
    struct vstr *why = vstr_alloc(10);
    struct dict *dict = dict_open(table, DICT_FLAG_NONE, why);

    cr_assert_null(dict, "%s opened", table);
    cr_assert_gt(vstr_len(why), 0, "no reason for %s", table);
    snprintf(reason, sizeof(reason), "%s", vstr_str(why));
    vstr_free(why);
    return (reason);
}

Test(dict_open, bad_type_names)
{
    cr_assert(strstr(open_fails("nosuch:/x"), "unsupported table type"));
    cr_assert(strstr(open_fails("/etc/aliases"), "type:name"));
    cr_assert(strstr(open_fails(":x"), "type:name"));
    cr_assert(strstr(open_fails("ha$h:/x"), "bad type"));
    cr_assert(strstr(open_fails(""), "type:name"));
}

Test(dict_static, always_found)
{
    struct vstr *v = vstr_alloc(10);

    cr_assert_eq(lookup("static:smtp:[relay]", "anything", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "smtp:[relay]");
    cr_assert_eq(lookup("static:{ two words }", "", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "two words");
    cr_assert_eq(lookup("static:", "x", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "");
    vstr_free(v);
    cr_assert(strstr(open_fails("static:{ unterminated"), "missing '}'"));
    cr_assert(strstr(open_fails("static:{a} b"), "text after"));
}

Test(dict_inline, found_notfound_fold)
{
    const char *t = "inline:{Key=Value, k2=v2, { K3 = value with, comma }, {a={b}}}";
    struct vstr *v = vstr_alloc(10);

    cr_assert_eq(lookup(t, "key", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "Value");
    cr_assert_eq(lookup(t, "KEY", v), DICT_FOUND);
    cr_assert_eq(lookup(t, "k3", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "value with, comma");
    cr_assert_eq(lookup(t, "a", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "{b}");
    cr_assert_eq(lookup(t, "k", v), DICT_NOTFOUND);
    cr_assert_eq(lookup(t, "", v), DICT_NOTFOUND);
    cr_assert_eq(lookup("inline:{}", "a", v), DICT_NOTFOUND);
    cr_assert_eq(lookup("inline:{a=1, A=2}", "a", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "1", "the first key wins");
    vstr_free(v);
}

Test(dict_inline, malformed)
{
    cr_assert(strstr(open_fails("inline:{a=b"), "missing '}'"));
    cr_assert(strstr(open_fails("inline:{a=b, {c=d}"), "missing '}'"));
    cr_assert(strstr(open_fails("inline:{a=b}}"), "text after"));
    cr_assert(strstr(open_fails("inline:a=b"), "expected"));
    cr_assert(strstr(open_fails("inline:{novalue}"), "missing '='"));
    cr_assert(strstr(open_fails("inline:{k = v}"), "missing '='"),
	      "unbraced elements are split at white space");
    cr_assert(strstr(open_fails("inline:{=v}"), "empty key"));
    cr_assert(strstr(open_fails("inline:{{a=b} x}"), "missing '='"));
    cr_assert(strstr(open_fails("inline:{{a=b}x}"), "text after"));
}

Test(dict_inline, key_bounds)
{
    struct vstr *t = vstr_alloc(10);
    struct vstr *k = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    int     i;

    for (i = 0; i < DICT_KEY_MAX; i++)
	vstr_addch(k, 'a');
    vstr_sprintf(t, "inline:{%s=long}", vstr_str(k));
    cr_assert_eq(lookup(vstr_str(t), vstr_str(k), v), DICT_FOUND);
    vstr_addch(k, 'a');
    cr_assert_eq(lookup(vstr_str(t), vstr_str(k), v), DICT_NOTFOUND);
    vstr_sprintf(t, "inline:{%s=long}", vstr_str(k));
    cr_assert(strstr(open_fails(vstr_str(t)), "too long"));
    vstr_free(t);
    vstr_free(k);
    vstr_free(v);
}

Test(dict_list, tokens_keep_braces)
{
    const char *cp = " hash:/a,regexp:/b  inline:{a=b, c d},,static:{x y}";
    struct vstr *tok = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    const char *want[] = {"hash:/a", "regexp:/b", "inline:{a=b, c d}", "static:{x y}"};
    size_t  i;

    for (i = 0; i < 4; i++) {
	cr_assert_eq(dict_list_token(&cp, tok, why), 1);
	cr_assert_str_eq(vstr_str(tok), want[i]);
    }
    cr_assert_eq(dict_list_token(&cp, tok, why), 0);
    cp = "inline:{a=b";
    cr_assert_eq(dict_list_token(&cp, tok, why), -1);
    cp = "a}b";
    cr_assert_eq(dict_list_token(&cp, tok, why), -1);
    vstr_free(tok);
    vstr_free(why);
}

Test(dict_open, not_compiled_types)
{
    struct vstr *why = vstr_alloc(10);

    cr_assert_eq(dict_is_compiled_type("hash:/x"), 1);
    cr_assert_eq(dict_is_compiled_type("btree:/x"), 1);
    cr_assert_eq(dict_is_compiled_type("regexp:/x"), 0);
    cr_assert_eq(dict_is_compiled_type("bogus:/x"), 0);
    cr_assert_eq(dict_table_stale("static:x", why), 0);
    cr_assert_eq(dict_table_stale("inline:{a=b}", why), 0);
    cr_assert_eq(dict_table_stale("bogus:x", why), -1);
    cr_assert_eq(dict_compile("static:x", DICT_SRC_POSTMAP, why), -1);
    cr_assert(strstr(vstr_str(why), "not compiled"));
    cr_assert_eq(dict_compile("hash:", DICT_SRC_POSTMAP, why), -1);
    vstr_free(why);
}

Test(dict_unix, passwd_byname)
{
    struct vstr *value = vstr_alloc(10);

    cr_assert_eq(lookup("unix:passwd.byname", "root", value), DICT_FOUND);
    cr_assert(strncmp(vstr_str(value), "root:", 5) == 0, "got %s", vstr_str(value));
    cr_assert(strstr(vstr_str(value), ":0:0:") != NULL, "got %s", vstr_str(value));
    cr_assert_eq(lookup("unix:passwd.byname", "no-such-user-xyzzy", value), DICT_NOTFOUND);
    cr_assert_eq(lookup("unix:passwd.byname", "", value), DICT_NOTFOUND);
    open_fails("unix:group.byname");
    vstr_free(value);
}
