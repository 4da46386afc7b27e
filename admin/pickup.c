/*
 * pickup.c - the pickup daemon: moves locally submitted mail from
 * maildrop/ into the queue through cleanup (docs/submission.md).
 *
 * A trigger server (master.cf: pickup unix n - y 60 1 pickup), chrooted
 * into the queue directory and running as mail_owner. It scans maildrop/
 * at start, on every trigger (postdrop's poke, master's wake-up) and at
 * least once a minute. Each file was written by postern-postdrop on
 * behalf of a local user and is read as hostile input with the strict
 * queue reader and the size limits; it is handed to cleanup with
 * CLEANUP_FLAG_LOCAL and removed only after cleanup answered OK with a
 * new queue ID. A malformed file, or one cleanup rejects, goes to
 * corrupt/ with a log line; a deferral leaves it for the next scan.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "msg.h"
#include "argv.h"
#include "vstr.h"
#include "vstream.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "queue_file.h"
#include "cleanup_proto.h"
#include "cleanup_clnt.h"
#include "submit.h"

#define PICKUP_SCAN_MAX		10000	/* files per scan */
#define PICKUP_PERIOD		60	/* seconds between scans, at most */
#define PICKUP_STALE_AGE	(24 * 3600)	/* temp file left by postdrop */
#define PICKUP_OVERHEAD		6	/* file bytes per content byte, worst */
#define PICKUP_ENVELOPE_MAX	(4 * 1024 * 1024)	/* rough bound */

#define PICKUP_DONE	0		/* file handled (queued or corrupt) */
#define PICKUP_DEFER	1		/* leave it, stop this scan */

static time_t pickup_last_scan;

 /*
  * What pickup needs beyond the skeleton's base list: walk and read
  * maildrop/, move a bad file to corrupt/, remove a handled one, talk
  * to cleanup.
  */
static const char *const pickup_syscalls[] = {
    "openat",				/* maildrop files, the directory */
    "fstat",				/* file checks, opendir */
    "newfstatat",			/* same, newer glibc */
    "getdents64",			/* readdir */
    "lseek",				/* stdio, readdir */
    "rename",				/* to corrupt/ */
    "renameat",				/* same */
    "renameat2",			/* same */
    "unlink",				/* a file cleanup has queued */
    "unlinkat",				/* same */
    "socket",				/* cleanup */
    "connect",				/* same */
    "getsockopt",			/* non-blocking connect result */
    0,
};

/* pickup_corrupt - quarantine a bad file */

static int
pickup_corrupt(const char *name, const char *path, const char *why)
{
    struct vstr *dest = vstr_alloc(100);

    vstr_sprintf(dest, "%s/%s", MAIL_QUEUE_CORRUPT, name);
    if (renameat2(AT_FDCWD, path, AT_FDCWD, vstr_str(dest),
		  RENAME_NOREPLACE) < 0)
	msg_warn("%s: move to %s: %m", path, vstr_str(dest));
    else
	msg_warn("%s: %s; moved to %s", path, why, vstr_str(dest));
    vstr_free(dest);
    return (PICKUP_DONE);
}

/* pickup_copy - content from the file to cleanup; 0, or -1 (bad file) */

static int
pickup_copy(struct queue_reader *r, struct cleanup_clnt *cl,
	            struct vstr *why, int *local_trouble)
{
    struct vstr *line = vstr_alloc(QUEUE_LINE_CHUNK);
    long long total = 0;
    int     st;
    int     ret = 0;

    while ((st = queue_read_line(r, line, QUEUE_LINE_CHUNK, why)) != QUEUE_END) {
	if (st == QUEUE_ERR) {
	    ret = -1;
	    break;
	}
	total += (long long) vstr_len(line) + (st == QUEUE_LINE);
	if (var_message_limit > 0 && total > var_message_limit) {
	    vstr_sprintf(why, "message too large (message_size_limit %ld)",
			 var_message_limit);
	    ret = -1;
	    break;
	}
	if (cleanup_clnt_text(cl, vstr_str(line), vstr_len(line),
			      st == QUEUE_PART, why) < 0) {
	    *local_trouble = 1;
	    ret = -1;
	    break;
	}
    }
    vstr_free(line);
    return (ret);
}

/* pickup_submit - envelope and content to cleanup */

static int
pickup_submit(const char *name, const char *path, struct queue_reader *r,
	              struct queue_env *env, uid_t uid)
{
    struct cleanup_clnt *cl;
    struct vstr *why = vstr_alloc(100);
    struct vstr *qid = vstr_alloc(MAIL_QUEUE_ID_MAX + 1);
    int     trouble = 0;
    int     status;
    int     ret = PICKUP_DEFER;

    if ((cl = cleanup_clnt_open(0, 0, CLEANUP_FLAG_LOCAL,
				(int) var_ipc_timeout, why)) == 0) {
	msg_warn("%s: cleanup: %s", path, vstr_str(why));
    } else if (cleanup_clnt_envelope(cl, env, why) < 0) {
	msg_warn("%s: cleanup: %s", path, vstr_str(why));
	cleanup_clnt_abort(cl);
    } else if (pickup_copy(r, cl, why, &trouble) < 0) {
	cleanup_clnt_abort(cl);
	if (trouble)
	    msg_warn("%s: cleanup: %s", path, vstr_str(why));
	else
	    ret = pickup_corrupt(name, path, vstr_str(why));
    } else if ((status = cleanup_clnt_close(cl, qid, why)) == MAIL_STAT_OK) {
	msg_info("%s: uid=%ld from=<%s>", vstr_str(qid), (long) uid,
		 env->sender);
	if (unlink(path) < 0 && errno != ENOENT)
	    msg_warn("remove %s: %m", path);
	ret = PICKUP_DONE;
    } else if (status == MAIL_STAT_REJECT) {
	ret = pickup_corrupt(name, path, vstr_str(why));
    } else {
	msg_warn("%s: cleanup: %s", path, vstr_str(why));
    }
    vstr_free(why);
    vstr_free(qid);
    return (ret);
}

/* pickup_read - check the envelope of an open file, then submit it */

static int
pickup_read(const char *name, const char *path, int fd, uid_t uid)
{
    struct vstream *fp = vstream_fdopen(fd, VSTREAM_READ);
    struct queue_reader *r = queue_read_stream(fp);
    struct vstr *why = vstr_alloc(100);
    struct queue_env env;
    int     ret;

    if (queue_read_envelope(r, &env, why) < 0)
	ret = pickup_corrupt(name, path, vstr_str(why));
    else if (var_smtpd_rcpt_limit > 0
	     && env.rcpt_count > (size_t) var_smtpd_rcpt_limit)
	ret = pickup_corrupt(name, path, "too many recipients");
    else {
	submit_local_env(&env);	/* drop what a local user may not claim */
	ret = pickup_submit(name, path, r, &env, uid);
    }
    queue_env_free(&env);
    queue_read_close(r);
    (void) vstream_close(fp);
    vstr_free(why);
    return (ret);
}

/* pickup_file - one maildrop file */

static int
pickup_file(const char *name)
{
    struct vstr *path = vstr_alloc(100);
    struct stat st;
    int     fd;
    int     ret = PICKUP_DONE;

    vstr_sprintf(path, "%s/%s", MAIL_QUEUE_MAILDROP, name);
    if ((fd = open(vstr_str(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK
		   | O_CLOEXEC | O_NOCTTY)) < 0) {
	if (errno == ELOOP)
	    ret = pickup_corrupt(name, vstr_str(path), "symbolic link");
	else if (errno != ENOENT)
	    msg_warn("open %s: %m", vstr_str(path));
    } else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
	ret = pickup_corrupt(name, vstr_str(path),
			     "not a regular file with one link");
	(void) close(fd);
    } else if (var_message_limit > 0 && st.st_size / PICKUP_OVERHEAD
	       > var_message_limit + PICKUP_ENVELOPE_MAX) {
	ret = pickup_corrupt(name, vstr_str(path), "file too large");
	(void) close(fd);
    } else {
	ret = pickup_read(name, vstr_str(path), fd, st.st_uid);
    }
    vstr_free(path);
    return (ret);
}

/* pickup_stale - remove a temporary file a killed postdrop left */

static void
pickup_stale(int dfd, const char *name)
{
    struct stat st;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
	&& st.st_mtime < pickup_last_scan - PICKUP_STALE_AGE) {
	if (unlinkat(dfd, name, 0) < 0)
	    msg_warn("remove stale %s/%s: %m", MAIL_QUEUE_MAILDROP, name);
	else
	    msg_info("removed stale %s/%s", MAIL_QUEUE_MAILDROP, name);
    }
}

/* pickup_cmp - qsort: names in byte order (queue IDs sort by time) */

static int
pickup_cmp(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* pickup_scan - every file in maildrop/, oldest name first */

static void
pickup_scan(void)
{
    struct argv *names = argv_alloc(16);
    struct dirent *dp;
    DIR    *dir;
    size_t  i;

    pickup_last_scan = time(0);
    if ((dir = opendir(MAIL_QUEUE_MAILDROP)) == 0) {
	msg_warn("open %s: %m", MAIL_QUEUE_MAILDROP);
	argv_free(names);
	return;
    }
    while ((dp = readdir(dir)) != 0 && names->argc < PICKUP_SCAN_MAX) {
	if (mail_queue_id_ok(dp->d_name))
	    argv_add(names, dp->d_name);
	else if (mail_queue_temp_ok(dp->d_name))
	    pickup_stale(dirfd(dir), dp->d_name);
    }
    (void) closedir(dir);
    qsort(names->argv, names->argc, sizeof(char *), pickup_cmp);
    for (i = 0; i < names->argc; i++)
	if (pickup_file(names->argv[i]) == PICKUP_DEFER)
	    break;
    argv_free(names);
}

/* pickup_trigger - a poke from postdrop or master: scan */

static void
pickup_trigger(const char *buf, size_t len, const char *service,
	               char **argv)
{
    (void) buf;
    (void) len;
    (void) service;
    (void) argv;
    pickup_scan();
}

/* pickup_loop - scan at least every PICKUP_PERIOD seconds */

static int
pickup_loop(const char *service, char **argv)
{
    time_t  now = time(0);

    (void) service;
    (void) argv;
    if (now - pickup_last_scan >= PICKUP_PERIOD || now < pickup_last_scan)
	pickup_scan();
    return (PICKUP_PERIOD);
}

/* pickup_pre_init - work relative to the queue directory */

static void
pickup_pre_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
}

/* pickup_post_init - what waited while the daemons were down */

static void
pickup_post_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    pickup_scan();
}

/* main - the trigger server */

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = pickup_syscalls;
    opts.pre_init = pickup_pre_init;
    opts.post_init = pickup_post_init;
    opts.loop = pickup_loop;
    trigger_server_main(argc, argv, pickup_trigger, &opts);
}
