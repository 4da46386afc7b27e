/*
 * smtp_text.c - the last step before message text goes on the wire in
 * the SMTP client (see smtp_text.h): line ends, dot-stuffing, stray CR
 * and LF, and Postfix's "<CR><LF><SPACE>" break of lines longer than
 * smtp_line_length_limit. The MIME downgrade (mime_downgrade.c), when
 * it runs, sits before this.
 */
#include "smtp_text.h"

/* smtp_text_init - a writer for one message */

void
smtp_text_init(struct smtp_text *tp, int limit, smtp_text_write_fn write,
	               void *ctx)
{
    tp->limit = limit > 0 ? (size_t) limit : 0;
    tp->col = 0;
    tp->broken = 0;
    tp->write = write;
    tp->ctx = ctx;
}

/* smtp_text_raw - bytes, with CR and LF written as a space */

static int
smtp_text_raw(struct smtp_text *tp, const char *text, size_t len)
{
    size_t  start;
    size_t  n;

    for (start = n = 0; n < len; n++) {
	if (text[n] != '\r' && text[n] != '\n')
	    continue;
	if ((n > start && tp->write(text + start, n - start, tp->ctx) < 0)
	    || tp->write(" ", 1, tp->ctx) < 0)
	    return (-1);
	start = n + 1;
    }
    if (len > start && tp->write(text + start, len - start, tp->ctx) < 0)
	return (-1);
    return (0);
}

/* smtp_text_put - one line or piece of a line */

int
smtp_text_put(struct smtp_text *tp, const char *text, size_t len, int eol)
{
    size_t  room;
    size_t  n;

    while (len > 0) {
	if (tp->limit > 0 && tp->col >= tp->limit) {
	    if (tp->write("\r\n ", 3, tp->ctx) < 0)
		return (-1);
	    tp->col = 1;
	    tp->broken++;
	}
	if (tp->col == 0 && text[0] == '.' && tp->write(".", 1, tp->ctx) < 0)
	    return (-1);
	if (tp->limit == 0) {
	    n = len;
	} else {
	    room = tp->limit > tp->col ? tp->limit - tp->col : 1;
	    n = len < room ? len : room;
	}
	if (smtp_text_raw(tp, text, n) < 0)
	    return (-1);
	tp->col += n;
	text += n;
	len -= n;
    }
    if (eol) {
	if (tp->write("\r\n", 2, tp->ctx) < 0)
	    return (-1);
	tp->col = 0;
    }
    return (0);
}

/* smtp_text_flush - end a line left open */

int
smtp_text_flush(struct smtp_text *tp)
{
    if (tp->col == 0)
	return (0);
    tp->col = 0;
    return (tp->write("\r\n", 2, tp->ctx));
}
