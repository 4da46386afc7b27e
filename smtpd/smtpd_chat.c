/*
 * smtpd_chat.c - SMTP server replies (see smtpd.h): buffered output for
 * PIPELINING, the input-pending test that decides when to flush, the
 * error tarpit, and the Postfix-style "NOQUEUE: reject:" log line.
 */
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"
#include "msg.h"
#include "smtpd.h"

#define CHAT_REPLY_MAX	1000		/* one reply line, RFC 5321 4.5.3.1.5 */

/* chat_sanitize - no control characters in what we send or log */

static void
chat_sanitize(struct vstr *vp)
{
    char   *cp;

    for (cp = vstr_str(vp); cp < vstr_str(vp) + vstr_len(vp); cp++)
	if ((unsigned char) *cp < 32 || *cp == 127)
	    *cp = '?';
    if (vstr_len(vp) > CHAT_REPLY_MAX - 2)
	vstr_truncate(vp, CHAT_REPLY_MAX - 2);
}

/* smtpd_chat_reply - format and buffer one reply line */

void
smtpd_chat_reply(struct smtpd_state *state, const char *fmt,...)
{
    struct vstr *buf = vstr_alloc(100);
    va_list ap;
    int     first;

    va_start(ap, fmt);
    vstr_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    chat_sanitize(buf);
    first = vstr_str(buf)[0];

    /*
     * Tarpit: slow down a client that keeps making errors. Replies that
     * went before this one are sent first, so the client sees them.
     */
    if ((first == '4' || first == '5') && strncmp(vstr_str(buf), "421", 3) != 0
	&& state->error_count >= var_smtpd_soft_erlim && var_smtpd_err_sleep > 0) {
	(void) smtpd_chat_flush(state);
	sleep((unsigned) var_smtpd_err_sleep);
    }
    vstr_strcat(buf, "\r\n");
    (void) vstream_write(state->client, vstr_str(buf), vstr_len(buf));
    vstr_free(buf);
}

/* smtpd_chat_flush - send buffered replies */

int
smtpd_chat_flush(struct smtpd_state *state)
{
    if (vstream_flush(state->client) != 0 || vstream_error(state->client)) {
	return (-1);
    }
    return (0);
}

/* smtpd_chat_timeout - 421 4.4.2 after a read deadline passed */

void
smtpd_chat_timeout(struct smtpd_state *state)
{
    struct vstr *buf;

    /*
     * A timeout leaves the stream failed for writes too (vstream errors
     * are sticky), and nothing is buffered at this point (replies are
     * flushed before every wait for input). Send the last reply with a
     * plain write on a plaintext connection; under TLS that would corrupt
     * the record stream, so there the connection just closes.
     */
    if (state->tls_active || vstream_fd(state->client) < 0)
	return;
    buf = vstr_alloc(100);
    vstr_sprintf(buf, "421 4.4.2 %s Error: timeout exceeded", var_myhostname);
    chat_sanitize(buf);
    vstr_strcat(buf, "\r\n");
    (void) write_all(vstream_fd(state->client), vstr_str(buf), vstr_len(buf));
    vstr_free(buf);
}

/* smtpd_chat_input_pending - more client input ready right now? */

int
smtpd_chat_input_pending(struct smtpd_state *state)
{
    struct pollfd pfd;
    int     fd;

    if (vstream_pending(state->client) > 0)
	return (1);
    if ((fd = vstream_fd(state->client)) < 0)
	return (0);
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    return (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0);
}

/* smtpd_chat_reject_log - NOQUEUE: reject: VERB from name[addr]: ... */

void
smtpd_chat_reject_log(struct smtpd_state *state, const char *verb,
		              const char *reply, const char *rcpt)
{
    struct vstr *buf = vstr_alloc(200);

    vstr_sprintf(buf, "NOQUEUE: reject: %s from %s[%s]: %s; from=<%s>",
		 verb, state->client_name, state->client_addr, reply,
		 state->sender ? state->sender : "");
    if (rcpt)
	vstr_sprintf_append(buf, " to=<%s>", rcpt);
    vstr_sprintf_append(buf, " proto=%s", state->protocol);
    if (state->helo_name)
	vstr_sprintf_append(buf, " helo=<%s>", state->helo_name);
    chat_sanitize(buf);
    msg_info("%s", vstr_str(buf));
    vstr_free(buf);
}
