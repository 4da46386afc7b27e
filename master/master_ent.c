/*
 * master_ent.c - master services made from master.cf entries.
 *
 * master_ent_create() makes a service (no listeners, no processes yet)
 * from a parsed master.cf entry; master_ent_update() copies the columns
 * of a changed entry into a running service at reload. The "listen
 * signature" says what the listeners are bound to (type, address,
 * private/public and, for inet, inet_interfaces and inet_protocols):
 * a reload keeps the listeners of a service whose signature did not
 * change, so that clients are not turned away.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "argv.h"
#include "mail_params.h"
#include "master_cf.h"
#include "master.h"

/* master_ent_listen_sig - what the listeners of an entry are bound to */

char   *
master_ent_listen_sig(const struct master_cf_ent *ent)
{
    struct vstr *sig = vstr_alloc(100);

    vstr_sprintf(sig, "%s %s %d", master_cf_type_name(ent->type),
		 ent->service, ent->private_);
    if (ent->type == MASTER_CF_INET)
	vstr_sprintf_append(sig, " %s %s", var_inet_interfaces,
			    var_inet_protocols);
    return (vstr_export(sig));
}

/* master_ent_copy_args - a copy of the master.cf arguments */

static struct argv *
master_ent_copy_args(const struct argv *args)
{
    struct argv *copy = argv_alloc(args->argc + 1);
    size_t  i;

    for (i = 0; i < args->argc; i++)
	argv_add(copy, args->argv[i]);
    return (copy);
}

/* master_ent_update - columns of a (changed) entry into a service */

void
master_ent_update(struct master_serv *serv, const struct master_cf_ent *ent)
{
    serv->private_ = ent->private_;
    serv->unpriv = ent->unpriv;
    serv->chroot = ent->chroot;
    serv->wakeup = ent->wakeup;
    serv->wakeup_if_used = ent->wakeup_if_used;
    serv->maxproc = ent->maxproc;
    myfree(serv->command);
    serv->command = mystrdup(ent->command);
    argv_free(serv->args);
    serv->args = master_ent_copy_args(ent->args);
    serv->next_wakeup = serv->wakeup > 0 ? master_now() + serv->wakeup : 0;
}

/* master_ent_create - a new service, no listeners or processes yet */

struct master_serv *
master_ent_create(const struct master_cf_ent *ent)
{
    struct master_serv *serv = (struct master_serv *) mycalloc(1, sizeof(*serv));

    serv->name = mystrdup(ent->service);
    serv->type = ent->type;
    serv->command = mystrdup("");
    serv->args = argv_alloc(1);
    serv->status_fd[0] = serv->status_fd[1] = -1;
    master_ent_update(serv, ent);
    serv->listen_sig = master_ent_listen_sig(ent);
    return (serv);
}

/* master_ent_free - release a service without processes or listeners */

void
master_ent_free(struct master_serv *serv)
{
    if (serv->procs)
	msg_panic("master_ent_free: service %s still has processes", serv->name);
    master_listen_close(serv);
    if (serv->status_fd[0] >= 0)
	(void) close(serv->status_fd[0]);
    if (serv->status_fd[1] >= 0)
	(void) close(serv->status_fd[1]);
    myfree(serv->name);
    myfree(serv->command);
    argv_free(serv->args);
    myfree(serv->listen_sig);
    myfree(serv);
}

/* master_ent_type - "inet", "unix", ... */

const char *
master_ent_type(const struct master_serv *serv)
{
    return (master_cf_type_name(serv->type));
}
