/*
 * fuzz_queuefile.c - libFuzzer target for the queue file reader and
 * writer (SECURITY-CASES H6).
 *
 * 1. The input is a queue file: read the envelope and every content line.
 *    It must never crash; when it is accepted, writing the envelope and
 *    lines again must give back the very same bytes (the format is
 *    canonical: "rejected or read back identically").
 * 2. The input is a list of fields separated by '\n': sender, recipients
 *    up to an empty field, then content lines. When the writer accepts
 *    them, the reader must return them unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "queue_file.h"

#define MAX_LINES	64

struct lines {
    struct vstr *v[MAX_LINES];
    size_t  n;
};

/* write_file - envelope and lines to a memory file; bytes or NULL */

static struct vstr *
write_file(struct queue_env *env, struct lines *lp)
{
    int     fd = memfd_create("fuzz", 0);
    struct vstream *fp;
    struct queue_out out;
    struct vstr *bytes = 0;
    char    buf[8192];
    ssize_t n;
    off_t   off = 0;
    size_t  i;
    int     ok;

    if (fd < 0)
	abort();
    fp = vstream_fdopen(fd, VSTREAM_WRITE);
    queue_out_init(&out, fp);
    ok = queue_out_envelope(&out, env, 0) == 0;
    for (i = 0; ok && i < lp->n; i++)
	ok = queue_out_text(&out, vstr_str(lp->v[i]), vstr_len(lp->v[i]), 0, 0) == 0;
    ok = ok && queue_out_finish(&out, 0) == 0;
    queue_out_done(&out);
    vstream_free(fp);
    if (ok) {
	bytes = vstr_alloc(1024);
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
	    vstr_memcat(bytes, buf, (size_t) n);
	    off += n;
	}
    }
    close(fd);
    return (bytes);
}

/* read_file - parse bytes completely; 0 when accepted */

static int
read_file(const uint8_t *data, size_t size, struct queue_env *env,
	          struct lines *lp)
{
    struct vstream *fp = vstream_memopen(data, size);
    struct queue_reader *r = queue_read_stream(fp);
    struct vstr *line = vstr_alloc(100);
    int     st = QUEUE_ERR;

    lp->n = 0;
    if (queue_read_envelope(r, env, 0) == 0) {
	while ((st = queue_read_line(r, line, 0, 0)) == QUEUE_LINE
	       && lp->n < MAX_LINES) {
	    lp->v[lp->n] = vstr_alloc(vstr_len(line) + 1);
	    vstr_memcpy(lp->v[lp->n++], vstr_str(line), vstr_len(line));
	}
	if (st != QUEUE_END)
	    queue_env_free(env);
    }
    vstr_free(line);
    queue_read_close(r);
    vstream_free(fp);
    return (st == QUEUE_END ? 0 : -1);
}

static void
free_lines(struct lines *lp)
{
    while (lp->n > 0)
	vstr_free(lp->v[--lp->n]);
}

static int
same(const char *a, const char *b)
{
    return ((a == 0 && b == 0) || (a && b && strcmp(a, b) == 0));
}

/* as_queue_file - property 1 */

static void
as_queue_file(const uint8_t *data, size_t size)
{
    struct queue_env env;
    struct lines lines;
    struct vstr *again;

    if (read_file(data, size, &env, &lines) < 0) {
	free_lines(&lines);
	return;
    }
    if ((again = write_file(&env, &lines)) == 0
	|| vstr_len(again) != size || memcmp(vstr_str(again), data, size) != 0)
	abort();
    vstr_free(again);
    queue_env_free(&env);
    free_lines(&lines);
}

/* as_fields - property 2 */

static void
as_fields(const uint8_t *data, size_t size)
{
    struct queue_env env;
    struct queue_env back;
    struct lines in = {{0}, 0};
    struct lines out = {{0}, 0};
    struct vstr *bytes;
    const char *cp = (const char *) data;
    const char *end = cp + size;
    static const int notify[7] = {0, 1, 2, 4, 6, 8, 14};
    const char *nl;
    char   *field;
    int     stage = 0;
    size_t  i;

    queue_env_init(&env);
    while (cp < end && in.n < MAX_LINES) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	if (nl == 0)
	    nl = end;
	if (stage == 2) {
	    in.v[in.n] = vstr_alloc((size_t) (nl - cp) + 1);
	    vstr_memcpy(in.v[in.n++], cp, (size_t) (nl - cp));
	} else if (memchr(cp, 0, (size_t) (nl - cp)) == 0) {
	    field = mystrndup(cp, (size_t) (nl - cp));
	    if (stage == 0) {
		env.sender = field;
		stage = 1;
	    } else if (*field == 0) {
		myfree(field);
		stage = 2;
	    } else {
		queue_env_add_rcpt(&env, field, env.rcpt_count % 2 ? field : 0,
				   notify[env.rcpt_count % 7]);
		myfree(field);
	    }
	}
	cp = nl + 1;
    }
    if ((bytes = write_file(&env, &in)) != 0) {
	if (read_file((const uint8_t *) vstr_str(bytes), vstr_len(bytes),
		      &back, &out) < 0 || !same(env.sender, back.sender)
	    || env.rcpt_count != back.rcpt_count || in.n != out.n)
	    abort();
	for (i = 0; i < env.rcpt_count; i++)
	    if (!same(env.rcpt[i].address, back.rcpt[i].address)
		|| !same(env.rcpt[i].orcpt, back.rcpt[i].orcpt)
		|| env.rcpt[i].notify != back.rcpt[i].notify
		|| env.rcpt[i].offset != back.rcpt[i].offset)
		abort();
	for (i = 0; i < in.n; i++)
	    if (vstr_len(in.v[i]) != vstr_len(out.v[i])
		|| memcmp(vstr_str(in.v[i]), vstr_str(out.v[i]),
			  vstr_len(in.v[i])) != 0)
		abort();
	queue_env_free(&back);
	vstr_free(bytes);
    }
    queue_env_free(&env);
    free_lines(&in);
    free_lines(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;

    if (!init) {
	msg_set_flags(0);			/* no log noise */
	init = 1;
    }
    as_queue_file(data, size);
    as_fields(data, size);
    return (0);
}
