/*
 * mail_conf.c - main.cf reading, -o overrides and $name evaluation
 *	(see mail_conf.h).
 *
 * Settings live in two tables sorted by name (binary search: a hostile
 * main.cf with many names cannot make lookups quadratic): one for
 * main.cf and one for -o overrides. Expanded values are cached in the
 * entries (and, for defaults, in a cache parallel to mail_params_table)
 * and the caches are dropped whenever anything changes.
 */
#include <string.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "conf_lines.h"
#include "conf_table.h"
#include "mac_expand.h"
#include "stringops.h"
#include "mymalloc.h"
#include "msg.h"

struct mail_conf_tab {
    struct mail_conf_ent *ents;
    size_t  count;
    size_t  cap;
    char   *file;			/* entries point here */
};

static struct mail_conf_tab mail_conf_main;	/* main.cf */
static struct mail_conf_tab mail_conf_over;	/* -o name=value */
static char **mail_conf_def_cache;	/* expanded defaults */
static char *mail_conf_dir;		/* last mail_conf_read() directory */

/* mail_conf_tab_search - index of name, or -1 and the insert position */

static long
mail_conf_tab_search(const struct mail_conf_tab *tab, const char *name,
		             size_t *where)
{
    size_t  lo = 0;
    size_t  hi = tab->count;
    size_t  mid;
    int     cmp;

    while (lo < hi) {
	mid = lo + (hi - lo) / 2;
	cmp = strcmp(name, tab->ents[mid].name);
	if (cmp == 0)
	    return ((long) mid);
	if (cmp < 0)
	    hi = mid;
	else
	    lo = mid + 1;
    }
    if (where)
	*where = lo;
    return (-1);
}

/* mail_conf_tab_set - add or replace a setting */

static void
mail_conf_tab_set(struct mail_conf_tab *tab, const char *name,
		          const char *value, int line)
{
    struct mail_conf_ent *ep;
    size_t  pos = 0;
    long    idx;

    if ((idx = mail_conf_tab_search(tab, name, &pos)) >= 0) {
	ep = tab->ents + idx;
	myfree(ep->value);
	ep->value = mystrdup(value);
	ep->prev_line = ep->line;
	ep->line = line;
	return;
    }
    if (tab->count == tab->cap) {
	tab->cap = tab->cap ? tab->cap * 2 : 32;
	tab->ents = myrealloc(tab->ents, tab->cap * sizeof(*tab->ents));
    }
    memmove(tab->ents + pos + 1, tab->ents + pos,
	    (tab->count - pos) * sizeof(*tab->ents));
    ep = tab->ents + pos;
    ep->name = mystrdup(name);
    ep->value = mystrdup(value);
    ep->file = tab->file;
    ep->line = line;
    ep->prev_line = 0;
    ep->expanded = 0;
    tab->count++;
}

/* mail_conf_tab_free - forget every setting of a table */

static void
mail_conf_tab_free(struct mail_conf_tab *tab)
{
    size_t  i;

    for (i = 0; i < tab->count; i++) {
	myfree(tab->ents[i].name);
	myfree(tab->ents[i].value);
	if (tab->ents[i].expanded)
	    myfree(tab->ents[i].expanded);
    }
    if (tab->ents)
	myfree(tab->ents);
    if (tab->file)
	myfree(tab->file);
    memset(tab, 0, sizeof(*tab));
}

/* mail_conf_flush - drop every cached expansion */

static void
mail_conf_flush(void)
{
    size_t  i;

    for (i = 0; i < mail_conf_main.count; i++)
	if (mail_conf_main.ents[i].expanded) {
	    myfree(mail_conf_main.ents[i].expanded);
	    mail_conf_main.ents[i].expanded = 0;
	}
    for (i = 0; i < mail_conf_over.count; i++)
	if (mail_conf_over.ents[i].expanded) {
	    myfree(mail_conf_over.ents[i].expanded);
	    mail_conf_over.ents[i].expanded = 0;
	}
    if (mail_conf_def_cache) {
	for (i = 0; i < mail_params_count; i++)
	    if (mail_conf_def_cache[i])
		myfree(mail_conf_def_cache[i]);
	myfree(mail_conf_def_cache);
	mail_conf_def_cache = 0;
    }
}

/* mail_conf_split - split "name = value"; 0 or -1 with reason */

static int
mail_conf_split(char *text, char **name, char **value, const char **why)
{
    char   *eq;
    size_t  len;

    if ((eq = strchr(text, '=')) == 0) {
	*why = "missing '=' after parameter name";
	return (-1);
    }
    *eq = 0;
    *name = str_trim(text);
    *value = str_trim(eq + 1);
    len = strlen(*name);
    if (len == 0) {
	*why = "missing parameter name before '='";
	return (-1);
    }
    if (!conf_name_valid(*name, len)) {
	*why = "bad parameter name (use letters, digits and '_')";
	return (-1);
    }
    return (0);
}

/* mail_conf_parse_buffer - parse main.cf text; replace settings if good */

int
mail_conf_parse_buffer(const char *file, const char *buf, size_t len,
		               struct vstr *err)
{
    struct mail_conf_tab tab;
    struct conf_lines cl;
    struct vstr *line = vstr_alloc(256);
    char   *name;
    char   *value;
    const char *why;
    int     lineno;
    int     ret;

    memset(&tab, 0, sizeof(tab));
    tab.file = mystrdup(file);
    conf_lines_init(&cl, tab.file, buf, len);
    while ((ret = conf_lines_next(&cl, line, &lineno, err)) > 0) {
	if (mail_conf_split(vstr_str(line), &name, &value, &why) < 0) {
	    vstr_sprintf(err, "%s:%d: %s", file, lineno, why);
	    ret = -1;
	    break;
	}
	mail_conf_tab_set(&tab, name, value, lineno);
    }
    vstr_free(line);
    if (ret < 0) {
	mail_conf_tab_free(&tab);
	return (-1);
    }
    mail_conf_flush();
    mail_conf_tab_free(&mail_conf_main);
    mail_conf_main = tab;
    return (0);
}

/* mail_conf_read - read CONFIG_DIR/main.cf */

int
mail_conf_read(const char *config_dir, struct vstr *err)
{
    struct vstr *path = vstr_alloc(256);
    struct vstr *buf = vstr_alloc(4096);
    int     ret;

    vstr_sprintf(path, "%s/main.cf", config_dir);
    ret = conf_file_load(vstr_str(path), MAIL_CONF_FILE_MAX, buf, err);
    if (ret == 0)
	ret = mail_conf_parse_buffer(vstr_str(path), vstr_str(buf),
				     vstr_len(buf), err);
    if (ret == 0) {
	if (mail_conf_dir)
	    myfree(mail_conf_dir);
	mail_conf_dir = mystrdup(config_dir);
    }
    vstr_free(path);
    vstr_free(buf);
    return (ret);
}

/* mail_conf_override - apply one "name=value" setting */

int
mail_conf_override(const char *assignment, struct vstr *err)
{
    char   *copy;
    char   *name;
    char   *value;
    const char *why;

    if (strlen(assignment) > CONF_LINE_MAX) {
	vstr_sprintf(err, "-o: setting is longer than %d bytes", CONF_LINE_MAX);
	return (-1);
    }
    copy = mystrdup(assignment);
    if (mail_conf_split(copy, &name, &value, &why) < 0) {
	vstr_sprintf(err, "-o \"%.100s\": %s", assignment, why);
	myfree(copy);
	return (-1);
    }
    if (mail_conf_over.file == 0)
	mail_conf_over.file = mystrdup("-o");
    mail_conf_flush();
    mail_conf_tab_set(&mail_conf_over, name, value, 0);
    myfree(copy);
    return (0);
}

/* mail_conf_reset - forget everything */

void
mail_conf_reset(void)
{
    mail_conf_flush();
    mail_conf_tab_free(&mail_conf_main);
    mail_conf_tab_free(&mail_conf_over);
}

/* mail_conf_entry_of - the setting in force for name, or NULL */

static struct mail_conf_ent *
mail_conf_entry_of(const char *name)
{
    long    idx;

    if ((idx = mail_conf_tab_search(&mail_conf_over, name, 0)) >= 0)
	return (mail_conf_over.ents + idx);
    if ((idx = mail_conf_tab_search(&mail_conf_main, name, 0)) >= 0)
	return (mail_conf_main.ents + idx);
    return (0);
}

/* mail_conf_default - declared default, unexpanded */

const char *
mail_conf_default(const char *name)
{
    const struct conf_param *p;

    if ((p = conf_table_find(mail_params_table, mail_params_count, name)) == 0)
	return (0);
    return (p->defval ? p->defval : p->def_fn());
}

/* mail_conf_lookup - -o or main.cf value, unexpanded */

const char *
mail_conf_lookup(const char *name)
{
    struct mail_conf_ent *ep = mail_conf_entry_of(name);

    return (ep ? ep->value : 0);
}

/* mail_conf_raw - value in force, unexpanded */

const char *
mail_conf_raw(const char *name)
{
    const char *value;

    if ((value = mail_conf_lookup(name)) != 0)
	return (value);
    return (mail_conf_default(name));
}

/* mail_conf_lookup_cb - mac_expand callback */

static const char *
mail_conf_lookup_cb(const char *name, void *ctx UNUSED)
{
    return (mail_conf_raw(name));
}

/* mail_conf_expand - expand text against the configuration */

int
mail_conf_expand(const char *text, struct vstr *out, struct vstr *err)
{
    return (mac_expand(out, text, MAC_EXP_FLAG_RECURSE,
		       mail_conf_lookup_cb, 0, err));
}

/* mail_conf_where - "file:line: parameter NAME" for messages */

static void
mail_conf_where(struct vstr *buf, const struct mail_conf_ent *ep,
		        const char *name)
{
    if (ep == 0)
	vstr_sprintf(buf, "default value of parameter %s", name);
    else if (ep->line == 0)
	vstr_sprintf(buf, "%s %s", ep->file, name);
    else
	vstr_sprintf(buf, "%s:%d: parameter %s", ep->file, ep->line, name);
}

/* mail_conf_eval_checked - expanded value; -1 with reason on error */

int
mail_conf_eval_checked(const char *name, const char **valp, struct vstr *err)
{
    const struct conf_param *p;
    struct mail_conf_ent *ep;
    struct vstr *text;
    struct vstr *out;
    struct vstr *why;
    char  **slot;

    *valp = 0;
    p = conf_table_find(mail_params_table, mail_params_count, name);
    if ((ep = mail_conf_entry_of(name)) != 0) {
	slot = &ep->expanded;
    } else if (p != 0) {
	if (mail_conf_def_cache == 0)
	    mail_conf_def_cache = mycalloc(mail_params_count, sizeof(char *));
	slot = mail_conf_def_cache + (p - mail_params_table);
    } else
	return (0);
    if (*slot == 0 && p != 0 && (p->flags & CONF_FLAG_RAW))
	*slot = mystrdup(mail_conf_raw(name));
    if (*slot == 0) {
	/* Expand "${name}" so that a loop report starts with name. */
	text = vstr_alloc(CONF_NAME_MAX + 4);
	out = vstr_alloc(100);
	why = vstr_alloc(100);
	vstr_sprintf(text, "${%s}", name);
	if (mac_expand(out, vstr_str(text), MAC_EXP_FLAG_RECURSE,
		       mail_conf_lookup_cb, 0, why) < 0) {
	    mail_conf_where(err, ep, name);
	    vstr_sprintf_append(err, ": %s", vstr_str(why));
	    vstr_free(out);
	} else if (*slot == 0)			/* not set by a nested call */
	    *slot = vstr_export(out);
	else
	    vstr_free(out);
	vstr_free(text);
	vstr_free(why);
	if (*slot == 0)
	    return (-1);
    }
    *valp = *slot;
    return (0);
}

/* mail_conf_eval - expanded value; fatal on error */

const char *
mail_conf_eval(const char *name)
{
    struct vstr *err = vstr_alloc(100);
    const char *value;

    if (mail_conf_eval_checked(name, &value, err) < 0)
	msg_fatal("%s", vstr_str(err));
    vstr_free(err);
    return (value);
}

/* mail_conf_path - the main.cf last read */

const char *
mail_conf_path(void)
{
    return (mail_conf_main.file ? mail_conf_main.file : "main.cf");
}

/* mail_conf_config_dir - directory of the main.cf last read, or NULL */

const char *
mail_conf_config_dir(void)
{
    return (mail_conf_dir);
}

/* mail_conf_count - number of main.cf settings */

size_t
mail_conf_count(void)
{
    return (mail_conf_main.count);
}

/* mail_conf_entry - main.cf setting by index (sorted by name) */

const struct mail_conf_ent *
mail_conf_entry(size_t i)
{
    if (i >= mail_conf_main.count)
	msg_panic("mail_conf_entry: index %lu out of range", (unsigned long) i);
    return (mail_conf_main.ents + i);
}

/* mail_conf_find - main.cf setting by name, or NULL */

const struct mail_conf_ent *
mail_conf_find(const char *name)
{
    long    idx = mail_conf_tab_search(&mail_conf_main, name, 0);

    return (idx >= 0 ? mail_conf_main.ents + idx : 0);
}
