/*
 * test_mail_flow.c - inflow control tokens (util/mail_flow.c) over a
 * plain non-blocking pipe: get takes a token at once when there is one,
 * waits at most its timeout when there is none (and takes one put
 * meanwhile), put never blocks on a full pipe, refill sets the pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "mail_flow.h"

static int flow[2];

static void
flow_setup(void)
{
    cr_assert_eq(pipe2(flow, O_NONBLOCK | O_CLOEXEC), 0);
    mail_flow_init(flow[0], flow[1]);
}

static void
flow_teardown(void)
{
    mail_flow_init(-1, -1);
    close(flow[0]);
    close(flow[1]);
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* pipe_count - bytes in the pipe, emptying it */

static long
pipe_count(int fd)
{
    char    buf[4096];
    long    total = 0;
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0)
	total += n;
    return (total);
}

TestSuite(mail_flow, .init = flow_setup, .fini = flow_teardown);

Test(mail_flow, off_without_channel)
{
    mail_flow_init(-1, -1);
    cr_assert_eq(mail_flow_enabled(), 0);
    cr_assert_eq(mail_flow_get(1000), -1, "no wait without a channel");
    cr_assert_eq(mail_flow_put(5), 0);
    cr_assert_eq(mail_flow_refill(5), 0);
}

Test(mail_flow, put_then_get)
{
    cr_assert_eq(mail_flow_enabled(), 1);
    cr_assert_eq(mail_flow_put(3), 3);
    cr_assert_eq(mail_flow_get(0), 1);
    cr_assert_eq(mail_flow_get(0), 1);
    cr_assert_eq(mail_flow_get(0), 1);
    cr_assert_eq(mail_flow_get(0), 0, "pool empty");
}

Test(mail_flow, get_waits_for_timeout)
{
    long long start = now_ms();
    long long took;

    cr_assert_eq(mail_flow_get(300), 0);
    took = now_ms() - start;
    cr_assert_geq(took, 290, "returned after %lld ms", took);
    cr_assert_lt(took, 2000, "returned after %lld ms", took);
}

static void *
put_later(void *arg)
{
    (void) arg;
    usleep(150 * 1000);
    (void) mail_flow_put(1);
    return (0);
}

Test(mail_flow, get_takes_token_put_meanwhile)
{
    pthread_t t;
    long long start = now_ms();
    long long took;

    cr_assert_eq(pthread_create(&t, 0, put_later, 0), 0);
    cr_assert_eq(mail_flow_get(5000), 1);
    took = now_ms() - start;
    pthread_join(t, 0);
    cr_assert_lt(took, 2000, "waited %lld ms for a token put at 150 ms", took);
    cr_assert_eq(pipe_count(flow[0]), 0, "the token was taken");
}

Test(mail_flow, put_on_full_pipe_does_not_block)
{
    ssize_t cap = (ssize_t) fcntl(flow[1], F_GETPIPE_SZ);
    ssize_t n;

    cr_assert_gt(cap, 0);
    n = mail_flow_put(cap + 5000);
    cr_assert_eq(n, cap, "put %zd of a %zd-byte pipe", n, cap);
    cr_assert_eq(mail_flow_put(1), 0, "full: nothing added, no error");
    cr_assert_eq(mail_flow_drain(10), 10);
    cr_assert_eq(pipe_count(flow[0]), cap - 10);
}

Test(mail_flow, refill_sets_level)
{
    cr_assert_eq(mail_flow_put(500), 500);
    cr_assert_eq(mail_flow_refill(100), 100);
    cr_assert_eq(pipe_count(flow[0]), 100, "surplus taken away");
    cr_assert_eq(mail_flow_refill(100), 100);
    cr_assert_eq(mail_flow_drain(1000), 100, "empty pool filled");
    cr_assert_eq(mail_flow_drain(1000), 0);
}

Test(mail_flow, broken_channel_fails_fast)
{
    long long start = now_ms();

    close(flow[1]);
    flow[1] = open("/dev/null", O_WRONLY);	/* teardown closes it */
    cr_assert_eq(mail_flow_get(2000), -1, "end of file is an error");
    cr_assert_lt(now_ms() - start, 1000, "no wait on a broken pipe");
}
