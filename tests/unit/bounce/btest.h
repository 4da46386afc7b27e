/*
 * btest.h - helpers shared by the bounce unit tests: write an original
 * queue file into a temporary queue directory, build a report from it,
 * write the report's lines to a file and parse that file back into its
 * MIME structure (top headers, boundary, parts, delivery-status blocks),
 * checking the structural rules on the way. Everything is static so each
 * test file gets its own copy.
 */
#ifndef BTEST_H
#define BTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "argv.h"
#include "dsn_report.h"
#include "mail_queue.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "vstr.h"
#include "vstream.h"

#define BT_ID		"0000000000AB"	/* a valid queue ID */
#define BT_MAX_PARTS	8

struct bt_line {
    const char *data;
    size_t  len;			/* (size_t) -1: strlen */
};

struct bt_part {
    struct argv *headers;		/* unfolded */
    struct argv *body;
};

struct bt_report {
    struct argv *raw;			/* every line of the file */
    struct argv *headers;		/* top-level, unfolded */
    char   *boundary;
    int     nparts;
    struct bt_part parts[BT_MAX_PARTS];
    int     closed;			/* "--B--" seen */
    struct argv *blocks[64];		/* delivery-status groups */
    int     nblocks;
};

static char bt_dir[] = "/tmp/bt_XXXXXX";
static int bt_made;

/* bt_tmpdir - a fresh temporary queue directory */

static UNUSED const char *
bt_tmpdir(void)
{
    cr_assert_not_null(mkdtemp(bt_dir));
    bt_made = 1;
    return (bt_dir);
}

/* bt_rm - nftw() callback: remove one entry */

static int
bt_rm(const char *path, const struct stat *st UNUSED, int type UNUSED,
      struct FTW *ftw UNUSED)
{
    return (remove(path));
}

/* bt_rmtree - remove the temporary queue directory */

static UNUSED void
bt_rmtree(void)
{
    if (bt_made)
	(void) nftw(bt_dir, bt_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* bt_mkdirs - create the parent directories of dir/rel */

static UNUSED void
bt_mkdirs(const char *dir, const char *rel)
{
    char    buf[1024];
    char   *cp;

    snprintf(buf, sizeof(buf), "%s/%s", dir, rel);
    for (cp = buf + strlen(dir) + 1; (cp = strchr(cp, '/')) != 0; cp++) {
	*cp = 0;
	cr_assert(mkdir(buf, 0700) == 0 || errno == EEXIST, "mkdir %s", buf);
	*cp = '/';
    }
}

/* bt_write_queue - write env and lines as queue file dir/queue/H/id */

static UNUSED void
bt_write_queue(const char *dir, const char *queue, const char *id,
	               struct queue_env *env, const struct bt_line *lines,
	               size_t n, struct vstr *path)
{
    struct vstr *rel = vstr_alloc(50);
    struct vstr *why = vstr_alloc(50);
    struct vstream *fp;
    struct queue_out out;
    size_t  i, len;
    int     fd;

    cr_assert_eq(mail_queue_path(rel, queue, id), 0);
    bt_mkdirs(dir, vstr_str(rel));
    vstr_sprintf(path, "%s/%s", dir, vstr_str(rel));
    fd = open(vstr_str(path), O_CREAT | O_TRUNC | O_RDWR, 0600);
    cr_assert(fd >= 0);
    fp = vstream_fdopen(fd, VSTREAM_WRITE);
    queue_out_init(&out, fp);
    cr_assert_eq(queue_out_envelope(&out, env, why), 0, "%s", vstr_str(why));
    for (i = 0; i < n; i++) {
	len = lines[i].len == (size_t) -1 ? strlen(lines[i].data) : lines[i].len;
	cr_assert_eq(queue_out_text(&out, lines[i].data, len, 0, why), 0);
    }
    cr_assert_eq(queue_out_finish(&out, why), 0, "%s", vstr_str(why));
    queue_out_done(&out);
    cr_assert_eq(vstream_close(fp), 0);
    vstr_free(rel);
    vstr_free(why);
}

/* bt_env - an envelope: sender and plain recipients */

static UNUSED void
bt_env(struct queue_env *env, const char *sender, int ret,
	       const char *const *rcpts, size_t n)
{
    size_t  i;

    queue_env_init(env);
    env->arrival.tv_sec = 1700000000;
    env->arrival.tv_usec = 0;
    env->protocol = mystrdup("ESMTP");
    env->sender = mystrdup(sender);
    env->dsn_ret = ret;
    for (i = 0; i < n; i++)
	queue_env_add_rcpt(env, rcpts[i], 0, 0);
}

/* bt_save - write report lines to a file, one per "\n" */

static UNUSED void
bt_save(const struct argv *lines, const char *path)
{
    FILE   *fp = fopen(path, "w");
    size_t  i;

    cr_assert_not_null(fp);
    for (i = 0; i < lines->argc; i++) {
	cr_assert_null(strchr(lines->argv[i], '\n'), "LF inside a line");
	fprintf(fp, "%s\n", lines->argv[i]);
    }
    cr_assert_eq(fclose(fp), 0);
}

/* bt_unfold - read a header block from raw[*ip] up to a blank line */

static UNUSED struct argv *
bt_unfold(struct argv *raw, size_t *ip)
{
    struct argv *out = argv_alloc(10);
    struct vstr *cur = vstr_alloc(100);
    int     have = 0;
    const char *line;

    for (; *ip < raw->argc && *(line = raw->argv[*ip]) != 0; (*ip)++) {
	if (line[0] == ' ' || line[0] == '\t') {
	    cr_assert(have, "continuation without a header: %s", line);
	    vstr_strcat(cur, line);
	} else {
	    cr_assert_not_null(strchr(line, ':'), "not a header: %.80s", line);
	    if (have)
		argv_add(out, vstr_str(cur));
	    vstr_strcpy(cur, line);
	    have = 1;
	}
    }
    if (have)
	argv_add(out, vstr_str(cur));
    if (*ip < raw->argc)
	(*ip)++;				/* the blank line */
    vstr_free(cur);
    return (out);
}

/* bt_get - the value of header name (first one), or NULL */

static UNUSED const char *
bt_get(const struct argv *hdrs, const char *name)
{
    size_t  i, len = strlen(name);
    const char *cp;

    for (i = 0; i < hdrs->argc; i++) {
	cp = hdrs->argv[i];
	if (strncasecmp(cp, name, len) == 0 && cp[len] == ':') {
	    for (cp += len + 1; *cp == ' ' || *cp == '\t'; cp++)
		 /* void */ ;
	    return (cp);
	}
    }
    return (0);
}

/* bt_count - how many headers have this name */

static UNUSED int
bt_count(const struct argv *hdrs, const char *name)
{
    size_t  i, len = strlen(name);
    int     n = 0;

    for (i = 0; i < hdrs->argc; i++)
	if (strncasecmp(hdrs->argv[i], name, len) == 0
	    && hdrs->argv[i][len] == ':')
	    n++;
    return (n);
}

/* bt_read - read a report file and check its MIME skeleton */

static UNUSED void
bt_read(const char *path, struct bt_report *rp)
{
    FILE   *fp = fopen(path, "r");
    char   *line = 0;
    size_t  cap = 0, i = 0;
    ssize_t n;
    const char *ct, *bp;
    char    delim[200], close_delim[200];
    struct bt_part *part = 0;

    memset(rp, 0, sizeof(*rp));
    rp->raw = argv_alloc(100);
    cr_assert_not_null(fp);
    while ((n = getline(&line, &cap, fp)) > 0) {
	cr_assert_eq(line[n - 1], '\n');
	cr_assert_leq(n - 1, DSN_REPORT_LINE_MAX, "line too long: %zd", n - 1);
	cr_assert_null(strchr(line, '\r'), "CR in the report");
	argv_addn(rp->raw, line, (size_t) n - 1);
    }
    free(line);
    fclose(fp);
    rp->headers = bt_unfold(rp->raw, &i);
    ct = bt_get(rp->headers, "Content-Type");
    cr_assert_not_null(ct);
    cr_assert(strncmp(ct, "multipart/report;", 17) == 0, "%s", ct);
    cr_assert_not_null(strstr(ct, "report-type=delivery-status"));
    bp = strstr(ct, "boundary=\"");
    cr_assert_not_null(bp);
    rp->boundary = mystrdup(bp + 10);
    cr_assert_not_null(strchr(rp->boundary, '"'));
    *strchr(rp->boundary, '"') = 0;
    cr_assert(strlen(rp->boundary) > 0 && strlen(rp->boundary) <= 70);
    snprintf(delim, sizeof(delim), "--%s", rp->boundary);
    snprintf(close_delim, sizeof(close_delim), "--%s--", rp->boundary);
    for (; i < rp->raw->argc; i++) {
	if (strcmp(rp->raw->argv[i], close_delim) == 0) {
	    cr_assert(!rp->closed, "two closing delimiters");
	    rp->closed = 1;
	} else if (strcmp(rp->raw->argv[i], delim) == 0) {
	    cr_assert(!rp->closed, "part after the closing delimiter");
	    cr_assert_lt(rp->nparts, BT_MAX_PARTS);
	    part = rp->parts + rp->nparts++;
	    i++;
	    part->headers = bt_unfold(rp->raw, &i);
	    part->body = argv_alloc(10);
	    i--;
	} else {
	    cr_assert_null(strstr(rp->raw->argv[i], rp->boundary),
			   "boundary inside a line: %s", rp->raw->argv[i]);
	    if (part && !rp->closed)
		argv_add(part->body, rp->raw->argv[i]);
	}
    }
    cr_assert(rp->closed, "no closing delimiter");
    cr_assert_eq(rp->nparts, 3, "parts: %d", rp->nparts);
    /* Delivery-status groups. */
    for (i = 0; i < rp->parts[1].body->argc && rp->nblocks < 64;) {
	while (i < rp->parts[1].body->argc && *rp->parts[1].body->argv[i] == 0)
	    i++;
	if (i >= rp->parts[1].body->argc)
	    break;
	rp->blocks[rp->nblocks++] = bt_unfold(rp->parts[1].body, &i);
    }
}

/* bt_free - release a parsed report */

static UNUSED void
bt_free(struct bt_report *rp)
{
    int     i;

    argv_free(rp->raw);
    argv_free(rp->headers);
    myfree(rp->boundary);
    for (i = 0; i < rp->nparts; i++) {
	argv_free(rp->parts[i].headers);
	argv_free(rp->parts[i].body);
    }
    for (i = 0; i < rp->nblocks; i++)
	argv_free(rp->blocks[i]);
}

/* bt_build - report from a queue file written just now; saved, parsed */

static UNUSED int
bt_build(const char *dir, struct queue_env *env, const struct bt_line *lines,
	         size_t nlines, struct dsn_report_info *info,
	         const struct dsn_rcpt *rcpts, size_t n, struct bt_report *rp,
	         struct vstr *why)
{
    struct vstr *path = vstr_alloc(100);
    struct argv *out = argv_alloc(100);
    struct queue_reader *r;
    struct queue_env fenv;
    char    report[1100];
    int     set_to = (info->to == 0);
    int     ret;

    bt_write_queue(dir, MAIL_QUEUE_ACTIVE, BT_ID, env, lines, nlines, path);
    r = queue_read_open(vstr_str(path), 0, why);
    cr_assert_not_null(r, "%s", vstr_str(why));
    cr_assert_eq(queue_read_envelope(r, &fenv, why), 0, "%s", vstr_str(why));
    if (info->myhostname == 0)
	info->myhostname = "mx.example.org";
    if (info->queue_id == 0)
	info->queue_id = BT_ID;
    info->env = &fenv;
    if (info->to == 0)
	info->to = fenv.sender;
    if (info->size_limit == 0)
	info->size_limit = 50000;
    ret = dsn_report_build(out, info, rcpts, n, r, why);
    queue_read_close(r);
    if (ret == 0) {
	snprintf(report, sizeof(report), "%s/report", dir);
	bt_save(out, report);
	bt_read(report, rp);
    }
    queue_env_free(&fenv);
    info->env = 0;
    if (set_to)
	info->to = 0;
    argv_free(out);
    vstr_free(path);
    return (ret);
}

#endif
