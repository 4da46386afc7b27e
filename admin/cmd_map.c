/*
 * cmd_map.c - `postern map` (postmap) and `postern aliases` (newaliases).
 *
 * postern map type:name		compile a hash:/btree: table from its
 *					text source; open any other type and
 *					report what is wrong with it
 * postern map -q KEY type:name		print the value of KEY; exit 1 when
 *					it is not found, 2 on an error
 * postern aliases [type:name ...]	compile, in aliases(5) format, every
 *					hash:/btree: table of alias_database
 *					(or the tables named)
 *
 * Errors go to stderr, values to stdout (admin.h).
 */
#include <stdio.h>
#include <string.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "dict.h"
#include "mail_conf.h"
#include "admin.h"

#define CMD_MAP_OK	0
#define CMD_MAP_NOTFOUND 1
#define CMD_MAP_ERR	2

/* cmd_map_query - print the value of one key */

static int
cmd_map_query(const char *key, const char *table)
{
    struct vstr *why = vstr_alloc(100);
    struct vstr *value = vstr_alloc(100);
    struct dict *dict;
    int     status;

    if (dict_table_stale(table, why) == 1)
	fprintf(stderr, "postern map: warning: %s: %s; run \"postern map %s\"\n",
		table, vstr_str(why), table);
    if ((dict = dict_open(table, DICT_FLAG_NONE, why)) == 0) {
	fprintf(stderr, "postern map: %s\n", vstr_str(why));
	status = CMD_MAP_ERR;
    } else {
	switch (dict_lookup(dict, key, value)) {
	case DICT_FOUND:
	    printf("%s\n", vstr_str(value));
	    status = CMD_MAP_OK;
	    break;
	case DICT_NOTFOUND:
	    status = CMD_MAP_NOTFOUND;
	    break;
	default:
	    fprintf(stderr, "postern map: %s\n", dict_reason(dict));
	    status = CMD_MAP_ERR;
	    break;
	}
	dict_close(dict);
    }
    vstr_free(why);
    vstr_free(value);
    if (fflush(stdout) != 0 && status == CMD_MAP_OK) {
	fprintf(stderr, "postern map: write error on standard output\n");
	status = CMD_MAP_ERR;
    }
    return (status);
}

/* cmd_map_build - compile a file table, or check that another opens */

static int
cmd_map_build(const char *table, int format)
{
    struct vstr *why = vstr_alloc(100);
    struct dict *dict;
    int     status = CMD_MAP_OK;

    if (dict_is_compiled_type(table)) {
	if (dict_compile(table, format, why) < 0) {
	    fprintf(stderr, "postern %s: %s\n",
		    format == DICT_SRC_ALIASES ? "aliases" : "map", vstr_str(why));
	    status = CMD_MAP_ERR;
	}
    } else if ((dict = dict_open(table, DICT_FLAG_NONE, why)) == 0) {
	fprintf(stderr, "postern map: %s\n", vstr_str(why));
	status = CMD_MAP_ERR;
    } else {
	dict_close(dict);
    }
    vstr_free(why);
    return (status);
}

/* cmd_map_main - postern map [-q KEY] type:name */

int
cmd_map_main(int argc, char **argv)
{
    const char *key = 0;
    int     i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
	if (strcmp(argv[i], "--") == 0) {
	    i++;
	    break;
	} else if (strcmp(argv[i], "-q") == 0 && i + 1 < argc) {
	    key = argv[++i];
	} else {
	    break;
	}
    }
    if (argc - i != 1) {
	fprintf(stderr, "usage: postern map [-q KEY] type:name\n");
	return (CMD_MAP_ERR);
    }
    if (key)
	return (cmd_map_query(key, argv[i]));
    return (cmd_map_build(argv[i], DICT_SRC_POSTMAP));
}

/* cmd_aliases_list - compile each hash:/btree: table of a list */

static int
cmd_aliases_list(const char *list)
{
    struct vstr *tok = vstr_alloc(100);
    struct vstr *why = vstr_alloc(100);
    const char *cp = list;
    int     status = CMD_MAP_OK;
    int     st;

    while ((st = dict_list_token(&cp, tok, why)) > 0) {
	if (dict_is_compiled_type(vstr_str(tok))
	    && cmd_map_build(vstr_str(tok), DICT_SRC_ALIASES) != CMD_MAP_OK)
	    status = CMD_MAP_ERR;
    }
    if (st < 0) {
	fprintf(stderr, "postern aliases: alias_database: %s\n", vstr_str(why));
	status = CMD_MAP_ERR;
    }
    vstr_free(tok);
    vstr_free(why);
    return (status);
}

/* cmd_aliases_main - postern aliases [type:name ...] */

int
cmd_aliases_main(int argc, char **argv)
{
    struct vstr *err;
    const char *list = 0;
    int     status = CMD_MAP_OK;
    int     i;

    if (argc > 1) {
	for (i = 1; i < argc; i++)
	    if (cmd_aliases_list(argv[i]) != CMD_MAP_OK)
		status = CMD_MAP_ERR;
	return (status);
    }
    err = vstr_alloc(100);
    if (mail_conf_read(admin_config_dir, err) < 0
	|| mail_conf_eval_checked("alias_database", &list, err) < 0) {
	fprintf(stderr, "postern aliases: %s\n", vstr_str(err));
	status = CMD_MAP_ERR;
    } else if (list == 0) {
	fprintf(stderr, "postern aliases: alias_database is not set\n");
	status = CMD_MAP_ERR;
    } else {
	status = cmd_aliases_list(list);
    }
    vstr_free(err);
    return (status);
}
