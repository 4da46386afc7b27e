/*
 * dsn_report.c - build an RFC 3464 delivery status notification as a
 * list of lines (see dsn_report.h and docs/bounces.md).
 *
 * The three parts are built first, each into its own list: the copy of
 * the original and the text explanation (dsn_report_part.c), then the
 * delivery-status fields (here). Only then is the MIME boundary chosen, so that it
 * can be checked against every line that will surround it, and the
 * message is assembled: top-level headers, then the parts between
 * boundary lines. Every value taken from the original goes through
 * dsn_report_clean() and dsn_report_fold(), so no field can be split or
 * forged.
 */
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dsn_report.h"
#include "dsn_report_int.h"
#include "msg.h"
#include "mymalloc.h"

#define DR_BOUNDARY_TRIES	16	/* then give up: retry later */
#define DR_ORCPT_TYPE_MAX	32	/* "rfc822", "utf-8", ... */

/* dsn_report_clean - a value made safe for a header field */

void
dsn_report_clean(struct vstr *out, const char *in, size_t max)
{
    const unsigned char *cp;
    int     ch;

    vstr_reset(out);
    for (cp = (const unsigned char *) in; *cp && vstr_len(out) < max; cp++) {
	ch = *cp;
	if (ch == '\t')
	    ch = ' ';
	else if (ch < 0x20 || ch == 0x7f)
	    ch = '?';
	if (ch == ' ' && (vstr_len(out) == 0
			  || vstr_str(out)[vstr_len(out) - 1] == ' '))
	    continue;
	vstr_addch(out, ch);
    }
    if (vstr_len(out) > 0 && vstr_str(out)[vstr_len(out) - 1] == ' ')
	vstr_truncate(out, vstr_len(out) - 1);
}

/* dsn_report_8bit - does any line hold a byte above 0x7f? */

int
dsn_report_8bit(const struct argv *lines)
{
    const unsigned char *cp;
    size_t  i;

    for (i = 0; i < lines->argc; i++)
	for (cp = (const unsigned char *) lines->argv[i]; *cp; cp++)
	    if (*cp > 0x7f)
		return (1);
    return (0);
}

/* dr_emit - one physical line: prefix, optional space, then text */

static void
dr_emit(struct argv *out, const char *pre, int space, const char *s,
	        size_t len)
{
    struct vstr *line = vstr_alloc(len + 8);

    vstr_strcpy(line, pre);
    if (space)
	vstr_addch(line, ' ');
    vstr_memcat(line, s, len);
    argv_addn(out, vstr_str(line), vstr_len(line));
    vstr_free(line);
}

 /*
  * Folding. A break goes before a space, and that space starts the
  * continuation line (after cont), so that unfolding a header field gives
  * back the value exactly. Only a word longer than a whole line is cut
  * without a space; its continuation then gets one inserted.
  */

/* dsn_report_fold - one logical line as physical lines */

void
dsn_report_fold(struct argv *out, const char *s, size_t len,
		        const char *cont)
{
    size_t  clen = strlen(cont);
    size_t  pos = 0, pre = 0, room, hard, b, i;
    int     space = 0;

    if (len == 0) {
	argv_add(out, "");
	return;
    }
    while (pos < len) {
	room = DSN_REPORT_FOLD - pre - space;
	hard = DSN_REPORT_LINE_MAX - pre - 1;
	if (len - pos <= room) {
	    dr_emit(out, pre ? cont : "", space, s + pos, len - pos);
	    return;
	}
	for (b = 0, i = pos + room; i > pos; i--)
	    if (s[i] == ' ') {
		b = i;
		break;
	    }
	for (i = pos + room + 1; b == 0 && i < len && i <= pos + hard; i++)
	    if (s[i] == ' ')
		b = i;
	if (b == 0 && len - pos <= hard) {
	    dr_emit(out, pre ? cont : "", space, s + pos, len - pos);
	    return;
	}
	if (b == 0)
	    b = pos + hard;
	dr_emit(out, pre ? cont : "", space, s + pos, b - pos);
	space = (s[b] != ' ');
	pos = b;
	pre = clen;
    }
}

/* dsn_report_field - "Name: value" with an already clean value, folded */

void
dsn_report_field(struct dsn_report_state *st, struct argv *out,
		         const char *name, const char *value)
{
    vstr_sprintf(st->tmp, "%s: %s", name, value);
    dsn_report_fold(out, vstr_str(st->tmp), vstr_len(st->tmp), "");
}

/* dr_date - RFC 5322 date-time */

static void
dr_date(struct vstr *out, time_t when)
{
    struct tm tm;
    char    buf[64];

    if (localtime_r(&when, &tm) == 0
	|| strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
	msg_panic("dr_date: cannot format time %lld", (long long) when);
    vstr_strcpy(out, buf);
}

/* dr_status_ok - is this an enhanced status code X.Y.Z? */

static int
dr_status_ok(const char *s)
{
    int     part, digits;

    if (s == 0 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
	return (0);
    for (s += 2, part = 0; part < 2; part++, s++) {
	for (digits = 0; *s >= '0' && *s <= '9'; s++)
	    digits++;
	if (digits < 1 || digits > 3 || *s != (part == 0 ? '.' : 0))
	    return (0);
    }
    return (1);
}

/* dr_action - a known DSN action, or the one that fits flags */

static const char *
dr_action(const char *action, int flags)
{
    static const char *const known[] = {
	"failed", "delayed", "delivered", "relayed", "expanded",
    };
    size_t  i;

    for (i = 0; action && i < ARRAY_LEN(known); i++)
	if (strcmp(action, known[i]) == 0)
	    return (known[i]);
    return ((flags & DSN_REPORT_FLAG_DELAY) ? "delayed" : "failed");
}

/* dr_remote_mta - the DNS name of the relay, or empty */

static void
dr_remote_mta(struct vstr *out, const char *relay)
{
    size_t  len, i;
    int     dot = 0;

    vstr_reset(out);
    if (relay == 0)
	return;
    len = strcspn(relay, "[:");
    if (len == 0 || len > 255)
	return;
    for (i = 0; i < len; i++) {
	if (relay[i] == '.')
	    dot = 1;
	else if (!((relay[i] >= 'a' && relay[i] <= 'z')
		   || (relay[i] >= 'A' && relay[i] <= 'Z')
		   || (relay[i] >= '0' && relay[i] <= '9') || relay[i] == '-'))
	    return;
    }
    if (dot)
	vstr_memcpy(out, relay, len);
}

/* dsn_report_orcpt - split "type;address" into clean parts; 0: absent */

int
dsn_report_orcpt(struct dsn_report_state *st, const char *orcpt, struct vstr *type,
	         struct vstr *addr)
{
    const char *semi;
    size_t  i;

    if (orcpt == 0 || *orcpt == 0)
	return (0);
    vstr_strcpy(type, "rfc822");
    if ((semi = strchr(orcpt, ';')) != 0) {
	dsn_report_clean(st->tmp, orcpt, (size_t) (semi - orcpt));
	for (i = 0; i < vstr_len(st->tmp); i++) {
	    char    c = vstr_str(st->tmp)[i];

	    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		  || (c >= '0' && c <= '9') || c == '-'))
		break;
	}
	if (vstr_len(st->tmp) > 0 && i == vstr_len(st->tmp)
	    && i <= DR_ORCPT_TYPE_MAX)
	    vstr_strcpy(type, vstr_str(st->tmp));
	orcpt = semi + 1;
    }
    dsn_report_clean(addr, orcpt, QUEUE_ORCPT_MAX);
    return (vstr_len(addr) > 0);
}

/* dr_status_message - part 2: the per-message fields */

static void
dr_status_message(struct dsn_report_state *st)
{
    const struct dsn_report_info *info = st->info;
    const struct queue_env *env = info->env;

    dsn_report_clean(st->buf, info->myhostname, 255);
    vstr_sprintf(st->tmp2, "dns; %s", vstr_str(st->buf));
    dsn_report_field(st, st->status, "Reporting-MTA", vstr_str(st->tmp2));
    dsn_report_clean(st->buf, info->queue_id, 64);
    dsn_report_field(st, st->status, "X-Postern-Queue-ID", vstr_str(st->buf));
    dsn_report_clean(st->buf, env->sender, QUEUE_ADDR_MAX);
    if (vstr_len(st->buf)) {
	vstr_sprintf(st->tmp2, "rfc822; %s", vstr_str(st->buf));
	dsn_report_field(st, st->status, "X-Postern-Sender",
			 vstr_str(st->tmp2));
    }
    dr_date(st->buf, env->arrival.tv_sec);
    dsn_report_field(st, st->status, "Arrival-Date", vstr_str(st->buf));
    if (env->dsn_envid) {
	dsn_report_clean(st->buf, env->dsn_envid, QUEUE_ENVID_MAX);
	if (vstr_len(st->buf))
	    dsn_report_field(st, st->status, "Original-Envelope-Id", vstr_str(st->buf));
    }
}

/* dr_status_rcpt - part 2: the fields of one recipient */

static void
dr_status_rcpt(struct dsn_report_state *st, const struct dsn_rcpt *rp,
	               struct vstr *a, struct vstr *b)
{
    int     flags = st->info->flags;
    const char *s;

    argv_add(st->status, "");
    dsn_report_clean(a, rp->address, QUEUE_ADDR_MAX);
    vstr_sprintf(st->tmp2, "rfc822; %s", vstr_str(a));
    dsn_report_field(st, st->status, "Final-Recipient", vstr_str(st->tmp2));
    if (dsn_report_orcpt(st, rp->orcpt, a, b)) {
	vstr_sprintf(st->tmp2, "%s; %s", vstr_str(a), vstr_str(b));
	dsn_report_field(st, st->status, "Original-Recipient", vstr_str(st->tmp2));
    }
    dsn_report_field(st, st->status, "Action", dr_action(rp->action, flags));
    s = dr_status_ok(rp->dsn_status) ? rp->dsn_status :
	(flags & DSN_REPORT_FLAG_DELAY) ? "4.0.0" : "5.0.0";
    dsn_report_field(st, st->status, "Status", s);
    dr_remote_mta(a, rp->relay);
    if (vstr_len(a)) {
	vstr_sprintf(st->tmp2, "dns; %s", vstr_str(a));
	dsn_report_field(st, st->status, "Remote-MTA", vstr_str(st->tmp2));
    }
    dsn_report_clean(a, rp->reason ? rp->reason : "", DSN_REPORT_TEXT_MAX);
    if (vstr_len(a)) {
	s = vstr_str(a);
	vstr_sprintf(st->tmp2, "%s; %s",
		     ((s[0] == '4' || s[0] == '5')
		      && s[1] >= '0' && s[1] <= '9'
		      && s[2] >= '0' && s[2] <= '9'
		      && (s[3] == 0 || s[3] == ' ' || s[3] == '-')) ?
		     "smtp" : "x-postern", s);
	dsn_report_field(st, st->status, "Diagnostic-Code", vstr_str(st->tmp2));
    }
    if (flags & DSN_REPORT_FLAG_DELAY) {
	dr_date(a, st->now);
	dsn_report_field(st, st->status, "Last-Attempt-Date", vstr_str(a));
	if (st->info->max_queue_time > 0) {
	    dr_date(a, st->info->env->arrival.tv_sec
		    + (time_t) st->info->max_queue_time);
	    dsn_report_field(st, st->status, "Will-Retry-Until", vstr_str(a));
	}
    }
}

/* dr_status - part 2: message/delivery-status */

static void
dr_status(struct dsn_report_state *st, const struct dsn_rcpt *rcpts, size_t n)
{
    struct vstr *a = vstr_alloc(100);
    struct vstr *b = vstr_alloc(100);
    size_t  i;

    dr_status_message(st);
    for (i = 0; i < n; i++)
	dr_status_rcpt(st, rcpts + i, a, b);
    vstr_free(a);
    vstr_free(b);
}

/* dr_hash - FNV-1a over a list of lines, continued from h */

static unsigned long long
dr_hash(unsigned long long h, const struct argv *lines)
{
    const unsigned char *cp;
    size_t  i;

    for (i = 0; i < lines->argc; i++) {
	for (cp = (const unsigned char *) lines->argv[i]; *cp; cp++)
	    h = (h ^ *cp) * 0x100000001b3ULL;
	h = (h ^ '\n') * 0x100000001b3ULL;
    }
    return (h);
}

/* dr_mix - splitmix64 finalizer */

static unsigned long long
dr_mix(unsigned long long x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return (x ^ (x >> 31));
}

/* dr_absent - true when no line of the list contains s */

static int
dr_absent(const struct argv *lines, const char *s)
{
    size_t  i;

    for (i = 0; i < lines->argc; i++)
	if (strstr(lines->argv[i], s) != 0)
	    return (0);
    return (1);
}

/* dr_boundary - a boundary that occurs in no line of the report */

static int
dr_boundary(struct dsn_report_state *st, struct vstr *boundary)
{
    struct argv *const parts[] = {st->head, st->text, st->status, st->orig};
    unsigned long long seed = 0xcbf29ce484222325ULL;
    struct timeval tv;
    size_t  i, p;
    int     ok;

    for (p = 0; p < ARRAY_LEN(parts); p++)
	seed = dr_hash(seed, parts[p]);
    for (i = 0; i < DR_BOUNDARY_TRIES; i++) {
	(void) gettimeofday(&tv, 0);
	seed = dr_mix(seed ^ ((unsigned long long) tv.tv_sec << 20)
		      ^ (unsigned long long) tv.tv_usec
		      ^ ((unsigned long long) getpid() << 40) ^ i);
	vstr_sprintf(boundary, "=_postern.%s.%016llx", vstr_str(st->qid),
		     seed);
	for (ok = 1, p = 0; ok && p < ARRAY_LEN(parts); p++)
	    ok = dr_absent(parts[p], vstr_str(boundary));
	if (ok)
	    return (0);
    }
    return (-1);
}

/* dr_head - top-level headers that do not depend on the boundary */

static void
dr_head(struct dsn_report_state *st)
{
    const struct dsn_report_info *info = st->info;
    struct tm tm;
    char    stamp[32];

    dsn_report_clean(st->buf, info->myhostname, 255);
    vstr_sprintf(st->tmp2, "MAILER-DAEMON@%s (Mail Delivery System)",
		 vstr_str(st->buf));
    dsn_report_field(st, st->head, "From", vstr_str(st->tmp2));
    dsn_report_clean(st->tmp2, info->to, QUEUE_ADDR_MAX);
    vstr_sprintf(st->buf, "<%s>", vstr_str(st->tmp2));
    dsn_report_field(st, st->head, "To", vstr_str(st->buf));
    dsn_report_field(st, st->head, "Subject",
	     (info->flags & DSN_REPORT_FLAG_2BOUNCE) ?
	     "Postmaster Copy: Undelivered Mail" :
	     (info->flags & DSN_REPORT_FLAG_DELAY) ?
	     "Delayed Mail (still being retried)" :
	     "Undelivered Mail Returned to Sender");
    dr_date(st->buf, st->now);
    dsn_report_field(st, st->head, "Date", vstr_str(st->buf));
    if (localtime_r(&st->now, &tm) == 0
	|| strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) == 0)
	msg_panic("dr_head: cannot format time");
    dsn_report_clean(st->buf, info->myhostname, 255);
    vstr_sprintf(st->tmp2, "<%s.%s.%08llx@%s>", stamp, vstr_str(st->qid),
		 dr_mix((unsigned long long) st->now ^ dr_hash(0, st->status))
		 & 0xffffffffULL, vstr_str(st->buf));
    dsn_report_field(st, st->head, "Message-ID", vstr_str(st->tmp2));
    dsn_report_field(st, st->head, "Auto-Submitted", "auto-replied");
    dsn_report_field(st, st->head, "MIME-Version", "1.0");
}

/* dr_part - a boundary line, the part headers, the part body */

static void
dr_part(struct argv *lines, const char *boundary, const char *descr,
	        const char *type, const struct argv *body)
{
    size_t  i;

    argv_add(lines, "");
    argv_add(lines, boundary);
    argv_add(lines, descr);
    argv_add(lines, type);
    if (dsn_report_8bit(body))
	argv_add(lines, "Content-Transfer-Encoding: 8bit");
    argv_add(lines, "");
    for (i = 0; i < body->argc; i++)
	argv_add(lines, body->argv[i]);
}

/* dr_assemble - headers and parts around the boundary */

static void
dr_assemble(struct dsn_report_state *st, struct argv *lines, const char *boundary)
{
    int     flags = st->info->flags;
    size_t  i;

    for (i = 0; i < st->head->argc; i++)
	argv_add(lines, st->head->argv[i]);
    argv_add(lines, "Content-Type: multipart/report;"
	     " report-type=delivery-status;");
    vstr_sprintf(st->buf, "\tboundary=\"%s\"", boundary);
    argv_add(lines, vstr_str(st->buf));
    if (dsn_report_8bit(st->text) || dsn_report_8bit(st->status)
	|| dsn_report_8bit(st->orig))
	argv_add(lines, "Content-Transfer-Encoding: 8bit");
    argv_add(lines, "");
    argv_add(lines, "This is a MIME-encapsulated message.");
    vstr_sprintf(st->buf, "--%s", boundary);
    dr_part(lines, vstr_str(st->buf), "Content-Description: Notification",
	    dsn_report_8bit(st->text) ? "Content-Type: text/plain; charset=utf-8"
	    : "Content-Type: text/plain; charset=us-ascii", st->text);
    dr_part(lines, vstr_str(st->buf), "Content-Description: Delivery report",
	    "Content-Type: message/delivery-status", st->status);
    dr_part(lines, vstr_str(st->buf), st->orig_full ?
	    "Content-Description: Undelivered Message" :
	    (flags & DSN_REPORT_FLAG_DELAY) ?
	    "Content-Description: Delayed Message Headers" :
	    "Content-Description: Undelivered Message Headers",
	    st->orig_full ? "Content-Type: message/rfc822" :
	    "Content-Type: text/rfc822-headers", st->orig);
    argv_add(lines, "");
    vstr_sprintf(st->buf, "--%s--", boundary);
    argv_add(lines, vstr_str(st->buf));
}

/* dr_free - release the state */

static void
dr_free(struct dsn_report_state *st)
{
    argv_free(st->head);
    argv_free(st->text);
    argv_free(st->status);
    argv_free(st->orig);
    vstr_free(st->buf);
    vstr_free(st->tmp);
    vstr_free(st->tmp2);
    vstr_free(st->qid);
}

/* dsn_report_build - the whole report */

int
dsn_report_build(struct argv *lines, const struct dsn_report_info *info,
		         const struct dsn_rcpt *rcpts, size_t n,
		         struct queue_reader *orig, struct vstr *why)
{
    struct dsn_report_state st;
    struct vstr *boundary;
    const char *cp;
    int     ret = 0;

    if (n == 0 || info->env == 0 || info->env->sender == 0 || orig == 0)
	msg_panic("dsn_report_build: bad arguments");
    memset(&st, 0, sizeof(st));
    st.info = info;
    st.now = info->now ? info->now : time((time_t *) 0);
    st.head = argv_alloc(10);
    st.text = argv_alloc(30);
    st.status = argv_alloc(10 + 8 * n);
    st.orig = argv_alloc(50);
    st.buf = vstr_alloc(100);
    st.tmp = vstr_alloc(100);
    st.tmp2 = vstr_alloc(100);
    st.qid = vstr_alloc(20);
    for (cp = info->queue_id ? info->queue_id : ""; *cp
	 && vstr_len(st.qid) < 20; cp++)
	if ((*cp >= '0' && *cp <= '9') || (*cp >= 'A' && *cp <= 'Z')
	    || (*cp >= 'a' && *cp <= 'z'))
	    vstr_addch(st.qid, *cp);
    if (vstr_len(st.qid) == 0)
	vstr_strcpy(st.qid, "0");

    if (dsn_report_orig(&st, orig, why) < 0) {
	dr_free(&st);
	return (-1);
    }
    dsn_report_text(&st, rcpts, n);
    dr_status(&st, rcpts, n);
    dr_head(&st);
    boundary = vstr_alloc(80);
    if (dr_boundary(&st, boundary) < 0)
	ret = vstr_fail(why, "no MIME boundary found that the message"
			" does not contain");
    else
	dr_assemble(&st, lines, vstr_str(boundary));
    vstr_free(boundary);
    dr_free(&st);
    return (ret);
}
