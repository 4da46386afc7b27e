/*
 * local.h - the local and virtual delivery agent: shared state and the
 *	functions of each phase (the local/ files).
 *
 * SYNOPSIS
 *	#include "local.h"
 *
 *	The message (deliver.c):
 *	int	local_msg_open(struct local_msg *msg, const char *path,
 *			struct vstr *why);
 *	void	local_msg_close(struct local_msg *msg);
 *	int	local_msg_looped(const struct local_msg *msg, const char *addr);
 *	int	local_msg_copy(const struct local_msg *msg, int fd,
 *			const char *delivered_to, int flags, off_t limit,
 *			struct vstr *why);
 *	void	local_result_set(struct local_result *res, int status,
 *			const char *dsn, const char *fmt, ...);
 *	void	local_result_merge(struct local_result *into,
 *			const struct local_result *from);
 *
 *	Recipients (recipient.c, alias.c, dotforward.c, include.c):
 *	void	local_deliver_rcpt(struct local_msg *msg,
 *			struct local_tables *tab, const char *address,
 *			struct local_result *res);
 *	void	local_recipient(struct local_state *state);
 *	int	local_alias(struct local_state *state);
 *	int	local_alias_split(const char *value, struct argv *out);
 *	void	local_expand_list(struct local_state *state, const char *text,
 *			int exp_type, const struct local_priv *owner);
 *	void	local_user(struct local_state *state,
 *			const struct local_priv *user);
 *	int	local_dotforward(struct local_state *state,
 *			const struct local_priv *user,
 *			struct local_mbox_job *job);
 *	void	local_include(struct local_state *state, const char *path);
 *
 *	Destinations (mailbox.c, maildir.c, file.c, command.c, forward.c):
 *	void	local_mailbox(struct local_state *state,
 *			const struct local_priv *user);
 *	void	local_mailbox_plan(struct local_state *state,
 *			const struct local_priv *user,
 *			struct local_mbox_job *job);
 *	int	local_mailbox_ready(const struct local_mbox_job *job);
 *	int	local_mailbox_job_child(void *job, struct vstr *data,
 *			struct vstr *why);
 *	int	local_mbox_append(const struct local_msg *msg, int fd,
 *			const char *delivered_to, int flags, off_t limit,
 *			struct vstr *why);
 *	int	local_dotlock(const char *path, struct vstr *why);
 *	void	local_dotlock_release(const char *path);
 *	int	local_maildir_deliver(const struct local_msg *msg,
 *			const char *dir, const char *delivered_to,
 *			off_t limit, struct vstr *name, struct vstr *why);
 *	int	local_maildir_name(struct vstr *out, const char *host);
 *	void	local_file(struct local_state *state, const char *path);
 *	void	local_command(struct local_state *state, const char *command);
 *	void	local_command_env(struct argv *env, const struct local_state *,
 *			const struct local_priv *owner);
 *	int	local_command_status(int status, int timed_out,
 *			const char *output, struct local_result *res,
 *			const char *command);
 *	void	local_forward(struct local_state *state, const char *address);
 *
 *	Privilege (local_priv.c) and the command spawn helper (local_spawn.c):
 *	int	local_priv_user(struct local_priv *priv, const char *name,
 *			struct vstr *why);
 *	int	local_priv_uid(struct local_priv *priv, uid_t uid,
 *			struct vstr *why);
 *	int	local_priv_default(struct local_priv *priv, struct vstr *why);
 *	void	local_priv_free(struct local_priv *priv);
 *	int	local_priv_drop(const struct local_priv *priv, struct vstr *why);
 *	int	local_child_run(const struct local_priv *priv,
 *			local_child_fn fn, void *ctx, struct vstr *data,
 *			struct vstr *why);
 *	int	local_spawn_start(struct vstr *why);
 *	int	local_spawn_alive(void);
 *	int	local_spawn_request(const struct local_spawn_req *req,
 *			struct local_spawn_reply *reply, struct vstr *why);
 *
 * DESCRIPTION
 *	local receives delivery requests from qmgr (util/deliver_proto.h,
 *	read, answered and logged with util/deliver_request.c, relay
 *	LOCAL_RELAY), resolves each recipient (virtual mailbox, alias,
 *	~/.forward, mailbox) and delivers the message; docs/local.md has
 *	the model.
 *
 *	Results: struct local_result holds the status (MAIL_STAT_OK,
 *	_DEFER, _BOUNCE), the DSN code and a reason. A recipient that
 *	expands to several destinations gets the worst result of them:
 *	DEFER before BOUNCE before OK.
 *
 *	local_child_run() forks a child that drops to priv for good
 *	(local_priv_drop) and then calls fn(ctx, data, why), whose int
 *	result, reason and data (bounded) come back to the parent over a
 *	pipe. It returns fn's result, or -1 with why set when the child
 *	could not run or died.
 *
 * SECURITY
 *	Every file of a recipient is opened in such a child, never by the
 *	root parent. Commands are run by the spawn helper (a process
 *	forked before the seccomp filter), never through a shell string
 *	built from mail data.
 */
#ifndef LOCAL_H
#define LOCAL_H

#include <sys/types.h>

#include "argv.h"
#include "deliver_request.h"
#include "dict.h"
#include "maps.h"
#include "vstr.h"
#include "vstream.h"
#include "sys_defs.h"

#define LOCAL_RELAY		"local"
#define LOCAL_DEPTH_MAX		20	/* alias/forward/include levels */
#define LOCAL_DEST_MAX		1000	/* destinations per recipient */
#define LOCAL_FILE_MAX		(256 * 1024)	/* .forward, :include: bytes */
#define LOCAL_DELIVERED_MAX	1000	/* Delivered-To headers looked at */
#define LOCAL_OUTPUT_MAX	1024	/* command output kept */
#define LOCAL_WHY_MAX		400	/* reason text sent to qmgr */
#define LOCAL_LOCK_STALE	500	/* seconds: a dotlock is stale */

#define LOCAL_EXP_NONE		0	/* the recipient itself */
#define LOCAL_EXP_ALIAS		(1<<0)	/* allow_mail_to_* class "alias" */
#define LOCAL_EXP_FORWARD	(1<<1)	/* "forward" */
#define LOCAL_EXP_INCLUDE	(1<<2)	/* "include" */

#define LOCAL_SKIP_ALIAS	(1<<0)	/* no alias lookup */
#define LOCAL_SKIP_FORWARD	(1<<1)	/* no .forward */

#define LOCAL_READ_FORWARD	1	/* local_read_file() kinds */
#define LOCAL_READ_INCLUDE	2

#define LOCAL_COPY_FROM		(1<<0)	/* "From sender date" first */
#define LOCAL_COPY_QUOTE	(1<<1)	/* ">From " for "From " lines */
#define LOCAL_COPY_BLANK	(1<<2)	/* a blank line at the end */

#define LOCAL_COPY_ERR_WRITE	(-1)	/* local_msg_copy(): errno set */
#define LOCAL_COPY_ERR_READ	(-2)	/* queue file trouble */
#define LOCAL_COPY_ERR_LIMIT	(-3)	/* size limit reached */

#define LOCAL_MBOX_DOTLOCK	(1<<0)	/* the child takes the dotlock */
#define LOCAL_MBOX_FCNTL	(1<<1)	/* fcntl lock */
#define LOCAL_MBOX_OWNER	(1<<2)	/* must be owned by the user */
#define LOCAL_MBOX_NOEXEC	(1<<3)	/* refuse a file with x bits */

 /*
  * Tables and lists opened in pre_init.
  */
struct local_alias_table {
    struct dict *dict;
    uid_t   owner;			/* owner of its file, 0: root/none */
};

struct local_tables {
    struct local_alias_table *alias;	/* alias_maps, one by one */
    size_t  alias_count;
    struct maps *vmailbox;		/* virtual_mailbox_maps */
    struct maps *vuid;			/* virtual_uid_maps */
    struct maps *vgid;			/* virtual_gid_maps */
    struct argv *mydest;		/* mydestination: plain names */
    struct maps *mydest_maps;		/* mydestination: tables */
    struct argv *vdomains;		/* virtual_mailbox_domains names */
    struct maps *vdomain_maps;		/* virtual_mailbox_domains tables */
    int     allow_commands;		/* LOCAL_EXP_* mask */
    int     allow_files;		/* LOCAL_EXP_* mask */
};

 /*
  * The message being delivered: the queue file (read only, opened by the
  * root parent, inherited by children) and what its headers say.
  */
struct local_msg {
    const struct deliver_request *req;
    const char *queue_id;
    const char *sender;			/* "" = null sender */
    time_t  arrival;
    int     fd;				/* queue file */
    struct argv *delivered;		/* Delivered-To values, lowercase */
};

 /*
  * Privileges of a delivery: the recipient, or the owner of an alias
  * table, .forward or :include: file.
  */
struct local_priv {
    uid_t   uid;
    gid_t   gid;
    char   *name;
    char   *home;
};

struct local_result {
    int     status;			/* MAIL_STAT_* */
    struct vstr *dsn;			/* "2.0.0" */
    struct vstr *why;			/* "delivered to maildir" */
    int     count;			/* destinations handled */
};

 /*
  * One step of the expansion of one recipient. parent links the chain
  * back to the recipient that qmgr sent (loop detection).
  */
struct local_state {
    struct local_msg *msg;
    struct local_tables *tab;
    const char *orig_rcpt;		/* as qmgr sent it */
    struct local_state *parent;
    struct vstr *address;		/* user+ext@domain, lowercase domain */
    struct vstr *user;			/* local part without extension */
    struct vstr *extension;		/* "" when none */
    struct vstr *domain;		/* "" when none */
    int     level;			/* expansion depth */
    int     exp_type;			/* LOCAL_EXP_* of this address */
    int     skip;			/* LOCAL_SKIP_* */
    int     owner_root;			/* owner's rights come from root */
    const struct local_priv *owner;	/* rights for |cmd and /file */
    struct argv *done;			/* destinations delivered (dups) */
    struct local_result *result;	/* shared by the whole expansion */
};

 /*
  * The spawn helper protocol (local_spawn.c).
  */
struct local_spawn_req {
    uid_t   uid;
    gid_t   gid;
    const char *command;		/* /bin/sh -c COMMAND */
    const char *home;			/* working directory */
    const struct argv *env;		/* NAME=VALUE */
    int     input_fd;			/* the message, seekable */
    long    time_limit;
};

struct local_spawn_reply {
    int     status;			/* exit status, or -signal */
    int     timed_out;
    struct vstr *output;		/* bounded, printable */
};

struct local_mbox_ctx {			/* local_mbox_child() */
    const struct local_msg *msg;
    const char *path;
    const char *delivered_to;
    int     flags;			/* LOCAL_MBOX_* */
    off_t   limit;			/* 0: none */
};

struct local_mbox_job {			/* a user's mailbox delivery */
    struct vstr *path;			/* mbox file or Maildir (no '/') */
    int     maildir;
    int     spool;			/* in mail_spool_directory */
    struct local_mbox_ctx mc;
};

 /*
  * What the .forward + mailbox child (dotforward.c) reports besides a
  * mailbox delivery's MAIL_STAT_*.
  */
#define LOCAL_FWD_NONE		16	/* no usable .forward */
#define LOCAL_FWD_FOUND		17	/* data: "UID\n" + the .forward */
#define LOCAL_FWD_TROUBLE	18	/* cannot read one: why */

typedef int (*local_child_fn) (void *, struct vstr *, struct vstr *);

extern struct local_tables local_tables;
extern const char *const local_syscalls[];
extern int local_lock_tries;		/* lock attempts, 1 s apart */

 /*
  * deliver.c
  */
extern int local_msg_open(struct local_msg *, const char *, struct vstr *);
extern void local_msg_close(struct local_msg *);
extern int local_msg_looped(const struct local_msg *, const char *);
extern int local_msg_copy(const struct local_msg *, int, const char *, int,
			          off_t, struct vstr *);
extern void local_result_init(struct local_result *);
extern void local_result_free(struct local_result *);
extern void PRINTFLIKE(4, 5) local_result_set(struct local_result *, int,
					              const char *, const char *,...);
extern void local_result_merge(struct local_result *,
			               const struct local_result *);
extern void local_result_text(struct local_result *, int, const char *);
extern int local_child_status(int);

 /*
  * recipient.c, alias.c, dotforward.c, include.c
  */
extern void local_deliver_rcpt(struct local_msg *, struct local_tables *,
			               const char *, struct local_result *);
extern void local_recipient(struct local_state *);
extern int local_domain_match(struct argv *, struct maps *, const char *);
extern int local_split_address(struct local_state *, const char *);
extern void local_state_child(struct local_state *, struct local_state *, int,
			              const struct local_priv *);
extern void local_state_free(struct local_state *);
extern int local_is_dup(struct local_state *, const char *, const char *);
extern int local_was_done(struct local_state *, const char *, const char *);
extern int local_alias(struct local_state *);
extern int local_alias_split(const char *, struct argv *);
extern void local_expand_list(struct local_state *, const char *, int,
			              const struct local_priv *);
extern int local_dotforward(struct local_state *, const struct local_priv *,
			             struct local_mbox_job *);
extern void local_user(struct local_state *, const struct local_priv *);
extern void local_include(struct local_state *, const char *);
extern int local_read_file(const struct local_priv *, const char *, int,
			           struct vstr *, uid_t *, struct vstr *);
extern int local_read_here(const char *, int, struct vstr *, struct vstr *);
extern int local_read_parse(const char *, struct vstr *, uid_t *,
			            struct vstr *);
extern int local_virtual(struct local_state *);

 /*
  * mailbox.c, maildir.c, file.c, command.c, forward.c
  */
extern void local_mailbox(struct local_state *, const struct local_priv *);
extern void local_mailbox_plan(struct local_state *, const struct local_priv *,
			               struct local_mbox_job *);
extern void local_mailbox_plan_free(struct local_mbox_job *);
extern int local_mailbox_ready(const struct local_mbox_job *);
extern int local_mailbox_job_child(void *, struct vstr *, struct vstr *);
extern void local_mailbox_result(struct local_state *,
			               const struct local_mbox_job *, int,
				         struct vstr *);
extern int local_mbox_append(const struct local_msg *, int, const char *,
			             int, off_t, struct vstr *);
extern int local_mbox_child(void *, struct vstr *, struct vstr *);
extern int local_errno_status(int, struct vstr *);
extern int local_lock_mask(void);
extern int local_dotlock(const char *, struct vstr *);
extern void local_dotlock_release(const char *);
extern int local_maildir_deliver(const struct local_msg *, const char *,
				         const char *, off_t, struct vstr *,
				         struct vstr *);
extern int local_maildir_name(struct vstr *, const char *);
extern void local_file(struct local_state *, const char *);
extern void local_command(struct local_state *, const char *);
extern void local_command_env(struct argv *, const struct local_state *,
			              const struct local_priv *);
extern void local_env_value(struct vstr *, const char *);
extern int local_command_status(int, int, const char *, struct local_result *,
				        const char *);
extern void local_forward(struct local_state *, const char *);

 /*
  * local_priv.c, local_spawn.c
  */
extern int local_priv_user(struct local_priv *, const char *, struct vstr *);
extern int local_priv_uid(struct local_priv *, uid_t, struct vstr *);
extern int local_priv_default(struct local_priv *, struct vstr *);
extern void local_priv_copy(struct local_priv *, const struct local_priv *);
extern void local_priv_free(struct local_priv *);
extern int local_priv_drop(const struct local_priv *, struct vstr *);
extern int local_child_run(const struct local_priv *, local_child_fn, void *,
			           struct vstr *, struct vstr *);
extern int local_spawn_start(struct vstr *);
extern int local_spawn_request(const struct local_spawn_req *,
			               struct local_spawn_reply *, struct vstr *);
extern int local_spawn_alive(void);
extern int local_spawn_validate(const struct local_spawn_req *, uid_t,
				        struct vstr *);

#endif
