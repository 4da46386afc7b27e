/*
 * test_dict_regexp.c - regexp: tables: matching, flags, negation,
 * if/endif, $N substitution, and every way a rule line can be wrong
 * (each must name file:line).
 */
#include "dict/dict_test.h"
#include "dict.h"

/* open_rules - write the rules to a file and open it; NULL on error */

static struct dict *
open_rules(const char *rules, struct vstr *why)
{
    struct vstr *t = vstr_alloc(10);
    struct dict *dict;

    dt_write(dt_path("re"), rules);
    vstr_sprintf(t, "regexp:%s", dt_path("re"));
    dict = dict_open(vstr_str(t), DICT_FLAG_NONE, why);
    vstr_free(t);
    return (dict);
}

/* bad_rules - the rules must fail with "re:LINE: ...text..." */

static void
bad_rules(const char *rules, int line, const char *text)
{
    struct vstr *why = vstr_alloc(10);
    char    want[64];

    cr_assert_null(open_rules(rules, why), "opened: %s", rules);
    snprintf(want, sizeof(want), "/re:%d: ", line);
    cr_assert(strstr(vstr_str(why), want), "want %s in: %s", want, vstr_str(why));
    cr_assert(strstr(vstr_str(why), text), "want %s in: %s", text, vstr_str(why));
    vstr_free(why);
}

/* expect - one lookup */

static void
expect(struct dict *dict, const char *key, int status, const char *value)
{
    struct vstr *v = vstr_alloc(10);
    int     st = dict_lookup(dict, key, v);

    cr_assert_eq(st, status, "key \"%s\": %d", key, st);
    if (value)
	cr_assert_str_eq(vstr_str(v), value, "key \"%s\"", key);
    vstr_free(v);
}

Test(dict_regexp, match_flags_substitution, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct dict *dict;

    dict = open_rules(
	"# comment\n"
	"/^(.*)\\+(.*)@example\\.com$/  $1 ext=$2 ${1}$$\n"
	"/^CaseSensitive$/i  exact\n"
	"/^nocase$/          folded\n"
	"#^hash#delim#       other-delimiter\n"
	"!/@/                no-at-sign\n"
	"/^multi$/           first\n"
	"    continued\n"
	"/(a)|(b)/           [$1][$2]\n",
	why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    expect(dict, "Joe+List@Example.COM", DICT_FOUND, "Joe ext=List Joe$");
    expect(dict, "CaseSensitive", DICT_FOUND, "exact");
    expect(dict, "casesensitive", DICT_FOUND, "no-at-sign");
    expect(dict, "NOCASE", DICT_FOUND, "folded");
    expect(dict, "x@b", DICT_FOUND, "[][b]");
    expect(dict, "x@y", DICT_NOTFOUND, 0);
    dict_close(dict);

    dict = open_rules("/^multi@/ first\n    continued\n", why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    expect(dict, "multi@x", DICT_FOUND, "first    continued");
    dict_close(dict);

    dict = open_rules("/a.c/x literal\n", why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    expect(dict, "abc", DICT_FOUND, "literal");
    dict_close(dict);
    vstr_free(why);
}

Test(dict_regexp, if_endif_nesting, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct dict *dict;

    dict = open_rules(
	"if /@example\\.com$/\n"
	"  # comment inside\n"
	"if !/^admin/\n"
	"/^(.*)@/   user:$1\n"
	"endif\n"
	"/^admin@/  admin-rule\n"
	"endif\n"
	"/^admin/   outside\n"
	"/./        fallback\n",
	why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    expect(dict, "bob@example.com", DICT_FOUND, "user:bob");
    expect(dict, "admin@example.com", DICT_FOUND, "admin-rule");
    expect(dict, "admin@other.org", DICT_FOUND, "outside");
    expect(dict, "bob@other.org", DICT_FOUND, "fallback");
    expect(dict, "", DICT_NOTFOUND, 0);
    dict_close(dict);

    dict = open_rules("if /x/\nendif\nif /y/\nif /z/\nendif\nendif\n", why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    expect(dict, "xyz", DICT_NOTFOUND, 0);
    dict_close(dict);
    vstr_free(why);
}

Test(dict_regexp, bad_lines_name_file_line, .init = dt_setup, .fini = dt_teardown)
{
    bad_rules("/ok/ x\nendif\n", 2, "endif without matching if");
    bad_rules("/ok/ x\nif /a/\nif /b/\nendif\n", 2, "if without matching endif");
    bad_rules("# c\n\n/unterminated x\n", 3, "missing closing '/'");
    bad_rules("/(/ x\n", 1, "bad regular expression");
    bad_rules("/a/q x\n", 1, "unknown pattern flag 'q'");
    bad_rules("/a/\n", 1, "no result");
    bad_rules("/(a)/ $2\n", 1, "out-of-range substitution $2");
    bad_rules("/a/ $1\n", 1, "out-of-range");
    bad_rules("/(a)/ $0\n", 1, "out-of-range");
    bad_rules("/(a)/ ${1\n", 1, "bad ${number}");
    bad_rules("/(a)/ $x\n", 1, "'$' in result");
    bad_rules("/(a)/ cost $\n", 1, "'$' in result");
    bad_rules("!/(a)/ $1\n", 1, "negated");
    bad_rules("word x\n", 1, "expected /pattern/");
    bad_rules("if /a/ extra\nendif\n", 1, "text after");
    bad_rules("if /a/\nendif extra\n", 2, "text after endif");
    bad_rules("a\n  continued\n/(/ x\n", 1, "expected /pattern/");
}

Test(dict_regexp, nul_and_long_lines, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *t = vstr_alloc(10);
    struct vstr *big = vstr_alloc(10);
    int     i;

    dt_write_len(dt_path("re"), "/a/ b\n/c\0/ d\n", 13);
    vstr_sprintf(t, "regexp:%s", dt_path("re"));
    cr_assert_null(dict_open(vstr_str(t), DICT_FLAG_NONE, why));
    cr_assert(strstr(vstr_str(why), "/re:2: NUL byte"), "%s", vstr_str(why));

    vstr_strcpy(big, "/a/ ");
    for (i = 0; i < DICT_LINE_MAX; i++)
	vstr_addch(big, 'x');
    dt_write(dt_path("re"), vstr_str(big));
    cr_assert_null(dict_open(vstr_str(t), DICT_FLAG_NONE, why));
    cr_assert(strstr(vstr_str(why), "/re:1: line longer"), "%s", vstr_str(why));

    cr_assert_null(dict_open("regexp:/nonexistent/file", DICT_FLAG_NONE, why));
    cr_assert(strstr(vstr_str(why), "No such file"), "%s", vstr_str(why));
    vstr_free(why);
    vstr_free(t);
    vstr_free(big);
}

Test(dict_regexp, long_keys, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *key = vstr_alloc(10);
    struct dict *dict;
    int     i;

    dict = open_rules("/^(x*)y$/ found\n", why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    for (i = 0; i < 100000; i++)
	vstr_addch(key, 'x');
    vstr_addch(key, 'y');
    expect(dict, vstr_str(key), DICT_FOUND, "found");
    vstr_truncate(key, 0);
    for (i = 0; i < DICT_QUERY_MAX + 1; i++)
	vstr_addch(key, 'x');
    vstr_addch(key, 'y');
    expect(dict, vstr_str(key), DICT_NOTFOUND, 0);
    dict_close(dict);
    vstr_free(why);
    vstr_free(key);
}

Test(dict_regexp, result_expansion_bound, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *rules = vstr_alloc(10);
    struct vstr *key = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    struct dict *dict;
    int     i;

    vstr_strcpy(rules, "/^(.*)$/ ");
    for (i = 0; i < 1000; i++)
	vstr_strcat(rules, "$1");
    vstr_addch(rules, '\n');
    dict = open_rules(vstr_str(rules), why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    for (i = 0; i < 2000; i++)
	vstr_addch(key, 'k');
    cr_assert_eq(dict_lookup(dict, vstr_str(key), v), DICT_ERROR);
    cr_assert(strstr(dict_reason(dict), "too long"));
    expect(dict, "ab", DICT_FOUND, 0);
    dict_close(dict);
    vstr_free(why);
    vstr_free(rules);
    vstr_free(key);
    vstr_free(v);
}

Test(dict_regexp, patterns_libc_handles_badly, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *deep = vstr_alloc(10);
    struct dict *dict;
    int     i;

    bad_rules("/^(.****+*)@/ $1\n", 1, "two repetition operators");
    bad_rules("/a+?/ x\n", 1, "two repetition operators");
    bad_rules("/a{2}{3}/ x\n", 1, "two repetition operators");
    bad_rules("/a{1,256}/ x\n", 1, "repetition count over");
    bad_rules("/a{99999999999999999999}/ x\n", 1, "repetition count over");
    for (i = 0; i < 40; i++)
	vstr_addch(deep, '(');
    vstr_addch(deep, 'a');
    for (i = 0; i < 40; i++)
	vstr_addch(deep, ')');
    vstr_sprintf(why, "/%s/ x\n", vstr_str(deep));
    bad_rules(vstr_str(why), 1, "nested");

    /* Escaped and bracketed operators are literals, not repetitions. */
    dict = open_rules("/^a\\*+[*+?]{1,3}[[:alpha:]*]*x{2,255}(b*)*$/ ok\n"
		      "/[]*]+/ bracket\n", why);
    cr_assert_not_null(dict, "%s", vstr_str(why));
    expect(dict, "a**?xx", DICT_FOUND, "ok");
    expect(dict, "]", DICT_FOUND, "bracket");
    dict_close(dict);
    vstr_free(why);
    vstr_free(deep);
}
