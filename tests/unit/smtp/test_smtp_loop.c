/*
 * test_smtp_loop.c - mail loop detection of the SMTP client
 * (smtp/smtp_loop.c): our own name in an MX list (MX hosts not better
 * than us dropped, or "we are the best MX"), and servers that greet or
 * answer EHLO with our own name, on and off the standard port.
 */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "dns_mx.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "../../../smtp/smtp.h"

#define ME	"mail.example.test"

static void
mx_fill(struct dns_mx_list *list, const char *const *hosts, const int *prefs,
	        size_t count)
{
    size_t  n;

    memset(list, 0, sizeof(*list));
    for (n = 0; n < count; n++) {
	list->mx[n].host = mystrdup(hosts[n]);
	list->mx[n].pref = prefs[n];
    }
    list->count = count;
}

Test(smtp_loop, name_eq)
{
    cr_assert(smtp_loop_name_eq("mail.example.test", ME));
    cr_assert(smtp_loop_name_eq("MAIL.Example.TEST", ME));
    cr_assert(smtp_loop_name_eq("mail.example.test.", ME));
    cr_assert(smtp_loop_name_eq("mail.example.test", ME "."));
    cr_assert_not(smtp_loop_name_eq("mail.example.tes", ME));
    cr_assert_not(smtp_loop_name_eq("xmail.example.test", ME));
    cr_assert_not(smtp_loop_name_eq("mail.example.test..", ME));
    cr_assert_not(smtp_loop_name_eq("", ME));
    cr_assert_not(smtp_loop_name_eq(".", "."));
}

Test(smtp_loop, mx_not_listed)
{
    static const char *const hosts[] = {"mx1.example.com", "mx2.example.com"};
    static const int prefs[] = {10, 20};
    struct dns_mx_list list;

    mx_fill(&list, hosts, prefs, 2);
    cr_assert_eq(smtp_loop_mx(&list, ME), SMTP_LOOP_NONE);
    cr_assert_eq(list.count, 2);
    dns_mx_list_free(&list);
}

Test(smtp_loop, mx_best_is_myself)
{
    static const char *const hosts[] = {"MAIL.example.test.", "mx2.example.com",
    "mx3.example.com"};
    static const int prefs[] = {10, 20, 30};
    struct dns_mx_list list;

    mx_fill(&list, hosts, prefs, 3);
    cr_assert_eq(smtp_loop_mx(&list, ME), SMTP_LOOP_BEST);
    cr_assert_eq(list.count, 0);
    dns_mx_list_free(&list);
}

Test(smtp_loop, mx_equal_preference_is_dropped_too)
{
    static const char *const hosts[] = {"other.example.com", ME};
    static const int prefs[] = {10, 10};
    struct dns_mx_list list;

    mx_fill(&list, hosts, prefs, 2);
    cr_assert_eq(smtp_loop_mx(&list, ME), SMTP_LOOP_BEST);
    cr_assert_eq(list.count, 0);
    dns_mx_list_free(&list);
}

Test(smtp_loop, mx_backup_keeps_better_ones)
{
    static const char *const hosts[] = {"mx1.example.com", "mx1b.example.com",
    ME, "mx3.example.com", "mx2b.example.com"};
    static const int prefs[] = {5, 10, 20, 30, 20};
    struct dns_mx_list list;

    mx_fill(&list, hosts, prefs, 5);
    cr_assert_eq(smtp_loop_mx(&list, ME), SMTP_LOOP_TRIMMED);
    cr_assert_eq(list.count, 2);
    cr_assert_str_eq(list.mx[0].host, "mx1.example.com");
    cr_assert_str_eq(list.mx[1].host, "mx1b.example.com");
    dns_mx_list_free(&list);
}

Test(smtp_loop, mx_listed_twice_lowest_counts)
{
    static const char *const hosts[] = {"mx1.example.com", ME, ME};
    static const int prefs[] = {10, 30, 15};
    struct dns_mx_list list;

    mx_fill(&list, hosts, prefs, 3);
    cr_assert_eq(smtp_loop_mx(&list, ME), SMTP_LOOP_TRIMMED);
    cr_assert_eq(list.count, 1);
    cr_assert_str_eq(list.mx[0].host, "mx1.example.com");
    dns_mx_list_free(&list);
}

/* session - a session with a parsed reply, for the greeting/EHLO checks */

static void
session(struct smtp_session *sp, struct smtp_target *tp, const char *reply,
	        int features)
{
    struct vstr *why = vstr_alloc(10);
    const char *line, *eol;

    var_myhostname = ME;
    memset(sp, 0, sizeof(*sp));
    smtp_reply_init(&sp->reply);
    for (line = reply; *line; line = eol + 1) {
	eol = strchr(line, '\n');
	cr_assert_neq(smtp_reply_feed(&sp->reply, line, (size_t) (eol - line),
				      why), SMTP_REPLY_BAD);
    }
    sp->relay = vstr_alloc(10);
    vstr_strcpy(sp->relay, "mx[192.0.2.1]:25");
    sp->host = "mx";
    sp->features = features;
    sp->target = tp;
    tp->dest = "example.com";
    vstr_free(why);
}

static void
session_free(struct smtp_session *sp)
{
    smtp_reply_free(&sp->reply);
    vstr_free(sp->relay);
}

Test(smtp_loop, ehlo_with_my_name_from_best_mx_bounces)
{
    struct smtp_target tp = {.flags = SMTP_TARGET_LOOP_CHECK | SMTP_TARGET_BEST_MX};
    struct smtp_session s;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    session(&s, &tp, "250-Mail.Example.Test hello\n250 PIPELINING\n",
	    SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_BOUNCE);
    cr_assert_str_eq(vstr_str(dsn), "5.4.6");
    cr_assert_str_eq(vstr_str(why), "mail for example.com loops back to myself");
    session_free(&s);
    session(&s, &tp, "250 mail.example.test\n", SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_BOUNCE);
    session_free(&s);
    session(&s, &tp, "250 mail.example.test.=x\n", SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_BOUNCE);
    session_free(&s);
    vstr_free(dsn);
    vstr_free(why);
}

Test(smtp_loop, ehlo_with_my_name_from_backup_mx_defers)
{
    struct smtp_target tp = {.flags = SMTP_TARGET_LOOP_CHECK};
    struct smtp_session s;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    session(&s, &tp, "250-mail.example.test\n250 8BITMIME\n", SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_DEFER);
    cr_assert_str_eq(vstr_str(dsn), "4.4.6");
    session_free(&s);
    vstr_free(dsn);
    vstr_free(why);
}

Test(smtp_loop, ehlo_not_a_loop)
{
    struct smtp_target tp = {.flags = SMTP_TARGET_LOOP_CHECK | SMTP_TARGET_BEST_MX};
    struct smtp_target off = {.flags = SMTP_TARGET_BEST_MX};
    struct smtp_session s;
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *why = vstr_alloc(10);

    /* another name; our name not first; our name as a prefix */
    session(&s, &tp, "250-mx.example.com\n250 mail.example.test\n",
	    SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_OK);
    session_free(&s);
    session(&s, &tp, "250 hello mail.example.test\n", SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_OK);
    session_free(&s);
    session(&s, &tp, "250 mail.example.testing\n", SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_OK);
    session_free(&s);
    session(&s, &tp, "250\n", SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_OK);
    session_free(&s);
    /* not the standard port (a content filter on this host) */
    session(&s, &off, "250 mail.example.test\n", SMTP_FEAT_ESMTP);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_OK);
    session_free(&s);
    /* no session target (not during smtp_session_open) */
    session(&s, &tp, "250 mail.example.test\n", SMTP_FEAT_ESMTP);
    s.target = 0;
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_OK);
    session_free(&s);
    /* a HELO reply (no ESMTP): Postfix looks at EHLO replies only */
    session(&s, &tp, "250 mail.example.test\n", 0);
    cr_assert_eq(smtp_loop_ehlo(&s, dsn, why), SMTP_SESS_OK);
    session_free(&s);
    vstr_free(dsn);
    vstr_free(why);
}

Test(smtp_loop, greeting_only_warns, .init = cr_redirect_stderr)
{
    struct smtp_target tp = {.flags = SMTP_TARGET_LOOP_CHECK | SMTP_TARGET_BEST_MX};
    struct smtp_session s;

    session(&s, &tp, "220 mail.example.test ESMTP\n", 0);
    smtp_loop_greeting(&s);			/* a warning, nothing else */
    session_free(&s);
    fflush(stderr);
    cr_assert_stderr_eq_str("postern: warning: host mx[192.0.2.1]:25 greeted "
			    "me with my own hostname mail.example.test\n");
}

Test(smtp_loop, greeting_other_name_or_port_is_silent,
     .init = cr_redirect_stderr)
{
    struct smtp_target tp = {.flags = SMTP_TARGET_LOOP_CHECK | SMTP_TARGET_BEST_MX};
    struct smtp_target off = {.flags = SMTP_TARGET_BEST_MX};
    struct smtp_session s;

    session(&s, &tp, "220 mx.example.com ESMTP mail.example.test\n", 0);
    smtp_loop_greeting(&s);
    session_free(&s);
    session(&s, &off, "220 mail.example.test ESMTP\n", 0);
    smtp_loop_greeting(&s);
    session_free(&s);
    fflush(stderr);
    cr_assert_stderr_eq_str("");
}
