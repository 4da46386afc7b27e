/*
 * test_restrictions.c - restriction list evaluation: delayed rejects,
 * list order, access table results and key order, warn_if_reject,
 * reject_unauth_pipelining, the syntax and DNS checks.
 */
#include <sys/socket.h>
#include <stdio.h>
#include <unistd.h>

#include "smtpd_check/check_test.h"
#include "vstream.h"

TestSuite(restr, .init = ct_defaults);

Test(restr, delay_reject_moves_client_reject_to_rcpt)
{
    var_smtpd_client_restrictions =
	"check_client_access inline:{{192.0.2.9=REJECT go away}}";
    ct_init();
    cr_assert_eq(smtpd_check_client(&ct_state, ct_reply), 0);
    cr_assert_eq(smtpd_check_helo(&ct_state, "x", ct_reply), 0);
    cr_assert_eq(smtpd_check_mail(&ct_state, "a@b.example", ct_reply), 0);
    cr_assert_eq(ct_rcpt("alice@local.example"), 554);
    ct_reply_is("554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: go away");
}

Test(restr, no_delay_rejects_at_each_stage)
{
    var_smtpd_delay_reject = 0;
    var_smtpd_client_restrictions = "check_client_access inline:{192.0.2=REJECT}";
    var_smtpd_helo_restrictions = "reject_invalid_helo_hostname";
    var_smtpd_sender_restrictions = "reject_non_fqdn_sender";
    ct_init();
    cr_assert_eq(smtpd_check_client(&ct_state, ct_reply), 554);
    ct_reply_is("554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: Access denied");
    cr_assert_eq(smtpd_check_helo(&ct_state, "bad!name", ct_reply), 501);
    ct_reply_is("501 5.5.2 <bad!name>: Helo command rejected: Invalid name");
    cr_assert_eq(smtpd_check_helo(&ct_state, "good.example", ct_reply), 0);
    cr_assert_eq(vstr_len(ct_reply), 0);
    cr_assert_eq(smtpd_check_mail(&ct_state, "user", ct_reply), 504);
    ct_reply_is("504 5.5.2 <user>: Sender address rejected: need fully-qualified address");
    cr_assert_eq(smtpd_check_mail(&ct_state, "", ct_reply), 0);
    /* Not re-evaluated at RCPT time. */
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
}

Test(restr, permit_ends_only_its_own_list)
{
    var_smtpd_client_restrictions = "permit";
    var_smtpd_sender_restrictions = "check_sender_access inline:{remote.example=REJECT}";
    ct_init();
    cr_assert_eq(ct_rcpt("alice@local.example"), 554);
    ct_reply_is("554 5.7.1 <sender@remote.example>: Sender address rejected: Access denied");
}

Test(restr, relay_and_recipient_lists_both_must_pass)
{
    var_smtpd_rcpt_restrictions = "check_recipient_access inline:{alice@local.example=REJECT}";
    ct_init();
    ct_state.client_addr = "127.0.0.1";
    cr_assert_eq(ct_rcpt("alice@local.example"), 554);
    cr_assert_eq(ct_rcpt("root@local.example"), 0);
    /* The relay list rejects first even though the recipient list permits. */
    var_smtpd_rcpt_restrictions = "permit";
    ct_init();
    ct_state.client_addr = "192.0.2.9";
    cr_assert_eq(ct_rcpt("victim@remote.example"), 554);
    ct_reply_has("Relay access denied");
}

Test(restr, helo_restrictions)
{
    var_smtpd_helo_restrictions = "reject_non_fqdn_helo_hostname";
    ct_init();
    ct_state.helo_name = "localhost";
    cr_assert_eq(ct_rcpt("alice@local.example"), 504);
    ct_reply_is("504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname");
    ct_state.helo_name = "x.";
    cr_assert_eq(ct_rcpt("alice@local.example"), 504);
    ct_state.helo_name = "[192.0.2.9]";
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
    ct_state.helo_name = "mx.example";
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
    ct_state.helo_name = 0;
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
}

Test(restr, hostname_syntax)
{
    static const char *good[] = {"a.example", "mx-1.example.", "a_b.example",
    "[192.0.2.1]", "[IPv6:2001:db8::1]", "x1.example", "localhost"};
    static const char *bad[] = {"", "a..example", ".a.example", "a-.example",
	"-a.example", "1.2.3.4", "[1.2.3]", "[2001:db8::1]", "a b", "a\r\n",
	"[192.0.2.1", "a.example..", "example.123",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"};
    size_t  i;

    for (i = 0; i < sizeof(good) / sizeof(*good); i++)
	cr_expect(smtpd_check_hostname(good[i], SMTPD_CHECK_HOST_LITERAL),
		  "%s", good[i]);
    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
	cr_expect(!smtpd_check_hostname(bad[i], SMTPD_CHECK_HOST_LITERAL),
		  "%s", bad[i]);
    cr_assert(!smtpd_check_hostname("localhost", SMTPD_CHECK_HOST_FQDN));
    cr_assert(!smtpd_check_hostname("[192.0.2.1]", 0));
}

Test(restr, non_fqdn_addresses)
{
    var_smtpd_rcpt_restrictions = "reject_non_fqdn_sender reject_non_fqdn_recipient";
    ct_init();
    ct_state.client_addr = "127.0.0.1";
    cr_assert_eq(ct_rcpt("postmaster"), 504);
    ct_reply_is("504 5.5.2 <postmaster>: Recipient address rejected: need fully-qualified address");
    cr_assert_eq(ct_rcpt("\"a@b.example\""), 504);
    cr_assert_eq(ct_rcpt("a@[192.0.2.1]"), 0, "%s", vstr_str(ct_reply));
    ct_state.sender = "joe@host";
    cr_assert_eq(ct_rcpt("alice@local.example"), 504);
    ct_reply_has("Sender address rejected");
    ct_state.sender = "";
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
}

/* access - one value of a check_recipient_access table */

static int
access_value(const char *value)
{
    static char list[300];

    snprintf(list, sizeof(list), "check_recipient_access inline:{{alice@local.example=%s}}"
	     " reject_unauth_destination", value);
    var_smtpd_rcpt_restrictions = list;
    var_smtpd_relay_restrictions = "permit";
    ct_init();
    return (ct_rcpt("alice@local.example"));
}

Test(restr, access_table_results)
{
    cr_assert_eq(access_value("OK"), 0);
    cr_assert_eq(access_value("permit"), 0);
    cr_assert_eq(access_value("REJECT"), 554);
    ct_reply_is("554 5.7.1 <alice@local.example>: Recipient address rejected: Access denied");
    cr_assert_eq(access_value("REJECT no thanks"), 554);
    ct_reply_is("554 5.7.1 <alice@local.example>: Recipient address rejected: no thanks");
    cr_assert_eq(access_value("DEFER"), 450);
    ct_reply_is("450 4.7.1 <alice@local.example>: Recipient address rejected: Access denied");
    cr_assert_eq(access_value("DEFER later"), 450);
    cr_assert_eq(access_value("DUNNO"), 0);
    cr_assert_eq(access_value("450 4.2.0 mailbox busy"), 450);
    ct_reply_is("450 4.2.0 <alice@local.example>: Recipient address rejected: mailbox busy");
    cr_assert_eq(access_value("550 5.1.6 moved"), 550);
    ct_reply_has("550 5.1.6 <alice");
    cr_assert_eq(access_value("521 gone"), 521);
    ct_reply_is("521 5.7.1 <alice@local.example>: Recipient address rejected: gone");
    cr_assert_eq(access_value("550 4.1.1 mismatched class"), 550);
    ct_reply_has("550 5.7.1 <alice");
    cr_assert_eq(access_value("WARN look at this"), 0);
    cr_assert_eq(access_value("reject"), 554);
    cr_assert_eq(access_value("permit_mynetworks, reject"), 554);
    cr_assert_eq(access_value("warn_if_reject reject"), 0);
    cr_assert_eq(access_value("bogus_restriction"), 451);
    ct_reply_is("451 4.3.5 Server configuration error");
    cr_assert_eq(access_value("HOLD"), 451);
    cr_assert_eq(access_value("check_client_access inline:{a=b}"), 451);
    cr_assert_eq(access_value(""), 451);
    cr_assert_eq(access_value("12345"), 0);
}

Test(restr, access_key_order)
{
    var_smtpd_relay_restrictions = "permit";
    var_smtpd_rcpt_restrictions = "check_recipient_access inline:{"
	"a+x@local.example=REJECT, b@local.example=REJECT, .sub.example=REJECT,"
	" c@=REJECT, local.example=OK} reject_unauth_destination";
    var_local_rcpt_maps = "";
    var_mydestination = "local.example, y.sub.example";
    ct_init();
    cr_assert_eq(ct_rcpt("a+x@local.example"), 554);
    cr_assert_eq(ct_rcpt("a+y@local.example"), 0);	/* domain: OK */
    cr_assert_eq(ct_rcpt("b+y@local.example"), 554);	/* user@domain */
    cr_assert_eq(ct_rcpt("z@y.sub.example"), 554);	/* .parent */
    cr_assert_eq(ct_rcpt("c@y.sub.example"), 554);	/* user@ */
    cr_assert_eq(ct_rcpt("c@local.example"), 0);	/* domain first */
}

Test(restr, client_and_null_sender_keys)
{
    var_smtpd_client_restrictions = "check_client_access inline:{"
	".bad.example=REJECT, 198.51=REJECT, 2001:db8::1=REJECT}";
    var_smtpd_sender_restrictions = "check_sender_access inline:{{<>=550 no bounces}}";
    ct_init();
    ct_state.client_name = "host.bad.example";
    cr_assert_eq(ct_rcpt("alice@local.example"), 554);
    ct_reply_has("<host.bad.example[192.0.2.9]>: Client host rejected");
    ct_state.client_name = "unknown";
    ct_state.client_addr = "198.51.100.7";
    cr_assert_eq(ct_rcpt("alice@local.example"), 554);
    ct_state.client_addr = "2001:DB8::1";
    cr_assert_eq(ct_rcpt("alice@local.example"), 554);
    ct_state.client_addr = "192.0.2.9";
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
    ct_state.sender = "";
    cr_assert_eq(ct_rcpt("alice@local.example"), 550);
    ct_reply_is("550 5.7.1 <>: Sender address rejected: no bounces");
}

Test(restr, warn_if_reject_and_defer)
{
    var_smtpd_rcpt_restrictions = "warn_if_reject reject_non_fqdn_recipient, defer";
    var_smtpd_relay_restrictions = "permit_mynetworks reject_unauth_destination";
    ct_init();
    ct_state.client_addr = "127.0.0.1";
    cr_assert_eq(ct_rcpt("postmaster"), 450);
    ct_reply_is("450 4.7.1 <postmaster>: Recipient address rejected: Access denied");
}

Test(restr, data_restrictions_and_unauth_pipelining)
{
    static const char input[] = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n";
    struct vstr *line = vstr_alloc(10);
    struct vstream *fp = vstream_memopen(input, sizeof(input) - 1);

    var_smtpd_data_restrictions = "reject_unauth_pipelining";
    var_smtpd_client_restrictions = "reject_unauth_pipelining";
    ct_init();
    ct_state.client = fp;
    cr_assert_eq(vstream_read_line(fp, line, 512), 0);
    cr_assert_gt(vstream_pending(fp), 0);
    /* With EHLO pipelining is allowed, except right after DATA. */
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
    cr_assert_eq(smtpd_check_data(&ct_state, ct_reply), 503);
    ct_reply_is("503 5.5.0 <DATA>: Improper use of SMTP command pipelining");
    ct_state.esmtp = 0;
    cr_assert_eq(ct_rcpt("alice@local.example"), 503);
    vstream_discard_pending(fp);
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
    cr_assert_eq(smtpd_check_data(&ct_state, ct_reply), 0);
    vstream_free(fp);
    vstr_free(line);
}

Test(restr, unauth_pipelining_on_a_socket)
{
    int     sv[2];

    var_smtpd_data_restrictions = "reject_unauth_pipelining";
    ct_init();
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ct_state.client = vstream_fdopen(sv[0], VSTREAM_READ | VSTREAM_WRITE);
    cr_assert_eq(smtpd_check_data(&ct_state, ct_reply), 0);
    cr_assert_eq(write(sv[1], "Subject: x\r\n", 12), 12);
    cr_assert_eq(smtpd_check_data(&ct_state, ct_reply), 503);
    close(sv[1]);
}

/* fake_dns - domains under "nx." do not exist, under "tmp." time out */

static int fake_dns_calls;

static int
fake_dns(const char *domain)
{
    fake_dns_calls++;
    if (strstr(domain, "nx.") == domain)
	return (SMTPD_CHECK_DNS_NONE);
    if (strstr(domain, "tmp.") == domain)
	return (SMTPD_CHECK_DNS_TEMP);
    return (SMTPD_CHECK_DNS_OK);
}

Test(restr, unknown_domains)
{
    var_smtpd_rcpt_restrictions = "reject_unknown_sender_domain,"
	" reject_unknown_recipient_domain";
    ct_init();
    smtpd_check_dns_hook = fake_dns;
    ct_state.client_addr = "127.0.0.1";
    cr_assert_eq(ct_rcpt("x@exists.example"), 0);
    cr_assert_eq(ct_rcpt("x@nx.example"), 450);
    ct_reply_is("450 4.1.2 <x@nx.example>: Recipient address rejected: Domain not found");
    cr_assert_eq(ct_rcpt("x@tmp.example"), 450);
    fake_dns_calls = 0;
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
    cr_assert_eq(fake_dns_calls, 1);		/* only the sender's domain */
    cr_assert_eq(ct_rcpt("x@[192.0.2.1]"), 0);
    cr_assert_eq(ct_rcpt("x@bad..example"), 450);
    ct_state.sender = "s@nx.example";
    cr_assert_eq(ct_rcpt("alice@local.example"), 450);
    ct_reply_is("450 4.1.8 <s@nx.example>: Sender address rejected: Domain not found");
    ct_state.sender = "";
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
    var_unk_addr_code = 550;
    ct_init();
    ct_state.sender = "s@nx.example";
    cr_assert_eq(ct_rcpt("alice@local.example"), 550);
    ct_reply_has("550 5.1.8 ");
    var_disable_dns_lookups = 1;
    ct_init();
    cr_assert_eq(ct_rcpt("alice@local.example"), 0);
}

Test(restr, hostile_values_are_bounded)
{
    char    big[5000];

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    memcpy(big + 100, "@remote.example", 15);
    ct_init();
    cr_assert_eq(ct_rcpt(big), 554);
    cr_assert_lt(vstr_len(ct_reply), 512);
    cr_assert_eq(ct_rcpt("a\001b@remote.example"), 554);
    ct_reply_is("554 5.7.1 <a?b@remote.example>: Relay access denied");
}
