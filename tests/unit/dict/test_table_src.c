/*
 * test_table_src.c - the table source parser: logical lines, comments,
 * continuation, bounds, and the postmap / aliases line formats.
 */
#include "dict/dict_test.h"
#include "dict.h"
#include "table_src.h"

/* parse - one line in a given format; returns the status */

static int
parse(int format, const char *line, struct vstr *k, struct vstr *v)
{
    struct vstr *why = vstr_alloc(10);
    int     st = table_src_parse(format, line, k, v, why);

    if (st != TABLE_SRC_OK)
	cr_assert_gt(vstr_len(why), 0, "no reason for \"%s\"", line);
    vstr_free(why);
    return (st);
}

Test(table_src, logical_lines)
{
    const char text[] =
	"# comment\n"
	"\n"
	"a 1\n"
	"   \t\n"
	"b 2\r\n"
	"  continued\n"
	"# comment inside\n"
	"\tmore\n"
	"   # indented comment\n"
	"c 3";
    struct table_src *src = table_src_memopen(text, sizeof(text) - 1, "mem");
    struct vstr *line = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(line), "a 1");
    cr_assert_eq(table_src_lineno(src), 3);
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(line), "b 2  continued\tmore");
    cr_assert_eq(table_src_lineno(src), 5);
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(line), "c 3");
    cr_assert_eq(table_src_lineno(src), 10);
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_EOF);
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_EOF);
    table_src_close(src);
    vstr_free(line);
    vstr_free(why);
}

Test(table_src, leading_continuation_is_skipped)
{
    const char text[] = "  orphan\nkey value\n";
    struct table_src *src = table_src_memopen(text, sizeof(text) - 1, "mem");
    struct vstr *line = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(line), "key value");
    cr_assert_eq(table_src_lineno(src), 2);
    table_src_close(src);
    vstr_free(line);
    vstr_free(why);
}

Test(table_src, bounds_and_nul)
{
    struct vstr *big = vstr_alloc(DICT_LINE_MAX + 10);
    struct vstr *line = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct table_src *src;
    int     i;

    /* One physical line over the limit. */
    vstr_strcpy(big, "ok 1\n");
    for (i = 0; i < DICT_LINE_MAX + 1; i++)
	vstr_addch(big, 'x');
    src = table_src_memopen(vstr_str(big), vstr_len(big), "big");
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_OK);
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_ERR);
    cr_assert(strstr(vstr_str(why), "big:2: line longer than"), "%s", vstr_str(why));
    table_src_close(src);

    /* Short physical lines, over-long logical line. */
    vstr_strcpy(big, "k v\n");
    for (i = 0; i < DICT_LINE_MAX / 40; i++)
	vstr_strcat(big, " 123456789012345678901234567890123456789012345678\n");
    src = table_src_memopen(vstr_str(big), vstr_len(big), "long");
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_ERR);
    cr_assert(strstr(vstr_str(why), "long:1: logical line longer"), "%s", vstr_str(why));
    table_src_close(src);

    /* A NUL byte. */
    src = table_src_memopen("a b\nc\0d e\n", 10, "nul");
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_OK);
    cr_assert_eq(table_src_read(src, line, why), TABLE_SRC_ERR);
    cr_assert(strstr(vstr_str(why), "nul:2: NUL byte"), "%s", vstr_str(why));
    table_src_close(src);
    vstr_free(big);
    vstr_free(line);
    vstr_free(why);
}

Test(table_src, postmap_format)
{
    struct vstr *k = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);

    cr_assert_eq(parse(DICT_SRC_POSTMAP, "User@Example.COM  smtp:[x]  y ", k, v), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(k), "User@Example.COM", "not folded by the parser");
    cr_assert_str_eq(vstr_str(v), "smtp:[x]  y");
    cr_assert_eq(parse(DICT_SRC_POSTMAP, "lonely", k, v), TABLE_SRC_BAD);
    cr_assert_eq(parse(DICT_SRC_POSTMAP, "lonely   ", k, v), TABLE_SRC_BAD);
    cr_assert_eq(parse(DICT_SRC_POSTMAP, "", k, v), TABLE_SRC_BAD);
    vstr_free(k);
    vstr_free(v);
}

Test(table_src, aliases_format)
{
    struct vstr *k = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);

    cr_assert_eq(parse(DICT_SRC_ALIASES, "root: admin, |\"/bin/cmd x\", /var/log/f, :include:/etc/l", k, v), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(k), "root");
    cr_assert_str_eq(vstr_str(v), "admin, |\"/bin/cmd x\", /var/log/f, :include:/etc/l");
    cr_assert_eq(parse(DICT_SRC_ALIASES, "\"with space\" : a", k, v), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(k), "with space");
    cr_assert_str_eq(vstr_str(v), "a");
    cr_assert_eq(parse(DICT_SRC_ALIASES, "\"q\\\"x:y\": b", k, v), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(k), "q\"x:y");
    cr_assert_eq(parse(DICT_SRC_ALIASES, "name  :b:c", k, v), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(k), "name");
    cr_assert_str_eq(vstr_str(v), "b:c");
    cr_assert_eq(parse(DICT_SRC_ALIASES, "no colon here", k, v), TABLE_SRC_BAD);
    cr_assert_eq(parse(DICT_SRC_ALIASES, ": value", k, v), TABLE_SRC_BAD);
    cr_assert_eq(parse(DICT_SRC_ALIASES, "name:   ", k, v), TABLE_SRC_BAD);
    cr_assert_eq(parse(DICT_SRC_ALIASES, "\"open: x", k, v), TABLE_SRC_BAD);
    cr_assert_eq(parse(DICT_SRC_ALIASES, "\"q\" x: y", k, v), TABLE_SRC_BAD);
    cr_assert_eq(parse(DICT_SRC_ALIASES, "\"\\", k, v), TABLE_SRC_BAD);
    vstr_free(k);
    vstr_free(v);
}

Test(table_src, key_bound)
{
    struct vstr *line = vstr_alloc(10);
    struct vstr *k = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    int     i;

    for (i = 0; i < DICT_KEY_MAX; i++)
	vstr_addch(line, 'k');
    vstr_strcat(line, " v");
    cr_assert_eq(parse(DICT_SRC_POSTMAP, vstr_str(line), k, v), TABLE_SRC_OK);
    vstr_strcpy(line, "k");
    for (i = 0; i < DICT_KEY_MAX; i++)
	vstr_addch(line, 'k');
    vstr_strcat(line, ": v");
    cr_assert_eq(parse(DICT_SRC_ALIASES, vstr_str(line), k, v), TABLE_SRC_BAD);
    vstr_free(line);
    vstr_free(k);
    vstr_free(v);
}

Test(table_src, entry_reports_file_line, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *k = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct table_src *src;

    dt_write(dt_path("src"), "a: b\n# x\nbroken line\nc: d\n");
    cr_assert_not_null(src = table_src_open(dt_path("src"), why));
    cr_assert_eq(table_src_entry(src, DICT_SRC_ALIASES, k, v, why), TABLE_SRC_OK);
    cr_assert_eq(table_src_entry(src, DICT_SRC_ALIASES, k, v, why), TABLE_SRC_BAD);
    cr_assert(strstr(vstr_str(why), "/src:3: expected format"), "%s", vstr_str(why));
    cr_assert_eq(table_src_entry(src, DICT_SRC_ALIASES, k, v, why), TABLE_SRC_OK);
    cr_assert_str_eq(vstr_str(k), "c");
    cr_assert_eq(table_src_entry(src, DICT_SRC_ALIASES, k, v, why), TABLE_SRC_EOF);
    table_src_close(src);
    cr_assert_null(table_src_open(dt_path("missing"), why));
    cr_assert_null(table_src_open(dt_dir, why), "a directory is refused");
    vstr_free(k);
    vstr_free(v);
    vstr_free(why);
}
