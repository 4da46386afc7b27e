/*
 * qmgr_scan.c - walking a hashed queue directory (incoming/, deferred/,
 * active/ at start-up) one entry at a time.
 *
 * A walk visits each of the 62 hash subdirectories once, with one
 * open directory at a time and nothing collected in memory, so a scan
 * costs O(files) whatever the queue size. The caller takes entries in
 * bounded batches (QMGR_SCAN_BATCH) between which deliveries go on;
 * qmgr_scan_next() itself gives up after QMGR_SCAN_SKIP entries that
 * it did not return (deferred files not yet due) so that one call
 * never takes long. A scan asked for while one is running is
 * remembered and starts over when this one ends (new files may sit in
 * subdirectories already passed).
 *
 * Inflow control (docs/cleanup.md): when a walk of incoming/ is over
 * and none follows, qmgr has caught up, and the token pool is set to
 * default_process_limit tokens (Postfix's qmgr does the same when its
 * incoming scan is idle), so that cleanup does not wait while qmgr
 * keeps up. While qmgr is behind, only the one token per message that
 * qmgr_active_load() takes from incoming/ goes back into the pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "qmgr.h"
#include "mail_flow.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "msg.h"

#define QMGR_SCAN_SKIP		1000	/* entries looked at per call */
#define QMGR_SCAN_SUBDIRS	62	/* strlen(MAIL_QUEUE_ALPHABET) */

/* qmgr_scan_init - an idle scan of one queue */

void
qmgr_scan_init(struct qmgr_scan *s, const char *queue)
{
    memset(s, 0, sizeof(*s));
    s->queue = queue;
}

/* qmgr_scan_request - start a walk, or ask for one more after it */

void
qmgr_scan_request(struct qmgr_scan *s, int flush)
{
    if (s->busy) {
	s->again = 1;
	s->next_flush |= flush;
	return;
    }
    s->busy = 1;
    s->subdir = 0;
    s->flush = flush;
}

/* qmgr_scan_end - one walk is over; start the next if asked */

static void
qmgr_scan_end(struct qmgr_scan *s)
{
    s->busy = 0;
    if (!s->again && var_in_flow_delay > 0
	&& strcmp(s->queue, MAIL_QUEUE_INCOMING) == 0)
	(void) mail_flow_refill(var_default_process_limit);
    if (s->again) {
	s->again = 0;
	s->busy = 1;
	s->subdir = 0;
	s->flush = s->next_flush;
	s->next_flush = 0;
    }
}

/* qmgr_scan_opendir - open the next hash subdirectory; 0: none left */

static int
qmgr_scan_opendir(struct qmgr_scan *s)
{
    char    path[64];

    while (s->subdir < QMGR_SCAN_SUBDIRS) {
	snprintf(path, sizeof(path), "%s/%c", s->queue,
		 MAIL_QUEUE_ALPHABET[s->subdir++]);
	if ((s->dir = opendir(path)) != 0)
	    return (1);
	if (errno != ENOENT)
	    msg_warn("open directory %s: %m", path);
    }
    return (0);
}

/* qmgr_scan_due - is this deferred/ entry's retry time here? */

static int
qmgr_scan_due(struct qmgr_scan *s, const char *name, time_t now)
{
    struct stat st;

    if (s->flush || strcmp(s->queue, MAIL_QUEUE_DEFERRED) != 0)
	return (1);
    if (fstatat(dirfd(s->dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
	return (0);
    return (st.st_mtime <= now);
}

/* qmgr_scan_next - 1: a queue ID in id; 0: walk over; -1: call again */

int
qmgr_scan_next(struct qmgr_scan *s, time_t now, struct vstr *id)
{
    struct dirent *de;
    int     looked = 0;
    char    hash;

    while (s->busy) {
	if (s->dir == 0 && !qmgr_scan_opendir(s)) {
	    qmgr_scan_end(s);
	    return (0);
	}
	hash = MAIL_QUEUE_ALPHABET[s->subdir - 1];
	for (;;) {
	    if (looked++ >= QMGR_SCAN_SKIP)
		return (-1);			/* before readdir: none lost */
	    if ((de = readdir(s->dir)) == 0)
		break;
	    if (!mail_queue_id_ok(de->d_name)
		|| de->d_name[MAIL_QUEUE_HASH_POS] != hash
		|| !qmgr_scan_due(s, de->d_name, now))
		continue;
	    vstr_strcpy(id, de->d_name);
	    return (1);
	}
	(void) closedir(s->dir);
	s->dir = 0;
    }
    return (0);
}
