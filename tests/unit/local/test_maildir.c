/*
 * test_maildir.c - Maildir delivery in local/maildir.c: unique names
 * (format, host name quoting, no repeats), tmp/ new/ cur/ created, the
 * file in new/ with the right content and mode, nothing left in tmp/,
 * a symlinked tmp/ refused, the size limit; the fast path for an
 * existing Maildir: the user's own symlinked Maildir followed, one owned
 * by someone else refused, a symlinked new/ refused, a missing cur/
 * created again.
 */
#include <dirent.h>
#include <regex.h>

#include "ltest.h"
#include "mail_proto.h"

static char *dir;
static struct vstr *why;
static struct vstr *qpath;
static struct local_msg msg;

static const char *const lines[] = {"Subject: md", "", "From body", 0};

static void
setup(void)
{
    lt_config();
    dir = lt_tmpdir();
    why = vstr_alloc(10);
    qpath = vstr_alloc(10);
    vstr_sprintf(qpath, "%s/q", dir);
    lt_queue_file(vstr_str(qpath), "s@example.org", lines);
    lt_msg_open(&msg, vstr_str(qpath), "s@example.org");
}

static void
teardown(void)
{
    local_msg_close(&msg);
    lt_rmdir(dir);
    vstr_free(why);
    vstr_free(qpath);
}

TestSuite(maildir,.init = setup,.fini = teardown);

/* count - entries in a directory, without . and .. */

static int
count(const char *path)
{
    DIR    *dp = opendir(path);
    struct dirent *de;
    int     n = 0;

    cr_assert_not_null(dp, "%s", path);
    while ((de = readdir(dp)) != 0)
	if (de->d_name[0] != '.')
	    n++;
    closedir(dp);
    return (n);
}

Test(maildir, names)
{
    struct vstr *a = vstr_alloc(10);
    struct vstr *b = vstr_alloc(10);
    regex_t re;

    cr_assert_eq(regcomp(&re, "^[0-9]+\\.M[0-9]{6}P[0-9]+_[0-9]+\\.",
			 REG_EXTENDED | REG_NOSUB), 0);
    local_maildir_name(a, "mx.example.com");
    local_maildir_name(b, "mx.example.com");
    cr_assert_eq(regexec(&re, vstr_str(a), 0, 0, 0), 0, "%s", vstr_str(a));
    cr_assert_str_neq(vstr_str(a), vstr_str(b));
    local_maildir_name(a, "evil/../host:2,S\n");
    cr_assert_not_null(strstr(vstr_str(a), ".evil\\057..\\057host\\0722,S_"),
		       "%s", vstr_str(a));
    cr_assert_null(strchr(vstr_str(a), '/'));
    regfree(&re);
    vstr_free(a);
    vstr_free(b);
}

Test(maildir, deliver)
{
    struct vstr *md = vstr_alloc(10);
    struct vstr *name = vstr_alloc(10);
    struct vstr *p = vstr_alloc(10);
    struct stat st;
    char   *text;

    vstr_sprintf(md, "%s/deep/Maildir", dir);
    cr_assert_eq(local_maildir_deliver(&msg, vstr_str(md), "u@example.com", 0,
				       name, why), MAIL_STAT_OK, "%s",
		 vstr_str(why));
    vstr_sprintf(p, "%s/tmp", vstr_str(md));
    cr_assert_eq(count(vstr_str(p)), 0);
    vstr_sprintf(p, "%s/cur", vstr_str(md));
    cr_assert_eq(count(vstr_str(p)), 0);
    vstr_sprintf(p, "%s/new/%s", vstr_str(md), vstr_str(name));
    cr_assert_eq(stat(vstr_str(p), &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    text = lt_slurp(vstr_str(p));
    cr_assert_str_eq(text, "Return-Path: <s@example.org>\n"
		     "Delivered-To: u@example.com\nSubject: md\n\nFrom body\n");
    myfree(text);
    cr_assert_eq(local_maildir_deliver(&msg, vstr_str(md), "u@example.com", 0,
				       name, why), MAIL_STAT_OK);
    vstr_sprintf(p, "%s/new", vstr_str(md));
    cr_assert_eq(count(vstr_str(p)), 2);
    vstr_free(md);
    vstr_free(name);
    vstr_free(p);
}

Test(maildir, symlinked_tmp_refused)
{
    struct vstr *md = vstr_alloc(10);
    struct vstr *p = vstr_alloc(10);
    struct vstr *steal = vstr_alloc(10);
    struct vstr *name = vstr_alloc(10);

    vstr_sprintf(md, "%s/Maildir", dir);
    vstr_sprintf(steal, "%s/steal", dir);
    cr_assert_eq(mkdir(vstr_str(md), 0700), 0);
    cr_assert_eq(mkdir(vstr_str(steal), 0700), 0);
    vstr_sprintf(p, "%s/tmp", vstr_str(md));
    cr_assert_eq(symlink(vstr_str(steal), vstr_str(p)), 0);
    cr_assert_eq(local_maildir_deliver(&msg, vstr_str(md), "u@x", 0, name,
				       why), MAIL_STAT_DEFER);
    cr_assert_eq(count(vstr_str(steal)), 0);
    vstr_free(md);
    vstr_free(p);
    vstr_free(steal);
    vstr_free(name);
}

Test(maildir, size_limit)
{
    struct vstr *md = vstr_alloc(10);
    struct vstr *p = vstr_alloc(10);
    struct vstr *name = vstr_alloc(10);

    vstr_sprintf(md, "%s/Maildir", dir);
    cr_assert_eq(local_maildir_deliver(&msg, vstr_str(md), "u@x", 10, name,
				       why), MAIL_STAT_BOUNCE);
    cr_assert(strncmp(vstr_str(why), "5.2.2 ", 6) == 0);
    vstr_sprintf(p, "%s/tmp", vstr_str(md));
    cr_assert_eq(count(vstr_str(p)), 0);
    vstr_sprintf(p, "%s/new", vstr_str(md));
    cr_assert_eq(count(vstr_str(p)), 0);
    vstr_free(md);
    vstr_free(p);
    vstr_free(name);
}

/* deliver_to - one delivery into md; MAIL_STAT_* */

static int
deliver_to(const char *md)
{
    struct vstr *name = vstr_alloc(10);
    int     st = local_maildir_deliver(&msg, md, "u@x", 0, name, why);

    vstr_free(name);
    return (st);
}

/* sub_count - entries in md/sub */

static int
sub_count(const char *md, const char *sub)
{
    struct vstr *p = vstr_alloc(10);
    int     n;

    vstr_sprintf(p, "%s/%s", md, sub);
    n = count(vstr_str(p));
    vstr_free(p);
    return (n);
}

Test(maildir, own_symlinked_maildir_followed)
{
    struct vstr *md = vstr_alloc(10);
    struct vstr *real = vstr_alloc(10);

    vstr_sprintf(real, "%s/real", dir);
    vstr_sprintf(md, "%s/Maildir", dir);
    cr_assert_eq(deliver_to(vstr_str(real)), MAIL_STAT_OK, "%s", vstr_str(why));
    cr_assert_eq(symlink(vstr_str(real), vstr_str(md)), 0);
    cr_assert_eq(deliver_to(vstr_str(md)), MAIL_STAT_OK, "%s", vstr_str(why));
    cr_assert_eq(sub_count(vstr_str(real), "new"), 2);
    vstr_free(md);
    vstr_free(real);
}

Test(maildir, foreign_symlinked_maildir_refused)
{
    struct vstr *md = vstr_alloc(10);
    struct vstr *real = vstr_alloc(10);

    vstr_sprintf(real, "%s/real", dir);
    vstr_sprintf(md, "%s/Maildir", dir);
    cr_assert_eq(deliver_to(vstr_str(real)), MAIL_STAT_OK, "%s", vstr_str(why));
    cr_assert_eq(symlink(vstr_str(real), vstr_str(md)), 0);
    cr_assert_eq(lchown(vstr_str(md), geteuid() + 1, (gid_t) -1), 0);
    cr_assert_eq(deliver_to(vstr_str(md)), MAIL_STAT_DEFER);
    cr_assert_eq(sub_count(vstr_str(real), "new"), 1, "target untouched");
    vstr_free(md);
    vstr_free(real);
}

Test(maildir, symlinked_new_refused_and_cur_recreated)
{
    struct vstr *md = vstr_alloc(10);
    struct vstr *p = vstr_alloc(10);
    struct vstr *steal = vstr_alloc(10);

    vstr_sprintf(md, "%s/Maildir", dir);
    vstr_sprintf(steal, "%s/steal", dir);
    cr_assert_eq(deliver_to(vstr_str(md)), MAIL_STAT_OK, "%s", vstr_str(why));
    vstr_sprintf(p, "%s/cur", vstr_str(md));
    cr_assert_eq(rmdir(vstr_str(p)), 0);
    cr_assert_eq(deliver_to(vstr_str(md)), MAIL_STAT_OK, "%s", vstr_str(why));
    cr_assert_eq(sub_count(vstr_str(md), "cur"), 0, "cur/ is back");
    cr_assert_eq(mkdir(vstr_str(steal), 0700), 0);
    vstr_sprintf(p, "%s/new", vstr_str(md));
    cr_assert_eq(rename(vstr_str(p), vstr_str(steal)), 0);
    cr_assert_eq(symlink(vstr_str(steal), vstr_str(p)), 0);
    cr_assert_eq(deliver_to(vstr_str(md)), MAIL_STAT_DEFER);
    cr_assert_eq(count(vstr_str(steal)), 2, "nothing added through the link");
    cr_assert_eq(sub_count(vstr_str(md), "tmp"), 0);
    vstr_free(md);
    vstr_free(p);
    vstr_free(steal);
}
