/*
 * fuzz_submit_addr.c - libFuzzer target for postern-sendmail -t header
 * recipient extraction (admin/submit_addr.c): any bytes as the value of
 * a To:/Cc:/Bcc: header. Checks the bounds promised by submit.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "submit.h"
#include "queue_file.h"

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one header value */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct argv *out = argv_alloc(2);
    int     n = submit_hdr_rcpts((const char *) data, len, out, 50);
    size_t  i;

    if (n > 50 || (n >= 0 && (size_t) n != out->argc))
	abort();
    for (i = 0; i < out->argc; i++)
	if (out->argv[i][0] == 0 || strlen(out->argv[i]) > QUEUE_ADDR_MAX)
	    abort();
    argv_free(out);
    return (0);
}
