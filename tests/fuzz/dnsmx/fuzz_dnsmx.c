/*
 * fuzz_dnsmx.c - libFuzzer target for the SMTP client's DNS answer
 * parsing (util/dns_mx.c): MX, A and AAAA parsing of one packet, with
 * the documented bounds checked.
 */
#include <arpa/nameser.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_mx.h"

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_mx_list list;
    struct argv *addrs = argv_alloc(4);
    struct vstr *why = vstr_alloc(10);
    size_t  n;

    if (dns_mx_parse(data, size, &list, why) == DNS_OK) {
	if (list.count == 0 || list.count > DNS_MX_MAX)
	    abort();
	for (n = 0; n < list.count; n++)
	    if (strlen(list.mx[n].host) == 0 || strlen(list.mx[n].host) > 253
		|| (n > 0 && list.mx[n].pref < list.mx[n - 1].pref))
		abort();
	dns_mx_list_free(&list);
    }
    (void) dns_addr_parse(data, size, ns_t_a, addrs, 5, why);
    (void) dns_addr_parse(data, size, ns_t_aaaa, addrs, 10, why);
    if (addrs->argc > 10)
	abort();
    argv_free(addrs);
    vstr_free(why);
    return (0);
}
