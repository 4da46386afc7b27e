/*
 * cleanup_state.c - the per-message state of the cleanup daemon, its
 * lookup tables, and the driver that runs the phases of one message in
 * order (see cleanup.h and docs/cleanup.md).
 *
 * The driver is here rather than in cleanup.c so that the unit tests
 * can run a whole message through it over a socketpair, without the
 * daemon skeleton.
 */
#include <stdarg.h>
#include <string.h>

#include "attr.h"
#include "cleanup.h"
#include "cleanup_proto.h"
#include "mail_flow.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "msg.h"

#define CLEANUP_FLAG_ALL	(CLEANUP_FLAG_LOCAL | CLEANUP_FLAG_BOUNCE \
				| CLEANUP_FLAG_HOLD | CLEANUP_FLAG_NOREWRITE)

/* cleanup_maps_one - open one table list, NULL when empty */

static int
cleanup_maps_one(struct maps **mp, const char *title, const char *list,
		         struct vstr *why)
{
    *mp = 0;
    if (list == 0 || *list == 0)
	return (0);
    if ((*mp = maps_create(title, list, DICT_FLAG_NONE, why)) == 0)
	return (-1);
    return (0);
}

/* cleanup_maps_open - open every table cleanup uses (before chroot) */

int
cleanup_maps_open(struct cleanup_maps *maps, struct vstr *why)
{
    memset(maps, 0, sizeof(*maps));
    if (cleanup_maps_one(&maps->send_canon, "sender_canonical_maps",
			 var_send_canon_maps, why) < 0
	|| cleanup_maps_one(&maps->rcpt_canon, "recipient_canonical_maps",
			    var_rcpt_canon_maps, why) < 0
	|| cleanup_maps_one(&maps->canon, "canonical_maps",
			    var_canonical_maps, why) < 0
	|| cleanup_maps_one(&maps->virt, "virtual_alias_maps",
			    var_virtual_alias_maps, why) < 0) {
	cleanup_maps_close(maps);
	return (-1);
    }
    return (0);
}

/* cleanup_maps_changed - was any table file rebuilt since it was opened? */

int
cleanup_maps_changed(const struct cleanup_maps *maps)
{
    return ((maps->send_canon && maps_changed(maps->send_canon))
	    || (maps->rcpt_canon && maps_changed(maps->rcpt_canon))
	    || (maps->canon && maps_changed(maps->canon))
	    || (maps->virt && maps_changed(maps->virt)));
}

/* cleanup_maps_close - release the tables */

void
cleanup_maps_close(struct cleanup_maps *maps)
{
    if (maps->send_canon)
	maps_free(maps->send_canon);
    if (maps->rcpt_canon)
	maps_free(maps->rcpt_canon);
    if (maps->canon)
	maps_free(maps->canon);
    if (maps->virt)
	maps_free(maps->virt);
    memset(maps, 0, sizeof(*maps));
}

/* cleanup_state_alloc - state for one message */

struct cleanup_state *
cleanup_state_alloc(struct vstream *src, const struct cleanup_maps *maps,
		            const char *queue_dir)
{
    struct cleanup_state *state = mymalloc(sizeof(*state));

    memset(state, 0, sizeof(*state));
    state->src = src;
    state->maps = maps;
    state->queue_dir = queue_dir;
    queue_env_init(&state->env);
    state->status = MAIL_STAT_OK;
    state->reason = vstr_alloc(100);
    state->why = vstr_alloc(100);
    state->buf = vstr_alloc(QUEUE_LINE_CHUNK);
    state->line = vstr_alloc(QUEUE_LINE_CHUNK);
    state->msgid = vstr_alloc(100);
    return (state);
}

/* cleanup_state_free - release; an uncommitted queue file is removed */

void
cleanup_state_free(struct cleanup_state *state)
{
    cleanup_out_abort(state);
    if (state->reader)
	queue_read_close(state->reader);
    if (state->hp)
	header_parse_free(state->hp);
    queue_env_free(&state->env);
    myfree(state->queue_id);
    vstr_free(state->reason);
    vstr_free(state->why);
    vstr_free(state->buf);
    vstr_free(state->line);
    vstr_free(state->msgid);
    myfree(state);
}

/* cleanup_state_error - record the first error, drop the queue file */

int
cleanup_state_error(struct cleanup_state *state, int status,
		            const char *fmt,...)
{
    va_list ap;

    if (status == MAIL_STAT_OK)
	msg_panic("cleanup_state_error: status OK");
    if (state->status == MAIL_STAT_OK) {
	state->status = status;
	vstr_reset(state->reason);
	va_start(ap, fmt);
	vstr_vsprintf_append(state->reason, fmt, ap);
	va_end(ap);
    }
    cleanup_out_abort(state);
    return (-1);
}

/* cleanup_serve_flags - the request flags that precede the stream */

static int
cleanup_serve_flags(struct cleanup_state *state)
{
    if (attr_print_protocol(state->src, MAIL_PROTO_CLEANUP) < 0)
	return (-1);
    if (attr_scan(state->src, ATTR_FLAG_STRICT,
		  RECV_ATTR_INT(MAIL_ATTR_FLAGS, &state->flags),
		  ATTR_TYPE_END) != 1)
	return (-1);
    if (state->flags & ~CLEANUP_FLAG_ALL) {
	msg_warn("cleanup: unknown request flags 0x%x", state->flags);
	return (-1);
    }
    return (0);
}

/* cleanup_serve_log - one line about the outcome */

static void
cleanup_serve_log(struct cleanup_state *state)
{
    const char *id = state->queue_id ? state->queue_id : "NOQUEUE";

    if (state->status == MAIL_STAT_OK)
	return;
    msg_info("%s: %s: %s; from=<%.300s>, nrcpt=%zu", id,
	     state->status == MAIL_STAT_REJECT ? "reject" : "defer",
	     vstr_str(state->reason),
	     state->env.sender ? state->env.sender : "",
	     state->env.rcpt_count);
}

/* cleanup_serve_broken - the client's stream is unusable: defer */

static void
cleanup_serve_broken(struct cleanup_state *state)
{
    (void) cleanup_state_error(state, MAIL_STAT_DEFER,
			       "4.3.0 Error: internal protocol error");
    cleanup_serve_log(state);
    (void) cleanup_out_reply(state);		/* the client may be gone */
    cleanup_state_free(state);
}

/*
 * cleanup_serve_flow - inflow control: one token per message that goes
 * to incoming/, waiting at most in_flow_delay for it when qmgr is behind
 * (docs/cleanup.md). Never a reason to refuse: after the wait the
 * message is queued anyway. The wait is before the commit, so a client
 * that gives up meanwhile leaves no queue file behind (no duplicate).
 */

static void
cleanup_serve_flow(struct cleanup_state *state)
{
    /* qmgr's own bounces never wait: qmgr is the one that adds tokens. */
    if (var_in_flow_delay <= 0 || state->status != MAIL_STAT_OK
	|| (state->flags & (CLEANUP_FLAG_HOLD | CLEANUP_FLAG_BOUNCE)))
	return;
    (void) mail_flow_get(var_in_flow_delay * 1000LL);
}

/* cleanup_serve - one message, from request to reply (cleanup_proto.h) */

void
cleanup_serve(struct vstream *src, const struct cleanup_maps *maps,
	              const char *queue_dir)
{
    struct cleanup_state *state = cleanup_state_alloc(src, maps, queue_dir);

    if (cleanup_serve_flags(state) < 0) {
	msg_warn("cleanup: bad request from client: dropped");
	cleanup_state_free(state);
	return;
    }
    if (cleanup_envelope(state) < 0) {
	cleanup_serve_broken(state);
	return;
    }
    (void) cleanup_out_open(state);
    if (cleanup_message(state) < 0) {
	cleanup_serve_broken(state);
	return;
    }
    cleanup_serve_flow(state);
    cleanup_out_commit(state);
    cleanup_serve_log(state);
    if (cleanup_out_reply(state) < 0)
	msg_warn("%s: cannot send the reply to the client",
		 state->queue_id ? state->queue_id : "NOQUEUE");
    if (state->status == MAIL_STAT_OK)
	cleanup_out_trigger(queue_dir);
    cleanup_state_free(state);
}
