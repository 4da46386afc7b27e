/*
 * fuzz_regexp.c - regexp: table files from hostile bytes.
 *
 * The input is written to a private file, opened as a regexp: table
 * (rule parsing, if/endif pairing, $N checks), and when it opens, a few
 * keys are looked up, one of them taken from the input itself, so that
 * $N expansion runs on real matches.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "msg.h"

#define FUZZ_MAX	8192

static char fuzz_path[] = "/tmp/fuzz_regexp.XXXXXX";
static int fuzz_fd = -1;

/* fuzz_write - replace the file contents with the input */

static int
fuzz_write(const uint8_t *data, size_t size)
{
    if (fuzz_fd < 0 && (fuzz_fd = mkstemp(fuzz_path)) < 0)
	abort();
    if (ftruncate(fuzz_fd, 0) < 0 || pwrite(fuzz_fd, data, size, 0) != (ssize_t) size)
	abort();
    return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *keys[] = {"", "user@example.com", "A+b@EXAMPLE.com",
	"subject: hello\nworld", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"};
    struct vstr *why;
    struct vstr *name;
    struct vstr *value;
    struct vstr *key;
    struct dict *dict;
    size_t  i;

    if (size > FUZZ_MAX)
	return (0);
    msg_set_flags(0);
    fuzz_write(data, size);
    why = vstr_alloc(100);
    name = vstr_alloc(100);
    value = vstr_alloc(100);
    key = vstr_alloc(100);
    vstr_sprintf(name, "regexp:%s", fuzz_path);
    if ((dict = dict_open(vstr_str(name), DICT_FLAG_NONE, why)) != 0) {
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
	    (void) dict_lookup(dict, keys[i], value);
	vstr_memcpy(key, data, size < 200 ? size : 200);
	(void) dict_lookup(dict, vstr_str(key), value);
	dict_close(dict);
    } else if (vstr_len(why) == 0) {
	abort();				/* an error must say why */
    }
    vstr_free(why);
    vstr_free(name);
    vstr_free(value);
    vstr_free(key);
    return (0);
}
