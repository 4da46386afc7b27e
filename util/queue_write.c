/*
 * queue_write.c - create a queue file and commit it durably (see
 * queue_file.h; the state machine is in docs/queue.md).
 *
 * A new file is written under a temporary name ("tmp.PID.N.USEC", never
 * a valid queue ID) in the top directory of its queue. The commit is:
 * end records and size, flush, fsync(file), close, rename to the queue ID
 * path without replacing anything, fsync(directory). Success is reported
 * only after all of that; any failure removes the file. A crash before
 * the rename leaves only a temporary file that nobody reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "safe_open.h"
#include "mail_queue.h"
#include "queue_file.h"

#define QW_OPEN		0
#define QW_COMMITTED	1
#define QW_FAILED	2

struct queue_writer {
    struct queue_out out;
    struct vstream *fp;
    struct vstr *id;			/* queue ID */
    struct vstr *temp_dir;		/* queue_dir/queue_name */
    struct vstr *temp_path;		/* temp_dir/tmp.PID.N.USEC */
    struct vstr *final_dir;		/* queue_dir/queue_name[/H] */
    struct vstr *final_path;		/* final_dir/ID */
    int     state;
    struct timeval stamp;		/* time part of the queue ID */
};

/* qw_create - create the temporary file exclusively */

static int
qw_create(struct queue_writer *w, struct vstr *why)
{
    struct vstr *name = vstr_alloc(64);
    int     fd = -1;
    int     tries;

    for (tries = 0; fd < 0 && tries < 10; tries++) {
	mail_queue_temp_name(name);
	vstr_sprintf(w->temp_path, "%s/%s", vstr_str(w->temp_dir),
		     vstr_str(name));
	fd = open(vstr_str(w->temp_path), O_RDWR | O_CREAT | O_EXCL
		  | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 && errno != EEXIST)
	    break;
    }
    vstr_free(name);
    if (fd < 0)
	vstr_fail(why, "create file in %s: %s", vstr_str(w->temp_dir),
	       strerror(errno));
    return (fd);
}

/* qw_name - choose the queue ID and final path of an open file */

static int
qw_name(struct queue_writer *w, int fd, const char *queue_dir,
	        const char *queue_name, struct vstr *why)
{
    struct vstr *rel = vstr_alloc(64);
    struct stat st;
    int     ret = 0;

    if (fstat(fd, &st) < 0) {
	ret = vstr_fail(why, "fstat %s: %s", vstr_str(w->temp_path),
		     strerror(errno));
    } else if (mail_queue_id_make(w->id, &w->stamp,
				  (unsigned long long) st.st_ino) < 0
	       || mail_queue_path(rel, queue_name, vstr_str(w->id)) < 0) {
	errno = EOVERFLOW;
	ret = vstr_fail(why, "cannot make a queue ID from inode %llu",
		     (unsigned long long) st.st_ino);
    } else {
	vstr_sprintf(w->final_path, "%s/%s", queue_dir, vstr_str(rel));
	vstr_memcpy(w->final_dir, vstr_str(w->final_path),
		    vstr_len(w->final_path) - vstr_len(w->id) - 1);
    }
    vstr_free(rel);
    return (ret);
}

/* queue_write_open - start a new queue file */

struct queue_writer *
queue_write_open(const char *queue_dir, const char *queue_name,
		         struct vstr *why)
{
    struct queue_writer *w;
    int     fd;

    if (!mail_queue_name_ok(queue_name) || strcmp(queue_name, "pid") == 0
	|| strcmp(queue_name, "private") == 0
	|| strcmp(queue_name, "public") == 0) {
	errno = EINVAL;
	vstr_fail(why, "bad queue name \"%s\"", queue_name);
	return (0);
    }
    w = mymalloc(sizeof(*w));
    memset(&w->out, 0, sizeof(w->out));
    w->id = vstr_alloc(MAIL_QUEUE_ID_MAX);
    w->temp_dir = vstr_alloc(100);
    w->temp_path = vstr_alloc(100);
    w->final_dir = vstr_alloc(100);
    w->final_path = vstr_alloc(100);
    w->fp = 0;
    w->state = QW_FAILED;
    /*
     * The time part of the queue ID picks the hash subdirectory, so the
     * temporary file is made in its final directory: the rename stays
     * inside one directory and one directory fsync makes it durable.
     */
    mail_queue_id_stamp(&w->stamp);
    if (mail_queue_hashed(queue_name)) {
	if (mail_queue_id_make(w->id, &w->stamp, 0) < 0) {
	    vstr_fail(why, "cannot make a queue ID");
	    queue_write_free(w);
	    return (0);
	}
	vstr_sprintf(w->temp_dir, "%s/%s/%c", queue_dir, queue_name,
		     vstr_str(w->id)[MAIL_QUEUE_HASH_POS]);
    } else {
	vstr_sprintf(w->temp_dir, "%s/%s", queue_dir, queue_name);
    }
    if ((fd = qw_create(w, why)) < 0) {
	vstr_reset(w->temp_path);
	queue_write_free(w);
	return (0);
    }
    w->fp = vstream_fdopen(fd, VSTREAM_WRITE);
    queue_out_init(&w->out, w->fp);
    if (qw_name(w, fd, queue_dir, queue_name, why) < 0) {
	queue_write_free(w);
	return (0);
    }
    w->state = QW_OPEN;
    return (w);
}

/* queue_write_id - the queue ID the file will have */

const char *
queue_write_id(struct queue_writer *w)
{
    return (vstr_str(w->id));
}

/* queue_write_envelope - write the envelope records */

int
queue_write_envelope(struct queue_writer *w, struct queue_env *env,
		             struct vstr *why)
{
    if (w->state != QW_OPEN)
	return (vstr_fail(why, "queue file is not open"));
    if (queue_out_envelope(&w->out, env, why) < 0) {
	w->state = QW_FAILED;
	return (-1);
    }
    return (0);
}

/* queue_write_text - add content to the current line */

int
queue_write_text(struct queue_writer *w, const char *data, size_t len,
		         int more, struct vstr *why)
{
    if (w->state != QW_OPEN)
	return (vstr_fail(why, "queue file is not open"));
    if (queue_out_text(&w->out, data, len, more, why) < 0) {
	w->state = QW_FAILED;
	return (-1);
    }
    return (0);
}

/* queue_write_flags - flags to add at commit (queue_out_flags()) */

void
queue_write_flags(struct queue_writer *w, int flags)
{
    if (w->state == QW_OPEN)
	queue_out_flags(&w->out, flags);
}

/* qw_publish - rename into place without ever replacing a file */

static int
qw_publish(struct queue_writer *w, struct vstr *why)
{
    const char *from = vstr_str(w->temp_path);
    const char *to = vstr_str(w->final_path);

    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
	return (0);
    if (errno != EINVAL && errno != ENOSYS)
	return (vstr_fail(why, "rename %s to %s: %s", from, to, strerror(errno)));
    /* File system without RENAME_NOREPLACE: link() never replaces either. */
    if (link(from, to) < 0)
	return (vstr_fail(why, "link %s to %s: %s", from, to, strerror(errno)));
    if (unlink(from) < 0)
	msg_warn("remove %s: %m", from);
    return (0);
}

/* queue_write_commit - make the file durable, then visible */

int
queue_write_commit(struct queue_writer *w, struct vstr *why)
{
    int     fd;
    int     st;

    if (w->state != QW_OPEN)
	return (vstr_fail(why, "queue file is not open"));
    w->state = QW_FAILED;
    fd = vstream_fd(w->fp);
    if (queue_out_finish(&w->out, why) < 0)
	goto fail;
    if (fsync(fd) < 0) {
	vstr_fail(why, "fsync %s: %s", vstr_str(w->temp_path), strerror(errno));
	goto fail;
    }
    errno = 0;
    st = vstream_close(w->fp);
    w->fp = 0;
    if (st != VSTREAM_OK) {
	vstr_fail(why, "close %s: %s", vstr_str(w->temp_path),
	       errno ? strerror(errno) : "stream error");
	goto fail;
    }
    if (qw_publish(w, why) < 0)
	goto fail;
    if (safe_open_dir_fsync(vstr_str(w->final_dir)) < 0
	|| (strcmp(vstr_str(w->final_dir), vstr_str(w->temp_dir)) != 0
	    && safe_open_dir_fsync(vstr_str(w->temp_dir)) < 0)) {
	vstr_fail(why, "fsync directory of %s: %s", vstr_str(w->final_path),
	       strerror(errno));
	/* Not durable: take it back (best effort; qmgr may have it). */
	if (unlink(vstr_str(w->final_path)) < 0 && errno != ENOENT)
	    msg_warn("remove %s: %m", vstr_str(w->final_path));
	vstr_reset(w->temp_path);
	return (-1);
    }
    w->state = QW_COMMITTED;
    return (0);

fail:
    if (unlink(vstr_str(w->temp_path)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", vstr_str(w->temp_path));
    vstr_reset(w->temp_path);
    return (-1);
}

/* queue_write_free - abandon an uncommitted file, release memory */

void
queue_write_free(struct queue_writer *w)
{
    int     saved_errno = errno;

    if (w->fp) {
	(void) close(vstream_fd(w->fp));
	vstream_free(w->fp);
    }
    if (w->state != QW_COMMITTED && vstr_len(w->temp_path) > 0
	&& unlink(vstr_str(w->temp_path)) < 0 && errno != ENOENT)
	msg_warn("remove %s: %m", vstr_str(w->temp_path));
    if (w->out.pending)
	queue_out_done(&w->out);
    vstr_free(w->id);
    vstr_free(w->temp_dir);
    vstr_free(w->temp_path);
    vstr_free(w->final_dir);
    vstr_free(w->final_path);
    myfree(w);
    errno = saved_errno;
}
