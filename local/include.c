/*
 * include.c - reading a ~/.forward or :include: file in a child that has
 * the reader's rights (never root's), and the :include: rules.
 *
 * The file must be a regular file with one link, not a symbolic link
 * (safe_open); a .forward must belong to the user (or root) and not be
 * group- or world-writable; an :include: file must not be
 * world-writable. A refused file is ignored with a warning
 * (SECURITY-CASES G3).
 *
 * Rights after an :include: (G3 case 5): when the list was authorized
 * by root (a root-owned alias table), commands and files in an included
 * file owned by a user run as that user; inside a user's own list, an
 * included file of another user may only name addresses - its owner's
 * rights are never taken from a file the victim did not choose.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "safe_open.h"
#include "msg.h"

struct local_read_ctx {
    const char *path;
    int     kind;			/* LOCAL_READ_* */
};

/* local_read_check - may we use this file? 1 yes, 0 ignore it */

static int
local_read_check(const struct local_read_ctx *rc, const struct stat *st,
		         struct vstr *why)
{
    if (rc->kind == LOCAL_READ_FORWARD) {
	if (st->st_uid != geteuid() && st->st_uid != 0) {
	    vstr_sprintf(why, "file is owned by uid %ld", (long) st->st_uid);
	    return (0);
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
	    vstr_sprintf(why, "file is group- or world-writable");
	    return (0);
	}
    } else if (st->st_mode & S_IWOTH) {
	vstr_sprintf(why, "file is world-writable");
	return (0);
    }
    return (1);
}

/* local_read_here - as the reader: "UID\n" + content; 1, 0 or -1 */

int
local_read_here(const char *path, int kind, struct vstr *data,
		        struct vstr *why)
{
    struct local_read_ctx rc;
    struct stat st;
    char    buf[4096];
    ssize_t n;
    int     fd;

    rc.path = path;
    rc.kind = kind;
    vstr_reset(data);
    fd = safe_open(path, O_RDONLY, 0, (uid_t) -1, (gid_t) -1, &st, why);
    if (fd < 0) {
	if (errno == ENOENT || errno == ENOTDIR)
	    return (0);
	if (errno == EPERM || errno == ELOOP || errno == EACCES) {
	    msg_warn("ignoring %s: %s", path, vstr_str(why));
	    return (0);
	}
	return (-1);
    }
    if (!local_read_check(&rc, &st, why)) {
	msg_warn("ignoring %s: %s", path, vstr_str(why));
	(void) close(fd);
	return (0);
    }
    vstr_sprintf(data, "%ld\n", (long) st.st_uid);
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 || vstr_len(data) + (size_t) n > LOCAL_FILE_MAX) {
	    vstr_fail(why, n < 0 ? "read: %m" : "file is too large");
	    if (n >= 0)
		msg_warn("ignoring %s: %s", path, vstr_str(why));
	    (void) close(fd);
	    vstr_reset(data);
	    return (n < 0 ? -1 : 0);
	}
	vstr_memcat(data, buf, (size_t) n);
    }
    (void) close(fd);
    if (memchr(vstr_str(data), 0, vstr_len(data))) {
	vstr_fail(why, "file contains a null byte");
	msg_warn("ignoring %s: %s", path, vstr_str(why));
	vstr_reset(data);
	return (0);
    }
    return (1);
}

/* local_read_child - in the child */

static int
local_read_child(void *ctx, struct vstr *data, struct vstr *why)
{
    struct local_read_ctx *rc = ctx;

    return (local_read_here(rc->path, rc->kind, data, why));
}

/* local_read_parse - "UID\n" + content from a reader; 0 or -1 */

int
local_read_parse(const char *data, struct vstr *content, uid_t *owner,
		         struct vstr *why)
{
    char   *end;
    long    uid;

    errno = 0;
    uid = strtol(data, &end, 10);
    if (end == data || *end != '\n' || uid < 0 || errno != 0
	|| (long) (uid_t) uid != uid || (uid_t) uid == (uid_t) -1)
	return (vstr_fail(why, "bad reply from a reader process"));
    *owner = (uid_t) uid;
    vstr_strcpy(content, end + 1);
    return (0);
}

/* local_read_file - read path as priv; 1 found, 0 none, -1 trouble */

int
local_read_file(const struct local_priv *priv, const char *path, int kind,
		        struct vstr *content, uid_t *owner, struct vstr *why)
{
    struct local_read_ctx rc;
    struct vstr *data = vstr_alloc(200);
    int     status;

    rc.path = path;
    rc.kind = kind;
    status = local_child_run(priv, local_read_child, &rc, data, why);
    if (status == 1 && local_read_parse(vstr_str(data), content, owner,
					why) < 0)
	status = -1;
    else if (status != 0 && status != 1)
	status = -1;
    vstr_free(data);
    return (status);
}

/* local_include_owner - rights for the included list; 0 or -1 */

static int
local_include_owner(struct local_state *state, uid_t file_uid,
		            struct local_priv *priv, int *exp_mask)
{
    struct vstr *why = vstr_alloc(100);
    int     rc = 0;

    *exp_mask = LOCAL_EXP_INCLUDE;
    if (file_uid != 0 && state->owner_root) {
	if ((rc = local_priv_uid(priv, file_uid, why)) == 0)
	    rc = vstr_fail(why, "include file owner %ld unknown",
			   (long) file_uid);
	state->owner_root = 0;
    } else {
	local_priv_copy(priv, state->owner);
	if (file_uid != 0 && file_uid != state->owner->uid)
	    *exp_mask = 0;			/* addresses only */
    }
    if (rc < 0)
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0", "%s",
			 vstr_str(why));
    vstr_free(why);
    return (rc < 0 ? -1 : 0);
}

/* local_include - deliver to the list in an :include: file */

void
local_include(struct local_state *state, const char *path)
{
    struct vstr *content = vstr_alloc(200);
    struct vstr *why = vstr_alloc(100);
    struct local_priv owner;
    uid_t   file_uid = 0;
    int     exp_mask;
    int     rc;

    if (*path != '/') {
	local_result_text(state->result, MAIL_STAT_BOUNCE,
			  "5.3.5 :include: needs an absolute path");
    } else if ((rc = local_read_file(state->owner, path, LOCAL_READ_INCLUDE,
				     content, &file_uid, why)) < 0) {
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0",
			 "cannot read :include: file: %s", vstr_str(why));
    } else if (rc == 0) {
	local_result_set(state->result, MAIL_STAT_BOUNCE, "5.3.5",
			 "cannot use :include: file %s", path);
    } else if (local_include_owner(state, file_uid, &owner, &exp_mask) == 0) {
	local_expand_list(state, vstr_str(content), exp_mask, &owner);
	local_priv_free(&owner);
    }
    vstr_free(content);
    vstr_free(why);
}
