/*
 * proxy_query.c - a command-line client of the proxymap service (tests
 * only): reads CONFIG_DIR/main.cf like a daemon does (so that
 * queue_directory is known), opens TABLE (normally proxy:TYPE:NAME) and
 * looks up each KEY.
 *
 * Usage: proxy_query CONFIG_DIR TABLE KEY...
 * Prints "KEY<TAB>VALUE" for a found key; exit status 0 when every key
 * was found, 1 when one was not found, 2 on any error.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dict.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "vstr.h"

/* main - look up keys */

int
main(int argc, char **argv)
{
    struct vstr *err = vstr_alloc(100);
    struct vstr *val = vstr_alloc(100);
    struct dict *dict;
    int     status = 0;
    int     i;

    if (argc < 4) {
	fprintf(stderr, "usage: proxy_query CONFIG_DIR TABLE KEY...\n");
	return (2);
    }
    if (mail_conf_read(argv[1], err) < 0) {
	fprintf(stderr, "proxy_query: %s\n", vstr_str(err));
	return (2);
    }
    mail_params_init();
    if ((dict = dict_open(argv[2], DICT_FLAG_NONE, err)) == 0) {
	fprintf(stderr, "proxy_query: %s\n", vstr_str(err));
	return (2);
    }
    for (i = 3; i < argc; i++) {
	switch (dict_lookup(dict, argv[i], val)) {
	case DICT_FOUND:
	    printf("%s\t%s\n", argv[i], vstr_str(val));
	    break;
	case DICT_NOTFOUND:
	    if (status == 0)
		status = 1;
	    break;
	default:
	    fprintf(stderr, "proxy_query: %s\n", dict_reason(dict));
	    status = 2;
	    break;
	}
    }
    fflush(stdout);
    dict_close(dict);
    vstr_free(err);
    vstr_free(val);
    return (status);
}
