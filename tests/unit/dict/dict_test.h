/*
 * dict_test.h - helpers shared by the lookup table tests: a private
 * temporary directory, writing fixture files, and capturing what the
 * code under test writes to stderr (msg_warn).
 */
#ifndef DICT_TEST_H
#define DICT_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vstr.h"

static char dt_dir[64];

/* dt_rm - nftw callback */

static inline int
dt_rm(const char *path, const struct stat *st UNUSED, int type UNUSED,
      struct FTW *ftw UNUSED)
{
    return (remove(path));
}

/* dt_setup - a fresh temporary directory for one test */

static inline void
dt_setup(void)
{
    strcpy(dt_dir, "/tmp/postern-dict-XXXXXX");
    cr_assert_not_null(mkdtemp(dt_dir));
}

/* dt_teardown - remove it */

static inline void
dt_teardown(void)
{
    if (dt_dir[0])
	(void) nftw(dt_dir, dt_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* dt_path - a file name in the test directory (static result, 4 slots) */

static inline const char *
dt_path(const char *name)
{
    static char buf[4][512];
    static int n;
    char   *p = buf[n++ % 4];

    snprintf(p, 512, "%s/%s", dt_dir, name);
    return (p);
}

/* dt_write - create a file with the given bytes */

static inline void
dt_write_len(const char *path, const char *text, size_t len)
{
    FILE   *fp = fopen(path, "w");

    cr_assert_not_null(fp, "fopen %s", path);
    cr_assert_eq(fwrite(text, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
}

static inline void
dt_write(const char *path, const char *text)
{
    dt_write_len(path, text, strlen(text));
}

/* dt_stderr_begin/end - capture fd 2 into a string */

static int dt_saved_fd = -1;
static char dt_capture[128];

static inline void
dt_stderr_begin(void)
{
    int     fd;

    snprintf(dt_capture, sizeof(dt_capture), "%s/stderr.XXXXXX", dt_dir);
    cr_assert((fd = mkstemp(dt_capture)) >= 0);
    fflush(stderr);
    dt_saved_fd = dup(2);
    cr_assert(dup2(fd, 2) == 2);
    close(fd);
}

static inline char *
dt_stderr_end(void)
{
    static char buf[8192];
    FILE   *fp;
    size_t  n;

    fflush(stderr);
    cr_assert(dup2(dt_saved_fd, 2) == 2);
    close(dt_saved_fd);
    cr_assert_not_null(fp = fopen(dt_capture, "r"));
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = 0;
    fclose(fp);
    unlink(dt_capture);
    return (buf);
}

#endif
