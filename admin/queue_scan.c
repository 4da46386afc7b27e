/*
 * queue_scan.c - the queue seen by the administration commands: walk a
 *	queue (every hash subdirectory), open the directory of one queue
 *	file without following symbolic links, load an envelope with the
 *	hostile-input queue reader and the recipients' delay reasons from
 *	the deferred-reason log (format in util/deliver_proto.h).
 *
 * The commands run while daemons move and remove files, so a file that
 * vanishes between readdir() and open() is normal (QUEUE_SCAN_GONE).
 * The listing is sorted by queue ID, which is the arrival order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstr.h"
#include "vstream.h"
#include "iostuff.h"
#include "attr.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_params.h"
#include "queue_file.h"
#include "admin.h"
#include "queue_scan.h"

#define QS_NHASH	(sizeof(MAIL_QUEUE_ALPHABET) - 1)
#define QS_DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define QS_FILE_FLAGS	(O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

const char *const queue_scan_list_queues[] = {
    MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
    MAIL_QUEUE_HOLD, MAIL_QUEUE_MAILDROP, 0,
};

const char *const queue_scan_admin_queues[] = {
    MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
    MAIL_QUEUE_HOLD, 0,
};

 /*
  * One directory entry found by the walk: the ID and the index of the
  * hash subdirectory that holds it.
  */
struct qs_entry {
    char    id[MAIL_QUEUE_ID_MAX + 1];
    size_t  sub;
};

struct qs_list {
    struct qs_entry *v;
    size_t  n;
    size_t  cap;
};

/* qs_collect - append the queue IDs found in directory fd */

static int
qs_collect(int fd, size_t sub, struct qs_list *list)
{
    struct dirent *de;
    DIR    *dp;
    int     dfd;

    if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
	return (-1);
    if ((dp = fdopendir(dfd)) == 0) {
	(void) close(dfd);
	return (-1);
    }
    errno = 0;
    while ((de = readdir(dp)) != 0) {
	if (!mail_queue_id_ok(de->d_name))
	    continue;
	if (list->n == list->cap) {
	    list->cap = list->cap ? 2 * list->cap : 64;
	    list->v = myrealloc(list->v, list->cap * sizeof(*list->v));
	}
	(void) strcpy(list->v[list->n].id, de->d_name);	/* length checked */
	list->v[list->n++].sub = sub;
	errno = 0;
    }
    if (errno != 0) {
	int     saved = errno;

	(void) closedir(dp);
	errno = saved;
	return (-1);
    }
    (void) closedir(dp);
    return (0);
}

/* qs_entry_cmp - qsort by queue ID */

static int
qs_entry_cmp(const void *a, const void *b)
{
    return (strcmp(((const struct qs_entry *) a)->id,
		   ((const struct qs_entry *) b)->id));
}

/* qs_open_queue - open queue_dir/queue_name; -1 with errno */

static int
qs_open_queue(const char *queue_dir, const char *queue_name)
{
    int     qfd;
    int     fd;
    int     saved;

    if ((qfd = open(queue_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	return (-1);
    fd = openat(qfd, queue_name, QS_DIR_FLAGS);
    saved = errno;
    (void) close(qfd);
    errno = saved;
    return (fd);
}

/* qs_open_subdirs - one descriptor per hash subdirectory (-1: absent) */

static int
qs_open_subdirs(int top, const char *queue_name, int *subfd,
		        struct qs_list *list)
{
    char    name[2];
    size_t  i;

    if (!mail_queue_hashed(queue_name)) {
	if ((subfd[0] = fcntl(top, F_DUPFD_CLOEXEC, 0)) < 0)
	    return (-1);
	return (qs_collect(subfd[0], 0, list));
    }
    name[1] = 0;
    for (i = 0; i < QS_NHASH; i++) {
	name[0] = MAIL_QUEUE_ALPHABET[i];
	if ((subfd[i] = openat(top, name, QS_DIR_FLAGS)) < 0) {
	    if (errno == ENOENT)
		continue;
	    if (errno != ELOOP && errno != ENOTDIR)
		return (-1);
	    fprintf(stderr, "postern: warning: %s/%s is not a directory;"
		    " skipped\n", queue_name, name);
	    continue;
	}
	if (qs_collect(subfd[i], i, list) < 0)
	    return (-1);
    }
    return (0);
}

/* queue_scan_walk - call fn for each queue file of queue_name, by ID */

int
queue_scan_walk(const char *queue_dir, const char *queue_name,
		        queue_scan_fn fn, void *ctx, struct vstr *why)
{
    struct qs_list list = {0, 0, 0};
    int     subfd[QS_NHASH];
    int     top;
    int     ret = 0;
    size_t  i;

    for (i = 0; i < QS_NHASH; i++)
	subfd[i] = -1;
    if ((top = qs_open_queue(queue_dir, queue_name)) < 0)
	return (errno == ENOENT ? 0 :
		vstr_fail(why, "%s/%s: %s", queue_dir, queue_name,
			  strerror(errno)));
    if (qs_open_subdirs(top, queue_name, subfd, &list) < 0) {
	ret = vstr_fail(why, "%s/%s: %s", queue_dir, queue_name,
			strerror(errno));
    } else {
	if (list.n > 1)
	    qsort(list.v, list.n, sizeof(*list.v), qs_entry_cmp);
	for (i = 0; i < list.n && ret >= 0; i++)
	    ret = fn(queue_name, subfd[list.v[i].sub], list.v[i].id, ctx);
    }
    for (i = 0; i < QS_NHASH; i++)
	if (subfd[i] >= 0)
	    (void) close(subfd[i]);
    (void) close(top);
    myfree(list.v);
    return (ret);
}

/* queue_scan_dir - the directory that holds queue_id in queue_name */

int
queue_scan_dir(const char *queue_dir, const char *queue_name,
	               const char *queue_id)
{
    char    name[2];
    int     top;
    int     fd;
    int     saved;

    if (!mail_queue_name_ok(queue_name) || !mail_queue_id_ok(queue_id)) {
	errno = EINVAL;
	return (-1);
    }
    if ((top = qs_open_queue(queue_dir, queue_name)) < 0
	|| !mail_queue_hashed(queue_name))
	return (top);
    name[0] = queue_id[MAIL_QUEUE_HASH_POS];
    name[1] = 0;
    fd = openat(top, name, QS_DIR_FLAGS);
    saved = errno;
    (void) close(top);
    errno = saved;
    return (fd);
}

/* queue_scan_msg_init - empty message */

void
queue_scan_msg_init(struct queue_scan_msg *msg)
{
    memset(msg, 0, sizeof(*msg));
    queue_env_init(&msg->env);
    msg->error = vstr_alloc(100);
}

/* qs_msg_clear - forget the envelope and reasons */

static void
qs_msg_clear(struct queue_scan_msg *msg)
{
    size_t  i;

    if (msg->reason) {
	for (i = 0; i < msg->env.rcpt_count; i++)
	    myfree(msg->reason[i]);
	myfree(msg->reason);
	msg->reason = 0;
    }
    queue_env_free(&msg->env);
    queue_env_init(&msg->env);
    vstr_reset(msg->error);
}

/* queue_scan_msg_free - release everything */

void
queue_scan_msg_free(struct queue_scan_msg *msg)
{
    qs_msg_clear(msg);
    queue_env_free(&msg->env);
    vstr_free(msg->error);
    msg->error = 0;
}

/* qs_open_file - open a regular file under dir_fd; -1, errno EINVAL: not one */

static int
qs_open_file(int dir_fd, const char *name, struct stat *st)
{
    int     fd;

    if ((fd = openat(dir_fd, name, QS_FILE_FLAGS)) < 0) {
	if (errno == ELOOP)
	    errno = EINVAL;			/* a symbolic link */
	return (-1);
    }
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)
	|| non_blocking(fd, BLOCKING) < 0) {
	(void) close(fd);
	errno = EINVAL;
	return (-1);
    }
    return (fd);
}

/* queue_scan_load - envelope and delay reasons of one queue file */

int
queue_scan_load(const char *queue_dir, int dir_fd, const char *queue_id,
		        struct queue_scan_msg *msg)
{
    struct queue_reader *r;
    struct vstream *fp;
    struct vstr *why;
    struct stat st;
    int     fd;
    int     ok;

    qs_msg_clear(msg);
    if ((fd = qs_open_file(dir_fd, queue_id, &st)) < 0) {
	if (errno == ENOENT)
	    return (QUEUE_SCAN_GONE);
	vstr_sprintf(msg->error, "%s", errno == EINVAL ?
		     "not a regular file" : strerror(errno));
	return (QUEUE_SCAN_BAD);
    }
    fp = vstream_fdopen(fd, VSTREAM_READ);
    r = queue_read_stream(fp);
    ok = queue_read_envelope(r, &msg->env, msg->error);
    queue_read_close(r);
    (void) vstream_close(fp);
    if (ok < 0)
	return (QUEUE_SCAN_BAD);
    msg->reason = mycalloc(msg->env.rcpt_count + 1, sizeof(*msg->reason));
    why = vstr_alloc(100);
    if (queue_scan_reasons(queue_dir, queue_id, msg, why) < 0)
	fprintf(stderr, "postern: warning: %s: deferred-reason log: %s\n",
		queue_id, vstr_str(why));
    vstr_free(why);
    return (QUEUE_SCAN_OK);
}

/* qs_reason_store - give reason to the first matching recipient */

static void
qs_reason_store(struct queue_scan_msg *msg, const char *rcpt,
		        const char *reason)
{
    size_t  i;

    for (i = 0; i < msg->env.rcpt_count; i++) {
	if (msg->reason[i] == 0 && !msg->env.rcpt[i].done
	    && strcmp(msg->env.rcpt[i].address, rcpt) == 0) {
	    msg->reason[i] = mystrdup(reason);
	    return;
	}
    }
}

/* qs_reasons_read - every list of the open log; -1 when malformed */

static int
qs_reasons_read(int fd, off_t size, struct queue_scan_msg *msg,
		        struct vstr *why)
{
    static const struct attr_limits lim = {
	QUEUE_SCAN_REASON_MAX, 4 * QUEUE_SCAN_REASON_MAX, 5,
    };
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_READ);
    struct vstr *rcpt = vstr_alloc(100);
    struct vstr *orcpt = vstr_alloc(100);
    struct vstr *dsn = vstr_alloc(10);
    struct vstr *text = vstr_alloc(100);
    off_t   pos;
    long    when;
    int     ret = 0;
    int     n;

    for (n = 1; ret == 0; n++) {
	if ((pos = lseek(fd, 0, SEEK_CUR)) < 0) {
	    ret = vstr_fail(why, "lseek: %s", strerror(errno));
	    break;
	}
	if (pos - (off_t) vstream_pending(fp) >= size)
	    break;				/* end of the log */
	if (attr_scan_lim(fp, ATTR_FLAG_STRICT, &lim,
			  RECV_ATTR_STR(MAIL_ATTR_RECIP, rcpt),
			  RECV_ATTR_STR(MAIL_ATTR_ORCPT, orcpt),
			  RECV_ATTR_STR(MAIL_ATTR_DSN_STATUS, dsn),
			  RECV_ATTR_STR(MAIL_ATTR_WHY, text),
			  RECV_ATTR_LONG(MAIL_ATTR_TIME, &when),
			  ATTR_TYPE_END) != 5)
	    ret = vstr_fail(why, "malformed entry %d", n);
	else
	    qs_reason_store(msg, vstr_str(rcpt), vstr_str(text));
    }
    vstream_free(fp);				/* the caller closes fd */
    vstr_free(rcpt);
    vstr_free(orcpt);
    vstr_free(dsn);
    vstr_free(text);
    return (ret);
}

/* queue_scan_reasons - read queue_dir/defer/H/queue_id into msg */

int
queue_scan_reasons(const char *queue_dir, const char *queue_id,
		           struct queue_scan_msg *msg, struct vstr *why)
{
    struct stat st;
    size_t  i;
    int     dfd;
    int     fd;
    int     ret;

    if (msg->reason == 0)
	msg->reason = mycalloc(msg->env.rcpt_count + 1, sizeof(*msg->reason));
    if ((dfd = queue_scan_dir(queue_dir, MAIL_QUEUE_DEFER, queue_id)) < 0)
	return (errno == ENOENT ? 0 : vstr_fail(why, "%s", strerror(errno)));
    fd = qs_open_file(dfd, queue_id, &st);
    (void) close(dfd);
    if (fd < 0)
	return (errno == ENOENT ? 0 : vstr_fail(why, "%s", errno == EINVAL ?
					"not a regular file" : strerror(errno)));
    if (st.st_size > QUEUE_SCAN_DEFER_MAX)
	ret = vstr_fail(why, "larger than %d bytes", QUEUE_SCAN_DEFER_MAX);
    else
	ret = qs_reasons_read(fd, st.st_size, msg, why);
    (void) close(fd);
    if (ret < 0) {
	for (i = 0; i < msg->env.rcpt_count; i++) {
	    myfree(msg->reason[i]);
	    msg->reason[i] = 0;
	}
    }
    return (ret);
}

/* queue_scan_config - main.cf, parameters, who may do this */

const char *
queue_scan_config(int need_admin)
{
    struct passwd *pw;

    if (cmd_master_queue_dir() == 0)
	return (0);
    mail_params_init();
    if (need_admin && geteuid() != 0
	&& ((pw = getpwnam(var_mail_owner)) == 0 || pw->pw_uid != geteuid())) {
	fprintf(stderr, "postern: fatal: permission denied: only root and"
		" mail_owner (%s) may do this\n", var_mail_owner);
	return (0);
    }
    return (var_queue_dir);
}
