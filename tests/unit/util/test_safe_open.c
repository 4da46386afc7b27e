/*
 * test_safe_open.c - safe_open() against the SECURITY-CASES G1 attacks:
 * symbolic links (also dangling, and the Linux hard-link-to-symlink
 * trick), hard links, a foreign owner, a directory, a FIFO, and a path
 * swapped between open and lstat; plus exclusive create, create then
 * reopen, deferred O_TRUNC and safe_open_dir_fsync().
 *
 * The swap race is made deterministic by interposing lstat(): the test
 * program's definition wins over libc for the static library, and it
 * renames another file over the path just before the real lstat.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>

#include <criterion/criterion.h>

#include "safe_open.h"
#include "vstr.h"

#define OTHER_UID	12345
#define OTHER_GID	12346

static char tmpdir[] = "/tmp/test_safe_open.XXXXXX";
static struct vstr *why;
static const char *race_path;		/* lstat() of this path ... */
static const char *race_other;		/* ... first renames this over it */

/* lstat - interposed for the race test, otherwise the real thing */

int
lstat(const char *path, struct stat *st)
{
    if (race_path != NULL && strcmp(path, race_path) == 0) {
	race_path = NULL;
	if (rename(race_other, path) < 0)
	    abort();
    }
    return (fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW));
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st;
    (void) type;
    (void) ftw;
    return (remove(path));
}

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(tmpdir));
    why = vstr_alloc(100);
    umask(022);
}

static void
teardown(void)
{
    vstr_free(why);
    (void) nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* path_in - a name in the temp dir (static rotating buffers) */

static const char *
path_in(const char *name)
{
    static char bufs[4][256];
    static int n;
    char   *buf = bufs[n++ % 4];

    snprintf(buf, sizeof(bufs[0]), "%s/%s", tmpdir, name);
    return (buf);
}

static void
write_file(const char *path, const char *text)
{
    int     fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
}

static void
assert_content(const char *path, const char *text)
{
    char    buf[256];
    ssize_t n;
    int     fd = open(path, O_RDONLY);

    cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    cr_assert_geq(n, 0);
    buf[n] = 0;
    cr_assert_str_eq(buf, text, "%s content changed", path);
}

static int
try_open(const char *path, int flags, uid_t uid, gid_t gid)
{
    return (safe_open(path, flags, 0600, uid, gid, NULL, why));
}

TestSuite(safe_open, .init = setup, .fini = teardown, .timeout = 10);

Test(safe_open, existing_file_ok)
{
    const char *path = path_in("mbox");
    struct stat st;
    struct stat fst;
    int     fd;

    write_file(path, "old\n");
    fd = safe_open(path, O_WRONLY | O_APPEND, 0, (uid_t) -1, (gid_t) -1, &st, why);
    cr_assert_geq(fd, 0, "safe_open: %s", vstr_str(why));
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC, "close-on-exec not set");
    cr_assert_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "O_NONBLOCK left on");
    cr_assert_eq(fstat(fd, &fst), 0);
    cr_assert_eq(st.st_ino, fst.st_ino);
    cr_assert_eq(write(fd, "new\n", 4), 4);
    close(fd);
    assert_content(path, "old\nnew\n");
}

Test(safe_open, nonblock_kept_when_asked)
{
    const char *path = path_in("f");
    int     fd;

    write_file(path, "");
    fd = try_open(path, O_RDONLY | O_NONBLOCK, (uid_t) -1, (gid_t) -1);
    cr_assert_geq(fd, 0);
    cr_assert_neq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
}

Test(safe_open, missing_file_without_create)
{
    cr_assert_eq(try_open(path_in("none"), O_RDONLY, (uid_t) -1, (gid_t) -1), -1);
    cr_assert_eq(errno, ENOENT);
    cr_assert_neq(vstr_len(why), 0);
    cr_assert_eq(access(path_in("none"), F_OK), -1, "file was created");
}

Test(safe_open, symlink_refused)
{
    const char *target = path_in("passwd");
    const char *lnk = path_in("alice");

    write_file(target, "root:x:0:0\n");
    cr_assert_eq(symlink(target, lnk), 0);
    cr_assert_eq(try_open(lnk, O_WRONLY | O_APPEND, (uid_t) -1, (gid_t) -1), -1);
    cr_assert_eq(errno, ELOOP);
    cr_assert(strstr(vstr_str(why), "symbolic link"), "why: %s", vstr_str(why));
    cr_assert_eq(try_open(lnk, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC,
			  (uid_t) -1, (gid_t) -1), -1);
    cr_assert_eq(try_open(lnk, O_WRONLY | O_CREAT | O_EXCL,
			  (uid_t) -1, (gid_t) -1), -1);
    cr_assert_eq(errno, EEXIST);
    assert_content(target, "root:x:0:0\n");
}

Test(safe_open, dangling_symlink_not_followed_on_create)
{
    const char *target = path_in("created-by-attack");
    const char *lnk = path_in("alice");

    cr_assert_eq(symlink(target, lnk), 0);
    cr_assert_eq(try_open(lnk, O_WRONLY | O_APPEND | O_CREAT,
			  (uid_t) -1, (gid_t) -1), -1);
    cr_assert_eq(access(target, F_OK), -1, "symlink target was created");
}

Test(safe_open, hardlink_refused)
{
    const char *shadow = path_in("shadow");
    const char *lnk = path_in("alice");

    write_file(shadow, "secret\n");
    cr_assert_eq(link(shadow, lnk), 0);
    cr_assert_eq(try_open(lnk, O_WRONLY | O_APPEND | O_TRUNC,
			  (uid_t) -1, (gid_t) -1), -1);
    cr_assert_eq(errno, EPERM);
    cr_assert(strstr(vstr_str(why), "2 hard links"), "why: %s", vstr_str(why));
    cr_assert_eq(try_open(lnk, O_WRONLY | O_CREAT, (uid_t) -1, (gid_t) -1), -1);
    assert_content(shadow, "secret\n");
}

Test(safe_open, hardlink_to_symlink_refused)
{
    const char *target = path_in("passwd");
    const char *sym = path_in("x");
    const char *lnk = path_in("alice");

    write_file(target, "root\n");
    cr_assert_eq(symlink(target, sym), 0);
    cr_assert_eq(linkat(AT_FDCWD, sym, AT_FDCWD, lnk, 0), 0);
    cr_assert_eq(try_open(lnk, O_WRONLY | O_APPEND | O_CREAT,
			  (uid_t) -1, (gid_t) -1), -1);
    assert_content(target, "root\n");
}

Test(safe_open, wrong_owner_refused)
{
    const char *path = path_in("alice");
    int     fd;

    if (geteuid() != 0)
	cr_skip_test("needs root to chown");
    write_file(path, "bob owns this\n");
    cr_assert_eq(chown(path, OTHER_UID, OTHER_GID), 0);
    cr_assert_eq(try_open(path, O_WRONLY | O_APPEND | O_TRUNC, 0, (gid_t) -1), -1);
    cr_assert_eq(errno, EPERM);
    cr_assert(strstr(vstr_str(why), "owner"), "why: %s", vstr_str(why));
    cr_assert_eq(try_open(path, O_WRONLY, OTHER_UID, 0), -1);
    cr_assert(strstr(vstr_str(why), "group"), "why: %s", vstr_str(why));
    assert_content(path, "bob owns this\n");
    fd = try_open(path, O_WRONLY, OTHER_UID, OTHER_GID);
    cr_assert_geq(fd, 0, "right owner refused: %s", vstr_str(why));
    close(fd);
}

Test(safe_open, directory_refused)
{
    const char *path = path_in("dir");

    cr_assert_eq(mkdir(path, 0755), 0);
    cr_assert_eq(try_open(path, O_RDONLY, (uid_t) -1, (gid_t) -1), -1);
    cr_assert(strstr(vstr_str(why), "not a regular file"), "why: %s", vstr_str(why));
    cr_assert_eq(try_open(path, O_WRONLY | O_APPEND | O_CREAT,
			  (uid_t) -1, (gid_t) -1), -1);
}

Test(safe_open, fifo_refused_without_blocking)
{
    const char *path = path_in("fifo");

    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_eq(try_open(path, O_RDONLY, (uid_t) -1, (gid_t) -1), -1);
    cr_assert(strstr(vstr_str(why), "not a regular file"), "why: %s", vstr_str(why));
    cr_assert_eq(try_open(path, O_WRONLY | O_APPEND, (uid_t) -1, (gid_t) -1), -1);
}

Test(safe_open, exclusive_create)
{
    const char *path = path_in("queuefile");
    struct stat st;
    int     fd;
    uid_t   uid = geteuid() == 0 ? OTHER_UID : (uid_t) -1;
    gid_t   gid = geteuid() == 0 ? OTHER_GID : (gid_t) -1;

    umask(0);
    fd = safe_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600, uid, gid, &st, why);
    cr_assert_geq(fd, 0, "create: %s", vstr_str(why));
    cr_assert_eq(st.st_mode & 07777, 0600);
    cr_assert(S_ISREG(st.st_mode));
    if (uid != (uid_t) -1) {
	cr_assert_eq(st.st_uid, OTHER_UID);
	cr_assert_eq(st.st_gid, OTHER_GID);
    }
    close(fd);
    cr_assert_eq(safe_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600, uid, gid,
			   &st, why), -1);
    cr_assert_eq(errno, EEXIST);
}

Test(safe_open, create_then_reopen)
{
    const char *path = path_in("mbox");
    struct stat st1;
    struct stat st2;
    int     fd;

    fd = safe_open(path, O_WRONLY | O_APPEND | O_CREAT, 0600,
		   (uid_t) -1, (gid_t) -1, &st1, why);
    cr_assert_geq(fd, 0, "create: %s", vstr_str(why));
    cr_assert_eq(write(fd, "one\n", 4), 4);
    close(fd);
    fd = safe_open(path, O_WRONLY | O_APPEND | O_CREAT, 0600,
		   (uid_t) -1, (gid_t) -1, &st2, why);
    cr_assert_geq(fd, 0, "reopen: %s", vstr_str(why));
    cr_assert_eq(st1.st_ino, st2.st_ino);
    cr_assert_eq(write(fd, "two\n", 4), 4);
    close(fd);
    assert_content(path, "one\ntwo\n");
}

Test(safe_open, truncate_after_checks)
{
    const char *path = path_in("f");
    struct stat st;
    int     fd;

    write_file(path, "old content\n");
    fd = try_open(path, O_WRONLY | O_TRUNC, (uid_t) -1, (gid_t) -1);
    cr_assert_geq(fd, 0, "%s", vstr_str(why));
    cr_assert_eq(fstat(fd, &st), 0);
    cr_assert_eq(st.st_size, 0);
    close(fd);
}

Test(safe_open, race_swap_detected)
{
    const char *path = path_in("alice");
    const char *other = path_in("swap");

    write_file(path, "alice mail\n");
    write_file(other, "attacker file\n");
    race_path = path;
    race_other = other;
    cr_assert_eq(try_open(path, O_WRONLY | O_APPEND, (uid_t) -1, (gid_t) -1), -1);
    cr_assert_null(race_path, "lstat was not called on the path");
    cr_assert_eq(errno, EPERM);
    cr_assert(strstr(vstr_str(why), "replaced"), "why: %s", vstr_str(why));
    assert_content(path, "attacker file\n");
}

Test(safe_open, race_swap_detected_after_create)
{
    const char *path = path_in("new");
    const char *other = path_in("swap");

    write_file(other, "attacker file\n");
    race_path = path;
    race_other = other;
    cr_assert_eq(try_open(path, O_WRONLY | O_CREAT | O_EXCL,
			  (uid_t) -1, (gid_t) -1), -1);
    cr_assert_null(race_path);
    cr_assert(strstr(vstr_str(why), "replaced"), "why: %s", vstr_str(why));
}

Test(safe_open, null_why_and_st)
{
    const char *path = path_in("f");
    int     fd;

    cr_assert_eq(safe_open(path, O_RDONLY, 0, (uid_t) -1, (gid_t) -1,
			   NULL, NULL), -1);
    fd = safe_open(path, O_RDWR | O_CREAT, 0600, (uid_t) -1, (gid_t) -1,
		   NULL, NULL);
    cr_assert_geq(fd, 0);
    close(fd);
}

Test(safe_open, dir_fsync)
{
    const char *file = path_in("f");

    cr_assert_eq(safe_open_dir_fsync(tmpdir), 0);
    cr_assert_eq(safe_open_dir_fsync(path_in("none")), -1);
    cr_assert_eq(errno, ENOENT);
    write_file(file, "x");
    cr_assert_eq(safe_open_dir_fsync(file), -1);
    cr_assert_eq(errno, ENOTDIR);
}
