/*
 * file.c - "/file" destinations from aliases and .forward files: the
 * message is appended in mbox format (separator, ">From " quoting,
 * fcntl lock, fsync, truncation on failure) by a child that runs as the
 * list's owner (default_privs instead of root), never as root.
 *
 * The file may not be a symbolic link, have more than one link, or have
 * an execute bit (Postfix refuses those too); /dev/null discards.
 */
#include <string.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"

/* local_file_path_ok - absolute, printable, no ".." component */

static int
local_file_path_ok(const char *path)
{
    const char *cp;

    if (*path != '/' || strlen(path) > 4096 || strstr(path, "/../")
	|| (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
	return (0);
    for (cp = path; *cp; cp++)
	if ((unsigned char) *cp < ' ' || *cp == 0x7f)
	    return (0);
    return (1);
}

/* local_file - append the message to a file */

void
local_file(struct local_state *state, const char *path)
{
    struct local_mbox_ctx mc;
    struct vstr *why;
    int     status;

    if (!local_file_path_ok(path)) {
	local_result_text(state->result, MAIL_STAT_BOUNCE,
			  "5.3.5 bad file name in alias or forward list");
	return;
    }
    if (local_is_dup(state, "file", path))
	return;
    if (strcmp(path, "/dev/null") == 0) {
	local_result_text(state->result, MAIL_STAT_OK,
			  "2.0.0 delivered to file: /dev/null");
	return;
    }
    why = vstr_alloc(100);
    mc.msg = state->msg;
    mc.path = path;
    mc.delivered_to = vstr_str(state->address);
    mc.flags = LOCAL_MBOX_FCNTL | LOCAL_MBOX_NOEXEC;
    mc.limit = var_mailbox_limit;
    status = local_child_run(state->owner, local_mbox_child, &mc,
			     (struct vstr *) 0, why);
    if (status == MAIL_STAT_OK)
	local_result_set(state->result, MAIL_STAT_OK, "2.0.0",
			 "delivered to file: %s", path);
    else
	local_result_text(state->result, local_child_status(status),
			  vstr_str(why));
    vstr_free(why);
}
