/*
 * smtpd_sasl.c - SMTP AUTH (RFC 4954) with the PLAIN and LOGIN
 * mechanisms against smtpd_sasl_users_maps (see smtpd_sasl.h).
 *
 * The users table maps a user name to a crypt(3) hash; it is opened in
 * pre_init, before chroot. Checking a password costs one crypt() call
 * whether or not the user exists (a dummy hash stands in for unknown
 * users), so timing tells nothing about which names exist. Failures
 * are delayed, counted, logged in the form log watchers know from
 * Postfix ("SASL LOGIN authentication failed"), and end the session
 * after SMTPD_SASL_FAIL_LIMIT attempts.
 */
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <errno.h>
#include <sys/random.h>

#include "msg.h"
#include "mymalloc.h"
#include "mail_params.h"
#include "maps.h"
#include "pw_crypt.h"
#include "sasl_codec.h"
#include "smtpd.h"
#include "smtpd_tls.h"
#include "smtpd_sasl.h"

static struct maps *smtpd_sasl_users;
static char *smtpd_sasl_dummy;		/* hash for unknown users */

/* smtpd_sasl_reject - a 4xx/5xx reply, counted as a session error */

static void PRINTFLIKE(2, 3)
smtpd_sasl_reject(struct smtpd_state *state, const char *fmt,...)
{
    struct vstr *buf = vstr_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstr_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    state->error_count++;
    smtpd_chat_reply(state, "%s", vstr_str(buf));
    vstr_free(buf);
}

/* smtpd_sasl_init - pre_init: open the users table */

int
smtpd_sasl_init(void)
{
    struct vstr *why, *hash;
    unsigned char junk[24];
    char    pw[2 * sizeof(junk) + 1];
    size_t  i;

    if (!var_smtpd_sasl_enable)
	return (-1);
    if (*var_smtpd_sasl_users_maps == 0) {
	msg_warn("smtpd_sasl_auth_enable = yes but smtpd_sasl_users_maps "
		 "is empty: AUTH not offered");
	return (-1);
    }
    why = vstr_alloc(100);
    if ((smtpd_sasl_users = maps_create("smtpd_sasl_users_maps",
					var_smtpd_sasl_users_maps,
					DICT_FLAG_NONE, why)) == NULL)
	msg_fatal("%s", vstr_str(why));

    /*
     * A dummy hash of a random password, same method and cost as new
     * entries made by "postern passwd".
     */
    if (getrandom(junk, sizeof(junk), 0) != (ssize_t) sizeof(junk))
	msg_fatal("getrandom: %m");
    for (i = 0; i < sizeof(junk); i++)
	pw[2 * i] = 'a' + (junk[i] & 15), pw[2 * i + 1] = 'a' + (junk[i] >> 4);
    pw[2 * sizeof(junk)] = 0;
    hash = vstr_alloc(100);
    if (pw_crypt_hash(pw, PW_CRYPT_YESCRYPT, hash, why) < 0)
	msg_fatal("smtpd_sasl_init: %s", vstr_str(why));
    smtpd_sasl_dummy = vstr_export(hash);
    vstr_free(why);
    return (0);
}

/* smtpd_sasl_offer - may AUTH be advertised now? */

int
smtpd_sasl_offer(struct smtpd_state *state)
{
    return (smtpd_sasl_users != NULL
	    && (state->tls_active || !var_smtpd_tls_auth_only));
}

/* smtpd_sasl_reset - forget the login */

void
smtpd_sasl_reset(struct smtpd_state *state)
{
    myfree(state->sasl_username);
    myfree(state->sasl_method);
    state->sasl_username = NULL;
    state->sasl_method = NULL;
}

/* smtpd_sasl_refuse - AUTH not allowed now: reply and return 1 */

static int
smtpd_sasl_refuse(struct smtpd_state *state, int argc)
{
    if (smtpd_sasl_users == NULL)
	smtpd_sasl_reject(state, "503 5.5.1 Error: authentication not enabled");
    else if (smtpd_tls_required(state))
	smtpd_sasl_reject(state, "530 5.7.0 Must issue a STARTTLS command first");
    else if (!state->tls_active && var_smtpd_tls_auth_only)
	smtpd_sasl_reject(state, "538 5.7.11 Encryption required for "
			 "requested authentication mechanism");
    else if (!state->esmtp)
	smtpd_sasl_reject(state, "503 5.5.1 Error: send EHLO first");
    else if (state->sasl_username)
	smtpd_sasl_reject(state, "503 5.5.1 Error: already authenticated");
    else if (state->sender)
	smtpd_sasl_reject(state, "503 5.5.1 Error: MAIL transaction in progress");
    else if (argc < 2 || argc > 3)
	smtpd_sasl_reject(state, "501 5.5.4 Syntax: AUTH mechanism");
    else
	return (0);
    return (1);
}

 /*
  * Outcome of reading one continuation line.
  */
#define SASL_READ_OK	0
#define SASL_READ_DONE	1		/* replied, or session over */
#define SASL_READ_BAD	2		/* undecodable: reply still due */

/* smtpd_sasl_read - send a 334 challenge and read the response */

static int
smtpd_sasl_read(struct smtpd_state *state, const char *challenge,
		        struct vstr *line)
{
    int     st;
    size_t  len;

    smtpd_chat_reply(state, "334 %s", challenge);
    if (smtpd_chat_flush(state) < 0) {
	state->quit = 1;
	return (SASL_READ_DONE);
    }
    st = vstream_read_line(state->client, line, SMTPD_SASL_LINE_MAX);
    if (st == VSTREAM_TOOLONG) {
	sasl_wipe(line);
	if (vstream_skip_line(state->client) != VSTREAM_OK)
	    state->quit = 1;
	else
	    smtpd_sasl_reject(state, "500 5.5.6 Authentication exchange "
			     "line is too long");
	return (SASL_READ_DONE);
    }
    if (st != VSTREAM_OK) {
	msg_info("%s after AUTH from %s[%s]", st == VSTREAM_TIMEOUT ?
		 "timeout" : "lost connection", state->client_name,
		 state->client_addr);
	state->quit = 1;
	return (SASL_READ_DONE);
    }
    len = vstr_len(line);
    if (len > 0 && vstr_str(line)[len - 1] == '\n')
	len--;
    if (len > 0 && vstr_str(line)[len - 1] == '\r')
	len--;
    vstr_truncate(line, len);
    if (strcmp(vstr_str(line), "*") == 0) {
	smtpd_sasl_reject(state, "501 5.7.0 Authentication aborted");
	return (SASL_READ_DONE);
    }
    return (SASL_READ_OK);
}

/* smtpd_sasl_plain - get user and password, PLAIN mechanism */

static int
smtpd_sasl_plain(struct smtpd_state *state, const char *init,
		         struct vstr *user, struct vstr *pass, struct vstr *why)
{
    struct vstr *line = vstr_alloc(100);
    int     ret = SASL_READ_OK;

    if (init == NULL)
	ret = smtpd_sasl_read(state, "", line);
    else
	vstr_strcpy(line, strcmp(init, "=") == 0 ? "" : init);
    if (ret == SASL_READ_OK
	&& sasl_plain_decode(vstr_str(line), vstr_len(line), user, pass,
			     why) < 0) {
	smtpd_sasl_reject(state, "501 5.5.2 Cannot decode response");
	msg_warn("%s[%s]: SASL PLAIN: %s", state->client_name,
		 state->client_addr, vstr_str(why));
	ret = SASL_READ_DONE;
    }
    sasl_wipe(line);
    vstr_free(line);
    return (ret);
}

/* smtpd_sasl_login - get user and password, LOGIN mechanism */

static int
smtpd_sasl_login(struct smtpd_state *state, const char *init,
		         struct vstr *user, struct vstr *pass, struct vstr *why)
{
    struct vstr *line = vstr_alloc(100);
    int     ret = SASL_READ_OK;

    if (init != NULL)
	vstr_strcpy(line, init);
    else
	ret = smtpd_sasl_read(state, "VXNlcm5hbWU6", line);
    if (ret == SASL_READ_OK
	&& sasl_login_decode(vstr_str(line), vstr_len(line),
			     SASL_LOGIN_USER, user, why) < 0)
	ret = SASL_READ_BAD;
    if (ret == SASL_READ_OK
	&& (ret = smtpd_sasl_read(state, "UGFzc3dvcmQ6", line)) == SASL_READ_OK
	&& sasl_login_decode(vstr_str(line), vstr_len(line),
			     SASL_LOGIN_PASSWD, pass, why) < 0)
	ret = SASL_READ_BAD;
    if (ret == SASL_READ_BAD) {
	smtpd_sasl_reject(state, "501 5.5.2 Cannot decode response");
	msg_warn("%s[%s]: SASL LOGIN: %s", state->client_name,
		 state->client_addr, vstr_str(why));
	ret = SASL_READ_DONE;
    }
    sasl_wipe(line);
    vstr_free(line);
    return (ret);
}

/* smtpd_sasl_check - 1 good, 0 bad, -1 table error */

static int
smtpd_sasl_check(const char *user, const char *pass, struct vstr *why)
{
    struct vstr *hash = vstr_alloc(100);
    int     st, ok;

    st = maps_find(smtpd_sasl_users, user, hash);
    if (st == DICT_ERROR) {
	vstr_strcpy(why, maps_reason(smtpd_sasl_users));
	vstr_free(hash);
	return (-1);
    }
    if (st == DICT_FOUND && !pw_crypt_supported(vstr_str(hash))) {
	msg_warn("smtpd_sasl_users_maps: user %s: unsupported hash method "
		 "(use \"postern passwd\")", user);
	st = DICT_NOTFOUND;
    }
    /* Always one crypt() call: unknown users cost what known ones do. */
    ok = pw_crypt_verify(pass, st == DICT_FOUND ? vstr_str(hash) :
			 smtpd_sasl_dummy);
    vstr_strcpy(why, st == DICT_FOUND ? "authentication failure" :
		"no such user");
    vstr_free(hash);
    return (st == DICT_FOUND && ok);
}

/* smtpd_sasl_sleep - delay after a failure, unless the chat tarpit will */

static void
smtpd_sasl_sleep(struct smtpd_state *state)
{
    struct timespec ts;

    if (var_smtpd_err_sleep <= 0 || state->error_count >= var_smtpd_soft_erlim)
	return;
    ts.tv_sec = var_smtpd_err_sleep;
    ts.tv_nsec = 0;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
	 /* void */ ;
}

/* smtpd_sasl_failed - log, delay, reply; end the session at the limit */

static void
smtpd_sasl_failed(struct smtpd_state *state, const char *mech,
		          const char *why)
{
    msg_warn("%s[%s]: SASL %s authentication failed: %s",
	     state->client_name, state->client_addr, mech, why);
    state->sasl_failures++;
    smtpd_sasl_sleep(state);
    if (state->sasl_failures >= SMTPD_SASL_FAIL_LIMIT) {
	smtpd_sasl_reject(state, "421 4.7.0 %s Error: too many failed "
			 "authentication attempts", var_myhostname);
	state->quit = 1;
    } else
	smtpd_sasl_reject(state, "535 5.7.8 Authentication credentials invalid");
}

/* smtpd_sasl_auth_cmd - the AUTH command */

void
smtpd_sasl_auth_cmd(struct smtpd_state *state, int argc, char **argv)
{
    struct vstr *user, *pass, *why;
    const char *mech;
    int     ret, st;

    if (smtpd_sasl_refuse(state, argc))
	return;
    if (strcasecmp(argv[1], "PLAIN") == 0)
	mech = "PLAIN";
    else if (strcasecmp(argv[1], "LOGIN") == 0)
	mech = "LOGIN";
    else {
	smtpd_sasl_reject(state, "504 5.5.4 Unsupported authentication mechanism");
	return;
    }
    user = vstr_alloc(100);
    pass = vstr_alloc(SASL_PASSWD_MAX + 4);
    why = vstr_alloc(100);
    ret = (*mech == 'P' ? smtpd_sasl_plain : smtpd_sasl_login)
	(state, argc == 3 ? argv[2] : NULL, user, pass, why);
    if (ret == SASL_READ_OK) {
	vstr_lower(user);			/* the table is case-insensitive */
	st = smtpd_sasl_check(vstr_str(user), vstr_str(pass), why);
	if (st < 0) {
	    msg_warn("%s[%s]: SASL %s: %s", state->client_name,
		     state->client_addr, mech, vstr_str(why));
	    smtpd_sasl_reject(state, "454 4.7.0 Temporary authentication failure");
	} else if (st == 0) {
	    smtpd_sasl_failed(state, mech, vstr_str(why));
	} else {
	    state->sasl_username = mystrdup(vstr_str(user));
	    state->sasl_method = mystrdup(mech);
	    smtpd_state_set_protocol(state);
	    msg_info("client=%s[%s], sasl_method=%s, sasl_username=%s",
		     state->client_name, state->client_addr, mech,
		     state->sasl_username);
	    smtpd_chat_reply(state, "235 2.7.0 Authentication successful");
	}
    }
    sasl_wipe(pass);
    vstr_free(pass);
    vstr_free(user);
    vstr_free(why);
}
