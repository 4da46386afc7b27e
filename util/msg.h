/*
 * msg.h - diagnostics with five levels of fixed meaning.
 *
 * SYNOPSIS
 *	void	msg_open(const char *syslog_name, const char *service, int flags);
 *	void	msg_set_flags(int flags);
 *	int	msg_set_maillog(const char *path);
 *	void	msg_set_hostname(const char *host);
 *	void	msg_info(const char *fmt, ...);
 *	void	msg_warn(const char *fmt, ...);
 *	void	msg_error(const char *fmt, ...);
 *	NORETURN msg_fatal(const char *fmt, ...);
 *	NORETURN msg_panic(const char *fmt, ...);
 *	size_t	msg_format_line(char *buf, size_t size, time_t when,
 *			const char *host, const char *ident, long pid,
 *			const char *text);
 *
 * DESCRIPTION
 *	msg_info: a normal event. msg_warn: odd input, carry on. msg_error:
 *	counted; after MSG_ERROR_LIMIT errors the process exits as with
 *	msg_fatal. msg_fatal: bad environment or configuration; runs the
 *	cleanup hook and exits with status 1. msg_panic: a bug of ours; the
 *	text starts with the function name and the process aborts.
 *
 *	msg_open() names the process (ident "syslog_name/service") and picks
 *	the outputs: MSG_TO_SYSLOG (facility mail, opened at once so that
 *	it survives chroot; skipped when /dev/log is not a socket, so a
 *	machine without syslogd costs nothing per line), MSG_TO_STDERR ("ident: level: text").
 *	msg_set_maillog() adds the maillog_file output; the file is opened
 *	now (append, no symlinks, must be a regular file; a FIFO cannot
 *	block it) and kept open, so it works after chroot.
 *
 *	Every line written to maillog_file has the format of SPEC section 9:
 *	"Mmm dd HH:MM:SS HOST ident[PID]: text". msg_format_line() builds
 *	such a line (with newline) for the given time; it is exposed for tests.
 *
 * SECURITY
 *	Control characters in the text (newline, CR, escape, ...) are
 *	replaced by '?' so that data from the network cannot forge log
 *	lines. A line is cut at MSG_LINE_MAX bytes. No memory is allocated
 *	while logging, so out-of-memory can be reported.
 */
#ifndef MSG_H
#define MSG_H

#include <stddef.h>
#include <time.h>
#include <stdarg.h>

#include "sys_defs.h"

#define MSG_TO_SYSLOG	(1<<0)
#define MSG_TO_STDERR	(1<<1)

#define MSG_LINE_MAX	4096
#define MSG_ERROR_LIMIT	13

extern void msg_open(const char *, const char *, int);
extern void msg_set_flags(int);
extern int msg_set_maillog(const char *);
extern void msg_set_hostname(const char *);
extern const char *msg_ident(void);
extern void msg_cleanup(void (*)(void));

extern void PRINTFLIKE(1, 2) msg_info(const char *, ...);
extern void PRINTFLIKE(1, 2) msg_warn(const char *, ...);
extern void PRINTFLIKE(1, 2) msg_error(const char *, ...);
extern NORETURN PRINTFLIKE(1, 2) msg_fatal(const char *, ...);
extern NORETURN PRINTFLIKE(1, 2) msg_panic(const char *, ...);
extern void msg_vinfo(const char *, va_list);

extern size_t msg_format_line(char *, size_t, time_t, const char *,
			              const char *, long, const char *);

#endif
