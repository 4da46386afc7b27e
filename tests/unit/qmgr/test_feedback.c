/*
 * test_feedback.c - the scheduling arithmetic of qmgr/qmgr_feedback.c:
 * retry backoff (doubling with the age, clamped), expiry for normal and
 * null-sender mail, slow start (grow by 1/window per success up to the
 * limit), back-off on failure, a dead destination after
 * QMGR_DEAD_FAILURES failures in a row, and its revival on probation;
 * the outcome rule (qmgr_feedback_done): an agent's site failure counts
 * as a failure, a handled request as a success.
 */
#include <criterion/criterion.h>

#include "../../../qmgr/qmgr.h"
#include "mail_params.h"

 /*
  * Backoff: age clamped to [min, max]; a table of cases.
  */
struct backoff_case {
    long    age, min, max, want;
};

static const struct backoff_case backoff_cases[] = {
    {0, 300, 4000, 300},
    {1, 300, 4000, 300},
    {299, 300, 4000, 300},
    {300, 300, 4000, 300},
    {301, 300, 4000, 301},
    {1000, 300, 4000, 1000},
    {4000, 300, 4000, 4000},
    {4001, 300, 4000, 4000},
    {1000000, 300, 4000, 4000},
    {-5, 300, 4000, 300},			/* clock went back */
    {100, 500, 200, 500},			/* max below min: min wins */
    {3, 2, 4, 3},
};

Test(backoff, table)
{
    size_t  i;

    for (i = 0; i < sizeof(backoff_cases) / sizeof(backoff_cases[0]); i++) {
	const struct backoff_case *c = backoff_cases + i;

	cr_assert_eq(qmgr_backoff(c->age, c->min, c->max), c->want,
		     "case %zu: age %ld -> %ld, want %ld", i, c->age,
		     qmgr_backoff(c->age, c->min, c->max), c->want);
    }
}

Test(backoff, doubles_per_attempt)
{
    long    t = 0;
    long    prev = 0;
    int     n;

    /* Each attempt at about twice the age of the one before. */
    for (n = 0; n < 6; n++) {
	long    wait = qmgr_backoff(t, 300, 100000);

	if (n > 1)
	    cr_assert_eq(wait, t, "attempt %d", n);
	cr_assert_geq(wait, prev);
	prev = wait;
	t += wait;
    }
    cr_assert_eq(t, 300L * 32);
}

Test(expiry, normal_and_null_sender)
{
    struct queue_env env;

    queue_env_init(&env);
    var_max_queue_time = 100;
    var_dsn_queue_time = 10;
    env.arrival.tv_sec = 1000;
    env.sender = "a@b";
    cr_assert_not(qmgr_expired(&env, 1099));
    cr_assert(qmgr_expired(&env, 1100));
    env.sender = "";
    cr_assert_not(qmgr_expired(&env, 1009));
    cr_assert(qmgr_expired(&env, 1010));
    var_dsn_queue_time = 0;			/* 0: one attempt only */
    cr_assert(qmgr_expired(&env, 1000));
    env.sender = 0;
}

Test(feedback, initial_is_capped_by_limit)
{
    struct qmgr_feedback fb;

    qmgr_feedback_init(&fb, 5, 20);
    cr_assert_float_eq(fb.window, 5.0, 1e-9);
    qmgr_feedback_init(&fb, 5, 2);
    cr_assert_float_eq(fb.window, 2.0, 1e-9);
    qmgr_feedback_init(&fb, 0, 0);
    cr_assert_float_eq(fb.window, 1.0, 1e-9);
}

Test(feedback, slow_start_grows_to_limit)
{
    struct qmgr_feedback fb;
    int     i;

    qmgr_feedback_init(&fb, 5, 20);
    cr_assert(qmgr_feedback_room(&fb, 4));
    cr_assert_not(qmgr_feedback_room(&fb, 5));
    for (i = 0; i < 6; i++)
	qmgr_feedback_success(&fb);
    /* About one more per window-full of successes: not faster. */
    cr_assert(fb.window >= 6.0 && fb.window < 6.5, "window %f", fb.window);
    cr_assert(qmgr_feedback_room(&fb, 5));
    cr_assert_not(qmgr_feedback_room(&fb, 6));
    for (i = 0; i < 1000; i++)
	qmgr_feedback_success(&fb);
    cr_assert_float_eq(fb.window, 20.0, 1e-9);
    cr_assert_not(qmgr_feedback_room(&fb, 20));
}

Test(feedback, failure_backs_off_then_dead)
{
    struct qmgr_feedback fb;
    int     i;

    qmgr_feedback_init(&fb, 5, 20);
    for (i = 1; i < QMGR_DEAD_FAILURES; i++) {
	cr_assert_eq(qmgr_feedback_failure(&fb, 1000, 60), 0);
	cr_assert_float_eq(fb.window, 5.0 - i, 1e-9);
    }
    cr_assert_eq(qmgr_feedback_failure(&fb, 1000, 60), 1);
    cr_assert(qmgr_feedback_dead(&fb, 1000));
    cr_assert(qmgr_feedback_dead(&fb, 1059));
    cr_assert_not(qmgr_feedback_room(&fb, 0));
    /* Revived after the dead time, with a window of one... */
    cr_assert_not(qmgr_feedback_dead(&fb, 1060));
    cr_assert(qmgr_feedback_room(&fb, 0));
    cr_assert_not(qmgr_feedback_room(&fb, 1));
    /* ...and on probation: one more failure and it is dead again. */
    cr_assert_eq(qmgr_feedback_failure(&fb, 1061, 60), 1);
    cr_assert(qmgr_feedback_dead(&fb, 1062));
}

Test(feedback, success_resets_failures)
{
    struct qmgr_feedback fb;
    int     i;

    qmgr_feedback_init(&fb, 1, 20);
    for (i = 0; i < 10; i++) {
	cr_assert_eq(qmgr_feedback_failure(&fb, 1000, 60), 0);
	qmgr_feedback_success(&fb);
    }
    cr_assert(fb.window >= 1.0 && fb.window <= 2.0, "window %f", fb.window);
    cr_assert_eq(fb.failures, 0);
    cr_assert_not(qmgr_feedback_dead(&fb, 1000));
}

 /*
  * The rule for a delivery's outcome (QMGR_DONE_*): a site failure the
  * agent reports counts like an agent failure; a handled request counts
  * as a success whatever its recipients' results (a 452 to RCPT from a
  * server that talked is a recipient deferral, QMGR_DONE_OK).
  */
Test(feedback, site_failures_kill_like_agent_failures)
{
    struct qmgr_feedback fb;
    int     i;

    qmgr_feedback_init(&fb, 5, 20);
    for (i = 1; i < QMGR_DEAD_FAILURES; i++) {
	cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 1000, 60), 0);
	cr_assert_float_eq(fb.window, 5.0 - i, 1e-9, "slow start down");
    }
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 1000, 60), 1);
    cr_assert(qmgr_feedback_dead(&fb, 1059));
    /* Probation after the dead time: one site failure kills it again. */
    cr_assert_not(qmgr_feedback_dead(&fb, 1060));
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 1060, 60), 1);
    cr_assert(qmgr_feedback_dead(&fb, 1061));
}

Test(feedback, site_and_agent_failures_count_in_one_row)
{
    struct qmgr_feedback fb;

    qmgr_feedback_init(&fb, 5, 20);
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_AGENT, 1000, 60), 0);
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 1000, 60), 0);
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_AGENT, 1000, 60), 1);
}

Test(feedback, handled_request_is_a_success)
{
    struct qmgr_feedback fb;
    int     i;

    qmgr_feedback_init(&fb, 5, 20);
    for (i = 0; i < 10 * QMGR_DEAD_FAILURES; i++) {
	cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 1000, 60), 0);
	cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_OK, 1000, 60), 0);
    }
    cr_assert_eq(fb.failures, 0);
    cr_assert_not(qmgr_feedback_dead(&fb, 1000));
    for (i = 0; i < 1000; i++)
	cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_OK, 1000, 60), 0);
    cr_assert_float_eq(fb.window, 20.0, 1e-9);
}

Test(feedback, failing_destination_is_not_forgotten_at_once)
{
    struct qmgr_feedback fb;

    qmgr_feedback_init(&fb, 5, 20);
    cr_assert(qmgr_feedback_forget(&fb, 1000, 60), "fresh: forget");
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 1000, 60), 0);
    cr_assert_not(qmgr_feedback_forget(&fb, 1000, 60));
    cr_assert_not(qmgr_feedback_forget(&fb, 1059, 60));
    cr_assert(qmgr_feedback_forget(&fb, 1060, 60), "failure is old");
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_OK, 1001, 60), 0);
    cr_assert(qmgr_feedback_forget(&fb, 1001, 60), "success: forget");
    /* Dead: kept until the dead time is over. */
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 2000, 60), 0);
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 2000, 60), 0);
    cr_assert_eq(qmgr_feedback_done(&fb, QMGR_DONE_SITE, 2000, 600), 1);
    cr_assert_not(qmgr_feedback_forget(&fb, 2100, 60));
    cr_assert(qmgr_feedback_forget(&fb, 2600, 60));
}

Test(feedback, failures_in_flight_do_not_extend_dead_time)
{
    struct qmgr_feedback fb;
    int     i;

    qmgr_feedback_init(&fb, 5, 20);
    for (i = 0; i < QMGR_DEAD_FAILURES; i++)
	(void) qmgr_feedback_failure(&fb, 1000, 60);
    cr_assert(qmgr_feedback_dead(&fb, 1000));
    /* Deliveries that were in flight fail later: still dead until 1060. */
    cr_assert_eq(qmgr_feedback_failure(&fb, 1030, 60), 1);
    cr_assert_eq(qmgr_feedback_failure(&fb, 1050, 60), 1);
    cr_assert(qmgr_feedback_dead(&fb, 1059));
    cr_assert_not(qmgr_feedback_dead(&fb, 1060));
}
