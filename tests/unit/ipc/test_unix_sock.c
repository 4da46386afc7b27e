/*
 * test_unix_sock.c - unix_listen() (mode, stale socket, refuses to
 * remove a non-socket, close-on-exec), unix_connect() (success, no
 * server, bounded wait when the backlog is full), unix_pair().
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ipc/attr_test.h"
#include "unix_sock.h"
#include "iostuff.h"

static char dir[] = "/tmp/test_unix_sock.XXXXXX";
static char path[200];

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/sock", dir);
}

static void
teardown(void)
{
    unlink(path);
    rmdir(dir);
}

TestSuite(unix_sock, .init = setup, .fini = teardown);

Test(unix_sock, listen_connect_accept)
{
    struct stat st;
    int     lfd, cfd, afd;

    cr_assert_geq(lfd = unix_listen(path, 10, 0620), 0);
    cr_assert_eq(lstat(path, &st), 0);
    cr_assert(S_ISSOCK(st.st_mode));
    cr_assert_eq(st.st_mode & 07777, 0620);
    cr_assert(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
    cr_assert_geq(cfd = unix_connect(path, 2), 0);
    cr_assert(fcntl(cfd, F_GETFD) & FD_CLOEXEC);
    cr_assert_eq(fcntl(cfd, F_GETFL) & O_NONBLOCK, 0, "must be blocking");
    cr_assert_geq(afd = accept(lfd, 0, 0), 0);
    cr_assert_eq(write(cfd, "x", 1), 1);
    close(cfd);
    close(afd);
    cr_assert_geq(cfd = unix_connect_mode(path, NON_BLOCKING, 2), 0);
    cr_assert_neq(fcntl(cfd, F_GETFL) & O_NONBLOCK, 0);
    close(cfd);
    close(lfd);
}

Test(unix_sock, stale_socket_is_replaced)
{
    int     lfd1, lfd2;

    cr_assert_geq(lfd1 = unix_listen(path, 10, 0600), 0);
    close(lfd1);
    cr_assert_geq(lfd2 = unix_listen(path, 10, 0666), 0);
    close(lfd2);
}

Test(unix_sock, refuses_to_remove_other_files)
{
    char    other[220];
    int     fd;

    cr_assert_geq(fd = open(path, O_CREAT | O_WRONLY, 0600), 0);
    close(fd);
    errno = 0;
    cr_assert_eq(unix_listen(path, 10, 0600), -1);
    cr_assert_eq(errno, EEXIST);
    cr_assert_eq(access(path, F_OK), 0, "the file must still be there");
    unlink(path);
    snprintf(other, sizeof(other), "%s/target", dir);
    cr_assert_eq(symlink(other, path), 0);
    cr_assert_eq(unix_listen(path, 10, 0600), -1, "symlink is not a socket");
    unlink(path);
}

Test(unix_sock, connect_failures)
{
    char    longpath[300];

    errno = 0;
    cr_assert_eq(unix_connect(path, 1), -1);
    cr_assert_eq(errno, ENOENT);
    memset(longpath, 'p', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = 0;
    cr_assert_eq(unix_connect(longpath, 1), -1);
    cr_assert_eq(errno, ENAMETOOLONG);
    cr_assert_eq(unix_listen(longpath, 1, 0600), -1);
    cr_assert_eq(errno, ENAMETOOLONG);
}

Test(unix_sock, full_backlog_waits_at_most_the_timeout)
{
    long long start, took;
    int     lfd, fds[64];
    int     i, n = 0;

    cr_assert_geq(lfd = unix_listen(path, 0, 0600), 0);
    start = mono_ms();
    for (i = 0; i < 64; i++) {
	if ((fds[i] = unix_connect(path, 1)) < 0)
	    break;
	n++;
    }
    took = mono_ms() - start;
    cr_assert_lt(n, 64, "backlog never filled");
    cr_assert_eq(errno, ETIMEDOUT);
    cr_assert_geq(took, 900);
    cr_assert_lt(took, 2500);
    for (i = 0; i < n; i++)
	close(fds[i]);
    close(lfd);
}

Test(unix_sock, pair)
{
    int     fds[2];
    char    ch = 0;

    cr_assert_eq(unix_pair(fds), 0);
    cr_assert(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
    cr_assert_eq(write(fds[0], "z", 1), 1);
    cr_assert_eq(read(fds[1], &ch, 1), 1);
    cr_assert_eq(ch, 'z');
    close(fds[0]);
    close(fds[1]);
}
