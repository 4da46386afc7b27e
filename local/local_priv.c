/*
 * local_priv.c - whose rights a delivery runs with, and the forked child
 * that takes them for good (STYLE.md (e)).
 *
 * local keeps root in its long-lived process, but never touches a file
 * of a recipient with it: each delivery (mailbox, Maildir, /file, the
 * reading of .forward and :include: files) happens in a child that
 * first drops to the recipient's uid and gid permanently (setgroups,
 * setresgid, setresuid, verified: no way back to root), then does its
 * one job and reports a result, a reason and a little data back over a
 * pipe. A child that dies or says nothing is a temporary failure.
 *
 * An unprivileged instance (local not started as root) cannot change
 * uid: every delivery then runs as the instance's user.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "local.h"
#include "chroot_uid.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "msg.h"

#define LOCAL_CHILD_MAX	(LOCAL_FILE_MAX + 4096)	/* bytes from a child */

/* local_priv_fill - copy a passwd entry */

static void
local_priv_fill(struct local_priv *priv, const struct passwd *pw)
{
    priv->uid = pw->pw_uid;
    priv->gid = pw->pw_gid;
    priv->name = mystrdup(pw->pw_name);
    priv->home = mystrdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
}

/* local_priv_user - look a user up by name: 1 found, 0 not, -1 error */

int
local_priv_user(struct local_priv *priv, const char *name, struct vstr *why)
{
    struct passwd *pw;
    const char *cp;

    memset(priv, 0, sizeof(*priv));
    if (*name == 0 || *name == '-' || strlen(name) > 64)
	return (0);
    for (cp = name; *cp; cp++)
	if (*cp <= ' ' || *cp >= 0x7f || *cp == '/' || *cp == ':')
	    return (0);
    errno = 0;
    if ((pw = getpwnam(name)) == 0) {
	if (errno == 0 || errno == ENOENT || errno == ESRCH
	    || errno == EBADF || errno == EPERM)
	    return (0);
	return (vstr_fail(why, "user database lookup failed: %m"));
    }
    local_priv_fill(priv, pw);
    return (1);
}

/* local_priv_uid - look a user up by uid: 1, 0 or -1 */

int
local_priv_uid(struct local_priv *priv, uid_t uid, struct vstr *why)
{
    struct passwd *pw;

    memset(priv, 0, sizeof(*priv));
    errno = 0;
    if ((pw = getpwuid(uid)) == 0) {
	if (errno == 0 || errno == ENOENT || errno == ESRCH)
	    return (0);
	return (vstr_fail(why, "user database lookup failed: %m"));
    }
    local_priv_fill(priv, pw);
    return (1);
}

/* local_priv_default - default_privs (never root) */

int
local_priv_default(struct local_priv *priv, struct vstr *why)
{
    int     rc = local_priv_user(priv, var_default_privs, why);

    if (rc == 0)
	return (vstr_fail(why, "default_privs user %s does not exist",
			  var_default_privs));
    if (rc > 0 && priv->uid == 0) {
	local_priv_free(priv);
	return (vstr_fail(why, "default_privs user %s has uid 0",
			  var_default_privs));
    }
    return (rc < 0 ? -1 : 0);
}

/* local_priv_copy - duplicate */

void
local_priv_copy(struct local_priv *dst, const struct local_priv *src)
{
    dst->uid = src->uid;
    dst->gid = src->gid;
    dst->name = mystrdup(src->name);
    dst->home = mystrdup(src->home);
}

/* local_priv_free - release the strings */

void
local_priv_free(struct local_priv *priv)
{
    if (priv->name)
	myfree(priv->name);
    if (priv->home)
	myfree(priv->home);
    priv->name = priv->home = 0;
}

/* local_priv_drop - become priv for good (in a child) */

int
local_priv_drop(const struct local_priv *priv, struct vstr *why)
{
    struct chroot_uid_ids ids;
    gid_t   gid = priv->gid;

    if (getuid() != 0 && geteuid() != 0)
	return (0);				/* unprivileged instance */
    ids.uid = priv->uid;
    ids.gid = priv->gid;
    if (priv->uid != 0)
	return (chroot_uid_drop(&ids, why));

    /*
     * The recipient is root itself (its own mailbox): keep uid 0 but no
     * supplementary group. Commands and files never get here as root
     * (they run as default_privs).
     */
    if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0)
	return (vstr_fail(why, "setgroups/setresgid %ld: %m", (long) gid));
    return (0);
}

/* local_child_send - the child's report: result, reason, data */

static void
local_child_send(int fd, int32_t result, struct vstr *why, struct vstr *data)
{
    uint32_t wlen = (uint32_t) (vstr_len(why) > LOCAL_WHY_MAX ?
				LOCAL_WHY_MAX : vstr_len(why));
    uint32_t dlen = (uint32_t) (vstr_len(data) > LOCAL_FILE_MAX ?
				LOCAL_FILE_MAX : vstr_len(data));

    if (write_all(fd, &result, sizeof(result)) < 0
	|| write_all(fd, &wlen, sizeof(wlen)) < 0
	|| write_all(fd, vstr_str(why), wlen) < 0
	|| write_all(fd, &dlen, sizeof(dlen)) < 0
	|| write_all(fd, vstr_str(data), dlen) < 0)
	_exit(1);
}

/* local_child_main - in the child: drop, work, report, exit */

static NORETURN
local_child_main(int fd, const struct local_priv *priv, local_child_fn fn,
		         void *ctx)
{
    struct vstr *why = vstr_alloc(100);
    struct vstr *data = vstr_alloc(100);
    int32_t result;

    if (local_priv_drop(priv, why) < 0) {
	msg_warn("cannot become uid %ld: %s", (long) priv->uid, vstr_str(why));
	vstr_sprintf(why, "4.3.0 cannot change to the recipient's rights");
	result = MAIL_STAT_DEFER;
    } else {
	result = fn(ctx, data, why);
    }
    local_child_send(fd, result, why, data);
    _exit(0);
}

/* local_child_parse - decode what the child sent; 0 or -1 */

static int
local_child_parse(const char *buf, size_t len, int *result,
		          struct vstr *data, struct vstr *why)
{
    int32_t res;
    uint32_t wlen;
    uint32_t dlen;

    if (len < 8)
	return (-1);
    memcpy(&res, buf, 4);
    memcpy(&wlen, buf + 4, 4);
    if (wlen > len - 8 || len - 8 - wlen < 4)
	return (-1);
    memcpy(&dlen, buf + 8 + wlen, 4);
    if (dlen != len - 12 - wlen)
	return (-1);
    vstr_memcpy(why, buf + 8, wlen);
    if (data)
	vstr_memcpy(data, buf + 12 + wlen, dlen);
    *result = res;
    return (0);
}

/* local_child_run - run fn as priv in a child; its result, or -1 */

int
local_child_run(const struct local_priv *priv, local_child_fn fn, void *ctx,
		        struct vstr *data, struct vstr *why)
{
    struct vstr *buf = vstr_alloc(200);
    int     fds[2];
    pid_t   pid;
    int     status;
    ssize_t n;
    char    chunk[4096];
    int     result;

    if (pipe2(fds, O_CLOEXEC) < 0) {
	vstr_free(buf);
	return (vstr_fail(why, "pipe: %m"));
    }
    if ((pid = fork()) < 0) {
	(void) close(fds[0]);
	(void) close(fds[1]);
	vstr_free(buf);
	return (vstr_fail(why, "fork: %m"));
    }
    if (pid == 0) {
	(void) close(fds[0]);
	local_child_main(fds[1], priv, fn, ctx);
    }
    (void) close(fds[1]);
    while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 || vstr_len(buf) + (size_t) n > LOCAL_CHILD_MAX)
	    break;
	vstr_memcat(buf, chunk, (size_t) n);
    }
    (void) close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
	 /* void */ ;
    if (local_child_parse(vstr_str(buf), vstr_len(buf), &result, data,
			  why) < 0
	|| !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
	if (WIFSIGNALED(status))
	    msg_warn("delivery process %ld killed by signal %d",
		     (long) pid, WTERMSIG(status));
	result = vstr_fail(why, "delivery process failed");
    }
    vstr_free(buf);
    return (result);
}
