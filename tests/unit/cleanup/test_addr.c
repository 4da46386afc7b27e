/*
 * test_addr.c - envelope address rewriting in cleanup_addr.c: bare local
 * parts qualified with myorigin, canonical maps (sender, recipient and
 * common, @domain results, chains, bad results), and recursive virtual
 * alias expansion with self references, loops, duplicates, a table
 * error, and the recursion and expansion limits.
 */
#include <string.h>

#include "ctest.h"
#include "argv.h"
#include "mymalloc.h"

static struct argv *out;
static struct vstr *why;

static void
setup(void)
{
    ct_config();
    out = argv_alloc(4);
    why = vstr_alloc(10);
}

static void
teardown(void)
{
    argv_free(out);
    vstr_free(why);
}

TestSuite(addr, .init = setup, .fini = teardown);

/* qualify - run cleanup_addr_qualify on a copy */

static char *
qualify(const char *in)
{
    static char buf[300];
    struct vstr *vp = vstr_alloc(10);

    vstr_strcpy(vp, in);
    cleanup_addr_qualify(vp);
    snprintf(buf, sizeof(buf), "%s", vstr_str(vp));
    vstr_free(vp);
    return (buf);
}

Test(addr, qualify)
{
    cr_assert_str_eq(qualify("joe"), "joe@example.com");
    cr_assert_str_eq(qualify("joe@host.example.org"), "joe@host.example.org");
    cr_assert_str_eq(qualify("joe@example.org."), "joe@example.org");
    cr_assert_str_eq(qualify("\"a@b\""), "\"a@b\"@example.com");
    cr_assert_str_eq(qualify("\"a\\\"@b\""), "\"a\\\"@b\"@example.com");
    cr_assert_str_eq(qualify("joe@host"), "joe@host");
    cr_assert_str_eq(qualify(""), "");
    var_append_dot_mydomain = 1;
    cr_assert_str_eq(qualify("joe@host"), "joe@host.example.com");
    cr_assert_str_eq(qualify("joe@[192.0.2.1]"), "joe@[192.0.2.1]");
    var_append_at_myorigin = 0;
    cr_assert_str_eq(qualify("joe"), "joe");
}

/* canon - cleanup_addr_canon with the given tables */

static int
canon(struct cleanup_maps *maps, int sender, const char *in, char *res)
{
    struct vstr *vp = vstr_alloc(10);
    int     ret;

    vstr_strcpy(vp, in);
    ret = cleanup_addr_canon(maps, sender, vp, why);
    strcpy(res, vstr_str(vp));
    vstr_free(vp);
    return (ret);
}

Test(addr, canonical)
{
    struct cleanup_maps maps;
    char    res[300];

    memset(&maps, 0, sizeof(maps));
    maps.send_canon = ct_maps("sender_canonical_maps",
			      "inline:{joe@example.com=Joe.Sender@example.com}");
    maps.rcpt_canon = ct_maps("recipient_canonical_maps",
			      "inline:{joe@example.com=joe.rcpt@example.com}");
    maps.canon = ct_maps("canonical_maps", "inline:{"
			 "joe.rcpt@example.com=j@example.com, "
			 "@old.example=@new.example, "
			 "a@example.com=b, b@example.com=c@example.com, "
			 "{bad@example.com = \x01" "bad x}, "
			 "loop1@example.com=loop2@example.com, "
			 "loop2@example.com=loop1@example.com}");
    /* Specific table first, then the common one, on the qualified form. */
    cr_assert_eq(canon(&maps, 1, "joe", res), 0);
    cr_assert_str_eq(res, "Joe.Sender@example.com");
    cr_assert_eq(canon(&maps, 0, "JOE@Example.COM", res), 0);
    cr_assert_str_eq(res, "j@example.com");
    /* @domain keeps the user; a result is qualified and mapped again. */
    cr_assert_eq(canon(&maps, 0, "user@old.example", res), 0);
    cr_assert_str_eq(res, "user@new.example");
    cr_assert_eq(canon(&maps, 0, "a", res), 0);
    cr_assert_str_eq(res, "c@example.com");
    /* A control character in a table result is never used. */
    cr_assert_eq(canon(&maps, 0, "bad@example.com", res), 0);
    cr_assert_str_eq(res, "bad@example.com");
    /* A loop ends at the depth limit instead of spinning. */
    cr_assert_eq(canon(&maps, 0, "loop1@example.com", res), 0);
    cr_assert(strcmp(res, "loop1@example.com") == 0
	      || strcmp(res, "loop2@example.com") == 0);
    /* The null sender is never rewritten. */
    cr_assert_eq(canon(&maps, 1, "", res), 0);
    cr_assert_str_eq(res, "");
    cleanup_maps_close(&maps);
}

/* expand - cleanup_addr_virtual into out; returns its result */

static int
expand(struct maps *virt, const char *addr)
{
    while (out->argc > 0)
	myfree(out->argv[--out->argc]);
    out->argv[0] = 0;
    return (cleanup_addr_virtual(virt, addr, out, why));
}

/* joined - out as one comma-separated string */

static const char *
joined(void)
{
    static char buf[4096];
    size_t  i;

    buf[0] = 0;
    for (i = 0; i < out->argc; i++)
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
		 i ? "," : "", out->argv[i]);
    return (buf);
}

Test(addr, virtual_recursive)
{
    struct maps *virt = ct_maps("virtual_alias_maps", "inline:{"
				"{team@example.com = a@example.com, b, c@remote.example}, "
				"{a@example.com = a1@example.com, <a2@example.com>}, "
				"b@example.com=b1@example.com, "
				"{self@example.com = self@example.com, copy@example.com}, "
				"{x@example.com = y@example.com}, {y@example.com = x@example.com}, "
				"{p@example.com = q@example.com, r@example.com}, "
				"{q@example.com = p@example.com, z@example.com}, "
				"{dup@example.com = d@example.com, D@EXAMPLE.COM, d@example.com}, "
				"plain=plain-user@elsewhere.example, "
				"@virt.example=catchall@example.com}");

    cr_assert_eq(expand(virt, "nobody@example.com"), 0);
    cr_assert_str_eq(joined(), "nobody@example.com");
    cr_assert_eq(expand(virt, "team@example.com"), 0, "%s", vstr_str(why));
    cr_assert_str_eq(joined(), "a1@example.com,a2@example.com,b1@example.com,"
		     "c@remote.example");
    /* An address that expands to itself is kept, once. */
    cr_assert_eq(expand(virt, "self@example.com"), 0);
    cr_assert_str_eq(joined(), "self@example.com,copy@example.com");
    /* A cycle is cut: the address that closes it is delivered as is. */
    cr_assert_eq(expand(virt, "x@example.com"), 0);
    cr_assert_str_eq(joined(), "x@example.com");
    cr_assert_eq(expand(virt, "p@example.com"), 0);
    cr_assert_str_eq(joined(), "p@example.com,z@example.com,r@example.com");
    /* Duplicates (case-insensitive) are removed, the first kept. */
    cr_assert_eq(expand(virt, "dup@example.com"), 0);
    cr_assert_str_eq(joined(), "d@example.com");
    /* Bare user lookups only for our domains; catch-all by domain. */
    cr_assert_eq(expand(virt, "plain@example.com"), 0);
    cr_assert_str_eq(joined(), "plain-user@elsewhere.example");
    cr_assert_eq(expand(virt, "plain@remote.example"), 0);
    cr_assert_str_eq(joined(), "plain@remote.example");
    cr_assert_eq(expand(virt, "anyone@virt.example"), 0);
    cr_assert_str_eq(joined(), "catchall@example.com");
    /* Extensions: user+ext found through user. */
    cr_assert_eq(expand(virt, "b+tag@example.com"), 0);
    cr_assert_str_eq(joined(), "b1@example.com");
    maps_free(virt);
}

Test(addr, virtual_recursion_limit)
{
    struct vstr *list = vstr_alloc(1000);
    struct maps *virt;
    int     i;

    /* A chain of 20 hops: fine at limit 20, deferred at 19. */
    vstr_strcpy(list, "inline:{");
    for (i = 0; i < 20; i++)
	vstr_sprintf_append(list, "h%d@example.com=h%d@example.com, ", i, i + 1);
    vstr_strcat(list, "}");
    virt = ct_maps("virtual_alias_maps", vstr_str(list));
    var_virt_recur_limit = 20;
    cr_assert_eq(expand(virt, "h0@example.com"), 0);
    cr_assert_str_eq(joined(), "h20@example.com");
    var_virt_recur_limit = 19;
    cr_assert_eq(expand(virt, "h0@example.com"), -1);
    cr_assert(strncmp(vstr_str(why), "4.6.0 ", 6) == 0, "%s", vstr_str(why));
    maps_free(virt);
    vstr_free(list);
}

Test(addr, virtual_expansion_limit)
{
    struct vstr *list = vstr_alloc(1000);
    struct maps *virt;
    int     i;

    /* big expands to 10 members, each of which expands to 10 more. */
    vstr_strcpy(list, "inline:{{big@example.com = ");
    for (i = 0; i < 10; i++)
	vstr_sprintf_append(list, "m%d@example.com, ", i);
    vstr_strcat(list, "}");
    for (i = 0; i < 10; i++) {
	int     j;

	vstr_sprintf_append(list, ", {m%d@example.com = ", i);
	for (j = 0; j < 10; j++)
	    vstr_sprintf_append(list, "u%d.%d@example.com, ", i, j);
	vstr_strcat(list, "}");
    }
    vstr_strcat(list, "}");
    virt = ct_maps("virtual_alias_maps", vstr_str(list));
    cr_assert_eq(expand(virt, "big@example.com"), 0, "%s", vstr_str(why));
    cr_assert_eq(out->argc, 100);
    var_virt_expan_limit = 110;
    cr_assert_eq(expand(virt, "big@example.com"), 0);
    var_virt_expan_limit = 109;
    cr_assert_eq(expand(virt, "big@example.com"), -1);
    cr_assert(strncmp(vstr_str(why), "4.6.0 ", 6) == 0, "%s", vstr_str(why));
    maps_free(virt);
    vstr_free(list);
}

Test(addr, virtual_doubling_is_bounded)
{
    struct vstr *list = vstr_alloc(1000);
    struct maps *virt;
    int     i;

    /* Each level names the next one twice: 2^40 paths, 41 addresses. */
    vstr_strcpy(list, "inline:{");
    for (i = 0; i < 40; i++)
	vstr_sprintf_append(list, "{l%d@example.com = l%d@example.com, "
			    "l%d@example.com}, ", i, i + 1, i + 1);
    vstr_strcat(list, "}");
    virt = ct_maps("virtual_alias_maps", vstr_str(list));
    cr_assert_eq(expand(virt, "l0@example.com"), 0, "%s", vstr_str(why));
    cr_assert_str_eq(joined(), "l40@example.com");
    maps_free(virt);
    vstr_free(list);
}

Test(addr, virtual_bad_results_ignored)
{
    struct maps *virt = ct_maps("virtual_alias_maps", "inline:{"
				"{mixed@example.com = \x02" "bad, good@example.com}, "
				"{only@example.com = \x7f}}");

    cr_assert_eq(expand(virt, "mixed@example.com"), 0);
    cr_assert_str_eq(joined(), "good@example.com");
    /* Nothing usable: the address is kept as it is. */
    cr_assert_eq(expand(virt, "only@example.com"), 0);
    cr_assert_str_eq(joined(), "only@example.com");
    maps_free(virt);
}
