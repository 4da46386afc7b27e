/*
 * postern.c - the administration command: `postern [-c DIR] COMMAND ...`.
 *
 * Parses the global options, resolves the configuration directory and
 * dispatches to one small handler per subcommand (a table, not a switch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "admin.h"

#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR "/usr/local/etc/postern"
#endif

const char *admin_config_dir;

static int cmd_help_main(int, char **);

struct admin_cmd {
    const char *name;
    int     (*fn) (int, char **);
    const char *usage;
    const char *what;
};

static const struct admin_cmd admin_cmds[] = {
    {"conf", cmd_conf_main, "conf [-n] [-d] [-e NAME=VALUE] [NAME...]",
    "show main.cf parameters (-n: non-default only, -d: defaults), or edit one"},
    {"check", cmd_check_main, "check",
    "check main.cf, master.cf and lookup tables; report problems with file:line"},
    {"map", cmd_map_main, "map [-q KEY] type:name",
    "compile a hash:/btree: table from its text source, or query any table"},
    {"aliases", cmd_aliases_main, "aliases",
    "compile every hash:/btree: table listed in alias_database"},
    {"start", cmd_start_main, "start [-f]",
    "check the configuration, create the queue tree, start the master (-f: in the foreground)"},
    {"stop", cmd_stop_main, "stop", "stop the mail system (in-flight sessions finish)"},
    {"reload", cmd_reload_main, "reload",
    "re-read main.cf and master.cf; replace the processes gracefully"},
    {"abort", cmd_abort_main, "abort", "stop the mail system at once (kill every process)"},
    {"status", cmd_status_main, "status [--json]",
    "is the mail system running: master pid, uptime, processes per service"},
    {"passwd", cmd_passwd_main, "passwd [-m yescrypt|sha512] USER",
    "print \"USER HASH\" for smtpd_sasl_users_maps (password from stdin)"},
    {"queue", cmd_queue_main, "queue [SELECTORS] [--json]",
    "list the queued mail (Postfix mailq format, or one JSON object a line)"},
    {"flush", cmd_flush_main, "flush [QUEUEID]",
    "retry deferred mail now (one message, or all)"},
    {"delete", cmd_delete_main, "delete [SELECTORS] QUEUEID...|ALL|-",
    "remove messages from the queue (-: queue IDs from stdin)"},
    {"hold", cmd_super_main, "hold [SELECTORS] QUEUEID...|ALL|-",
    "put messages on hold (never scheduled until released)"},
    {"release", cmd_super_main, "release [SELECTORS] QUEUEID...|ALL|-",
    "release held messages for delivery now"},
    {"requeue", cmd_super_main, "requeue [SELECTORS] QUEUEID...|ALL|-",
    "run messages through cleanup and routing again (current config)"},
    {"cat", cmd_cat_main, "cat [--json] QUEUEID",
    "show one queued message: envelope, headers and body"},
    {"help", cmd_help_main, "help", "this list"},
};

/* cmd_help_main - list the subcommands */

static int
cmd_help_main(int argc UNUSED, char **argv UNUSED)
{
    size_t  i;

    printf("usage: postern [-c CONFIG_DIR] COMMAND [ARGS]\n\ncommands:\n");
    for (i = 0; i < ARRAY_LEN(admin_cmds); i++)
	printf("  %-45s %s\n", admin_cmds[i].usage, admin_cmds[i].what);
    printf("\nSELECTORS: --from ADDR --to ADDR --domain DOMAIN --older-than AGE\n"
	   "  --status active|deferred|hold|incoming --reason REGEX; and --dry-run,"
	   " --json\n");
    printf("\nCONFIG_DIR defaults to $POSTERN_CONFIG, else %s\n", DEF_CONFIG_DIR);
    return (0);
}

int
main(int argc, char **argv)
{
    const char *dir = NULL;
    size_t  i;
    int     ch;

    msg_open("postern", "", MSG_TO_STDERR);
    while ((ch = getopt(argc, argv, "+c:h")) != -1) {
	switch (ch) {
	case 'c':
	    dir = optarg;
	    break;
	case 'h':
	    return (cmd_help_main(0, argv));
	default:
	    fprintf(stderr, "usage: postern [-c CONFIG_DIR] COMMAND [ARGS] (try: postern help)\n");
	    return (2);
	}
    }
    if (dir == NULL && (dir = getenv("POSTERN_CONFIG")) != NULL && *dir == 0)
	dir = NULL;
    admin_config_dir = dir ? dir : DEF_CONFIG_DIR;

    if (optind >= argc) {
	fprintf(stderr, "postern: no command given (try: postern help)\n");
	return (2);
    }
    for (i = 0; i < ARRAY_LEN(admin_cmds); i++) {
	if (strcmp(argv[optind], admin_cmds[i].name) == 0) {
	    int     sub = optind;

	    optind = 0;				/* glibc: re-initialize getopt */
	    return (admin_cmds[i].fn(argc - sub, argv + sub));
	}
    }
    fprintf(stderr, "postern: unknown command \"%s\" (try: postern help)\n", argv[optind]);
    return (2);
}
