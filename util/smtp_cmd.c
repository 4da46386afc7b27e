/*
 * smtp_cmd.c - SMTP server command parsing (see smtp_cmd.h).
 *
 * MAIL and RCPT are parsed left to right: the keyword ("FROM:"/"TO:"),
 * the path (smtp_addr.c), then "SP esmtp-param" items, each looked up in
 * a small table from keyword to handler. A bitmask of the keywords seen
 * so far catches repeats. Values with xtext are decoded first and the
 * decoded bytes are then checked, so that no encoded CR/LF/NUL survives.
 */
#include <string.h>
#include <strings.h>

#include "mymalloc.h"
#include "smtp_addr.h"
#include "smtp_cmd.h"
#include "stringops.h"

#define SC_IS_DIGIT(ch)	((ch) >= '0' && (ch) <= '9')
#define SC_IS_ALNUM(ch)	(SC_IS_DIGIT(ch) || ((ch) >= 'a' && (ch) <= 'z') \
			 || ((ch) >= 'A' && (ch) <= 'Z'))

 /*
  * One parameter handler: the value (NULL when the keyword had none),
  * its length, the argument structure, the reply buffer.
  */
typedef int (*sc_param_fn) (const char *, size_t, void *, struct vstr *);

struct sc_param {
    const char *name;
    sc_param_fn fn;
};

/* sc_eq - case-insensitive compare of a counted slice with a word */

static int
sc_eq(const char *s, size_t len, const char *word)
{
    return (strlen(word) == len && strncasecmp(s, word, len) == 0);
}

/* sc_syntax - the generic parameter syntax error */

static int
sc_syntax(struct vstr *reply, const char *what)
{
    vstr_sprintf(reply, "501 5.5.4 Bad %s parameter syntax", what);
    return (501);
}

/* smtp_cmd_line - strip the line ending, refuse control characters */

int
smtp_cmd_line(struct vstr *line, struct vstr *reply)
{
    const unsigned char *s = (const unsigned char *) vstr_str(line);
    size_t  len = vstr_len(line);
    size_t  i;

    if (len > 0 && s[len - 1] == '\n') {
	len--;
	if (len > 0 && s[len - 1] == '\r')
	    len--;
    }
    for (i = 0; i < len; i++) {
	if (s[i] == 0) {
	    vstr_sprintf(reply, "500 5.5.2 Error: NUL character in command");
	    return (500);
	}
	if (s[i] < 32 || s[i] == 127) {
	    vstr_sprintf(reply, "500 5.5.2 Error: control character in command");
	    return (500);
	}
    }
    vstr_truncate(line, len);
    return (0);
}

/* smtp_cmd_verb - length of the verb, *args after the spaces */

size_t
smtp_cmd_verb(const char *line, const char **args)
{
    size_t  n = strcspn(line, " ");
    const char *cp = line + n;

    while (*cp == ' ')
	cp++;
    *args = cp;
    return (n);
}

/* smtp_xtext_decode - RFC 3461 xtext to bytes */

int
smtp_xtext_decode(struct vstr *out, const char *in, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *h1;
    const char *h2;
    size_t  i;
    int     ch;

    vstr_reset(out);
    for (i = 0; i < len; i++) {
	ch = (unsigned char) in[i];
	if (ch == '+') {
	    if (len - i < 3 || in[i + 1] == 0 || in[i + 2] == 0
		|| (h1 = strchr(hex, in[i + 1])) == 0
		|| (h2 = strchr(hex, in[i + 2])) == 0)
		return (-1);
	    vstr_addch(out, (int) ((h1 - hex) * 16 + (h2 - hex)));
	    i += 2;
	} else if (ch >= 33 && ch <= 126 && ch != '=') {
	    vstr_addch(out, ch);
	} else {
	    return (-1);
	}
    }
    return (0);
}

/* sc_size - SIZE=digits, saturated at SMTP_CMD_SIZE_HUGE */

static int
sc_size(const char *val, size_t len, void *ctx, struct vstr *reply)
{
    struct smtp_mail_args *ma = ctx;
    long long n = 0;
    size_t  i;

    if (val == 0 || len == 0)
	return (sc_syntax(reply, "SIZE"));
    for (i = 0; i < len; i++) {
	if (!SC_IS_DIGIT(val[i]))
	    return (sc_syntax(reply, "SIZE"));
	if (n > SMTP_CMD_SIZE_HUGE / 10)
	    n = SMTP_CMD_SIZE_HUGE;		/* saturate, no overflow */
	else
	    n = n * 10 + (val[i] - '0');
    }
    ma->size = n < SMTP_CMD_SIZE_HUGE ? n : SMTP_CMD_SIZE_HUGE;
    return (0);
}

/* sc_body - BODY=7BIT|8BITMIME */

static int
sc_body(const char *val, size_t len, void *ctx, struct vstr *reply)
{
    struct smtp_mail_args *ma = ctx;

    if (val && sc_eq(val, len, "7BIT"))
	ma->body = SMTP_BODY_7BIT;
    else if (val && sc_eq(val, len, "8BITMIME"))
	ma->body = SMTP_BODY_8BITMIME;
    else
	return (sc_syntax(reply, "BODY"));
    return (0);
}

/* sc_smtputf8 - SMTPUTF8, no value */

static int
sc_smtputf8(const char *val, size_t len UNUSED, void *ctx, struct vstr *reply)
{
    struct smtp_mail_args *ma = ctx;

    if (val != 0)
	return (sc_syntax(reply, "SMTPUTF8"));
    ma->smtputf8 = 1;
    return (0);
}

/* sc_ret - RET=FULL|HDRS */

static int
sc_ret(const char *val, size_t len, void *ctx, struct vstr *reply)
{
    struct smtp_mail_args *ma = ctx;

    if (val && sc_eq(val, len, "FULL"))
	ma->ret = SMTP_RET_FULL;
    else if (val && sc_eq(val, len, "HDRS"))
	ma->ret = SMTP_RET_HDRS;
    else
	return (sc_syntax(reply, "RET"));
    return (0);
}

/* sc_envid - ENVID=xtext, decoded printable, bounded */

static int
sc_envid(const char *val, size_t len, void *ctx, struct vstr *reply)
{
    struct smtp_mail_args *ma = ctx;

    if (val == 0 || smtp_xtext_decode(ma->envid, val, len) < 0
	|| vstr_len(ma->envid) == 0 || vstr_len(ma->envid) > SMTP_CMD_ENVID_MAX
	|| !str_all_printable(vstr_str(ma->envid), vstr_len(ma->envid)))
	return (sc_syntax(reply, "ENVID"));
    ma->has_envid = 1;
    return (0);
}

/* sc_auth - AUTH=xtext: "<>" or a mailbox; accepted and ignored */

static int
sc_auth(const char *val, size_t len, void *ctx, struct vstr *reply)
{
    struct smtp_mail_args *ma = ctx;
    struct vstr *buf;
    int     ok;

    if (val == 0)
	return (sc_syntax(reply, "AUTH"));
    buf = vstr_alloc(len);
    ok = (smtp_xtext_decode(buf, val, len) == 0
	  && str_all_printable(vstr_str(buf), vstr_len(buf))
	  && (strcmp(vstr_str(buf), "<>") == 0
	      || smtp_addr_mailbox(vstr_str(buf), vstr_len(buf), 0) == 0));
    vstr_free(buf);
    if (!ok)
	return (sc_syntax(reply, "AUTH"));
    ma->has_auth = 1;
    return (0);
}

/* sc_notify - NOTIFY=NEVER or a list of SUCCESS, FAILURE, DELAY */

static int
sc_notify(const char *val, size_t len, void *ctx, struct vstr *reply)
{
    struct smtp_rcpt_args *ra = ctx;
    size_t  start;
    size_t  end;
    int     mask = 0;

    if (val == 0 || len == 0)
	return (sc_syntax(reply, "NOTIFY"));
    for (start = 0; start <= len; start = end + 1) {
	for (end = start; end < len && val[end] != ','; end++)
	     /* void */ ;
	if (sc_eq(val + start, end - start, "NEVER"))
	    mask |= SMTP_NOTIFY_NEVER;
	else if (sc_eq(val + start, end - start, "SUCCESS"))
	    mask |= SMTP_NOTIFY_SUCCESS;
	else if (sc_eq(val + start, end - start, "FAILURE"))
	    mask |= SMTP_NOTIFY_FAILURE;
	else if (sc_eq(val + start, end - start, "DELAY"))
	    mask |= SMTP_NOTIFY_DELAY;
	else
	    return (sc_syntax(reply, "NOTIFY"));
    }
    if ((mask & SMTP_NOTIFY_NEVER) && mask != SMTP_NOTIFY_NEVER)
	return (sc_syntax(reply, "NOTIFY"));
    ra->notify = mask;
    return (0);
}

/* sc_orcpt - ORCPT=rfc822;xtext, decoded printable, bounded */

static int
sc_orcpt(const char *val, size_t len, void *ctx, struct vstr *reply)
{
    static const char type[] = "rfc822;";
    struct smtp_rcpt_args *ra = ctx;
    struct vstr *buf;
    int     ok;

    if (val == 0 || len <= sizeof(type) - 1
	|| strncasecmp(val, type, sizeof(type) - 1) != 0)
	return (sc_syntax(reply, "ORCPT"));
    buf = vstr_alloc(len);
    ok = (smtp_xtext_decode(buf, val + sizeof(type) - 1,
			    len - (sizeof(type) - 1)) == 0
	  && vstr_len(buf) > 0
	  && vstr_len(buf) + sizeof(type) - 1 <= SMTP_CMD_ORCPT_MAX
	  && str_all_printable(vstr_str(buf), vstr_len(buf)));
    if (ok) {
	vstr_strcpy(ra->orcpt, type);
	vstr_memcat(ra->orcpt, vstr_str(buf), vstr_len(buf));
    }
    vstr_free(buf);
    return (ok ? 0 : sc_syntax(reply, "ORCPT"));
}

static const struct sc_param sc_mail_params[] = {
    {"SIZE", sc_size},
    {"BODY", sc_body},
    {"SMTPUTF8", sc_smtputf8},
    {"RET", sc_ret},
    {"ENVID", sc_envid},
    {"AUTH", sc_auth},
    {0, 0},
};

static const struct sc_param sc_rcpt_params[] = {
    {"NOTIFY", sc_notify},
    {"ORCPT", sc_orcpt},
    {0, 0},
};

/* sc_one_param - parse one "keyword[=value]" and call its handler */

static int
sc_one_param(const char *tok, size_t len, const struct sc_param *table,
	             unsigned *seen, void *ctx, struct vstr *reply)
{
    const struct sc_param *pp;
    size_t  klen;
    size_t  i;

    for (klen = 0; klen < len && tok[klen] != '='; klen++)
	if (!SC_IS_ALNUM(tok[klen]) && (klen == 0 || tok[klen] != '-'))
	    return (sc_syntax(reply, "command"));
    if (klen == 0 || klen + 1 == len)
	return (sc_syntax(reply, "command"));
    for (i = klen + 1; i < len; i++)
	if ((unsigned char) tok[i] < 33 || (unsigned char) tok[i] > 126
	    || tok[i] == '=')
	    return (sc_syntax(reply, "command"));
    for (pp = table; pp->name; pp++)
	if (sc_eq(tok, klen, pp->name))
	    break;
    if (pp->name == 0 || (*seen & (1u << (pp - table)))) {
	vstr_sprintf(reply, "555 5.5.4 %s option: %.*s",
		     pp->name ? "Repeated" : "Unsupported", (int) klen, tok);
	return (555);
    }
    *seen |= 1u << (pp - table);
    return (pp->fn(klen < len ? tok + klen + 1 : 0,
		   klen < len ? len - klen - 1 : 0, ctx, reply));
}

/* sc_params - parse every " keyword[=value]" after the path */

static int
sc_params(const char *cp, const struct sc_param *table, void *ctx,
	          struct vstr *reply)
{
    unsigned seen = 0;
    size_t  len;
    int     st;

    while (*cp) {
	if (*cp != ' ')
	    return (sc_syntax(reply, "command"));
	while (*cp == ' ')
	    cp++;
	if (*cp == 0)
	    break;
	len = strcspn(cp, " ");
	if ((st = sc_one_param(cp, len, table, &seen, ctx, reply)) != 0)
	    return (st);
	cp += len;
    }
    return (0);
}

/* sc_path - "KEYWORD:" then the path; reply codes for address trouble */

static int
sc_path(const char **cpp, const char *kw, int flags, int addr_flags,
	        struct vstr *addr, const char *what, struct vstr *reply)
{
    const char *cp = *cpp;
    size_t  used;
    int     st;

    if (strncasecmp(cp, kw, strlen(kw)) != 0) {
	vstr_sprintf(reply, "501 5.5.4 Syntax: %s<address>", kw);
	return (501);
    }
    cp += strlen(kw);
    if ((flags & SMTP_CMD_FLAG_STRICT) == 0)
	while (*cp == ' ')
	    cp++;
    st = (*cp == '<' ? smtp_addr_path(cp, strlen(cp), addr_flags, addr, &used)
	  : SMTP_ADDR_SYNTAX);
    if (st == SMTP_ADDR_NEED_UTF8) {
	vstr_sprintf(reply, "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
	return (553);
    } else if (st != SMTP_ADDR_OK) {
	vstr_sprintf(reply, "501 %s %s address %s", strcmp(what, "sender") == 0 ?
		     "5.1.7" : "5.1.3", strcmp(what, "sender") == 0 ?
		     "Bad sender" : "Bad recipient",
		     st == SMTP_ADDR_TOOLONG ? "too long" : "syntax");
	return (501);
    }
    *cpp = cp + used;
    return (0);
}

/* smtp_mail_args_init - empty MAIL arguments */

void
smtp_mail_args_init(struct smtp_mail_args *ma)
{
    memset(ma, 0, sizeof(*ma));
    ma->sender = vstr_alloc(64);
    ma->envid = vstr_alloc(16);
    ma->size = -1;
}

/* smtp_mail_args_free - release MAIL arguments */

void
smtp_mail_args_free(struct smtp_mail_args *ma)
{
    vstr_free(ma->sender);
    vstr_free(ma->envid);
    memset(ma, 0, sizeof(*ma));
}

/* smtp_cmd_mail - FROM:<path> [params] */

int
smtp_cmd_mail(const char *args, int flags, struct smtp_mail_args *ma,
	              struct vstr *reply)
{
    int     st;

    if ((st = sc_path(&args, "FROM:", flags, SMTP_ADDR_FLAG_NULL_OK
		      | SMTP_ADDR_FLAG_UTF8, ma->sender, "sender", reply)) != 0)
	return (st);
    if ((st = sc_params(args, sc_mail_params, ma, reply)) != 0)
	return (st);
    if (!ma->smtputf8 && smtp_addr_has_8bit(vstr_str(ma->sender),
					    vstr_len(ma->sender))) {
	vstr_sprintf(reply, "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
	return (553);
    }
    return (0);
}

/* smtp_rcpt_args_init - empty RCPT arguments */

void
smtp_rcpt_args_init(struct smtp_rcpt_args *ra)
{
    memset(ra, 0, sizeof(*ra));
    ra->rcpt = vstr_alloc(64);
    ra->orcpt = vstr_alloc(16);
}

/* smtp_rcpt_args_free - release RCPT arguments */

void
smtp_rcpt_args_free(struct smtp_rcpt_args *ra)
{
    vstr_free(ra->rcpt);
    vstr_free(ra->orcpt);
    memset(ra, 0, sizeof(*ra));
}

/* smtp_cmd_rcpt - TO:<path> [params] */

int
smtp_cmd_rcpt(const char *args, int flags, struct smtp_rcpt_args *ra,
	              struct vstr *reply)
{
    int     st;

    if ((st = sc_path(&args, "TO:", flags, (flags & SMTP_CMD_FLAG_UTF8) ?
		      SMTP_ADDR_FLAG_UTF8 : 0, ra->rcpt, "recipient",
		      reply)) != 0)
	return (st);
    return (sc_params(args, sc_rcpt_params, ra, reply));
}

/* smtp_cmd_bdat - "1*DIGIT [SP LAST]" */

int
smtp_cmd_bdat(const char *args, long long *size, int *last, struct vstr *reply)
{
    const char *cp = args;
    long long n = 0;

    if (!SC_IS_DIGIT(*cp)) {
	vstr_sprintf(reply, "501 5.5.4 Syntax: BDAT size [LAST]");
	return (501);
    }
    for (; SC_IS_DIGIT(*cp); cp++) {
	if (n > SMTP_CMD_SIZE_HUGE / 10) {
	    vstr_sprintf(reply, "552 5.3.4 Chunk size exceeds fixed limit");
	    return (552);
	}
	n = n * 10 + (*cp - '0');
    }
    *last = 0;
    if (*cp == ' ') {
	while (*cp == ' ')
	    cp++;
	if (strcasecmp(cp, "LAST") == 0) {
	    *last = 1;
	    cp += 4;
	}
    }
    if (*cp != 0) {
	vstr_sprintf(reply, "501 5.5.4 Syntax: BDAT size [LAST]");
	return (501);
    }
    *size = n;
    return (0);
}
