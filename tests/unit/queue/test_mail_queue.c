/*
 * test_mail_queue.c - queue names and paths, queue ID format, validation,
 * uniqueness and time order, temporary names, and the queue tree: owners,
 * modes, idempotence, repair, and refusal of a symlink or file.
 */
#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "sys_defs.h"
#include "vstr.h"
#include "mail_queue.h"

Test(mail_queue, id_validation)
{
    static const char *good[] = {
	"000000000000", "ABCDEFGHIJKLMNOPQRST", "abcdefghijklmnopqrst",
	"0123456789Az", "zzzzzzzzzzzzz",
    };
    static const char *bad[] = {
	"", "00000000000", "ABCDEFGHIJKLMNOPQRSTU", "000000/00000",
	"000000.00000", "../000000000", "00000000000-", "00000000000 ",
	"0000000000\n0", "00000000000\xe9", "00000000000_", 
    };
    size_t  i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	cr_assert(mail_queue_id_ok(good[i]), "%s", good[i]);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	cr_assert(!mail_queue_id_ok(bad[i]), "%s", bad[i]);
    cr_assert(!mail_queue_id_ok(0));
    /* A NUL inside: the name seen by C ends early, so it is too short. */
    cr_assert(!mail_queue_id_ok("000000\0" "000000"));
}

Test(mail_queue, names_and_paths)
{
    struct vstr *buf = vstr_alloc(10);
    static const char *hashed[] = {"incoming", "active", "deferred", "hold",
    "bounce", "defer"};
    static const char *flat[] = {"maildrop", "corrupt", "private", "public",
    "pid"};
    size_t  i;

    for (i = 0; i < 6; i++) {
	cr_assert(mail_queue_name_ok(hashed[i]) && mail_queue_hashed(hashed[i]));
	cr_assert_eq(mail_queue_path(buf, hashed[i], "ABCDEFGHIJKLM"), 0);
	cr_assert_eq(strncmp(vstr_str(buf), hashed[i], strlen(hashed[i])), 0);
	cr_assert_str_eq(vstr_str(buf) + strlen(hashed[i]), "/J/ABCDEFGHIJKLM");
    }
    for (i = 0; i < 5; i++) {
	cr_assert(mail_queue_name_ok(flat[i]) && !mail_queue_hashed(flat[i]));
	cr_assert_eq(mail_queue_path(buf, flat[i], "ABCDEFGHIJKLM"), 0);
	cr_assert_str_eq(vstr_str(buf) + strlen(flat[i]), "/ABCDEFGHIJKLM");
    }
    cr_assert(!mail_queue_name_ok("tmp") && !mail_queue_name_ok("..")
	      && !mail_queue_name_ok("") && !mail_queue_name_ok(0));
    cr_assert_eq(mail_queue_path(buf, "active", "../../etc/pw"), -1);
    cr_assert_eq(vstr_len(buf), 0);
    cr_assert_eq(mail_queue_path(buf, "../x", "ABCDEFGHIJKLM"), -1);
    vstr_free(buf);
}

Test(mail_queue, id_encoding)
{
    struct vstr *id = vstr_alloc(10);
    struct timeval tv = {0, 0};
    struct timeval got;
    unsigned long long top = 1;
    int     i;

    cr_assert_eq(mail_queue_id_make(id, &tv, 0), 0);
    cr_assert_str_eq(vstr_str(id), "000000000000");
    tv.tv_sec = 61;
    tv.tv_usec = 999999;
    cr_assert_eq(mail_queue_id_make(id, &tv, 62), 0);
    /* 999999 = 4*62^3 + 12*62^2 + 9*62 + 1 -> "4C91" */
    cr_assert_str_eq(vstr_str(id), "00000z4C9110");
    for (i = 0; i < 10; i++)
	top *= 62;
    cr_assert_eq(mail_queue_id_make(id, &tv, top - 1), 0);
    cr_assert_eq(vstr_len(id), 20);
    cr_assert(mail_queue_id_ok(vstr_str(id)));
    cr_assert_eq(mail_queue_id_make(id, &tv, top), -1);
    tv.tv_usec = 1000000;
    cr_assert_eq(mail_queue_id_make(id, &tv, 1), -1);
    tv.tv_sec = 1700000000;
    tv.tv_usec = 654321;
    cr_assert_eq(mail_queue_id_make(id, &tv, 123456789), 0);
    cr_assert_eq(mail_queue_id_time(vstr_str(id), &got), 0);
    cr_assert_eq(got.tv_sec, tv.tv_sec);
    cr_assert_eq(got.tv_usec, tv.tv_usec);
    cr_assert_eq(mail_queue_id_time("000000zzzz00", &got), -1);	/* usec too big */
    cr_assert_eq(mail_queue_id_time("bad/id", &got), -1);
    vstr_free(id);
}

#define NIDS 10000

static int
cmp_str(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

Test(mail_queue, ids_unique_and_time_ordered)
{
    struct vstr *id = vstr_alloc(10);
    char  **ids = malloc(NIDS * sizeof(*ids));
    struct timeval prev = {0, 0};
    struct timeval tv;
    int     i;

    for (i = 0; i < NIDS; i++) {
	cr_assert_eq(mail_queue_id_next(id, 4242), 0);
	cr_assert(mail_queue_id_ok(vstr_str(id)), "%s", vstr_str(id));
	ids[i] = strdup(vstr_str(id));
	cr_assert_eq(mail_queue_id_time(ids[i], &tv), 0);
	cr_assert(tv.tv_sec > prev.tv_sec
		  || (tv.tv_sec == prev.tv_sec && tv.tv_usec > prev.tv_usec));
	prev = tv;
	if (i > 0)
	    cr_assert(strcmp(ids[i - 1], ids[i]) < 0, "%s !< %s",
		      ids[i - 1], ids[i]);
    }
    qsort(ids, NIDS, sizeof(*ids), cmp_str);
    for (i = 1; i < NIDS; i++)
	cr_assert(strcmp(ids[i - 1], ids[i]) != 0, "duplicate %s", ids[i]);
    for (i = 0; i < NIDS; i++)
	free(ids[i]);
    free(ids);
    vstr_free(id);
}

Test(mail_queue, temp_names)
{
    struct vstr *name = vstr_alloc(10);
    struct vstr *prev = vstr_alloc(10);
    int     i;

    for (i = 0; i < 100; i++) {
	mail_queue_temp_name(name);
	cr_assert(!mail_queue_id_ok(vstr_str(name)));
	cr_assert(mail_queue_temp_ok(vstr_str(name)), "%s", vstr_str(name));
	cr_assert_str_neq(vstr_str(name), vstr_str(prev));
	vstr_strcpy(prev, vstr_str(name));
    }
    cr_assert(!mail_queue_temp_ok("tmp.1.2"));
    cr_assert(!mail_queue_temp_ok("tmp..1.2"));
    cr_assert(!mail_queue_temp_ok("tmp.1.2."));
    cr_assert(!mail_queue_temp_ok("tmp.1/2.3"));
    cr_assert(!mail_queue_temp_ok("ABCDEFGHIJKLM"));
    cr_assert(!mail_queue_temp_ok(0));
    vstr_free(name);
    vstr_free(prev);
}

 /*
  * The queue tree. Run as root so that owners can be checked.
  */
#define OWNER	12345
#define GROUP	23456

static char tree_base[] = "/tmp/mqtree.XXXXXX";

static void
tree_setup(void)
{
    cr_assert_not_null(mkdtemp(tree_base));
}

static int
rm_one(const char *path, const struct stat *st UNUSED, int flag,
       struct FTW *ftw UNUSED)
{
    return (flag == FTW_DP ? rmdir(path) : unlink(path));
}

static void
rm_tree(const char *path)
{
    (void) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
tree_teardown(void)
{
    rm_tree(tree_base);
}

static void
expect(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
    struct stat st;

    cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
    cr_assert(S_ISDIR(st.st_mode), "%s", path);
    cr_assert_eq(st.st_mode & 07777, mode, "%s: mode %o", path,
		 st.st_mode & 07777);
    cr_assert_eq(st.st_uid, uid, "%s: uid %d", path, (int) st.st_uid);
    if (gid != (gid_t) -1)
	cr_assert_eq(st.st_gid, gid, "%s: gid %d", path, (int) st.st_gid);
}

static void
check_tree(const char *qdir)
{
    static const char *owned[] = {"incoming", "active", "deferred", "hold",
    "corrupt", "bounce", "defer", "private"};
    char    path[512];
    size_t  i;
    const char *cp;

    expect(qdir, 0, (gid_t) -1, 0755);
    for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
	snprintf(path, sizeof(path), "%s/%s", qdir, owned[i]);
	expect(path, OWNER, (gid_t) -1, 0700);
	if (mail_queue_hashed(owned[i])) {
	    for (cp = MAIL_QUEUE_ALPHABET; *cp; cp++) {
		snprintf(path, sizeof(path), "%s/%s/%c", qdir, owned[i], *cp);
		expect(path, OWNER, (gid_t) -1, 0700);
	    }
	}
    }
    snprintf(path, sizeof(path), "%s/maildrop", qdir);
    expect(path, OWNER, GROUP, 0730);
    snprintf(path, sizeof(path), "%s/public", qdir);
    expect(path, OWNER, GROUP, 0710);
    snprintf(path, sizeof(path), "%s/pid", qdir);
    expect(path, 0, (gid_t) -1, 0755);
}

Test(mail_queue_tree, create_fix_idempotent, .init = tree_setup,
     .fini = tree_teardown)
{
    struct vstr *why = vstr_alloc(10);
    char    qdir[256];
    char    path[300];

    if (geteuid() != 0)
	cr_skip_test("needs root");
    snprintf(qdir, sizeof(qdir), "%s/spool/postern", tree_base);
    umask(077);
    cr_assert_eq(mail_queue_create_tree(qdir, OWNER, GROUP, why), 0,
		 "%s", vstr_str(why));
    check_tree(qdir);
    cr_assert_eq(mail_queue_create_tree(qdir, OWNER, GROUP, why), 0);
    check_tree(qdir);

    /* Wrong modes and owners are repaired. */
    snprintf(path, sizeof(path), "%s/active", qdir);
    cr_assert_eq(chmod(path, 0777), 0);
    snprintf(path, sizeof(path), "%s/maildrop", qdir);
    cr_assert_eq(chown(path, 0, 0), 0);
    cr_assert_eq(chmod(path, 01777), 0);
    snprintf(path, sizeof(path), "%s/deferred/Q", qdir);
    cr_assert_eq(chown(path, 99, 99), 0);
    cr_assert_eq(chmod(qdir, 0777), 0);
    cr_assert_eq(mail_queue_create_tree(qdir, OWNER, GROUP, why), 0);
    check_tree(qdir);
    vstr_free(why);
}

Test(mail_queue_tree, refuses_symlink_and_file, .init = tree_setup,
     .fini = tree_teardown)
{
    struct vstr *why = vstr_alloc(10);
    char    qdir[256];
    char    path[300];
    char    victim[300];
    struct stat st;

    if (geteuid() != 0)
	cr_skip_test("needs root");
    snprintf(qdir, sizeof(qdir), "%s/q", tree_base);
    snprintf(victim, sizeof(victim), "%s/victim", tree_base);
    cr_assert_eq(mkdir(victim, 0755), 0);
    cr_assert_eq(mail_queue_create_tree(qdir, OWNER, GROUP, why), 0);

    /* A symlink in place of a queue. */
    snprintf(path, sizeof(path), "%s/hold", qdir);
    rm_tree(path);
    cr_assert_eq(symlink(victim, path), 0);
    errno = 0;
    cr_assert_eq(mail_queue_create_tree(qdir, OWNER, GROUP, why), -1);
    cr_assert(strstr(vstr_str(why), "hold"), "%s", vstr_str(why));
    cr_assert(strstr(vstr_str(why), "not a directory"), "%s", vstr_str(why));
    cr_assert_eq(stat(victim, &st), 0);
    cr_assert_eq(st.st_uid, 0);
    cr_assert_eq(st.st_mode & 07777, 0755);
    snprintf(victim, sizeof(victim), "%s/victim/0", tree_base);
    cr_assert_eq(access(victim, F_OK), -1, "hash dir made through symlink");

    /* A plain file in place of a queue. */
    cr_assert_eq(unlink(path), 0);
    cr_assert(close(open(path, O_CREAT | O_WRONLY, 0600)) == 0);
    cr_assert_eq(mail_queue_create_tree(qdir, OWNER, GROUP, why), -1);

    /* The queue directory itself as a symlink. */
    snprintf(path, sizeof(path), "%s/qlink", tree_base);
    cr_assert_eq(symlink(victim, path), 0);
    cr_assert_eq(mail_queue_create_tree(path, OWNER, GROUP, why), -1);
    snprintf(path, sizeof(path), "%s/victim/active", tree_base);
    cr_assert_eq(access(path, F_OK), -1, "tree was made through a symlink");
    vstr_free(why);
}
