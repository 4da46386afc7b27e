/*
 * ctest.h - helpers shared by the cleanup unit tests: a fixed
 * configuration, tables from inline: text, and a throw-away queue tree.
 * Everything is static so each test file gets its own copy.
 */
#ifndef CTEST_H
#define CTEST_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "../../../cleanup/cleanup.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "maps.h"

/* ct_config - the parameters cleanup reads, set as a test expects */

static UNUSED void
ct_config(void)
{
    var_myhostname = "mx.example.com";
    var_mydomain = "example.com";
    var_myorigin = "example.com";
    var_mydestination = "example.com, localhost";
    var_append_at_myorigin = 1;
    var_append_dot_mydomain = 0;
    var_recipient_delimiter = "+";
    var_hopcount_limit = 50;
    var_header_limit = 102400;
    var_message_limit = 10240000;
    var_virt_recur_limit = 1000;
    var_virt_expan_limit = 1000;
    var_ipc_timeout = 30;
}

/* ct_maps - a table list, or NULL for an empty text */

static UNUSED struct maps *
ct_maps(const char *title, const char *list)
{
    struct vstr *why = vstr_alloc(10);
    struct maps *maps;

    if (list == 0)
	return (0);
    maps = maps_create(title, list, DICT_FLAG_NONE, why);
    cr_assert_not_null(maps, "%s", vstr_str(why));
    vstr_free(why);
    return (maps);
}

static UNUSED int
ct_rm_one(const char *path, const struct stat *st UNUSED, int flag,
	          struct FTW *ftw UNUSED)
{
    return (flag == FTW_DP ? rmdir(path) : unlink(path));
}

/* ct_queue_make - a queue tree in a new temporary directory */

static UNUSED void
ct_queue_make(char *qdir)
{
    struct vstr *why = vstr_alloc(10);

    cr_assert_not_null(mkdtemp(qdir));
    cr_assert_eq(mail_queue_create_tree(qdir, geteuid(), getegid(), why), 0,
		 "%s", vstr_str(why));
    vstr_free(why);
}

/* ct_queue_remove - remove the tree */

static UNUSED void
ct_queue_remove(const char *qdir)
{
    (void) nftw(qdir, ct_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int ct_count;

static UNUSED int
ct_count_one(const char *path UNUSED, const struct stat *st UNUSED,
	             int flag, struct FTW *ftw UNUSED)
{
    if (flag == FTW_F && strstr(path, "/pid/") == 0)
	ct_count++;
    return (0);
}

/* ct_queue_files - regular files anywhere in the queue tree */

static UNUSED int
ct_queue_files(const char *qdir)
{
    ct_count = 0;
    cr_assert_eq(nftw(qdir, ct_count_one, 16, FTW_PHYS), 0);
    return (ct_count);
}

#endif
