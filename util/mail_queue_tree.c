/*
 * mail_queue_tree.c - create or repair the queue directory tree
 * (mail_queue_create_tree() in mail_queue.h).
 *
 * Every directory is made with mkdirat() relative to its parent's
 * descriptor and then opened with O_NOFOLLOW|O_DIRECTORY; owner and mode
 * are fixed through that descriptor. A symbolic link or a file where a
 * directory belongs is therefore refused, never followed, and a rename
 * race cannot redirect the fchown()/fchmod() to another place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "msg.h"
#include "vstr.h"
#include "mymalloc.h"
#include "mail_queue.h"

#define MQT_ROOT	0		/* owned by root (or the caller) */
#define MQT_OWNER	1		/* owned by mail_owner */

struct mqt_dir {
    const char *name;
    int     owner;			/* MQT_ROOT or MQT_OWNER */
    int     setgid_group;		/* group is setgid_group */
    mode_t  mode;
};

static const struct mqt_dir mqt_dirs[] = {
    {MAIL_QUEUE_MAILDROP, MQT_OWNER, 1, 0730},
    {MAIL_QUEUE_INCOMING, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_ACTIVE, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_DEFERRED, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_HOLD, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_CORRUPT, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_BOUNCE, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_DEFER, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_PRIVATE, MQT_OWNER, 0, 0700},
    {MAIL_QUEUE_PUBLIC, MQT_OWNER, 1, 0710},
    {MAIL_QUEUE_PID, MQT_ROOT, 0, 0755},
};

/* mqt_open_dir - create if needed, open without following, fix */

static int
mqt_open_dir(int parent, const char *name, const char *label, uid_t uid,
	             gid_t gid, mode_t mode, struct vstr *why)
{
    struct stat st;
    int     fd;
    int     saved_errno;

    if (mkdirat(parent, name, mode) < 0 && errno != EEXIST)
	return (vstr_fail(why, "create directory %s: %s", label,
			 strerror(errno)));
    if ((fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
		     | O_CLOEXEC | O_NOCTTY)) < 0) {
	if (errno == ELOOP || errno == ENOTDIR)
	    return (vstr_fail(why, "%s is not a directory (symbolic link or "
			     "file?); refusing to use it", label));
	return (vstr_fail(why, "open directory %s: %s", label,
			 strerror(errno)));
    }
    if (fstat(fd, &st) < 0) {
	vstr_fail(why, "fstat %s: %s", label, strerror(errno));
    } else if ((st.st_uid != uid || (gid != (gid_t) -1 && st.st_gid != gid))
	       && fchown(fd, uid, gid) < 0) {
	vstr_fail(why, "set owner of %s to %ld:%ld: %s", label,
		 (long) uid, (long) gid, strerror(errno));
    } else if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
	vstr_fail(why, "set mode of %s to %04o: %s", label,
		 (unsigned) mode, strerror(errno));
    } else {
	return (fd);
    }
    saved_errno = errno;
    (void) close(fd);
    errno = saved_errno;
    return (-1);
}

/* mqt_make_parents - mkdir -p for the parents of queue_dir */

static int
mqt_make_parents(const char *queue_dir, struct vstr *why)
{
    char   *path = mystrdup(queue_dir);
    char   *cp;
    int     ret = 0;

    for (cp = path + 1; (cp = strchr(cp, '/')) != 0; cp++) {
	*cp = 0;
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
	    ret = vstr_fail(why, "create directory %s: %s", path,
			   strerror(errno));
	    break;
	}
	*cp = '/';
    }
    myfree(path);
    return (ret);
}

/* mqt_hash_dirs - the one-character subdirectories of a hashed queue */

static int
mqt_hash_dirs(int qfd, const char *qname, uid_t uid, mode_t mode,
	              struct vstr *why)
{
    const char *alpha = MAIL_QUEUE_ALPHABET;
    struct vstr *label = vstr_alloc(100);
    char    sub[2];
    int     fd;
    int     ret = 0;

    for (sub[1] = 0; *alpha; alpha++) {
	sub[0] = *alpha;
	vstr_sprintf(label, "%s/%s", qname, sub);
	if ((fd = mqt_open_dir(qfd, sub, vstr_str(label), uid, (gid_t) -1,
			       mode, why)) < 0) {
	    ret = -1;
	    break;
	}
	(void) close(fd);
    }
    vstr_free(label);
    return (ret);
}

/* mail_queue_create_tree - create or repair the whole queue tree */

int
mail_queue_create_tree(const char *queue_dir, uid_t owner,
		               gid_t setgid_group, struct vstr *why)
{
    uid_t   root = geteuid() == 0 ? 0 : geteuid();
    const struct mqt_dir *dp;
    int     top;
    int     fd;
    int     ret = 0;

    if (queue_dir == 0 || *queue_dir == 0)
	return (vstr_fail(why, "empty queue directory name"));
    if (mqt_make_parents(queue_dir, why) < 0)
	return (-1);
    if ((top = mqt_open_dir(AT_FDCWD, queue_dir, queue_dir, root,
			    (gid_t) -1, 0755, why)) < 0)
	return (-1);
    for (dp = mqt_dirs; ret == 0 && dp < mqt_dirs + ARRAY_LEN(mqt_dirs); dp++) {
	fd = mqt_open_dir(top, dp->name, dp->name,
			  dp->owner == MQT_ROOT ? root : owner,
			  dp->setgid_group ? setgid_group : (gid_t) -1,
			  dp->mode, why);
	if (fd < 0) {
	    ret = -1;
	    break;
	}
	if (mail_queue_hashed(dp->name))
	    ret = mqt_hash_dirs(fd, dp->name, owner, dp->mode, why);
	(void) close(fd);
    }
    (void) close(top);
    return (ret);
}
