/*
 * qtest.h - helpers shared by the queue unit tests: build a queue file
 * in memory (memfd), parse a byte buffer completely, compare envelopes.
 * Everything is static so each test file gets its own copy.
 */
#ifndef QTEST_H
#define QTEST_H

#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <criterion/criterion.h>

#include "vstr.h"
#include "vstream.h"
#include "mymalloc.h"
#include "record.h"
#include "queue_file.h"

/* qt_slurp - whole contents of an fd */

static UNUSED struct vstr *
qt_slurp(int fd)
{
    struct vstr *out = vstr_alloc(1024);
    char    buf[8192];
    off_t   off = 0;
    ssize_t n;

    while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
	vstr_memcat(out, buf, (size_t) n);
	off += n;
    }
    cr_assert(n == 0, "pread failed");
    return (out);
}

/* qt_build - write env and lines with queue_out to memory; 0 or -1 */

static UNUSED int
qt_build(struct queue_env *env, struct vstr **lines, size_t n,
	         struct vstr **file, struct vstr *why)
{
    int     fd = memfd_create("qtest", 0);
    struct vstream *fp;
    struct queue_out out;
    size_t  i;
    int     ret = 0;

    cr_assert(fd >= 0);
    fp = vstream_fdopen(fd, VSTREAM_WRITE);
    queue_out_init(&out, fp);
    if (queue_out_envelope(&out, env, why) < 0)
	ret = -1;
    for (i = 0; ret == 0 && i < n; i++)
	if (queue_out_text(&out, vstr_str(lines[i]), vstr_len(lines[i]), 0, why) < 0)
	    ret = -1;
    if (ret == 0 && queue_out_finish(&out, why) < 0)
	ret = -1;
    queue_out_done(&out);
    vstream_free(fp);
    *file = qt_slurp(fd);
    close(fd);
    return (ret);
}

/* qt_parse - read envelope and all content; lines appended to *lines */

static UNUSED int
qt_parse(const char *buf, size_t len, struct queue_env *env,
	         struct vstr ***lines, size_t *nlines, struct vstr *why)
{
    struct vstream *fp = vstream_memopen(buf, len);
    struct queue_reader *r = queue_read_stream(fp);
    struct vstr *line = vstr_alloc(100);
    int     st = 0;

    *lines = 0;
    *nlines = 0;
    if (queue_read_envelope(r, env, why) < 0) {
	st = -1;
    } else {
	while ((st = queue_read_line(r, line, 0, why)) == QUEUE_LINE) {
	    *lines = myrealloc(*lines, (*nlines + 1) * sizeof(**lines));
	    (*lines)[(*nlines)++] = vstr_alloc(vstr_len(line) + 1);
	    vstr_memcpy((*lines)[*nlines - 1], vstr_str(line), vstr_len(line));
	}
	if (st != QUEUE_END) {
	    cr_assert_eq(st, QUEUE_ERR, "unexpected status %d", st);
	    queue_env_free(env);
	    st = -1;
	} else {
	    st = 0;
	}
    }
    if (st < 0) {
	while (*nlines > 0)
	    vstr_free((*lines)[--*nlines]);
	myfree(*lines);
	*lines = 0;
    }
    vstr_free(line);
    queue_read_close(r);
    vstream_free(fp);
    return (st);
}

/* qt_free_lines - free a line array */

static UNUSED void
qt_free_lines(struct vstr **lines, size_t n)
{
    while (n > 0)
	vstr_free(lines[--n]);
    myfree(lines);
}

/* qt_streq - NULL-aware string equality */

static UNUSED int
qt_streq(const char *a, const char *b)
{
    return ((a == 0 && b == 0) || (a && b && strcmp(a, b) == 0));
}

/* qt_env_eq - compare every envelope field except size/offsets */

static UNUSED void
qt_env_eq(const struct queue_env *a, const struct queue_env *b)
{
    size_t  i;

    cr_assert_eq(a->arrival.tv_sec, b->arrival.tv_sec);
    cr_assert_eq(a->arrival.tv_usec, b->arrival.tv_usec);
    cr_assert(qt_streq(a->client_name, b->client_name));
    cr_assert(qt_streq(a->client_addr, b->client_addr));
    cr_assert(qt_streq(a->helo, b->helo));
    cr_assert(qt_streq(a->protocol, b->protocol));
    cr_assert(qt_streq(a->sasl_user, b->sasl_user));
    cr_assert(qt_streq(a->dsn_envid, b->dsn_envid));
    cr_assert(qt_streq(a->sender, b->sender));
    cr_assert_eq(a->flags, b->flags);
    cr_assert_eq(a->commit_flags, b->commit_flags);
    cr_assert_eq(a->dsn_ret, b->dsn_ret);
    cr_assert_eq(a->rcpt_count, b->rcpt_count);
    for (i = 0; i < a->rcpt_count; i++) {
	cr_assert(qt_streq(a->rcpt[i].address, b->rcpt[i].address));
	cr_assert(qt_streq(a->rcpt[i].orcpt, b->rcpt[i].orcpt));
	cr_assert_eq(a->rcpt[i].notify, b->rcpt[i].notify);
	cr_assert_eq(a->rcpt[i].done, b->rcpt[i].done);
	cr_assert_eq(a->rcpt[i].offset, b->rcpt[i].offset);
    }
}

/* qt_sample_env - an envelope that uses every field */

static UNUSED void
qt_sample_env(struct queue_env *env)
{
    queue_env_init(env);
    env->arrival.tv_sec = 1700000000;
    env->arrival.tv_usec = 123456;
    env->client_name = mystrdup("mail.example.org");
    env->client_addr = mystrdup("2001:db8::1");
    env->helo = mystrdup("mail.example.org");
    env->protocol = mystrdup("ESMTPSA");
    env->sasl_user = mystrdup("joe");
    env->flags = QUEUE_FLAG_8BITMIME | QUEUE_FLAG_SMTPUTF8;
    env->dsn_ret = QUEUE_RET_HDRS;
    env->dsn_envid = mystrdup("QQ314159");
    env->sender = mystrdup("sender@example.org");
    queue_env_add_rcpt(env, "a@example.com", "rfc822;a@example.com",
		       QUEUE_NOTIFY_SUCCESS | QUEUE_NOTIFY_FAILURE);
    queue_env_add_rcpt(env, "b@example.com", 0, 0);
    queue_env_add_rcpt(env, "c@example.com", 0, QUEUE_NOTIFY_NEVER);
}

/* qt_line - a new vstr line */

static UNUSED struct vstr *
qt_line(const char *data, size_t len)
{
    struct vstr *vp = vstr_alloc(len + 1);

    vstr_memcpy(vp, data, len);
    return (vp);
}

#endif
