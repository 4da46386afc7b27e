/*
 * msg.c - the five log levels and their outputs (syslog, stderr,
 * maillog_file in the SPEC section 9 line format).
 *
 * Formatting uses fixed stack buffers so that logging works when memory
 * is exhausted and never recurses into the allocator.
 *
 * syslog is used only when /dev/log is a socket when it is opened
 * (msg_open, msg_set_flags): on a machine without a syslog daemon every
 * syslog(3) call would otherwise pay a failed socket/connect/close, and
 * the lines go to maillog_file or stderr anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>
#include <syslog.h>
#include <paths.h>

#include "msg.h"

static char msg_ident_buf[256] = "postern";
static char msg_host[256] = "";
static int msg_flags = MSG_TO_STDERR;
static int msg_log_fd = -1;
static int msg_syslog_on;		/* syslog wanted and /dev/log there */
static int msg_error_count;
static int msg_exiting;
static void (*msg_cleanup_fn)(void);

#define LEVEL_INFO	0
#define LEVEL_WARN	1
#define LEVEL_ERROR	2
#define LEVEL_FATAL	3
#define LEVEL_PANIC	4

static const char *msg_level_prefix[] = {"", "warning: ", "error: ", "fatal: ", "panic: "};
static const int msg_level_prio[] = {LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT, LOG_CRIT};

/* msg_syslog_open - openlog() if there is a syslog socket to talk to */

static void
msg_syslog_open(void)
{
    struct stat st;

    msg_syslog_on = (stat(_PATH_LOG, &st) == 0 && S_ISSOCK(st.st_mode));
    if (msg_syslog_on)
	openlog(msg_ident_buf, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* msg_syslog_close - closelog() if it was opened */

static void
msg_syslog_close(void)
{
    if (msg_syslog_on)
	closelog();
    msg_syslog_on = 0;
}

/* msg_open - name this process and choose outputs */

void
msg_open(const char *syslog_name, const char *service, int flags)
{
    if (service && *service)
	snprintf(msg_ident_buf, sizeof(msg_ident_buf), "%s/%s", syslog_name, service);
    else
	snprintf(msg_ident_buf, sizeof(msg_ident_buf), "%s", syslog_name);
    msg_syslog_close();
    msg_flags = flags;
    if (flags & MSG_TO_SYSLOG)
	msg_syslog_open();
    if (msg_host[0] == 0 && gethostname(msg_host, sizeof(msg_host) - 1) < 0)
	snprintf(msg_host, sizeof(msg_host), "localhost");
}

/* msg_set_flags - change outputs without renaming */

void
msg_set_flags(int flags)
{
    if ((flags & MSG_TO_SYSLOG) && !(msg_flags & MSG_TO_SYSLOG))
	msg_syslog_open();
    if (!(flags & MSG_TO_SYSLOG) && (msg_flags & MSG_TO_SYSLOG))
	msg_syslog_close();
    msg_flags = flags;
}

/* msg_ident - the "syslog_name/service" string */

const char *
msg_ident(void)
{
    return (msg_ident_buf);
}

/* msg_set_hostname - host name shown in maillog_file lines */

void
msg_set_hostname(const char *host)
{
    snprintf(msg_host, sizeof(msg_host), "%s", host);
}

/* msg_set_maillog - open (or with NULL/"" close) the maillog_file */

int
msg_set_maillog(const char *path)
{
    struct stat st;
    int     saved_errno;
    int     fd;

    if (msg_log_fd >= 0) {
	(void) close(msg_log_fd);
	msg_log_fd = -1;
    }
    if (path == NULL || *path == 0)
	return (0);
    /* O_NONBLOCK: a FIFO planted at the path must not hang us. */
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC
	      | O_NOCTTY | O_NONBLOCK, 0644);
    if (fd < 0)
	return (-1);
    if (fstat(fd, &st) < 0)
	saved_errno = errno;
    else if (!S_ISREG(st.st_mode))
	saved_errno = EINVAL;
    else if (fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) < 0)
	saved_errno = errno;
    else
	saved_errno = 0;
    if (saved_errno != 0) {
	(void) close(fd);
	errno = saved_errno;
	return (-1);
    }
    msg_log_fd = fd;
    return (0);
}

/* msg_cleanup - hook run once before a fatal exit */

void
msg_cleanup(void (*fn)(void))
{
    msg_cleanup_fn = fn;
}

/* msg_sanitize - replace control characters in place */

static void
msg_sanitize(char *text)
{
    unsigned char *cp;

    for (cp = (unsigned char *) text; *cp; cp++)
	if (*cp < 0x20 || *cp == 0x7f)
	    *cp = '?';
}

/* msg_format_line - build one maillog_file line, newline-terminated */

size_t
msg_format_line(char *buf, size_t size, time_t when, const char *host,
		        const char *ident, long pid, const char *text)
{
    struct tm tm;
    char    stamp[32];
    int     len;

    if (size == 0)
	return (0);
    if (localtime_r(&when, &tm) == NULL
	|| strftime(stamp, sizeof(stamp), "%b %d %H:%M:%S", &tm) == 0)
	snprintf(stamp, sizeof(stamp), "Jan 01 00:00:00");
    len = snprintf(buf, size, "%s %s %s[%ld]: %s\n", stamp, host, ident, pid, text);
    if (len < 0) {
	buf[0] = 0;
	return (0);
    }
    if ((size_t) len >= size) {			/* truncated: keep the newline */
	if (size >= 2) {
	    buf[size - 2] = '\n';
	    buf[size - 1] = 0;
	}
	return (size - 1);
    }
    return ((size_t) len);
}

/* msg_write_all - write a whole buffer, retrying short writes */

static void
msg_write_all(int fd, const char *buf, size_t len)
{
    ssize_t n;

    while (len > 0) {
	n = write(fd, buf, len);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    return;
	buf += n;
	len -= (size_t) n;
    }
}

/* msg_vprintf - format once, send to each output */

static void
msg_vprintf(int level, const char *fmt, va_list ap)
{
    char    text[MSG_LINE_MAX];
    char    line[MSG_LINE_MAX + 512];
    int     saved_errno = errno;
    size_t  len;

    len = strlen(msg_level_prefix[level]);
    memcpy(text, msg_level_prefix[level], len);
    vsnprintf(text + len, sizeof(text) - len, fmt, ap);
    msg_sanitize(text);

    if ((msg_flags & MSG_TO_SYSLOG) && msg_syslog_on)
	syslog(msg_level_prio[level], "%s", text);
    if (msg_log_fd >= 0) {
	len = msg_format_line(line, sizeof(line), time((time_t *) 0),
			      msg_host, msg_ident_buf, (long) getpid(), text);
	msg_write_all(msg_log_fd, line, len);
    }
    if (msg_flags & MSG_TO_STDERR) {
	len = (size_t) snprintf(line, sizeof(line), "%s: %s\n", msg_ident_buf, text);
	if (len >= sizeof(line))
	    len = sizeof(line) - 1;
	msg_write_all(2, line, len);
    }
    errno = saved_errno;
}

/* msg_exit - run the cleanup hook once, then leave */

static NORETURN
msg_exit(int level)
{
    if (!msg_exiting) {
	msg_exiting = 1;
	if (msg_cleanup_fn)
	    msg_cleanup_fn();
    }
    if (level == LEVEL_PANIC)
	abort();
    exit(1);
}

void
msg_vinfo(const char *fmt, va_list ap)
{
    msg_vprintf(LEVEL_INFO, fmt, ap);
}

void
msg_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(LEVEL_INFO, fmt, ap);
    va_end(ap);
}

void
msg_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(LEVEL_WARN, fmt, ap);
    va_end(ap);
}

void
msg_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(LEVEL_ERROR, fmt, ap);
    va_end(ap);
    if (++msg_error_count >= MSG_ERROR_LIMIT) {
	msg_fatal("too many errors - program terminated");
    }
}

void
msg_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(LEVEL_FATAL, fmt, ap);
    va_end(ap);
    msg_exit(LEVEL_FATAL);
}

void
msg_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(LEVEL_PANIC, fmt, ap);
    va_end(ap);
    msg_exit(LEVEL_PANIC);
}
