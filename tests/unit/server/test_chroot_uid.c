/*
 * test_chroot_uid.c - the privilege drop and chroot in forked children
 * (root only; skipped otherwise): all uids become the target, root
 * cannot be regained, the jail hides the outside; and the refusals
 * (uid 0, relative jail, unknown user, verification as root).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "chroot_uid.h"
#include "vstr.h"

#define TEST_UID	12345
#define TEST_GID	12346

static int
wait_child(pid_t pid)
{
    int     st;

    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "child died, status %#x", st);
    return (WEXITSTATUS(st));
}

/* drop_child - the checks made after the drop, as an exit code */

static int
drop_child(void)
{
    struct chroot_uid_ids ids = {TEST_UID, TEST_GID};
    struct chroot_uid_ids other = {TEST_UID + 1, TEST_GID};
    struct vstr *why = vstr_alloc(10);
    uid_t   r, e, s;
    gid_t   groups[8];

    if (chroot_uid_drop(&ids, why) < 0)
	return (10);
    if (getresuid(&r, &e, &s) < 0 || r != TEST_UID || e != TEST_UID || s != TEST_UID)
	return (11);
    if (getgid() != TEST_GID || getegid() != TEST_GID)
	return (12);
    if (getgroups(8, groups) > 1)
	return (13);
    if (setuid(0) == 0 || seteuid(0) == 0 || errno != EPERM)
	return (14);
    if (chroot_uid_check_self(&ids, why) < 0)
	return (15);
    if (chroot_uid_check_self(&other, why) == 0)
	return (16);
    if (chroot_uid_drop(&ids, why) == 0)	/* no root left to drop */
	return (17);
    return (0);
}

Test(chroot_uid, drop_to_uid_12345)
{
    pid_t   pid;

    if (geteuid() != 0)
	cr_skip_test("needs root");
    cr_assert_neq(pid = fork(), -1);
    if (pid == 0)
	_exit(drop_child());
    cr_assert_eq(wait_child(pid), 0);
}

Test(chroot_uid, chroot_hides_the_outside)
{
    char    dir[] = "/tmp/chroot_uid_test.XXXXXX";
    char    path[64];
    char    cwd[16];
    struct vstr *why = vstr_alloc(10);
    pid_t   pid;
    int     fd;

    if (geteuid() != 0)
	cr_skip_test("needs root");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/marker", dir);
    cr_assert_geq(fd = open(path, O_CREAT | O_WRONLY, 0600), 0);
    close(fd);
    cr_assert_neq(pid = fork(), -1);
    if (pid == 0) {
	if (chroot_uid_chroot(dir, why) < 0)
	    _exit(10);
	if (access("/marker", F_OK) < 0)
	    _exit(11);
	if (access(path, F_OK) == 0)		/* the outside path is gone */
	    _exit(12);
	if (getcwd(cwd, sizeof(cwd)) == 0 || strcmp(cwd, "/") != 0)
	    _exit(13);
	_exit(0);
    }
    cr_assert_eq(wait_child(pid), 0);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(rmdir(dir), 0);
    vstr_free(why);
}

Test(chroot_uid, refusals)
{
    struct chroot_uid_ids root = {0, 0};
    struct chroot_uid_ids ids = {TEST_UID, TEST_GID};
    struct vstr *why = vstr_alloc(10);

    cr_assert_eq(chroot_uid_drop(&root, why), -1);
    cr_assert(strstr(vstr_str(why), "uid 0") != 0, "%s", vstr_str(why));
    cr_assert_eq(chroot_uid_chroot("relative/dir", why), -1);
    cr_assert_eq(chroot_uid_chroot(0, why), -1);
    cr_assert_eq(chroot_uid_chroot("/no/such/dir/at/all", why), -1);
    /* We are not TEST_UID, so verification must fail. */
    cr_assert_eq(chroot_uid_verify(&ids, why), -1);
    if (geteuid() == 0)
	cr_assert_eq(chroot_uid_check_self(&ids, why), -1);
    vstr_free(why);
}

Test(chroot_uid, lookup)
{
    struct chroot_uid_ids ids;
    struct vstr *why = vstr_alloc(10);

    cr_assert_eq(chroot_uid_lookup("root", &ids, why), -1);
    cr_assert(strstr(vstr_str(why), "uid 0") != 0, "%s", vstr_str(why));
    cr_assert_eq(chroot_uid_lookup("no-such-user-postern-test", &ids, why), -1);
    cr_assert(strstr(vstr_str(why), "does not exist") != 0, "%s", vstr_str(why));
    cr_assert_eq(chroot_uid_lookup("", &ids, why), -1);
    cr_assert_eq(chroot_uid_lookup(0, &ids, why), -1);
    if (chroot_uid_lookup("nobody", &ids, why) == 0)
	cr_assert_neq(ids.uid, 0);
    vstr_free(why);
}
