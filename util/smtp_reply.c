/*
 * smtp_reply.c - the SMTP client's reply parser: one line at a time,
 * strict about the code and every bound, sanitizing all text.
 *
 * A reply is "CODE-text" continuation lines and one "CODE text" (or
 * just "CODE") final line, all with the same code. Anything else is a
 * protocol error: the caller drops the connection and defers, never
 * guesses (CVE-2020-8794 was a client that guessed).
 */
#include <string.h>

#include "smtp_reply.h"
#include "mymalloc.h"
#include "msg.h"

/* smtp_reply_init - empty reply */

void
smtp_reply_init(struct smtp_reply *rp)
{
    rp->code = 0;
    rp->dsn[0] = 0;
    rp->text = vstr_alloc(100);
    rp->lines = argv_alloc(4);
}

/* smtp_reply_reset - forget the previous reply */

void
smtp_reply_reset(struct smtp_reply *rp)
{
    rp->code = 0;
    rp->dsn[0] = 0;
    vstr_reset(rp->text);
    argv_free(rp->lines);
    rp->lines = argv_alloc(4);
}

/* smtp_reply_free - release */

void
smtp_reply_free(struct smtp_reply *rp)
{
    vstr_free(rp->text);
    argv_free(rp->lines);
    rp->text = 0;
    rp->lines = 0;
}

/* smtp_reply_sanitize - append text, printable ASCII only */

void
smtp_reply_sanitize(struct vstr *out, const char *text, size_t len)
{
    size_t  n;
    unsigned char ch;

    for (n = 0; n < len; n++) {
	ch = (unsigned char) text[n];
	vstr_addch(out, (ch >= 0x20 && ch < 0x7f) ? ch : '?');
    }
}

/* smtp_reply_digits - 1..max digits at cp; how many, 0 if none */

static size_t
smtp_reply_digits(const char *cp, size_t len, size_t max)
{
    size_t  n;

    for (n = 0; n < len && n <= max && cp[n] >= '0' && cp[n] <= '9'; n++)
	 /* void */ ;
    return (n >= 1 && n <= max ? n : 0);
}

/* smtp_reply_dsn - length of an enhanced status code X.Y.Z at cp, or 0 */

static size_t
smtp_reply_dsn(int code, const char *cp, size_t len)
{
    size_t  n = 0;
    size_t  d;

    if (len < 5 || cp[0] != '0' + code / 100 || cp[1] != '.'
	|| (code / 100 != 2 && code / 100 != 4 && code / 100 != 5))
	return (0);
    n = 2;
    if ((d = smtp_reply_digits(cp + n, len - n, 3)) == 0)
	return (0);
    n += d;
    if (n >= len || cp[n] != '.')
	return (0);
    n += 1;
    if ((d = smtp_reply_digits(cp + n, len - n, 3)) == 0)
	return (0);
    n += d;
    if (n < len && cp[n] != ' ')
	return (0);
    return (n);
}

/* smtp_reply_code - the three-digit code at the start of a line, or -1 */

static int
smtp_reply_code(const char *line, size_t len)
{
    if (len < 3 || line[0] < '2' || line[0] > '5'
	|| line[1] < '0' || line[1] > '5' || line[2] < '0' || line[2] > '9')
	return (-1);
    return ((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
}

/* smtp_reply_add_text - one line's text to lines and the joined text */

static void
smtp_reply_add_text(struct smtp_reply *rp, const char *cp, size_t len)
{
    struct vstr *clean = vstr_alloc(len + 1);
    size_t  room;

    smtp_reply_sanitize(clean, cp, len);
    argv_add(rp->lines, vstr_str(clean));
    if (vstr_len(rp->text) >= SMTP_REPLY_TEXT_MAX) {
	vstr_free(clean);
	return;
    }
    if (vstr_len(rp->text) > 0)
	vstr_addch(rp->text, ' ');
    room = SMTP_REPLY_TEXT_MAX - vstr_len(rp->text);
    if (vstr_len(clean) > room) {
	vstr_strncat(rp->text, vstr_str(clean), room);
	vstr_strcat(rp->text, "...");
    } else {
	vstr_strcat(rp->text, vstr_str(clean));
    }
    vstr_free(clean);
}

/* smtp_reply_feed - one line of a reply */

int
smtp_reply_feed(struct smtp_reply *rp, const char *line, size_t len,
		        struct vstr *why)
{
    int     code;
    int     last;
    size_t  dlen;

    if (len > SMTP_REPLY_LINE_MAX)
	return (vstr_fail(why, "reply line too long"));
    if (len > 0 && line[len - 1] == '\n')
	len--;
    if (len > 0 && line[len - 1] == '\r')
	len--;
    if ((code = smtp_reply_code(line, len)) < 0)
	return (vstr_fail(why, "malformed reply code"));
    if (len > 3 && line[3] != ' ' && line[3] != '-')
	return (vstr_fail(why, "malformed reply separator"));
    if (rp->code != 0 && code != rp->code)
	return (vstr_fail(why, "reply code changed in a multi-line reply"));
    if (rp->lines->argc >= SMTP_REPLY_LINES_MAX)
	return (vstr_fail(why, "too many reply lines"));
    last = (len == 3 || line[3] == ' ');
    line += (len > 3 ? 4 : 3);
    len -= (len > 3 ? 4 : 3);
    if ((dlen = smtp_reply_dsn(code, line, len)) > 0) {
	if (rp->code == 0)
	    memcpy(rp->dsn, line, dlen), rp->dsn[dlen] = 0;
	line += dlen;
	len -= dlen;
	while (len > 0 && *line == ' ')
	    line++, len--;
    }
    rp->code = code;
    smtp_reply_add_text(rp, line, len);
    return (last ? SMTP_REPLY_DONE : SMTP_REPLY_MORE);
}

/* smtp_reply_read - one whole reply from a stream */

int
smtp_reply_read(struct vstream *fp, struct smtp_reply *rp, struct vstr *why)
{
    struct vstr *line = vstr_alloc(200);
    int     rc;
    int     st;

    smtp_reply_reset(rp);
    do {
	st = vstream_read_line(fp, line, SMTP_REPLY_LINE_MAX);
	if (st == VSTREAM_TOOLONG) {
	    rc = vstr_fail(why, "reply line too long");
	} else if (st == VSTREAM_TIMEOUT) {
	    rc = vstr_fail(why, "timeout while reading the reply");
	} else if (st == VSTREAM_EOF) {
	    rc = vstr_fail(why, "lost connection while reading the reply");
	} else if (st < 0) {
	    rc = vstr_fail(why, "read error while reading the reply");
	} else if (vstr_len(line) == 0
		   || vstr_str(line)[vstr_len(line) - 1] != '\n') {
	    rc = vstr_fail(why, "lost connection while reading the reply");
	} else {
	    rc = smtp_reply_feed(rp, vstr_str(line), vstr_len(line), why);
	}
    } while (rc == SMTP_REPLY_MORE);
    vstr_free(line);
    return (rc);
}
