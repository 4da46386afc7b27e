/*
 * cleanup_out.c - the output side of cleanup: the new queue file (open,
 * lines, commit or abandon), the reply to the client, and the wakeup
 * for qmgr. See cleanup.h and docs/cleanup.md.
 *
 * The order is the contract of cleanup_proto.h: the reply says OK only
 * after queue_write_commit() has fsynced the file, renamed it to its
 * queue ID and fsynced the directory. Any write error (ENOSPC, EFBIG,
 * EIO, ...) turns into MAIL_STAT_DEFER and the temporary file is
 * removed, so nothing half-written is ever visible to qmgr.
 *
 * Every line written is checked for 8-bit bytes (headers and body): the
 * queue file then gets QUEUE_FLAG_8BITMIME at commit, whatever the
 * client declared, so that smtp sends BODY=8BITMIME (RFC 6152).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "attr.h"
#include "cleanup.h"
#include "cleanup_proto.h"
#include "iostuff.h"
#include "mail_proto.h"
#include "master_proto.h"
#include "mymalloc.h"
#include "msg.h"
#include "unix_sock.h"

#define CLEANUP_WRITE_ERROR	"4.3.0 Error: queue file write error"

/* cleanup_out_fail - log a write problem, defer the message */

static void
cleanup_out_fail(struct cleanup_state *state, const char *what)
{
    msg_warn("%s: %s queue file: %s",
	     state->queue_id ? state->queue_id : "NOQUEUE", what,
	     vstr_str(state->why));
    (void) cleanup_state_error(state, MAIL_STAT_DEFER, CLEANUP_WRITE_ERROR);
}

/* cleanup_out_open - create the queue file and write the envelope */

int
cleanup_out_open(struct cleanup_state *state)
{
    const char *queue = (state->flags & CLEANUP_FLAG_HOLD) ? "hold" : "incoming";

    if (state->status != MAIL_STAT_OK)
	return (-1);
    if ((state->dst = queue_write_open(state->queue_dir, queue, state->why)) == 0) {
	cleanup_out_fail(state, "create");
	return (-1);
    }
    state->queue_id = mystrdup(queue_write_id(state->dst));
    if (queue_write_envelope(state->dst, &state->env, state->why) < 0) {
	cleanup_out_fail(state, "write");
	return (-1);
    }
    return (0);
}

/* cleanup_out_8bit - does data have a byte >= 0x80? */

static int
cleanup_out_8bit(const char *data, size_t len)
{
    const unsigned char *cp = (const unsigned char *) data;
    const unsigned char *end = cp + len;

    for (; cp < end; cp++)
	if (*cp & 0x80)
	    return (1);
    return (0);
}

/* cleanup_out_line - a content line or piece; nothing after an error */

void
cleanup_out_line(struct cleanup_state *state, const char *data, size_t len,
		         int more)
{
    if (state->dst == 0 || state->status != MAIL_STAT_OK)
	return;
    if (!state->content_8bit && cleanup_out_8bit(data, len)) {
	state->content_8bit = 1;
	queue_write_flags(state->dst, QUEUE_FLAG_8BITMIME);
    }
    if (queue_write_text(state->dst, data, len, more, state->why) < 0)
	cleanup_out_fail(state, "write");
}

/* cleanup_out_abort - forget the queue file (removed if not committed) */

void
cleanup_out_abort(struct cleanup_state *state)
{
    if (state->dst) {
	queue_write_free(state->dst);
	state->dst = 0;
    }
}

/* cleanup_out_commit - make the queue file durable and visible */

void
cleanup_out_commit(struct cleanup_state *state)
{
    if (state->dst == 0 || state->status != MAIL_STAT_OK)
	return;
    if (queue_write_commit(state->dst, state->why) < 0) {
	cleanup_out_fail(state, "commit");
	return;
    }
    queue_write_free(state->dst);
    state->dst = 0;
}

/* cleanup_out_reply - status, queue ID, reason (cleanup_proto.h step 4) */

int
cleanup_out_reply(struct cleanup_state *state)
{
    int     ok = (state->status == MAIL_STAT_OK);

    if (ok && state->queue_id == 0)
	msg_panic("cleanup_out_reply: success without a queue ID");
    if (attr_print(state->src, ATTR_FLAG_NONE,
		   SEND_ATTR_INT(MAIL_ATTR_STATUS, state->status),
		   SEND_ATTR_STR(MAIL_ATTR_QUEUEID, ok ? state->queue_id : ""),
		   SEND_ATTR_STR(MAIL_ATTR_WHY, ok ? "" : vstr_str(state->reason)),
		   ATTR_TYPE_END) < 0
	|| vstream_flush(state->src) != VSTREAM_OK)
	return (-1);
    return (0);
}

/* cleanup_out_trigger_fifo - the qmgr endpoint may be a fifo */

static int
cleanup_out_trigger_fifo(const char *path)
{
    struct stat st;
    int     fd;

    if ((fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)) < 0)
	return (-1);
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
	(void) close(fd);
	return (-1);
    }
    return (fd);
}

/* cleanup_out_trigger - wake qmgr; never wait, never fail */

void
cleanup_out_trigger(const char *queue_dir)
{
    struct vstr *path = vstr_alloc(100);
    char    wakeup = MASTER_TRIGGER_WAKEUP;
    int     fd;

    vstr_sprintf(path, "%s/%s", queue_dir, QMGR_TRIGGER);
    if ((fd = unix_connect_mode(vstr_str(path), NON_BLOCKING, 0)) < 0
	&& errno == ECONNREFUSED)
	fd = cleanup_out_trigger_fifo(vstr_str(path));
    if (fd >= 0) {
	if (write(fd, &wakeup, 1) != 1 && errno != EAGAIN)
	    msg_warn("trigger %s: %m", vstr_str(path));
	(void) close(fd);
    }
    vstr_free(path);
}
