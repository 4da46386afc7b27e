/*
 * test_queue_flags.c - flags added at commit (queue_out_flags(),
 * queue_write_flags()): the end-of-envelope record becomes B in place
 * when the flags record lacks QUEUE_FLAG_8BITMIME, the reader returns
 * the flag in flags and commit_flags, every value has one encoding, and
 * a stream that cannot be patched is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "qtest.h"
#include "mail_queue.h"

/* build - envelope, "caf\xc3\xa9" line, commit flags; file bytes */

static struct vstr *
build(struct queue_env *env, int commit, struct queue_out *outp)
{
    struct vstr *why = vstr_alloc(10);
    int     fd = memfd_create("qflags", 0);
    struct vstream *fp;
    struct queue_out out;
    struct vstr *file;

    cr_assert(fd >= 0);
    fp = vstream_fdopen(fd, VSTREAM_WRITE);
    queue_out_init(&out, fp);
    cr_assert_eq(queue_out_envelope(&out, env, why), 0, "%s", vstr_str(why));
    cr_assert_eq(queue_out_text(&out, "Subject: x", 10, 0, why), 0);
    cr_assert_eq(queue_out_text(&out, "", 0, 0, why), 0);
    cr_assert_eq(queue_out_text(&out, "caf\xc3\xa9", 5, 0, why), 0);
    if (commit)
	queue_out_flags(&out, commit);
    cr_assert_eq(queue_out_finish(&out, why), 0, "%s", vstr_str(why));
    if (outp)
	*outp = out;
    queue_out_done(&out);
    vstream_free(fp);
    file = qt_slurp(fd);
    close(fd);
    vstr_free(why);
    return (file);
}

/* env_with - minimal envelope with declared flags */

static void
env_with(struct queue_env *env, int flags)
{
    queue_env_init(env);
    env->arrival.tv_sec = 1700000000;
    env->sender = mystrdup("s@example.org");
    env->flags = flags;
    queue_env_add_rcpt(env, "r@example.com", 0, 0);
}

/* has_record - does the file have a record of this type (envelope)? */

static int
has_record(struct vstr *file, int type)
{
    const unsigned char *cp = (const unsigned char *) vstr_str(file);
    size_t  off = 0;
    size_t  len;

    while (off + 5 <= vstr_len(file)) {
	if (cp[off] == type)
	    return (1);
	len = ((size_t) cp[off + 1] << 24) | ((size_t) cp[off + 2] << 16)
	    | ((size_t) cp[off + 3] << 8) | cp[off + 4];
	off += 5 + len;
    }
    return (0);
}

/* read_back - parse file, check the flags, check the round trip */

static void
read_back(struct vstr *file, int flags, int commit)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct vstr **lines;
    struct vstr *again;
    size_t  n;

    cr_assert_eq(qt_parse(vstr_str(file), vstr_len(file), &env, &lines, &n,
			  why), 0, "%s", vstr_str(why));
    cr_assert_eq(env.flags, flags);
    cr_assert_eq(env.commit_flags, commit);
    cr_assert_eq(n, 3);
    cr_assert_eq(qt_build(&env, lines, n, &again, why), 0, "%s", vstr_str(why));
    cr_assert_eq(vstr_len(again), vstr_len(file));
    cr_assert(memcmp(vstr_str(again), vstr_str(file), vstr_len(file)) == 0,
	      "not canonical");
    vstr_free(again);
    qt_free_lines(lines, n);
    queue_env_free(&env);
    vstr_free(why);
}

Test(queue_flags, commit_flag_turns_mesg_into_b)
{
    struct queue_env env;
    struct queue_out out;
    struct vstr *file;

    env_with(&env, 0);
    file = build(&env, QUEUE_FLAG_8BITMIME, &out);
    cr_assert_eq(vstr_str(file)[out.mesg_offset], REC_TYPE_MESG8);
    cr_assert(!has_record(file, REC_TYPE_FLAGS));
    cr_assert(!has_record(file, REC_TYPE_MESG));
    read_back(file, QUEUE_FLAG_8BITMIME, QUEUE_FLAG_8BITMIME);
    vstr_free(file);
    queue_env_free(&env);
}

Test(queue_flags, no_commit_flag_keeps_mesg)
{
    struct queue_env env;
    struct queue_out out;
    struct vstr *file;

    env_with(&env, 0);
    file = build(&env, 0, &out);
    cr_assert_eq(vstr_str(file)[out.mesg_offset], REC_TYPE_MESG);
    cr_assert(!has_record(file, REC_TYPE_MESG8));
    read_back(file, 0, 0);
    vstr_free(file);
    queue_env_free(&env);
}

Test(queue_flags, declared_flag_is_not_recorded_twice)
{
    struct queue_env env;
    struct queue_out out;
    struct vstr *file;

    env_with(&env, QUEUE_FLAG_8BITMIME | QUEUE_FLAG_SMTPUTF8);
    file = build(&env, QUEUE_FLAG_8BITMIME, &out);
    cr_assert_eq(vstr_str(file)[out.mesg_offset], REC_TYPE_MESG);
    cr_assert(has_record(file, REC_TYPE_FLAGS));
    read_back(file, QUEUE_FLAG_8BITMIME | QUEUE_FLAG_SMTPUTF8, 0);
    vstr_free(file);
    queue_env_free(&env);
}

Test(queue_flags, other_declared_flags_stay_in_flags_record)
{
    struct queue_env env;
    struct queue_out out;
    struct vstr *file;

    env_with(&env, QUEUE_FLAG_SMTPUTF8);
    file = build(&env, QUEUE_FLAG_8BITMIME, &out);
    cr_assert_eq(vstr_str(file)[out.mesg_offset], REC_TYPE_MESG8);
    cr_assert(has_record(file, REC_TYPE_FLAGS));
    read_back(file, QUEUE_FLAG_8BITMIME | QUEUE_FLAG_SMTPUTF8,
	      QUEUE_FLAG_8BITMIME);
    vstr_free(file);
    queue_env_free(&env);
}

Test(queue_flags, reader_refuses_b_with_flag_declared)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct queue_out out;
    struct vstr **lines;
    struct vstr *file;
    size_t  n;

    env_with(&env, QUEUE_FLAG_8BITMIME);
    file = build(&env, 0, &out);
    vstr_str(file)[out.mesg_offset] = REC_TYPE_MESG8;
    cr_assert_eq(qt_parse(vstr_str(file), vstr_len(file), &env, &lines, &n,
			  why), -1);
    cr_assert(strstr(vstr_str(why), "8BITMIME in flags record"), "%s",
	      vstr_str(why));
    vstr_free(file);
    vstr_free(why);
}

Test(queue_flags, reader_refuses_b_in_wrong_places)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct queue_env back;
    struct queue_out out;
    struct vstr **lines;
    struct vstr *file;
    size_t  n;

    /* B instead of a recipient or sender, or after M: out of order. */
    env_with(&env, 0);
    file = build(&env, 0, &out);
    vstr_str(file)[out.mesg_offset + 5] = REC_TYPE_MESG8;	/* 1st line */
    cr_assert_eq(qt_parse(vstr_str(file), vstr_len(file), &back, &lines, &n,
			  why), -1);
    vstr_free(file);
    queue_env_free(&env);
    vstr_free(why);
}

Test(queue_flags, writer_rejects_bad_commit_flags)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct vstr *file;
    struct vstr *line = qt_line("x", 1);

    env_with(&env, 0);
    env.commit_flags = QUEUE_FLAG_SMTPUTF8;
    cr_assert_eq(qt_build(&env, &line, 1, &file, why), -1);
    cr_assert(strstr(vstr_str(why), "commit flags"), "%s", vstr_str(why));
    vstr_free(file);
    /* A commit flag that the caller also put in flags: still one B. */
    env.flags = env.commit_flags = QUEUE_FLAG_8BITMIME;
    cr_assert_eq(qt_build(&env, &line, 1, &file, why), 0, "%s",
		 vstr_str(why));
    cr_assert(has_record(file, REC_TYPE_MESG8));
    cr_assert(!has_record(file, REC_TYPE_FLAGS));
    vstr_free(file);
    vstr_free(line);
    queue_env_free(&env);
    vstr_free(why);
}

Test(queue_flags, stream_cannot_take_commit_flags)
{
    struct vstr *why = vstr_alloc(10);
    struct queue_env env;
    struct vstream *fp;
    struct queue_out out;
    int     pfd[2];

    cr_assert_eq(pipe(pfd), 0);
    env_with(&env, 0);
    fp = vstream_fdopen(pfd[1], VSTREAM_WRITE);
    queue_out_init(&out, fp);
    cr_assert_eq(queue_out_envelope(&out, &env, why), 0, "%s", vstr_str(why));
    cr_assert_eq(queue_out_text(&out, "\xff", 1, 0, why), 0);
    queue_out_flags(&out, QUEUE_FLAG_8BITMIME);
    cr_assert_eq(queue_out_finish(&out, why), -1);
    cr_assert(strstr(vstr_str(why), "stream"), "%s", vstr_str(why));
    queue_out_done(&out);
    (void) vstream_close(fp);
    close(pfd[0]);
    queue_env_free(&env);
    vstr_free(why);
}

static char qdir[] = "/tmp/qflags.XXXXXX";

static int
rm_one(const char *path, const struct stat *st UNUSED, int flag,
       struct FTW *ftw UNUSED)
{
    return (flag == FTW_DP ? rmdir(path) : unlink(path));
}

Test(queue_flags, committed_file_has_flag)
{
    struct vstr *why = vstr_alloc(10);
    struct vstr *rel = vstr_alloc(10);
    struct vstr *path = vstr_alloc(10);
    struct vstr *line = vstr_alloc(10);
    struct queue_writer *w;
    struct queue_reader *r;
    struct queue_env env;
    struct queue_env back;
    char   *id;

    cr_assert_not_null(mkdtemp(qdir));
    cr_assert_eq(mail_queue_create_tree(qdir, geteuid(), getegid(), why), 0,
		 "%s", vstr_str(why));
    env_with(&env, 0);
    w = queue_write_open(qdir, MAIL_QUEUE_INCOMING, why);
    cr_assert_not_null(w, "%s", vstr_str(why));
    id = mystrdup(queue_write_id(w));
    cr_assert_eq(queue_write_envelope(w, &env, why), 0, "%s", vstr_str(why));
    cr_assert_eq(queue_write_text(w, "\x80", 1, 0, why), 0);
    queue_write_flags(w, QUEUE_FLAG_8BITMIME);
    cr_assert_eq(queue_write_commit(w, why), 0, "%s", vstr_str(why));
    queue_write_free(w);

    cr_assert_eq(mail_queue_path(rel, MAIL_QUEUE_INCOMING, id), 0);
    vstr_sprintf(path, "%s/%s", qdir, vstr_str(rel));
    r = queue_read_open(vstr_str(path), 0, why);
    cr_assert_not_null(r, "%s", vstr_str(why));
    cr_assert_eq(queue_read_envelope(r, &back, why), 0, "%s", vstr_str(why));
    cr_assert_eq(back.flags, QUEUE_FLAG_8BITMIME);
    cr_assert_eq(back.commit_flags, QUEUE_FLAG_8BITMIME);
    cr_assert_eq(back.size, 2);
    cr_assert_eq(queue_read_line(r, line, 0, why), QUEUE_LINE);
    cr_assert_eq(queue_read_line(r, line, 0, why), QUEUE_END, "%s",
		 vstr_str(why));
    queue_read_close(r);
    queue_env_free(&back);
    queue_env_free(&env);
    myfree(id);
    (void) nftw(qdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    vstr_free(why);
    vstr_free(rel);
    vstr_free(path);
    vstr_free(line);
}

Test(queue_flags, fuzz_seeds_are_accepted)
{
    static const char *seeds[] = {"mesg8", "mesg8_utf8"};
    static const int want[] = {QUEUE_FLAG_8BITMIME,
    QUEUE_FLAG_8BITMIME | QUEUE_FLAG_SMTPUTF8};
    const char *src = getenv("TEST_SRCDIR");
    struct vstr *why = vstr_alloc(10);
    struct vstr *path = vstr_alloc(10);
    struct vstr *file;
    struct queue_env env;
    struct vstr **lines;
    size_t  n;
    size_t  i;
    int     fd;

    for (i = 0; i < ARRAY_LEN(seeds); i++) {
	vstr_sprintf(path, "%s/tests/fuzz/queuefile/corpus/%s",
		     src ? src : ".", seeds[i]);
	cr_assert((fd = open(vstr_str(path), O_RDONLY)) >= 0, "%s",
		  vstr_str(path));
	file = qt_slurp(fd);
	close(fd);
	cr_assert_eq(qt_parse(vstr_str(file), vstr_len(file), &env, &lines,
			      &n, why), 0, "%s: %s", seeds[i], vstr_str(why));
	cr_assert_eq(env.flags, want[i]);
	cr_assert_eq(env.commit_flags, QUEUE_FLAG_8BITMIME);
	qt_free_lines(lines, n);
	queue_env_free(&env);
	vstr_free(file);
    }
    vstr_free(path);
    vstr_free(why);
}
