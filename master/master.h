/*
 * master.h - the postern master: services, their processes, and the
 *	modules that share them.
 *
 * SYNOPSIS
 *	#include "master.h"
 *
 * DESCRIPTION
 *	One struct master_serv per master.cf entry, with its listening
 *	descriptors, its status pipe and its pool of processes
 *	(struct master_proc). The modules:
 *
 *	master_ent.c	services from master.cf; compare and update (reload)
 *	master_listen.c	listeners: inet, unix (private/, public/), fifo
 *	master_spawn.c	fork + execve a child; reap; throttle
 *	master_avail.c	status pipe reports; watch listeners; wakeups
 *	master_status.c	the status file queue_directory/pid/master.status
 *	master_lock.c	the pid lock file queue_directory/pid/master.pid
 *	master_sig.c	signals through a self-pipe
 *	master_loop.c	the poll(2) event loop, reload, stop and abort
 *	master_vars.c	the global state below, master_now()
 *	master_flow.c	the inflow control pipe every child inherits
 *	master.c	main(): options, configuration, daemon mode
 *
 *	The master is single-threaded; signal handlers only write a byte
 *	to the self-pipe, all work happens in the event loop. Times for
 *	timers are CLOCK_MONOTONIC seconds with a fraction (master_now()).
 *
 * SECURITY
 *	Everything a child reports is hostile: a status from a pid that is
 *	not a process of that service is ignored, and a child can do no
 *	more than make the master fork up to maxproc processes of its own
 *	service, with throttling after each abnormal exit.
 */
#ifndef MASTER_H
#define MASTER_H

#include <sys/types.h>
#include <time.h>

#include "sys_defs.h"
#include "argv.h"
#include "vstr.h"
#include "master_cf.h"

#define MASTER_LISTEN_BACKLOG	1024	/* listen(2) queue */
#define MASTER_STOP_WAIT	10	/* seconds before SIGKILL at stop */
#define MASTER_STATUS_MIN_GAP	0.2	/* seconds between status files */

 /*
  * One child process.
  */
struct master_proc {
    pid_t   pid;
    struct master_serv *serv;
    int     avail;			/* counted in serv->avail_count */
    int     retiring;			/* SIGTERM sent: old config or stop */
    long    uses;			/* TAKEN reports */
    time_t  started;			/* wall clock */
    struct master_proc *next;		/* serv->procs list */
};

 /*
  * One service.
  */
struct master_serv {
    char   *name;			/* master.cf service column */
    int     type;			/* MASTER_CF_INET etc. */
    int     private_;
    int     unpriv;
    int     chroot;
    int     wakeup;			/* seconds, 0 = none */
    int     wakeup_if_used;
    int     maxproc;			/* 0 = no limit */
    char   *command;			/* program in daemon_directory */
    struct argv *args;			/* master.cf arguments */
    char   *listen_sig;			/* what the listeners are bound to */
    char   *path;			/* unix/fifo endpoint, or NULL */
    int    *listen_fds;
    int     listen_count;
    int     status_fd[2];		/* status pipe: [0] read, [1] write */
    unsigned char status_buf[sizeof(pid_t) + sizeof(int)];
    size_t  status_len;			/* partial report */
    struct master_proc *procs;
    int     total_count;		/* not retiring */
    int     avail_count;		/* not retiring, available */
    int     used;			/* a client was ever taken */
    int     removed;			/* gone from master.cf */
    int     mark;			/* reload: still in master.cf */
    int     throttle_delay;		/* seconds, 0 = not throttled */
    double  throttle_until;		/* master_now() */
    double  last_abnormal;		/* master_now() */
    double  next_wakeup;		/* master_now(), 0 = none */
    struct master_serv *next;
};

 /*
  * Global state (master_vars.c).
  */
extern struct master_serv *master_services;
extern const char *master_config_dir;
extern char *master_queue_dir;
extern char *master_daemon_dir;
extern uid_t master_owner_uid;
extern gid_t master_owner_gid;
extern gid_t master_setgid_gid;
extern int master_foreground;
extern time_t master_start_time;

 /*
  * master_vars.c
  */
extern double master_now(void);

 /*
  * master_ent.c
  */
extern struct master_serv *master_ent_create(const struct master_cf_ent *);
extern void master_ent_update(struct master_serv *,
			              const struct master_cf_ent *);
extern char *master_ent_listen_sig(const struct master_cf_ent *);
extern void master_ent_free(struct master_serv *);
extern const char *master_ent_type(const struct master_serv *);

 /*
  * master_listen.c
  */
extern int master_listen_open(struct master_serv *, struct vstr *);
extern void master_listen_close(struct master_serv *);

 /*
  * master_flow.c
  */
extern int master_flow_pipe[2];
extern void master_flow_init(void);

 /*
  * master_spawn.c
  */
extern int master_spawn(struct master_serv *);
extern void master_throttle(struct master_serv *);
extern void master_reap(void);
extern void master_signal_children(struct master_serv *, int, int);
extern struct master_proc *master_proc_find(struct master_serv *, pid_t);
extern int master_proc_count(void);

 /*
  * master_avail.c
  */
extern int master_avail_wanted(const struct master_serv *, double);
extern void master_avail_status(struct master_serv *);
extern void master_avail_listen(struct master_serv *);
extern void master_avail_set(struct master_proc *, int);
extern void master_wakeup(struct master_serv *, double);

 /*
  * master_status.c
  */
extern void master_status_dirty(void);
extern double master_status_due(double);
extern void master_status_write(double);
extern void master_status_remove(void);

 /*
  * master_lock.c
  */
extern int master_lock_open(const char *, struct vstr *);
extern int master_lock_ready(void);
extern void master_lock_close(void);
extern void master_lock_remove(void);

 /*
  * master_sig.c
  */
extern int master_sig_init(void);
extern int master_sig_fd(void);
extern int master_sig_next(void);
extern void master_sig_reset(void);

 /*
  * master_loop.c
  */
extern NORETURN master_loop(void);
extern int master_reload(void);
extern int master_services_start(struct master_cf *, int);

#endif
