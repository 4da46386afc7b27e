/*
 * cmd_check.c - `postern check`: report configuration problems, each as
 *	"FILE:LINE: message" on stderr.
 *
 * Errors (exit status 1): main.cf syntax, a value that does not convert
 * or is out of bounds, a $name loop, a bad master.cf line, a bad -o
 * value in master.cf. Warnings (exit status unchanged, like Postfix's
 * "unused parameter" warnings): a name that nothing declares or uses,
 * a name set twice, an unknown -o name, and a lookup table whose .db is
 * missing or older than its text source (dict_table_stale) or cannot be
 * checked. Exit 0 when no error was found.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "argv.h"
#include "conf_table.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "master_cf.h"
#include "dict.h"
#include "admin.h"

/* cmd_check_report - mail_params_check() callback */

static void
cmd_check_report(const char *file, int line, int severity, const char *text,
		         void *ctx UNUSED)
{
    const char *level = (severity == MAIL_PARAMS_ERROR) ? "error" : "warning";

    if (file)
	fprintf(stderr, "%s:%d: %s: %s\n", file, line, level, text);
    else
	fprintf(stderr, "%s: %s: %s\n", mail_conf_path(), level, text);
}

/* cmd_check_where - where a parameter's value comes from */

static void
cmd_check_where(struct vstr *buf, const char *name)
{
    const struct mail_conf_ent *ep = mail_conf_find(name);

    if (ep)
	vstr_sprintf(buf, "%s:%d", ep->file, ep->line);
    else
	vstr_sprintf(buf, "%s: default value of %s", mail_conf_path(), name);
}

/* cmd_check_table - warn about one stale or unusable table */

static void
cmd_check_table(const char *param, const char *table, struct argv *seen)
{
    struct vstr *why = vstr_alloc(100);
    struct vstr *where = vstr_alloc(100);
    size_t  i;
    int     stale;

    for (i = 0; i < seen->argc; i++)
	if (strcmp(seen->argv[i], table) == 0)
	    goto done;
    argv_add(seen, table);
    cmd_check_where(where, param);
    if ((stale = dict_table_stale(table, why)) == 1)
	fprintf(stderr, "%s: warning: %s: table %s is out of date (%s); run"
		" \"postern map %s\"\n", vstr_str(where), param, table,
		vstr_str(why), table);
    else if (stale < 0)
	fprintf(stderr, "%s: warning: %s: %s\n", vstr_str(where), param,
		vstr_str(why));
done:
    vstr_free(why);
    vstr_free(where);
}

/* cmd_check_tables - every table of every maps/list parameter */

static void
cmd_check_tables(void)
{
    struct vstr *elem = vstr_alloc(100);
    struct vstr *err = vstr_alloc(100);
    struct argv *seen = argv_alloc(16);
    const struct conf_param *p;
    const char *value;
    size_t  i;

    for (i = 0; i < mail_params_count; i++) {
	p = mail_params_table + i;
	if ((p->flags & (CONF_FLAG_MAPS | CONF_FLAG_LIST)) == 0
	    || mail_conf_eval_checked(p->name, &value, err) < 0)
	    continue;				/* expansion errors: reported */
	while (conf_list_next(&value, elem)) {
	    if ((p->flags & CONF_FLAG_MAPS) ?
		strchr(vstr_str(elem), ':') != 0 :
		dict_is_compiled_type(vstr_str(elem)))
		cmd_check_table(p->name, vstr_str(elem), seen);
	}
    }
    vstr_free(elem);
    vstr_free(err);
    argv_free(seen);
}

/* cmd_check_override - one master.cf -o setting; 1 when an error */

static int
cmd_check_override(const struct master_cf_ent *ent, const char *opt)
{
    const struct conf_param *p;
    struct vstr *name = vstr_alloc(100);
    struct vstr *value = vstr_alloc(100);
    struct vstr *err = vstr_alloc(100);
    const char *eq = strchr(opt, '=');
    int     errors = 0;

    vstr_strncat(name, opt, (size_t) (eq - opt));
    p = conf_table_find(mail_params_table, mail_params_count, vstr_str(name));
    if (p == 0) {
	fprintf(stderr, "%s:%d: warning: service %s/%s: -o %s: unknown parameter\n",
		ent->file, ent->line, ent->service,
		master_cf_type_name(ent->type), vstr_str(name));
    } else if (((p->flags & CONF_FLAG_RAW) == 0
		&& mail_conf_expand(eq + 1, value, err) < 0)
	       || conf_param_convert(p, (p->flags & CONF_FLAG_RAW) ?
				     eq + 1 : vstr_str(value), 0, err) < 0) {
	fprintf(stderr, "%s:%d: error: service %s/%s: -o %s: %s\n",
		ent->file, ent->line, ent->service,
		master_cf_type_name(ent->type), vstr_str(name), vstr_str(err));
	errors = 1;
    }
    vstr_free(name);
    vstr_free(value);
    vstr_free(err);
    return (errors);
}

/* cmd_check_master - master.cf syntax and -o values; error count */

static int
cmd_check_master(void)
{
    struct vstr *err = vstr_alloc(100);
    struct master_cf *cf;
    size_t  i;
    size_t  j;
    int     errors = 0;

    if (master_cf_read(admin_config_dir, &cf, err) < 0) {
	fprintf(stderr, "%s\n", vstr_str(err));
	vstr_free(err);
	return (1);
    }
    for (i = 0; i < cf->count; i++)
	for (j = 0; j < cf->ents[i].opts->argc; j++)
	    errors += cmd_check_override(cf->ents + i, cf->ents[i].opts->argv[j]);
    master_cf_free(cf);
    vstr_free(err);
    return (errors);
}

/* cmd_check_main - `postern check` */

int
cmd_check_main(int argc, char **argv UNUSED)
{
    struct vstr *err = vstr_alloc(100);
    int     errors = 0;

    if (argc > 1) {
	fprintf(stderr, "usage: postern check\n");
	vstr_free(err);
	return (2);
    }
    if (mail_conf_read(admin_config_dir, err) < 0) {
	fprintf(stderr, "%s\n", vstr_str(err));
	errors++;
    } else {
	errors += mail_params_check(cmd_check_report, 0);
	cmd_check_tables();
    }
    errors += cmd_check_master();
    vstr_free(err);
    return (errors ? 1 : 0);
}
