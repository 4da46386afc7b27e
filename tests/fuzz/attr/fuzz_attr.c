/*
 * fuzz_attr.c - libFuzzer target for the attribute reader.
 *
 * The input bytes are read from a memory stream (vstream_memopen) by
 * attr_scan_list() with small limits, by the strict caller-driven
 * attr_scan() (with and without ATTR_FLAG_MORE) and by
 * attr_scan_protocol(). Oracles besides the sanitizers: a list that was
 * accepted respects every limit, and writing it back with
 * attr_print_list() and reading that again gives the same records.
 * Seeds in corpus/ are valid encoded requests and replies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "msg.h"
#include "mail_proto.h"

static const struct attr_limits lim = {256, 1024, 32};

/* same_lists - compare two lists record by record */

static int
same_lists(const struct attr_list *a, const struct attr_list *b)
{
    const struct attr_value *x, *y;
    int     i;

    if (a->count != b->count)
	return (0);
    for (i = 0; i < a->count; i++) {
	x = a->items + i;
	y = b->items + i;
	if (x->type != y->type || strcmp(x->name, y->name) != 0 || x->num != y->num)
	    return (0);
	if ((x->buf == 0) != (y->buf == 0))
	    return (0);
	if (x->buf && (vstr_len(x->buf) != vstr_len(y->buf)
		 || memcmp(vstr_str(x->buf), vstr_str(y->buf), vstr_len(x->buf))))
	    return (0);
    }
    return (1);
}

/* check_list - limits hold; the list survives a round trip */

static void
check_list(const struct attr_list *list)
{
    struct attr_list *again = attr_list_alloc();
    struct vstr *wire = vstr_alloc(100);
    struct vstream *fp;
    size_t  total = 0;
    int     i;

    if (list->count > lim.count_max)
	abort();
    for (i = 0; i < list->count; i++) {
	if (!attr_name_valid(list->items[i].name, strlen(list->items[i].name)))
	    abort();
	if (list->items[i].buf) {
	    if (vstr_len(list->items[i].buf) > lim.value_max)
		abort();
	    total += vstr_len(list->items[i].buf);
	}
    }
    if (total > lim.total_max)
	abort();
    fp = vstream_vstropen(wire);
    if (attr_print_list(fp, 0, list) != 0 || vstream_close(fp) != 0)
	abort();
    fp = vstream_memopen(vstr_str(wire), vstr_len(wire));
    if (attr_scan_list(fp, 0, &lim, again) != list->count || !same_lists(list, again))
	abort();
    vstream_free(fp);
    attr_list_free(again);
    vstr_free(wire);
}

/* strict_scans - the caller-driven scanner, strict and with MORE */

static void
strict_scans(const uint8_t *data, size_t size)
{
    struct vstr *req = vstr_alloc(16), *rcpt = vstr_alloc(16), *d = vstr_alloc(16);
    struct vstream *fp;
    long    off;
    int     st;

    fp = vstream_memopen(data, size);
    if (attr_scan_lim(fp, ATTR_FLAG_MORE, &lim,
		      RECV_ATTR_STR(MAIL_ATTR_REQ, req), ATTR_TYPE_END) == 1)
	(void) attr_scan_lim(fp, ATTR_FLAG_ALLOW_EXTRA, &lim,
			     RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &off),
			     RECV_ATTR_STR(MAIL_ATTR_RECIP, rcpt),
			     RECV_ATTR_DATA(MAIL_ATTR_DATA, d), ATTR_TYPE_END);
    vstream_free(fp);
    fp = vstream_memopen(data, size);
    if (attr_scan_lim(fp, ATTR_FLAG_STRICT, &lim,
		      RECV_ATTR_INT(MAIL_ATTR_STATUS, &st),
		      RECV_ATTR_STR(MAIL_ATTR_WHY, req), ATTR_TYPE_END) == 2
	&& (vstr_len(req) > lim.value_max || memchr(vstr_str(req), 0, vstr_len(req))))
	abort();
    vstream_free(fp);
    fp = vstream_memopen(data, size);
    (void) attr_scan_protocol(fp, MAIL_PROTO_QMGR);
    vstream_free(fp);
    vstr_free(req);
    vstr_free(rcpt);
    vstr_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    struct attr_list *list = attr_list_alloc();
    struct vstream *fp;

    if (!init) {
	msg_set_flags(0);			/* warnings are expected */
	init = 1;
    }
    fp = vstream_memopen(data, size);
    if (attr_scan_list(fp, 0, &lim, list) >= 0)
	check_list(list);
    vstream_free(fp);
    attr_list_free(list);
    strict_scans(data, size);
    return (0);
}
