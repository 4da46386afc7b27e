/*
 * chroot_uid.c - the chroot and privilege-drop step of the daemon
 * skeleton (see chroot_uid.h), after Postfix util/chroot_uid.c.
 *
 * Unlike Postfix we keep no supplementary groups (setgroups to the
 * primary group, not initgroups) and we verify the result: every uid
 * and gid (real, effective, saved) and a failed attempt to get root
 * back. A process that fails the check must exit before it reads input.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "chroot_uid.h"

#define CHROOT_UID_MAX_GROUPS	64

/* chroot_uid_lookup - user name to uid and primary gid */

int
chroot_uid_lookup(const char *user, struct chroot_uid_ids *ids,
		          struct vstr *why)
{
    struct passwd *pw;

    if (user == 0 || *user == 0) {
	vstr_sprintf(why, "empty user name");
	return (-1);
    }
    errno = 0;
    if ((pw = getpwnam(user)) == 0) {
	if (errno != 0)
	    vstr_sprintf(why, "getpwnam %s: %s", user, strerror(errno));
	else
	    vstr_sprintf(why, "user %s does not exist", user);
	return (-1);
    }
    if (pw->pw_uid == 0) {
	vstr_sprintf(why, "user %s has uid 0: a daemon must not run as root", user);
	return (-1);
    }
    ids->uid = pw->pw_uid;
    ids->gid = pw->pw_gid;
    return (0);
}

/* chroot_uid_chroot - enter the jail */

int
chroot_uid_chroot(const char *dir, struct vstr *why)
{
    if (dir == 0 || *dir != '/') {
	vstr_sprintf(why, "chroot directory must be an absolute path");
	return (-1);
    }
    if (chdir(dir) < 0) {
	vstr_sprintf(why, "chdir %s: %s", dir, strerror(errno));
	return (-1);
    }
    if (chroot(".") < 0) {
	vstr_sprintf(why, "chroot %s: %s", dir, strerror(errno));
	return (-1);
    }
    if (chdir("/") < 0) {
	vstr_sprintf(why, "chdir / in %s: %s", dir, strerror(errno));
	return (-1);
    }
    return (0);
}

/* chroot_uid_drop - give up root for good */

int
chroot_uid_drop(const struct chroot_uid_ids *ids, struct vstr *why)
{
    if (ids->uid == 0) {
	vstr_sprintf(why, "refusing to drop privileges to uid 0");
	return (-1);
    }
    if (setgroups(1, &ids->gid) < 0) {
	vstr_sprintf(why, "setgroups %ld: %s", (long) ids->gid, strerror(errno));
	return (-1);
    }
    if (setresgid(ids->gid, ids->gid, ids->gid) < 0) {
	vstr_sprintf(why, "setresgid %ld: %s", (long) ids->gid, strerror(errno));
	return (-1);
    }
    if (setresuid(ids->uid, ids->uid, ids->uid) < 0) {
	vstr_sprintf(why, "setresuid %ld: %s", (long) ids->uid, strerror(errno));
	return (-1);
    }
    return (chroot_uid_verify(ids, why));
}

/* chroot_uid_check_ids - real, effective and saved ids are as expected */

static int
chroot_uid_check_ids(const struct chroot_uid_ids *ids, int check_gid,
		             struct vstr *why)
{
    uid_t   ruid, euid, suid;
    gid_t   rgid, egid, sgid;

    if (getresuid(&ruid, &euid, &suid) < 0) {
	vstr_sprintf(why, "getresuid: %s", strerror(errno));
	return (-1);
    }
    if (ruid != ids->uid || euid != ids->uid || suid != ids->uid) {
	vstr_sprintf(why, "uids are %ld/%ld/%ld, expected %ld",
		     (long) ruid, (long) euid, (long) suid, (long) ids->uid);
	return (-1);
    }
    if (getuid() != ids->uid || geteuid() != ids->uid) {
	vstr_sprintf(why, "getuid/geteuid disagree with getresuid");
	return (-1);
    }
    if (!check_gid)
	return (0);
    if (getresgid(&rgid, &egid, &sgid) < 0) {
	vstr_sprintf(why, "getresgid: %s", strerror(errno));
	return (-1);
    }
    if (rgid != ids->gid || egid != ids->gid || sgid != ids->gid) {
	vstr_sprintf(why, "gids are %ld/%ld/%ld, expected %ld",
		     (long) rgid, (long) egid, (long) sgid, (long) ids->gid);
	return (-1);
    }
    return (0);
}

/* chroot_uid_verify - prove that root is gone */

int
chroot_uid_verify(const struct chroot_uid_ids *ids, struct vstr *why)
{
    gid_t   groups[CHROOT_UID_MAX_GROUPS];
    int     n;

    if (chroot_uid_check_ids(ids, 1, why) < 0)
	return (-1);
    if ((n = getgroups(CHROOT_UID_MAX_GROUPS, groups)) < 0) {
	vstr_sprintf(why, "getgroups: %s", strerror(errno));
	return (-1);
    }
    if (n > 1 || (n == 1 && groups[0] != ids->gid)) {
	vstr_sprintf(why, "supplementary groups were not dropped");
	return (-1);
    }
    if (setuid(0) == 0 || seteuid(0) == 0) {
	vstr_sprintf(why, "root could be regained after the privilege drop");
	return (-1);
    }
    if (setgid(0) == 0 || setegid(0) == 0) {
	vstr_sprintf(why, "group 0 could be regained after the privilege drop");
	return (-1);
    }
    return (0);
}

/* chroot_uid_check_self - unprivileged process: uid must be mail_owner */

int
chroot_uid_check_self(const struct chroot_uid_ids *ids, struct vstr *why)
{
    if (getuid() == 0 || geteuid() == 0) {
	vstr_sprintf(why, "chroot_uid_check_self: running as root");
	return (-1);
    }
    if (chroot_uid_check_ids(ids, 0, why) < 0) {
	vstr_sprintf_append(why, " (an unprivileged instance must run as mail_owner)");
	return (-1);
    }
    if (setuid(0) == 0) {
	vstr_sprintf(why, "setuid(0) succeeded in an unprivileged process");
	return (-1);
    }
    return (0);
}
