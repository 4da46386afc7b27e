/*
 * pw_crypt.c - crypt(3) password hashes through libcrypt's reentrant
 * calls (see pw_crypt.h).
 *
 * struct crypt_data is about 32 kB, so it lives on the heap, and is
 * wiped after each use since it holds the password's traces.
 */
#include <string.h>
#include <errno.h>
#include <crypt.h>
#include <sys/random.h>

#include "mymalloc.h"
#include "pw_crypt.h"

#define PW_CRYPT_SALT_BYTES	32	/* random input to crypt_gensalt */

/* pw_crypt_wipe - clear memory that held secrets */

static void
pw_crypt_wipe(void *ptr, size_t len)
{
    explicit_bzero(ptr, len);
}

/* pw_crypt_supported - "$y$" or "$6$" */

int
pw_crypt_supported(const char *hash)
{
    return (strncmp(hash, PW_CRYPT_YESCRYPT, 3) == 0
	    || strncmp(hash, PW_CRYPT_SHA512, 3) == 0);
}

/* pw_crypt_hash - new hash with a random salt */

int
pw_crypt_hash(const char *password, const char *prefix, struct vstr *out,
	              struct vstr *why)
{
    unsigned char rbytes[PW_CRYPT_SALT_BYTES];
    char    setting[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data;
    const char *res;
    ssize_t n;

    if (!pw_crypt_supported(prefix))
	return (vstr_fail(why, "unsupported hash method \"%s\"", prefix));
    do {
	n = getrandom(rbytes, sizeof(rbytes), 0);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t) sizeof(rbytes))
	return (vstr_fail(why, "getrandom: %m"));
    if (crypt_gensalt_rn(prefix, 0, (const char *) rbytes, (int) sizeof(rbytes),
			 setting, (int) sizeof(setting)) == NULL) {
	pw_crypt_wipe(rbytes, sizeof(rbytes));
	return (vstr_fail(why, "crypt_gensalt %s: %m", prefix));
    }
    pw_crypt_wipe(rbytes, sizeof(rbytes));
    data = mycalloc(1, sizeof(*data));
    res = crypt_rn(password, setting, data, (int) sizeof(*data));
    if (res == NULL || res[0] == '*') {
	pw_crypt_wipe(data, sizeof(*data));
	myfree(data);
	return (vstr_fail(why, "crypt %s failed", prefix));
    }
    vstr_strcpy(out, res);
    pw_crypt_wipe(data, sizeof(*data));
    myfree(data);
    return (0);
}

/* pw_crypt_verify - 1 when password matches hash */

int
pw_crypt_verify(const char *password, const char *hash)
{
    struct crypt_data *data;
    const char *res;
    size_t  len, i;
    unsigned char diff;
    int     ok = 0;

    if (!pw_crypt_supported(hash))
	return (0);
    data = mycalloc(1, sizeof(*data));
    res = crypt_rn(password, hash, data, (int) sizeof(*data));
    if (res != NULL && res[0] != '*' && (len = strlen(res)) == strlen(hash)) {
	diff = 0;
	for (i = 0; i < len; i++)
	    diff |= (unsigned char) (res[i] ^ hash[i]);
	ok = (diff == 0);
    }
    pw_crypt_wipe(data, sizeof(*data));
    myfree(data);
    return (ok);
}
