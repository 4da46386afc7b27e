/*
 * submit_smtp.c - sendmail -bs: a small SMTP server on standard input and
 * output for programs that speak SMTP to sendmail(1). Each accepted
 * message goes to postern-postdrop (submit_drop.c), which applies the
 * same sender policy as for the command line: this code trusts nothing
 * the client says, it only frames it.
 */
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "stringops.h"
#include "mail_params.h"
#include "queue_file.h"
#include "submit.h"

#define SMTP_LINE_MAX	2048		/* command line, RFC 5321 says 512 */
#define SMTP_TIMEOUT	300
#define SMTP_ERR_MAX	20		/* bad commands before we hang up */

struct submit_smtp_state {
    struct vstream *in;
    struct vstream *out;
    struct submit_msg msg;		/* current transaction */
    char   *sender;			/* MAIL FROM, or NULL */
    const char *config_dir;
};

/* submit_smtp_reply - one reply line */

static void
submit_smtp_reply(struct submit_smtp_state *st, const char *text)
{
    vstream_printf(st->out, "%s\r\n", text);
    vstream_flush(st->out);
}

/* submit_smtp_path - the address inside <...> after "FROM:" or "TO:" */

static char *
submit_smtp_path(const char *arg, const char *keyword)
{
    size_t  klen = strlen(keyword);
    const char *lt;
    const char *gt;

    if (strncasecmp(arg, keyword, klen) != 0)
	return (0);
    arg += klen;
    while (*arg == ' ')
	arg++;
    if ((lt = strchr(arg, '<')) != arg || (gt = strchr(lt, '>')) == 0)
	return (0);
    if ((size_t) (gt - lt - 1) > QUEUE_ADDR_MAX)
	return (0);
    return (mystrndup(lt + 1, (size_t) (gt - lt - 1)));
}

/* submit_smtp_reset - forget the transaction */

static void
submit_smtp_reset(struct submit_smtp_state *st)
{
    if (st->sender)
	myfree(st->sender);
    st->sender = 0;
    if (st->msg.rcpts)
	argv_free(st->msg.rcpts);
    st->msg.rcpts = 0;
    if (st->msg.content)
	vstr_free(st->msg.content);
    st->msg.content = 0;
}

/* submit_smtp_data - DATA: read to ".", unstuff, submit */

static int
submit_smtp_data(struct submit_smtp_state *st, struct vstr *line)
{
    struct vstr *why = vstr_alloc(100);
    int     too_big = 0;
    int     at_start = 1;
    int     status;
    int     rs;

    st->msg.content = vstr_alloc(4096);
    submit_smtp_reply(st, "354 End data with <CR><LF>.<CR><LF>");
    for (;;) {
	size_t  len;
	int     complete;

	/* A line longer than a chunk arrives in pieces (VSTREAM_TOOLONG). */
	if ((rs = vstream_read_line(st->in, line, QUEUE_LINE_CHUNK)) != VSTREAM_OK
	    && rs != VSTREAM_TOOLONG)
	    return (vstr_free(why), -1);	/* no partial message */
	len = vstr_len(line);
	complete = len > 0 && vstr_str(line)[len - 1] == '\n';
	if (complete && --len > 0 && vstr_str(line)[len - 1] == '\r')
	    len--;
	if (at_start && complete && len == 1 && vstr_str(line)[0] == '.')
	    break;
	if (at_start && len > 0 && vstr_str(line)[0] == '.')
	    vstr_memcat(st->msg.content, vstr_str(line) + 1, len - 1);
	else
	    vstr_memcat(st->msg.content, vstr_str(line), len);
	if (complete)
	    vstr_addch(st->msg.content, '\n');
	at_start = complete;
	if (var_message_limit > 0
	    && vstr_len(st->msg.content) > (size_t) var_message_limit) {
	    too_big = 1;
	    vstr_reset(st->msg.content);
	}
    }
    if (vstr_len(st->msg.content) > 0)
	vstr_truncate(st->msg.content, vstr_len(st->msg.content) - 1);
    st->msg.sender = st->sender;
    if (too_big)
	submit_smtp_reply(st, "552 5.3.4 Error: message too large");
    else if ((status = submit_drop(&st->msg, st->config_dir, why)) == EX_OK)
	submit_smtp_reply(st, "250 2.0.0 Ok: queued");
    else {
	vstr_sprintf(why, "%s 4.3.0 Error: %.200s", status == EX_TEMPFAIL
		     || status == EX_OSERR ? "451" : "554", vstr_str(why));
	if (vstr_str(why)[0] == '5')
	    vstr_str(why)[4] = '5';
	submit_smtp_reply(st, vstr_str(why));
    }
    vstr_free(why);
    submit_smtp_reset(st);
    return (0);
}

/* submit_smtp_cmd - one command; -1 ends the session */

static int
submit_smtp_cmd(struct submit_smtp_state *st, char *cmd, struct vstr *line)
{
    char   *arg = cmd + strcspn(cmd, " ");
    char   *addr;

    if (*arg)
	*arg++ = 0;
    if (str_case_eq(cmd, "HELO") || str_case_eq(cmd, "EHLO")) {
	submit_smtp_reply(st, "250 localhost");
    } else if (str_case_eq(cmd, "MAIL")) {
	if (st->sender)
	    submit_smtp_reply(st, "503 5.5.1 Error: nested MAIL command");
	else if ((addr = submit_smtp_path(arg, "FROM:")) == 0)
	    submit_smtp_reply(st, "501 5.5.4 Syntax: MAIL FROM:<address>");
	else {
	    st->sender = addr;
	    st->msg.rcpts = argv_alloc(4);
	    submit_smtp_reply(st, "250 2.1.0 Ok");
	}
    } else if (str_case_eq(cmd, "RCPT")) {
	if (st->sender == 0)
	    submit_smtp_reply(st, "503 5.5.1 Error: need MAIL command");
	else if ((addr = submit_smtp_path(arg, "TO:")) == 0 || *addr == 0) {
	    submit_smtp_reply(st, "501 5.5.4 Syntax: RCPT TO:<address>");
	    if (addr)
		myfree(addr);
	} else if (st->msg.rcpts->argc >= (size_t) var_smtpd_rcpt_limit) {
	    submit_smtp_reply(st, "452 4.5.3 Error: too many recipients");
	    myfree(addr);
	} else {
	    argv_add(st->msg.rcpts, addr);
	    myfree(addr);
	    submit_smtp_reply(st, "250 2.1.5 Ok");
	}
    } else if (str_case_eq(cmd, "DATA")) {
	if (st->msg.rcpts == 0 || st->msg.rcpts->argc == 0)
	    submit_smtp_reply(st, "503 5.5.1 Error: need RCPT command");
	else
	    return (submit_smtp_data(st, line));
    } else if (str_case_eq(cmd, "RSET")) {
	submit_smtp_reset(st);
	submit_smtp_reply(st, "250 2.0.0 Ok");
    } else if (str_case_eq(cmd, "NOOP")) {
	submit_smtp_reply(st, "250 2.0.0 Ok");
    } else if (str_case_eq(cmd, "VRFY")) {
	submit_smtp_reply(st, "252 2.0.0 Send some mail, I'll try my best");
    } else if (str_case_eq(cmd, "QUIT")) {
	submit_smtp_reply(st, "221 2.0.0 Bye");
	return (-1);
    } else {
	submit_smtp_reply(st, "502 5.5.2 Error: command not recognized");
	return (1);
    }
    return (0);
}

/* submit_smtp - the session */

int
submit_smtp(struct vstream *in, struct vstream *out,
	            const struct submit_msg *proto, const char *config_dir)
{
    struct submit_smtp_state st;
    struct vstr *line = vstr_alloc(SMTP_LINE_MAX);
    int     errors = 0;
    int     ret = 0;
    int     rs;

    memset(&st, 0, sizeof(st));
    st.in = in;
    st.out = out;
    st.msg = *proto;
    st.msg.rcpts = 0;
    st.msg.content = 0;
    st.config_dir = config_dir;
    vstream_set_timeout(in, SMTP_TIMEOUT);
    vstream_printf(out, "220 %s ESMTP %s\r\n", var_myhostname, var_mail_name);
    vstream_flush(out);
    while (ret >= 0 && errors < SMTP_ERR_MAX) {
	if ((rs = vstream_read_line(in, line, SMTP_LINE_MAX)) != VSTREAM_OK) {
	    if (rs == VSTREAM_TOOLONG) {
		(void) vstream_skip_line(in);
		submit_smtp_reply(&st, "500 5.5.0 Error: line too long");
		errors++;
		continue;
	    }
	    break;
	}
	while (vstr_len(line) > 0 && strchr("\r\n", vstr_str(line)[vstr_len(line) - 1]))
	    vstr_truncate(line, vstr_len(line) - 1);
	if (memchr(vstr_str(line), 0, vstr_len(line)) != 0) {
	    submit_smtp_reply(&st, "500 5.5.2 Error: bad character");
	    errors++;
	    continue;
	}
	{
	    char   *cmd = mystrdup(vstr_str(line));

	    if ((ret = submit_smtp_cmd(&st, cmd, line)) > 0) {
		errors++;
		ret = 0;
	    }
	    myfree(cmd);
	}
    }
    submit_smtp_reset(&st);
    vstr_free(line);
    return (vstream_error(out) ? EX_IOERR : EX_OK);
}
