/*
 * master_cf.c - master.cf parser (see master_cf.h).
 *
 * One logical line becomes one entry. The line is cut into tokens, the
 * seven fixed columns are checked one by one with their own small
 * function, and the arguments are scanned for -o overrides. The first
 * bad line stops the parse with "file:line: reason": master must not run
 * half a configuration.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "master_cf.h"
#include "mail_params.h"
#include "conf_lines.h"
#include "conf_table.h"
#include "conv_size.h"
#include "stringops.h"
#include "mymalloc.h"
#include "msg.h"

/* master_cf_type_name - printable service type */

const char *
master_cf_type_name(int type)
{
    switch (type) {
    case MASTER_CF_INET:
	return ("inet");
    case MASTER_CF_UNIX:
	return ("unix");
    case MASTER_CF_FIFO:
	return ("fifo");
    case MASTER_CF_PASS:
	return ("pass");
    default:
	msg_panic("master_cf_type_name: bad type %d", type);
    }
}

/* master_cf_tokens - split a logical line; "{ a b }" is one token */

static int
master_cf_tokens(const char *line, struct argv *toks, struct vstr *why)
{
    const char *cp = line;
    const char *start;
    int     depth;

    for (;;) {
	while (*cp == ' ' || *cp == '\t')
	    cp++;
	if (*cp == 0)
	    return (0);
	if (toks->argc >= 7 + 1 + MASTER_CF_MAX_ARGS) {
	    vstr_sprintf(why, "more than %d arguments", MASTER_CF_MAX_ARGS);
	    return (-1);
	}
	if (*cp != '{') {
	    for (start = cp; *cp && *cp != ' ' && *cp != '\t'; cp++)
		 /* void */ ;
	    argv_addn(toks, start, (size_t) (cp - start));
	    continue;
	}
	for (depth = 0, start = ++cp; *cp; cp++) {
	    if (*cp == '{')
		depth++;
	    else if (*cp == '}' && depth-- == 0)
		break;
	}
	if (*cp != '}') {
	    vstr_sprintf(why, "missing '}'");
	    return (-1);
	}
	argv_addn(toks, start, (size_t) (cp - start));
	str_trim(toks->argv[toks->argc - 1]);
	cp++;
	if (*cp != 0 && *cp != ' ' && *cp != '\t') {
	    vstr_sprintf(why, "text after '}'");
	    return (-1);
	}
    }
}

/* master_cf_name_ok - socket or program name: no '/', no leading '.' */

static int
master_cf_name_ok(const char *name)
{
    size_t  len = strlen(name);
    size_t  i;

    if (len == 0 || len > MASTER_CF_NAME_MAX || name[0] == '.' || name[0] == '-')
	return (0);
    for (i = 0; i < len; i++)
	if (!isalnum((unsigned char) name[i]) && strchr("._-", name[i]) == 0)
	    return (0);
    return (1);
}

/* master_cf_port_ok - number 1..65535 or a service name */

static int
master_cf_port_ok(const char *port)
{
    long long num;
    size_t  i;

    if (isdigit((unsigned char) port[0]))
	return (conv_int(port, 1, 65535, &num) == 0 && port[0] != '0');
    if (!isalpha((unsigned char) port[0]) || strlen(port) > 32)
	return (0);
    for (i = 0; port[i]; i++)
	if (!isalnum((unsigned char) port[i]) && port[i] != '-')
	    return (0);
    return (1);
}

/* master_cf_host_ok - host name or IPv4 address (not bracketed) */

static int
master_cf_host_ok(const char *host)
{
    size_t  len = strlen(host);
    size_t  i;

    if (len == 0 || len > 255 || host[0] == '.' || host[0] == '-')
	return (0);
    for (i = 0; i < len; i++)
	if (!isalnum((unsigned char) host[i]) && strchr(".-_", host[i]) == 0)
	    return (0);
    return (1);
}

/* master_cf_parse_inet - "port", "host:port", "[ipv6]:port" */

int
master_cf_parse_inet(const char *service, char **host, char **port,
		             struct vstr *why)
{
    const char *colon;
    const char *close;
    char   *h;
    unsigned char addr[16];

    *host = *port = 0;
    if (service[0] == '[') {
	if ((close = strchr(service, ']')) == 0 || close[1] != ':') {
	    vstr_sprintf(why, "bad inet service \"%.100s\": use [ipv6]:port", service);
	    return (-1);
	}
	h = mystrndup(service + 1, (size_t) (close - service - 1));
	if (strlen(h) >= INET6_ADDRSTRLEN || inet_pton(AF_INET6, h, addr) != 1) {
	    vstr_sprintf(why, "bad IPv6 address in \"%.100s\"", service);
	    myfree(h);
	    return (-1);
	}
	colon = close + 1;
    } else if ((colon = strrchr(service, ':')) != 0) {
	h = mystrndup(service, (size_t) (colon - service));
	if (!master_cf_host_ok(h)) {
	    vstr_sprintf(why, "bad host in inet service \"%.100s\"%s", service,
			 strchr(h, ':') ? " (write IPv6 as [addr]:port)" : "");
	    myfree(h);
	    return (-1);
	}
    } else {
	h = mystrdup("");
	colon = service - 1;
    }
    if (!master_cf_port_ok(colon + 1)) {
	vstr_sprintf(why, "bad port in inet service \"%.100s\"", service);
	myfree(h);
	return (-1);
    }
    *host = h;
    *port = mystrdup(colon + 1);
    return (0);
}

/* master_cf_type - column 2 */

static int
master_cf_type(const char *text)
{
    static const char *const names[] = {"inet", "unix", "fifo", "pass"};
    static const int types[] = {MASTER_CF_INET, MASTER_CF_UNIX,
    MASTER_CF_FIFO, MASTER_CF_PASS};
    size_t  i;

    for (i = 0; i < ARRAY_LEN(names); i++)
	if (strcmp(text, names[i]) == 0)
	    return (types[i]);
    return (0);
}

/* master_cf_bool - y, n or '-' (def); -1 when bad */

static int
master_cf_bool(const char *text, int def)
{
    if (strcmp(text, "-") == 0)
	return (def);
    if (strcmp(text, "y") == 0)
	return (1);
    if (strcmp(text, "n") == 0)
	return (0);
    return (-1);
}

/* master_cf_wakeup - column 6: N, N? or '-' */

static int
master_cf_wakeup(struct master_cf_ent *ep, const char *text)
{
    char    num[16];
    size_t  len = strlen(text);
    long long val;

    ep->wakeup = 0;
    ep->wakeup_if_used = 0;
    if (strcmp(text, "-") == 0)
	return (0);
    if (len > 0 && text[len - 1] == '?') {
	ep->wakeup_if_used = 1;
	len--;
    }
    if (len == 0 || len >= sizeof(num))
	return (-1);
    memcpy(num, text, len);
    num[len] = 0;
    if (!isdigit((unsigned char) num[0])
	|| conv_int(num, 0, MASTER_CF_WAKEUP_MAX, &val) < 0)
	return (-1);
    ep->wakeup = (int) val;
    return (0);
}

/* master_cf_maxproc - column 7: N or '-' */

static int
master_cf_maxproc(struct master_cf_ent *ep, const char *text)
{
    long long val;

    ep->maxproc_default = 0;
    if (strcmp(text, "-") == 0) {
	ep->maxproc_default = 1;
	ep->maxproc = var_default_process_limit > 0 ?
	    var_default_process_limit : MASTER_CF_DEF_MAXPROC;
	return (0);
    }
    if (!isdigit((unsigned char) text[0])
	|| conv_int(text, 0, MASTER_CF_MAXPROC_MAX, &val) < 0)
	return (-1);
    ep->maxproc = (int) val;
    return (0);
}

/* master_cf_opt - check and normalize "name=value" of a -o */

static int
master_cf_opt(struct master_cf_ent *ep, const char *text, struct vstr *why)
{
    const char *eq = strchr(text, '=');
    char   *name;
    char   *value;
    int     ok;

    if (eq == 0) {
	vstr_sprintf(why, "-o \"%.100s\": missing '='", text);
	return (-1);
    }
    name = mystrndup(text, (size_t) (eq - text));
    value = mystrdup(eq + 1);
    str_trim(name);
    str_trim(value);
    if ((ok = conf_name_valid(name, strlen(name))) != 0) {
	argv_add(ep->args, "-o");
	vstr_sprintf(why, "%s=%s", name, value);
	argv_add(ep->args, vstr_str(why));
	argv_add(ep->opts, vstr_str(why));
    } else
	vstr_sprintf(why, "-o \"%.100s\": bad parameter name", text);
    myfree(name);
    myfree(value);
    return (ok ? 0 : -1);
}

/* master_cf_args - arguments after the command */

static int
master_cf_args(struct master_cf_ent *ep, struct argv *toks, struct vstr *why)
{
    size_t  i;

    for (i = 8; i < toks->argc; i++) {
	const char *arg = toks->argv[i];

	if (strcmp(arg, "-o") == 0) {
	    if (++i >= toks->argc) {
		vstr_sprintf(why, "-o without name=value");
		return (-1);
	    }
	    if (master_cf_opt(ep, toks->argv[i], why) < 0)
		return (-1);
	} else if (strncmp(arg, "-o", 2) == 0) {
	    if (master_cf_opt(ep, arg + 2, why) < 0)
		return (-1);
	} else
	    argv_add(ep->args, arg);
    }
    return (0);
}

/* master_cf_columns - service name and columns 2..8 */

static int
master_cf_columns(struct master_cf_ent *ep, char **col, struct vstr *why)
{
    static const char *const flag_names[] = {"private", "unpriv", "chroot"};
    int    *flags[3];
    int     defs[3];
    int     i;

    if ((ep->type = master_cf_type(col[1])) == 0) {
	vstr_sprintf(why, "unknown service type \"%.30s\" (use inet, unix,"
		     " fifo or pass)", col[1]);
	return (-1);
    }
    if (ep->type == MASTER_CF_INET) {
	if (master_cf_parse_inet(col[0], &ep->host, &ep->port, why) < 0)
	    return (-1);
    } else if (!master_cf_name_ok(col[0])) {
	vstr_sprintf(why, "bad service name \"%.100s\" (letters, digits,"
		     " '.', '-', '_')", col[0]);
	return (-1);
    }
    flags[0] = &ep->private_;
    flags[1] = &ep->unpriv;
    flags[2] = &ep->chroot;
    defs[0] = ep->type != MASTER_CF_INET;
    defs[1] = 1;
    defs[2] = 0;
    for (i = 0; i < 3; i++) {
	if ((*flags[i] = master_cf_bool(col[2 + i], defs[i])) < 0) {
	    vstr_sprintf(why, "bad %s value \"%.30s\" (use y, n or -)",
			 flag_names[i], col[2 + i]);
	    return (-1);
	}
    }
    if (ep->type == MASTER_CF_INET && ep->private_) {
	vstr_sprintf(why, "inet service cannot be private");
	return (-1);
    }
    if (master_cf_wakeup(ep, col[5]) < 0) {
	vstr_sprintf(why, "bad wakeup time \"%.30s\" (seconds, optional '?', or -)",
		     col[5]);
	return (-1);
    }
    if (master_cf_maxproc(ep, col[6]) < 0) {
	vstr_sprintf(why, "bad process limit \"%.30s\" (0..%d or -)",
		     col[6], MASTER_CF_MAXPROC_MAX);
	return (-1);
    }
    if (!master_cf_name_ok(col[7])) {
	vstr_sprintf(why, "bad command name \"%.100s\" (a program in"
		     " daemon_directory: letters, digits, '.', '-', '_')", col[7]);
	return (-1);
    }
    return (0);
}

/* master_cf_free_ent - release one entry */

static void
master_cf_free_ent(struct master_cf_ent *ep)
{
    if (ep->service)
	myfree(ep->service);
    if (ep->host)
	myfree(ep->host);
    if (ep->port)
	myfree(ep->port);
    if (ep->command)
	myfree(ep->command);
    argv_free(ep->args);
    argv_free(ep->opts);
}

/* master_cf_line - parse one logical line into ep */

static int
master_cf_line(struct master_cf *cf, struct master_cf_ent *ep,
	               const char *line, struct vstr *why)
{
    struct argv *toks = argv_alloc(16);
    size_t  i;
    int     ret = -1;

    memset(ep, 0, sizeof(*ep));
    ep->args = argv_alloc(8);
    ep->opts = argv_alloc(4);
    if (master_cf_tokens(line, toks, why) < 0)
	goto out;
    if (toks->argc < 8) {
	vstr_sprintf(why, "too few columns (%lu of at least 8: service type"
		     " private unpriv chroot wakeup maxproc command)",
		     (unsigned long) toks->argc);
	goto out;
    }
    ep->service = mystrdup(toks->argv[0]);
    ep->command = mystrdup(toks->argv[7]);
    if (master_cf_columns(ep, toks->argv, why) < 0
	|| master_cf_args(ep, toks, why) < 0)
	goto out;
    for (i = 0; i < cf->count; i++) {
	if (cf->ents[i].type == ep->type
	    && strcmp(cf->ents[i].service, ep->service) == 0) {
	    vstr_sprintf(why, "duplicate service %s/%s (first at line %d)",
			 ep->service, master_cf_type_name(ep->type),
			 cf->ents[i].line);
	    goto out;
	}
    }
    ret = 0;
out:
    argv_free(toks);
    if (ret < 0)
	master_cf_free_ent(ep);
    return (ret);
}

/* master_cf_parse_buffer - parse master.cf text */

int
master_cf_parse_buffer(const char *file, const char *buf, size_t len,
		               struct master_cf **cfp, struct vstr *err)
{
    struct master_cf *cf = mycalloc(1, sizeof(*cf));
    struct master_cf_ent ent;
    struct conf_lines cl;
    struct vstr *line = vstr_alloc(256);
    struct vstr *why = vstr_alloc(100);
    int     lineno;
    int     ret;

    *cfp = 0;
    cf->file = mystrdup(file);
    conf_lines_init(&cl, cf->file, buf, len);
    while ((ret = conf_lines_next(&cl, line, &lineno, err)) > 0) {
	if (cf->count >= MASTER_CF_MAX_ENTS) {
	    vstr_sprintf(err, "%s:%d: more than %d services", file, lineno,
			 MASTER_CF_MAX_ENTS);
	    ret = -1;
	    break;
	}
	if (master_cf_line(cf, &ent, vstr_str(line), why) < 0) {
	    vstr_sprintf(err, "%s:%d: %s", file, lineno, vstr_str(why));
	    ret = -1;
	    break;
	}
	ent.file = cf->file;
	ent.line = lineno;
	cf->ents = myrealloc(cf->ents, (cf->count + 1) * sizeof(*cf->ents));
	cf->ents[cf->count++] = ent;
    }
    vstr_free(line);
    vstr_free(why);
    if (ret < 0) {
	master_cf_free(cf);
	return (-1);
    }
    *cfp = cf;
    return (0);
}

/* master_cf_read - parse CONFIG_DIR/master.cf */

int
master_cf_read(const char *config_dir, struct master_cf **cfp,
	               struct vstr *err)
{
    struct vstr *path = vstr_alloc(256);
    struct vstr *buf = vstr_alloc(4096);
    int     ret;

    *cfp = 0;
    vstr_sprintf(path, "%s/master.cf", config_dir);
    ret = conf_file_load(vstr_str(path), MASTER_CF_FILE_MAX, buf, err);
    if (ret == 0)
	ret = master_cf_parse_buffer(vstr_str(path), vstr_str(buf),
				     vstr_len(buf), cfp, err);
    vstr_free(path);
    vstr_free(buf);
    return (ret);
}

/* master_cf_free - release everything */

void
master_cf_free(struct master_cf *cf)
{
    size_t  i;

    if (cf == 0)
	return;
    for (i = 0; i < cf->count; i++)
	master_cf_free_ent(cf->ents + i);
    if (cf->ents)
	myfree(cf->ents);
    myfree(cf->file);
    myfree(cf);
}
