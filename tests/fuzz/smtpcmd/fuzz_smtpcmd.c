/*
 * fuzz_smtpcmd.c - libFuzzer target for SMTP command-line parsing
 * (util/smtp_cmd.c): the line check, the verb split, MAIL/RCPT with
 * their ESMTP parameters (SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH,
 * NOTIFY, ORCPT), BDAT arguments and xtext.
 *
 * Properties beyond "no crash": a refused command has a one-line reply
 * that starts with its code; an accepted command's values are within
 * their limits and hold no control characters (C3: nothing decoded from
 * xtext can carry CR, LF or NUL into the queue file).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_cmd.h"
#include "stringops.h"
#include "vstr.h"

/* check_reply - a refusal is "CODE text", one line */

static void
check_reply(int code, struct vstr *reply)
{
    char    want[5];

    if (code == 0)
	return;
    if (code < 400 || code > 599)
	abort();
    want[0] = (char) ('0' + code / 100);
    want[1] = (char) ('0' + code / 10 % 10);
    want[2] = (char) ('0' + code % 10);
    want[3] = ' ';
    want[4] = 0;
    if (strncmp(vstr_str(reply), want, 4) != 0
	|| strpbrk(vstr_str(reply), "\r\n") != 0)
	abort();
}

/* no_controls - no byte below 32 or 127 */

static void
no_controls(struct vstr *vp)
{
    size_t  i;

    for (i = 0; i < vstr_len(vp); i++)
	if ((unsigned char) vstr_str(vp)[i] < 32 || vstr_str(vp)[i] == 127)
	    abort();
}

/* try_args - every argument parser on one argument string */

static void
try_args(const char *args, int flags, struct vstr *reply)
{
    struct smtp_mail_args ma;
    struct smtp_rcpt_args ra;
    long long size;
    int     last;
    int     code;

    smtp_mail_args_init(&ma);
    check_reply(code = smtp_cmd_mail(args, flags, &ma, reply), reply);
    if (code == 0) {
	no_controls(ma.sender);
	if (ma.has_envid && (vstr_len(ma.envid) > SMTP_CMD_ENVID_MAX
			     || !str_all_printable(vstr_str(ma.envid),
						   vstr_len(ma.envid))))
	    abort();
	if (ma.size < -1 || ma.size > SMTP_CMD_SIZE_HUGE)
	    abort();
    }
    smtp_mail_args_free(&ma);
    smtp_rcpt_args_init(&ra);
    check_reply(code = smtp_cmd_rcpt(args, flags, &ra, reply), reply);
    if (code == 0) {
	no_controls(ra.rcpt);
	if (vstr_len(ra.rcpt) == 0 || vstr_len(ra.orcpt) > SMTP_CMD_ORCPT_MAX
	    || !str_all_printable(vstr_str(ra.orcpt), vstr_len(ra.orcpt))
	    || (ra.notify & ~15) != 0)
	    abort();
    }
    smtp_rcpt_args_free(&ra);
    check_reply(code = smtp_cmd_bdat(args, &size, &last, reply), reply);
    if (code == 0 && (size < 0 || size > SMTP_CMD_SIZE_HUGE))
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vstr *line = vstr_alloc(size + 1);
    struct vstr *reply = vstr_alloc(100);
    struct vstr *dec = vstr_alloc(size + 1);
    const char *args;
    int     code;

    (void) smtp_xtext_decode(dec, (const char *) data, size);
    vstr_memcpy(line, data, size);
    check_reply(code = smtp_cmd_line(line, reply), reply);
    if (code == 0) {
	no_controls(line);
	(void) smtp_cmd_verb(vstr_str(line), &args);
	try_args(args, 0, reply);
	try_args(args, SMTP_CMD_FLAG_STRICT | SMTP_CMD_FLAG_UTF8, reply);
	try_args(vstr_str(line), 0, reply);
    }
    vstr_free(line);
    vstr_free(reply);
    vstr_free(dec);
    return (0);
}
