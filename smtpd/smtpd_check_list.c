/*
 * smtpd_check_list.c - restriction lists: the keyword table, parsing a
 * smtpd_*_restrictions value once at start-up, and evaluating it.
 *
 * A list is evaluated left to right; the first restriction that
 * permits ends the list (the next list still runs), the first that
 * rejects ends the whole check. "warn_if_reject" turns the rejection
 * of the restriction after it into a log line. An empty list, or one
 * that runs out, has no objection. Keywords and their meaning follow
 * Postfix's postconf(5); the unknown is a fatal configuration error.
 */
#include <poll.h>
#include <string.h>
#include <strings.h>

#include "smtpd_check_int.h"
#include "dict.h"
#include "mymalloc.h"
#include "msg.h"

#define SMTPD_CHECK_DEPTH_MAX	1	/* access result -> restriction */

struct smtpd_check_word {
    const char *name;
    enum smtpd_check_op op;
    int     table;			/* takes a type:name argument */
};

static const struct smtpd_check_word smtpd_check_words[] = {
    {"permit", SMTPD_OP_PERMIT, 0},
    {"reject", SMTPD_OP_REJECT, 0},
    {"defer", SMTPD_OP_DEFER, 0},
    {"dunno", SMTPD_OP_DUNNO, 0},
    {"warn_if_reject", SMTPD_OP_WARN_IF_REJECT, 0},
    {"permit_mynetworks", SMTPD_OP_PERMIT_MYNETWORKS, 0},
    {"permit_sasl_authenticated", SMTPD_OP_PERMIT_SASL, 0},
    {"reject_unauth_destination", SMTPD_OP_REJECT_UNAUTH_DEST, 0},
    {"defer_unauth_destination", SMTPD_OP_DEFER_UNAUTH_DEST, 0},
    {"permit_auth_destination", SMTPD_OP_PERMIT_AUTH_DEST, 0},
    {"reject_unknown_recipient_domain", SMTPD_OP_REJECT_UNKNOWN_RCPT_DOMAIN, 0},
    {"reject_unknown_sender_domain", SMTPD_OP_REJECT_UNKNOWN_SENDER_DOMAIN, 0},
    {"reject_non_fqdn_sender", SMTPD_OP_REJECT_NON_FQDN_SENDER, 0},
    {"reject_non_fqdn_recipient", SMTPD_OP_REJECT_NON_FQDN_RCPT, 0},
    {"reject_non_fqdn_helo_hostname", SMTPD_OP_REJECT_NON_FQDN_HELO, 0},
    {"reject_non_fqdn_hostname", SMTPD_OP_REJECT_NON_FQDN_HELO, 0},
    {"reject_invalid_helo_hostname", SMTPD_OP_REJECT_INVALID_HELO, 0},
    {"reject_invalid_hostname", SMTPD_OP_REJECT_INVALID_HELO, 0},
    {"reject_unauth_pipelining", SMTPD_OP_REJECT_UNAUTH_PIPELINING, 0},
    {"reject_unlisted_recipient", SMTPD_OP_REJECT_UNLISTED_RCPT, 0},
    {"check_client_access", SMTPD_OP_CHECK_CLIENT, 1},
    {"check_helo_access", SMTPD_OP_CHECK_HELO, 1},
    {"check_sender_access", SMTPD_OP_CHECK_SENDER, 1},
    {"check_recipient_access", SMTPD_OP_CHECK_RCPT, 1},
};

static const struct smtpd_check_word *smtpd_check_word_find(const char *);
static int smtpd_check_pipelining(struct smtpd_check_ctx *);
static int smtpd_check_op_eval(struct smtpd_check_ctx *,
			               const struct smtpd_check_rule *);

/* smtpd_check_word_find - keyword lookup */

static const struct smtpd_check_word *
smtpd_check_word_find(const char *name)
{
    size_t  i;

    for (i = 0; i < ARRAY_LEN(smtpd_check_words); i++)
	if (strcasecmp(smtpd_check_words[i].name, name) == 0)
	    return (smtpd_check_words + i);
    return (0);
}

/* smtpd_check_list_parse - compile a restriction list; fatal on errors */

void
smtpd_check_list_parse(struct smtpd_check_list *list, const char *name,
		               const char *value)
{
    struct vstr *tok = vstr_alloc(64);
    struct vstr *why = vstr_alloc(64);
    const struct smtpd_check_word *word;
    const char *cp = value;
    int     cap = 0;
    int     st;

    memset(list, 0, sizeof(*list));
    list->name = mystrdup(name);
    while ((st = dict_list_token(&cp, tok, why)) > 0) {
	if ((word = smtpd_check_word_find(vstr_str(tok))) == 0)
	    msg_fatal("%s: unknown restriction \"%.100s\"", name, vstr_str(tok));
	if (list->count >= cap) {
	    cap = cap ? 2 * cap : 8;
	    list->v = myrealloc(list->v, cap * sizeof(*list->v));
	}
	list->v[list->count].op = word->op;
	list->v[list->count].maps = 0;
	if (word->table) {
	    if (dict_list_token(&cp, tok, why) <= 0
		|| strchr(vstr_str(tok), ':') == 0)
		msg_fatal("%s: %s needs a type:name table argument",
			  name, word->name);
	    list->v[list->count].maps =
		smtpd_check_maps_open(name, vstr_str(tok));
	}
	list->count++;
    }
    if (st < 0)
	msg_fatal("%s: %s", name, vstr_str(why));
    vstr_free(tok);
    vstr_free(why);
}

/* smtpd_check_list_free - release a compiled list */

void
smtpd_check_list_free(struct smtpd_check_list *list)
{
    int     i;

    for (i = 0; i < list->count; i++)
	if (list->v[i].maps)
	    maps_free(list->v[i].maps);
    if (list->v)
	myfree(list->v);
    if (list->name)
	myfree(list->name);
    memset(list, 0, sizeof(*list));
}

/* smtpd_check_list_guarded - does the list stop relaying by itself? */

int
smtpd_check_list_guarded(const struct smtpd_check_list *list)
{
    int     i;

    for (i = 0; i < list->count; i++) {
	switch (list->v[i].op) {
	case SMTPD_OP_REJECT_UNAUTH_DEST:
	case SMTPD_OP_DEFER_UNAUTH_DEST:
	case SMTPD_OP_REJECT:
	case SMTPD_OP_DEFER:
	    if (i > 0 && list->v[i - 1].op == SMTPD_OP_WARN_IF_REJECT)
		continue;
	    return (1);
	default:
	    break;
	}
    }
    return (0);
}

/* smtpd_check_pipelining - input that came before our reply? */

static int
smtpd_check_pipelining(struct smtpd_check_ctx *ctx)
{
    struct smtpd_state *state = ctx->state;
    struct pollfd pfd;
    int     early = 0;

    /*
     * After EHLO the client was offered PIPELINING and may send ahead,
     * except after DATA: the message must wait for our 354 (RFC 2920).
     */
    if (state->client == 0)
	return (SMTPD_CHECK_DUNNO);
    if (state->esmtp && strcmp(ctx->verb, "DATA") != 0)
	return (SMTPD_CHECK_DUNNO);
    if (vstream_pending(state->client) > 0) {
	early = 1;
    } else if ((pfd.fd = vstream_fd(state->client)) >= 0) {
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN))
	    early = 1;
    }
    if (!early)
	return (SMTPD_CHECK_DUNNO);
    return (smtpd_check_reject(ctx, 503, "5.5.0", ctx->verb, 0,
			       "Improper use of SMTP command pipelining"));
}

/* smtpd_check_op_eval - one restriction */

static int
smtpd_check_op_eval(struct smtpd_check_ctx *ctx,
		            const struct smtpd_check_rule *rule)
{
    struct smtpd_state *state = ctx->state;

    switch (rule->op) {
    case SMTPD_OP_PERMIT:
	return (SMTPD_CHECK_OK);
    case SMTPD_OP_REJECT:
	return (smtpd_check_reject(ctx, 554, "5.7.1", ctx->what, ctx->class,
				   "Access denied"));
    case SMTPD_OP_DEFER:
	return (smtpd_check_reject(ctx, 450, "4.7.1", ctx->what, ctx->class,
				   "Access denied"));
    case SMTPD_OP_DUNNO:
    case SMTPD_OP_WARN_IF_REJECT:
	return (SMTPD_CHECK_DUNNO);
    case SMTPD_OP_PERMIT_MYNETWORKS:
	return (cidr_match_addr(smtpd_check_cfg.mynetworks, state->client_addr)
		? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO);
    case SMTPD_OP_PERMIT_SASL:
	return (state->sasl_username != 0 ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO);
    case SMTPD_OP_REJECT_UNAUTH_DEST:
    case SMTPD_OP_DEFER_UNAUTH_DEST:
    case SMTPD_OP_PERMIT_AUTH_DEST:
	return (smtpd_check_unauth_dest(ctx, rule->op));
    case SMTPD_OP_REJECT_UNKNOWN_RCPT_DOMAIN:
    case SMTPD_OP_REJECT_UNKNOWN_SENDER_DOMAIN:
	return (smtpd_check_unknown_domain(ctx, rule->op));
    case SMTPD_OP_REJECT_NON_FQDN_SENDER:
    case SMTPD_OP_REJECT_NON_FQDN_RCPT:
	return (smtpd_check_non_fqdn(ctx, rule->op));
    case SMTPD_OP_REJECT_NON_FQDN_HELO:
    case SMTPD_OP_REJECT_INVALID_HELO:
	return (smtpd_check_helo_name(ctx, rule->op));
    case SMTPD_OP_REJECT_UNAUTH_PIPELINING:
	return (smtpd_check_pipelining(ctx));
    case SMTPD_OP_REJECT_UNLISTED_RCPT:
	return (ctx->rcpt ? smtpd_check_rcpt_maps(ctx) : SMTPD_CHECK_DUNNO);
    case SMTPD_OP_CHECK_CLIENT:
	return (smtpd_check_access(ctx, rule->maps, SMTPD_CHECK_ACL_CLIENT));
    case SMTPD_OP_CHECK_HELO:
	return (smtpd_check_access(ctx, rule->maps, SMTPD_CHECK_ACL_HELO));
    case SMTPD_OP_CHECK_SENDER:
	return (smtpd_check_access(ctx, rule->maps, SMTPD_CHECK_ACL_SENDER));
    case SMTPD_OP_CHECK_RCPT:
	return (smtpd_check_access(ctx, rule->maps, SMTPD_CHECK_ACL_RCPT));
    }
    msg_panic("smtpd_check_op_eval: unknown operator %d", (int) rule->op);
}

/* smtpd_check_list_eval - run a list until a decision */

int
smtpd_check_list_eval(struct smtpd_check_ctx *ctx,
		              const struct smtpd_check_list *list)
{
    int     i;
    int     st;

    for (i = 0; i < list->count; i++) {
	ctx->warn = (i > 0 && list->v[i - 1].op == SMTPD_OP_WARN_IF_REJECT);
	st = smtpd_check_op_eval(ctx, list->v + i);
	ctx->warn = 0;
	if (st != SMTPD_CHECK_DUNNO)
	    return (st);
    }
    return (SMTPD_CHECK_DUNNO);
}

/* smtpd_check_word_eval - restrictions named in an access table value */

int
smtpd_check_word_eval(struct smtpd_check_ctx *ctx, const char *words)
{
    struct vstr *tok = vstr_alloc(64);
    struct vstr *why = vstr_alloc(64);
    const struct smtpd_check_word *word;
    struct smtpd_check_rule rule;
    const char *cp = words;
    int     st = SMTPD_CHECK_DUNNO;
    int     warn = 0;

    /*
     * Only keywords without a table argument: tables cannot be opened
     * here, inside the chroot. One level deep, so no table value can
     * recurse.
     */
    if (ctx->depth >= SMTPD_CHECK_DEPTH_MAX) {
	msg_warn("access table value \"%.100s\": nested too deeply", words);
	st = -1;
    }
    while (st == SMTPD_CHECK_DUNNO && dict_list_token(&cp, tok, why) > 0) {
	if ((word = smtpd_check_word_find(vstr_str(tok))) == 0 || word->table) {
	    msg_warn("access table value: unknown or unsupported"
		     " restriction \"%.100s\"", vstr_str(tok));
	    st = -1;
	    break;
	}
	rule.op = word->op;
	rule.maps = 0;
	ctx->depth++;
	ctx->warn = warn;
	st = smtpd_check_op_eval(ctx, &rule);
	ctx->warn = 0;
	ctx->depth--;
	warn = (word->op == SMTPD_OP_WARN_IF_REJECT);
    }
    vstr_free(tok);
    vstr_free(why);
    return (st);
}
