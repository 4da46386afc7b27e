/*
 * smtp_loop.c - mail that would loop back to this host, found as Postfix
 * finds it: an MX list that names this host, or a server that answers
 * EHLO with our own host name (myhostname).
 *
 * MX list: every MX host whose preference is >= that of an MX host
 * named myhostname (case-insensitive, a trailing dot ignored) is
 * dropped; when nothing is left we are the best MX and the mail loops
 * (smtp_route.c bounces it: "mail for DOMAIN loops back to myself",
 * 5.4.6). Postfix recognizes itself by address (inet_interfaces);
 * postern by name, as RFC 5321 section 5.1 describes.
 *
 * Session: a 220 greeting whose first word is myhostname is only logged
 * ("host H[A]:P greeted me with my own hostname N", a warning, as in
 * Postfix: banners are free text). An EHLO reply whose first word is
 * myhostname is a loop: logged ("replied to HELO/EHLO with my own
 * hostname"), and the session fails with "mail for NEXTHOP loops back to
 * myself", 5.4.6 when the server is a most preferred MX (or the route has
 * no MX), else 4.4.6 (a better MX may take the mail later).
 *
 * Like Postfix (port 25 only), all of this applies only to targets on
 * the standard port, smtp_mx_port (SMTP_TARGET_LOOP_CHECK): a content
 * filter on another port of this host answers with the same name and is
 * not a loop.
 */
#include <string.h>
#include <strings.h>

#include "smtp.h"
#include "dns_mx.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "msg.h"

/* smtp_loop_eq - len bytes at name equal myname, case and final dot aside */

static int
smtp_loop_eq(const char *name, size_t len, const char *myname)
{
    size_t  mylen = strlen(myname);

    if (len > 0 && name[len - 1] == '.')
	len--;
    if (mylen > 0 && myname[mylen - 1] == '.')
	mylen--;
    return (len > 0 && len == mylen && strncasecmp(name, myname, len) == 0);
}

/* smtp_loop_name_eq - name is myname (case-insensitive, final dot aside) */

int
smtp_loop_name_eq(const char *name, const char *myname)
{
    return (smtp_loop_eq(name, strlen(name), myname));
}

/* smtp_loop_first_word - the reply's first word is myhostname */

static int
smtp_loop_first_word(struct smtp_session *sp, const char *delim)
{
    const char *text;
    size_t  len;

    if (sp->reply.lines == 0 || sp->reply.lines->argc == 0)
	return (0);
    text = sp->reply.lines->argv[0];
    text += strspn(text, delim);
    len = strcspn(text, delim);
    return (smtp_loop_eq(text, len, var_myhostname));
}

/* smtp_loop_mx - drop MX hosts not better than myself; SMTP_LOOP_* */

int
smtp_loop_mx(struct dns_mx_list *list, const char *myname)
{
    size_t  n, keep;
    int     mypref = -1;

    for (n = 0; n < list->count; n++)
	if (smtp_loop_name_eq(list->mx[n].host, myname)
	    && (mypref < 0 || list->mx[n].pref < mypref))
	    mypref = list->mx[n].pref;
    if (mypref < 0)
	return (SMTP_LOOP_NONE);
    for (keep = n = 0; n < list->count; n++) {
	if (list->mx[n].pref < mypref)
	    list->mx[keep++] = list->mx[n];
	else
	    myfree(list->mx[n].host);
    }
    list->count = keep;
    return (keep > 0 ? SMTP_LOOP_TRIMMED : SMTP_LOOP_BEST);
}

/* smtp_loop_greeting - warn when the 220 greeting names myself */

void
smtp_loop_greeting(struct smtp_session *sp)
{
    const struct smtp_target *tp = sp->target;

    if (tp != 0 && (tp->flags & SMTP_TARGET_LOOP_CHECK)
	&& smtp_loop_first_word(sp, " \t"))
	msg_warn("host %s greeted me with my own hostname %s",
		 vstr_str(sp->relay), var_myhostname);
}

/* smtp_loop_ehlo - the EHLO reply names myself: SMTP_SESS_* */

int
smtp_loop_ehlo(struct smtp_session *sp, struct vstr *dsn, struct vstr *why)
{
    const struct smtp_target *tp = sp->target;
    int     best;

    if (tp == 0 || !(tp->flags & SMTP_TARGET_LOOP_CHECK)
	|| !(sp->features & SMTP_FEAT_ESMTP)
	|| !smtp_loop_first_word(sp, " \t="))
	return (SMTP_SESS_OK);
    msg_warn("host %s replied to HELO/EHLO with my own hostname %s",
	     vstr_str(sp->relay), var_myhostname);
    best = (tp->flags & SMTP_TARGET_BEST_MX) != 0;
    vstr_strcpy(dsn, best ? "5.4.6" : "4.4.6");
    vstr_sprintf(why, "mail for %s loops back to myself",
		 tp->dest ? tp->dest : sp->host);
    return (best ? SMTP_SESS_BOUNCE : SMTP_SESS_DEFER);
}
