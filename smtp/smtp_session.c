/*
 * smtp_session.c - one SMTP session with a server: connect within
 * smtp_connect_timeout, the greeting, EHLO (HELO when EHLO is refused),
 * the ESMTP features, STARTTLS per the TLS level, RSET for reuse, QUIT.
 *
 * TLS levels: none (never), may (STARTTLS when offered; a failure
 * before the handshake falls back to plain text with a log line, a
 * failed handshake defers this address), encrypt (no STARTTLS offered,
 * a refused STARTTLS or a failed handshake: defer), verify (encrypt,
 * and the certificate chain must verify against smtp_tls_CAfile and
 * match the host name). Bytes the server sent after its reply to
 * STARTTLS and before the handshake are discarded (CVE-2011-0411
 * class); EHLO is sent again over TLS and only those features count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "msg.h"
#include "stringops.h"

#define SMTP_TLS_SHUTDOWN_TIME	2	/* seconds for close_notify */

static struct tls_ctx *smtp_tls_ctx;

/* smtp_tls_init - the client context, before chroot; none on error */

void
smtp_tls_init(void)
{
    struct vstr *why = vstr_alloc(100);

    if ((smtp_tls_ctx = tls_client_ctx_create(var_smtp_tls_CAfile,
					      var_smtp_tls_cert_file,
					      var_smtp_tls_key_file,
					      why)) == 0)
	msg_warn("TLS client disabled: %s", vstr_str(why));
    vstr_free(why);
}

/* smtp_timeout - a time parameter as a stream deadline, 1..3600 */

int
smtp_timeout(long secs)
{
    return (secs > 3600 ? 3600 : secs < 1 ? 1 : (int) secs);
}

/* smtp_connect - a connected socket within the timeout, or -1 */

static int
smtp_connect(struct smtp_target *tp, struct vstr *why)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
    struct pollfd pfd;
    socklen_t len;
    int     fd, err = 0, rc;

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, tp->addr, &sin->sin_addr) == 1) {
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short) tp->port);
	len = sizeof(*sin);
    } else if (inet_pton(AF_INET6, tp->addr, &sin6->sin6_addr) == 1) {
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short) tp->port);
	len = sizeof(*sin6);
    } else {
	return (vstr_fail(why, "bad address %s", tp->addr));
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		     0)) < 0)
	return (vstr_fail(why, "socket: %m"));
    if (connect(fd, (struct sockaddr *) &ss, len) < 0) {
	if (errno != EINPROGRESS) {
	    err = errno;
	} else {
	    pfd.fd = fd;
	    pfd.events = POLLOUT;
	    do {
		rc = poll(&pfd, 1, smtp_timeout(var_smtp_conn_tmout) * 1000);
	    } while (rc < 0 && errno == EINTR);
	    len = sizeof(err);
	    if (rc == 0)
		err = ETIMEDOUT;
	    else if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	}
    }
    if (err) {
	(void) close(fd);
	errno = err;
	return (vstr_fail(why, "connect to %s[%s]:%d: %m", tp->host, tp->addr,
			  tp->port));
    }
    return (fd);
}

/* smtp_reply_why - "host H[A] said: CODE DSN TEXT (in reply to CMD)" */

void
smtp_reply_why(struct vstr *why, struct smtp_session *sp, const char *cmd)
{
    struct smtp_reply *rp = &sp->reply;

    vstr_sprintf(why, "host %s said: %d %s%s%s", vstr_str(sp->relay),
		 rp->code, rp->dsn, *rp->dsn ? " " : "", vstr_str(rp->text));
    if (cmd)
	vstr_sprintf_append(why, " (in reply to %s command)", cmd);
}

/* smtp_command - send one command (unless fmt is NULL), read the reply */

int
smtp_command(struct smtp_session *sp, long tmout, struct vstr *why,
	             const char *fmt,...)
{
    struct vstr *cmd;
    va_list ap;

    if (fmt) {
	cmd = vstr_alloc(100);
	va_start(ap, fmt);
	vstr_vsprintf_append(cmd, fmt, ap);
	va_end(ap);
	vstr_strcat(cmd, "\r\n");
	if (vstream_write(sp->fp, vstr_str(cmd), vstr_len(cmd)) < 0
	    || (vstream_set_timeout(sp->fp, smtp_timeout(tmout)),
		vstream_flush(sp->fp)) < 0) {
	    vstr_free(cmd);
	    return (vstr_fail(why, "lost connection with %s while sending "
			      "a command", vstr_str(sp->relay)));
	}
	vstr_free(cmd);
    }
    vstream_set_timeout(sp->fp, smtp_timeout(tmout));
    if (smtp_reply_read(sp->fp, &sp->reply, why) != SMTP_REPLY_DONE) {
	sp->reply.code = 0;
	vstr_strcat(why, " with ");
	vstr_strcat(why, vstr_str(sp->relay));
	return (-1);
    }
    return (sp->reply.code);
}

/* smtp_features - the EHLO reply's keywords */

static void
smtp_features(struct smtp_session *sp)
{
    struct argv *lines = sp->reply.lines;
    const char *kw;
    size_t  n;

    sp->features = SMTP_FEAT_ESMTP;
    sp->size_limit = 0;
    for (n = 1; n < lines->argc; n++) {
	kw = lines->argv[n];
	if (str_case_eq(kw, "PIPELINING"))
	    sp->features |= SMTP_FEAT_PIPELINING;
	else if (str_case_eq(kw, "8BITMIME"))
	    sp->features |= SMTP_FEAT_8BITMIME;
	else if (str_case_eq(kw, "SMTPUTF8"))
	    sp->features |= SMTP_FEAT_SMTPUTF8;
	else if (str_case_eq(kw, "DSN"))
	    sp->features |= SMTP_FEAT_DSN;
	else if (str_case_eq(kw, "STARTTLS"))
	    sp->features |= SMTP_FEAT_STARTTLS;
	else if (strncasecmp(kw, "SIZE", 4) == 0
		 && (kw[4] == 0 || kw[4] == ' ')) {
	    sp->features |= SMTP_FEAT_SIZE;
	    sp->size_limit = (kw[4] ? strtol(kw + 5, 0, 10) : 0);
	    if (sp->size_limit < 0)
		sp->size_limit = 0;
	}
    }
}

/* smtp_helo - EHLO, or HELO when EHLO is refused */

static int
smtp_helo(struct smtp_session *sp, struct vstr *dsn, struct vstr *why)
{
    int     code;

    code = smtp_command(sp, var_smtp_helo_tmout, why, "EHLO %s",
			var_smtp_helo_name);
    if (code == 250) {
	smtp_features(sp);
	return (smtp_loop_ehlo(sp, dsn, why));	/* our own name: a loop */
    }
    if (code > 0 && code / 100 == 5)
	code = smtp_command(sp, var_smtp_helo_tmout, why, "HELO %s",
			    var_smtp_helo_name);
    sp->features = 0;
    sp->size_limit = 0;
    if (code == 250)
	return (SMTP_SESS_OK);
    if (code > 0)
	smtp_reply_why(why, sp, "HELO");
    vstr_strcpy(dsn, code / 100 == 5 ? "5.0.0" : "4.0.0");
    return (code / 100 == 5 ? SMTP_SESS_BOUNCE : SMTP_SESS_DEFER);
}

/* smtp_starttls - STARTTLS and the handshake; SMTP_SESS_* */

static int
smtp_starttls(struct smtp_session *sp, int level, struct vstr *dsn,
	              struct vstr *why)
{
    struct vstr *err = vstr_alloc(100);
    int     code, trusted;

    vstr_strcpy(dsn, "4.7.5");
    if (smtp_tls_ctx == 0) {
	vstr_fail(why, "TLS is required, but the TLS client is not available");
	goto defer;
    }
    if (!(sp->features & SMTP_FEAT_STARTTLS)) {
	vstr_fail(why, "TLS is required, but was not offered by host %s",
		  vstr_str(sp->relay));
	goto defer;
    }
    if ((code = smtp_command(sp, var_smtp_helo_tmout, why, "STARTTLS")) != 220) {
	if (code > 0)
	    smtp_reply_why(why, sp, "STARTTLS");
	goto defer;
    }
    if (vstream_discard_pending(sp->fp) > 0)
	msg_warn("%s: discarding data sent before the TLS handshake",
		 vstr_str(sp->relay));
    sp->tls = tls_conn_create(smtp_tls_ctx, vstream_fd(sp->fp), err);
    if (sp->tls == 0 || tls_client_set_peer(sp->tls, sp->host, err) < 0
	|| tls_conn_handshake(sp->tls, smtp_timeout(var_smtp_helo_tmout), err) < 0) {
	vstr_sprintf(why, "TLS handshake with %s failed: %s",
		     vstr_str(sp->relay), vstr_str(err));
	goto defer;
    }
    tls_conn_attach(sp->tls, sp->fp);
    trusted = tls_client_verified(sp->tls, err);
    msg_info("%s TLS connection established to %s: %s with cipher %s (%d/%d bits)",
	     trusted ? "Trusted" : "Untrusted", vstr_str(sp->relay),
	     tls_conn_version(sp->tls), tls_conn_cipher(sp->tls),
	     tls_conn_cipher_bits(sp->tls), tls_conn_cipher_bits(sp->tls));
    if (level >= SMTP_TLS_VERIFY && !trusted) {
	vstr_sprintf(why, "TLS is required, but host %s: %s",
		     vstr_str(sp->relay), vstr_str(err));
	goto defer;
    }
    vstr_free(err);
    return (smtp_helo(sp, dsn, why));
defer:
    vstr_free(err);
    return (SMTP_SESS_DEFER);
}

/* smtp_session_new - a session on a connected socket */

static struct smtp_session *
smtp_session_new(int fd, struct smtp_target *tp)
{
    struct smtp_session *sp = mycalloc(1, sizeof(*sp));

    sp->fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    sp->host = mystrdup(tp->host);
    sp->addr = mystrdup(tp->addr);
    sp->port = tp->port;
    sp->relay = vstr_alloc(50);
    vstr_sprintf(sp->relay, "%s[%s]:%d", tp->host, tp->addr, tp->port);
    smtp_reply_init(&sp->reply);
    return (sp);
}

/* smtp_session_open - connect, greeting, EHLO, TLS: SMTP_SESS_* */

int
smtp_session_open(struct smtp_target *tp, int level, struct smtp_session **out,
		          struct vstr *dsn, struct vstr *why)
{
    struct smtp_session *sp;
    int     fd, code, rc;

    *out = 0;
    vstr_strcpy(dsn, "4.4.1");
    if ((fd = smtp_connect(tp, why)) < 0)
	return (SMTP_SESS_DEFER);
    sp = smtp_session_new(fd, tp);
    sp->target = tp;				/* for the loop checks */
    if ((code = smtp_command(sp, var_smtp_helo_tmout, why, 0)) != 220) {
	if (code > 0)
	    vstr_sprintf(why, "host %s refused to talk to me: %d %s",
			 vstr_str(sp->relay), code, vstr_str(sp->reply.text));
	vstr_strcpy(dsn, code / 100 == 5 ? "5.0.0" : "4.4.2");
	smtp_session_close(sp, code > 0);
	return (code / 100 == 5 ? SMTP_SESS_BOUNCE : SMTP_SESS_DEFER);
    }
    smtp_loop_greeting(sp);
    rc = smtp_helo(sp, dsn, why);
    if (rc == SMTP_SESS_OK && level >= SMTP_TLS_ENCRYPT)
	rc = smtp_starttls(sp, level, dsn, why);
    else if (rc == SMTP_SESS_OK && level == SMTP_TLS_MAY && smtp_tls_ctx
	     && (sp->features & SMTP_FEAT_STARTTLS)) {
	rc = smtp_starttls(sp, level, dsn, why);
	if (rc != SMTP_SESS_OK && sp->tls == 0 && sp->reply.code > 0
	    && vstream_error(sp->fp) == 0) {
	    msg_info("%s: STARTTLS failed, continuing in plain text: %s",
		     vstr_str(sp->relay), vstr_str(why));
	    rc = smtp_helo(sp, dsn, why);
	}
    }
    if (rc != SMTP_SESS_OK) {
	smtp_session_close(sp, vstream_error(sp->fp) == 0);
	return (rc);
    }
    sp->target = 0;
    *out = sp;
    return (SMTP_SESS_OK);
}

/* smtp_session_reset - RSET before reuse: 0 ready, -1 unusable */

int
smtp_session_reset(struct smtp_session *sp)
{
    struct vstr *why = vstr_alloc(50);
    struct pollfd pfd;
    int     code;

    pfd.fd = vstream_fd(sp->fp);
    pfd.events = POLLIN;
    if (vstream_pending(sp->fp) > 0		/* unsolicited: out of sync */
	|| poll(&pfd, 1, 0) != 0) {		/* that, or closed */
	msg_info("%s: unexpected data or end of file from the server: "
		 "not reused", vstr_str(sp->relay));
	vstr_free(why);
	return (-1);
    }
    code = smtp_command(sp, var_smtp_helo_tmout, why, "RSET");
    vstr_free(why);
    return (code == 250 ? 0 : -1);
}

/* smtp_session_close - QUIT (when asked) and release */

void
smtp_session_close(struct smtp_session *sp, int quit)
{
    if (quit && vstream_error(sp->fp) == 0) {
	vstream_set_timeout(sp->fp, 2);
	(void) vstream_puts(sp->fp, "QUIT\r\n");
	(void) vstream_flush(sp->fp);
    }
    if (sp->tls) {
	(void) tls_conn_shutdown(sp->tls, SMTP_TLS_SHUTDOWN_TIME);
	tls_conn_free(sp->tls);
    }
    (void) vstream_close(sp->fp);
    smtp_reply_free(&sp->reply);
    vstr_free(sp->relay);
    myfree(sp->host);
    myfree(sp->addr);
    if (sp->key)
	myfree(sp->key);
    myfree(sp);
}
