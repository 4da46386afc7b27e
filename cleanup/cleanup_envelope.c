/*
 * cleanup_envelope.c - the envelope phase of cleanup: read the envelope
 * records from the client with the hostile-input queue reader, then
 * build the envelope of the new queue file: client information copied,
 * the sender and every recipient rewritten (cleanup_addr.c), recipients
 * expanded through virtual_alias_maps, duplicates removed (the first
 * one, with its ORCPT and NOTIFY, is kept), and an ORCPT added for a
 * recipient whose address was changed (docs/cleanup.md).
 */
#include <search.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "cleanup_proto.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "msg.h"
#include "rec_type.h"

#define CLEANUP_ORCPT_TYPE	"rfc822;"

/* cleanup_env_copy - the fields cleanup keeps as they are */

static void
cleanup_env_copy(struct queue_env *out, const struct queue_env *in)
{
#define DUP(s)	((s) ? mystrdup(s) : 0)

    /* out->arrival stays: the time cleanup received the message. */
    out->client_name = DUP(in->client_name);
    out->client_addr = DUP(in->client_addr);
    out->helo = DUP(in->helo);
    out->protocol = DUP(in->protocol);
    out->sasl_user = DUP(in->sasl_user);
    out->flags = in->flags;
    out->dsn_ret = in->dsn_ret;
    out->dsn_envid = DUP(in->dsn_envid);
}

/* cleanup_env_cmp - duplicate test for tsearch() */

static int
cleanup_env_cmp(const void *a, const void *b)
{
    return (strcasecmp((const char *) a, (const char *) b));
}

/* cleanup_env_nofree - tdestroy() callback: keys belong to the envelope */

static void
cleanup_env_nofree(void *key UNUSED)
{
}

/* cleanup_env_sender - rewrite and check the sender */

static void
cleanup_env_sender(struct cleanup_state *state, const char *sender)
{
    struct vstr *addr = vstr_alloc(100);

    vstr_strcpy(addr, sender);
    if (state->flags & CLEANUP_FLAG_NOREWRITE)
	cleanup_addr_qualify(addr);
    else if (cleanup_addr_canon(state->maps, 1, addr, state->why) < 0)
	(void) cleanup_state_error(state, MAIL_STAT_DEFER, "%s",
				   vstr_str(state->why));
    if (queue_field_ok(REC_TYPE_SENDER, vstr_str(addr), vstr_len(addr),
		       state->why) < 0)
	(void) cleanup_state_error(state, MAIL_STAT_REJECT,
				   "5.1.7 Error: bad sender address");
    state->env.sender = vstr_export(addr);
}

/* cleanup_env_add - one final recipient, unless it is a duplicate */

static void
cleanup_env_add(struct cleanup_state *state, void **seen, const char *addr,
		        const struct queue_rcpt *orig)
{
    struct vstr *orcpt = 0;
    const char *use = orig->orcpt;
    void  **node;

    if (queue_field_ok(REC_TYPE_RCPT, addr, strlen(addr), state->why) < 0) {
	(void) cleanup_state_error(state, MAIL_STAT_REJECT,
				   "5.1.3 Error: bad recipient address");
	return;
    }
    if (tfind(addr, seen, cleanup_env_cmp) != 0)
	return;
    if (use == 0 && strcmp(addr, orig->address) != 0) {
	orcpt = vstr_alloc(100);
	vstr_sprintf(orcpt, "%s%s", CLEANUP_ORCPT_TYPE, orig->address);
	if (queue_field_ok(REC_TYPE_DSN_ORCPT, vstr_str(orcpt),
			   vstr_len(orcpt), 0) == 0)
	    use = vstr_str(orcpt);
    }
    queue_env_add_rcpt(&state->env, addr, use, orig->notify);
    node = tsearch(state->env.rcpt[state->env.rcpt_count - 1].address,
		   seen, cleanup_env_cmp);
    if (node == 0)
	msg_fatal("cleanup: out of memory");
    if (orcpt)
	vstr_free(orcpt);
}

/* cleanup_env_rcpt - rewrite and expand one recipient */

static void
cleanup_env_rcpt(struct cleanup_state *state, void **seen,
		         const struct queue_rcpt *orig)
{
    struct vstr *addr = vstr_alloc(100);
    struct argv *list = argv_alloc(1);
    size_t  i;

    vstr_strcpy(addr, orig->address);
    if (state->flags & CLEANUP_FLAG_NOREWRITE) {
	cleanup_addr_qualify(addr);
	argv_add(list, vstr_str(addr));
    } else if (cleanup_addr_canon(state->maps, 0, addr, state->why) < 0) {
	(void) cleanup_state_error(state, MAIL_STAT_DEFER, "%s",
				   vstr_str(state->why));
    } else if (state->maps->virt == 0) {
	argv_add(list, vstr_str(addr));
    } else if (cleanup_addr_virtual(state->maps->virt, vstr_str(addr), list,
				    state->why) < 0) {
	(void) cleanup_state_error(state, MAIL_STAT_DEFER, "%s",
				   vstr_str(state->why));
    }
    for (i = 0; state->status == MAIL_STAT_OK && i < list->argc; i++)
	cleanup_env_add(state, seen, list->argv[i], orig);
    argv_free(list);
    vstr_free(addr);
}

/* cleanup_envelope - read, check and rewrite the envelope */

int
cleanup_envelope(struct cleanup_state *state)
{
    struct queue_env in;
    void   *seen = 0;
    size_t  i;

    state->reader = queue_read_stream(state->src);
    if (queue_read_envelope(state->reader, &in, state->why) < 0) {
	msg_warn("cleanup: bad envelope from client: %s", vstr_str(state->why));
	return (-1);
    }
    state->declared = in.size;
    cleanup_env_copy(&state->env, &in);
    cleanup_env_sender(state, in.sender);
    for (i = 0; state->status == MAIL_STAT_OK && i < in.rcpt_count; i++) {
	if (in.rcpt[i].done) {
	    msg_warn("cleanup: client sent a finished recipient: ignored");
	    continue;
	}
	cleanup_env_rcpt(state, &seen, in.rcpt + i);
    }
    if (state->status == MAIL_STAT_OK && state->env.rcpt_count == 0)
	(void) cleanup_state_error(state, MAIL_STAT_REJECT,
				   "5.1.3 Error: no recipients");
    tdestroy(seen, cleanup_env_nofree);
    queue_env_free(&in);
    return (0);
}
