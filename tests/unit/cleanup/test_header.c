/*
 * test_header.c - the header block parser of util/header_parse.c:
 * folding, header names, where the body starts, the size limit across
 * the whole block, and hostile bytes.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "header_parse.h"
#include "argv.h"
#include "mymalloc.h"
#include "vstr.h"

 /*
  * Collected headers: each as text, with "|name_len" appended.
  */
static struct argv *got;
static struct vstr *last;		/* raw bytes of the last header */

static void
collect(const char *hdr, size_t len, size_t name_len, void *ctx)
{
    struct vstr *vp = vstr_alloc(len + 10);

    cr_assert_eq(ctx, (void *) &got);
    vstr_memcpy(vp, hdr, len);
    vstr_memcpy(last, hdr, len);
    vstr_sprintf_append(vp, "|%zu", name_len);
    argv_add(got, vstr_str(vp));
    vstr_free(vp);
}

/* feed - lines until the parser says BODY; returns the index of that line */

static int
feed(struct header_parse *hp, const char **lines, int n, int *status)
{
    int     i;

    for (i = 0; i < n; i++)
	if ((*status = header_parse_line(hp, lines[i], strlen(lines[i])))
	    != HEADER_PARSE_OK)
	    return (i);
    header_parse_end(hp);
    *status = HEADER_PARSE_OK;
    return (n);
}

static void
setup(void)
{
    got = argv_alloc(4);
    last = vstr_alloc(100);
}

static void
teardown(void)
{
    argv_free(got);
    vstr_free(last);
}

TestSuite(header, .init = setup, .fini = teardown);

Test(header, folding_and_blank_line)
{
    const char *lines[] = {
	"Subject: hello", "\tworld", "  again", "From: a@b", "", "body: x",
    };
    struct header_parse *hp = header_parse_create(1000, collect, &got);
    int     st;

    cr_assert_eq(feed(hp, lines, 6, &st), 4);
    cr_assert_eq(st, HEADER_PARSE_BODY);
    cr_assert_eq(got->argc, 2);
    cr_assert_str_eq(got->argv[0], "Subject: hello\n\tworld\n  again|7");
    cr_assert_str_eq(got->argv[1], "From: a@b|4");
    /* Everything after the end of the headers is body. */
    cr_assert_eq(header_parse_line(hp, "To: x", 5), HEADER_PARSE_BODY);
    cr_assert_eq(got->argc, 2);
    header_parse_free(hp);
}

Test(header, non_header_line_starts_body)
{
    const char *lines[] = {"X-A: 1", "this is not a header", "X-B: 2"};
    struct header_parse *hp = header_parse_create(1000, collect, &got);
    int     st;

    cr_assert_eq(feed(hp, lines, 3, &st), 1);
    cr_assert_eq(st, HEADER_PARSE_BODY);
    cr_assert_eq(got->argc, 1);
    cr_assert_str_eq(got->argv[0], "X-A: 1|3");
    header_parse_free(hp);
}

Test(header, continuation_without_header_is_body)
{
    const char *lines[] = {" leading space", "X-A: 1"};
    struct header_parse *hp = header_parse_create(1000, collect, &got);
    int     st;

    cr_assert_eq(feed(hp, lines, 2, &st), 0);
    cr_assert_eq(st, HEADER_PARSE_BODY);
    cr_assert_eq(got->argc, 0);
    header_parse_free(hp);
}

Test(header, end_of_message_flushes)
{
    const char *lines[] = {"Subject: a", " b"};
    struct header_parse *hp = header_parse_create(1000, collect, &got);
    int     st;

    cr_assert_eq(feed(hp, lines, 2, &st), 2);
    cr_assert_eq(got->argc, 1);
    cr_assert_str_eq(got->argv[0], "Subject: a\n b|7");
    header_parse_end(hp);			/* twice: no effect */
    cr_assert_eq(got->argc, 1);
    header_parse_free(hp);
}

Test(header, names)
{
    static const struct {
	const char *line;
	size_t  name_len;
    }       cases[] = {
	{"Subject: x", 7},
	{"Subject : x", 7},			/* obsolete white space */
	{"Subject\t:x", 7},
	{"X:", 1},
	{":x", 0},				/* empty name */
	{"Sub ject: x", 0},			/* space inside the name */
	{"Subject x", 0},			/* no colon */
	{"From someone@example Fri", 0},	/* mbox From_ line */
	{"Ãœ: x", 0},				/* 8-bit name */
	{"", 0},
	{"Subject", 0},
	{"Sub\x7fject: x", 0},
    };
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	cr_assert_eq(header_parse_name_len(cases[i].line, strlen(cases[i].line)),
		     cases[i].name_len, "%s", cases[i].line);
    cr_assert_eq(header_parse_name_len("Sub\0ject: x", 11), 0);
    cr_assert(header_parse_name_eq("received: x", 11, "Received"));
    cr_assert(header_parse_name_eq("RECEIVED : x", 12, "received"));
    cr_assert(!header_parse_name_eq("Received-SPF: x", 15, "received"));
    cr_assert(!header_parse_name_eq("Receive: x", 10, "received"));
    cr_assert_eq(header_parse_value("Message-ID:  <a@b>", 18), 13);
    cr_assert_eq(header_parse_value("Message-ID:\n <a@b>", 18), 13);
    cr_assert_eq(header_parse_value("nothing", 7), 7);
}

Test(header, limit_on_the_whole_block)
{
    struct header_parse *hp = header_parse_create(30, collect, &got);

    /* "X-A: 12345" is 10 bytes + 1: two fit (22), a third does not (33). */
    cr_assert_eq(header_parse_room(hp), 29);
    cr_assert_eq(header_parse_line(hp, "X-A: 12345", 10), HEADER_PARSE_OK);
    cr_assert_eq(header_parse_line(hp, "X-B: 12345", 10), HEADER_PARSE_OK);
    cr_assert_eq(header_parse_room(hp), 7);
    cr_assert_eq(header_parse_line(hp, " 1234567", 8), HEADER_PARSE_TOOBIG);
    cr_assert_eq(header_parse_line(hp, "", 0), HEADER_PARSE_TOOBIG);
    header_parse_end(hp);
    /* The first header was complete; the pending one is dropped. */
    cr_assert_eq(got->argc, 1);
    cr_assert_str_eq(got->argv[0], "X-A: 12345|3");
    cr_assert_eq(header_parse_room(hp), 0);
    header_parse_free(hp);
}

Test(header, exact_fit_and_long_body_line)
{
    struct header_parse *hp = header_parse_create(11, collect, &got);
    char    big[5000];

    cr_assert_eq(header_parse_line(hp, "X-A: 12345", 10), HEADER_PARSE_OK);
    cr_assert_eq(header_parse_room(hp), 0);
    /* A body line longer than the room is not "too big". */
    memset(big, 'b', sizeof(big));
    cr_assert_eq(header_parse_line(hp, big, sizeof(big)), HEADER_PARSE_BODY);
    cr_assert_eq(got->argc, 1);
    header_parse_free(hp);
}

Test(header, folded_many_times_stays_bounded)
{
    struct header_parse *hp = header_parse_create(102400, collect, &got);
    int     i;
    int     st = HEADER_PARSE_OK;

    cr_assert_eq(header_parse_line(hp, "X-A: a", 6), HEADER_PARSE_OK);
    for (i = 0; i < 100000 && st == HEADER_PARSE_OK; i++)
	st = header_parse_line(hp, " b", 2);
    cr_assert_eq(st, HEADER_PARSE_TOOBIG);
    cr_assert(i > 30000 && i < 40000, "%d", i);
    header_parse_end(hp);
    cr_assert_eq(got->argc, 0);
    header_parse_free(hp);
}

Test(header, hostile_bytes_kept)
{
    struct header_parse *hp = header_parse_create(1000, collect, &got);
    const char line[] = "X-A: a\0b\rc\xff";

    cr_assert_eq(header_parse_line(hp, line, sizeof(line) - 1), HEADER_PARSE_OK);
    header_parse_end(hp);
    cr_assert_eq(got->argc, 1);
    cr_assert_eq(vstr_len(last), sizeof(line) - 1);
    cr_assert_eq(memcmp(vstr_str(last), line, sizeof(line) - 1), 0);
    header_parse_free(hp);
}
