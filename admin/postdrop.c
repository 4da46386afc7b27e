/*
 * postdrop.c - postern-postdrop, the set-gid helper of local submission.
 *
 * Installed set-gid setgid_group (tools/install-postern). It reads one
 * message as a queue-file record stream on standard input (written by
 * postern-sendmail, or by anyone: the caller is untrusted), checks it
 * with the strict queue reader and the size limits, decides the sender
 * (only root and mail_owner may choose one freely), and writes a new
 * file into maildrop/ (temporary name, fsync, rename to a queue ID,
 * fsync the directory, or syncfs), then pokes pickup. maildrop/ is 0730
 * mail_owner:setgid_group, so this helper is the only way in.
 *
 * The environment is cleared first. A configuration directory other
 * than the default one (from -c or POSTERN_CONFIG) is refused unless
 * it is listed in alternate_config_directories of the default main.cf
 * (Postfix's rule for set-gid programs); root may use any directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "sys_defs.h"
#include "mymalloc.h"
#include "msg.h"
#include "vstr.h"
#include "vstream.h"
#include "stringops.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "queue_file.h"
#include "safe_open.h"
#include "submit.h"
#include "unix_sock.h"

#ifndef DEF_CONFIG_DIR
#define DEF_CONFIG_DIR "/usr/local/etc/postern"
#endif

#define POSTDROP_TIMEOUT	3600	/* seconds per read from stdin */
#define POSTDROP_SHOWQ_TIMEOUT	60	/* seconds per showq operation */
#define PICKUP_TRIGGER		"public/pickup"

static char *postdrop_temp;		/* file to remove on failure */

#ifdef __SANITIZE_ADDRESS__

/* __asan_default_options - ASan builds: no leak check in a set-gid
 * process (not dumpable, so LeakSanitizer cannot stop it and fails;
 * the environment with ASAN_OPTIONS is cleared anyway). */

const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
    return ("detect_leaks=0");
}

#endif

/* postdrop_die - one line on stderr, remove the temp file, exit */

static NORETURN PRINTFLIKE(2, 3)
postdrop_die(int status, const char *fmt, ...)
{
    va_list ap;

    if (postdrop_temp)
	(void) unlink(postdrop_temp);
    fprintf(stderr, "postern-postdrop: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

/* postdrop_dir_listed - is dir in the default main.cf's list? */

static int
postdrop_dir_listed(const char *dir)
{
    struct vstr *err = vstr_alloc(100);
    char   *list;
    char   *cp;
    char   *word;
    int     found = 0;

    if (mail_conf_read(DEF_CONFIG_DIR, err) < 0)
	postdrop_die(EX_CONFIG, "read %s/main.cf: %s", DEF_CONFIG_DIR,
		     vstr_str(err));
    vstr_free(err);
    list = mystrdup(mail_conf_eval("alternate_config_directories"));
    for (cp = list; !found && (word = str_token(&cp, ", \t\r\n")) != 0;)
	found = strcmp(word, dir) == 0;
    myfree(list);
    mail_conf_reset();
    return (found);
}

static const char *postdrop_showq;	/* -Q text|json: list the queue */

/*
 * postdrop_list - `postern queue` for a user outside setgid_group: the
 * set-gid bit lets us reach public/showq (public/ is 0710 root or
 * mail_owner : setgid_group); showq itself decides, from the kernel's
 * SO_PEERCRED (our real uid, the user's), whether the user may list.
 */
static int
postdrop_list(const char *what)
{
    struct vstream *sp;
    struct vstream *out;
    struct vstr *line;
    int     fd;
    int     st;
    int     ret = EX_OK;

    if ((fd = unix_connect(MAIL_QUEUE_PUBLIC "/showq", POSTDROP_SHOWQ_TIMEOUT)) < 0)
	postdrop_die(EX_UNAVAILABLE, "cannot reach the showq service: %s "
		     "(is the mail system running?)", strerror(errno));
    sp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_timeout(sp, POSTDROP_SHOWQ_TIMEOUT);
    if (vstream_printf(sp, "%s\n", what) != VSTREAM_OK
	|| vstream_flush(sp) != VSTREAM_OK)
	postdrop_die(EX_IOERR, "cannot send to the showq service");
    out = vstream_fdopen(1, VSTREAM_WRITE);
    line = vstr_alloc(1024);
    while ((st = vstream_read_line(sp, line, 65536)) == VSTREAM_OK
	   || st == VSTREAM_TOOLONG) {
	if (strncmp(vstr_str(line), "postern: ", 9) == 0) {
	    (void) write_all(2, vstr_str(line), vstr_len(line));
	    ret = EX_NOPERM;
	    continue;
	}
	if (vstream_write(out, vstr_str(line), vstr_len(line)) != VSTREAM_OK)
	    postdrop_die(EX_IOERR, "write: %s", strerror(errno));
    }
    if (st != VSTREAM_EOF)
	postdrop_die(EX_IOERR, "showq service: read error or timeout");
    if (vstream_flush(out) != VSTREAM_OK)
	postdrop_die(EX_IOERR, "write: %s", strerror(errno));
    vstr_free(line);
    (void) vstream_close(sp);
    return (ret);
}

/* postdrop_config - choose and read the configuration, clear environ */

static void
postdrop_config(int argc, char **argv)
{
    const char *dir = 0;
    struct vstr *err;
    int     ch;

    if ((dir = getenv("POSTERN_CONFIG")) != 0)
	dir = *dir ? mystrdup(dir) : 0;
    if (clearenv() != 0)
	postdrop_die(EX_OSERR, "cannot clear the environment");
    while ((ch = getopt(argc, argv, "c:Q:")) > 0) {
	if (ch == 'Q') {
	    if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
		postdrop_die(EX_USAGE, "usage: postern-postdrop -Q text|json");
	    postdrop_showq = optarg;
	    continue;
	}
	if (ch != 'c')
	    postdrop_die(EX_USAGE, "usage: postern-postdrop [-c CONFIG_DIR] < records");
	dir = optarg;
    }
    if (dir == 0 || strcmp(dir, DEF_CONFIG_DIR) == 0)
	dir = DEF_CONFIG_DIR;
    else if (getuid() != 0 && !postdrop_dir_listed(dir))
	postdrop_die(EX_NOPERM, "refusing configuration directory %s: not "
		     "listed in alternate_config_directories of %s/main.cf",
		     dir, DEF_CONFIG_DIR);
    err = vstr_alloc(100);
    if (mail_conf_read(dir, err) < 0)
	postdrop_die(EX_CONFIG, "%s", vstr_str(err));
    vstr_free(err);
    mail_params_init();
}

/* postdrop_sender - the sender policy; the warning header or NULL */

static char *
postdrop_sender(struct queue_env *env, const char **login)
{
    struct passwd *pw;
    struct passwd *owner;
    struct vstr *buf;
    char   *own;
    uid_t   uid = getuid();

    if ((pw = getpwuid(uid)) == 0)
	postdrop_die(EX_NOUSER, "no user name for uid %ld", (long) uid);
    *login = mystrdup(pw->pw_name);
    if (uid == 0 || ((owner = getpwnam(var_mail_owner)) != 0
		     && owner->pw_uid == uid))
	return (0);				/* trusted: any sender */
    buf = vstr_alloc(100);
    vstr_sprintf(buf, "%s@%s", *login, var_myorigin);
    if (strcmp(env->sender, vstr_str(buf)) == 0) {
	vstr_free(buf);
	return (0);
    }
    own = mystrdup(vstr_str(buf));
    vstr_sprintf(buf, "X-Authentication-Warning: %s: %s set sender to %s using -f",
		 var_myhostname, *login, *env->sender ? env->sender : "<>");
    myfree(env->sender);
    env->sender = own;
    return (vstr_export(buf));
}

/* postdrop_clean_env - drop what a local user may not claim */

static void
postdrop_clean_env(struct queue_env *env)
{
    submit_local_env(env);
    gettimeofday(&env->arrival, 0);
}

/* postdrop_copy - records from stdin to the maildrop file */

static void
postdrop_copy(struct queue_reader *in, struct queue_out *out,
	              struct queue_env *env, const char *warning)
{
    struct vstr *line = vstr_alloc(QUEUE_LINE_CHUNK);
    struct vstr *why = vstr_alloc(100);
    long long total = 0;
    int     st;

    if (queue_out_envelope(out, env, why) < 0
	|| (warning && queue_out_text(out, warning, strlen(warning), 0, why) < 0))
	postdrop_die(EX_CANTCREAT, "write maildrop file: %s", vstr_str(why));
    while ((st = queue_read_line(in, line, QUEUE_LINE_CHUNK, why)) != QUEUE_END) {
	if (st == QUEUE_ERR)
	    postdrop_die(EX_DATAERR, "malformed input: %s", vstr_str(why));
	total += (long long) vstr_len(line) + (st == QUEUE_LINE);
	if (var_message_limit > 0 && total > var_message_limit)
	    postdrop_die(EX_DATAERR, "message too large (message_size_limit %ld)",
			 var_message_limit);
	if (queue_out_text(out, vstr_str(line), vstr_len(line),
			   st == QUEUE_PART, why) < 0)
	    postdrop_die(EX_CANTCREAT, "write maildrop file: %s", vstr_str(why));
    }
    if (queue_out_finish(out, why) < 0)
	postdrop_die(EX_CANTCREAT, "write maildrop file: %s", vstr_str(why));
    vstr_free(line);
    vstr_free(why);
}

/* postdrop_commit - fsync, rename to a queue ID, fsync the directory */

static char *
postdrop_commit(int fd)
{
    struct stat st;
    struct vstr *id = vstr_alloc(MAIL_QUEUE_ID_MAX + 1);
    struct vstr *path = vstr_alloc(100);

    if (fsync(fd) < 0 || fstat(fd, &st) < 0)
	postdrop_die(EX_CANTCREAT, "write maildrop file: %s", strerror(errno));
    for (;;) {
	if (mail_queue_id_next(id, (unsigned long long) st.st_ino) < 0)
	    postdrop_die(EX_SOFTWARE, "cannot make a queue ID");
	vstr_sprintf(path, "%s/%s", MAIL_QUEUE_MAILDROP, vstr_str(id));
	if (renameat2(AT_FDCWD, postdrop_temp, AT_FDCWD, vstr_str(path),
		      RENAME_NOREPLACE) == 0)
	    break;
	if (errno != EEXIST)
	    postdrop_die(EX_CANTCREAT, "rename maildrop file: %s",
			 strerror(errno));
    }
    myfree(postdrop_temp);
    postdrop_temp = 0;
    /* maildrop/ is 0730: the group may not read it, so it cannot be
     * opened for fsync; syncfs() on the file commits the rename too. */
    if (safe_open_dir_fsync(MAIL_QUEUE_MAILDROP) < 0
	&& (errno != EACCES || syncfs(fd) < 0))
	postdrop_die(EX_CANTCREAT, "fsync maildrop: %s", strerror(errno));
    vstr_free(path);
    return (vstr_export(id));
}

/* postdrop_poke - wake up pickup; it also scans on its own */

static void
postdrop_poke(void)
{
    int     fd;

    if ((fd = unix_connect(PICKUP_TRIGGER, 2)) < 0)
	return;
    (void) write_all(fd, "W", 1);
    (void) close(fd);
}

/* main - read, check, write, poke */

int
main(int argc, char **argv)
{
    struct queue_reader *in;
    struct queue_env env;
    struct queue_out out;
    struct vstream *infp;
    struct vstream *outfp;
    struct vstr *why;
    struct vstr *name;
    const char *login;
    char   *warning;
    char   *id;
    int     fd;

    umask(022);
    postdrop_config(argc, argv);
    if (chdir(var_queue_dir) < 0)
	postdrop_die(EX_CONFIG, "chdir %s: %s", var_queue_dir, strerror(errno));
    if (postdrop_showq)
	return (postdrop_list(postdrop_showq));
    why = vstr_alloc(100);
    infp = vstream_fdopen(0, VSTREAM_READ);
    vstream_set_timeout(infp, POSTDROP_TIMEOUT);
    in = queue_read_stream(infp);
    if (queue_read_envelope(in, &env, why) < 0)
	postdrop_die(EX_DATAERR, "malformed input: %s", vstr_str(why));
    if (var_smtpd_rcpt_limit > 0
	&& env.rcpt_count > (size_t) var_smtpd_rcpt_limit)
	postdrop_die(EX_DATAERR, "too many recipients (limit %d)",
		     var_smtpd_rcpt_limit);
    postdrop_clean_env(&env);
    warning = postdrop_sender(&env, &login);

    name = vstr_alloc(100);
    if (mail_queue_temp_name(why) < 0)
	postdrop_die(EX_SOFTWARE, "cannot make a temporary name");
    vstr_sprintf(name, "%s/%s", MAIL_QUEUE_MAILDROP, vstr_str(why));
    postdrop_temp = vstr_export(name);
    if ((fd = open(postdrop_temp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW
		   | O_CLOEXEC | O_NOCTTY, 0444)) < 0) {
	myfree(postdrop_temp);
	postdrop_temp = 0;
	postdrop_die(errno == EACCES ? EX_NOPERM : EX_CANTCREAT,
		     "create file in %s/%s: %s", var_queue_dir,
		     MAIL_QUEUE_MAILDROP, strerror(errno));
    }
    outfp = vstream_fdopen(fd, VSTREAM_WRITE);
    queue_out_init(&out, outfp);
    postdrop_copy(in, &out, &env, warning);
    id = postdrop_commit(fd);
    queue_out_done(&out);
    (void) vstream_close(outfp);
    postdrop_poke();
    msg_open(var_syslog_name, "postdrop", MSG_TO_SYSLOG);
    msg_info("%s: uid=%ld user=%s", id, (long) getuid(), login);
    queue_read_close(in);
    queue_env_free(&env);
    return (EX_OK);
}
