/*
 * fuzz_mastercf.c - libFuzzer target: parse bytes as master.cf
 *	(util/master_cf.c, util/conf_lines.c) and walk every entry.
 *
 * master.cf decides what the root-run master starts; a crash, leak or
 * sanitizer report on any input is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vstr.h"
#include "master_cf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vstr *err;
    struct master_cf *cf;
    size_t  i;
    size_t  j;
    size_t  total = 0;

    if (err == 0)
	err = vstr_alloc(100);
    if (master_cf_parse_buffer("master.cf", (const char *) data, size, &cf, err) < 0)
	return (0);
    for (i = 0; i < cf->count; i++) {
	const struct master_cf_ent *ep = cf->ents + i;

	total += strlen(ep->service) + strlen(ep->command);
	total += strlen(master_cf_type_name(ep->type));
	if (ep->type == MASTER_CF_INET)
	    total += strlen(ep->host) + strlen(ep->port);
	for (j = 0; j < ep->args->argc; j++)
	    total += strlen(ep->args->argv[j]);
	for (j = 0; j < ep->opts->argc; j++)
	    if (strchr(ep->opts->argv[j], '=') == 0)
		__builtin_trap();		/* -o must be name=value */
    }
    master_cf_free(cf);
    return (total == (size_t) -1);
}
