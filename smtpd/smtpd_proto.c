/*
 * smtpd_proto.c - the SMTP server's command loop and verb table.
 *
 * One session: optional implicit TLS, the 220 greeting, then a loop that
 * reads one bounded command line (smtpd_timeout is a deadline for the
 * whole line), checks it (util/smtp_cmd.c), looks the verb up in a table
 * and calls its handler. Replies are buffered and flushed only when no
 * more input is waiting (PIPELINING). The session ends on QUIT, EOF, a
 * timeout (421 4.4.2), too many errors (421 4.7.0), or when the master
 * asks the process to stop (421 4.3.2, between transactions).
 */
#include <string.h>
#include <strings.h>

#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtp_cmd.h"
#include "smtpd.h"
#include "smtpd_check.h"
#include "smtpd_sasl.h"
#include "smtpd_tls.h"

#define PROTO_AUTH_ARGS	3		/* AUTH mech [initial-response] */

typedef int (*proto_fn) (struct smtpd_state *, const char *);

struct proto_verb {
    const char *name;
    proto_fn fn;
    int     junk;			/* counts against the junk limit */
};

/* proto_hello - shared by HELO and EHLO: 0 when the name is acceptable */

static int
proto_hello(struct smtpd_state *state, const char *verb, const char *args)
{
    struct vstr *reply;

    if (*args == 0 || strchr(args, ' ') != 0) {
	smtpd_chat_reply(state, "501 5.5.4 Syntax: %s hostname", verb);
	return (-1);
    }
    reply = vstr_alloc(100);
    if (smtpd_check_helo(state, args, reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
	vstr_free(reply);
	return (-1);
    }
    vstr_free(reply);
    smtpd_state_reset_transaction(state);
    myfree(state->helo_name);
    state->helo_name = mystrdup(args);
    return (0);
}

/* proto_helo - HELO hostname */

static int
proto_helo(struct smtpd_state *state, const char *args)
{
    if (proto_hello(state, "HELO", args) < 0)
	return (-1);
    state->esmtp = 0;
    smtpd_state_set_protocol(state);
    smtpd_chat_reply(state, "250 %s", var_myhostname);
    return (0);
}

/* proto_ehlo - EHLO hostname, with the list of extensions */

static int
proto_ehlo(struct smtpd_state *state, const char *args)
{
    if (proto_hello(state, "EHLO", args) < 0)
	return (-1);
    state->esmtp = 1;
    smtpd_state_set_protocol(state);
    smtpd_chat_reply(state, "250-%s", var_myhostname);
    smtpd_chat_reply(state, "250-PIPELINING");
    if (var_message_limit > 0)
	smtpd_chat_reply(state, "250-SIZE %ld", var_message_limit);
    else
	smtpd_chat_reply(state, "250-SIZE");
    if (!var_disable_vrfy_cmd)
	smtpd_chat_reply(state, "250-VRFY");
    if (smtpd_tls_offer(state))
	smtpd_chat_reply(state, "250-STARTTLS");
    if (smtpd_sasl_offer(state))
	smtpd_chat_reply(state, "250-AUTH %s", SMTPD_SASL_MECHS);
    smtpd_chat_reply(state, "250-ENHANCEDSTATUSCODES");
    smtpd_chat_reply(state, "250-8BITMIME");
    smtpd_chat_reply(state, "250-DSN");
    smtpd_chat_reply(state, "250-SMTPUTF8");
    smtpd_chat_reply(state, "250 CHUNKING");
    return (0);
}

/* proto_rset - RSET */

static int
proto_rset(struct smtpd_state *state, const char *args)
{
    if (*args) {
	smtpd_chat_reply(state, "501 5.5.4 Syntax: RSET");
	return (-1);
    }
    smtpd_state_reset_transaction(state);
    smtpd_chat_reply(state, "250 2.0.0 Ok");
    return (0);
}

/* proto_noop - NOOP [string] */

static int
proto_noop(struct smtpd_state *state, const char *args UNUSED)
{
    smtpd_chat_reply(state, "250 2.0.0 Ok");
    return (0);
}

/* proto_quit - QUIT */

static int
proto_quit(struct smtpd_state *state, const char *args UNUSED)
{
    smtpd_chat_reply(state, "221 2.0.0 Bye");
    state->quit = 1;
    return (0);
}

/* proto_help - HELP [topic] */

static int
proto_help(struct smtpd_state *state, const char *args UNUSED)
{
    smtpd_chat_reply(state, "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT"
		     " RSET NOOP QUIT HELP VRFY STARTTLS AUTH");
    return (0);
}

/* proto_vrfy - VRFY: disabled by default; never confirms an address */

static int
proto_vrfy(struct smtpd_state *state, const char *args)
{
    if (var_disable_vrfy_cmd) {
	smtpd_chat_reply(state, "502 5.5.1 VRFY command is disabled");
	return (-1);
    }
    if (*args == 0) {
	smtpd_chat_reply(state, "501 5.5.4 Syntax: VRFY address");
	return (-1);
    }
    smtpd_chat_reply(state, "252 2.0.0 Cannot VRFY user, but will accept"
		     " message and attempt delivery");
    return (0);
}

/* proto_starttls - STARTTLS: reply, discard plaintext, handshake, reset */

static int
proto_starttls(struct smtpd_state *state, const char *args)
{
    size_t  junk;

    if (*args) {
	smtpd_chat_reply(state, "501 5.5.4 Syntax: STARTTLS");
	return (-1);
    }
    if (state->tls_active) {
	smtpd_chat_reply(state, "503 5.5.1 Error: TLS already active");
	return (-1);
    }
    if (!smtpd_tls_offer(state)) {
	smtpd_chat_reply(state, "502 5.5.1 Error: STARTTLS not available (no TLS certificate configured)");
	return (-1);
    }
    if (state->sender) {
	smtpd_chat_reply(state, "503 5.5.1 Error: MAIL transaction in progress");
	return (-1);
    }
    smtpd_chat_reply(state, "220 2.0.0 Ready to start TLS");
    if (smtpd_chat_flush(state) < 0) {
	state->quit = 1;
	return (0);
    }
    /* CVE-2011-0411: nothing sent in plaintext may count after TLS. */
    if ((junk = vstream_discard_pending(state->client)) > 0)
	msg_info("discarded %lu bytes of plaintext after STARTTLS from %s[%s]",
		 (unsigned long) junk, state->client_name, state->client_addr);
    if (smtpd_tls_start(state) < 0) {
	state->quit = 1;
	return (0);
    }
    smtpd_sasl_reset(state);
    smtpd_state_reset_session(state);
    return (0);
}

/* proto_auth - AUTH mechanism [initial-response] */

static int
proto_auth(struct smtpd_state *state, const char *args)
{
    char   *copy = mystrdup(args);
    char   *argv[PROTO_AUTH_ARGS + 1];
    char   *cp = copy;
    int     argc = 1;
    char   *tok;

    argv[0] = "AUTH";
    while ((tok = strsep(&cp, " ")) != 0) {
	if (*tok == 0)
	    continue;
	if (argc >= PROTO_AUTH_ARGS) {
	    smtpd_chat_reply(state, "501 5.5.4 Syntax: AUTH mechanism");
	    myfree(copy);
	    return (-1);
	}
	argv[argc++] = tok;
    }
    argv[argc] = 0;
    if (argc < 2) {
	smtpd_chat_reply(state, "501 5.5.4 Syntax: AUTH mechanism");
	myfree(copy);
	return (-1);
    }
    smtpd_sasl_auth_cmd(state, argc, argv);
    smtpd_state_set_protocol(state);
    myfree(copy);
    return (0);					/* smtpd_sasl.c counts errors */
}

static const struct proto_verb proto_verbs[] = {
    {"EHLO", proto_ehlo, 0},
    {"HELO", proto_helo, 0},
    {"MAIL", smtpd_mail_cmd, 0},
    {"RCPT", smtpd_rcpt_cmd, 0},
    {"DATA", smtpd_data_cmd, 0},
    {"BDAT", smtpd_bdat_cmd, 0},
    {"RSET", proto_rset, 1},
    {"NOOP", proto_noop, 1},
    {"QUIT", proto_quit, 0},
    {"HELP", proto_help, 1},
    {"VRFY", proto_vrfy, 1},
    {"STARTTLS", proto_starttls, 0},
    {"AUTH", proto_auth, 0},
    {0, 0, 0},
};

/* proto_dispatch - one checked command line */

static void
proto_dispatch(struct smtpd_state *state, const char *line)
{
    const struct proto_verb *vp;
    const char *args;
    size_t  vlen = smtp_cmd_verb(line, &args);

    for (vp = proto_verbs; vp->name; vp++)
	if (strlen(vp->name) == vlen && strncasecmp(line, vp->name, vlen) == 0)
	    break;
    if (vp->name == 0) {
	smtpd_chat_reply(state, "502 5.5.2 Error: command not recognized");
	state->error_count++;
	state->junk_cmds++;
	return;
    }
    if (vp->junk && ++state->junk_cmds > var_smtpd_junk_cmd_limit)
	state->error_count++;
    if (vp->fn(state, args) < 0)
	state->error_count++;
}

/* proto_read - read and check one command line; 0, 1 (skip), -1 (end) */

static int
proto_read(struct smtpd_state *state)
{
    struct vstr *reply;
    int     st;

    /*
     * RFC 4954: an AUTH command with its initial response may be longer
     * than the 512 bytes of any other command line (up to 12288).
     */
    st = vstream_read_line(state->client, state->buf, SMTPD_SASL_LINE_MAX);
    if (st == VSTREAM_OK && vstr_len(state->buf) > SMTP_CMD_LINE_MAX
	&& strncasecmp(vstr_str(state->buf), "AUTH ", 5) != 0) {
	smtpd_chat_reply(state, "500 5.5.2 Error: line too long");
	state->error_count++;
	return (1);
    }
    if (st == VSTREAM_TOOLONG) {
	st = vstream_skip_line(state->client);
	smtpd_chat_reply(state, "500 5.5.2 Error: line too long");
	state->error_count++;
	return (st == VSTREAM_OK ? 1 : -1);
    }
    if (st == VSTREAM_TIMEOUT) {
	msg_info("timeout after command from %s[%s]", state->client_name,
		 state->client_addr);
	smtpd_chat_timeout(state);
	return (-1);
    }
    if (st != VSTREAM_OK || vstr_len(state->buf) == 0
	|| vstr_str(state->buf)[vstr_len(state->buf) - 1] != '\n') {
	msg_info("lost connection from %s[%s]", state->client_name,
		 state->client_addr);
	return (-1);
    }
    reply = vstr_alloc(100);
    if (smtp_cmd_line(state->buf, reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
	state->error_count++;
	vstr_free(reply);
	return (1);
    }
    vstr_free(reply);
    return (0);
}

/* proto_greet - implicit TLS, client check, banner; 0 or -1 */

static int
proto_greet(struct smtpd_state *state)
{
    struct vstr *reply;

    if (var_smtpd_tls_wrappermode && smtpd_tls_start(state) < 0)
	return (-1);
    reply = vstr_alloc(100);
    if (smtpd_check_client(state, reply) != 0) {
	smtpd_chat_reply(state, "%s", vstr_str(reply));
	vstr_free(reply);
	(void) smtpd_chat_flush(state);
	return (-1);
    }
    vstr_free(reply);
    smtpd_chat_reply(state, "220 %s", var_smtpd_banner);
    return (0);
}

/* smtpd_proto_session - the whole SMTP conversation with one client */

void
smtpd_proto_session(struct smtpd_state *state)
{
    int     st;

    vstream_set_timeout(state->client, (int) var_smtpd_timeout);
    if (proto_greet(state) < 0)
	return;
    while (!state->quit) {
	if (!smtpd_chat_input_pending(state) && smtpd_chat_flush(state) < 0)
	    break;
	if (state->error_count >= var_smtpd_hard_erlim) {
	    msg_info("too many errors from %s[%s]", state->client_name,
		     state->client_addr);
	    smtpd_chat_reply(state, "421 4.7.0 %s Error: too many errors",
			     var_myhostname);
	    break;
	}
	if (state->sender == 0 && server_stopping()) {
	    smtpd_chat_reply(state, "421 4.3.2 %s Service shutting down",
			     var_myhostname);
	    break;
	}
	if ((st = proto_read(state)) < 0)
	    break;
	if (st == 0)
	    proto_dispatch(state, vstr_str(state->buf));
    }
    (void) smtpd_chat_flush(state);
    smtpd_state_reset_transaction(state);
}
