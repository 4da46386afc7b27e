/*
 * dict_unix.c - the unix: table: the system's user database.
 *
 * "unix:passwd.byname" finds a key when getpwnam() knows that user name;
 * the value is the passwd line ("name:x:uid:gid:gecos:home:shell"), as
 * in Postfix. It is the default first table of local_recipient_maps, so
 * that mail to an unknown local user is refused at RCPT time. The
 * lookup is case-sensitive by nature of the passwd database; keys are
 * lowercased like every other table (user names are lowercase).
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>

#include "dict.h"
#include "msg.h"

#define DICT_UNIX_KEY_MAX	256

static int dict_unix_lookup(struct dict *, const char *, struct vstr *);
static void dict_unix_close(struct dict *);

/* dict_unix_lookup - ask getpwnam() */

static int
dict_unix_lookup(struct dict *dict, const char *key, struct vstr *result)
{
    struct passwd *pw;

    if (*key == 0 || strlen(key) > DICT_UNIX_KEY_MAX)
	return (DICT_NOTFOUND);
    errno = 0;
    if ((pw = getpwnam(key)) == NULL) {
	if (errno != 0 && errno != ENOENT && errno != ESRCH
	    && errno != EBADF && errno != EPERM) {
	    vstr_sprintf(dict->reason, "unix:%s: getpwnam: %s",
			 dict->name, strerror(errno));
	    return (DICT_ERROR);
	}
	return (DICT_NOTFOUND);
    }
    vstr_sprintf(result, "%s:%s:%ld:%ld:%s:%s:%s", pw->pw_name, pw->pw_passwd,
		 (long) pw->pw_uid, (long) pw->pw_gid, pw->pw_gecos,
		 pw->pw_dir, pw->pw_shell);
    return (DICT_FOUND);
}

/* dict_unix_close - release the handle */

static void
dict_unix_close(struct dict *dict)
{
    dict_free(dict);
}

/* dict_unix_open - only passwd.byname is supported */

struct dict *
dict_unix_open(const char *name, int flags UNUSED, struct vstr *why)
{
    struct dict *dict;

    if (strcmp(name, "passwd.byname") != 0) {
	vstr_sprintf(why, "unix:%.100s: unknown table (only unix:passwd.byname)",
		     name);
	return (0);
    }
    dict = dict_alloc("unix", name, sizeof(*dict));
    dict->lookup = dict_unix_lookup;
    dict->close = dict_unix_close;
    dict->key_max = DICT_UNIX_KEY_MAX;
    return (dict);
}
