/*
 * fuzz_smtpreply.c - libFuzzer target for the SMTP client's reply
 * parser (util/smtp_reply.c): read replies from the input until it is
 * exhausted or a reply is malformed, checking the documented bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"
#include "vstr.h"
#include "vstream.h"

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vstream *fp = vstream_memopen(data, size);
    struct vstr *why = vstr_alloc(10);
    struct smtp_reply r;
    size_t  n;
    int     count;

    smtp_reply_init(&r);
    for (count = 0; count < 1000; count++) {
	if (smtp_reply_read(fp, &r, why) != SMTP_REPLY_DONE)
	    break;
	if (r.code < 200 || r.code > 559)
	    abort();
	if (vstr_len(r.text) > SMTP_REPLY_TEXT_MAX + 3)
	    abort();
	if (r.lines->argc > SMTP_REPLY_LINES_MAX)
	    abort();
	for (n = 0; n < vstr_len(r.text); n++)
	    if ((unsigned char) vstr_str(r.text)[n] < 0x20
		|| (unsigned char) vstr_str(r.text)[n] >= 0x7f)
		abort();
	if (strlen(r.dsn) >= sizeof(r.dsn))
	    abort();
    }
    smtp_reply_free(&r);
    vstr_free(why);
    vstream_free(fp);
    return (0);
}
