/*
 * test_queue_file.c - queue file reader and writer on memory files:
 * round trip of every field (odd addresses, null sender, 8-bit and NUL
 * content, very long lines), canonical re-encoding, truncation at every
 * byte, every single-byte corruption, and hand-made hostile files whose
 * records are out of order, repeated, missing, too long or contain CR,
 * LF or NUL.
 */
#include <stdio.h>
#include <string.h>

#include "qtest.h"

/* make_lines - a mix of short, empty, 8-bit, NUL and very long lines */

static size_t
make_lines(struct vstr ***out)
{
    static const size_t longs[] = {QUEUE_LINE_CHUNK - 1, QUEUE_LINE_CHUNK,
	QUEUE_LINE_CHUNK + 1, 2 * QUEUE_LINE_CHUNK, 3 * QUEUE_LINE_CHUNK + 5};
    static const char odd[] = "8-bit: \xe9\xe8\xff\x80 and NUL:\0:end\r";
    struct vstr **lines = mymalloc(16 * sizeof(*lines));
    size_t  n = 0;
    size_t  i;
    size_t  j;

    lines[n++] = qt_line("Subject: test", 13);
    lines[n++] = qt_line("", 0);
    lines[n++] = qt_line(odd, sizeof(odd) - 1);
    lines[n++] = qt_line(".", 1);
    for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
	lines[n] = vstr_alloc(longs[i]);
	for (j = 0; j < longs[i]; j++)
	    vstr_addch(lines[n], (int) ((j * 31 + i) & 0xff));
	n++;
    }
    lines[n++] = qt_line("last", 4);
    *out = lines;
    return (n);
}

/* round_trip - write env + lines, read back, compare, return the bytes */

static struct vstr *
round_trip(struct queue_env *env, struct vstr **lines, size_t n)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *file;
    struct vstr *again;
    struct vstr **got;
    struct queue_env back;
    size_t  ngot;
    size_t  i;
    long long size = 0;

    cr_assert_eq(qt_build(env, lines, n, &file, why), 0, "%s", vstr_str(why));
    cr_assert_eq(qt_parse(vstr_str(file), vstr_len(file), &back, &got, &ngot,
			  why), 0, "%s", vstr_str(why));
    qt_env_eq(env, &back);
    cr_assert_eq(ngot, n);
    for (i = 0; i < n; i++) {
	cr_assert_eq(vstr_len(got[i]), vstr_len(lines[i]), "line %zu", i);
	cr_assert(memcmp(vstr_str(got[i]), vstr_str(lines[i]),
			 vstr_len(lines[i])) == 0, "line %zu", i);
	size += (long long) vstr_len(lines[i]) + 1;
    }
    cr_assert_eq(back.size, size);
    /* Canonical: writing what was read gives the same bytes. */
    cr_assert_eq(qt_build(&back, got, ngot, &again, why), 0);
    cr_assert_eq(vstr_len(again), vstr_len(file));
    cr_assert(memcmp(vstr_str(again), vstr_str(file), vstr_len(file)) == 0);
    vstr_free(again);
    queue_env_free(&back);
    qt_free_lines(got, ngot);
    vstr_free(why);
    return (file);
}

Test(queue_file, round_trip_all_fields)
{
    struct queue_env env;
    struct vstr **lines;
    size_t  n = make_lines(&lines);

    qt_sample_env(&env);
    vstr_free(round_trip(&env, lines, n));
    queue_env_free(&env);
    qt_free_lines(lines, n);
}

Test(queue_file, round_trip_minimal_null_sender_odd_addresses)
{
    struct queue_env env;
    struct vstr *addr = vstr_alloc(100);
    struct vstr **lines = 0;
    int     ch;

    queue_env_init(&env);
    env.sender = mystrdup("");
    for (ch = 0x20; ch < 0x7f; ch++)
	vstr_addch(addr, ch);
    vstr_strcat(addr, "@\xc3\xa9xample.org");
    queue_env_add_rcpt(&env, vstr_str(addr), vstr_str(addr),
		       QUEUE_NOTIFY_DELAY);
    queue_env_add_rcpt(&env, "\"quoted \\\" local\"@[127.0.0.1]", 0, 0);
    env.rcpt[1].done = 1;
    vstr_free(round_trip(&env, lines, 0));
    queue_env_free(&env);
    vstr_free(addr);
}

Test(queue_file, writer_rejects_bad_fields)
{
    static const char *bad_addr[] = {"a\r\nb@x", "a\nb", "a\rb", "a\tb",
    "a\x7f", "a\x01"};
    struct queue_env env;
    struct vstr *why = vstr_alloc(10);
    struct vstr *file;
    struct vstr *big = vstr_alloc(QUEUE_ADDR_MAX + 1);
    size_t  i;

    for (i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
	qt_sample_env(&env);
	myfree(env.sender);
	env.sender = mystrdup(bad_addr[i]);
	cr_assert_eq(qt_build(&env, 0, 0, &file, why), -1, "%zu", i);
	cr_assert(strstr(vstr_str(why), "sender"), "%s", vstr_str(why));
	vstr_free(file);
	queue_env_free(&env);
    }
    qt_sample_env(&env);
    myfree(env.rcpt[1].address);
    env.rcpt[1].address = mystrdup("");
    cr_assert_eq(qt_build(&env, 0, 0, &file, why), -1);
    vstr_free(file);
    queue_env_free(&env);

    qt_sample_env(&env);
    env.rcpt[0].notify = QUEUE_NOTIFY_NEVER | QUEUE_NOTIFY_DELAY;
    cr_assert_eq(qt_build(&env, 0, 0, &file, why), -1);
    vstr_free(file);
    queue_env_free(&env);

    qt_sample_env(&env);
    while (vstr_len(big) <= QUEUE_ADDR_MAX)
	vstr_addch(big, 'x');
    myfree(env.rcpt[2].address);
    env.rcpt[2].address = mystrdup(vstr_str(big));
    cr_assert_eq(qt_build(&env, 0, 0, &file, why), -1);
    vstr_free(file);
    queue_env_free(&env);

    qt_sample_env(&env);
    myfree(env.dsn_envid);
    env.dsn_envid = mystrdup("abc\ndef");		/* SECURITY-CASES C3 */
    cr_assert_eq(qt_build(&env, 0, 0, &file, why), -1);
    vstr_free(file);
    env.dsn_envid[3] = 'x';
    env.flags = 4;
    cr_assert_eq(qt_build(&env, 0, 0, &file, why), -1);
    vstr_free(file);
    env.flags = 0;
    while (env.rcpt_count > 0) {
	env.rcpt_count--;
	myfree(env.rcpt[env.rcpt_count].address);
	myfree(env.rcpt[env.rcpt_count].orcpt);
    }
    cr_assert_eq(qt_build(&env, 0, 0, &file, why), -1);
    cr_assert(strstr(vstr_str(why), "no recipients"));
    vstr_free(file);
    queue_env_free(&env);
    vstr_free(big);
    vstr_free(why);
}

/* sample_file - a valid file with every field and some content */

static struct vstr *
sample_file(void)
{
    struct queue_env env;
    struct vstr *file;
    struct vstr *why = vstr_alloc(10);
    struct vstr *lines[3];
    size_t  i;

    qt_sample_env(&env);
    lines[0] = qt_line("Subject: hi", 11);
    lines[1] = vstr_alloc(QUEUE_LINE_CHUNK + 10);
    for (i = 0; i < QUEUE_LINE_CHUNK + 3; i++)
	vstr_addch(lines[1], 'a' + (int) (i % 26));
    lines[2] = qt_line("bye\xff", 4);
    cr_assert_eq(qt_build(&env, lines, 3, &file, why), 0);
    for (i = 0; i < 3; i++)
	vstr_free(lines[i]);
    queue_env_free(&env);
    vstr_free(why);
    return (file);
}

Test(queue_file, truncation_at_every_byte_is_an_error)
{
    struct vstr *file = sample_file();
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct vstr **lines;
    size_t  n;
    size_t  cut;

    for (cut = 0; cut < vstr_len(file); cut++) {
	vstr_reset(why);
	cr_assert_eq(qt_parse(vstr_str(file), cut, &env, &lines, &n, why), -1,
		     "accepted a file cut at %zu of %zu", cut, vstr_len(file));
	cr_assert_gt(vstr_len(why), 0, "no reason at %zu", cut);
    }
    cr_assert_eq(qt_parse(vstr_str(file), cut, &env, &lines, &n, why), 0);
    queue_env_free(&env);
    qt_free_lines(lines, n);
    vstr_free(file);
    vstr_free(why);
}

Test(queue_file, every_single_byte_corruption)
{
    static const unsigned char vals[] = {0, 1, 0x0a, 0x0d, 0x20, 0x7f, 0x80,
	0xff, 'R', 'D', 'N', 'L', 'X', 'E', 'M', 'S', '0', '9'};
    struct vstr *file = sample_file();
    struct vstr *copy = vstr_alloc(vstr_len(file));
    struct vstr *why = vstr_alloc(10);
    struct vstr *again;
    struct queue_env env;
    struct vstr **lines;
    size_t  n;
    size_t  pos;
    size_t  v;
    int     accepted = 0;
    int     rejected = 0;

    for (pos = 0; pos < vstr_len(file); pos++) {
	for (v = 0; v < sizeof(vals) + 1; v++) {
	    vstr_memcpy(copy, vstr_str(file), vstr_len(file));
	    if (v < sizeof(vals))
		copy->data[pos] = (char) vals[v];
	    else
		copy->data[pos] ^= 0x5a;
	    if (memcmp(vstr_str(copy), vstr_str(file), vstr_len(file)) == 0)
		continue;
	    if (qt_parse(vstr_str(copy), vstr_len(copy), &env, &lines, &n,
			 why) < 0) {
		rejected++;
		continue;
	    }
	    /* Accepted (e.g. a changed letter in an address): canonical. */
	    accepted++;
	    cr_assert_eq(qt_build(&env, lines, n, &again, why), 0);
	    cr_assert(vstr_len(again) == vstr_len(copy)
		      && memcmp(vstr_str(again), vstr_str(copy),
				vstr_len(copy)) == 0,
		      "pos %zu value %zu accepted but not canonical", pos, v);
	    vstr_free(again);
	    queue_env_free(&env);
	    qt_free_lines(lines, n);
	}
    }
    cr_assert_gt(rejected, 0);
    cr_assert_gt(accepted, 0);
    vstr_free(copy);
    vstr_free(file);
    vstr_free(why);
}

 /*
  * Hand-made files, record by record.
  */
struct rec {
    int     type;
    const char *data;			/* NULL ends the list */
    size_t  len;			/* 0: strlen(data) */
};

#define MAGIC	{'V', QUEUE_MAGIC, 0}
#define TIME	{'T', "1700000000.000001", 0}
#define SIZE6	{'Z', "00000000000000000006", 0}
#define SENDER	{'S', "s@example.org", 0}
#define RCPT	{'R', "r@example.org", 0}
#define MESG	{'M', "", 0}
#define HELLO	{'N', "hello", 0}
#define XTRA	{'X', "", 0}
#define END	{'E', "", 0}
#define STOP	{0, 0, 0}

/* raw - build a file from records */

static struct vstr *
raw(const struct rec *rp)
{
    struct vstr *out = vstr_alloc(100);
    size_t  len;

    for (; rp->data; rp++) {
	len = rp->len ? rp->len : strlen(rp->data);
	vstr_addch(out, rp->type);
	vstr_addch(out, (int) ((len >> 24) & 0xff));
	vstr_addch(out, (int) ((len >> 16) & 0xff));
	vstr_addch(out, (int) ((len >> 8) & 0xff));
	vstr_addch(out, (int) (len & 0xff));
	vstr_memcat(out, rp->data, len);
    }
    return (out);
}

/* expect_bad - the reader must reject with a reason containing text */

static void
expect_bad(const char *name, const struct rec *recs, const char *text)
{
    struct vstr *file = raw(recs);
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct vstr **lines;
    size_t  n;

    cr_assert_eq(qt_parse(vstr_str(file), vstr_len(file), &env, &lines, &n,
			  why), -1, "%s: accepted", name);
    cr_assert(strstr(vstr_str(why), text), "%s: reason \"%s\" lacks \"%s\"",
	      name, vstr_str(why), text);
    vstr_free(file);
    vstr_free(why);
}

Test(queue_file, hand_made_good_file)
{
    static const struct rec good[] = {MAGIC, TIME, SIZE6, SENDER, RCPT, MESG,
    HELLO, XTRA, END, STOP};
    struct vstr *file = raw(good);
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct vstr **lines;
    size_t  n;

    cr_assert_eq(qt_parse(vstr_str(file), vstr_len(file), &env, &lines, &n,
			  why), 0, "%s", vstr_str(why));
    cr_assert_eq(n, 1);
    cr_assert_str_eq(vstr_str(lines[0]), "hello");
    cr_assert_str_eq(env.rcpt[0].address, "r@example.org");
    cr_assert_eq(env.rcpt[0].offset, (off_t) (REC_SIZE(strlen(QUEUE_MAGIC))
	     + REC_SIZE(17) + REC_SIZE(20) + REC_SIZE(13)));
    queue_env_free(&env);
    qt_free_lines(lines, n);
    vstr_free(file);
    vstr_free(why);
}

static const char chunk4k[QUEUE_LINE_CHUNK];

#define BAD(name, text, ...) do { \
	static const struct rec recs_[] = {__VA_ARGS__, STOP}; \
	expect_bad(name, recs_, text); \
    } while (0)

Test(queue_file, hostile_files)
{
    BAD("empty magic", "bad magic", {'V', "", 0}, TIME, SIZE6, SENDER, RCPT,
	MESG, HELLO, XTRA, END);
    BAD("wrong version", "bad magic", {'V', "postern-queue 2", 0}, TIME,
	SIZE6, SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("no magic", "bad magic", TIME, SIZE6, SENDER, RCPT, MESG, HELLO,
	XTRA, END);
    BAD("unknown type", "unknown record type", MAGIC, TIME, {'?', "x", 0},
	SIZE6, SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("no sender", "out of order", MAGIC, TIME, SIZE6, RCPT, MESG, HELLO,
	XTRA, END);
    BAD("two senders", "out of order", MAGIC, TIME, SIZE6, SENDER, SENDER,
	RCPT, MESG, HELLO, XTRA, END);
    BAD("no recipient", "out of order", MAGIC, TIME, SIZE6, SENDER, MESG,
	HELLO, XTRA, END);
    BAD("no time", "out of order", MAGIC, SIZE6, SENDER, RCPT, MESG, HELLO,
	XTRA, END);
    BAD("attribute after sender", "out of order", MAGIC, TIME, SIZE6, SENDER,
	{'h', "helo", 0}, RCPT, MESG, HELLO, XTRA, END);
    BAD("attributes reversed", "out of order", MAGIC, TIME, SIZE6,
	{'a', "1.2.3.4", 0}, {'c', "host", 0}, SENDER, RCPT, MESG, HELLO,
	XTRA, END);
    BAD("attribute twice", "out of order", MAGIC, TIME, SIZE6,
	{'u', "joe", 0}, {'u', "joe", 0}, SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("recipient after content start", "rcpt record in content", MAGIC,
	TIME, SIZE6, SENDER, RCPT, MESG, RCPT, HELLO, XTRA, END);
    BAD("content before envelope end", "before end of envelope", MAGIC, TIME,
	SIZE6, SENDER, RCPT, HELLO, MESG, XTRA, END);
    BAD("dangling orcpt", "out of order", MAGIC, TIME, SIZE6, SENDER, RCPT,
	{'O', "rfc822;x@y", 0}, MESG, HELLO, XTRA, END);
    BAD("two orcpts", "out of order", MAGIC, TIME, SIZE6, SENDER,
	{'O', "rfc822;x@y", 0}, {'O', "rfc822;x@y", 0}, RCPT, MESG, HELLO,
	XTRA, END);
    BAD("notify before orcpt", "out of order", MAGIC, TIME, SIZE6, SENDER,
	{'n', "2", 0}, {'O', "rfc822;x@y", 0}, RCPT, MESG, HELLO, XTRA, END);
    BAD("notify never+success", "NEVER", MAGIC, TIME, SIZE6, SENDER,
	{'n', "3", 0}, RCPT, MESG, HELLO, XTRA, END);
    BAD("notify leading zero", "canonical", MAGIC, TIME, SIZE6, SENDER,
	{'n', "02", 0}, RCPT, MESG, HELLO, XTRA, END);
    BAD("flags unknown", "out of range", MAGIC, TIME, SIZE6, {'f', "8", 0},
	SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("sender with CRLF", "bad character 0x0d", MAGIC, TIME, SIZE6,
	{'S', "a@b\r\nRCPT", 0}, RCPT, MESG, HELLO, XTRA, END);
    BAD("recipient with LF", "bad character 0x0a", MAGIC, TIME, SIZE6, SENDER,
	{'R', "a\n@b", 0}, MESG, HELLO, XTRA, END);
    BAD("recipient with NUL", "bad character 0x00", MAGIC, TIME, SIZE6,
	SENDER, {'R', "a\0b@c", 5}, MESG, HELLO, XTRA, END);
    BAD("orcpt with CR", "bad character", MAGIC, TIME, SIZE6, SENDER,
	{'O', "rfc822;x\ry", 0}, RCPT, MESG, HELLO, XTRA, END);
    BAD("empty recipient", "length 0", MAGIC, TIME, SIZE6, SENDER,
	{'R', "", 0}, MESG, HELLO, XTRA, END);
    BAD("8-bit client addr", "bad character", MAGIC, TIME, SIZE6,
	{'a', "1.2.3.\xb4", 0}, SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("bad time", "time record", MAGIC, {'T', "17e8.000001", 0}, SIZE6,
	SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("short usec", "time record", MAGIC, {'T', "1700000000.1", 0}, SIZE6,
	SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("short size", "size record", MAGIC, TIME, {'Z', "6", 0}, SENDER,
	RCPT, MESG, HELLO, XTRA, END);
    BAD("size overflow", "size record", MAGIC, TIME,
	{'Z', "99999999999999999999", 0}, SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("size mismatch", "size record says", MAGIC, TIME,
	{'Z', "00000000000000000007", 0}, SENDER, RCPT, MESG, HELLO, XTRA, END);
    BAD("content beyond size", "exceeds size", MAGIC, TIME, SIZE6, SENDER,
	RCPT, MESG, HELLO, HELLO, XTRA, END);
    BAD("data in mesg", "unexpected data", MAGIC, TIME, SIZE6, SENDER, RCPT,
	{'M', "x", 0}, HELLO, XTRA, END);
    BAD("short continuation", "length", MAGIC, TIME, SIZE6, SENDER, RCPT,
	MESG, {'L', "hel", 0}, {'N', "lo", 0}, XTRA, END);
    BAD("partial line at end", "partial line", MAGIC, TIME,
	{'Z', "00000000000000004096", 0}, SENDER, RCPT, MESG,
	{'L', chunk4k, QUEUE_LINE_CHUNK}, XTRA, END);
    BAD("missing end", "premature end", MAGIC, TIME, SIZE6, SENDER, RCPT,
	MESG, HELLO, XTRA);
    BAD("no xtra", "premature end", MAGIC, TIME, SIZE6, SENDER, RCPT, MESG,
	HELLO);
    BAD("data after end", "data after end", MAGIC, TIME, SIZE6, SENDER, RCPT,
	MESG, HELLO, XTRA, END, HELLO);
    BAD("envelope record in content", "in content", MAGIC, TIME, SIZE6,
	SENDER, RCPT, MESG, HELLO, SENDER, XTRA, END);
    BAD("rcpt after xtra", "after end of content", MAGIC, TIME, SIZE6, SENDER,
	RCPT, MESG, HELLO, XTRA, RCPT, END);
    BAD("envelope record too long", "exceeds limit", MAGIC, TIME, SIZE6,
	{'h', chunk4k, QUEUE_ADDR_MAX + 1}, SENDER, RCPT, MESG, HELLO, XTRA, END);
}

Test(queue_file, long_line_pieces)
{
    static char chunk[QUEUE_LINE_CHUNK];
    struct rec recs[] = {MAGIC, TIME, {'Z', "00000000000000008197", 0},
	SENDER, RCPT, MESG, {'L', chunk, QUEUE_LINE_CHUNK},
	{'L', chunk, QUEUE_LINE_CHUNK}, {'N', "xyz", 0}, {'N', "", 0},
	{'N', "", 0}, {'N', "", 0}, XTRA, END, STOP};
    struct vstr *file;
    struct vstream *fp;
    struct queue_reader *r;
    struct queue_env env;
    struct vstr *line = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    memset(chunk, 'q', sizeof(chunk));
    /* 8192 + 3 + 1, then three empty lines: 8199 bytes, not 8197. */
    file = raw(recs);
    fp = vstream_memopen(vstr_str(file), vstr_len(file));
    r = queue_read_stream(fp);
    cr_assert_eq(queue_read_envelope(r, &env, why), 0, "%s", vstr_str(why));
    cr_assert_eq(queue_read_line(r, line, 100, why), QUEUE_PART);
    cr_assert_eq(vstr_len(line), QUEUE_LINE_CHUNK);
    cr_assert_eq(queue_read_line(r, line, 100, why), QUEUE_PART);
    cr_assert_eq(queue_read_line(r, line, 100, why), QUEUE_LINE);
    cr_assert_str_eq(vstr_str(line), "xyz");
    cr_assert_eq(queue_read_line(r, line, 100, why), QUEUE_LINE);
    cr_assert_eq(vstr_len(line), 0);
    cr_assert_eq(queue_read_line(r, line, 100, why), QUEUE_ERR);
    cr_assert(strstr(vstr_str(why), "exceeds size"), "%s", vstr_str(why));
    queue_read_close(r);
    vstream_free(fp);
    queue_env_free(&env);
    vstr_free(file);

    /* An empty last piece after a continuation is not canonical. */
    recs[2].data = "00000000000000004097";
    recs[7] = (struct rec) {'N', "", 0};
    recs[8] = (struct rec) XTRA;
    recs[9] = (struct rec) END;
    recs[10] = (struct rec) STOP;
    expect_bad("empty piece", recs, "empty piece");
    vstr_free(line);
    vstr_free(why);
}

Test(queue_file, trailer_records_must_be_empty)
{
    BAD("data in xtra", "unexpected data", MAGIC, TIME, SIZE6, SENDER, RCPT,
	MESG, HELLO, {'X', "x", 0}, END);
    BAD("data in end", "unexpected data", MAGIC, TIME, SIZE6, SENDER, RCPT,
	MESG, HELLO, XTRA, {'E', "x", 0});
}
