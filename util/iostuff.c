/*
 * iostuff.c - switch O_NONBLOCK and FD_CLOEXEC on a file descriptor
 * (see iostuff.h).
 *
 * Each function reads the current flags, changes only its own bit, and
 * skips the write when nothing changes, so it is cheap to call
 * "just in case".
 */
#include <fcntl.h>

#include "iostuff.h"

/* non_blocking - set or clear O_NONBLOCK, return the old setting */

int
non_blocking(int fd, int on)
{
    int     flags;
    int     nflags;

    if ((flags = fcntl(fd, F_GETFL, 0)) < 0)
	return (-1);
    nflags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (nflags != flags && fcntl(fd, F_SETFL, nflags) < 0)
	return (-1);
    return ((flags & O_NONBLOCK) != 0);
}

/* close_on_exec - set or clear FD_CLOEXEC, return the old setting */

int
close_on_exec(int fd, int on)
{
    int     flags;
    int     nflags;

    if ((flags = fcntl(fd, F_GETFD, 0)) < 0)
	return (-1);
    nflags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    if (nflags != flags && fcntl(fd, F_SETFD, nflags) < 0)
	return (-1);
    return ((flags & FD_CLOEXEC) != 0);
}
