/*
 * base64_code.c - strict base64 encoder and decoder (see base64_code.h).
 *
 * The decoder is hand-written rather than OpenSSL's EVP_DecodeBlock,
 * which accepts leading and trailing white space and reports the
 * padding as output bytes: SMTP AUTH wants exactly one canonical
 * spelling for each value, so that a filter or a log and the
 * authentication code can never disagree about what was sent.
 */
#include <string.h>

#include "base64_code.h"

static const char base64_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64_value - 0..63 for an alphabet character, else -1 */

static int
base64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
	return (ch - 'A');
    if (ch >= 'a' && ch <= 'z')
	return (ch - 'a' + 26);
    if (ch >= '0' && ch <= '9')
	return (ch - '0' + 52);
    if (ch == '+')
	return (62);
    if (ch == '/')
	return (63);
    return (-1);
}

/* base64_encode - encode len bytes, padded */

void
base64_encode(struct vstr *out, const void *in, size_t len)
{
    const unsigned char *cp = in;
    unsigned long word;
    size_t  i;

    vstr_reset(out);
    for (i = 0; i + 3 <= len; i += 3) {
	word = ((unsigned long) cp[i] << 16) | (cp[i + 1] << 8) | cp[i + 2];
	vstr_addch(out, base64_alphabet[(word >> 18) & 63]);
	vstr_addch(out, base64_alphabet[(word >> 12) & 63]);
	vstr_addch(out, base64_alphabet[(word >> 6) & 63]);
	vstr_addch(out, base64_alphabet[word & 63]);
    }
    if (len - i == 1) {
	word = (unsigned long) cp[i] << 16;
	vstr_addch(out, base64_alphabet[(word >> 18) & 63]);
	vstr_addch(out, base64_alphabet[(word >> 12) & 63]);
	vstr_strcat(out, "==");
    } else if (len - i == 2) {
	word = ((unsigned long) cp[i] << 16) | (cp[i + 1] << 8);
	vstr_addch(out, base64_alphabet[(word >> 18) & 63]);
	vstr_addch(out, base64_alphabet[(word >> 12) & 63]);
	vstr_addch(out, base64_alphabet[(word >> 6) & 63]);
	vstr_addch(out, '=');
    }
}

/* base64_decode - strict decode of len characters, at most max bytes */

int
base64_decode(struct vstr *out, const char *in, size_t len, size_t max)
{
    const unsigned char *cp = (const unsigned char *) in;
    int     val[4];
    size_t  i, pad, k;

    vstr_reset(out);
    if (len % 4 != 0)
	return (-1);
    pad = 0;
    if (len > 0 && cp[len - 1] == '=')
	pad = (len > 1 && cp[len - 2] == '=') ? 2 : 1;
    if (len / 4 * 3 - pad > max)
	return (-1);
    for (i = 0; i < len; i += 4) {
	for (k = 0; k < 4; k++) {
	    if (i + k >= len - pad)
		val[k] = 0;			/* padding position */
	    else if ((val[k] = base64_value(cp[i + k])) < 0) {
		vstr_reset(out);
		return (-1);
	    }
	}
	vstr_addch(out, (val[0] << 2) | (val[1] >> 4));
	if (i + 4 < len || pad < 2)
	    vstr_addch(out, ((val[1] & 15) << 4) | (val[2] >> 2));
	if (i + 4 < len || pad < 1)
	    vstr_addch(out, ((val[2] & 3) << 6) | val[3]);
    }
    /* Canonical form: the bits that padding leaves unused must be zero. */
    if ((pad == 1 && (val[2] & 3) != 0) || (pad == 2 && (val[1] & 15) != 0)) {
	vstr_reset(out);
	return (-1);
    }
    return (0);
}
