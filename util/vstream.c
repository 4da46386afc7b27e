/*
 * vstream.c - buffered I/O on a file descriptor with per-operation
 * deadlines and bounded line reads (see vstream.h).
 *
 * Each public read or flush computes one deadline when it starts; every
 * wait inside it polls only for the time that is left, so a peer that
 * trickles bytes cannot stretch an operation past the timeout. Errors
 * (timeout, I/O error) are sticky per direction: once a read failed, reads
 * keep failing, but a reply can still be written (e.g. 421 after a read
 * timeout), and the other way round.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vstream.h"
#include "mymalloc.h"
#include "msg.h"
#include "iostuff.h"

struct vstream {
    int     fd;
    int     flags;
    int     timeout;			/* seconds per operation, 0 = none */
    int     rstatus;			/* sticky read VSTREAM_TIMEOUT/ERR, or OK */
    int     wstatus;			/* sticky write status, the same */
    int     eof;
    vstream_rw_fn rd;
    vstream_rw_fn wr;
    void   *ctx;
    int     raw;			/* rd/wr are plain read/write */
    unsigned char *rbuf;
    size_t  rpos;			/* next unread byte */
    size_t  rlen;			/* end of valid bytes */
    unsigned char *wbuf;
    size_t  wlen;
    struct vstr *scratch;		/* vstream_printf */
    const unsigned char *mem;		/* vstream_memopen */
    size_t  mem_len;
    size_t  mem_pos;
    struct vstr *out;			/* vstream_vstropen */
};

typedef long long deadline_t;		/* monotonic milliseconds, 0 = none */

/* now_ms - monotonic clock in milliseconds */

static long long
now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
	msg_fatal("clock_gettime: %m");
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static deadline_t
vstream_deadline(struct vstream *sp)
{
    return (sp->timeout > 0 ? now_ms() + (long long) sp->timeout * 1000 : 0);
}

static ssize_t
raw_read(int fd, void *buf, size_t len, void *ctx UNUSED)
{
    return (read(fd, buf, len));
}

static ssize_t
raw_write(int fd, void *buf, size_t len, void *ctx UNUSED)
{
    return (write(fd, buf, len));
}

/* vstream_wait - wait until fd is ready or the deadline passes */

static int
vstream_wait(struct vstream *sp, short events, deadline_t deadline)
{
    struct pollfd pfd;
    long long left;
    int     n;

    for (;;) {
	if (deadline) {
	    left = deadline - now_ms();
	    if (left <= 0)
		return (VSTREAM_TIMEOUT);
	} else {
	    left = -1;
	}
	pfd.fd = sp->fd;
	pfd.events = events;
	pfd.revents = 0;
	n = poll(&pfd, 1, left > 0x7fffffff ? 0x7fffffff : (int) left);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0)
	    return (VSTREAM_ERR);
	if (n == 0)
	    continue;				/* re-check the clock */
	return (VSTREAM_OK);			/* ready, hangup or error: I/O tells */
    }
}

/* vstream_fill - read more input into the buffer */

static int
vstream_fill(struct vstream *sp, deadline_t deadline)
{
    ssize_t n;
    int     st;

    if (sp->rstatus != VSTREAM_OK)
	return (sp->rstatus);
    if (sp->eof)
	return (VSTREAM_EOF);
    if (sp->rpos == sp->rlen)
	sp->rpos = sp->rlen = 0;
    else if (sp->rpos > 0) {
	memmove(sp->rbuf, sp->rbuf + sp->rpos, sp->rlen - sp->rpos);
	sp->rlen -= sp->rpos;
	sp->rpos = 0;
    }
    if (sp->rlen == VSTREAM_BUFSIZE)
	msg_panic("vstream_fill: buffer full");
    for (;;) {
	if (sp->raw && deadline
	    && (st = vstream_wait(sp, POLLIN, deadline)) != VSTREAM_OK)
	    return (sp->rstatus = st);
	n = sp->rd(sp->fd, sp->rbuf + sp->rlen, VSTREAM_BUFSIZE - sp->rlen, sp->ctx);
	if (n > 0) {
	    sp->rlen += (size_t) n;
	    return (VSTREAM_OK);
	}
	if (n == 0) {
	    sp->eof = 1;
	    return (VSTREAM_EOF);
	}
	if (errno == EINTR)
	    continue;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
	    if ((st = vstream_wait(sp, POLLIN, deadline)) != VSTREAM_OK)
		return (sp->rstatus = st);
	    continue;
	}
	return (sp->rstatus = VSTREAM_ERR);
    }
}

/* vstream_alloc - common constructor */

static struct vstream *
vstream_alloc(int fd, int flags)
{
    struct vstream *sp = mycalloc(1, sizeof(*sp));

    sp->fd = fd;
    sp->flags = flags;
    sp->rstatus = sp->wstatus = VSTREAM_OK;
    sp->rd = raw_read;
    sp->wr = raw_write;
    sp->raw = 1;
    if (flags & VSTREAM_READ)
	sp->rbuf = mymalloc(VSTREAM_BUFSIZE);
    if (flags & VSTREAM_WRITE)
	sp->wbuf = mymalloc(VSTREAM_BUFSIZE);
    return (sp);
}

struct vstream *
vstream_fdopen(int fd, int flags)
{
    if ((flags & (VSTREAM_READ | VSTREAM_WRITE)) == 0)
	msg_panic("vstream_fdopen: no read or write flag");
    return (vstream_alloc(fd, flags));
}

/* mem_read - read function of a memory stream */

static ssize_t
mem_read(int fd UNUSED, void *buf, size_t len, void *ctx)
{
    struct vstream *sp = ctx;
    size_t  left = sp->mem_len - sp->mem_pos;

    if (len > left)
	len = left;
    if (len)
	memcpy(buf, sp->mem + sp->mem_pos, len);
    sp->mem_pos += len;
    return ((ssize_t) len);
}

struct vstream *
vstream_memopen(const void *buf, size_t len)
{
    struct vstream *sp = vstream_alloc(-1, VSTREAM_READ);

    sp->mem = buf;
    sp->mem_len = len;
    sp->rd = mem_read;
    sp->ctx = sp;
    sp->raw = 0;
    return (sp);
}

/* vstr_write - write function of a vstr stream */

static ssize_t
vstr_write(int fd UNUSED, void *buf, size_t len, void *ctx)
{
    struct vstream *sp = ctx;

    vstr_memcat(sp->out, buf, len);
    return ((ssize_t) len);
}

struct vstream *
vstream_vstropen(struct vstr *out)
{
    struct vstream *sp = vstream_alloc(-1, VSTREAM_WRITE);

    sp->out = out;
    sp->wr = vstr_write;
    sp->ctx = sp;
    sp->raw = 0;
    return (sp);
}

void
vstream_set_io(struct vstream *sp, vstream_rw_fn rd, vstream_rw_fn wr, void *ctx)
{
    sp->rd = rd ? rd : raw_read;
    sp->wr = wr ? wr : raw_write;
    sp->ctx = ctx;
    sp->raw = (rd == NULL && wr == NULL);
}

/*
 * vstream_set_timeout - per-operation deadline. A blocking write of a big
 * buffer could block past any deadline once poll() said "writable", so a
 * raw descriptor with a deadline is switched to non-blocking mode.
 */
void
vstream_set_timeout(struct vstream *sp, int seconds)
{
    sp->timeout = seconds > 0 ? seconds : 0;
    if (sp->timeout > 0 && sp->fd >= 0 && non_blocking(sp->fd, NON_BLOCKING) < 0)
	msg_fatal("vstream_set_timeout: set non-blocking mode: %m");
}

int
vstream_fd(struct vstream *sp)
{
    return (sp->fd);
}

int
vstream_error(struct vstream *sp)
{
    return (sp->rstatus != VSTREAM_OK ? sp->rstatus : sp->wstatus);
}

/* vstream_read_line - next line including its newline, at most maxlen */

int
vstream_read_line(struct vstream *sp, struct vstr *line, size_t maxlen)
{
    deadline_t deadline = vstream_deadline(sp);
    unsigned char *nl;
    size_t  avail;
    size_t  take;
    int     st;

    if (maxlen == 0)
	msg_panic("vstream_read_line: zero maxlen");
    vstr_reset(line);
    for (;;) {
	avail = sp->rlen - sp->rpos;
	nl = memchr(sp->rbuf + sp->rpos, '\n', avail);
	take = nl ? (size_t) (nl - (sp->rbuf + sp->rpos)) + 1 : avail;
	if (take > maxlen - vstr_len(line))
	    take = maxlen - vstr_len(line);
	vstr_memcat(line, sp->rbuf + sp->rpos, take);
	sp->rpos += take;
	if (vstr_len(line) > 0 && vstr_str(line)[vstr_len(line) - 1] == '\n')
	    return (VSTREAM_OK);
	if (vstr_len(line) >= maxlen)
	    return (VSTREAM_TOOLONG);
	if ((st = vstream_fill(sp, deadline)) != VSTREAM_OK) {
	    if (st == VSTREAM_EOF && vstr_len(line) > 0)
		return (VSTREAM_OK);
	    return (st);
	}
    }
}

/* vstream_skip_line - discard input through the next newline */

int
vstream_skip_line(struct vstream *sp)
{
    deadline_t deadline = vstream_deadline(sp);
    unsigned char *nl;
    int     st;

    for (;;) {
	nl = memchr(sp->rbuf + sp->rpos, '\n', sp->rlen - sp->rpos);
	if (nl) {
	    sp->rpos = (size_t) (nl - sp->rbuf) + 1;
	    return (VSTREAM_OK);
	}
	sp->rpos = sp->rlen;
	if ((st = vstream_fill(sp, deadline)) != VSTREAM_OK)
	    return (st);
    }
}

/* vstream_read_into - shared body of read_exact and read_vstr */

static int
vstream_read_into(struct vstream *sp, void *buf, struct vstr *out, size_t n)
{
    deadline_t deadline = vstream_deadline(sp);
    size_t  done = 0;
    size_t  take;
    int     st;

    while (done < n) {
	if (sp->rpos == sp->rlen && (st = vstream_fill(sp, deadline)) != VSTREAM_OK)
	    return (st);
	take = sp->rlen - sp->rpos;
	if (take > n - done)
	    take = n - done;
	if (buf)
	    memcpy((char *) buf + done, sp->rbuf + sp->rpos, take);
	else
	    vstr_memcat(out, sp->rbuf + sp->rpos, take);
	sp->rpos += take;
	done += take;
    }
    return (VSTREAM_OK);
}

int
vstream_read_exact(struct vstream *sp, void *buf, size_t n)
{
    return (vstream_read_into(sp, buf, NULL, n));
}

int
vstream_read_vstr(struct vstream *sp, struct vstr *out, size_t n)
{
    return (vstream_read_into(sp, NULL, out, n));
}

int
vstream_getc(struct vstream *sp)
{
    int     st;

    if (sp->rpos == sp->rlen && (st = vstream_fill(sp, vstream_deadline(sp))) != VSTREAM_OK)
	return (st);
    return (sp->rbuf[sp->rpos++]);
}

size_t
vstream_pending(struct vstream *sp)
{
    return (sp->rbuf ? sp->rlen - sp->rpos : 0);
}

size_t
vstream_discard_pending(struct vstream *sp)
{
    size_t  n = vstream_pending(sp);

    sp->rpos = sp->rlen = 0;
    return (n);
}

/* vstream_write_raw - write a whole buffer through wr within a deadline */

static int
vstream_write_raw(struct vstream *sp, const unsigned char *buf, size_t len,
		          deadline_t deadline)
{
    ssize_t n;
    int     st;

    while (len > 0) {
	if (sp->raw && deadline
	    && (st = vstream_wait(sp, POLLOUT, deadline)) != VSTREAM_OK)
	    return (sp->wstatus = st);
	n = sp->wr(sp->fd, (void *) buf, len, sp->ctx);
	if (n > 0) {
	    buf += n;
	    len -= (size_t) n;
	    continue;
	}
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
	    if ((st = vstream_wait(sp, POLLOUT, deadline)) != VSTREAM_OK)
		return (sp->wstatus = st);
	    continue;
	}
	return (sp->wstatus = VSTREAM_ERR);
    }
    return (VSTREAM_OK);
}

int
vstream_flush(struct vstream *sp)
{
    int     st;

    if (sp->wstatus != VSTREAM_OK)
	return (sp->wstatus);
    if (sp->wbuf == NULL || sp->wlen == 0)
	return (VSTREAM_OK);
    st = vstream_write_raw(sp, sp->wbuf, sp->wlen, vstream_deadline(sp));
    sp->wlen = 0;
    return (st);
}

int
vstream_write(struct vstream *sp, const void *buf, size_t n)
{
    if (sp->wbuf == NULL)
	msg_panic("vstream_write: stream not open for writing");
    if (sp->wstatus != VSTREAM_OK)
	return (sp->wstatus);
    if (sp->wlen + n > VSTREAM_BUFSIZE && vstream_flush(sp) != VSTREAM_OK)
	return (sp->wstatus);
    if (n >= VSTREAM_BUFSIZE)
	return (vstream_write_raw(sp, buf, n, vstream_deadline(sp)));
    memcpy(sp->wbuf + sp->wlen, buf, n);
    sp->wlen += n;
    return (VSTREAM_OK);
}

int
vstream_puts(struct vstream *sp, const char *s)
{
    return (vstream_write(sp, s, strlen(s)));
}

int
vstream_printf(struct vstream *sp, const char *fmt,...)
{
    va_list ap;

    if (sp->scratch == NULL)
	sp->scratch = vstr_alloc(100);
    vstr_reset(sp->scratch);
    va_start(ap, fmt);
    vstr_vsprintf_append(sp->scratch, fmt, ap);
    va_end(ap);
    return (vstream_write(sp, vstr_str(sp->scratch), vstr_len(sp->scratch)));
}

void
vstream_free(struct vstream *sp)
{
    if (sp == NULL)
	return;
    myfree(sp->rbuf);
    myfree(sp->wbuf);
    vstr_free(sp->scratch);
    myfree(sp);
}

int
vstream_close(struct vstream *sp)
{
    int     st = VSTREAM_OK;

    if (sp->wbuf)
	st = vstream_flush(sp);
    if (sp->fd >= 0 && close(sp->fd) < 0 && st == VSTREAM_OK)
	st = VSTREAM_ERR;
    vstream_free(sp);
    return (st);
}

/* write_all - write n bytes to a raw fd, retrying short writes */

int
write_all(int fd, const void *buf, size_t n)
{
    const char *cp = buf;
    ssize_t w;

    while (n > 0) {
	w = write(fd, cp, n);
	if (w < 0 && errno == EINTR)
	    continue;
	if (w < 0)
	    return (-1);
	if (w == 0) {
	    errno = EIO;
	    return (-1);
	}
	cp += w;
	n -= (size_t) w;
    }
    return (0);
}
