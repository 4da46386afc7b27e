/*
 * master_loop.c - the master's event loop, and what the signals ask of
 *	it: reload (SIGHUP), orderly stop (SIGTERM; SIGINT in the
 *	foreground) and abort (SIGQUIT).
 *
 * Each turn polls the signal self-pipe, every status pipe and the
 * listeners of the services that need a process (master_avail.c), with
 * a timeout set by the nearest timer: a wakeup, the end of a throttle,
 * the status file, the stop deadline.
 *
 * Reload re-reads main.cf and master.cf (a bad file keeps the running
 * configuration), closes the listeners of removed services, reopens the
 * listeners of services whose address changed, creates added services,
 * and asks every old process to finish its client and exit (SIGTERM).
 * Such retiring processes no longer count against maxproc, so new
 * processes with the new configuration start on demand at once.
 * Stop closes every listener and sends SIGTERM, then SIGKILL after
 * MASTER_STOP_WAIT seconds; abort sends SIGKILL at once. Either way
 * the master waits for its children, removes the pid and status files
 * and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "iostuff.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "master_cf.h"
#include "master.h"

static int master_stopping;		/* 0, or the signal */
static double master_kill_time;		/* when to SIGKILL */

/* master_serv_open - listeners and status pipe of a new service */

static int
master_serv_open(struct master_serv *serv, struct vstr *why)
{
    if (master_listen_open(serv, why) < 0)
	return (-1);
    if (pipe2(serv->status_fd, O_CLOEXEC) < 0
	|| non_blocking(serv->status_fd[0], NON_BLOCKING) < 0) {
	vstr_sprintf(why, "status pipe: %m");
	master_listen_close(serv);
	return (-1);
    }
    return (0);
}

/* master_serv_append - add at the end (master.cf order) */

static void
master_serv_append(struct master_serv *serv)
{
    struct master_serv **sp;

    for (sp = &master_services; *sp; sp = &(*sp)->next)
	 /* void */ ;
    *sp = serv;
}

/* master_serv_add - create and open one service; startup: fatal */

static void
master_serv_add(const struct master_cf_ent *ent, int startup)
{
    struct vstr *why = vstr_alloc(100);
    struct master_serv *serv = master_ent_create(ent);

    if (master_serv_open(serv, why) < 0) {
	if (startup)
	    msg_fatal("%s:%d: service %s/%s: %s", ent->file, ent->line,
		      serv->name, master_ent_type(serv), vstr_str(why));
	msg_warn("%s:%d: service %s/%s not started: %s", ent->file,
		 ent->line, serv->name, master_ent_type(serv), vstr_str(why));
	master_ent_free(serv);
    } else {
	master_serv_append(serv);
	if (serv->wakeup > 0 && !serv->wakeup_if_used)
	    (void) master_spawn(serv);
    }
    vstr_free(why);
}

/* master_services_start - every service of master.cf */

int
master_services_start(struct master_cf *cf, int startup)
{
    size_t  i;

    for (i = 0; i < cf->count; i++)
	master_serv_add(cf->ents + i, startup);
    return (0);
}

/* master_serv_find - a live service by name and type */

static struct master_serv *
master_serv_find(const char *name, int type)
{
    struct master_serv *serv;

    for (serv = master_services; serv; serv = serv->next)
	if (!serv->removed && serv->type == type && strcmp(serv->name, name) == 0)
	    return (serv);
    return (0);
}

/* master_serv_remove - close listeners, retire processes */

static void
master_serv_remove(struct master_serv *serv)
{
    msg_info("service %s/%s removed", serv->name, master_ent_type(serv));
    master_listen_close(serv);
    master_signal_children(serv, SIGTERM, 1);
    serv->removed = 1;
}

/* master_serv_gc - free removed services whose processes are gone */

static void
master_serv_gc(void)
{
    struct master_serv **sp;
    struct master_serv *serv;

    for (sp = &master_services; (serv = *sp) != 0; /* below */ ) {
	if (serv->removed && serv->procs == 0) {
	    *sp = serv->next;
	    master_ent_free(serv);
	} else {
	    sp = &serv->next;
	}
    }
}

/* master_reload_report - mail_params_check() callback */

static void
master_reload_report(const char *file, int line, int severity,
		             const char *text, void *ctx UNUSED)
{
    if (severity == MAIL_PARAMS_ERROR)
	msg_warn("reload: %s:%d: %s", file ? file : mail_conf_path(), line, text);
}

/* master_reload_conf - re-read both files; NULL: keep the old ones */

static struct master_cf *
master_reload_conf(void)
{
    struct vstr *err = vstr_alloc(100);
    struct master_cf *cf = 0;

    if (mail_conf_read(master_config_dir, err) < 0)
	msg_warn("reload: %s", vstr_str(err));
    else if (mail_params_check(master_reload_report, 0) > 0)
	msg_warn("reload: %s has errors", mail_conf_path());
    else if ((mail_params_init(), master_cf_read(master_config_dir, &cf, err)) < 0)
	msg_warn("reload: %s", vstr_str(err));
    vstr_free(err);
    if (cf == 0) {
	msg_warn("reload refused: the running configuration stays in force");
	return (0);
    }
    if (strcmp(var_queue_dir, master_queue_dir) != 0
	|| strcmp(var_daemon_dir, master_daemon_dir) != 0)
	msg_warn("reload: queue_directory and daemon_directory changes take"
		 " effect only after \"postern stop\" and \"postern start\"");
    if (*var_maillog_file && msg_set_maillog(var_maillog_file) < 0)
	msg_warn("reload: maillog_file %s: %m", var_maillog_file);
    return (cf);
}

/* master_reload_keep - a service that stays: update, renew processes */

static void
master_reload_keep(struct master_serv *serv, const struct master_cf_ent *ent)
{
    struct vstr *why = vstr_alloc(100);
    char   *sig = master_ent_listen_sig(ent);

    if (strcmp(sig, serv->listen_sig) != 0) {
	master_listen_close(serv);
	myfree(serv->listen_sig);
	serv->listen_sig = sig;
	sig = 0;
	if (master_listen_open(serv, why) < 0) {
	    msg_warn("%s:%d: service %s/%s: %s", ent->file, ent->line,
		     serv->name, master_ent_type(serv), vstr_str(why));
	    master_serv_remove(serv);
	}
    }
    myfree(sig);
    if (!serv->removed) {
	master_ent_update(serv, ent);
	master_signal_children(serv, SIGTERM, 1);
	serv->throttle_delay = 0;
	serv->throttle_until = 0;
	if (serv->wakeup > 0 && !serv->wakeup_if_used)
	    (void) master_spawn(serv);
    }
    vstr_free(why);
}

/* master_reload - SIGHUP */

int
master_reload(void)
{
    struct master_serv *serv;
    struct master_cf *cf;
    size_t  i;

    msg_info("reload -- configuration %s", master_config_dir);
    if ((cf = master_reload_conf()) == 0)
	return (-1);
    for (serv = master_services; serv; serv = serv->next)
	serv->mark = 0;
    for (i = 0; i < cf->count; i++)
	if ((serv = master_serv_find(cf->ents[i].service, cf->ents[i].type)) != 0)
	    serv->mark = 1;
    for (serv = master_services; serv; serv = serv->next)
	if (!serv->removed && !serv->mark)
	    master_serv_remove(serv);
    for (i = 0; i < cf->count; i++) {
	if ((serv = master_serv_find(cf->ents[i].service, cf->ents[i].type)) != 0)
	    master_reload_keep(serv, cf->ents + i);
	else {
	    msg_info("service %s/%s added", cf->ents[i].service,
		     master_cf_type_name(cf->ents[i].type));
	    master_serv_add(cf->ents + i, 0);
	}
    }
    master_cf_free(cf);
    master_status_dirty();
    return (0);
}

/* master_stop_begin - SIGTERM/SIGINT (children finish) or SIGQUIT */

static void
master_stop_begin(int sig)
{
    struct master_serv *serv;
    int     kill_sig = (sig == SIGQUIT) ? SIGKILL : SIGTERM;

    if (master_stopping == SIGQUIT || master_stopping == sig)
	return;
    msg_info("%s on signal %s", sig == SIGQUIT ? "abort" : "terminating",
	     sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
    master_stopping = sig;
    for (serv = master_services; serv; serv = serv->next) {
	master_listen_close(serv);
	master_signal_children(serv, kill_sig, 1);
	serv->removed = 1;
    }
    master_kill_time = master_now() + (sig == SIGQUIT ? 0 : MASTER_STOP_WAIT);
}

/* master_stop_check - SIGKILL stragglers; exit when all are gone */

static void
master_stop_check(double now)
{
    static int killed;
    struct master_serv *serv;

    if (master_proc_count() > 0 && now >= master_kill_time && !killed) {
	if (master_stopping != SIGQUIT)
	    msg_warn("%d process(es) still running after %d s: SIGKILL",
		     master_proc_count(), MASTER_STOP_WAIT);
	for (serv = master_services; serv; serv = serv->next)
	    master_signal_children(serv, SIGKILL, 1);
	killed = 1;
    }
    if (master_proc_count() == 0 || now >= master_kill_time + 10) {
	master_status_remove();
	master_lock_remove();
	msg_info("master exiting");
	exit(0);
    }
}

/* master_signal - act on one signal from the self-pipe */

static void
master_signal(int sig)
{
    switch (sig) {
    case SIGCHLD:
	master_reap();
	break;
    case SIGHUP:
	if (!master_stopping)
	    (void) master_reload();
	break;
    case SIGINT:
	if (!master_foreground)
	    break;
	/* FALLTHROUGH */
    case SIGTERM:
    case SIGQUIT:
	master_stop_begin(sig);
	break;
    }
}

/* master_timeout - milliseconds until the nearest timer (max 1 s) */

static int
master_timeout(double now)
{
    struct master_serv *serv;
    double  next = now + 1.0;
    double  due;

    for (serv = master_services; serv; serv = serv->next) {
	if (serv->removed)
	    continue;
	if (serv->wakeup > 0 && serv->next_wakeup < next)
	    next = serv->next_wakeup;
	if (serv->throttle_until > now && serv->throttle_until < next)
	    next = serv->throttle_until;
    }
    if ((due = master_status_due(now)) > 0 && due < next)
	next = due;
    if (master_stopping && master_kill_time < next)
	next = master_kill_time;
    return (next <= now ? 0 : (int) ((next - now) * 1000) + 1);
}

 /*
  * The descriptors of one poll() call, and whose they are.
  */
struct master_pfds {
    struct pollfd *pfd;
    struct master_serv **serv;
    int    *is_listen;
    size_t  count;
    size_t  cap;
};

/* master_pfd_add - one more descriptor to poll */

static void
master_pfd_add(struct master_pfds *p, int fd, struct master_serv *serv,
	               int is_listen)
{
    if (p->count == p->cap) {
	p->cap = p->cap ? p->cap * 2 : 64;
	p->pfd = (struct pollfd *) myrealloc(p->pfd, p->cap * sizeof(*p->pfd));
	p->serv = (struct master_serv **) myrealloc(p->serv, p->cap * sizeof(*p->serv));
	p->is_listen = (int *) myrealloc(p->is_listen, p->cap * sizeof(int));
    }
    p->pfd[p->count].fd = fd;
    p->pfd[p->count].events = POLLIN;
    p->pfd[p->count].revents = 0;
    p->serv[p->count] = serv;
    p->is_listen[p->count] = is_listen;
    p->count++;
}

/* master_pfd_build - what to watch this turn */

static void
master_pfd_build(struct master_pfds *p, double now)
{
    struct master_serv *serv;
    int     i;

    p->count = 0;
    master_pfd_add(p, master_sig_fd(), 0, 0);
    for (serv = master_services; serv; serv = serv->next) {
	if (serv->status_fd[0] >= 0)
	    master_pfd_add(p, serv->status_fd[0], serv, 0);
	if (!master_stopping && master_avail_wanted(serv, now))
	    for (i = 0; i < serv->listen_count; i++)
		master_pfd_add(p, serv->listen_fds[i], serv, 1);
    }
}

/* master_loop - run until stopped */

void
master_loop(void)
{
    struct master_pfds p;
    struct master_serv *serv;
    double  now;
    size_t  i;
    int     sig;

    memset(&p, 0, sizeof(p));
    for (;;) {
	now = master_now();
	if (master_stopping)
	    master_stop_check(now);
	for (serv = master_services; serv && !master_stopping; serv = serv->next)
	    master_wakeup(serv, now);
	if (master_status_due(now) > 0 && master_status_due(now) <= now)
	    master_status_write(now);
	master_pfd_build(&p, now);
	if (poll(p.pfd, p.count, master_timeout(now)) < 0) {
	    if (errno == EINTR)
		continue;
	    msg_fatal("poll: %m");
	}
	for (i = 1; i < p.count; i++) {
	    if ((p.pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) == 0)
		continue;
	    if (p.is_listen[i])
		master_avail_listen(p.serv[i]);
	    else
		master_avail_status(p.serv[i]);
	}
	if (p.pfd[0].revents & POLLIN)
	    while ((sig = master_sig_next()) != 0)
		master_signal(sig);
	master_serv_gc();
    }
}
