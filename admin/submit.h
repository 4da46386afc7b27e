/*
 * submit.h - shared code of local submission: postern-sendmail's
 *	command line and its header recipient extraction (-t).
 *
 * SYNOPSIS
 *	#include "submit.h"
 *
 *	int	submit_parse_args(int argc, char **argv,
 *			struct submit_opts *opts, struct vstr *why);
 *	void	submit_opts_free(struct submit_opts *opts);
 *	int	submit_notify_parse(const char *text);
 *	int	submit_hdr_rcpts(const char *value, size_t len,
 *			struct argv *out, size_t max);
 *
 *	int	submit_drop(const struct submit_msg *msg,
 *			const char *config_dir, struct vstr *why);
 *	int	submit_smtp(struct vstream *in, struct vstream *out,
 *			const struct submit_msg *proto,
 *			const char *config_dir);
 *	void	submit_drop_path(struct vstr *path);
 *	void	submit_prog_path(struct vstr *path, const char *name);
 *
 *	void	submit_local_env(struct queue_env *env);
 *
 * DESCRIPTION
 *	submit_parse_args() parses sendmail's command line (argv[0]
 *	"mailq" or "newaliases" selects those modes) into opts: the mode,
 *	-t, -f/-r, -F, -i/-oi, -N, -R, -V, -C, and the recipients left
 *	after the options. Flags that postern does not implement are
 *	ignored; each gives one line in opts->warnings. The strings in
 *	opts point into argv (argv must outlive opts).
 *	submit_opts_free() releases opts->rcpts and opts->warnings.
 *
 *	submit_notify_parse() converts a DSN NOTIFY list ("never" or a
 *	comma list of success, failure, delay) to QUEUE_NOTIFY_* bits.
 *
 *	submit_hdr_rcpts() extracts the addresses of one RFC 5322
 *	address-list header value (To:, Cc:, Bcc:): comments, quoted
 *	strings, display names, <angle> addresses, groups and folded
 *	lines are understood; the addresses are appended to out.
 *
 *	submit_drop() writes msg as a queue-file record stream (envelope,
 *	then the content: lines separated by "\n") into a pipe to
 *	postern-postdrop (from the directory of this program, else
 *	command_directory), run with execve() and an environment that holds
 *	only POSTERN_CONFIG (when config_dir is not NULL).
 *
 *	submit_prog_path() puts into path the program name from the
 *	directory of the running program when it is executable there, else
 *	from command_directory; submit_drop_path() does so for
 *	postern-postdrop.
 *
 *	submit_local_env() removes from env what a local user may not
 *	claim (client name and address, HELO, SASL login) and sets the
 *	protocol to "local" (postern-postdrop and pickup).
 *
 *	submit_smtp() is sendmail -bs: a small SMTP server on in/out
 *	(HELO EHLO MAIL RCPT DATA RSET NOOP VRFY QUIT) that hands each
 *	message to submit_drop(); proto gives the DSN defaults.
 *
 * DIAGNOSTICS
 *	submit_parse_args() returns 0, or -1 with a reason in why (a bad
 *	value for -N/-R/-V, a missing option argument). submit_notify_parse()
 *	returns -1 for a bad list. submit_hdr_rcpts() returns how many
 *	addresses it added, or -1 when out would get more than max
 *	entries, when an address is longer than QUEUE_ADDR_MAX, or when
 *	the value has a control character other than folding white space
 *	(NUL, ESC, ...: such a header is refused, not silently cut).
 *	submit_drop() returns EX_OK, or a sysexits.h code with a one-line
 *	reason in why. submit_smtp() returns EX_OK or EX_IOERR.
 *
 * SECURITY
 *	Everything here is caller-supplied text (a local user's command
 *	line or message): lengths are bounded, nothing is trusted. The
 *	decision about the sender belongs to postern-postdrop.
 */
#ifndef SUBMIT_H
#define SUBMIT_H

#include <stddef.h>

#include "argv.h"
#include "vstr.h"
#include "vstream.h"

#define SUBMIT_MODE_SEND	0	/* deliver a message (default) */
#define SUBMIT_MODE_SMTP	1	/* -bs */
#define SUBMIT_MODE_MAILQ	2	/* -bp, mailq */
#define SUBMIT_MODE_ALIASES	3	/* -bi, newaliases */
#define SUBMIT_MODE_FLUSH	4	/* -q */

struct submit_opts {
    int     mode;			/* SUBMIT_MODE_* */
    int     extract;			/* -t */
    int     ignore_dots;		/* -i, -oi */
    const char *sender;			/* -f, -r, or NULL */
    const char *fullname;		/* -F or NULL */
    int     notify;			/* -N: QUEUE_NOTIFY_* or 0 */
    int     ret;			/* -R: QUEUE_RET_* or 0 */
    const char *envid;			/* -V or NULL */
    const char *config_dir;		/* -C or NULL */
    struct argv *rcpts;			/* command-line recipients */
    struct argv *warnings;		/* one line per ignored flag */
};

extern int submit_parse_args(int, char **, struct submit_opts *,
			             struct vstr *);
extern void submit_opts_free(struct submit_opts *);
extern int submit_notify_parse(const char *);
extern int submit_hdr_rcpts(const char *, size_t, struct argv *, size_t);

struct submit_msg {
    const char *sender;			/* "" for the null sender */
    struct argv *rcpts;
    int     notify;			/* QUEUE_NOTIFY_* or 0 */
    int     ret;			/* QUEUE_RET_* or 0 */
    const char *envid;			/* or NULL */
    struct vstr *content;		/* lines, "\n" between */
};

extern int submit_drop(const struct submit_msg *, const char *, struct vstr *);
extern int submit_smtp(struct vstream *, struct vstream *,
		               const struct submit_msg *, const char *);

extern void submit_drop_path(struct vstr *);
extern void submit_prog_path(struct vstr *, const char *);

struct queue_env;
extern void submit_local_env(struct queue_env *);

#endif
