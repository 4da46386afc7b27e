/*
 * smtpd_check_access.c - check_client_access, check_helo_access,
 * check_sender_access and check_recipient_access: which keys are looked
 * up in which order, and what a table's answer means (access(5)).
 *
 * Answers: OK or PERMIT (or a number): permit; REJECT [text], DEFER
 * [text], or "4NN/5NN text": reject with that reply; DUNNO: stop
 * looking in this table, no decision; WARN text: log and go on; a list
 * of simple restriction keywords (permit_mynetworks, reject, ...):
 * evaluated. Anything else is a configuration error (451 4.3.5), so a
 * typo in a table never lets mail through or bounces it for good.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpd_check_int.h"
#include "mail_params.h"
#include "stringops.h"
#include "mymalloc.h"
#include "msg.h"

#define SMTPD_ACCESS_TEXT_MAX	300	/* reply text from a table */
#define SMTPD_ACCESS_KEYS_MAX	40	/* keys tried for one check */

static void smtpd_access_keys_mail(struct argv *, const char *);
static void smtpd_access_keys_domain(struct argv *, const char *, int);
static void smtpd_access_keys_client(struct argv *, struct smtpd_state *);
static int smtpd_access_value(struct smtpd_check_ctx *, const char *,
			              const char *, const char *);
static int smtpd_access_code(struct smtpd_check_ctx *, int, const char *,
			             const char *, const char *, const char *);

/* smtpd_access_keys_domain - "a.b.c", then ".b.c", ".c" */

static void
smtpd_access_keys_domain(struct argv *keys, const char *domain, int parents)
{
    const char *cp;

    if (*domain == 0)
	return;
    argv_add(keys, domain);
    if (!parents || *domain == '[')
	return;
    for (cp = strchr(domain, '.'); cp && cp[1]; cp = strchr(cp + 1, '.'))
	if (keys->argc < SMTPD_ACCESS_KEYS_MAX)
	    argv_add(keys, cp);
}

/* smtpd_access_keys_mail - user+ext@dom, user@dom, dom, .parent, user@ */

static void
smtpd_access_keys_mail(struct argv *keys, const char *addr)
{
    struct vstr *buf = vstr_alloc(64);
    const char *at = strrchr(addr, '@');
    const char *domain = at ? at + 1 : "";
    size_t  llen = at ? (size_t) (at - addr) : strlen(addr);
    size_t  base = llen;
    const char *delim = var_recipient_delimiter;
    size_t  i;

    if (delim && *delim)
	for (i = 0; i < llen; i++)
	    if (strchr(delim, addr[i]) && i > 0) {
		base = i;
		break;
	    }
    vstr_strcpy(buf, addr);
    vstr_lower(buf);
    argv_add(keys, vstr_str(buf));
    if (base < llen && *domain) {
	vstr_memcpy(buf, addr, base);
	vstr_sprintf_append(buf, "@%s", domain);
	vstr_lower(buf);
	argv_add(keys, vstr_str(buf));
    }
    vstr_strcpy(buf, domain);
    vstr_lower(buf);
    smtpd_access_keys_domain(keys, vstr_str(buf), 1);
    vstr_memcpy(buf, addr, llen);
    vstr_addch(buf, '@');
    vstr_lower(buf);
    argv_add(keys, vstr_str(buf));
    if (base < llen) {
	vstr_memcpy(buf, addr, base);
	vstr_addch(buf, '@');
	vstr_lower(buf);
	argv_add(keys, vstr_str(buf));
    }
    vstr_free(buf);
}

/* smtpd_access_keys_client - name and parents, address and networks */

static void
smtpd_access_keys_client(struct argv *keys, struct smtpd_state *state)
{
    struct vstr *buf = vstr_alloc(64);
    char   *dot;

    if (state->client_name && strcasecmp(state->client_name, "unknown") != 0) {
	vstr_strcpy(buf, state->client_name);
	vstr_lower(buf);
	smtpd_access_keys_domain(keys, vstr_str(buf), 1);
    }
    if (state->client_addr && *state->client_addr) {
	vstr_strcpy(buf, state->client_addr);
	vstr_lower(buf);
	argv_add(keys, vstr_str(buf));
	/* IPv4: 192.0.2.1, 192.0.2, 192.0, 192 */
	if (strchr(vstr_str(buf), ':') == 0) {
	    while ((dot = strrchr(vstr_str(buf), '.')) != 0) {
		vstr_truncate(buf, dot - vstr_str(buf));
		argv_add(keys, vstr_str(buf));
	    }
	}
    }
    vstr_free(buf);
}

/* smtpd_access_code - "4NN/5NN [X.Y.Z] text" replies */

static int
smtpd_access_code(struct smtpd_check_ctx *ctx, int code, const char *text,
		          const char *what, const char *class, const char *def)
{
    char    dsn[16];
    const char *cp = text;
    size_t  n;

    /* An enhanced status code at the start of the text is kept. */
    snprintf(dsn, sizeof(dsn), "%d.7.1", code / 100);
    if ((*cp == '4' || *cp == '5') && *cp - '0' == code / 100 && cp[1] == '.') {
	n = strspn(cp, "0123456789.");
	if (n >= 5 && n < sizeof(dsn) && (cp[n] == ' ' || cp[n] == 0)) {
	    memcpy(dsn, cp, n);
	    dsn[n] = 0;
	    for (cp += n; *cp == ' '; cp++)
		 /* void */ ;
	}
    }
    return (smtpd_check_reject(ctx, code, dsn, what, class, "%s",
			       *cp ? cp : def));
}

/* smtpd_access_value - what a table's answer means */

static int
smtpd_access_value(struct smtpd_check_ctx *ctx, const char *value,
		           const char *what, const char *class)
{
    struct vstr *buf = vstr_alloc(64);
    const char *cp;
    char   *text;
    size_t  wlen;
    int     st;

    /* Bounded, printable copy; split off the first word. */
    for (cp = value; *cp && vstr_len(buf) < SMTPD_ACCESS_TEXT_MAX; cp++)
	vstr_addch(buf, iscntrl((unsigned char) *cp) ? ' ' : *cp);
    text = str_trim(vstr_str(buf));
    wlen = strcspn(text, " \t");
    cp = text + wlen + strspn(text + wlen, " \t");

    if ((wlen == 2 && strncasecmp(text, "OK", 2) == 0)
	|| (wlen == 6 && strncasecmp(text, "PERMIT", 6) == 0)
	|| (wlen > 0 && strspn(text, "0123456789") == strlen(text)
	    && !(wlen == 3 && (*text == '4' || *text == '5')))) {
	st = SMTPD_CHECK_OK;
    } else if (wlen == 6 && strncasecmp(text, "REJECT", 6) == 0) {
	st = smtpd_access_code(ctx, 554, cp, what, class, "Access denied");
    } else if (wlen == 5 && strncasecmp(text, "DEFER", 5) == 0) {
	st = smtpd_access_code(ctx, 450, cp, what, class, "Access denied");
    } else if (wlen == 5 && strncasecmp(text, "DUNNO", 5) == 0) {
	st = SMTPD_CHECK_DUNNO;
    } else if (wlen == 4 && strncasecmp(text, "WARN", 4) == 0) {
	msg_info("NOQUEUE: warn: %s from %s: <%.300s>: %s", ctx->verb,
		 smtpd_check_client_what(ctx), what, cp);
	st = SMTPD_CHECK_DUNNO;
    } else if (wlen == 3 && (*text == '4' || *text == '5')
	       && isdigit((unsigned char) text[1])
	       && isdigit((unsigned char) text[2])) {
	st = smtpd_access_code(ctx, atoi(text), cp, what, class,
			       "Access denied");
    } else if (*text == 0 || (st = smtpd_check_word_eval(ctx, text)) < 0) {
	msg_warn("%s: unsupported access table result \"%.100s\"",
		 class, text);
	vstr_strcpy(ctx->reply, "451 4.3.5 Server configuration error");
	st = SMTPD_CHECK_REJECT;
    }
    vstr_free(buf);
    return (st);
}

/* smtpd_check_access - one check_*_access restriction */

int
smtpd_check_access(struct smtpd_check_ctx *ctx, struct maps *maps, int kind)
{
    struct argv *keys = argv_alloc(8);
    struct vstr *value = vstr_alloc(64);
    const char *what;
    const char *class;
    int     st = SMTPD_CHECK_DUNNO;
    size_t  i;

    switch (kind) {
    case SMTPD_CHECK_ACL_CLIENT:
	what = smtpd_check_client_what(ctx);
	class = "Client host";
	smtpd_access_keys_client(keys, ctx->state);
	break;
    case SMTPD_CHECK_ACL_HELO:
	what = ctx->helo;
	class = "Helo command";
	if (what) {
	    vstr_strcpy(value, what);
	    vstr_lower(value);
	    smtpd_access_keys_domain(keys, vstr_str(value), 1);
	}
	break;
    case SMTPD_CHECK_ACL_SENDER:
	what = ctx->sender;
	class = "Sender address";
	if (what && *what == 0)
	    argv_add(keys, "<>");
	else if (what)
	    smtpd_access_keys_mail(keys, what);
	break;
    case SMTPD_CHECK_ACL_RCPT:
	what = ctx->rcpt;
	class = "Recipient address";
	if (what)
	    smtpd_access_keys_mail(keys, what);
	break;
    default:
	msg_panic("smtpd_check_access: bad kind %d", kind);
    }
    for (i = 0; i < keys->argc; i++) {
	int     found = maps_find(maps, keys->argv[i], value);

	if (found == DICT_FOUND) {
	    st = smtpd_access_value(ctx, vstr_str(value), what, class);
	    break;
	}
	if (found == DICT_ERROR) {
	    msg_warn("%s lookup error for \"%.100s\": %s", class,
		     keys->argv[i], maps_reason(maps));
	    st = smtpd_check_reject(ctx, 451, "4.3.0", what, 0,
				    "Temporary lookup failure");
	    break;
	}
    }
    argv_free(keys);
    vstr_free(value);
    return (st);
}
