/*
 * test_params.c - the parameter table (util/mail_params.c) and typed
 *	conversion with bounds (util/conf_table.c).
 *
 * Checks that every declared default is valid, that SPEC section 2
 * parameters all exist, that values convert to the right C values, and
 * that bad or out-of-range values stop a daemon (msg_fatal: exit 1)
 * or are reported by mail_params_check() with file:line.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "conf_table.h"
#include "argv.h"

static struct vstr *err;

static void
setup(void)
{
    mail_conf_reset();
    err = vstr_alloc(100);
}

TestSuite(params, .init = setup);

/* load - parse text as main.cf and load every parameter */

static void
load(const char *text)
{
    cr_assert_eq(mail_conf_parse_buffer("main.cf", text, strlen(text), err), 0,
		 "%s", vstr_str(err));
    mail_params_init();
}

 /*
  * mail_params_check() reports, collected for inspection.
  */
struct reports {
    struct argv *lines;
};

static void
collect(const char *file, int line, int severity, const char *text, void *ctx)
{
    struct reports *rp = ctx;
    char    buf[1000];

    if (file)
	snprintf(buf, sizeof(buf), "%s:%d: %s: %s", file, line,
		 severity == MAIL_PARAMS_ERROR ? "error" : "warning", text);
    else
	snprintf(buf, sizeof(buf), "%s: %s",
		 severity == MAIL_PARAMS_ERROR ? "error" : "warning", text);
    argv_add(rp->lines, buf);
}

static int
has_report(struct reports *rp, const char *a, const char *b)
{
    size_t  i;

    for (i = 0; i < rp->lines->argc; i++)
	if (strstr(rp->lines->argv[i], a) && (b == 0 || strstr(rp->lines->argv[i], b)))
	    return (1);
    return (0);
}

static void
dump(struct reports *rp)
{
    size_t  i;

    for (i = 0; i < rp->lines->argc; i++)
	cr_log_info("report: %s", rp->lines->argv[i]);
}

Test(params, table_is_well_formed)
{
    size_t  i;
    size_t  j;

    for (i = 0; i < mail_params_count; i++) {
	const struct conf_param *p = mail_params_table + i;

	cr_assert(conf_name_valid(p->name, strlen(p->name)), "%s", p->name);
	cr_assert((p->defval == 0) != (p->def_fn == 0), "%s: one default", p->name);
	cr_assert(p->min <= p->max || (p->type == CONF_STR && p->max == 0), "%s", p->name);
	cr_assert_not_null(p->var, "%s", p->name);
	for (j = i + 1; j < mail_params_count; j++)
	    cr_assert_str_neq(p->name, mail_params_table[j].name, "duplicate row");
    }
}

Test(params, every_default_is_valid)
{
    struct reports r = {argv_alloc(8)};
    int     errors;

    cr_assert_eq(mail_conf_parse_buffer("main.cf", "", 0, err), 0);
    errors = mail_params_check(collect, &r);
    dump(&r);
    cr_assert_eq(errors, 0);
    cr_assert_eq(r.lines->argc, 0);
    argv_free(r.lines);
}

Test(params, spec_parameters_exist)
{
    static const char *const spec[] = {
	"queue_directory", "daemon_directory", "data_directory", "mail_owner",
	"setgid_group", "default_privs", "myhostname", "mydomain", "myorigin",
	"mydestination", "mynetworks", "relay_domains", "relayhost",
	"inet_interfaces", "inet_protocols", "transport_maps", "alias_maps",
	"alias_database", "local_recipient_maps", "home_mailbox",
	"mail_spool_directory", "mailbox_size_limit", "message_size_limit",
	"virtual_mailbox_domains", "virtual_mailbox_maps",
	"virtual_mailbox_base", "virtual_alias_maps", "virtual_uid_maps",
	"virtual_gid_maps", "canonical_maps", "smtpd_banner",
	"smtpd_recipient_limit", "smtpd_timeout", "smtpd_client_restrictions",
	"smtpd_helo_restrictions", "smtpd_sender_restrictions",
	"smtpd_relay_restrictions", "smtpd_recipient_restrictions",
	"smtpd_data_restrictions", "smtpd_tls_cert_file", "smtpd_tls_key_file",
	"smtpd_tls_security_level", "smtpd_tls_wrappermode",
	"smtpd_tls_auth_only", "smtpd_sasl_auth_enable",
	"smtpd_forbid_bare_newline", "smtp_tls_security_level",
	"smtp_tls_CAfile", "smtp_tls_cert_file", "smtp_tls_key_file",
	"disable_dns_lookups", "minimal_backoff_time", "maximal_backoff_time",
	"maximal_queue_lifetime", "bounce_queue_lifetime", "queue_run_delay",
	"delay_warning_time", "default_destination_concurrency_limit",
	"default_destination_recipient_limit", "qmgr_message_active_limit",
	"notify_classes", "maillog_file", "syslog_name", "smtpd_sasl_users_maps",
	"smtpd_helo_required", "recipient_delimiter", "hopcount_limit",
	"header_size_limit", "max_use", "max_idle", "command_directory",
    };
    size_t  i;

    for (i = 0; i < sizeof(spec) / sizeof(spec[0]); i++)
	cr_assert_not_null(conf_table_find(mail_params_table, mail_params_count,
					   spec[i]), "missing %s", spec[i]);
}

Test(params, defaults_loaded)
{
    load("");
    cr_assert_str_eq(var_queue_dir, "/var/spool/postern");
    cr_assert_str_eq(var_data_dir, "/var/lib/postern");
    cr_assert_str_eq(var_mail_owner, "postern");
    cr_assert_str_eq(var_setgid_group, "postdrop");
    cr_assert_str_eq(var_default_privs, "nobody");
    cr_assert_str_eq(var_syslog_name, "postern");
    cr_assert_str_eq(var_maillog_file, "");
    cr_assert(strlen(var_myhostname) > 0);
    cr_assert_str_eq(var_myorigin, var_myhostname);
    cr_assert_eq(var_message_limit, 10240000);
    cr_assert_eq(var_mailbox_limit, 51200000);
    cr_assert_eq(var_max_queue_time, 5 * 86400);
    cr_assert_eq(var_delay_warn_time, 0);
    cr_assert_eq(var_min_backoff_time, 300);
    cr_assert_eq(var_max_backoff_time, 4000);
    cr_assert_eq(var_smtpd_timeout, 300);
    cr_assert_eq(var_smtpd_helo_required, 1);
    cr_assert_eq(var_smtpd_forbid_bare_nl, 1);
    cr_assert_eq(var_smtpd_tls_wrappermode, 0);
    cr_assert_eq(var_dest_con_limit, 20);
    cr_assert_eq(var_qmgr_active_limit, 20000);
    cr_assert_eq(var_default_process_limit, 100);
    cr_assert_str_eq(var_alias_maps, "hash:/etc/aliases");
    cr_assert_str_eq(var_notify_classes, "resource, software");
}

Test(params, values_convert)
{
    load("maximal_queue_lifetime = 3\nbounce_queue_lifetime = 2h\n"
	 "smtpd_timeout = 1m\nqueue_run_delay = 1w\ndelay_warning_time = 4\n"
	 "message_size_limit = 50m\nmailbox_size_limit = 0\n"
	 "smtpd_helo_required = NO\ndisable_dns_lookups = Yes\n"
	 "hopcount_limit = 7\nmyhostname = mx.example.net\n"
	 "smtpd_banner = $myhostname hi\nqueue_directory = /q\n"
	 "header_size_limit = 2k\n");
    cr_assert_eq(var_max_queue_time, 3 * 86400, "default unit of 5d is days");
    cr_assert_eq(var_dsn_queue_time, 7200);
    cr_assert_eq(var_smtpd_timeout, 60);
    cr_assert_eq(var_queue_run_delay, 7 * 86400);
    cr_assert_eq(var_delay_warn_time, 4 * 3600, "default unit of 0h is hours");
    cr_assert_eq(var_message_limit, 50L * 1024 * 1024);
    cr_assert_eq(var_mailbox_limit, 0);
    cr_assert_eq(var_smtpd_helo_required, 0);
    cr_assert_eq(var_disable_dns_lookups, 1);
    cr_assert_eq(var_hopcount_limit, 7);
    cr_assert_eq(var_header_limit, 2048);
    cr_assert_str_eq(var_smtpd_banner, "mx.example.net hi");
    cr_assert_str_eq(var_mydomain, "example.net");
    cr_assert_str_eq(var_queue_dir, "/q");
}

Test(params, reload_replaces_strings)
{
    load("relayhost = [a]:25\n");
    cr_assert_str_eq(var_relayhost, "[a]:25");
    load("relayhost = [b]:26\n");
    cr_assert_str_eq(var_relayhost, "[b]:26");
    cr_assert_eq(mail_conf_override("relayhost=[c]", err), 0);
    mail_params_init();
    cr_assert_str_eq(var_relayhost, "[c]");
}

Test(params, bad_bool_is_fatal, .exit_code = 1)
{
    load("smtpd_helo_required = maybe\n");
}

Test(params, bad_time_is_fatal, .exit_code = 1)
{
    load("maximal_queue_lifetime = 5x\n");
}

Test(params, negative_size_is_fatal, .exit_code = 1)
{
    load("message_size_limit = -1\n");
}

Test(params, out_of_bounds_is_fatal, .exit_code = 1)
{
    load("hopcount_limit = 0\n");
}

Test(params, int_overflow_is_fatal, .exit_code = 1)
{
    load("smtpd_recipient_limit = 99999999999999999999\n");
}

Test(params, empty_required_string_is_fatal, .exit_code = 1)
{
    load("queue_directory =\n");
}

Test(params, order_pair_is_fatal, .exit_code = 1)
{
    load("message_size_limit = 100000000\n");
}

Test(params, loop_is_fatal, .exit_code = 1)
{
    load("myhostname = $myorigin\nmyorigin = $myhostname\n");
}

Test(params, conversion_helpers)
{
    const struct conf_param *p;
    long long n;

    p = conf_table_find(mail_params_table, mail_params_count, "smtpd_recipient_limit");
    cr_assert_eq(conf_param_number(p, "1000", &n, err), 0);
    cr_assert_eq(n, 1000);
    cr_assert_eq(conf_param_number(p, " 1000", &n, err), -1);
    cr_assert_eq(conf_param_number(p, "0x10", &n, err), -1);
    cr_assert_eq(conf_param_number(p, "2147483648", &n, err), -1);
    cr_assert(strstr(vstr_str(err), "out of range"), "%s", vstr_str(err));
    p = conf_table_find(mail_params_table, mail_params_count, "maximal_queue_lifetime");
    cr_assert_eq(conf_time_unit(p), 'd');
    cr_assert_eq(conf_param_number(p, "1d2h", &n, err), -1);
    p = conf_table_find(mail_params_table, mail_params_count, "smtpd_banner");
    cr_assert_eq(conf_param_convert(p, "", 0, err), -1);
    cr_assert_eq(conf_param_convert(p, "ok", 0, err), 0);
}

Test(params, list_splitting)
{
    const char *cp = " hash:/a, inline:{a=1, {b = 2}},,regexp:/x\tstatic:{x y} ";
    struct vstr *elem = vstr_alloc(10);

    cr_assert_eq(conf_list_next(&cp, elem), 1);
    cr_assert_str_eq(vstr_str(elem), "hash:/a");
    cr_assert_eq(conf_list_next(&cp, elem), 1);
    cr_assert_str_eq(vstr_str(elem), "inline:{a=1, {b = 2}}");
    cr_assert_eq(conf_list_next(&cp, elem), 1);
    cr_assert_str_eq(vstr_str(elem), "regexp:/x");
    cr_assert_eq(conf_list_next(&cp, elem), 1);
    cr_assert_str_eq(vstr_str(elem), "static:{x y}");
    cr_assert_eq(conf_list_next(&cp, elem), 0);
    cp = "unbalanced:{a, b";
    cr_assert_eq(conf_list_next(&cp, elem), 1);
    cr_assert_str_eq(vstr_str(elem), "unbalanced:{a, b");
    vstr_free(elem);
}

Test(params, check_reports_with_file_and_line)
{
    struct reports r = {argv_alloc(8)};
    static const char text[] =
	"# comment\n"
	"myhostname = mx.example.com\n"
	"hopcount_limit = many\n"
	"frobnicate = 1\n"
	"my_own = x\n"
	"smtpd_banner = $my_own ESMTP\n"
	"myhostname =\n"
	"loop_a = $loop_b\n"
	"loop_b = $loop_a\n"
	"smtp_helo_name = $loop_a\n"
	"message_size_limit = 60000000\n"
	"mail_name = \n";
    int     errors;

    cr_assert_eq(mail_conf_parse_buffer("main.cf", text, strlen(text), err), 0);
    errors = mail_params_check(collect, &r);
    dump(&r);
    cr_assert(has_report(&r, "main.cf:3: error: parameter hopcount_limit", "bad integer"));
    cr_assert(has_report(&r, "main.cf:4: warning: unused parameter: frobnicate=1", 0));
    cr_assert(!has_report(&r, "my_own", "unused"), "referenced by $my_own");
    cr_assert(has_report(&r, "main.cf:7: warning: parameter myhostname is set again", "line 2"));
    cr_assert(has_report(&r, "main.cf:10: error: parameter smtp_helo_name: loop in"
			 " $loop_a -> $loop_b -> $loop_a", 0));
    cr_assert(has_report(&r, "main.cf:12: error: parameter mail_name: value must not be empty", 0));
    cr_assert(has_report(&r, "main.cf:7: error: parameter myhostname: value must not be empty", 0));
    cr_assert(has_report(&r, "error: default value of parameter myorigin: value must not be empty", 0));
    cr_assert(has_report(&r, "main.cf:11: error: message_size_limit", "mailbox_size_limit"));
    cr_assert_eq(errors, 6);
    argv_free(r.lines);
}
