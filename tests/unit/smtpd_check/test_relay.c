/*
 * test_relay.c - the relay decision and recipient validation: the
 * SECURITY-CASES F1 open-relay battery against mydestination =
 * local.example from a client outside mynetworks, then the permitted
 * paths (mynetworks, SASL, relay_domains, virtual domains).
 */
#include <stdio.h>
#include <stdlib.h>

#include "smtpd_check/check_test.h"

TestSuite(relay, .init = ct_defaults);

Test(relay, plain_relay_refused_outside_mynetworks)
{
    ct_init();
    cr_assert_eq(ct_rcpt("victim@remote.example"), 554);
    ct_reply_is("554 5.7.1 <victim@remote.example>: Relay access denied");
}

Test(relay, battery_never_accepted)
{
    static const char *battery[] = {
	"victim@remote.example",
	"victim%remote.example@local.example",
	"victim%remote.example@[127.0.0.1]",
	"\"victim@remote.example\"",
	"\"victim@remote.example\"@local.example",
	"victim@remote.example@local.example",
	"remote.example!victim",
	"remote.example!victim@local.example",
	"@local.example:victim@remote.example",
	"@local.example,@remote.example:victim@remote.example",
	"victim%remote.example",
	"victim@remote.example.",
	"victim@[192.0.2.1]",
	"victim@REMOTE.example",
	"\"victim%remote.example\"@local.example",
	"victim@local.example@remote.example",
	"@[127.0.0.1]:victim@remote.example",
	"victim\\@remote.example@local.example",
	"victim@remote.example@LOCAL.EXAMPLE.",
	"a!remote.example!victim@local.example",
	"victim%remote.example%local.example@local.example",
	"victim@",
	"@",
	"victim@.",
	"victim@.local.example",
	"@local.example:",
	"",
    };
    size_t  i;
    int     code;

    ct_init();
    for (i = 0; i < sizeof(battery) / sizeof(battery[0]); i++) {
	code = ct_rcpt(battery[i]);
	if (getenv("CT_VERBOSE"))
	    printf("%-55s %s\n", battery[i], vstr_str(ct_reply));
	cr_expect(code == 554 || code == 550, "\"%s\": %d %s", battery[i],
		  code, vstr_str(ct_reply));
	/* The sender and HELO tricks of rows 19-21 change nothing. */
	ct_state.sender = "postmaster@local.example";
	ct_state.helo_name = "[127.0.0.1]";
	cr_expect_neq(ct_rcpt(battery[i]), 0, "\"%s\"", battery[i]);
	ct_state.sender = "";
	ct_state.helo_name = "localhost";
	cr_expect_neq(ct_rcpt(battery[i]), 0, "\"%s\"", battery[i]);
	ct_state.sender = "sender@remote.example";
	ct_state.helo_name = "client.example";
    }
}

Test(relay, routing_through_relay_domain_refused)
{
    var_relay_domains = "relayed.example";
    ct_init();
    cr_assert_eq(ct_rcpt("victim%remote.example@relayed.example"), 554);
    cr_assert_eq(ct_rcpt("remote.example!victim@relayed.example"), 554);
    cr_assert_eq(ct_rcpt("\"victim@remote.example\"@relayed.example"), 554);
    cr_assert_eq(ct_rcpt("anyone@relayed.example"), 0, "%s", vstr_str(ct_reply));
    cr_assert_eq(ct_rcpt("anyone@sub.relayed.example"), 554);
}

Test(relay, local_users)
{
    ct_init();
    cr_assert_eq(ct_rcpt("alice@local.example"), 0, "%s", vstr_str(ct_reply));
    cr_assert_eq(vstr_len(ct_reply), 0);
    cr_assert_eq(ct_rcpt("ALICE@Local.Example"), 0);
    cr_assert_eq(ct_rcpt("alice+news@local.example"), 0);
    cr_assert_eq(ct_rcpt("alice@local.example."), 0);
    cr_assert_eq(ct_rcpt("\"alice\"@local.example"), 0);
    cr_assert_eq(ct_rcpt("postmaster"), 0);
    cr_assert_eq(ct_rcpt("alice@localhost"), 0);
    cr_assert_eq(ct_rcpt("alice@[127.0.0.1]"), 0, "%s", vstr_str(ct_reply));
    cr_assert_eq(ct_rcpt("@remote.example:alice@local.example"), 0);
    cr_assert_eq(ct_rcpt("bob@local.example"), 550);
    ct_reply_is("550 5.1.1 <bob@local.example>: Recipient address rejected:"
		" User unknown in local recipient table");
    cr_assert_eq(ct_rcpt("bob+alice@local.example"), 550);
    cr_assert_eq(ct_rcpt("alice%local.example@local.example"), 0);
    cr_assert_eq(ct_rcpt("bob\r\n250 ok@local.example"), 550);
    cr_assert_null(strchr(vstr_str(ct_reply), '\n'));
    cr_assert_null(strchr(vstr_str(ct_reply), '\r'));
}

Test(relay, mynetworks_and_sasl_may_relay)
{
    ct_init();
    ct_state.client_addr = "127.0.0.1";
    cr_assert_eq(ct_rcpt("victim@remote.example"), 0, "%s", vstr_str(ct_reply));
    /* Relaying is allowed, yet local users are still validated. */
    cr_assert_eq(ct_rcpt("bob@local.example"), 550);
    ct_state.client_addr = "::ffff:127.0.0.1";
    cr_assert_eq(ct_rcpt("victim@remote.example"), 0);
    ct_state.client_addr = "192.0.2.9";
    ct_state.sasl_username = "alice";
    cr_assert_eq(ct_rcpt("victim@remote.example"), 0);
    ct_state.sasl_username = 0;
    cr_assert_eq(ct_rcpt("victim@remote.example"), 554);
}

Test(relay, mynetworks_setting)
{
    var_mynetworks = "192.0.2.0/24";
    ct_init();
    cr_assert_eq(ct_rcpt("victim@remote.example"), 0);
    ct_state.client_addr = "127.0.0.1";
    cr_assert_eq(ct_rcpt("victim@remote.example"), 554);
}

Test(relay, virtual_domains)
{
    var_virt_alias_domains = "virt.example";
    var_virtual_alias_maps = "inline:{a@virt.example=alice, joe@local.example=alice}";
    var_virt_mailbox_domains = "mbox.example";
    var_virt_mailbox_maps = "inline:{m@mbox.example=mbox/m/}";
    ct_init();
    cr_assert_eq(ct_rcpt("a@virt.example"), 0, "%s", vstr_str(ct_reply));
    cr_assert_eq(ct_rcpt("b@virt.example"), 550);
    ct_reply_has("User unknown in virtual alias table");
    cr_assert_eq(ct_rcpt("m@mbox.example"), 0);
    cr_assert_eq(ct_rcpt("n@mbox.example"), 550);
    ct_reply_has("User unknown in virtual mailbox table");
    cr_assert_eq(ct_rcpt("joe@local.example"), 0);
}

Test(relay, relay_recipient_maps)
{
    var_relay_domains = "relayed.example";
    var_relay_rcpt_maps = "inline:{r@relayed.example=x}";
    ct_init();
    cr_assert_eq(ct_rcpt("r@relayed.example"), 0);
    cr_assert_eq(ct_rcpt("q@relayed.example"), 550);
    ct_reply_has("User unknown in relay recipient table");
}

Test(relay, domain_list_forms)
{
    var_mydestination = "!bad.local.example .local.example inline:{t.example=1}";
    var_local_rcpt_maps = "";
    ct_init();
    cr_assert_eq(ct_rcpt("x@a.local.example"), 0);
    cr_assert_eq(ct_rcpt("x@local.example"), 554);
    cr_assert_eq(ct_rcpt("x@bad.local.example"), 554);
    cr_assert_eq(ct_rcpt("x@T.example"), 0);
}

Test(relay, no_guard_is_fatal, .exit_code = 1)
{
    var_smtpd_relay_restrictions = "permit_mynetworks";
    var_smtpd_rcpt_restrictions = "permit";
    (void) smtpd_check_init();
}

Test(relay, unknown_keyword_is_fatal, .exit_code = 1)
{
    var_smtpd_rcpt_restrictions = "reject_unauth_destinaton";
    (void) smtpd_check_init();
}

Test(relay, bad_mynetworks_is_fatal, .exit_code = 1)
{
    var_mynetworks = "192.168.1.1/24";
    (void) smtpd_check_init();
}

Test(relay, table_failure_is_451_never_5xx)
{
    var_queue_dir = "/nonexistent-postern-queue";
    var_ipc_timeout = 5;
    var_local_rcpt_maps = "proxy:unix:passwd.byname";
    var_smtpd_rcpt_restrictions = "check_recipient_access proxy:inline:{a=b}";
    ct_init();
    ct_state.client_addr = "127.0.0.1";
    cr_assert_eq(ct_rcpt("alice@local.example"), 451);
    ct_reply_is("451 4.3.0 <alice@local.example>: Temporary lookup failure");
    var_smtpd_rcpt_restrictions = "";
    ct_init();
    cr_assert_eq(ct_rcpt("alice@local.example"), 451);
    ct_reply_is("451 4.3.0 <alice@local.example>: Temporary lookup failure");
    /* Remote recipients do not need the table. */
    cr_assert_eq(ct_rcpt("x@remote.example"), 0);
    var_mydestination = "proxy:inline:{local.example=1}";
    ct_init();
    cr_assert_eq(ct_rcpt("x@remote.example"), 451);
}
