/*
 * check_test.h - a fake smtpd session and a known configuration for the
 * restriction tests: mydestination=local.example, mynetworks=127.0.0.0/8,
 * a client at 192.0.2.9 (outside), inline tables for local users.
 */
#ifndef CHECK_TEST_H
#define CHECK_TEST_H

#include <criterion/criterion.h>
#include <string.h>

#include "../../../smtpd/smtpd.h"
#include "../../../smtpd/smtpd_check.h"
#include "../../../smtpd/smtpd_check_int.h"
#include "mail_params.h"

static struct smtpd_state ct_state;
static struct vstr *ct_reply;

/* ct_defaults - parameter values as in main.cf plus the test domains */

static inline void
ct_defaults(void)
{
    var_mynetworks = "127.0.0.0/8 [::1]/128";
    var_mydestination = "local.example, localhost";
    var_relay_domains = "";
    var_virt_alias_domains = "";
    var_virt_mailbox_domains = "";
    var_local_rcpt_maps = "inline:{root=x, alice=x, victim=x, postmaster=x}";
    var_virtual_alias_maps = "";
    var_virt_mailbox_maps = "";
    var_relay_rcpt_maps = "";
    var_inet_interfaces = "127.0.0.1";
    var_recipient_delimiter = "+";
    var_disable_dns_lookups = 0;
    var_smtpd_delay_reject = 1;
    var_smtpd_reject_unl_rcpt = 1;
    var_unk_local_rcpt_code = 550;
    var_relay_code = 554;
    var_unk_addr_code = 450;
    var_smtpd_client_restrictions = "";
    var_smtpd_helo_restrictions = "";
    var_smtpd_sender_restrictions = "";
    var_smtpd_relay_restrictions = "permit_mynetworks, permit_sasl_authenticated,"
	" reject_unauth_destination";
    var_smtpd_rcpt_restrictions = "";
    var_smtpd_data_restrictions = "";
    memset(&ct_state, 0, sizeof(ct_state));
    ct_state.client_name = "unknown";
    ct_state.client_addr = "192.0.2.9";
    ct_state.helo_name = "client.example";
    ct_state.esmtp = 1;
    ct_state.sender = "sender@remote.example";
    ct_reply = vstr_alloc(100);
}

/* ct_init - apply the configuration */

static inline void
ct_init(void)
{
    cr_assert_eq(smtpd_check_init(), 0);
}

/* ct_rcpt - RCPT check, returns the code, reply in ct_reply */

static inline int
ct_rcpt(const char *rcpt)
{
    return (smtpd_check_rcpt(&ct_state, rcpt, ct_reply));
}

#define ct_reply_is(s) \
    cr_assert_str_eq(vstr_str(ct_reply), (s))
#define ct_reply_has(s) \
    cr_assert(strstr(vstr_str(ct_reply), (s)) != 0, "reply \"%s\" lacks \"%s\"", \
	      vstr_str(ct_reply), (s))

#endif
