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

#include <stddef.h>
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
extern int cmd_queue_main(int, char **);	/* cmd_queue.c */
extern int cmd_flush_main(int, char **);	/* cmd_flush.c */
extern int cmd_delete_main(int, char **);	/* cmd_delete.c */
extern int cmd_super_main(int, char **);	/* cmd_super.c: hold release requeue */
extern int cmd_cat_main(int, char **);		/* cmd_cat.c */

 /*
  * cmd_master.c: the running master (pid lock file), shared by the above.
  */
extern const char *cmd_master_queue_dir(void);
extern pid_t cmd_master_pid(const char *, int *);
extern int cmd_master_wait_gone(const char *, int);
extern void cmd_master_last_log(const char *);

 /*
  * cmd_queue.c, cmd_flush.c, cmd_delete.c: the queue commands' parts
  * (see docs/queue-admin.md; the queue walker is queue_scan.h).
  * cmd_queue_list() writes the mailq text or the JSON lines of every
  * queue to a stream, cmd_queue_select() only the messages that the
  * selectors choose (queue_select.h); cmd_queue_json_quote() appends
  * bytes as the inside of a JSON string (invalid UTF-8 becomes \ufffd);
  * cmd_queue_printable() appends text with control characters and
  * invalid UTF-8 replaced by '?'. cmd_flush_queue() makes one deferred
  * message (queue_id) or all (NULL) due and returns how many;
  * cmd_flush_trigger() pokes public/qmgr. cmd_delete_one() returns 1
  * (removed), 0 (not in the queue) or -1; cmd_delete_all() the number
  * removed or -1; cmd_delete_stream() the number of errors. Failures
  * return -1 with a reason in the vstr argument.
  */
struct vstr;
struct vstream;
extern int cmd_queue_list(const char *, int, struct vstream *, struct vstr *);
struct queue_select;
extern int cmd_queue_select(const char *, int, const struct queue_select *,
			            struct vstream *, struct vstr *);
extern void cmd_queue_json_quote(struct vstr *, const char *, size_t);
extern void cmd_queue_printable(struct vstr *, const char *);
extern long cmd_flush_queue(const char *, const char *, struct vstr *);
extern int cmd_flush_trigger(const char *, struct vstr *);
extern int cmd_delete_one(const char *, const char *, struct vstr *);
extern long cmd_delete_all(const char *, struct vstr *);
extern int cmd_delete_stream(const char *, struct vstream *, long *);

 /*
  * cmd_super.c, cmd_requeue.c: hold, release, requeue and selected
  * delete (docs/queue-admin.md). cmd_super_run() acts on the messages
  * chosen by a parsed struct queue_select and returns the exit status.
  * cmd_super_move() renames a message from one queue to another (due:
  * mtime now) and returns 1, 0 (not there) or -1. cmd_super_trigger()
  * sends qmgr one request byte. cmd_requeue_one() submits a message to
  * cleanup again: 1 with the new ID, 0 (gone) or -1.
  */
extern int cmd_super_run(const char *, struct queue_select *);
extern int cmd_super_move(const char *, const char *, const char *,
			          const char *, int, struct vstr *);
extern int cmd_super_trigger(const char *, int, struct vstr *);
extern int cmd_requeue_one(const char *, const char *, const char *,
			           struct vstr *, struct vstr *);

#endif
