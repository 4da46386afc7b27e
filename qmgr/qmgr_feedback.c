/*
 * qmgr_feedback.c - the arithmetic of scheduling: per-destination
 * concurrency with slow start, dead destinations, retry backoff and
 * message expiry. Pure functions of their arguments (and of the
 * lifetime parameters), so that tests can drive them directly.
 *
 * Slow start as in Postfix: a destination starts with
 * initial_destination_concurrency deliveries in flight; every success
 * adds 1/window (one more per window-full of successes, up to the
 * limit); every failure of the destination takes one away, down to 1.
 * A failure is one at transport level (cannot connect to the agent,
 * agent died, protocol error) or a site failure the agent reports
 * (DEL_ATTR_SITE_FAIL: no address of the next hop could be talked to);
 * recipients deferred by a server that did talk are not one.
 * QMGR_DEAD_FAILURES failures in a row mark the destination dead for a
 * while: its mail waits in deferred/ instead of hammering it.
 */
#include "qmgr.h"
#include "mail_params.h"

/* qmgr_feedback_init - a fresh destination */

void
qmgr_feedback_init(struct qmgr_feedback *fb, int initial, int limit)
{
    if (limit < 1)
	limit = 1;
    if (initial < 1)
	initial = 1;
    fb->limit = limit;
    fb->window = initial < limit ? initial : limit;
    fb->failures = 0;
    fb->failed_at = 0;
    fb->dead_until = 0;
}

/* qmgr_feedback_success - a delivery went through: grow */

void
qmgr_feedback_success(struct qmgr_feedback *fb)
{
    fb->failures = 0;
    fb->window += 1.0 / fb->window;
    if (fb->window > fb->limit)
	fb->window = fb->limit;
}

/* qmgr_feedback_failure - a failure of the destination; 1: now dead */

int
qmgr_feedback_failure(struct qmgr_feedback *fb, time_t now, long dead_secs)
{
    fb->window -= 1.0;
    if (fb->window < 1.0)
	fb->window = 1.0;
    fb->failed_at = now;
    if (++fb->failures < QMGR_DEAD_FAILURES)
	return (0);
    /* Deliveries still in flight when it died do not extend the time. */
    if (fb->dead_until <= now)
	fb->dead_until = now + (dead_secs > 0 ? dead_secs : 1);
    return (1);
}

/* qmgr_feedback_done - a delivery's outcome (QMGR_DONE_*); 1: now dead */

int
qmgr_feedback_done(struct qmgr_feedback *fb, int outcome, time_t now,
		           long dead_secs)
{
    if (outcome == QMGR_DONE_OK) {
	qmgr_feedback_success(fb);
	return (0);
    }
    return (qmgr_feedback_failure(fb, now, dead_secs));
}

/* qmgr_feedback_dead - still dead? a revived one starts with 1 */

int
qmgr_feedback_dead(struct qmgr_feedback *fb, time_t now)
{
    if (fb->dead_until == 0)
	return (0);
    if (now < fb->dead_until)
	return (1);
    fb->dead_until = 0;
    fb->failures = QMGR_DEAD_FAILURES - 1;	/* one more failure: dead */
    fb->window = 1.0;
    return (0);
}

/*
 * qmgr_feedback_forget - may an idle destination be forgotten? Not while
 * it is dead, nor for keep_secs after a failure: failures in a row must
 * add up even when mail for it comes one message at a time.
 */

int
qmgr_feedback_forget(const struct qmgr_feedback *fb, time_t now,
		             long keep_secs)
{
    if (fb->dead_until != 0 && now < fb->dead_until)
	return (0);
    return (fb->failures == 0
	    || (long long) now - (long long) fb->failed_at >= keep_secs);
}

/* qmgr_feedback_room - may one more delivery start? */

int
qmgr_feedback_room(const struct qmgr_feedback *fb, int busy)
{
    return (fb->dead_until == 0 && (double) busy + 1.0 <= fb->window + 1e-9);
}

/* qmgr_backoff - seconds until the next attempt of a message this old */

long
qmgr_backoff(long age, long min_backoff, long max_backoff)
{
    /*
     * As Postfix: the delay is the time already spent in the queue,
     * clamped to [minimal_backoff_time, maximal_backoff_time]. Each
     * attempt thus comes at about twice the age of the last one: the
     * backoff doubles per attempt without an attempt counter.
     */
    if (max_backoff < min_backoff)
	max_backoff = min_backoff;
    if (age < min_backoff)
	return (min_backoff);
    if (age > max_backoff)
	return (max_backoff);
    return (age);
}

/* qmgr_expired - past maximal_queue_lifetime (bounce_queue_lifetime)? */

int
qmgr_expired(const struct queue_env *env, time_t now)
{
    long    life = (env->sender && *env->sender) ?
    var_max_queue_time : var_dsn_queue_time;

    return ((long long) now - (long long) env->arrival.tv_sec >= life);
}
