/*
 * fuzz_jsonquote.c - libFuzzer target for the string escapers of
 * `postern queue` (cmd_queue_json_quote, cmd_queue_printable).
 *
 * Oracles besides the sanitizers: the JSON output holds no raw control
 * byte, every escape is well formed, and it decodes (by the small
 * independent decoder below) to valid UTF-8; when the input was valid
 * UTF-8 (as judged by glibc's mbrtowc in C.UTF-8, restricted to RFC 3629:
 * at most U+10FFFF, no surrogates) it decodes back to the input exactly. The terminal text holds no C0 control or DEL.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "vstr.h"
#include "admin.h"

const char *admin_config_dir = "/nonexistent";

/* utf8_put - append code point cp as UTF-8 */

static void
utf8_put(struct vstr *out, unsigned long cp)
{
    if (cp < 0x80) {
	vstr_addch(out, (int) cp);
    } else if (cp < 0x800) {
	vstr_addch(out, (int) (0xc0 | (cp >> 6)));
	vstr_addch(out, (int) (0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
	vstr_addch(out, (int) (0xe0 | (cp >> 12)));
	vstr_addch(out, (int) (0x80 | ((cp >> 6) & 0x3f)));
	vstr_addch(out, (int) (0x80 | (cp & 0x3f)));
    } else {
	vstr_addch(out, (int) (0xf0 | (cp >> 18)));
	vstr_addch(out, (int) (0x80 | ((cp >> 12) & 0x3f)));
	vstr_addch(out, (int) (0x80 | ((cp >> 6) & 0x3f)));
	vstr_addch(out, (int) (0x80 | (cp & 0x3f)));
    }
}

/* valid_utf8 - glibc's opinion */

static int
valid_utf8(const char *s, size_t len)
{
    mbstate_t st;
    wchar_t wc;
    size_t  n;

    memset(&st, 0, sizeof(st));
    while (len > 0) {
	n = mbrtowc(&wc, s, len, &st);
	if (n == (size_t) -1 || n == (size_t) -2)
	    return (0);
	if ((unsigned long) wc > 0x10ffff
	    || ((unsigned long) wc >= 0xd800 && (unsigned long) wc <= 0xdfff))
	    return (0);				/* RFC 3629 limits */
	if (n == 0)
	    n = 1;				/* NUL */
	s += n;
	len -= n;
    }
    return (1);
}

/* json_decode - decode the inside of a JSON string; abort when malformed */

static void
json_decode(const char *s, size_t len, struct vstr *out)
{
    unsigned long cp;
    size_t  i;
    size_t  k;

    for (i = 0; i < len; i++) {
	unsigned char c = (unsigned char) s[i];

	if (c < 0x20 || c == 0x7f || c == '"')
	    abort();
	if (c != '\\') {
	    vstr_addch(out, c);
	    continue;
	}
	if (++i >= len)
	    abort();
	switch (s[i]) {
	case '"':
	case '\\':
	    vstr_addch(out, s[i]);
	    break;
	case 'n':
	    vstr_addch(out, '\n');
	    break;
	case 'r':
	    vstr_addch(out, '\r');
	    break;
	case 't':
	    vstr_addch(out, '\t');
	    break;
	case 'u':
	    if (i + 4 >= len)
		abort();
	    for (cp = 0, k = 1; k <= 4; k++) {
		const char *hex = "0123456789abcdef";
		const char *p = strchr(hex, s[i + k]);

		if (p == 0 || s[i + k] == 0)
		    abort();
		cp = cp * 16 + (unsigned long) (p - hex);
	    }
	    if (cp >= 0xd800 && cp <= 0xdfff)
		abort();
	    utf8_put(out, cp);
	    i += 4;
	    break;
	default:
	    abort();
	}
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    struct vstr *q = vstr_alloc(size * 6 + 1);
    struct vstr *d = vstr_alloc(size + 1);
    struct vstr *t = vstr_alloc(size + 1);
    struct vstr *in = vstr_alloc(size + 1);
    size_t  i;

    if (!init) {
	if (setlocale(LC_CTYPE, "C.UTF-8") == 0)
	    abort();
	init = 1;
    }
    cmd_queue_json_quote(q, (const char *) data, size);
    json_decode(vstr_str(q), vstr_len(q), d);
    if (!valid_utf8(vstr_str(d), vstr_len(d)))
	abort();
    if (valid_utf8((const char *) data, size)
	&& (vstr_len(d) != size || memcmp(vstr_str(d), data, size) != 0))
	abort();

    vstr_memcpy(in, data, size);		/* printable wants a C string */
    cmd_queue_printable(t, vstr_str(in));
    for (i = 0; i < vstr_len(t); i++)
	if ((unsigned char) vstr_str(t)[i] < 0x20 || vstr_str(t)[i] == 0x7f)
	    abort();
    vstr_free(q);
    vstr_free(d);
    vstr_free(t);
    vstr_free(in);
    return (0);
}
