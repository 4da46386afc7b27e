/*
 * test_record.c - record layer: round trip of every type and length,
 * EOF versus truncation, unknown types, and the length limit checked
 * before any allocation (a record that claims 4 GiB).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <criterion/criterion.h>

#include "vstr.h"
#include "vstream.h"
#include "record.h"

/* rt_get - parse a byte buffer's first record */

static int
rt_get(const char *bytes, size_t len, struct vstr *buf, size_t maxlen,
       struct vstr *why)
{
    struct vstream *fp = vstream_memopen(bytes, len);
    int     type = rec_get_why(fp, buf, maxlen, why);

    vstream_free(fp);
    return (type);
}

Test(record, round_trip_every_type_and_length)
{
    static const size_t lens[] = {0, 1, 2, 255, 256, 4096, 65535, REC_DATA_MAX};
    int     fd = memfd_create("rec", 0);
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_WRITE);
    struct vstr *buf = vstr_alloc(10);
    char   *data = malloc(REC_DATA_MAX);
    const char *tp;
    size_t  i;
    off_t   size;
    char   *all;

    for (i = 0; i < REC_DATA_MAX; i++)
	data[i] = (char) (i * 7 + 3);			/* NULs and 8-bit too */
    for (tp = REC_TYPE_ALL; *tp; tp++)
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
	    cr_assert_eq(rec_put(fp, *tp, data, lens[i]), *tp);
    cr_assert_eq(vstream_flush(fp), VSTREAM_OK);
    vstream_free(fp);
    size = lseek(fd, 0, SEEK_END);
    all = malloc((size_t) size);
    cr_assert_eq(pread(fd, all, (size_t) size, 0), size);
    fp = vstream_memopen(all, (size_t) size);
    for (tp = REC_TYPE_ALL; *tp; tp++) {
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
	    cr_assert_eq(rec_get(fp, buf, REC_DATA_MAX), *tp);
	    cr_assert_eq(vstr_len(buf), lens[i]);
	    cr_assert(memcmp(vstr_str(buf), data, lens[i]) == 0);
	}
    }
    cr_assert_eq(rec_get(fp, buf, REC_DATA_MAX), REC_TYPE_EOF);
    vstream_free(fp);
    free(all);
    free(data);
    vstr_free(buf);
    close(fd);
}

Test(record, header_is_type_and_big_endian_length)
{
    int     fd = memfd_create("rec", 0);
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_WRITE);
    unsigned char got[16];

    cr_assert_eq(rec_put(fp, REC_TYPE_SENDER, "a@b", 3), REC_TYPE_SENDER);
    cr_assert_eq(vstream_flush(fp), VSTREAM_OK);
    cr_assert_eq(pread(fd, got, sizeof(got), 0), 8);
    cr_assert(memcmp(got, "S\0\0\0\3a@b", 8) == 0);
    vstream_free(fp);
    close(fd);
}

Test(record, huge_length_rejected_before_allocation)
{
    struct vstr *buf = vstr_alloc(16);
    struct vstr *why = vstr_alloc(16);
    size_t  cap = buf->cap;

    /* Claims 4 GiB - 1 and has no data at all. */
    cr_assert_eq(rt_get("N\xff\xff\xff\xff", 5, buf, REC_DATA_MAX, why),
		 REC_TYPE_ERROR);
    cr_assert(strstr(vstr_str(why), "exceeds limit"), "%s", vstr_str(why));
    cr_assert_eq(buf->cap, cap, "buffer grew to %zu", buf->cap);
    /* Just above the caller's limit, with the data present. */
    cr_assert_eq(rt_get("S\0\0\0\5hello", 10, buf, 4, why), REC_TYPE_ERROR);
    cr_assert_eq(rt_get("S\0\0\0\5hello", 10, buf, 5, why), REC_TYPE_SENDER);
    cr_assert_str_eq(vstr_str(buf), "hello");
    /* REC_DATA_MAX applies even when the caller allows more. */
    cr_assert_eq(rt_get("N\0\1\0\1", 5, buf, (size_t) 1 << 30, why),
		 REC_TYPE_ERROR);
    vstr_free(buf);
    vstr_free(why);
}

Test(record, eof_versus_truncation)
{
    static const char rec[] = "R\0\0\0\4a@bc";
    struct vstr *buf = vstr_alloc(16);
    struct vstr *why = vstr_alloc(16);
    size_t  n;

    cr_assert_eq(rt_get("", 0, buf, 100, why), REC_TYPE_EOF);
    for (n = 1; n < sizeof(rec) - 1; n++) {
	vstr_reset(why);
	cr_assert_eq(rt_get(rec, n, buf, 100, why), REC_TYPE_ERROR,
		     "truncated at %zu", n);
	cr_assert(strstr(vstr_str(why), "premature end of file"),
		  "%zu: %s", n, vstr_str(why));
    }
    cr_assert_eq(rt_get(rec, sizeof(rec) - 1, buf, 100, why), REC_TYPE_RCPT);
    vstr_free(buf);
    vstr_free(why);
}

Test(record, unknown_types_rejected)
{
    struct vstr *buf = vstr_alloc(16);
    struct vstr *why = vstr_alloc(16);
    char    rec[5] = {0, 0, 0, 0, 0};
    int     ch;
    int     known = 0;

    for (ch = 0; ch < 256; ch++) {
	rec[0] = (char) ch;
	if (ch != 0 && strchr(REC_TYPE_ALL, ch)) {
	    cr_assert_eq(rt_get(rec, 5, buf, 100, why), ch);
	    cr_assert(rec_type_ok(ch));
	    cr_assert_str_neq(rec_type_name(ch), "unknown");
	    known++;
	} else {
	    cr_assert_eq(rt_get(rec, 5, buf, 100, why), REC_TYPE_ERROR,
			 "type 0x%02x accepted", ch);
	    cr_assert(!rec_type_ok(ch));
	    cr_assert_str_eq(rec_type_name(ch), "unknown");
	}
    }
    cr_assert_eq(known, (int) strlen(REC_TYPE_ALL));
    cr_assert(!rec_type_ok(REC_TYPE_EOF) && !rec_type_ok(REC_TYPE_ERROR));
    vstr_free(buf);
    vstr_free(why);
}

Test(record, rec_get_logs_and_fails)
{
    struct vstream *fp = vstream_memopen("?\0\0\0\0", 5);
    struct vstr *buf = vstr_alloc(16);

    cr_assert_eq(rec_get(fp, buf, 10), REC_TYPE_ERROR);
    vstream_free(fp);
    vstr_free(buf);
}

Test(record, put_bad_type_panics, .signal = SIGABRT)
{
    int     fd = memfd_create("rec", 0);
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_WRITE);

    rec_put(fp, '?', "", 0);
}

Test(record, put_too_long_panics, .signal = SIGABRT)
{
    int     fd = memfd_create("rec", 0);
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_WRITE);
    static char big[REC_DATA_MAX + 1];

    rec_put(fp, REC_TYPE_NORM, big, sizeof(big));
}

Test(record, put_reports_write_error)
{
    int     fds[2];
    struct vstream *fp;
    static char data[REC_DATA_MAX];
    int     i;
    int     failed = 0;

    cr_assert_eq(pipe(fds), 0);
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    fp = vstream_fdopen(fds[1], VSTREAM_WRITE);
    for (i = 0; i < 4 && !failed; i++)
	failed = (rec_put(fp, REC_TYPE_NORM, data, sizeof(data)) == REC_TYPE_ERROR);
    cr_assert(failed || vstream_flush(fp) != VSTREAM_OK);
    vstream_free(fp);
    close(fds[1]);
}
