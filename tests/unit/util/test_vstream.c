/*
 * test_vstream.c - buffered stream I/O: bounded lines, exact reads,
 * write-all, and per-operation deadlines against a trickling peer.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "vstream.h"
#include "vstr.h"

static long long
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

Test(vstream, lines_keep_terminators)
{
    const char data[] = "HELO a\r\nbare\nlast-no-newline";
    struct vstream *sp = vstream_memopen(data, sizeof(data) - 1);
    struct vstr *line = vstr_alloc(10);

    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(line), "HELO a\r\n");
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(line), "bare\n");
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(line), "last-no-newline");
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_EOF);
    cr_assert_eq(vstr_len(line), 0);
    vstr_free(line);
    vstream_free(sp);
}

Test(vstream, too_long_then_skip)
{
    struct vstr *big = vstr_alloc(100);
    struct vstr *line = vstr_alloc(10);
    struct vstream *sp;
    int     i;

    for (i = 0; i < 40000; i++)
	vstr_addch(big, 'x');
    vstr_strcat(big, "\r\nnext\r\n");
    sp = vstream_memopen(vstr_str(big), vstr_len(big));
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_TOOLONG);
    cr_assert_eq(vstr_len(line), 512);
    cr_assert_eq(vstream_skip_line(sp), VSTREAM_OK);
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(line), "next\r\n");
    vstream_free(sp);
    vstr_free(big);
    vstr_free(line);
}

Test(vstream, exact_length_line_fits)
{
    const char data[] = "abc\nabcd\n";
    struct vstream *sp = vstream_memopen(data, sizeof(data) - 1);
    struct vstr *line = vstr_alloc(10);

    cr_assert_eq(vstream_read_line(sp, line, 4), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(line), "abc\n");
    cr_assert_eq(vstream_read_line(sp, line, 4), VSTREAM_TOOLONG);
    cr_assert_str_eq(vstr_str(line), "abcd");
    vstream_free(sp);
    vstr_free(line);
}

Test(vstream, read_exact_across_buffers_and_eof)
{
    size_t  n = 3 * VSTREAM_BUFSIZE + 17;
    char   *data = malloc(n);
    char   *got = malloc(n);
    struct vstream *sp;
    struct vstr *tail = vstr_alloc(10);
    size_t  i;

    for (i = 0; i < n; i++)
	data[i] = (char) (i * 7);
    sp = vstream_memopen(data, n);
    cr_assert_eq(vstream_read_exact(sp, got, n - 5), VSTREAM_OK);
    cr_assert(memcmp(got, data, n - 5) == 0);
    cr_assert_eq(vstream_read_vstr(sp, tail, 5), VSTREAM_OK);
    cr_assert(memcmp(vstr_str(tail), data + n - 5, 5) == 0);
    cr_assert_eq(vstream_getc(sp), VSTREAM_EOF);
    cr_assert_eq(vstream_read_exact(sp, got, 1), VSTREAM_EOF);
    vstream_free(sp);
    vstr_free(tail);
    free(data);
    free(got);
}

Test(vstream, pending_and_discard)
{
    const char data[] = "STARTTLS\r\nMAIL FROM:<evil>\r\n";
    struct vstream *sp = vstream_memopen(data, sizeof(data) - 1);
    struct vstr *line = vstr_alloc(10);

    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_OK);
    cr_assert_eq(vstream_pending(sp), strlen("MAIL FROM:<evil>\r\n"));
    cr_assert_eq(vstream_discard_pending(sp), strlen("MAIL FROM:<evil>\r\n"));
    cr_assert_eq(vstream_pending(sp), 0);
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_EOF);
    vstream_free(sp);
    vstr_free(line);
}

Test(vstream, write_buffers_until_flush)
{
    struct vstr *out = vstr_alloc(10);
    struct vstream *sp = vstream_vstropen(out);
    struct vstr *big = vstr_alloc(10);
    int     i;

    cr_assert_eq(vstream_printf(sp, "250-%s\r\n", "hello"), VSTREAM_OK);
    cr_assert_eq(vstr_len(out), 0);
    cr_assert_eq(vstream_flush(sp), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(out), "250-hello\r\n");
    for (i = 0; i < 3 * VSTREAM_BUFSIZE; i++)
	vstr_addch(big, 'a' + i % 26);
    cr_assert_eq(vstream_write(sp, vstr_str(big), vstr_len(big)), VSTREAM_OK);
    cr_assert_eq(vstream_puts(sp, "end"), VSTREAM_OK);
    cr_assert_eq(vstream_flush(sp), VSTREAM_OK);
    cr_assert_eq(vstr_len(out), 11 + vstr_len(big) + 3);
    cr_assert(memcmp(vstr_str(out) + 11, vstr_str(big), vstr_len(big)) == 0);
    vstream_free(sp);
    vstr_free(out);
    vstr_free(big);
}

/* A peer that sends one byte every 200 ms and never a newline. */

static pid_t
trickle_peer(int fd)
{
    pid_t   pid = fork();

    cr_assert(pid >= 0);
    if (pid == 0) {
	for (;;) {
	    if (write(fd, "x", 1) != 1)
		_exit(0);
	    usleep(200000);
	}
    }
    return (pid);
}

Test(vstream, deadline_covers_whole_line_not_each_read)
{
    int     sv[2];
    struct vstream *sp;
    struct vstr *line = vstr_alloc(10);
    pid_t   pid;
    long long start;
    long long took;

    cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    pid = trickle_peer(sv[1]);
    close(sv[1]);
    sp = vstream_fdopen(sv[0], VSTREAM_READ);
    vstream_set_timeout(sp, 1);
    start = mono_ms();
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_TIMEOUT);
    took = mono_ms() - start;
    cr_assert(took >= 900 && took < 2000, "took %lld ms", took);
    cr_assert(vstr_len(line) >= 2, "got %zu bytes", vstr_len(line));
    /* Sticky: the stream stays failed. */
    cr_assert_eq(vstream_getc(sp), VSTREAM_TIMEOUT);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    vstream_close(sp);
    vstr_free(line);
}

Test(vstream, flush_timeout_when_peer_never_reads)
{
    int     sv[2];
    struct vstream *sp;
    struct vstr *big = vstr_alloc(10);
    int     i;
    int     st = VSTREAM_OK;
    long long start;

    cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    sp = vstream_fdopen(sv[0], VSTREAM_WRITE);
    vstream_set_timeout(sp, 1);
    for (i = 0; i < 1 << 20; i++)
	vstr_addch(big, 'z');
    start = mono_ms();
    for (i = 0; i < 64 && st == VSTREAM_OK; i++)
	st = vstream_write(sp, vstr_str(big), vstr_len(big));
    cr_assert_eq(st, VSTREAM_TIMEOUT);
    cr_assert(mono_ms() - start < 3000);
    close(sv[1]);
    vstream_free(sp);
    close(sv[0]);
    vstr_free(big);
}

Test(vstream, eof_from_closed_peer)
{
    int     sv[2];
    struct vstream *sp;
    struct vstr *line = vstr_alloc(10);

    cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    cr_assert(write_all(sv[1], "partial", 7) == 0);
    close(sv[1]);
    sp = vstream_fdopen(sv[0], VSTREAM_READ);
    vstream_set_timeout(sp, 2);
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_OK);
    cr_assert_str_eq(vstr_str(line), "partial");
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_EOF);
    vstream_close(sp);
    vstr_free(line);
}

Test(vstream, reply_after_read_timeout)
{
    int     sv[2];
    struct vstream *sp;
    struct vstr *line = vstr_alloc(10);
    char    buf[64];
    ssize_t n;

    cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    sp = vstream_fdopen(sv[0], VSTREAM_READ | VSTREAM_WRITE);
    vstream_set_timeout(sp, 1);
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_TIMEOUT);
    cr_assert_eq(vstream_read_line(sp, line, 512), VSTREAM_TIMEOUT, "reads stay failed");
    cr_assert_eq(vstream_puts(sp, "421 4.4.2 timeout\r\n"), VSTREAM_OK);
    cr_assert_eq(vstream_flush(sp), VSTREAM_OK, "a final reply can be written");
    n = read(sv[1], buf, sizeof(buf) - 1);
    cr_assert_eq(n, 19);
    buf[n] = 0;
    cr_assert_str_eq(buf, "421 4.4.2 timeout\r\n");
    cr_assert_eq(vstream_error(sp), VSTREAM_TIMEOUT);
    vstream_close(sp);
    close(sv[1]);
    vstr_free(line);
}
