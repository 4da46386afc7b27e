/*
 * smtpd_check.c - the public side of smtpd's access restrictions (see
 * smtpd_check.h): opening every table before chroot, and running the
 * restriction lists at the right SMTP stage.
 *
 * With smtpd_delay_reject=yes the client, HELO and sender lists are run
 * at RCPT time (Postfix semantics: a client that is rejected still gets
 * to say who it is and whom it wants to mail, which makes the log
 * useful and keeps broken clients from looping on 5xx greetings). At
 * RCPT, smtpd_relay_restrictions and then smtpd_recipient_restrictions
 * must both not reject, then the recipient must exist
 * (smtpd_check_rcpt.c). The lists are evaluated by smtpd_check_list.c.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpd_check.h"
#include "smtpd_check_int.h"
#include "dict.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "msg.h"

#define SMTPD_CHECK_WHAT_MAX	300	/* reply object, bytes */
#define SMTPD_CHECK_REPLY_MAX	500	/* whole reply line, bytes */

struct smtpd_check_cfg smtpd_check_cfg;

static void smtpd_check_printable(struct vstr *, const char *, size_t);
static void smtpd_check_ctx_init(struct smtpd_check_ctx *,
				         struct smtpd_state *, const char *,
				         struct vstr *);
static int smtpd_check_done(struct smtpd_check_ctx *, int);
static int smtpd_check_delayed(struct smtpd_check_ctx *);

/* smtpd_check_maps_open - open a table list, via proxy: where needed */

struct maps *
smtpd_check_maps_open(const char *title, const char *list)
{
    struct vstr *out = vstr_alloc(100);
    struct vstr *tok = vstr_alloc(100);
    struct vstr *why = vstr_alloc(100);
    const char *cp = list;
    struct maps *maps;
    int     st;

    /*
     * unix:passwd.byname reads /etc/passwd (and may load NSS modules),
     * which neither the chroot nor smtpd's seccomp allow-list permits:
     * such tables are always asked through the proxymap service. File
     * tables are opened here, before chroot, and keep working.
     */
    while ((st = dict_list_token(&cp, tok, why)) > 0) {
	if (vstr_len(out))
	    vstr_addch(out, ' ');
	if (smtpd_check_cfg.proxy_wrap
	    && strncmp(vstr_str(tok), "unix:", 5) == 0)
	    vstr_strcat(out, "proxy:");
	vstr_strcat(out, vstr_str(tok));
    }
    if (st < 0)
	msg_fatal("%s: %s", title, vstr_str(why));
    if ((maps = maps_create(title, vstr_str(out), DICT_FLAG_NONE, why)) == 0)
	msg_fatal("%s", vstr_str(why));
    vstr_free(out);
    vstr_free(tok);
    vstr_free(why);
    return (maps);
}

/* smtpd_check_init - prepare every list and table, before chroot */

int
smtpd_check_init(void)
{
    struct smtpd_check_cfg *cfg = &smtpd_check_cfg;
    struct vstr *why = vstr_alloc(100);

    memset(cfg, 0, sizeof(*cfg));
    cfg->proxy_wrap = 1;
    if ((cfg->mynetworks = cidr_match_create(var_mynetworks, why)) == 0)
	msg_fatal("mynetworks: %s", vstr_str(why));
    cfg->our_addrs = smtpd_check_our_addrs(var_inet_interfaces);
    cfg->mydest = smtpd_check_dlist_create("mydestination", var_mydestination);
    cfg->valias_domains = smtpd_check_dlist_create("virtual_alias_domains",
						   var_virt_alias_domains);
    cfg->vmbox_domains = smtpd_check_dlist_create("virtual_mailbox_domains",
						  var_virt_mailbox_domains);
    cfg->relay_domains = smtpd_check_dlist_create("relay_domains",
						  var_relay_domains);
    cfg->local_rcpt_maps = smtpd_check_maps_open("local_recipient_maps",
						 var_local_rcpt_maps);
    cfg->valias_maps = smtpd_check_maps_open("virtual_alias_maps",
					     var_virtual_alias_maps);
    cfg->vmbox_maps = smtpd_check_maps_open("virtual_mailbox_maps",
					    var_virt_mailbox_maps);
    cfg->relay_rcpt_maps = smtpd_check_maps_open("relay_recipient_maps",
						 var_relay_rcpt_maps);
    smtpd_check_list_parse(&cfg->client, "smtpd_client_restrictions",
			   var_smtpd_client_restrictions);
    smtpd_check_list_parse(&cfg->helo, "smtpd_helo_restrictions",
			   var_smtpd_helo_restrictions);
    smtpd_check_list_parse(&cfg->sender, "smtpd_sender_restrictions",
			   var_smtpd_sender_restrictions);
    smtpd_check_list_parse(&cfg->relay, "smtpd_relay_restrictions",
			   var_smtpd_relay_restrictions);
    smtpd_check_list_parse(&cfg->rcpt, "smtpd_recipient_restrictions",
			   var_smtpd_rcpt_restrictions);
    smtpd_check_list_parse(&cfg->data, "smtpd_data_restrictions",
			   var_smtpd_data_restrictions);

    /*
     * Never an open relay by accident (Postfix refuses to start too).
     */
    if (!smtpd_check_list_guarded(&cfg->relay)
	&& !smtpd_check_list_guarded(&cfg->rcpt))
	msg_fatal("in parameter smtpd_relay_restrictions or"
		  " smtpd_recipient_restrictions, specify at least one of:"
		  " reject_unauth_destination, defer_unauth_destination,"
		  " reject, defer");
    (void) smtpd_check_dns_init();
    vstr_free(why);
    return (0);
}

/* smtpd_check_printable - bounded copy, control characters as '?' */

static void
smtpd_check_printable(struct vstr *out, const char *s, size_t max)
{
    size_t  n;

    for (n = 0; s[n] && n < max; n++) {
	unsigned char ch = (unsigned char) s[n];

	vstr_addch(out, (ch < 0x20 || ch == 0x7f) ? '?' : ch);
    }
    if (s[n])
	vstr_strcat(out, "...");
}

/* smtpd_check_reject - format the reply, or only warn */

int
smtpd_check_reject(struct smtpd_check_ctx *ctx, int code, const char *dsn,
		           const char *what, const char *class,
		           const char *fmt,...)
{
    va_list ap;

    vstr_sprintf(ctx->reply, "%d %s <", code, dsn);
    smtpd_check_printable(ctx->reply, what ? what : "", SMTPD_CHECK_WHAT_MAX);
    vstr_strcat(ctx->reply, ">: ");
    if (class)
	vstr_sprintf_append(ctx->reply, "%s rejected: ", class);
    va_start(ap, fmt);
    vstr_vsprintf_append(ctx->reply, fmt, ap);
    va_end(ap);
    if (vstr_len(ctx->reply) > SMTPD_CHECK_REPLY_MAX)
	vstr_truncate(ctx->reply, SMTPD_CHECK_REPLY_MAX);
    if (ctx->warn) {
	msg_info("NOQUEUE: reject_warning: %s from %s: %s",
		 ctx->verb, smtpd_check_client_what(ctx), vstr_str(ctx->reply));
	vstr_reset(ctx->reply);
	return (SMTPD_CHECK_DUNNO);
    }
    return (SMTPD_CHECK_REJECT);
}

/* smtpd_check_client_what - "name[addr]" of the client */

const char *
smtpd_check_client_what(struct smtpd_check_ctx *ctx)
{
    struct smtpd_state *state = ctx->state;

    if (vstr_len(ctx->client_what) == 0)
	vstr_sprintf(ctx->client_what, "%s[%s]",
		     state->client_name ? state->client_name : "unknown",
		     state->client_addr ? state->client_addr : "unknown");
    return (vstr_str(ctx->client_what));
}

/* smtpd_check_ctx_init - a context for one check */

static void
smtpd_check_ctx_init(struct smtpd_check_ctx *ctx, struct smtpd_state *state,
		             const char *verb, struct vstr *reply)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->state = state;
    ctx->verb = verb;
    ctx->helo = state->helo_name;
    ctx->sender = state->sender;
    ctx->reply = reply;
    ctx->client_what = vstr_alloc(64);
    vstr_reset(reply);
}

/* smtpd_check_done - the SMTP code of a rejection, or 0 */

static int
smtpd_check_done(struct smtpd_check_ctx *ctx, int status)
{
    const char *cp = vstr_str(ctx->reply);
    int     code = 0;

    vstr_free(ctx->client_what);
    if (status != SMTPD_CHECK_REJECT) {
	vstr_reset(ctx->reply);
	return (0);
    }
    if (vstr_len(ctx->reply) >= 3 && (cp[0] == '4' || cp[0] == '5')
	&& isdigit((unsigned char) cp[1]) && isdigit((unsigned char) cp[2]))
	code = (cp[0] - '0') * 100 + (cp[1] - '0') * 10 + (cp[2] - '0');
    if (code == 0) {
	msg_warn("smtpd_check: malformed reply \"%.100s\"", cp);
	vstr_strcpy(ctx->reply, "451 4.3.5 Server configuration error");
	code = 451;
    }
    return (code);
}

/* smtpd_check_client - smtpd_client_restrictions at connect time */

int
smtpd_check_client(struct smtpd_state *state, struct vstr *reply)
{
    struct smtpd_check_ctx ctx;

    vstr_reset(reply);
    if (var_smtpd_delay_reject)
	return (0);
    smtpd_check_ctx_init(&ctx, state, "CONNECT", reply);
    ctx.what = smtpd_check_client_what(&ctx);
    ctx.class = "Client host";
    return (smtpd_check_done(&ctx, smtpd_check_list_eval(&ctx,
						 &smtpd_check_cfg.client)));
}

/* smtpd_check_helo - smtpd_helo_restrictions at HELO/EHLO time */

int
smtpd_check_helo(struct smtpd_state *state, const char *helo,
		         struct vstr *reply)
{
    struct smtpd_check_ctx ctx;

    vstr_reset(reply);
    if (var_smtpd_delay_reject)
	return (0);
    smtpd_check_ctx_init(&ctx, state, "HELO", reply);
    ctx.helo = ctx.what = helo;
    ctx.class = "Helo command";
    return (smtpd_check_done(&ctx, smtpd_check_list_eval(&ctx,
						   &smtpd_check_cfg.helo)));
}

/* smtpd_check_mail - smtpd_sender_restrictions at MAIL time */

int
smtpd_check_mail(struct smtpd_state *state, const char *sender,
		         struct vstr *reply)
{
    struct smtpd_check_ctx ctx;

    vstr_reset(reply);
    if (var_smtpd_delay_reject)
	return (0);
    smtpd_check_ctx_init(&ctx, state, "MAIL", reply);
    ctx.sender = ctx.what = sender;
    ctx.class = "Sender address";
    return (smtpd_check_done(&ctx, smtpd_check_list_eval(&ctx,
						 &smtpd_check_cfg.sender)));
}

/* smtpd_check_delayed - the client, HELO and sender lists at RCPT */

static int
smtpd_check_delayed(struct smtpd_check_ctx *ctx)
{
    int     st;

    ctx->what = smtpd_check_client_what(ctx);
    ctx->class = "Client host";
    if ((st = smtpd_check_list_eval(ctx, &smtpd_check_cfg.client))
	== SMTPD_CHECK_REJECT)
	return (st);
    ctx->what = ctx->helo ? ctx->helo : "";
    ctx->class = "Helo command";
    if ((st = smtpd_check_list_eval(ctx, &smtpd_check_cfg.helo))
	== SMTPD_CHECK_REJECT)
	return (st);
    ctx->what = ctx->sender ? ctx->sender : "";
    ctx->class = "Sender address";
    return (smtpd_check_list_eval(ctx, &smtpd_check_cfg.sender));
}

/* smtpd_check_rcpt - the RCPT decision: restrictions, then validation */

int
smtpd_check_rcpt(struct smtpd_state *state, const char *rcpt,
		         struct vstr *reply)
{
    struct smtpd_check_ctx ctx;
    int     st = SMTPD_CHECK_DUNNO;

    smtpd_check_ctx_init(&ctx, state, "RCPT", reply);
    ctx.rcpt = rcpt;
    if (var_smtpd_delay_reject)
	st = smtpd_check_delayed(&ctx);
    if (st != SMTPD_CHECK_REJECT) {
	ctx.what = rcpt;
	ctx.class = "Recipient address";
	st = smtpd_check_list_eval(&ctx, &smtpd_check_cfg.relay);
    }
    if (st != SMTPD_CHECK_REJECT)
	st = smtpd_check_list_eval(&ctx, &smtpd_check_cfg.rcpt);
    if (st != SMTPD_CHECK_REJECT && var_smtpd_reject_unl_rcpt)
	st = smtpd_check_rcpt_maps(&ctx);
    return (smtpd_check_done(&ctx, st));
}

/* smtpd_check_data - smtpd_data_restrictions at DATA/BDAT */

int
smtpd_check_data(struct smtpd_state *state, struct vstr *reply)
{
    struct smtpd_check_ctx ctx;

    smtpd_check_ctx_init(&ctx, state, "DATA", reply);
    ctx.what = "DATA";
    ctx.class = "Data command";
    return (smtpd_check_done(&ctx, smtpd_check_list_eval(&ctx,
						   &smtpd_check_cfg.data)));
}
