/*
 * cmd_passwd.c - `postern passwd [-m yescrypt|sha512] USER`: make a line
 * for smtpd_sasl_users_maps.
 *
 * The password is read from stdin: when stdin is a terminal it is asked
 * for twice with echo off and both must match; otherwise the first line
 * is the password. The output is one line, "USER HASH", with a crypt(3)
 * hash from libcrypt (yescrypt "$y$" by default, SHA-512 "$6$" with
 * -m sha512), ready to append to the table's text source before
 * "postern map". Errors go to stderr with exit status 1, usage errors 2.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "pw_crypt.h"
#include "sasl_codec.h"
#include "admin.h"

#define CMD_PASSWD_USAGE "usage: postern passwd [-m yescrypt|sha512] USER"

/* cmd_passwd_user_ok - a user name a table key can hold */

static int
cmd_passwd_user_ok(const char *user)
{
    const unsigned char *cp;

    if (*user == 0 || strlen(user) > SASL_USER_MAX)
	return (0);
    for (cp = (const unsigned char *) user; *cp; cp++)
	if (*cp <= ' ' || *cp == 0x7f || *cp == '#' || *cp == ':')
	    return (0);
    return (1);
}

/* cmd_passwd_read - one password line from stdin; -1 on error */

static int
cmd_passwd_read(struct vstream *in, struct vstr *pw, const char *prompt,
		        int tty)
{
    struct termios saved, quiet;
    int     st, echo_off = 0;
    size_t  len;

    /*
     * Echo goes off (discarding stale type-ahead) BEFORE the prompt, so
     * that nothing typed after the prompt can be flushed away.
     */
    if (tty) {
	if (tcgetattr(0, &saved) == 0) {
	    quiet = saved;
	    quiet.c_lflag &= ~(tcflag_t) ECHO;
	    quiet.c_lflag |= ECHONL;
	    echo_off = (tcsetattr(0, TCSAFLUSH, &quiet) == 0);
	}
	fputs(prompt, stderr);
	fflush(stderr);
    }
    st = vstream_read_line(in, pw, SASL_PASSWD_MAX + 2);
    if (echo_off)
	(void) tcsetattr(0, TCSANOW, &saved);
    if (st == VSTREAM_TOOLONG) {
	fprintf(stderr, "postern passwd: password longer than %d bytes\n",
		SASL_PASSWD_MAX);
	return (-1);
    }
    if (st != VSTREAM_OK) {
	fprintf(stderr, "postern passwd: no password on stdin\n");
	return (-1);
    }
    len = vstr_len(pw);
    if (len > 0 && vstr_str(pw)[len - 1] == '\n')
	len--;
    if (len > 0 && vstr_str(pw)[len - 1] == '\r')
	len--;
    vstr_truncate(pw, len);
    if (len == 0 || len > SASL_PASSWD_MAX || memchr(vstr_str(pw), 0, len)) {
	fprintf(stderr, "postern passwd: %s\n", len == 0 ? "empty password" :
		len > SASL_PASSWD_MAX ? "password too long" :
		"NUL byte in password");
	return (-1);
    }
    return (0);
}

/* cmd_passwd_get - the password, asked twice on a terminal */

static int
cmd_passwd_get(struct vstr *pw)
{
    struct vstream *in = vstream_fdopen(0, VSTREAM_READ);
    struct vstr *again = vstr_alloc(SASL_PASSWD_MAX + 4);
    int     tty = isatty(0);
    int     ret;

    ret = cmd_passwd_read(in, pw, "Password: ", tty);
    if (ret == 0 && tty) {
	ret = cmd_passwd_read(in, again, "Retype password: ", tty);
	if (ret == 0 && strcmp(vstr_str(pw), vstr_str(again)) != 0) {
	    fprintf(stderr, "postern passwd: passwords do not match\n");
	    ret = -1;
	}
    }
    sasl_wipe(again);
    vstr_free(again);
    vstream_free(in);
    return (ret);
}

/* cmd_passwd_main - postern passwd [-m method] USER */

int
cmd_passwd_main(int argc, char **argv)
{
    const char *method = PW_CRYPT_YESCRYPT;
    struct vstr *pw, *hash, *why;
    int     ch, ret = 1;

    while ((ch = getopt(argc, argv, "m:")) != -1) {
	if (ch == 'm' && strcmp(optarg, "yescrypt") == 0)
	    method = PW_CRYPT_YESCRYPT;
	else if (ch == 'm' && strcmp(optarg, "sha512") == 0)
	    method = PW_CRYPT_SHA512;
	else {
	    fprintf(stderr, "%s\n", CMD_PASSWD_USAGE);
	    return (2);
	}
    }
    if (argc - optind != 1) {
	fprintf(stderr, "%s\n", CMD_PASSWD_USAGE);
	return (2);
    }
    if (!cmd_passwd_user_ok(argv[optind])) {
	fprintf(stderr, "postern passwd: bad user name (1-%d bytes, no white "
		"space, control characters, '#' or ':')\n", SASL_USER_MAX);
	return (2);
    }
    pw = vstr_alloc(SASL_PASSWD_MAX + 4);
    hash = vstr_alloc(200);
    why = vstr_alloc(100);
    if (cmd_passwd_get(pw) == 0) {
	if (pw_crypt_hash(vstr_str(pw), method, hash, why) < 0)
	    fprintf(stderr, "postern passwd: %s\n", vstr_str(why));
	else {
	    printf("%s %s\n", argv[optind], vstr_str(hash));
	    ret = (fflush(stdout) == 0 && !ferror(stdout)) ? 0 : 1;
	}
    }
    sasl_wipe(pw);
    vstr_free(pw);
    vstr_free(hash);
    vstr_free(why);
    return (ret);
}
