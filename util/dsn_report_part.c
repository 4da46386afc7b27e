/*
 * dsn_report_part.c - the parts of a delivery status notification that
 * are not fields (see dsn_report_int.h): the human explanation (fixed
 * text, then each recipient with its reason), and the copy of the
 * original message.
 *
 * The original is read with the hostile-input queue reader and kept in
 * memory, bounded by bounce_size_limit (line bytes plus one per line),
 * so that the boundary can be checked against it before anything is
 * sent. Only its primary header block is kept unless the whole message
 * was asked for (RET=FULL) and fits; a header block that does not fit
 * is cut at the limit. CR, LF and NUL bytes inside a line become spaces,
 * as cleanup would make them, and a line longer than DSN_REPORT_LINE_MAX
 * is split into continuation lines.
 */
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "dsn_report.h"
#include "dsn_report_int.h"
#include "header_parse.h"
#include "mymalloc.h"

/* dr_duration - "N days", "N hours" or "N minutes" */

static void
dr_duration(struct vstr *out, long secs)
{
    if (secs < 0)
	secs = 0;
    if (secs >= 86400)
	vstr_sprintf(out, "%ld day(s)", secs / 86400);
    else if (secs >= 3600)
	vstr_sprintf(out, "%ld hour(s)", secs / 3600);
    else
	vstr_sprintf(out, "%ld minute(s)", secs / 60);
}

/* dr_lines - append constant lines */

static void
dr_lines(struct argv *out, const char *const *lines, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++)
	argv_add(out, lines[i]);
}

/* dr_intro_delay - the body of a delay warning's explanation */

static void
dr_intro_delay(struct dsn_report_state *st)
{
    static const char *const warn[] = {
	"####################################################################",
	"# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #",
	"####################################################################",
	"",
    };
    struct vstr *when = vstr_alloc(30);

    dr_lines(st->text, warn, ARRAY_LEN(warn));
    dr_duration(when, (long) (st->now - st->info->env->arrival.tv_sec));
    vstr_sprintf(st->buf, "Your message could not be delivered for %s.",
		 vstr_str(when));
    argv_add(st->text, vstr_str(st->buf));
    if (st->info->max_queue_time > 0) {
	dr_duration(when, st->info->max_queue_time);
	vstr_sprintf(st->buf, "It will be retried until it is %s old.",
		     vstr_str(when));
	argv_add(st->text, vstr_str(st->buf));
    }
    argv_add(st->text, "");
    argv_add(st->text, "For further assistance, please send mail to"
	     " postmaster.");
    vstr_free(when);
}

/* dr_intro - the fixed text that opens part 1 */

static void
dr_intro(struct dsn_report_state *st)
{
    static const char *const failed[] = {
	"I'm sorry to have to inform you that your message could not",
	"be delivered to one or more recipients.",
	"",
	"For further assistance, please send mail to postmaster.",
	"",
	"If you do so, please include this problem report. You can",
	"delete your own text from the attached returned message.",
    };
    static const char *const twice[] = {
	"A delivery status notification (a message with the null sender)",
	"could not be delivered to one or more of its recipients.",
    };
    int     flags = st->info->flags;

    dsn_report_clean(st->tmp2, st->info->myhostname, 255);
    vstr_sprintf(st->buf, "This is the mail system at host %s.",
		 vstr_str(st->tmp2));
    dsn_report_fold(st->text, vstr_str(st->buf), vstr_len(st->buf), "");
    argv_add(st->text, "");
    if (flags & DSN_REPORT_FLAG_2BOUNCE)
	dr_lines(st->text, twice, ARRAY_LEN(twice));
    else if (flags & DSN_REPORT_FLAG_DELAY)
	dr_intro_delay(st);
    else
	dr_lines(st->text, failed, ARRAY_LEN(failed));
    argv_add(st->text, "");
    argv_add(st->text, st->orig_full ?
	     "The message is attached below." :
	     "The headers of the message are attached below.");
    argv_add(st->text, "");
    argv_add(st->text, "                   The mail system");
    argv_add(st->text, "");
}

/* dsn_report_text - part 1: the human explanation */

void
dsn_report_text(struct dsn_report_state *st, const struct dsn_rcpt *rcpts, size_t n)
{
    const struct dsn_report_info *info = st->info;
    struct vstr *addr = vstr_alloc(100);
    struct vstr *orcpt = vstr_alloc(100);
    struct vstr *type = vstr_alloc(10);
    struct vstr *why = vstr_alloc(100);
    size_t  i;

    dr_intro(st);
    for (i = 0; i < n; i++) {
	if (i > 0)
	    argv_add(st->text, "");
	dsn_report_clean(addr, rcpts[i].address, QUEUE_ADDR_MAX);
	vstr_sprintf(st->buf, "<%s>", vstr_str(addr));
	if (dsn_report_orcpt(st, rcpts[i].orcpt, type, orcpt)
	    && strcasecmp(vstr_str(orcpt), vstr_str(addr)) != 0)
	    vstr_sprintf_append(st->buf, " (expanded from <%s>)",
				vstr_str(orcpt));
	dsn_report_clean(why, rcpts[i].reason ? rcpts[i].reason : "",
			 DSN_REPORT_TEXT_MAX);
	vstr_sprintf_append(st->buf, ": %s", vstr_len(why) ? vstr_str(why) :
			    ((info->flags & DSN_REPORT_FLAG_DELAY) ?
			     "delivery temporarily suspended" :
			     "undeliverable"));
	dsn_report_fold(st->text, vstr_str(st->buf), vstr_len(st->buf), "   ");
    }
    vstr_free(addr);
    vstr_free(orcpt);
    vstr_free(type);
    vstr_free(why);
}

/* dr_orig_header - does this line belong to the primary header block? */

static int
dr_orig_header(const char *line, size_t len, int first)
{
    if (len == 0)
	return (0);
    if (line[0] == ' ' || line[0] == '\t')
	return (!first);
    return (header_parse_name_len(line, len) > 0);
}

/* dr_orig_add - keep one line, CR, LF and NUL made spaces, split */

static void
dr_orig_add(struct argv *out, struct vstr *line, size_t len)
{
    struct vstr *piece;
    size_t  i, take;
    char   *cp = vstr_str(line);

    for (i = 0; i < len; i++)
	if (cp[i] == '\r' || cp[i] == '\n' || cp[i] == 0)
	    cp[i] = ' ';
    if (len <= DSN_REPORT_LINE_MAX) {
	argv_addn(out, cp, len);
	return;
    }

    /*
     * Like Postfix's smtp_line_length_limit: a longer line goes out as
     * pieces, each continuation starting with a space, so that a header
     * stays one (folded) header.
     */
    argv_addn(out, cp, DSN_REPORT_LINE_MAX);
    piece = vstr_alloc(DSN_REPORT_LINE_MAX);
    for (i = DSN_REPORT_LINE_MAX; i < len; i += take) {
	take = len - i < DSN_REPORT_LINE_MAX - 1 ? len - i :
	    DSN_REPORT_LINE_MAX - 1;
	vstr_strcpy(piece, " ");
	vstr_memcat(piece, cp + i, take);
	argv_addn(out, vstr_str(piece), vstr_len(piece));
    }
    vstr_free(piece);
}

/* dr_orig_cut - keep only the first n lines */

static void
dr_orig_cut(struct argv *out, size_t n)
{
    while (out->argc > n) {
	out->argc--;
	myfree(out->argv[out->argc]);
	out->argv[out->argc] = 0;
    }
}

 /*
  * Reading the original. used counts the bytes kept (plus one per line)
  * against limit. In full mode every line is kept; should the message
  * turn out bigger than its size record said, the report falls back to
  * the headers that were kept. In header mode reading stops at the end
  * of the header block; a header line that does not fit is cut to the
  * room left and ends the block.
  */

/* dsn_report_orig - fill part 3 from the original queue file */

int
dsn_report_orig(struct dsn_report_state *st, struct queue_reader *r,
		        struct vstr *why)
{
    const struct dsn_report_info *info = st->info;
    size_t  limit = info->size_limit > 0 ? (size_t) info->size_limit : 0;
    size_t  used = 0, hdr_lines = 0, len, room;
    int     full, in_hdr = 1, status, ret = 0;
    struct vstr *line = vstr_alloc(100);

    full = (info->env->dsn_ret == QUEUE_RET_FULL
	    && (info->flags & (DSN_REPORT_FLAG_DELAY
			       | DSN_REPORT_FLAG_2BOUNCE)) == 0
	    && info->env->size >= 0 && (size_t) info->env->size <= limit);
    for (;;) {
	if ((room = limit - used) == 0 && !full)
	    break;
	status = queue_read_line(r, line, room ? room : 1, why);
	if (status == QUEUE_ERR) {
	    ret = -1;
	    break;
	}
	if (status == QUEUE_END)
	    break;
	len = vstr_len(line);
	if (in_hdr
	    && !dr_orig_header(vstr_str(line), len, st->orig->argc == 0)) {
	    in_hdr = 0;
	    hdr_lines = st->orig->argc;
	}
	if (!in_hdr && !full)
	    break;
	if (status == QUEUE_PART || len + 1 > room) {
	    if (full) {
		full = 0;
		if (!in_hdr)
		    break;
	    }
	    if (room > 1)
		dr_orig_add(st->orig, line, room - 1);
	    break;
	}
	dr_orig_add(st->orig, line, len);
	used += len + 1;
    }
    if (in_hdr)
	hdr_lines = st->orig->argc;
    if (!full)
	dr_orig_cut(st->orig, hdr_lines);
    st->orig_full = full;
    vstr_free(line);
    return (ret);
}
