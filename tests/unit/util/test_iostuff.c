/*
 * test_iostuff.c - non_blocking() and close_on_exec() return the old
 * setting, change only their own bit, and fail cleanly on a bad fd.
 */
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>

#include <criterion/criterion.h>

#include "iostuff.h"

Test(iostuff, non_blocking_toggles)
{
    int     p[2];

    cr_assert_eq(pipe(p), 0);
    cr_assert_eq(non_blocking(p[0], NON_BLOCKING), 0);
    cr_assert_neq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    cr_assert_eq(non_blocking(p[0], NON_BLOCKING), 1);
    cr_assert_eq(non_blocking(p[0], BLOCKING), 1);
    cr_assert_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    cr_assert_eq(non_blocking(p[0], BLOCKING), 0);
    cr_assert_eq(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0, "other end changed");
    close(p[0]);
    close(p[1]);
}

Test(iostuff, close_on_exec_toggles)
{
    int     fd = open("/dev/null", O_RDONLY | O_APPEND);

    cr_assert_geq(fd, 0);
    cr_assert_eq(close_on_exec(fd, CLOSE_ON_EXEC), 0);
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    cr_assert_eq(close_on_exec(fd, 2), 1, "any non-zero is on");
    cr_assert_eq(close_on_exec(fd, PASS_ON_EXEC), 1);
    cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    cr_assert_neq(fcntl(fd, F_GETFL) & O_APPEND, 0, "status flags changed");
    close(fd);
}

Test(iostuff, bad_fd)
{
    errno = 0;
    cr_assert_eq(non_blocking(-1, NON_BLOCKING), -1);
    cr_assert_eq(errno, EBADF);
    cr_assert_eq(close_on_exec(12345, CLOSE_ON_EXEC), -1);
    cr_assert_eq(errno, EBADF);
}
