/*
 * mail_params.h - every main.cf parameter: one table row each in
 *	mail_params.c, one var_ global each here.
 *
 * SYNOPSIS
 *	#include "mail_params.h"
 *
 *	extern const struct conf_param mail_params_table[];
 *	extern const size_t mail_params_count;
 *
 *	void	mail_params_init(void);
 *	int	mail_params_check(mail_params_report_fn report, void *ctx);
 *
 * DESCRIPTION
 *	mail_params_table declares each parameter once (conf_table(3)):
 *	name, type, default (Postfix's, see postconf(5), unless noted in
 *	docs/configuration.md), bounds, flags and its var_ global.
 *
 *	mail_params_init() evaluates every parameter (mail_conf_eval(3):
 *	-o, main.cf, default; $name expanded) and stores it, converted to
 *	its type, in its var_ global. Call it after mail_conf_read() and
 *	the -o overrides, and again after a reload. var_ strings belong to
 *	this module: read them, never assign or free them.
 *
 *	mail_params_check() does the same checks without storing, and also
 *	looks for names in main.cf that no row declares and no value
 *	references, and for names set twice. It calls report(file, line,
 *	severity, text, ctx) for each problem, with the main.cf file and
 *	line of the setting; file is NULL for a problem in a default value
 *	(text then starts "default value of parameter NAME"). severity is
 *	MAIL_PARAMS_ERROR (bad value) or MAIL_PARAMS_WARNING (unused name,
 *	duplicate). -o overrides are not checked (the admin tool has
 *	none).
 *
 * DIAGNOSTICS
 *	mail_params_init() terminates with msg_fatal() on the first bad
 *	value: "FILE:LINE: parameter NAME: reason". mail_params_check()
 *	returns the number of errors (warnings are not counted).
 *
 * SECURITY
 *	Bounds on every number mean a typo cannot turn a limit off or
 *	make it negative. The globals are read-only after init.
 */
#ifndef MAIL_PARAMS_H
#define MAIL_PARAMS_H

#include <stddef.h>

#include "conf_table.h"

#define MAIL_PARAMS_ERROR	1
#define MAIL_PARAMS_WARNING	2

typedef void (*mail_params_report_fn) (const char *, int, int, const char *,
				               void *);

extern const struct conf_param mail_params_table[];
extern const size_t mail_params_count;

extern void mail_params_init(void);
extern int mail_params_check(mail_params_report_fn, void *);

 /*
  * Installation and identity.
  */
extern char *var_config_dir;		/* config_directory */
extern char *var_queue_dir;		/* queue_directory */
extern char *var_daemon_dir;		/* daemon_directory */
extern char *var_command_dir;		/* command_directory */
extern char *var_data_dir;		/* data_directory */
extern char *var_mail_owner;		/* mail_owner */
extern char *var_setgid_group;		/* setgid_group */
extern char *var_default_privs;		/* default_privs */
extern char *var_mail_name;		/* mail_name */
extern char *var_syslog_name;		/* syslog_name */
extern char *var_maillog_file;		/* maillog_file */
extern char *var_alt_config_dirs;	/* alternate_config_directories */
extern char *var_authorized_mailq_users;/* authorized_mailq_users (maps) */
extern char *var_notify_classes;	/* notify_classes */
extern char *var_bounce_notice_rcpt;	/* bounce_notice_recipient */
extern char *var_2bounce_notice_rcpt;	/* 2bounce_notice_recipient */
extern char *var_double_bounce_sender;	/* double_bounce_sender */
extern char *var_empty_addr_rcpt;	/* empty_address_recipient */
extern char *var_export_environ;	/* export_environment */

 /*
  * Process management (master, server skeleton).
  */
extern int var_default_process_limit;	/* default_process_limit */
extern int var_max_use;			/* max_use */
extern long var_max_idle;		/* max_idle */
extern long var_ipc_timeout;		/* ipc_timeout */
extern long var_daemon_timeout;		/* daemon_timeout */
extern long var_service_throttle_time;	/* service_throttle_time */

 /*
  * Names and addresses.
  */
extern char *var_myhostname;		/* myhostname */
extern char *var_mydomain;		/* mydomain */
extern char *var_myorigin;		/* myorigin */
extern char *var_mydestination;		/* mydestination (list) */
extern char *var_mynetworks;		/* mynetworks (list) */
extern char *var_relay_domains;		/* relay_domains (list) */
extern char *var_relayhost;		/* relayhost */
extern char *var_inet_interfaces;	/* inet_interfaces */
extern char *var_inet_protocols;	/* inet_protocols */
extern char *var_recipient_delimiter;	/* recipient_delimiter */
extern int var_append_dot_mydomain;	/* append_dot_mydomain */
extern int var_append_at_myorigin;	/* append_at_myorigin */
extern int var_disable_dns_lookups;	/* disable_dns_lookups */
extern int var_smtputf8_enable;		/* smtputf8_enable */

 /*
  * Address rewriting and routing.
  */
extern char *var_canonical_maps;	/* canonical_maps (maps) */
extern char *var_transport_maps;	/* transport_maps (maps) */
extern char *var_default_transport;	/* default_transport */
extern char *var_local_transport;	/* local_transport */
extern char *var_virtual_alias_maps;	/* virtual_alias_maps (maps) */
extern char *var_send_canon_maps;	/* sender_canonical_maps (maps) */
extern char *var_rcpt_canon_maps;	/* recipient_canonical_maps (maps) */
extern int var_virt_recur_limit;	/* virtual_alias_recursion_limit */
extern int var_virt_expan_limit;	/* virtual_alias_expansion_limit */

 /*
  * Local and virtual delivery.
  */
extern char *var_alias_maps;		/* alias_maps (maps) */
extern char *var_alias_database;	/* alias_database (maps) */
extern char *var_local_rcpt_maps;	/* local_recipient_maps (maps) */
extern char *var_home_mailbox;		/* home_mailbox */
extern char *var_mail_spool_dir;	/* mail_spool_directory */
extern char *var_mailbox_command;	/* mailbox_command */
extern char *var_mailbox_lock;		/* mailbox_delivery_lock */
extern char *var_forward_path;		/* forward_path (raw) */
extern char *var_allow_commands;	/* allow_mail_to_commands */
extern char *var_allow_files;		/* allow_mail_to_files */
extern char *var_cmd_exp_filter;	/* command_expansion_filter */
extern long var_mailbox_limit;		/* mailbox_size_limit */
extern long var_command_time_limit;	/* command_time_limit */
extern int var_virt_minimum_uid;	/* virtual_minimum_uid */
extern char *var_virt_mailbox_domains;	/* virtual_mailbox_domains (list) */
extern char *var_virt_mailbox_maps;	/* virtual_mailbox_maps (maps) */
extern char *var_virt_mailbox_base;	/* virtual_mailbox_base */
extern char *var_virt_uid_maps;		/* virtual_uid_maps (maps) */
extern char *var_virt_gid_maps;		/* virtual_gid_maps (maps) */

 /*
  * Message limits (cleanup, smtpd).
  */
extern long var_message_limit;		/* message_size_limit */
extern long var_bounce_limit;		/* bounce_size_limit */
extern long var_header_limit;		/* header_size_limit */
extern int var_hopcount_limit;		/* hopcount_limit */
extern int var_line_limit;		/* line_length_limit */

 /*
  * SMTP server.
  */
extern char *var_smtpd_banner;		/* smtpd_banner */
extern int var_smtpd_rcpt_limit;	/* smtpd_recipient_limit */
extern long var_smtpd_timeout;		/* smtpd_timeout */
extern int var_smtpd_soft_erlim;	/* smtpd_soft_error_limit */
extern int var_smtpd_hard_erlim;	/* smtpd_hard_error_limit */
extern long var_smtpd_err_sleep;	/* smtpd_error_sleep_time */
extern int var_smtpd_junk_cmd_limit;	/* smtpd_junk_command_limit */
extern int var_smtpd_cconn_limit;	/* smtpd_client_connection_count_limit */
extern int var_smtpd_helo_required;	/* smtpd_helo_required */
extern int var_disable_vrfy_cmd;	/* disable_vrfy_command */
extern int var_smtpd_delay_reject;	/* smtpd_delay_reject */
extern int var_smtpd_forbid_bare_nl;	/* smtpd_forbid_bare_newline */
extern int var_smtpd_reject_unl_rcpt;	/* smtpd_reject_unlisted_recipient */
extern int var_strict_rfc821_env;	/* strict_rfc821_envelopes */
extern char *var_smtpd_client_restrictions;	/* smtpd_client_restrictions */
extern char *var_smtpd_helo_restrictions;	/* smtpd_helo_restrictions */
extern char *var_smtpd_sender_restrictions;	/* smtpd_sender_restrictions */
extern char *var_smtpd_relay_restrictions;	/* smtpd_relay_restrictions */
extern char *var_smtpd_rcpt_restrictions;	/* smtpd_recipient_restrictions */
extern char *var_smtpd_data_restrictions;	/* smtpd_data_restrictions */
extern int var_unk_local_rcpt_code;	/* unknown_local_recipient_reject_code */
extern int var_relay_code;		/* relay_domains_reject_code */
extern int var_unk_addr_code;		/* unknown_address_reject_code */
extern char *var_virt_alias_domains;	/* virtual_alias_domains (list) */
extern char *var_relay_rcpt_maps;	/* relay_recipient_maps (maps) */
extern char *var_proxy_read_maps;	/* proxy_read_maps: proxymap serves */
extern int var_smtpd_sasl_enable;	/* smtpd_sasl_auth_enable */
extern char *var_smtpd_sasl_users_maps;	/* smtpd_sasl_users_maps (maps) */
extern int var_smtpd_tls_auth_only;	/* smtpd_tls_auth_only */
extern char *var_smtpd_tls_level;	/* smtpd_tls_security_level */
extern int var_smtpd_tls_wrappermode;	/* smtpd_tls_wrappermode */
extern long var_smtpd_starttls_tmout;	/* smtpd_starttls_timeout */
extern char *var_smtpd_tls_cert_file;	/* smtpd_tls_cert_file */
extern char *var_smtpd_tls_key_file;	/* smtpd_tls_key_file */
extern char *var_smtpd_tls_CAfile;	/* smtpd_tls_CAfile */

 /*
  * SMTP client.
  */
extern char *var_smtp_helo_name;	/* smtp_helo_name */
extern char *var_smtp_tls_level;	/* smtp_tls_security_level */
extern char *var_smtp_tls_CAfile;	/* smtp_tls_CAfile */
extern char *var_smtp_tls_cert_file;	/* smtp_tls_cert_file */
extern char *var_smtp_tls_key_file;	/* smtp_tls_key_file */
extern long var_smtp_conn_tmout;	/* smtp_connect_timeout */
extern long var_smtp_helo_tmout;	/* smtp_helo_timeout */
extern long var_smtp_mail_tmout;	/* smtp_mail_timeout */
extern long var_smtp_rcpt_tmout;	/* smtp_rcpt_timeout */
extern long var_smtp_data0_tmout;	/* smtp_data_init_timeout */
extern long var_smtp_data1_tmout;	/* smtp_data_xfer_timeout */
extern long var_smtp_data2_tmout;	/* smtp_data_done_timeout */
extern long var_smtp_quit_tmout;	/* smtp_quit_timeout */
extern char *var_smtp_tls_policy_maps;	/* smtp_tls_policy_maps (maps) */
extern char *var_smtp_dns_server;	/* smtp_dns_server: tests only */
extern int var_smtp_mx_port;		/* smtp_mx_port */
extern long var_smtp_conn_cache_tlimit;	/* smtp_connection_cache_time_limit */
extern int var_disable_mime_oconv;	/* disable_mime_output_conversion */
extern int var_smtp_line_limit;		/* smtp_line_length_limit (0: none) */

 /*
  * Queue manager.
  */
extern long var_min_backoff_time;	/* minimal_backoff_time */
extern long var_max_backoff_time;	/* maximal_backoff_time */
extern long var_max_queue_time;		/* maximal_queue_lifetime */
extern long var_dsn_queue_time;		/* bounce_queue_lifetime */
extern long var_queue_run_delay;	/* queue_run_delay */
extern long var_delay_warn_time;	/* delay_warning_time */
extern int var_dest_con_limit;		/* default_destination_concurrency_limit */
extern int var_dest_rcpt_limit;		/* default_destination_recipient_limit */
extern int var_init_dest_concurrency;	/* initial_destination_concurrency */
extern int var_qmgr_active_limit;	/* qmgr_message_active_limit */
extern int var_qmgr_rcpt_limit;		/* qmgr_message_recipient_limit */
extern long var_in_flow_delay;		/* in_flow_delay */

#endif
