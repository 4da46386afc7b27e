/*
 * qmgr_message.c - a queue file in memory: its envelope read with the
 * queue-file reader (hostile input), one state per recipient, and the
 * routing of its undelivered recipients into entries, one per
 * destination and at most default_destination_recipient_limit (and
 * DEL_REQ_RCPT_MAX) recipients each.
 *
 * The list of messages in memory and the recipient count live here:
 * they bound qmgr's memory (qmgr_message_active_limit,
 * qmgr_message_recipient_limit; see qmgr_active_full()).
 */
#include <errno.h>
#include <string.h>

#include "qmgr.h"
#include "deliver_proto.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "msg.h"
#include "mymalloc.h"

struct qmgr_message *qmgr_message_list;
int     qmgr_message_count;
size_t  qmgr_rcpt_count;

struct qmgr_group {
    struct qmgr_queue *queue;
    struct qmgr_entry *entry;
};

/* qmgr_message_link - into the list of messages in memory */

static void
qmgr_message_link(struct qmgr_message *m)
{
    m->prev = 0;
    if ((m->next = qmgr_message_list) != 0)
	m->next->prev = m;
    qmgr_message_list = m;
    qmgr_message_count++;
    qmgr_rcpt_count += m->env.rcpt_count;
}

/* qmgr_message_read - read active/H/ID; NULL: see *corrupt */

struct qmgr_message *
qmgr_message_read(const char *queue_id, int *corrupt, struct vstr *why)
{
    struct vstr *path = vstr_alloc(64);
    struct queue_reader *r;
    struct qmgr_message *m;
    size_t  i;

    *corrupt = 0;
    if (mail_queue_path(path, MAIL_QUEUE_ACTIVE, queue_id) < 0) {
	*corrupt = 1;
	vstr_free(path);
	(void) vstr_fail(why, "bad queue ID");
	return (0);
    }
    if ((r = queue_read_open(vstr_str(path), 0, why)) == 0) {
	/* ENOENT: gone (postern delete); ELOOP, EINVAL: not a file. */
	*corrupt = (errno == ENOENT) ? 0 : (errno == ELOOP || errno == EINVAL) ? 1 : -1;
	vstr_free(path);
	return (0);
    }
    vstr_free(path);
    m = mycalloc(1, sizeof(*m));
    if (queue_read_envelope(r, &m->env, why) < 0) {
	queue_read_close(r);
	myfree(m);
	*corrupt = 1;
	return (0);
    }
    queue_read_close(r);
    m->queue_id = mystrdup(queue_id);
    m->rstate = mycalloc(m->env.rcpt_count ? m->env.rcpt_count : 1,
			 sizeof(*m->rstate));
    for (i = 0; i < m->env.rcpt_count; i++)
	if ((m->rstate[i].state = m->env.rcpt[i].done ? QMGR_RCPT_DONE :
	     QMGR_RCPT_QUEUED) == QMGR_RCPT_QUEUED)
	    m->queued++;
    qmgr_message_link(m);
    return (m);
}

/* qmgr_entry_free - release an entry (not its message) */

void
qmgr_entry_free(struct qmgr_entry *e)
{
    myfree(e->rcpt);
    myfree(e);
}

/* qmgr_message_free - forget a message */

void
qmgr_message_free(struct qmgr_message *m)
{
    size_t  i;

    if (m->prev)
	m->prev->next = m->next;
    else if (qmgr_message_list == m)
	qmgr_message_list = m->next;
    if (m->next)
	m->next->prev = m->prev;
    qmgr_message_count--;
    qmgr_rcpt_count -= m->env.rcpt_count;
    for (i = 0; i < m->env.rcpt_count; i++) {
	if (m->rstate[i].dsn)
	    myfree(m->rstate[i].dsn);
	if (m->rstate[i].why)
	    myfree(m->rstate[i].why);
    }
    myfree(m->rstate);
    queue_env_free(&m->env);
    myfree(m->queue_id);
    myfree(m);
}

/* qmgr_message_group - the open entry of this message for a queue */

static struct qmgr_entry *
qmgr_message_group(struct qmgr_message *m, struct qmgr_group **groups,
		           size_t *count, struct qmgr_queue *q, size_t limit)
{
    struct qmgr_group *g;
    size_t  i;

    for (i = 0; i < *count; i++)
	if ((*groups)[i].queue == q)
	    break;
    if (i == *count) {
	*groups = myrealloc(*groups, (*count + 1) * sizeof(**groups));
	(*groups)[(*count)++].queue = q;
	(*groups)[i].entry = 0;
    }
    g = *groups + i;
    if (g->entry && g->entry->count >= limit) {
	qmgr_queue_add(q, g->entry);
	g->entry = 0;
    }
    if (g->entry == 0) {
	g->entry = mycalloc(1, sizeof(*g->entry));
	g->entry->message = m;
	g->entry->rcpt = mymalloc(limit * sizeof(size_t));
    }
    return (g->entry);
}

/* qmgr_message_route - every undelivered recipient to an entry */

int
qmgr_message_route(struct qmgr_message *m)
{
    struct vstr *transport = vstr_alloc(20);
    struct vstr *nexthop = vstr_alloc(64);
    struct vstr *why = vstr_alloc(64);
    struct qmgr_group *groups = 0;
    struct qmgr_entry *e;
    size_t  ngroups = 0;
    size_t  limit = var_dest_rcpt_limit < DEL_REQ_RCPT_MAX ?
    (size_t) var_dest_rcpt_limit : DEL_REQ_RCPT_MAX;
    size_t  i;

    m->loading = 1;
    for (i = 0; i < m->env.rcpt_count; i++)
	if (m->rstate[i].state == QMGR_RCPT_QUEUED)
	    m->pending++;
    for (i = 0; i < m->env.rcpt_count; i++) {
	if (m->rstate[i].state != QMGR_RCPT_QUEUED)
	    continue;
	if (qmgr_route(m->env.rcpt[i].address, transport, nexthop, why) < 0) {
	    qmgr_log_rcpt(m, i, "none", "4.3.0", "deferred", vstr_str(why));
	    qmgr_done_rcpt_defer(m, i, "4.3.0", vstr_str(why));
	    qmgr_done_release(m, 1);
	    continue;
	}
	e = qmgr_message_group(m, &groups, &ngroups,
			       qmgr_queue_find(vstr_str(transport),
					       vstr_str(nexthop)), limit);
	e->rcpt[e->count++] = i;
    }
    for (i = 0; i < ngroups; i++)
	if (groups[i].entry)
	    qmgr_queue_add(groups[i].queue, groups[i].entry);
    if (groups)
	myfree(groups);
    vstr_free(transport);
    vstr_free(nexthop);
    vstr_free(why);
    m->loading = 0;
    if (m->pending == 0) {
	qmgr_done_message(m);
	return (1);
    }
    return (0);
}
