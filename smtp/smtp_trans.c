/*
 * smtp_trans.c - one mail transaction on an open session: MAIL FROM
 * (SIZE, BODY=8BITMIME, SMTPUTF8, RET, ENVID), RCPT TO (NOTIFY, ORCPT),
 * DATA with the content from the queue file, and the per-recipient
 * results. With PIPELINING, MAIL, the RCPTs and DATA go in one write
 * and the replies are read in order.
 *
 * Results: 2xx delivered; 4xx deferred and 5xx bounced with the
 * server's text ("host H[A]:P said: 550 5.1.1 ... (in reply to RCPT TO
 * command)"). A lost connection, a timeout or a malformed reply leaves
 * the open recipients without a result and makes the session unusable
 * (the caller tries the next address, or defers them).
 *
 * The content goes out through util/smtp_text.c: CRLF line ends,
 * dot-stuffing, lines longer than smtp_line_length_limit broken with
 * CRLF SPACE (as Postfix). The queue stores lines without their
 * newline, so a CR or LF inside a stored line is stray: it is sent as a
 * space (SECURITY-CASES A2: never a bare CR or LF to the next hop).
 * To a server without 8BITMIME the content first goes through the MIME
 * downgrade (util/mime_downgrade.c) unless disable_mime_output_conversion
 * is set; a MIME structure nested too deep bounces (5.6.0) as in Postfix,
 * without the "." (the server drops what it got).
 */
#include <string.h>

#include "smtp.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mime_downgrade.h"
#include "mymalloc.h"
#include "msg.h"
#include "queue_file.h"
#include "smtp_text.h"

#define SMTP_CONTENT_NET	(-1)	/* lost connection: st->why */
#define SMTP_CONTENT_QUEUE	(-2)	/* queue file trouble: qwhy */
#define SMTP_CONTENT_MIME	(-3)	/* MIME downgrade failed: qwhy */

struct smtp_state {
    struct smtp_session *sp;
    struct deliver_request *req;
    struct queue_reader *r;		/* the queue file, at its content */
    int    *accepted;			/* per recipient: RCPT got 2xx */
    int     naccepted;
    struct vstr *why;			/* last network/protocol error */
};

#define SMTP_ORCPT_TYPE_MAX	32	/* ORCPT addr-type: an atom */
#define SMTP_ORCPT_TYPE_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"

/* smtp_xtext - RFC 3461 xtext */

static void
smtp_xtext(struct vstr *out, const char *s)
{
    const unsigned char *cp;

    for (cp = (const unsigned char *) s; *cp; cp++) {
	if (*cp >= 33 && *cp <= 126 && *cp != '+' && *cp != '=')
	    vstr_addch(out, *cp);
	else
	    vstr_sprintf_append(out, "+%02X", *cp);
    }
}

/* smtp_addr_ok - no controls, no '<' or '>', 8-bit only with SMTPUTF8 */

static int
smtp_addr_ok(const char *addr, int utf8)
{
    const unsigned char *cp;

    if (strlen(addr) > 998)
	return (0);
    for (cp = (const unsigned char *) addr; *cp; cp++)
	if (*cp < 0x20 || *cp == 0x7f || *cp == '<' || *cp == '>'
	    || (*cp >= 0x80 && !utf8))
	    return (0);
    return (1);
}

/* smtp_result - a reply as the result of one recipient */

static void
smtp_result(struct smtp_state *st, int n, const char *cmd)
{
    struct smtp_session *sp = st->sp;
    struct vstr *why = vstr_alloc(100);
    char    dsn[12];
    int     klass = sp->reply.code / 100;

    smtp_reply_why(why, sp, cmd);
    if (*sp->reply.dsn)
	memcpy(dsn, sp->reply.dsn, sizeof(dsn));
    else
	memcpy(dsn, klass == 2 ? "2.0.0" : klass == 5 ? "5.0.0" : "4.0.0", 6);
    if (klass == 2) {
	vstr_sprintf(why, "%d %s%s%s", sp->reply.code, sp->reply.dsn,
		     *sp->reply.dsn ? " " : "", vstr_str(sp->reply.text));
	deliver_rcpt_result(st->req->rcpt + n, MAIL_STAT_OK, dsn, vstr_str(why));
    } else {
	deliver_rcpt_result(st->req->rcpt + n, klass == 5 ? MAIL_STAT_BOUNCE :
			 MAIL_STAT_DEFER, dsn, vstr_str(why));
    }
    vstr_free(why);
}

/* smtp_result_open - one reply for every recipient still open */

static void
smtp_result_open(struct smtp_state *st, const char *cmd, int accepted_only)
{
    int     n;

    for (n = 0; n < st->req->nrcpt; n++)
	if (!st->req->rcpt[n].final && (!accepted_only || st->accepted[n]))
	    smtp_result(st, n, cmd);
}

/* smtp_mail_cmd - the MAIL FROM command with its parameters */

static void
smtp_mail_cmd(struct vstr *cmd, struct smtp_session *sp,
	              struct deliver_request *req)
{
    vstr_sprintf(cmd, "MAIL FROM:<%s>", vstr_str(req->sender));
    if (sp->features & SMTP_FEAT_SIZE)
	vstr_sprintf_append(cmd, " SIZE=%ld", req->size);
    if ((sp->features & SMTP_FEAT_8BITMIME)
	&& (req->msg_flags & QUEUE_FLAG_8BITMIME))
	vstr_strcat(cmd, " BODY=8BITMIME");
    if ((sp->features & SMTP_FEAT_SMTPUTF8)
	&& (req->msg_flags & QUEUE_FLAG_SMTPUTF8))
	vstr_strcat(cmd, " SMTPUTF8");
    if (sp->features & SMTP_FEAT_DSN) {
	if (req->dsn_ret == MAIL_DSN_RET_FULL)
	    vstr_strcat(cmd, " RET=FULL");
	else if (req->dsn_ret == MAIL_DSN_RET_HDRS)
	    vstr_strcat(cmd, " RET=HDRS");
	if (vstr_len(req->envid) > 0) {
	    vstr_strcat(cmd, " ENVID=");
	    smtp_xtext(cmd, vstr_str(req->envid));
	}
    }
    vstr_strcat(cmd, "\r\n");
}

/* smtp_rcpt_cmd - the RCPT TO command with its parameters */

static void
smtp_rcpt_cmd(struct vstr *cmd, struct smtp_session *sp, struct deliver_rcpt *rp)
{
    static const struct {
	int     mask;
	const char *name;
    }       smtp_notify[] = {
	{QUEUE_NOTIFY_SUCCESS, "SUCCESS"},
	{QUEUE_NOTIFY_FAILURE, "FAILURE"},
	{QUEUE_NOTIFY_DELAY, "DELAY"},
    };
    const char *orcpt = vstr_str(rp->orcpt);
    const char *semi;
    const char *sep;
    int     n;

    vstr_sprintf(cmd, "RCPT TO:<%s>", vstr_str(rp->address));
    if (sp->features & SMTP_FEAT_DSN) {
	/* Known bits only: the mask comes from another daemon. */
	if (rp->notify & QUEUE_NOTIFY_NEVER) {
	    vstr_strcat(cmd, " NOTIFY=NEVER");
	} else {
	    for (sep = " NOTIFY=", n = 0; n < 3; n++) {
		if (rp->notify & smtp_notify[n].mask) {
		    vstr_strcat(cmd, sep);
		    vstr_strcat(cmd, smtp_notify[n].name);
		    sep = ",";
		}
	    }
	}
	if (*orcpt) {
	    /* addr-type is an atom (RFC 3461 4.2): letters, digits, '-' */
	    if ((semi = strchr(orcpt, ';')) != 0 && semi > orcpt
		&& semi - orcpt <= SMTP_ORCPT_TYPE_MAX
		&& strspn(orcpt, SMTP_ORCPT_TYPE_CHARS)
		== (size_t) (semi - orcpt)) {
		vstr_strcat(cmd, " ORCPT=");
		vstr_strncat(cmd, orcpt, semi - orcpt);
		vstr_addch(cmd, ';');
		smtp_xtext(cmd, semi + 1);
	    } else {
		vstr_strcat(cmd, " ORCPT=rfc822;");
		smtp_xtext(cmd, orcpt);
	    }
	}
    }
    vstr_strcat(cmd, "\r\n");
}

/* smtp_send - write one command; flush unless pipelining */

static int
smtp_send(struct smtp_state *st, struct vstr *cmd, long tmout, int flush)
{
    vstream_set_timeout(st->sp->fp, smtp_timeout(tmout));
    if (vstream_write(st->sp->fp, vstr_str(cmd), vstr_len(cmd)) < 0
	|| (flush && vstream_flush(st->sp->fp) < 0))
	return (vstr_fail(st->why, "lost connection with %s while sending "
			  "a command", vstr_str(st->sp->relay)));
    return (0);
}

/* smtp_get - read one reply; -1 on a network or protocol error */

static int
smtp_get(struct smtp_state *st, long tmout)
{
    return (smtp_command(st->sp, tmout, st->why, 0));
}

/* smtp_data_write - smtp_text output: the session stream */

static int
smtp_data_write(const char *buf, size_t len, void *ctx)
{
    return (vstream_write((struct vstream *) ctx, buf, len) < 0 ? -1 : 0);
}

/* smtp_data_dg_out - mime_downgrade output: on to smtp_text */

static int
smtp_data_dg_out(const char *buf, size_t len, int flags, void *ctx)
{
    return (smtp_text_put((struct smtp_text *) ctx, buf, len,
			  flags & MIME_DOWNGRADE_EOL));
}

/* smtp_content_lines - queue file lines through downgrade and smtp_text */

static int
smtp_content_lines(struct queue_reader *r, struct smtp_text *txt,
		           struct mime_downgrade *dg, struct vstr *qwhy)
{
    struct vstr *line = vstr_alloc(200);
    int     rc;
    int     eol;

    while ((rc = queue_read_line(r, line, QUEUE_LINE_CHUNK, qwhy)) == QUEUE_LINE
	   || rc == QUEUE_PART) {
	eol = (rc == QUEUE_LINE);
	if ((dg ? mime_downgrade_line(dg, vstr_str(line), vstr_len(line), eol)
	     : smtp_text_put(txt, vstr_str(line), vstr_len(line), eol)) < 0) {
	    rc = SMTP_CONTENT_NET;
	    goto done;
	}
	if (dg && mime_downgrade_errors(dg)) {
	    rc = SMTP_CONTENT_MIME;
	    goto done;
	}
    }
    if (rc != QUEUE_END)
	rc = SMTP_CONTENT_QUEUE;
    else if ((dg && mime_downgrade_end(dg) < 0) || smtp_text_flush(txt) < 0)
	rc = SMTP_CONTENT_NET;
    else
	rc = (dg && mime_downgrade_errors(dg)) ? SMTP_CONTENT_MIME : 0;
done:
    vstr_free(line);
    return (rc);
}

/* smtp_content - the message content, then ".", from the queue file */

static int
smtp_content(struct smtp_state *st, struct vstr *qwhy)
{
    struct vstream *fp = st->sp->fp;
    struct smtp_text txt;
    struct mime_downgrade *dg = 0;
    int     rc;

    /*
     * Like Postfix: downgrade whenever the server lacks 8BITMIME, unless
     * disabled, whatever the message claims (BODY=8BITMIME is not the only
     * source of 8-bit mail). A message with no 8-bit body byte and no part
     * declared 8bit or binary goes through byte for byte.
     */
    vstream_set_timeout(fp, smtp_timeout(var_smtp_data1_tmout));
    smtp_text_init(&txt, var_smtp_line_limit, smtp_data_write, fp);
    if (!var_disable_mime_oconv && !(st->sp->features & SMTP_FEAT_8BITMIME))
	dg = mime_downgrade_create(smtp_data_dg_out, &txt);
    if ((rc = smtp_content_lines(st->r, &txt, dg, qwhy)) == 0
	&& (vstream_write(fp, ".\r\n", 3) < 0 || vstream_flush(fp) < 0))
	rc = SMTP_CONTENT_NET;
    if (txt.broken > 0)
	msg_info("%s: breaking line > %d bytes with <CR><LF>SPACE",
		 vstr_str(st->req->queue_id), var_smtp_line_limit);
    if (rc == SMTP_CONTENT_NET)
	vstr_fail(st->why, "lost connection with %s while sending "
		  "message body", vstr_str(st->sp->relay));
    if (rc == SMTP_CONTENT_MIME)
	vstr_strcpy(qwhy, mime_downgrade_strerror(mime_downgrade_errors(dg)));
    if (dg)
	mime_downgrade_free(dg);
    return (rc);
}

/* smtp_precheck - what can be decided before MAIL; 0 go on, 1 done */

static int
smtp_precheck(struct smtp_state *st)
{
    struct smtp_session *sp = st->sp;
    struct deliver_request *req = st->req;
    int     utf8 = (req->msg_flags & QUEUE_FLAG_SMTPUTF8) != 0;
    struct vstr *why = vstr_alloc(100);
    int     n;

    if ((sp->features & SMTP_FEAT_SIZE) && sp->size_limit > 0
	&& req->size > sp->size_limit) {
	vstr_sprintf(why, "message size %ld exceeds size limit %ld of server %s",
		     req->size, sp->size_limit, vstr_str(sp->relay));
	smtp_result_all(req, MAIL_STAT_BOUNCE, "5.3.4", vstr_str(why));
    } else if (utf8 && !(sp->features & SMTP_FEAT_SMTPUTF8)) {
	vstr_sprintf(why, "SMTPUTF8 is required, but was not offered by host %s",
		     vstr_str(sp->relay));
	smtp_result_all(req, MAIL_STAT_BOUNCE, "5.6.7", vstr_str(why));
    } else if (!smtp_addr_ok(vstr_str(req->sender), utf8)) {
	smtp_result_all(req, MAIL_STAT_BOUNCE, "5.1.7", "bad sender address syntax");
    } else {
	for (n = 0; n < req->nrcpt; n++)
	    if (!smtp_addr_ok(vstr_str(req->rcpt[n].address), utf8))
		deliver_rcpt_result(req->rcpt + n, MAIL_STAT_BOUNCE, "5.1.3",
				 "bad recipient address syntax");
    }
    vstr_free(why);
    return (smtp_rcpt_pending(req) == 0);
}

/* smtp_send_envelope - MAIL, and with PIPELINING the RCPTs and DATA */

static int
smtp_send_envelope(struct smtp_state *st, struct vstr *cmd, const int *sent,
		           int pipe)
{
    int     n;

    smtp_mail_cmd(cmd, st->sp, st->req);
    if (smtp_send(st, cmd, var_smtp_mail_tmout, !pipe) < 0)
	return (-1);
    if (!pipe)
	return (0);
    for (n = 0; n < st->req->nrcpt; n++) {
	if (!sent[n])
	    continue;
	smtp_rcpt_cmd(cmd, st->sp, st->req->rcpt + n);
	if (smtp_send(st, cmd, var_smtp_rcpt_tmout, 0) < 0)
	    return (-1);
    }
    vstr_strcpy(cmd, "DATA\r\n");
    return (smtp_send(st, cmd, var_smtp_rcpt_tmout, 1));
}

/* smtp_envelope - MAIL, RCPTs, DATA; 1 go on with content, 0 done, -1 */

static int
smtp_envelope(struct smtp_state *st)
{
    struct smtp_session *sp = st->sp;
    struct deliver_request *req = st->req;
    struct vstr *cmd = vstr_alloc(200);
    int     pipe = (sp->features & SMTP_FEAT_PIPELINING) != 0;
    int    *sent = mycalloc(req->nrcpt, sizeof(int));
    int     n, code, mail_ok, rc = -1;

    for (n = 0; n < req->nrcpt; n++)
	sent[n] = !req->rcpt[n].final;
    if (smtp_send_envelope(st, cmd, sent, pipe) < 0)
	goto done;
    if ((code = smtp_get(st, var_smtp_mail_tmout)) < 0)
	goto done;
    if (!(mail_ok = (code / 100 == 2)))
	smtp_result_open(st, "MAIL FROM", 0);
    for (n = 0; n < req->nrcpt; n++) {
	if (!sent[n])
	    continue;
	if (!pipe && !mail_ok)
	    break;
	if (!pipe) {
	    smtp_rcpt_cmd(cmd, sp, req->rcpt + n);
	    if (smtp_send(st, cmd, var_smtp_rcpt_tmout, 1) < 0)
		goto done;
	}
	if ((code = smtp_get(st, var_smtp_rcpt_tmout)) < 0)
	    goto done;
	if (mail_ok && code / 100 == 2)
	    st->accepted[n] = 1, st->naccepted++;
	else if (mail_ok)
	    smtp_result(st, n, "RCPT TO");
    }
    if (!pipe && st->naccepted == 0) {
	rc = 0;
	goto done;
    }
    if (!pipe && smtp_send(st, (vstr_strcpy(cmd, "DATA\r\n"), cmd),
			   var_smtp_data0_tmout, 1) < 0)
	goto done;
    if ((code = smtp_get(st, var_smtp_data0_tmout)) < 0)
	goto done;
    if (code == 354 && st->naccepted == 0) {
	vstr_fail(st->why, "host %s accepted DATA without recipients",
		  vstr_str(sp->relay));
	goto done;				/* session out of sync */
    }
    if (code != 354)
	smtp_result_open(st, "DATA", 1);
    rc = (code == 354);
done:
    myfree(sent);
    vstr_free(cmd);
    return (rc);
}

/* smtp_transaction - deliver one request on a session: SMTP_TRANS_* */

int
smtp_transaction(struct smtp_session *sp, struct deliver_request *req,
		         struct queue_reader *r)
{
    struct smtp_state st;
    struct vstr *qwhy = vstr_alloc(100);
    int     rc, code, status = SMTP_TRANS_BROKEN;

    st.sp = sp;
    st.req = req;
    st.r = r;
    st.accepted = mycalloc(req->nrcpt, sizeof(int));
    st.naccepted = 0;
    st.why = vstr_alloc(100);
    if (smtp_precheck(&st)) {
	status = SMTP_TRANS_OK;
	goto done;
    }
    if ((rc = smtp_envelope(&st)) <= 0) {
	status = (rc == 0 ? SMTP_TRANS_OK : SMTP_TRANS_BROKEN);
	goto done;
    }
    if ((rc = smtp_content(&st, qwhy)) == SMTP_CONTENT_QUEUE) {
	msg_warn("%s: cannot read queue file: %s", vstr_str(req->queue_id),
		 vstr_str(qwhy));
	smtp_result_all(req, MAIL_STAT_DEFER, "4.3.0", "cannot read queue file");
	status = SMTP_TRANS_ABORT;		/* no "." sent: drop it */
	goto done;
    }
    if (rc == SMTP_CONTENT_MIME) {
	smtp_result_all(req, MAIL_STAT_BOUNCE, "5.6.0", vstr_str(qwhy));
	status = SMTP_TRANS_ABORT;		/* no "." sent: drop it */
	goto done;
    }
    if (rc < 0 || (code = smtp_get(&st, var_smtp_data2_tmout)) < 0)
	goto done;
    smtp_result_open(&st, "end of DATA", 1);
    status = SMTP_TRANS_OK;
done:
    if (status == SMTP_TRANS_BROKEN && vstr_len(st.why) > 0)
	smtp_result_all(req, MAIL_STAT_DEFER, "4.4.2", vstr_str(st.why));
    myfree(st.accepted);
    vstr_free(st.why);
    vstr_free(qwhy);
    return (status);
}
