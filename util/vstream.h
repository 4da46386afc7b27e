/*
 * vstream.h - buffered I/O on a file descriptor, with per-operation
 * deadlines and bounded lines.
 *
 * SYNOPSIS
 *	struct vstream *vstream_fdopen(int fd, int flags);
 *	int	vstream_close(struct vstream *sp);
 *	void	vstream_free(struct vstream *sp);
 *	int	vstream_fd(struct vstream *sp);
 *	void	vstream_set_timeout(struct vstream *sp, int seconds);
 *	void	vstream_set_io(struct vstream *sp, vstream_rw_fn rd,
 *			vstream_rw_fn wr, void *ctx);
 *
 *	int	vstream_read_line(struct vstream *sp, struct vstr *line,
 *			size_t maxlen);
 *	int	vstream_skip_line(struct vstream *sp);
 *	int	vstream_read_exact(struct vstream *sp, void *buf, size_t n);
 *	int	vstream_read_vstr(struct vstream *sp, struct vstr *out, size_t n);
 *	int	vstream_getc(struct vstream *sp);
 *	size_t	vstream_pending(struct vstream *sp);
 *	size_t	vstream_discard_pending(struct vstream *sp);
 *
 *	int	vstream_write(struct vstream *sp, const void *buf, size_t n);
 *	int	vstream_puts(struct vstream *sp, const char *s);
 *	int	vstream_printf(struct vstream *sp, const char *fmt, ...);
 *	int	vstream_flush(struct vstream *sp);
 *	int	vstream_error(struct vstream *sp);
 *	int	write_all(int fd, const void *buf, size_t n);
 *
 *	struct vstream *vstream_memopen(const void *buf, size_t len);
 *	struct vstream *vstream_vstropen(struct vstr *out);
 *
 * DESCRIPTION
 *	flags: VSTREAM_READ and/or VSTREAM_WRITE. The fd may be blocking or
 *	not; waiting is done with poll().
 *
 *	vstream_set_timeout() sets a per-operation deadline: each call of
 *	read_line, read_exact, read_vstr, getc or flush must complete within
 *	that many seconds in total, however the peer trickles bytes (a
 *	client sending a byte a second is cut off). 0 means no deadline.
 *	A deadline puts the descriptor in non-blocking mode (it is shared
 *	with whoever else holds the descriptor).
 *
 *	vstream_read_line() replaces line with the next line INCLUDING its
 *	"\n" (so the caller can see "\r\n" versus a bare "\n"). When maxlen
 *	bytes arrive without a newline it returns VSTREAM_TOOLONG with those
 *	maxlen bytes in line; the rest of the line stays in the stream
 *	(vstream_skip_line() discards through the next newline). At end of
 *	file with a partial line, that partial line is returned with
 *	VSTREAM_OK and the next call returns VSTREAM_EOF.
 *
 *	vstream_read_exact() and vstream_read_vstr() (appends) read exactly
 *	n bytes or fail. vstream_getc() returns a byte (0..255) or a
 *	negative VSTREAM_ status.
 *
 *	vstream_pending() tells how many input bytes are already buffered
 *	(SMTP pipelining and STARTTLS checks); vstream_discard_pending()
 *	drops them and says how many.
 *
 *	Output is buffered until vstream_flush(), or until the buffer is
 *	full; every write is a write-all (short writes are retried). After
 *	an error or timeout that direction stays failed: a read timeout
 *	still lets a final reply be written. vstream_error() reports the
 *	read status, else the write status.
 *
 *	vstream_set_io() replaces the raw read/write functions (used for
 *	TLS); a function returns like read(2)/write(2), and may return -1
 *	with errno EAGAIN to ask for a poll() on the fd.
 *
 *	vstream_close() flushes, closes the fd and frees; it returns the
 *	flush status. vstream_free() frees without closing the fd.
 *
 *	vstream_memopen() reads from a caller-owned memory buffer (tests,
 *	fuzzing); vstream_vstropen() appends every flushed byte to a
 *	caller-owned vstr. Both have vstream_fd() == -1.
 *
 *	Reads never flush pending output: a caller that writes a request
 *	and then reads the reply calls vstream_flush() first.
 *
 *	write_all() writes n bytes to a raw fd, retrying short writes and
 *	EINTR; 0 on success, -1 with errno on error.
 *
 * DIAGNOSTICS
 *	VSTREAM_OK (0), VSTREAM_EOF, VSTREAM_TIMEOUT, VSTREAM_ERR,
 *	VSTREAM_TOOLONG: all but VSTREAM_OK are negative.
 */
#ifndef VSTREAM_H
#define VSTREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "sys_defs.h"
#include "vstr.h"

#define VSTREAM_READ	(1<<0)
#define VSTREAM_WRITE	(1<<1)

#define VSTREAM_OK	0
#define VSTREAM_EOF	(-1)
#define VSTREAM_TIMEOUT	(-2)
#define VSTREAM_ERR	(-3)
#define VSTREAM_TOOLONG	(-4)

#define VSTREAM_BUFSIZE	16384

struct vstream;
typedef ssize_t (*vstream_rw_fn) (int fd, void *buf, size_t len, void *ctx);

extern struct vstream *vstream_fdopen(int, int);
extern int vstream_close(struct vstream *);
extern void vstream_free(struct vstream *);
extern int vstream_fd(struct vstream *);
extern void vstream_set_timeout(struct vstream *, int);
extern void vstream_set_io(struct vstream *, vstream_rw_fn, vstream_rw_fn, void *);

extern int vstream_read_line(struct vstream *, struct vstr *, size_t);
extern int vstream_skip_line(struct vstream *);
extern int vstream_read_exact(struct vstream *, void *, size_t);
extern int vstream_read_vstr(struct vstream *, struct vstr *, size_t);
extern int vstream_getc(struct vstream *);
extern size_t vstream_pending(struct vstream *);
extern size_t vstream_discard_pending(struct vstream *);

extern int vstream_write(struct vstream *, const void *, size_t);
extern int vstream_puts(struct vstream *, const char *);
extern int PRINTFLIKE(2, 3) vstream_printf(struct vstream *, const char *, ...);
extern int vstream_flush(struct vstream *);
extern int vstream_error(struct vstream *);

extern int write_all(int, const void *, size_t);
extern struct vstream *vstream_memopen(const void *, size_t);
extern struct vstream *vstream_vstropen(struct vstr *);

#endif
