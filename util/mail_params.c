/*
 * mail_params.c - the one declaration of every main.cf parameter, and
 *	the code that loads (mail_params_init) or checks
 *	(mail_params_check) them all (see mail_params.h).
 *
 * To add a parameter: one row in mail_params_table (name, default,
 * bounds, flags), one definition and one extern var_ line. `postern conf
 * -d` and `postern check` read this same table (STYLE.md (b)8).
 * Defaults are Postfix's (postconf(5)) unless docs/configuration.md
 * says why not.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"
#include "mail_conf.h"
#include "mac_expand.h"
#include "argv.h"
#include "mymalloc.h"
#include "msg.h"

#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR	"/usr/local/etc/postern"
#endif
#ifndef DEF_DAEMON_DIR
#define DEF_DAEMON_DIR	"/usr/local/libexec/postern"
#endif
#ifndef DEF_COMMAND_DIR
#define DEF_COMMAND_DIR	"/usr/local/sbin"
#endif
#ifndef DEF_QUEUE_DIR
#define DEF_QUEUE_DIR	"/var/spool/postern"
#endif
#ifndef DEF_DATA_DIR
#define DEF_DATA_DIR	"/var/lib/postern"
#endif

#define TMAX	(100LL * 365 * 86400)	/* a century, in seconds */
#define SMAX	((long long) LONG_MAX)	/* sizes */
#define IMAX	((long long) INT_MAX)
#define HOSTMAX	255

char   *var_config_dir;
char   *var_queue_dir, *var_daemon_dir, *var_command_dir, *var_data_dir;
char   *var_mail_owner, *var_setgid_group, *var_default_privs, *var_mail_name;
char   *var_syslog_name, *var_maillog_file, *var_alt_config_dirs;
char   *var_authorized_mailq_users, *var_notify_classes;
char   *var_bounce_notice_rcpt, *var_2bounce_notice_rcpt;
char   *var_double_bounce_sender, *var_empty_addr_rcpt, *var_export_environ;
int     var_default_process_limit, var_max_use;
long    var_max_idle, var_ipc_timeout, var_daemon_timeout;
long    var_service_throttle_time;
char   *var_myhostname, *var_mydomain, *var_myorigin, *var_mydestination;
char   *var_mynetworks, *var_relay_domains, *var_relayhost;
char   *var_inet_interfaces, *var_inet_protocols, *var_recipient_delimiter;
int     var_append_dot_mydomain, var_append_at_myorigin;
int     var_disable_dns_lookups, var_smtputf8_enable;
char   *var_canonical_maps, *var_transport_maps, *var_default_transport;
char   *var_local_transport, *var_virtual_alias_maps;
char   *var_send_canon_maps, *var_rcpt_canon_maps;
int     var_virt_recur_limit, var_virt_expan_limit;
char   *var_alias_maps, *var_alias_database, *var_local_rcpt_maps;
char   *var_home_mailbox, *var_mail_spool_dir, *var_mailbox_command;
char   *var_mailbox_lock, *var_forward_path, *var_allow_commands;
char   *var_allow_files, *var_cmd_exp_filter;
long    var_mailbox_limit, var_command_time_limit;
int     var_virt_minimum_uid;
char   *var_virt_mailbox_domains, *var_virt_mailbox_maps;
char   *var_virt_mailbox_base, *var_virt_uid_maps, *var_virt_gid_maps;
long    var_message_limit, var_header_limit, var_bounce_limit;
int     var_hopcount_limit, var_line_limit;
char   *var_smtpd_banner;
int     var_smtpd_rcpt_limit;
long    var_smtpd_timeout, var_smtpd_err_sleep;
long    var_smtpd_starttls_tmout;
int     var_smtpd_soft_erlim, var_smtpd_hard_erlim, var_smtpd_junk_cmd_limit;
int     var_smtpd_cconn_limit, var_smtpd_helo_required, var_disable_vrfy_cmd;
int     var_smtpd_delay_reject, var_smtpd_forbid_bare_nl;
int     var_smtpd_reject_unl_rcpt, var_strict_rfc821_env;
char   *var_smtpd_client_restrictions, *var_smtpd_helo_restrictions;
char   *var_smtpd_sender_restrictions, *var_smtpd_relay_restrictions;
char   *var_smtpd_rcpt_restrictions, *var_smtpd_data_restrictions;
int     var_unk_local_rcpt_code, var_relay_code;
char   *var_virt_alias_domains, *var_relay_rcpt_maps, *var_proxy_read_maps;
int     var_unk_addr_code;
int     var_smtpd_sasl_enable, var_smtpd_tls_auth_only;
char   *var_smtpd_sasl_users_maps, *var_smtpd_tls_level;
int     var_smtpd_tls_wrappermode;
char   *var_smtpd_tls_cert_file, *var_smtpd_tls_key_file, *var_smtpd_tls_CAfile;
char   *var_smtp_helo_name, *var_smtp_tls_level, *var_smtp_tls_CAfile;
char   *var_smtp_tls_cert_file, *var_smtp_tls_key_file;
long    var_smtp_conn_tmout, var_smtp_helo_tmout, var_smtp_mail_tmout;
long    var_smtp_rcpt_tmout, var_smtp_data0_tmout, var_smtp_data1_tmout;
long    var_smtp_data2_tmout, var_smtp_quit_tmout;
char   *var_smtp_tls_policy_maps, *var_smtp_dns_server;
int     var_smtp_mx_port;
long    var_smtp_conn_cache_tlimit;
int     var_disable_mime_oconv, var_smtp_line_limit;
long    var_min_backoff_time, var_max_backoff_time, var_max_queue_time;
long    var_dsn_queue_time, var_queue_run_delay, var_delay_warn_time;
int     var_dest_con_limit, var_dest_rcpt_limit, var_init_dest_concurrency;
int     var_qmgr_active_limit, var_qmgr_rcpt_limit;
long    var_in_flow_delay;

static const char *mail_params_config_dir(void);
static const char *mail_params_hostname(void);
static const char *mail_params_domain(void);

#define MAPS	CONF_FLAG_MAPS
#define LIST	CONF_FLAG_LIST
#define RAW	CONF_FLAG_RAW

const struct conf_param mail_params_table[] = {
    /* Installation and identity. */
    CONF_ROW_STR_FN("config_directory", mail_params_config_dir, 1, 0, 0, var_config_dir),
    CONF_ROW_STR("queue_directory", DEF_QUEUE_DIR, 1, 0, 0, var_queue_dir),
    CONF_ROW_STR("daemon_directory", DEF_DAEMON_DIR, 1, 0, 0, var_daemon_dir),
    CONF_ROW_STR("command_directory", DEF_COMMAND_DIR, 1, 0, 0, var_command_dir),
    CONF_ROW_STR("data_directory", DEF_DATA_DIR, 1, 0, 0, var_data_dir),
    CONF_ROW_STR("mail_owner", "postern", 1, 64, 0, var_mail_owner),
    CONF_ROW_STR("setgid_group", "postdrop", 1, 64, 0, var_setgid_group),
    CONF_ROW_STR("default_privs", "nobody", 1, 64, 0, var_default_privs),
    CONF_ROW_STR("mail_name", "Postern", 1, 100, 0, var_mail_name),
    CONF_ROW_STR("syslog_name", "postern", 1, 100, 0, var_syslog_name),
    CONF_ROW_STR("maillog_file", "", 0, 0, 0, var_maillog_file),
    CONF_ROW_STR("alternate_config_directories", "", 0, 0, 0, var_alt_config_dirs),
    CONF_ROW_STR("authorized_mailq_users", "static:anyone", 0, 0, MAPS, var_authorized_mailq_users),
    CONF_ROW_STR("notify_classes", "resource, software", 0, 0, 0, var_notify_classes),
    CONF_ROW_STR("bounce_notice_recipient", "postmaster", 1, 0, 0, var_bounce_notice_rcpt),
    CONF_ROW_STR("2bounce_notice_recipient", "postmaster", 1, 0, 0, var_2bounce_notice_rcpt),
    CONF_ROW_STR("double_bounce_sender", "double-bounce", 1, 0, 0, var_double_bounce_sender),
    CONF_ROW_STR("empty_address_recipient", "MAILER-DAEMON", 1, 0, 0, var_empty_addr_rcpt),
    CONF_ROW_STR("export_environment", "TZ MAIL_CONFIG LANG", 0, 0, 0, var_export_environ),

    /* Process management. */
    CONF_ROW_INT("default_process_limit", "100", 1, 10000, var_default_process_limit),
    CONF_ROW_INT("max_use", "100", 1, IMAX, var_max_use),
    CONF_ROW_TIME("max_idle", "100s", 1, TMAX, var_max_idle),
    CONF_ROW_TIME("ipc_timeout", "3600s", 1, TMAX, var_ipc_timeout),
    CONF_ROW_TIME("daemon_timeout", "18000s", 1, TMAX, var_daemon_timeout),
    CONF_ROW_TIME("service_throttle_time", "60s", 1, TMAX, var_service_throttle_time),

    /* Names and addresses. */
    CONF_ROW_STR_FN("myhostname", mail_params_hostname, 1, HOSTMAX, 0, var_myhostname),
    CONF_ROW_STR_FN("mydomain", mail_params_domain, 1, HOSTMAX, 0, var_mydomain),
    CONF_ROW_STR("myorigin", "$myhostname", 1, HOSTMAX, 0, var_myorigin),
    CONF_ROW_STR("mydestination", "$myhostname, localhost.$mydomain, localhost", 0, 0, LIST, var_mydestination),
    CONF_ROW_STR("mynetworks", "127.0.0.0/8 [::1]/128", 0, 0, LIST, var_mynetworks),
    CONF_ROW_STR("relay_domains", "", 0, 0, LIST, var_relay_domains),
    CONF_ROW_STR("relayhost", "", 0, 0, 0, var_relayhost),
    CONF_ROW_STR("inet_interfaces", "all", 1, 0, 0, var_inet_interfaces),
    CONF_ROW_STR("inet_protocols", "all", 1, 0, 0, var_inet_protocols),
    CONF_ROW_STR("recipient_delimiter", "", 0, 0, 0, var_recipient_delimiter),
    CONF_ROW_BOOL("append_dot_mydomain", "no", var_append_dot_mydomain),
    CONF_ROW_BOOL("append_at_myorigin", "yes", var_append_at_myorigin),
    CONF_ROW_BOOL("disable_dns_lookups", "no", var_disable_dns_lookups),
    CONF_ROW_BOOL("smtputf8_enable", "yes", var_smtputf8_enable),

    /* Address rewriting and routing. */
    CONF_ROW_STR("canonical_maps", "", 0, 0, MAPS, var_canonical_maps),
    CONF_ROW_STR("transport_maps", "", 0, 0, MAPS, var_transport_maps),
    CONF_ROW_STR("default_transport", "smtp", 1, 0, 0, var_default_transport),
    CONF_ROW_STR("local_transport", "local:$myhostname", 1, 0, 0, var_local_transport),
    CONF_ROW_STR("virtual_alias_maps", "", 0, 0, MAPS, var_virtual_alias_maps),
    CONF_ROW_STR("sender_canonical_maps", "", 0, 0, MAPS, var_send_canon_maps),
    CONF_ROW_STR("recipient_canonical_maps", "", 0, 0, MAPS, var_rcpt_canon_maps),
    CONF_ROW_INT("virtual_alias_recursion_limit", "1000", 1, IMAX, var_virt_recur_limit),
    CONF_ROW_INT("virtual_alias_expansion_limit", "1000", 1, IMAX, var_virt_expan_limit),

    /* Local and virtual delivery. */
    CONF_ROW_STR("alias_maps", "hash:/etc/aliases", 0, 0, MAPS, var_alias_maps),
    CONF_ROW_STR("alias_database", "hash:/etc/aliases", 0, 0, MAPS, var_alias_database),
    CONF_ROW_STR("local_recipient_maps", "unix:passwd.byname $alias_maps", 0, 0, MAPS, var_local_rcpt_maps),
    CONF_ROW_STR("home_mailbox", "", 0, 0, 0, var_home_mailbox),
    CONF_ROW_STR("mail_spool_directory", "/var/mail", 1, 0, 0, var_mail_spool_dir),
    CONF_ROW_STR("mailbox_command", "", 0, 0, RAW, var_mailbox_command),
    CONF_ROW_STR("mailbox_delivery_lock", "fcntl, dotlock", 0, 0, 0, var_mailbox_lock),
    CONF_ROW_STR("forward_path", "$home/.forward${recipient_delimiter}${extension}, $home/.forward", 0, 0, RAW, var_forward_path),
    CONF_ROW_STR("allow_mail_to_commands", "alias, forward", 0, 0, 0, var_allow_commands),
    CONF_ROW_STR("allow_mail_to_files", "alias, forward", 0, 0, 0, var_allow_files),
    CONF_ROW_STR("command_expansion_filter", "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 0, 0, RAW, var_cmd_exp_filter),
    CONF_ROW_SIZE("mailbox_size_limit", "51200000", 0, SMAX, var_mailbox_limit),
    CONF_ROW_TIME("command_time_limit", "1000s", 1, TMAX, var_command_time_limit),
    CONF_ROW_INT("virtual_minimum_uid", "100", 1, IMAX, var_virt_minimum_uid),
    CONF_ROW_STR("virtual_mailbox_domains", "$virtual_mailbox_maps", 0, 0, LIST, var_virt_mailbox_domains),
    CONF_ROW_STR("virtual_mailbox_maps", "", 0, 0, MAPS, var_virt_mailbox_maps),
    CONF_ROW_STR("virtual_mailbox_base", "", 0, 0, 0, var_virt_mailbox_base),
    CONF_ROW_STR("virtual_uid_maps", "", 0, 0, MAPS, var_virt_uid_maps),
    CONF_ROW_STR("virtual_gid_maps", "", 0, 0, MAPS, var_virt_gid_maps),

    /* Message limits. */
    CONF_ROW_SIZE("message_size_limit", "10240000", 0, SMAX, var_message_limit),
    CONF_ROW_SIZE("header_size_limit", "102400", 1, SMAX, var_header_limit),
    CONF_ROW_SIZE("bounce_size_limit", "50000", 1, SMAX, var_bounce_limit),
    CONF_ROW_INT("hopcount_limit", "50", 1, 10000, var_hopcount_limit),
    CONF_ROW_INT("line_length_limit", "2048", 80, 1024 * 1024, var_line_limit),

    /* SMTP server. */
    CONF_ROW_STR("smtpd_banner", "$myhostname ESMTP $mail_name", 1, 400, 0, var_smtpd_banner),
    CONF_ROW_INT("smtpd_recipient_limit", "1000", 1, IMAX, var_smtpd_rcpt_limit),
    CONF_ROW_TIME("smtpd_timeout", "300s", 1, TMAX, var_smtpd_timeout),
    CONF_ROW_INT("smtpd_soft_error_limit", "10", 0, IMAX, var_smtpd_soft_erlim),
    CONF_ROW_INT("smtpd_hard_error_limit", "20", 1, IMAX, var_smtpd_hard_erlim),
    CONF_ROW_TIME("smtpd_error_sleep_time", "1s", 0, 3600, var_smtpd_err_sleep),
    CONF_ROW_INT("smtpd_junk_command_limit", "100", 1, IMAX, var_smtpd_junk_cmd_limit),
    CONF_ROW_INT("smtpd_client_connection_count_limit", "50", 0, IMAX, var_smtpd_cconn_limit),
    CONF_ROW_BOOL("smtpd_helo_required", "yes", var_smtpd_helo_required),
    CONF_ROW_BOOL("disable_vrfy_command", "yes", var_disable_vrfy_cmd),
    CONF_ROW_BOOL("smtpd_delay_reject", "yes", var_smtpd_delay_reject),
    CONF_ROW_BOOL("smtpd_forbid_bare_newline", "yes", var_smtpd_forbid_bare_nl),
    CONF_ROW_BOOL("smtpd_reject_unlisted_recipient", "yes", var_smtpd_reject_unl_rcpt),
    CONF_ROW_BOOL("strict_rfc821_envelopes", "no", var_strict_rfc821_env),
    CONF_ROW_STR("smtpd_client_restrictions", "", 0, 0, 0, var_smtpd_client_restrictions),
    CONF_ROW_STR("smtpd_helo_restrictions", "", 0, 0, 0, var_smtpd_helo_restrictions),
    CONF_ROW_STR("smtpd_sender_restrictions", "", 0, 0, 0, var_smtpd_sender_restrictions),
    CONF_ROW_STR("smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination", 0, 0, 0, var_smtpd_relay_restrictions),
    CONF_ROW_STR("smtpd_recipient_restrictions", "", 0, 0, 0, var_smtpd_rcpt_restrictions),
    CONF_ROW_STR("smtpd_data_restrictions", "", 0, 0, 0, var_smtpd_data_restrictions),
    CONF_ROW_INT("unknown_local_recipient_reject_code", "550", 400, 599, var_unk_local_rcpt_code),
    CONF_ROW_INT("relay_domains_reject_code", "554", 400, 599, var_relay_code),
    CONF_ROW_INT("unknown_address_reject_code", "450", 400, 599, var_unk_addr_code),
    CONF_ROW_STR("virtual_alias_domains", "$virtual_alias_maps", 0, 0, LIST, var_virt_alias_domains),
    CONF_ROW_STR("relay_recipient_maps", "", 0, 0, MAPS, var_relay_rcpt_maps),
    CONF_ROW_STR("proxy_read_maps", "$local_recipient_maps $mydestination $virtual_alias_maps"
		 " $virtual_alias_domains $virtual_mailbox_maps $virtual_mailbox_domains"
		 " $relay_recipient_maps $relay_domains $canonical_maps $sender_canonical_maps"
		 " $recipient_canonical_maps $transport_maps $mynetworks $alias_maps"
		 " $smtpd_client_restrictions $smtpd_helo_restrictions"
		 " $smtpd_sender_restrictions $smtpd_relay_restrictions"
		 " $smtpd_recipient_restrictions $smtpd_data_restrictions"
		 " $smtpd_sasl_users_maps", 0, 0, 0, var_proxy_read_maps),
    CONF_ROW_BOOL("smtpd_sasl_auth_enable", "no", var_smtpd_sasl_enable),
    CONF_ROW_STR("smtpd_sasl_users_maps", "", 0, 0, MAPS, var_smtpd_sasl_users_maps),
    CONF_ROW_BOOL("smtpd_tls_auth_only", "no", var_smtpd_tls_auth_only),
    CONF_ROW_STR("smtpd_tls_security_level", "", 0, 0, 0, var_smtpd_tls_level),
    CONF_ROW_BOOL("smtpd_tls_wrappermode", "no", var_smtpd_tls_wrappermode),
    CONF_ROW_TIME("smtpd_starttls_timeout", "300s", 1, TMAX, var_smtpd_starttls_tmout),
    CONF_ROW_STR("smtpd_tls_cert_file", "", 0, 0, 0, var_smtpd_tls_cert_file),
    CONF_ROW_STR("smtpd_tls_key_file", "$smtpd_tls_cert_file", 0, 0, 0, var_smtpd_tls_key_file),
    CONF_ROW_STR("smtpd_tls_CAfile", "", 0, 0, 0, var_smtpd_tls_CAfile),

    /* SMTP client. */
    CONF_ROW_STR("smtp_helo_name", "$myhostname", 1, HOSTMAX, 0, var_smtp_helo_name),
    CONF_ROW_STR("smtp_tls_security_level", "", 0, 0, 0, var_smtp_tls_level),
    CONF_ROW_STR("smtp_tls_CAfile", "", 0, 0, 0, var_smtp_tls_CAfile),
    CONF_ROW_STR("smtp_tls_cert_file", "", 0, 0, 0, var_smtp_tls_cert_file),
    CONF_ROW_STR("smtp_tls_key_file", "$smtp_tls_cert_file", 0, 0, 0, var_smtp_tls_key_file),
    CONF_ROW_TIME("smtp_connect_timeout", "30s", 0, TMAX, var_smtp_conn_tmout),
    CONF_ROW_TIME("smtp_helo_timeout", "300s", 1, TMAX, var_smtp_helo_tmout),
    CONF_ROW_TIME("smtp_mail_timeout", "300s", 1, TMAX, var_smtp_mail_tmout),
    CONF_ROW_TIME("smtp_rcpt_timeout", "300s", 1, TMAX, var_smtp_rcpt_tmout),
    CONF_ROW_TIME("smtp_data_init_timeout", "120s", 1, TMAX, var_smtp_data0_tmout),
    CONF_ROW_TIME("smtp_data_xfer_timeout", "180s", 1, TMAX, var_smtp_data1_tmout),
    CONF_ROW_TIME("smtp_data_done_timeout", "600s", 1, TMAX, var_smtp_data2_tmout),
    CONF_ROW_TIME("smtp_quit_timeout", "300s", 1, TMAX, var_smtp_quit_tmout),
    CONF_ROW_STR("smtp_tls_policy_maps", "", 0, 0, MAPS, var_smtp_tls_policy_maps),
    CONF_ROW_STR("smtp_dns_server", "", 0, 100, 0, var_smtp_dns_server),
    CONF_ROW_INT("smtp_mx_port", "25", 1, 65535, var_smtp_mx_port),
    CONF_ROW_TIME("smtp_connection_cache_time_limit", "2s", 0, 300, var_smtp_conn_cache_tlimit),
    CONF_ROW_BOOL("disable_mime_output_conversion", "no", var_disable_mime_oconv),
    CONF_ROW_INT("smtp_line_length_limit", "998", 0, IMAX, var_smtp_line_limit),

    /* Queue manager. */
    CONF_ROW_TIME("minimal_backoff_time", "300s", 1, TMAX, var_min_backoff_time),
    CONF_ROW_TIME("maximal_backoff_time", "4000s", 1, TMAX, var_max_backoff_time),
    CONF_ROW_TIME("maximal_queue_lifetime", "5d", 0, TMAX, var_max_queue_time),
    CONF_ROW_TIME("bounce_queue_lifetime", "5d", 0, TMAX, var_dsn_queue_time),
    CONF_ROW_TIME("queue_run_delay", "300s", 1, TMAX, var_queue_run_delay),
    CONF_ROW_TIME("delay_warning_time", "0h", 0, TMAX, var_delay_warn_time),
    CONF_ROW_INT("default_destination_concurrency_limit", "20", 1, 10000, var_dest_con_limit),
    CONF_ROW_INT("default_destination_recipient_limit", "50", 1, IMAX, var_dest_rcpt_limit),
    CONF_ROW_INT("initial_destination_concurrency", "5", 1, 10000, var_init_dest_concurrency),
    CONF_ROW_INT("qmgr_message_active_limit", "20000", 1, IMAX, var_qmgr_active_limit),
    CONF_ROW_INT("qmgr_message_recipient_limit", "20000", 1, IMAX, var_qmgr_rcpt_limit),
    /* Inflow control (cleanup waits, qmgr puts tokens). */
    CONF_ROW_TIME("in_flow_delay", "1s", 0, 10, var_in_flow_delay),
};

const size_t mail_params_count = ARRAY_LEN(mail_params_table);

 /*
  * Pairs that must be in order: small <= large (0 in either means "no
  * limit" and is not compared). Postfix refuses the same mistakes.
  */
static const char *const mail_params_order[][2] = {
    {"message_size_limit", "mailbox_size_limit"},
    {"minimal_backoff_time", "maximal_backoff_time"},
};

/* mail_params_config_dir - default config_directory: the one read */

static const char *
mail_params_config_dir(void)
{
    const char *dir = mail_conf_config_dir();

    return (dir ? dir : DEF_CONFIG_DIR);
}

/* mail_params_hostname - default myhostname: gethostname() */

static const char *
mail_params_hostname(void)
{
    static char host[HOSTMAX + 1];

    if (host[0] == 0) {
	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == 0)
	    strcpy(host, "localhost");
	host[HOSTMAX] = 0;
    }
    return (host);
}

/* mail_params_domain - default mydomain: myhostname less its first label */

static const char *
mail_params_domain(void)
{
    static char *domain;
    static int busy;
    struct vstr *err;
    const char *host = 0;
    const char *dot;

    if (busy)					/* myhostname = x.$mydomain */
	return ("localdomain");
    busy = 1;
    err = vstr_alloc(100);
    if (mail_conf_eval_checked("myhostname", &host, err) < 0 || host == 0)
	host = "";
    if ((dot = strchr(host, '.')) == 0 || dot[1] == 0)
	dot = ".localdomain";
    if (domain == 0 || strcmp(domain, dot + 1) != 0) {
	if (domain)
	    myfree(domain);
	domain = mystrdup(dot + 1);
    }
    vstr_free(err);
    busy = 0;
    return (domain);
}

/* mail_params_value - expanded value and where it came from */

static int
mail_params_value(const struct conf_param *p, const char **value,
		          struct vstr *where, struct vstr *err)
{
    const struct mail_conf_ent *ep;

    if (mail_conf_eval_checked(p->name, value, err) < 0)
	return (-1);
    if (mail_conf_lookup(p->name) == 0)
	vstr_sprintf(where, "default value of parameter %s", p->name);
    else if ((ep = mail_conf_find(p->name)) != 0 && mail_conf_lookup(p->name) == ep->value)
	vstr_sprintf(where, "%s:%d: parameter %s", ep->file, ep->line, p->name);
    else
	vstr_sprintf(where, "-o %s", p->name);
    return (0);
}

/* mail_params_order_ok - check one ordered pair; 0 or -1 with text */

static int
mail_params_order_ok(size_t i, struct vstr *err)
{
    const struct conf_param *ps, *pl;
    const char *vs, *vl;
    long long ns, nl;

    ps = conf_table_find(mail_params_table, mail_params_count, mail_params_order[i][0]);
    pl = conf_table_find(mail_params_table, mail_params_count, mail_params_order[i][1]);
    if (ps == 0 || pl == 0)
	msg_panic("mail_params_order_ok: unknown parameter in pair %lu",
		  (unsigned long) i);
    if (mail_conf_eval_checked(ps->name, &vs, err) < 0
	|| mail_conf_eval_checked(pl->name, &vl, err) < 0
	|| conf_param_number(ps, vs, &ns, err) < 0
	|| conf_param_number(pl, vl, &nl, err) < 0)
	return (0);				/* reported elsewhere */
    if (ns != 0 && nl != 0 && ns > nl) {
	vstr_sprintf(err, "%s (%s) must not be larger than %s (%s)",
		     ps->name, vs, pl->name, vl);
	return (-1);
    }
    return (0);
}

/* mail_params_init - load every parameter into its var_ global */

void
mail_params_init(void)
{
    struct vstr *err = vstr_alloc(100);
    struct vstr *where = vstr_alloc(100);
    const char *value;
    size_t  i;

    for (i = 0; i < mail_params_count; i++) {
	const struct conf_param *p = mail_params_table + i;

	if (mail_params_value(p, &value, where, err) < 0)
	    msg_fatal("%s", vstr_str(err));
	if (conf_param_convert(p, value, 1, err) < 0)
	    msg_fatal("%s: %s", vstr_str(where), vstr_str(err));
    }
    for (i = 0; i < ARRAY_LEN(mail_params_order); i++)
	if (mail_params_order_ok(i, err) < 0)
	    msg_fatal("main.cf configuration error: %s", vstr_str(err));
    vstr_free(err);
    vstr_free(where);
}

/* mail_params_ref_add - collect a referenced name */

static void
mail_params_ref_add(const char *name, void *ctx)
{
    argv_add((struct argv *) ctx, name);
}

/* mail_params_ref_cmp - qsort/bsearch helper */

static int
mail_params_ref_cmp(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* mail_params_refs - every name used as $name in main.cf or defaults */

static struct argv *
mail_params_refs(void)
{
    struct argv *refs = argv_alloc(64);
    const char *def;
    size_t  i;

    for (i = 0; i < mail_conf_count(); i++)
	mac_expand_names(mail_conf_entry(i)->value, mail_params_ref_add, refs);
    for (i = 0; i < mail_params_count; i++)
	if ((def = mail_params_table[i].defval) != 0)
	    mac_expand_names(def, mail_params_ref_add, refs);
    qsort(refs->argv, refs->argc, sizeof(char *), mail_params_ref_cmp);
    return (refs);
}

/* mail_params_check_names - unused and duplicate main.cf names */

static void
mail_params_check_names(mail_params_report_fn report, void *ctx,
			        struct vstr *msg)
{
    struct argv *refs = mail_params_refs();
    const struct mail_conf_ent *ep;
    const char *key;
    size_t  i;

    for (i = 0; i < mail_conf_count(); i++) {
	ep = mail_conf_entry(i);
	key = ep->name;
	if (conf_table_find(mail_params_table, mail_params_count, key) == 0
	    && bsearch(&key, refs->argv, refs->argc, sizeof(char *),
		       mail_params_ref_cmp) == 0) {
	    vstr_sprintf(msg, "unused parameter: %s=%.100s", ep->name, ep->value);
	    report(ep->file, ep->line, MAIL_PARAMS_WARNING, vstr_str(msg), ctx);
	}
	if (ep->prev_line) {
	    vstr_sprintf(msg, "parameter %s is set again; the setting at"
			 " line %d is ignored", ep->name, ep->prev_line);
	    report(ep->file, ep->line, MAIL_PARAMS_WARNING, vstr_str(msg), ctx);
	}
    }
    argv_free(refs);
}

/* mail_params_check_value - one parameter; 1 when an error */

static int
mail_params_check_value(const struct conf_param *p, mail_params_report_fn report,
			        void *ctx, struct vstr *text, struct vstr *err)
{
    const struct mail_conf_ent *ep = mail_conf_find(p->name);
    struct vstr *value = vstr_alloc(100);
    int     ret = 0;

    /* Expand "${name}" so that a loop report starts with this name. */
    vstr_sprintf(text, "${%s}", p->name);
    if ((p->flags & CONF_FLAG_RAW) != 0)
	vstr_strcpy(value, mail_conf_raw(p->name));
    else if (mail_conf_expand(vstr_str(text), value, err) < 0)
	ret = 1;
    if (ret == 0 && conf_param_convert(p, vstr_str(value), 0, err) < 0)
	ret = 1;
    if (ret) {
	if (ep)
	    vstr_sprintf(text, "parameter %s: %s", p->name, vstr_str(err));
	else
	    vstr_sprintf(text, "default value of parameter %s: %s",
			 p->name, vstr_str(err));
	report(ep ? ep->file : 0, ep ? ep->line : 0, MAIL_PARAMS_ERROR,
	       vstr_str(text), ctx);
    }
    vstr_free(value);
    return (ret);
}

/* mail_params_check - report every problem; return the error count */

int
mail_params_check(mail_params_report_fn report, void *ctx)
{
    struct vstr *err = vstr_alloc(100);
    struct vstr *text = vstr_alloc(100);
    const struct mail_conf_ent *ep;
    size_t  i;
    int     errors = 0;

    for (i = 0; i < mail_params_count; i++)
	errors += mail_params_check_value(mail_params_table + i, report, ctx,
					  text, err);
    for (i = 0; i < ARRAY_LEN(mail_params_order); i++) {
	if (mail_params_order_ok(i, err) < 0) {
	    ep = mail_conf_find(mail_params_order[i][0]);
	    if (ep == 0)
		ep = mail_conf_find(mail_params_order[i][1]);
	    report(ep ? ep->file : 0, ep ? ep->line : 0, MAIL_PARAMS_ERROR,
		   vstr_str(err), ctx);
	    errors++;
	}
    }
    mail_params_check_names(report, ctx, err);
    vstr_free(err);
    vstr_free(text);
    return (errors);
}
