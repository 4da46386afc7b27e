/*
 * smtpd_received.c - build the SMTP server's Received: header (see
 * smtpd_received.h). Client-supplied text is sanitized field by field
 * so that nothing can end the header early or add a header of its own.
 */
#include <string.h>
#include <time.h>

#include "mail_params.h"
#include "smtpd.h"
#include "smtpd_received.h"

/* received_clean - append a sanitized, bounded copy of s */

static void
received_clean(struct vstr *out, const char *s, int allow_8bit)
{
    const unsigned char *cp = (const unsigned char *) s;
    size_t  n;

    for (n = 0; cp[n] && n < SMTPD_RECEIVED_FIELD_MAX; n++) {
	if (cp[n] < 32 || cp[n] == 127 || cp[n] == '(' || cp[n] == ')'
	    || cp[n] == '\\' || (cp[n] >= 128 && !allow_8bit))
	    vstr_addch(out, '?');
	else
	    vstr_addch(out, cp[n]);
    }
}

/* received_date - RFC 5322 date-time in local time */

static void
received_date(struct vstr *out, time_t when)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    long    off;

    if (localtime_r(&when, &tm) == 0) {
	vstr_strcat(out, "Thu, 1 Jan 1970 00:00:00 +0000");
	return;
    }
    off = tm.tm_gmtoff / 60;
    vstr_sprintf_append(out, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
			days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
			tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
			off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
			(off < 0 ? -off : off) % 60);
}

/* smtpd_received - append the Received: header lines */

void
smtpd_received(struct smtpd_state *state, time_t when, struct argv *lines)
{
    struct vstr *buf = vstr_alloc(200);
    int     u8 = state->smtputf8;

    vstr_strcpy(buf, "Received: from ");
    received_clean(buf, state->helo_name ? state->helo_name : state->client_name, u8);
    vstr_strcat(buf, " (");
    received_clean(buf, state->client_name, 0);
    vstr_strcat(buf, " [");
    received_clean(buf, state->client_addr, 0);
    vstr_strcat(buf, "])");
    argv_add(lines, vstr_str(buf));
    if (state->tls_active && state->tls_proto && state->tls_cipher) {
	vstr_strcpy(buf, "\t(using ");
	received_clean(buf, state->tls_proto, 0);
	vstr_strcat(buf, " with cipher ");
	received_clean(buf, state->tls_cipher, 0);
	vstr_strcat(buf, ")");
	argv_add(lines, vstr_str(buf));
    }
    if (state->sasl_username) {
	vstr_strcpy(buf, "\t(Authenticated sender: ");
	received_clean(buf, state->sasl_username, 0);
	vstr_strcat(buf, ")");
	argv_add(lines, vstr_str(buf));
    }
    vstr_strcpy(buf, "\tby ");
    received_clean(buf, var_myhostname, 0);
    vstr_sprintf_append(buf, " (postern) with %s", state->protocol);
    argv_add(lines, vstr_str(buf));
    vstr_strcpy(buf, "\t");
    if (state->rcpt_count == 1) {
	vstr_strcat(buf, "for <");
	received_clean(buf, state->rcpts->argv[0], u8);
	vstr_strcat(buf, ">");
    }
    vstr_strcat(buf, "; ");
    received_date(buf, when);
    argv_add(lines, vstr_str(buf));
    vstr_free(buf);
}
