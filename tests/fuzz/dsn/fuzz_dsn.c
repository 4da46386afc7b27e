/*
 * fuzz_dsn.c - libFuzzer target for dsn_report(3): an arbitrary original
 * message and arbitrary recipient fields must always give a well-formed
 * report.
 *
 * Input: lines separated by '\n'. Line 0: option bytes (delay, 2bounce,
 * RET=FULL, small size limit, number of recipients). Lines 1-6: sender,
 * recipient address, ORCPT, status, reason, relay (any bytes but NUL;
 * the sender is replaced when the queue file writer refuses it). The
 * rest: the original message's lines (NUL allowed).
 *
 * Checked: no line longer than DSN_REPORT_LINE_MAX or holding CR, LF or
 * NUL; the top-level header block has exactly the expected fields, each
 * once; exactly one boundary, three part delimiters and one closing
 * delimiter, and the boundary in no other line; each delivery-status
 * line is a known field or a continuation, with one Final-Recipient per
 * recipient. A violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/mman.h>

#include "argv.h"
#include "dsn_report.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "vstr.h"
#include "vstream.h"

#define MAX_LINES	200
#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/* name_in - is the field name at the start of line one of names? */

static int
name_in(const char *line, const char *const *names)
{
    const char *colon = strchr(line, ':');

    if (colon == 0)
	return (0);
    for (; *names; names++)
	if (strlen(*names) == (size_t) (colon - line)
	    && strncasecmp(line, *names, (size_t) (colon - line)) == 0)
	    return (1);
    return (0);
}

/* check_head - the top-level header block; returns the boundary */

static char *
check_head(const struct argv *lines, size_t *ip)
{
    static const char *const names[] = {"From", "To", "Subject", "Date",
	"Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type",
    "Content-Transfer-Encoding", 0};
    int     seen[9] = {0};
    const char *line, *bp;
    char   *boundary = 0;
    size_t  k;

    for (*ip = 0; *ip < lines->argc && *(line = lines->argv[*ip]); (*ip)++) {
	if (line[0] == ' ' || line[0] == '\t') {
	    CHECK(*ip > 0);
	    if ((bp = strstr(line, "boundary=\"")) != 0) {
		CHECK(boundary == 0);
		boundary = mystrdup(bp + 10);
		CHECK(strchr(boundary, '"') != 0);
		*strchr(boundary, '"') = 0;
	    }
	    continue;
	}
	CHECK(name_in(line, names));
	for (k = 0; names[k]; k++)
	    if (strncasecmp(line, names[k], strlen(names[k])) == 0
		&& line[strlen(names[k])] == ':')
		CHECK(seen[k]++ == 0);
    }
    for (k = 0; k < 8; k++)
	CHECK(seen[k] == 1);
    CHECK(boundary && *boundary && strlen(boundary) <= 70);
    return (boundary);
}

/* check_status - the delivery-status part from line i */

static void
check_status(const struct argv *lines, size_t i, const char *delim,
	             size_t nrcpt)
{
    static const char *const names[] = {"Reporting-MTA", "X-Postern-Queue-ID",
	"X-Postern-Sender", "Arrival-Date", "Original-Envelope-Id",
	"Final-Recipient", "Original-Recipient", "Action", "Status",
	"Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date",
    "Will-Retry-Until", 0};
    size_t  finals = 0;
    const char *line;

    for (; i < lines->argc && *lines->argv[i]; i++)	/* part headers */
	 /* void */ ;
    for (i++; i < lines->argc && strcmp(line = lines->argv[i], delim); i++) {
	if (*line == 0 || line[0] == ' ')
	    continue;
	CHECK(name_in(line, names));
	if (strncmp(line, "Final-Recipient:", 16) == 0)
	    finals++;
    }
    CHECK(finals == nrcpt);
}

/* check - the whole report */

static void
check(const struct argv *lines, size_t nrcpt)
{
    char   *boundary, delim[100], close_delim[100];
    size_t  i, parts = 0, closes = 0, status_at = 0;
    const char *line;

    for (i = 0; i < lines->argc; i++) {
	CHECK(strlen(lines->argv[i]) <= DSN_REPORT_LINE_MAX);
	CHECK(strpbrk(lines->argv[i], "\r\n") == 0);
    }
    boundary = check_head(lines, &i);
    snprintf(delim, sizeof(delim), "--%s", boundary);
    snprintf(close_delim, sizeof(close_delim), "--%s--", boundary);
    for (; i < lines->argc; i++) {
	line = lines->argv[i];
	if (strcmp(line, delim) == 0) {
	    CHECK(closes == 0);
	    if (++parts == 2)
		status_at = i + 1;
	} else if (strcmp(line, close_delim) == 0) {
	    closes++;
	} else {
	    CHECK(strstr(line, boundary) == 0);
	}
    }
    CHECK(parts == 3 && closes == 1);
    check_status(lines, status_at, delim, nrcpt);
    myfree(boundary);
}

/* next_line - split the input at '\n' */

static const char *
next_line(const char **cp, const char *end, size_t *len)
{
    const char *start = *cp;
    const char *nl;

    if (*cp >= end)
	return (0);
    nl = memchr(start, '\n', (size_t) (end - start));
    *len = (size_t) ((nl ? nl : end) - start);
    *cp = nl ? nl + 1 : end;
    return (start);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *cp = (const char *) data, *end = cp + size, *s;
    char   *field[7] = {0};
    struct dsn_report_info info = {0};
    struct dsn_rcpt rcpts[4];
    struct queue_env env, fenv;
    struct queue_out out;
    struct queue_reader *r;
    struct vstream *fp;
    struct argv *lines;
    size_t  len, i, nrcpt, n = 0;
    int     fd, ok, opt;

    for (i = 0; i < 7 && (s = next_line(&cp, end, &len)) != 0; i++)
	field[i] = strndup(s, len);		/* stops at a NUL */
    for (; i < 7; i++)
	field[i] = strdup("");
    opt = field[0][0];
    nrcpt = 1 + ((opt >> 4) & 3);
    queue_env_init(&env);
    env.sender = mystrdup(queue_field_ok('S', field[1], strlen(field[1]), 0)
			  == 0 ? field[1] : "s@example.com");
    env.dsn_ret = (opt & 4) ? QUEUE_RET_FULL : 0;
    queue_env_add_rcpt(&env, "r@example.org", 0, 0);
    if ((fd = memfd_create("fuzz", 0)) < 0)
	abort();
    fp = vstream_fdopen(fd, VSTREAM_WRITE | VSTREAM_READ);
    queue_out_init(&out, fp);
    ok = queue_out_envelope(&out, &env, 0) == 0;
    while (ok && n++ < MAX_LINES && (s = next_line(&cp, end, &len)) != 0)
	ok = queue_out_text(&out, s, len, 0, 0) == 0;
    ok = ok && queue_out_finish(&out, 0) == 0;
    queue_out_done(&out);
    vstream_free(fp);
    if (!ok)
	abort();
    if (lseek(fd, 0, SEEK_SET) != 0)
	abort();
    fp = vstream_fdopen(fd, VSTREAM_READ);
    r = queue_read_stream(fp);
    if (queue_read_envelope(r, &fenv, 0) < 0)
	abort();
    for (i = 0; i < nrcpt; i++)
	rcpts[i] = (struct dsn_rcpt) {field[2], field[3], field[4],
	    (opt & 1) ? "delayed" : "failed", field[5], field[6]};
    info.myhostname = "mx.example.org";
    info.queue_id = "0000000000AB";
    info.env = &fenv;
    info.to = fenv.sender;
    info.flags = ((opt & 1) ? DSN_REPORT_FLAG_DELAY : 0)
	| ((opt & 2) ? DSN_REPORT_FLAG_2BOUNCE : 0);
    info.size_limit = (opt & 8) ? 300 : 50000;
    info.now = 1700000000;
    info.max_queue_time = 86400;
    lines = argv_alloc(100);
    if (dsn_report_build(lines, &info, rcpts, nrcpt, r, 0) < 0)
	abort();				/* the file is good */
    check(lines, nrcpt);
    argv_free(lines);
    queue_read_close(r);
    vstream_close(fp);
    queue_env_free(&env);
    queue_env_free(&fenv);
    for (i = 0; i < 7; i++)
	free(field[i]);
    return (0);
}
