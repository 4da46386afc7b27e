/*
 * admin.h - the subcommands of the postern administration tool.
 *
 * SYNOPSIS
 *	extern const char *admin_config_dir;
 *	int	cmd_NAME_main(int argc, char **argv);
 *
 * DESCRIPTION
 *	admin/postern.c resolves the configuration directory (-c DIR, else
 *	$POSTERN_CONFIG, else DEF_CONFIG_DIR) into admin_config_dir, then
 *	calls the subcommand with argv[0] set to the subcommand name.
 *	A subcommand returns the process exit status (0 success, 1 "not
 *	found" where documented, other values for errors); it writes
 *	data to stdout and errors to stderr.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <sys/types.h>

extern const char *admin_config_dir;

extern int cmd_conf_main(int, char **);		/* cmd_conf.c */
extern int cmd_check_main(int, char **);	/* cmd_check.c */
extern int cmd_map_main(int, char **);		/* cmd_map.c */
extern int cmd_aliases_main(int, char **);	/* cmd_map.c */
extern int cmd_start_main(int, char **);	/* cmd_start.c */
extern int cmd_stop_main(int, char **);		/* cmd_start.c */
extern int cmd_reload_main(int, char **);	/* cmd_start.c */
extern int cmd_abort_main(int, char **);	/* cmd_start.c */
extern int cmd_status_main(int, char **);	/* cmd_status.c */
extern int cmd_passwd_main(int, char **);	/* cmd_passwd.c */

 /*
  * cmd_master.c: the running master (pid lock file), shared by the above.
  */
extern const char *cmd_master_queue_dir(void);
extern pid_t cmd_master_pid(const char *, int *);
extern int cmd_master_wait_gone(const char *, int);
extern void cmd_master_last_log(const char *);

#endif
