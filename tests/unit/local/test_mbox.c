/*
 * test_mbox.c - mbox writing in local/mailbox.c and local/deliver.c: the
 * "From " separator, Return-Path and Delivered-To, ">From " quoting, the
 * blank line, two messages in a row, mailbox_size_limit, a write that
 * fails (RLIMIT_FSIZE in a forked child) truncated back to the old size,
 * the dotlock (busy, stale), and the mailbox safety checks (symlink,
 * hard link, foreign owner) of local_mbox_child().
 */
#include <errno.h>
#include <signal.h>
#include <utime.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "ltest.h"
#include "mail_proto.h"

static char *dir;
static struct vstr *why;
static struct vstr *path;

static const char *const lines[] = {
    "Subject: hi", "", "first line", "From the middle", ">From quoted",
    "From", "last", 0,
};

static void
setup(void)
{
    lt_config();
    dir = lt_tmpdir();
    why = vstr_alloc(10);
    path = vstr_alloc(10);
    vstr_sprintf(path, "%s/q", dir);
    lt_queue_file(vstr_str(path), "s@example.org", lines);
}

static void
teardown(void)
{
    lt_rmdir(dir);
    vstr_free(why);
    vstr_free(path);
}

TestSuite(mbox,.init = setup,.fini = teardown);

/* append - open dir/mbox for append, append once; the status */

static int
append(const char *name, off_t limit)
{
    struct local_msg msg;
    struct vstr *mbox = vstr_alloc(10);
    int     fd;
    int     status;

    lt_msg_open(&msg, vstr_str(path), "s@example.org");
    vstr_sprintf(mbox, "%s/%s", dir, name);
    fd = open(vstr_str(mbox), O_WRONLY | O_APPEND | O_CREAT, 0600);
    cr_assert(fd >= 0);
    status = local_mbox_append(&msg, fd, "u@example.com", LOCAL_COPY_FROM
			       | LOCAL_COPY_QUOTE | LOCAL_COPY_BLANK, limit, why);
    close(fd);
    local_msg_close(&msg);
    vstr_free(mbox);
    return (status);
}

Test(mbox, format_and_quoting)
{
    char   *text;
    struct vstr *p = vstr_alloc(10);

    cr_assert_eq(append("box", 0), MAIL_STAT_OK, "%s", vstr_str(why));
    cr_assert_eq(append("box", 0), MAIL_STAT_OK, "%s", vstr_str(why));
    vstr_sprintf(p, "%s/box", dir);
    text = lt_slurp(vstr_str(p));
    cr_assert(strncmp(text, "From s@example.org  ", 20) == 0, "%s", text);
    cr_assert_not_null(strstr(text, "\nReturn-Path: <s@example.org>\n"
			      "Delivered-To: u@example.com\nSubject: hi\n"));
    cr_assert_not_null(strstr(text, "\nfirst line\n>From the middle\n"
			      ">From quoted\nFrom\nlast\n\nFrom s@"), "%s", text);
    cr_assert_eq(strlen(text) % 2, 0);
    cr_assert(strncmp(text + strlen(text) / 2, "From s@example.org  ", 20) == 0);
    cr_assert(strcmp(text + strlen(text) - 7, "\nlast\n\n") == 0);
    myfree(text);
    vstr_free(p);
}

Test(mbox, null_sender_is_mailer_daemon)
{
    struct local_msg msg;
    struct vstr *p = vstr_alloc(10);
    char   *text;
    int     fd;

    lt_queue_file(vstr_str(path), "", lines);
    lt_msg_open(&msg, vstr_str(path), "");
    vstr_sprintf(p, "%s/box", dir);
    fd = open(vstr_str(p), O_WRONLY | O_CREAT | O_APPEND, 0600);
    cr_assert_eq(local_mbox_append(&msg, fd, "u@x", LOCAL_COPY_FROM, 0, why),
		 MAIL_STAT_OK);
    close(fd);
    local_msg_close(&msg);
    text = lt_slurp(vstr_str(p));
    cr_assert(strncmp(text, "From MAILER-DAEMON  ", 20) == 0, "%s", text);
    cr_assert_not_null(strstr(text, "\nReturn-Path: <>\n"));
    myfree(text);
    vstr_free(p);
}

Test(mbox, control_characters_in_header_fields)
{
    struct local_msg msg;
    struct vstr *p = vstr_alloc(10);
    char   *text;
    int     fd;

    lt_msg_open(&msg, vstr_str(path), "s@x\nFrom evil@x");
    vstr_sprintf(p, "%s/box", dir);
    fd = open(vstr_str(p), O_WRONLY | O_CREAT | O_APPEND, 0600);
    cr_assert_eq(local_mbox_append(&msg, fd, "u\r\n@x", LOCAL_COPY_FROM
				   | LOCAL_COPY_QUOTE, 0, why), MAIL_STAT_OK);
    close(fd);
    local_msg_close(&msg);
    text = lt_slurp(vstr_str(p));
    cr_assert_not_null(strstr(text, "\nReturn-Path: <s@x_From evil@x>\n"
			      "Delivered-To: u__@x\n"), "%s", text);
    cr_assert_null(strstr(text, "\nFrom evil"), "%s", text);
    myfree(text);
    vstr_free(p);
}

Test(mbox, size_limit_bounces_and_truncates)
{
    struct vstr *p = vstr_alloc(10);
    struct stat st;
    off_t   size;

    cr_assert_eq(append("box", 0), MAIL_STAT_OK);
    vstr_sprintf(p, "%s/box", dir);
    cr_assert_eq(stat(vstr_str(p), &st), 0);
    size = st.st_size;
    cr_assert_eq(append("box", size + 20), MAIL_STAT_BOUNCE);
    cr_assert(strncmp(vstr_str(why), "5.2.2 ", 6) == 0, "%s", vstr_str(why));
    cr_assert_eq(stat(vstr_str(p), &st), 0);
    cr_assert_eq(st.st_size, size);
    cr_assert_eq(append("box", size), MAIL_STAT_BOUNCE);
    vstr_free(p);
}

Test(mbox, failed_write_truncated_back)
{
    struct vstr *p = vstr_alloc(10);
    struct stat st;
    struct rlimit rl;
    pid_t   pid;
    int     status;
    off_t   size;

    cr_assert_eq(append("box", 0), MAIL_STAT_OK);
    vstr_sprintf(p, "%s/box", dir);
    cr_assert_eq(stat(vstr_str(p), &st), 0);
    size = st.st_size;
    if ((pid = fork()) == 0) {
	signal(SIGXFSZ, SIG_IGN);
	rl.rlim_cur = rl.rlim_max = (rlim_t) size + 30;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
	    _exit(9);
	status = append("box", 0);
	_exit(status == MAIL_STAT_BOUNCE
	      && strncmp(vstr_str(why), "5.2.2 ", 6) == 0 ? 0 : 1);
    }
    cr_assert(pid > 0);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d",
	      status);
    cr_assert_eq(stat(vstr_str(p), &st), 0);
    cr_assert_eq(st.st_size, size);
    vstr_free(p);
}

Test(mbox, dotlock_busy_and_stale)
{
    struct vstr *p = vstr_alloc(10);
    struct vstr *lock = vstr_alloc(10);
    struct utimbuf ut;

    vstr_sprintf(p, "%s/box", dir);
    vstr_sprintf(lock, "%s/box.lock", dir);
    cr_assert_eq(local_dotlock(vstr_str(p), why), 0, "%s", vstr_str(why));
    cr_assert_eq(access(vstr_str(lock), F_OK), 0);
    cr_assert_eq(local_dotlock(vstr_str(p), why), -1);
    cr_assert_eq(errno, EAGAIN);
    cr_assert_not_null(strstr(vstr_str(why), "mailbox is locked"));
    ut.actime = ut.modtime = time((time_t *) 0) - LOCAL_LOCK_STALE - 10;
    cr_assert_eq(utime(vstr_str(lock), &ut), 0);
    cr_assert_eq(local_dotlock(vstr_str(p), why), 0, "stale lock kept");
    local_dotlock_release(vstr_str(p));
    cr_assert_eq(access(vstr_str(lock), F_OK), -1);
    /* A directory in the way is never removed: busy. */
    cr_assert_eq(mkdir(vstr_str(lock), 0700), 0);
    cr_assert_eq(utime(vstr_str(lock), &ut), 0);
    cr_assert_eq(local_dotlock(vstr_str(p), why), -1);
    vstr_free(p);
    vstr_free(lock);
}

/* child_deliver - local_mbox_child() on dir/name */

static int
child_deliver(const char *name, int flags)
{
    struct local_mbox_ctx mc;
    struct local_msg msg;
    struct vstr *p = vstr_alloc(10);
    int     status;

    lt_msg_open(&msg, vstr_str(path), "s@example.org");
    vstr_sprintf(p, "%s/%s", dir, name);
    mc.msg = &msg;
    mc.path = vstr_str(p);
    mc.delivered_to = "u@example.com";
    mc.flags = flags;
    mc.limit = 0;
    status = local_mbox_child(&mc, 0, why);
    local_msg_close(&msg);
    vstr_free(p);
    return (status);
}

Test(mbox, symlink_hardlink_owner_refused)
{
    struct vstr *victim = vstr_alloc(10);
    struct vstr *p = vstr_alloc(10);
    char   *text;

    vstr_sprintf(victim, "%s/victim", dir);
    vstr_sprintf(p, "%s/sym", dir);
    cr_assert_eq(close(open(vstr_str(victim), O_CREAT | O_WRONLY, 0600)), 0);
    cr_assert_eq(symlink(vstr_str(victim), vstr_str(p)), 0);
    cr_assert_eq(child_deliver("sym", LOCAL_MBOX_FCNTL | LOCAL_MBOX_OWNER),
		 MAIL_STAT_DEFER);
    cr_assert(vstr_str(why)[0] == '4', "%s", vstr_str(why));
    vstr_sprintf(p, "%s/hard", dir);
    cr_assert_eq(link(vstr_str(victim), vstr_str(p)), 0);
    cr_assert_eq(child_deliver("hard", LOCAL_MBOX_FCNTL), MAIL_STAT_DEFER);
    text = lt_slurp(vstr_str(victim));
    cr_assert_str_eq(text, "");
    myfree(text);
    if (geteuid() == 0) {
	vstr_sprintf(p, "%s/foreign", dir);
	cr_assert_eq(close(open(vstr_str(p), O_CREAT | O_WRONLY, 0600)), 0);
	cr_assert_eq(chown(vstr_str(p), 1, 1), 0);
	cr_assert_eq(child_deliver("foreign", LOCAL_MBOX_OWNER), MAIL_STAT_DEFER);
    }
    /* And a good one, with the dotlock taken and released by the child. */
    cr_assert_eq(child_deliver("good", LOCAL_MBOX_FCNTL | LOCAL_MBOX_OWNER
			       | LOCAL_MBOX_DOTLOCK), MAIL_STAT_OK,
		 "%s", vstr_str(why));
    vstr_sprintf(p, "%s/good.lock", dir);
    cr_assert_eq(access(vstr_str(p), F_OK), -1);
    vstr_free(victim);
    vstr_free(p);
}

Test(mbox, executable_file_refused)
{
    struct vstr *p = vstr_alloc(10);

    vstr_sprintf(p, "%s/exe", dir);
    cr_assert_eq(close(open(vstr_str(p), O_CREAT | O_WRONLY, 0700)), 0);
    cr_assert_eq(child_deliver("exe", LOCAL_MBOX_NOEXEC), MAIL_STAT_BOUNCE);
    cr_assert(strncmp(vstr_str(why), "5.7.1 ", 6) == 0);
    vstr_free(p);
}
