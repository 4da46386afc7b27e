/*
 * chroot_uid.h - enter a chroot jail and drop root for good, then prove
 *	that root cannot be regained.
 *
 * SYNOPSIS
 *	#include "chroot_uid.h"
 *
 *	struct chroot_uid_ids {
 *	    uid_t   uid;
 *	    gid_t   gid;
 *	};
 *
 *	int	chroot_uid_lookup(const char *user, struct chroot_uid_ids *ids,
 *			struct vstr *why);
 *	int	chroot_uid_chroot(const char *dir, struct vstr *why);
 *	int	chroot_uid_drop(const struct chroot_uid_ids *ids,
 *			struct vstr *why);
 *	int	chroot_uid_verify(const struct chroot_uid_ids *ids,
 *			struct vstr *why);
 *	int	chroot_uid_check_self(const struct chroot_uid_ids *ids,
 *			struct vstr *why);
 *
 * DESCRIPTION
 *	chroot_uid_lookup() finds the uid and primary gid of a user name
 *	(getpwnam: call it before chroot, the name service needs files
 *	outside the jail). The user must not be root.
 *
 *	chroot_uid_chroot() does chdir(dir), chroot("."), chdir("/").
 *	It needs root.
 *
 *	chroot_uid_drop() does setgroups() to the primary group only,
 *	setresgid() and setresuid() to ids (real, effective and saved),
 *	then chroot_uid_verify(). It needs root.
 *
 *	chroot_uid_verify() checks that getresuid() and getresgid() are
 *	all ids, that the supplementary groups are at most the primary
 *	group, and that setuid(0) and setgid(0) fail.
 *
 *	chroot_uid_check_self() is for a process that is not root (an
 *	unprivileged instance): it checks that the real, effective and
 *	saved uid are ids->uid (mail_owner must be the invoking user) and
 *	that setuid(0) fails.
 *
 * DIAGNOSTICS
 *	All return 0, or -1 with the reason in why. A caller treats -1 as
 *	fatal: a half-dropped process must never serve a client.
 *
 * SECURITY
 *	After chroot_uid_drop() the process holds no root uid anywhere
 *	(no saved uid to switch back to) and no supplementary group.
 */
#ifndef CHROOT_UID_H
#define CHROOT_UID_H

#include <sys/types.h>

#include "vstr.h"

struct chroot_uid_ids {
    uid_t   uid;
    gid_t   gid;
};

extern int chroot_uid_lookup(const char *, struct chroot_uid_ids *, struct vstr *);
extern int chroot_uid_chroot(const char *, struct vstr *);
extern int chroot_uid_drop(const struct chroot_uid_ids *, struct vstr *);
extern int chroot_uid_verify(const struct chroot_uid_ids *, struct vstr *);
extern int chroot_uid_check_self(const struct chroot_uid_ids *, struct vstr *);

#endif
