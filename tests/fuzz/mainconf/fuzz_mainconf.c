/*
 * fuzz_mainconf.c - libFuzzer target: parse bytes as main.cf, expand
 *	every value, convert every declared parameter and run the checks
 *	of `postern check` (util/mail_conf.c, mac_expand.c, mail_params.c).
 *
 * Any crash, sanitizer report, hang or unbounded memory growth is a bug:
 * main.cf is parsed by root-run programs and its expansion must stay
 * bounded whatever the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vstr.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "conf_table.h"

/* ignore - mail_params_check() report sink */

static void
ignore(const char *file, int line, int severity, const char *text, void *ctx)
{
    (void) file;
    (void) line;
    (void) severity;
    (void) text;
    (void) ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vstr *err;
    const char *value;
    const char *nl;
    char   *first;
    size_t  i;

    if (err == 0)
	err = vstr_alloc(100);
    mail_conf_reset();
    if (mail_conf_parse_buffer("main.cf", (const char *) data, size, err) < 0)
	return (0);

    /* The first line doubles as a -o override. */
    nl = memchr(data, '\n', size);
    first = strndup((const char *) data, nl ? (size_t) (nl - (const char *) data) : size);
    if (first) {
	(void) mail_conf_override(first, err);
	free(first);
    }
    for (i = 0; i < mail_conf_count(); i++)
	(void) mail_conf_eval_checked(mail_conf_entry(i)->name, &value, err);
    for (i = 0; i < mail_params_count; i++)
	if (mail_conf_eval_checked(mail_params_table[i].name, &value, err) == 0)
	    (void) conf_param_convert(mail_params_table + i, value, 0, err);
    (void) mail_params_check(ignore, 0);
    return (0);
}
