/*
 * test_msg.c - msg_format_line() against the SPEC section 9 line format,
 * truncation, the maillog_file output (ident, pid, control characters
 * neutralised), and the exits of msg_fatal, msg_panic and msg_error.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "msg.h"

static void
set_utc(void)
{
    cr_assert_eq(setenv("TZ", "UTC", 1), 0);
    tzset();
}

Test(msg_format_line, exact_format)
{
    char    buf[512];
    size_t  len;
    const char *want = "Nov 14 22:13:20 mx1 postern/smtpd[4242]: "
	"4Xy7Z: client=mail.example[192.0.2.1]\n";

    set_utc();
    len = msg_format_line(buf, sizeof(buf), (time_t) 1700000000, "mx1",
			  "postern/smtpd", 4242L,
			  "4Xy7Z: client=mail.example[192.0.2.1]");
    cr_assert_str_eq(buf, want);
    cr_assert_eq(len, strlen(want));
}

Test(msg_format_line, day_is_two_digits)
{
    char    buf[256];

    set_utc();
    (void) msg_format_line(buf, sizeof(buf), (time_t) 1704157261, "h",
			   "postern/qmgr", 1L, "x");
    cr_assert_str_eq(buf, "Jan 02 01:01:01 h postern/qmgr[1]: x\n");
}

Test(msg_format_line, truncation_keeps_newline)
{
    char    buf[40];
    char    text[200];
    size_t  len;

    set_utc();
    memset(text, 'A', sizeof(text) - 1);
    text[sizeof(text) - 1] = 0;
    memset(buf, 'Z', sizeof(buf));
    len = msg_format_line(buf, sizeof(buf), (time_t) 1700000000, "mx1",
			  "postern/smtpd", 4242L, text);
    cr_assert_eq(len, sizeof(buf) - 1);
    cr_assert_eq(strlen(buf), len);
    cr_assert_eq(buf[len - 1], '\n');
    cr_assert_eq(strncmp(buf, "Nov 14 22:13:20 mx1 postern/smtpd[4242]: A", len - 1), 0,
		 "got \"%s\"", buf);
}

Test(msg_format_line, tiny_buffers)
{
    char    buf[2] = {'Z', 'Z'};

    cr_assert_eq(msg_format_line(buf, 0, (time_t) 0, "h", "i", 1L, "t"), 0);
    cr_assert_eq(buf[0], 'Z', "wrote into a zero-size buffer");
    cr_assert_eq(msg_format_line(buf, 1, (time_t) 0, "h", "i", 1L, "t"), 0);
    cr_assert_eq(buf[0], 0);
    cr_assert_eq(msg_format_line(buf, 2, (time_t) 0, "h", "i", 1L, "t"), 1);
    cr_assert_str_eq(buf, "\n");
}

/* read_all - slurp a small file into buf, NUL-terminated */

static size_t
read_all(const char *path, char *buf, size_t size)
{
    size_t  len = 0;
    ssize_t n;
    int     fd = open(path, O_RDONLY);

    cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
    while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
	len += (size_t) n;
    close(fd);
    buf[len] = 0;
    return (len);
}

/* maillog_setup - fresh temp dir, ident postern/smtpd, no stderr output */

static char logdir[] = "/tmp/test_msg.XXXXXX";
static char logpath[300];

static void
maillog_setup(void)
{
    cr_assert_not_null(mkdtemp(logdir));
    snprintf(logpath, sizeof(logpath), "%s/maillog", logdir);
    msg_open("postern", "smtpd", 0);
    msg_set_hostname("mx1");
    cr_assert_eq(msg_set_maillog(logpath), 0, "msg_set_maillog: %s", strerror(errno));
}

static void
maillog_teardown(void)
{
    (void) msg_set_maillog(NULL);
    (void) unlink(logpath);
    snprintf(logpath, sizeof(logpath), "%s/link", logdir);
    (void) unlink(logpath);
    (void) rmdir(logdir);
}

TestSuite(maillog, .init = maillog_setup, .fini = maillog_teardown);

Test(maillog, line_has_ident_pid_and_text)
{
    char    buf[8192];
    char    pattern[256];
    regex_t re;

    msg_info("ABC123: removed");
    msg_warn("odd input from %s", "client");
    (void) read_all(logpath, buf, sizeof(buf));
    snprintf(pattern, sizeof(pattern),
	     "^[A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} mx1 "
	     "postern/smtpd\\[%ld\\]: ABC123: removed\n"
	     "[A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} mx1 "
	     "postern/smtpd\\[%ld\\]: warning: odd input from client\n$",
	     (long) getpid(), (long) getpid());
    cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    cr_assert_eq(regexec(&re, buf, 0, NULL, 0), 0, "maillog: \"%s\"", buf);
    regfree(&re);
}

Test(maillog, control_characters_replaced)
{
    char    buf[8192];
    char   *text;

    msg_info("to=<a@b>\r\nNov 14 22:13:20 mx1 postern/smtpd[1]: forged\x1b[31m\x7f\t.");
    (void) read_all(logpath, buf, sizeof(buf));
    cr_assert_eq(strchr(buf, '\n'), buf + strlen(buf) - 1, "more than one line: \"%s\"", buf);
    cr_assert_eq(strchr(buf, '\r'), NULL);
    cr_assert_eq(strchr(buf, '\x1b'), NULL);
    text = strstr(buf, "]: ");
    cr_assert_not_null(text);
    cr_assert_str_eq(text + 3, "to=<a@b>??Nov 14 22:13:20 mx1 postern/smtpd[1]: "
		     "forged?[31m??.\n");
}

Test(maillog, long_text_is_cut_with_newline)
{
    char    buf[3 * MSG_LINE_MAX];
    char   *big = malloc(3 * MSG_LINE_MAX);
    size_t  len;

    cr_assert_not_null(big);
    memset(big, 'x', 3 * MSG_LINE_MAX - 1);
    big[3 * MSG_LINE_MAX - 1] = 0;
    msg_info("%s", big);
    msg_info("next");
    free(big);
    len = read_all(logpath, buf, sizeof(buf));
    cr_assert_lt(len, (size_t) (2 * MSG_LINE_MAX));
    cr_assert_neq(strstr(buf, "xxx\n"), NULL);
    cr_assert_neq(strstr(buf, "]: next\n"), NULL);
}

Test(maillog, symlink_refused)
{
    char    link[300];

    snprintf(link, sizeof(link), "%s/link", logdir);
    cr_assert_eq(symlink("/etc/passwd", link), 0);
    cr_assert_eq(msg_set_maillog(link), -1);
}

Test(maillog, fifo_or_directory_refused_without_blocking, .timeout = 5)
{
    char    path[300];

    snprintf(path, sizeof(path), "%s/link", logdir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_eq(msg_set_maillog(path), -1);
    cr_assert_eq(msg_set_maillog(logdir), -1);
}

Test(maillog, descriptor_is_blocking_append)
{
    struct stat want;
    struct stat st;
    int     fd;
    int     fl;

    cr_assert_eq(stat(logpath, &want), 0);
    for (fd = 3; fd < 1024; fd++)
	if (fstat(fd, &st) == 0 && st.st_ino == want.st_ino
	    && st.st_dev == want.st_dev)
	    break;
    cr_assert_lt(fd, 1024, "maillog descriptor not found");
    fl = fcntl(fd, F_GETFL);
    cr_assert(fl & O_APPEND);
    cr_assert_eq(fl & O_NONBLOCK, 0);
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

Test(msg, fatal_exits_1, .exit_code = 1)
{
    msg_open("postern", "test", 0);
    msg_fatal("cannot continue");
}

Test(msg, panic_aborts, .signal = SIGABRT)
{
    msg_open("postern", "test", 0);
    msg_panic("test_panic: bug");
}

Test(msg, twelve_errors_do_not_exit)
{
    int     i;

    msg_open("postern", "test", 0);
    for (i = 0; i < MSG_ERROR_LIMIT - 1; i++)
	msg_error("error %d", i);
}

Test(msg, thirteen_errors_exit, .exit_code = 1)
{
    int     i;

    msg_open("postern", "test", 0);
    for (i = 0; i < MSG_ERROR_LIMIT; i++)
	msg_error("error %d", i);
    cr_assert_fail("still running after %d errors", MSG_ERROR_LIMIT);
}

static void
cleanup_hook(void)
{
    if (write(2, "cleanup\n", 8) != 8)
	_exit(3);				/* the test then sees no marker */
}

Test(msg, fatal_stderr_and_cleanup_hook)
{
    int     pfd[2];
    pid_t   pid;
    int     status;
    char    buf[512];
    size_t  len = 0;
    ssize_t n;

    cr_assert_eq(pipe(pfd), 0);
    if ((pid = fork()) == 0) {
	(void) dup2(pfd[1], 2);
	msg_open("postern", "test", MSG_TO_STDERR);
	msg_cleanup(cleanup_hook);
	msg_info("hello\x01");
	msg_fatal("bad %s", "config");
    }
    cr_assert_gt(pid, 0);
    close(pfd[1]);
    while (len < sizeof(buf) - 1 && (n = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
	len += (size_t) n;
    buf[len] = 0;
    close(pfd[0]);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %#x", status);
    cr_assert_str_eq(buf, "postern/test: hello?\npostern/test: fatal: bad config\ncleanup\n");
}
