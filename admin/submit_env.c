/*
 * submit_env.c - the envelope policy of local submission, shared by
 * postern-postdrop (when it writes a maildrop file) and pickup (when it
 * reads one back): a local user may not claim a client name, address,
 * HELO name, SASL login or protocol; the protocol is always "local".
 */
#include "sys_defs.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "submit.h"

/* submit_local_env - drop what a local user may not claim */

void
submit_local_env(struct queue_env *env)
{
    char  **fields[] = {&env->client_name, &env->client_addr, &env->helo,
    &env->sasl_user, &env->protocol};
    size_t  i;

    for (i = 0; i < ARRAY_LEN(fields); i++) {
	if (*fields[i])
	    myfree(*fields[i]);
	*fields[i] = 0;
    }
    env->protocol = mystrdup("local");
}
