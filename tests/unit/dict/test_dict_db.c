/*
 * test_dict_db.c - hash: and btree: tables: compile, lookup, case
 * folding, duplicates, aliases format, bounds, staleness, atomic
 * replacement, and damaged database files.
 */
#include <time.h>
#include <sys/time.h>

#include "dict/dict_test.h"
#include "dict.h"

/* compile - dict_compile that must succeed */

static void
compile(const char *type, const char *name, int format)
{
    struct vstr *t = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    vstr_sprintf(t, "%s:%s", type, dt_path(name));
    cr_assert_eq(dict_compile(vstr_str(t), format, why), 0,
		 "compile %s: %s", vstr_str(t), vstr_str(why));
    vstr_free(t);
    vstr_free(why);
}

/* open_table - dict_open that must succeed */

static struct dict *
open_table(const char *type, const char *name)
{
    struct vstr *t = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct dict *dict;

    vstr_sprintf(t, "%s:%s", type, dt_path(name));
    dict = dict_open(vstr_str(t), DICT_FLAG_NONE, why);
    cr_assert_not_null(dict, "open %s: %s", vstr_str(t), vstr_str(why));
    vstr_free(t);
    vstr_free(why);
    return (dict);
}

/* check_postmap - the common compile + lookup test for one type */

static void
check_postmap(const char *type)
{
    struct vstr *v = vstr_alloc(10);
    struct dict *dict;

    dt_write(dt_path("map"),
	     "# transport\n"
	     "User@Example.COM   smtp:[relay]:25\n"
	     "example.org\tlocal:\n"
	     "multi  first part\n"
	     "   second part\n"
	     "empty.value.not.allowed\n"
	     "@example.net  error:nope\n");
    compile(type, "map", DICT_SRC_POSTMAP);
    dict = open_table(type, "map");
    cr_assert_eq(dict_lookup(dict, "user@example.com", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "smtp:[relay]:25");
    cr_assert_eq(dict_lookup(dict, "USER@EXAMPLE.COM", v), DICT_FOUND);
    cr_assert_eq(dict_lookup(dict, "Example.Org", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "local:");
    cr_assert_eq(dict_lookup(dict, "multi", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "first part   second part");
    cr_assert_eq(dict_lookup(dict, "@example.net", v), DICT_FOUND);
    cr_assert_eq(dict_lookup(dict, "empty.value.not.allowed", v), DICT_NOTFOUND);
    cr_assert_eq(dict_lookup(dict, "example", v), DICT_NOTFOUND);
    cr_assert_eq(dict_lookup(dict, "", v), DICT_NOTFOUND);
    cr_assert_eq(dict_lookup(dict, "# transport", v), DICT_NOTFOUND);
    cr_assert_eq(dict_changed(dict), 0);
    dict_close(dict);
    vstr_free(v);
}

Test(dict_db, hash_compile_lookup, .init = dt_setup, .fini = dt_teardown)
{
    check_postmap("hash");
}

Test(dict_db, btree_compile_lookup, .init = dt_setup, .fini = dt_teardown)
{
    check_postmap("btree");
}

Test(dict_db, wrong_type_fails, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *t = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    dt_write(dt_path("map"), "a b\n");
    compile("btree", "map", DICT_SRC_POSTMAP);
    vstr_sprintf(t, "hash:%s", dt_path("map"));
    cr_assert_null(dict_open(vstr_str(t), DICT_FLAG_NONE, why));
    cr_assert_gt(vstr_len(why), 0);
    vstr_free(t);
    vstr_free(why);
}

Test(dict_db, duplicates_first_wins, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *v = vstr_alloc(10);
    struct dict *dict;
    char   *err;

    dt_write(dt_path("map"), "a first\nb x\nA second\n");
    dt_stderr_begin();
    compile("hash", "map", DICT_SRC_POSTMAP);
    err = dt_stderr_end();
    cr_assert(strstr(err, "/map:3: duplicate entry: \"a\""), "stderr: %s", err);
    dict = open_table("hash", "map");
    cr_assert_eq(dict_lookup(dict, "a", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "first");
    dict_close(dict);
    vstr_free(v);
}

Test(dict_db, aliases_format, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *v = vstr_alloc(10);
    struct dict *dict;
    char   *err;

    dt_write(dt_path("aliases"),
	     "# aliases(5)\n"
	     "Postmaster: root\n"
	     "root: admin@example.com,\n"
	     "\tother,\n"
	     "  \"|/usr/bin/prog arg\"\n"
	     "list: :include:/etc/postern/list\n"
	     "pipe: |/usr/bin/vacation user\n"
	     "file: /var/log/mail.copy\n"
	     "\"two words\": x\n"
	     "broken line without colon\n");
    dt_stderr_begin();
    compile("hash", "aliases", DICT_SRC_ALIASES);
    err = dt_stderr_end();
    cr_assert(strstr(err, "/aliases:10: expected format"), "stderr: %s", err);
    dict = open_table("hash", "aliases");
    cr_assert_eq(dict_lookup(dict, "postmaster", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "root");
    cr_assert_eq(dict_lookup(dict, "root", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "admin@example.com,\tother,  \"|/usr/bin/prog arg\"");
    cr_assert_eq(dict_lookup(dict, "list", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), ":include:/etc/postern/list");
    cr_assert_eq(dict_lookup(dict, "pipe", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "|/usr/bin/vacation user");
    cr_assert_eq(dict_lookup(dict, "file", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "/var/log/mail.copy");
    cr_assert_eq(dict_lookup(dict, "Two Words", v), DICT_FOUND);
    cr_assert_eq(dict_lookup(dict, "broken", v), DICT_NOTFOUND);
    dict_close(dict);
    vstr_free(v);
}

Test(dict_db, overlong_key_and_line, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *text = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct vstr *t = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    struct dict *dict;
    char   *err;
    int     i;

    /* An over-long key is skipped with a warning. */
    for (i = 0; i < DICT_KEY_MAX + 1; i++)
	vstr_addch(text, 'k');
    vstr_strcat(text, " v\nshort v2\n");
    dt_write(dt_path("map"), vstr_str(text));
    dt_stderr_begin();
    compile("hash", "map", DICT_SRC_POSTMAP);
    err = dt_stderr_end();
    cr_assert(strstr(err, "/map:1: key longer than"), "stderr: %s", err);
    dict = open_table("hash", "map");
    cr_assert_eq(dict_lookup(dict, "short", v), DICT_FOUND);
    vstr_truncate(text, DICT_KEY_MAX + 1);
    cr_assert_eq(dict_lookup(dict, vstr_str(text), v), DICT_NOTFOUND);
    dict_close(dict);

    /* An over-long line fails the compile and keeps the old table. */
    vstr_strcpy(text, "new v\n");
    for (i = 0; i < DICT_LINE_MAX + 1; i++)
	vstr_addch(text, 'x');
    dt_write(dt_path("map"), vstr_str(text));
    vstr_sprintf(t, "hash:%s", dt_path("map"));
    cr_assert_eq(dict_compile(vstr_str(t), DICT_SRC_POSTMAP, why), -1);
    cr_assert(strstr(vstr_str(why), "/map:2: line longer than"), "%s", vstr_str(why));
    dict = open_table("hash", "map");
    cr_assert_eq(dict_lookup(dict, "short", v), DICT_FOUND, "old table kept");
    cr_assert_eq(dict_lookup(dict, "new", v), DICT_NOTFOUND);
    dict_close(dict);
    vstr_free(text);
    vstr_free(why);
    vstr_free(t);
    vstr_free(v);
}

/* set_mtime - set a file's modification time, seconds ago */

static void
set_mtime(const char *path, int ago)
{
    struct timeval tv[2];

    gettimeofday(&tv[0], 0);
    tv[0].tv_sec -= ago;
    tv[1] = tv[0];
    cr_assert_eq(utimes(path, tv), 0);
}

Test(dict_db, stale_detection, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *t = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct dict *dict;

    vstr_sprintf(t, "hash:%s", dt_path("map"));
    cr_assert_eq(dict_table_stale(vstr_str(t), why), -1, "no source at all");
    dt_write(dt_path("map"), "a b\n");
    cr_assert_eq(dict_table_stale(vstr_str(t), why), 1, "no .db yet");
    cr_assert(strstr(vstr_str(why), "missing"));
    compile("hash", "map", DICT_SRC_POSTMAP);
    cr_assert_eq(dict_table_stale(vstr_str(t), why), 0, "%s", vstr_str(why));
    dict = open_table("hash", "map");
    set_mtime(dt_path("map"), 0);
    set_mtime(dt_path("map.db"), 10);
    cr_assert_eq(dict_table_stale(vstr_str(t), why), 1, "touched source");
    cr_assert(strstr(vstr_str(why), "older"));
    cr_assert_eq(dict_changed(dict), 1, "the .db mtime changed");
    compile("hash", "map", DICT_SRC_POSTMAP);
    cr_assert_eq(dict_table_stale(vstr_str(t), why), 0);
    dict_close(dict);
    vstr_free(t);
    vstr_free(why);
}

Test(dict_db, atomic_replace, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *v = vstr_alloc(10);
    struct dict *old;
    struct dict *new;
    struct stat st;

    dt_write(dt_path("map"), "k old\n");
    cr_assert_eq(chmod(dt_path("map"), 0640), 0);
    compile("hash", "map", DICT_SRC_POSTMAP);
    cr_assert_eq(stat(dt_path("map.db"), &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0640, "mode follows the source");
    old = open_table("hash", "map");
    dt_write(dt_path("map"), "k new\n");
    compile("hash", "map", DICT_SRC_POSTMAP);
    cr_assert_eq(dict_changed(old), 1);
    cr_assert_eq(dict_lookup(old, "k", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "old", "an open reader keeps its version");
    new = open_table("hash", "map");
    cr_assert_eq(dict_lookup(new, "k", v), DICT_FOUND);
    cr_assert_str_eq(vstr_str(v), "new");
    dict_close(old);
    dict_close(new);
    vstr_free(v);
}

Test(dict_db, missing_and_corrupt, .init = dt_setup, .fini = dt_teardown)
{
    struct vstr *t = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    struct dict *dict;
    char    garbage[8192];
    size_t  i;

    vstr_sprintf(t, "hash:%s", dt_path("map"));
    cr_assert_null(dict_open(vstr_str(t), DICT_FLAG_NONE, why));
    cr_assert(strstr(vstr_str(why), "map.db"), "%s", vstr_str(why));
    cr_assert_eq(dict_compile(vstr_str(t), DICT_SRC_POSTMAP, why), -1,
		 "no source file");

    srand(42);
    for (i = 0; i < sizeof(garbage); i++)
	garbage[i] = (char) rand();
    dt_write_len(dt_path("map.db"), garbage, sizeof(garbage));
    dict = dict_open(vstr_str(t), DICT_FLAG_NONE, why);
    if (dict) {
	cr_assert_neq(dict_lookup(dict, "a", v), DICT_FOUND);
	dict_close(dict);
    } else {
	cr_assert_gt(vstr_len(why), 0);
    }
    dt_write(dt_path("map.db"), "");
    cr_assert_null(dict_open(vstr_str(t), DICT_FLAG_NONE, why), "empty file");
    vstr_free(t);
    vstr_free(why);
    vstr_free(v);
}

/* corrupt_pages - damage every page but the first of a real database */

static void
corrupt_pages(const char *type)
{
    struct vstr *text = vstr_alloc(10);
    struct vstr *t = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);
    struct vstr *v = vstr_alloc(10);
    struct dict *dict;
    struct stat st;
    FILE   *fp;
    long    off;
    int     errors = 0;
    int     i;

    for (i = 0; i < 2000; i++)
	vstr_sprintf_append(text, "key%d value%d\n", i, i);
    dt_write(dt_path("map"), vstr_str(text));
    compile(type, "map", DICT_SRC_POSTMAP);
    cr_assert_eq(stat(dt_path("map.db"), &st), 0);
    cr_assert_not_null(fp = fopen(dt_path("map.db"), "r+"));
    srand(7);
    for (off = 4096; off < st.st_size; off += 97) {
	cr_assert_eq(fseek(fp, off, SEEK_SET), 0);
	fputc(rand() & 0xff, fp);
    }
    fclose(fp);
    vstr_sprintf(t, "%s:%s", type, dt_path("map"));
    if ((dict = dict_open(vstr_str(t), DICT_FLAG_NONE, why)) != 0) {
	for (i = 0; i < 2000; i += 7) {
	    vstr_sprintf(text, "key%d", i);
	    if (dict_lookup(dict, vstr_str(text), v) == DICT_ERROR) {
		cr_assert_gt(strlen(dict_reason(dict)), 0);
		errors++;
	    }
	}
	dict_close(dict);
	cr_assert_gt(errors, 0, "damage went unnoticed");
    }
    vstr_free(text);
    vstr_free(t);
    vstr_free(why);
    vstr_free(v);
}

Test(dict_db, corrupt_hash_pages_no_crash, .init = dt_setup, .fini = dt_teardown)
{
    dt_stderr_begin();
    corrupt_pages("hash");
    (void) dt_stderr_end();
}

Test(dict_db, corrupt_btree_pages_no_crash, .init = dt_setup, .fini = dt_teardown)
{
    dt_stderr_begin();
    corrupt_pages("btree");
    (void) dt_stderr_end();
}
