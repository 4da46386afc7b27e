/*
 * test_master_avail.c - the master's bookkeeping of child reports and
 *	its throttle, fed hostile status-pipe input: unknown pids, bad
 *	values, reports split across reads, floods; maxproc and throttle
 *	decide when the master would fork.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mymalloc.h"
#include "vstr.h"
#include "iostuff.h"
#include "mail_params.h"
#include "master_cf.h"
#include "master_proto.h"
#include "../../../master/master.h"

/* make_serv - a unix service "svc" with maxproc N and a status pipe */

static struct master_serv *
make_serv(const char *line)
{
    struct vstr *err = vstr_alloc(100);
    struct master_cf *cf;
    struct master_serv *serv;

    cr_assert_eq(master_cf_parse_buffer("test", line, strlen(line), &cf, err), 0,
		 "%s", vstr_str(err));
    serv = master_ent_create(cf->ents);
    master_cf_free(cf);
    vstr_free(err);
    cr_assert_eq(pipe2(serv->status_fd, O_CLOEXEC), 0);
    cr_assert_geq(non_blocking(serv->status_fd[0], NON_BLOCKING), 0);
    serv->listen_count = 1;		/* pretend: only counted */
    return (serv);
}

/* add_proc - a fake child; new children count as available */

static struct master_proc *
add_proc(struct master_serv *serv, pid_t pid)
{
    struct master_proc *proc = (struct master_proc *) mycalloc(1, sizeof(*proc));

    proc->pid = pid;
    proc->serv = serv;
    proc->next = serv->procs;
    serv->procs = proc;
    serv->total_count++;
    master_avail_set(proc, MASTER_STAT_AVAIL);
    return (proc);
}

static void
report(struct master_serv *serv, pid_t pid, int avail)
{
    struct master_status st;

    memset(&st, 0, sizeof(st));
    st.pid = pid;
    st.avail = avail;
    cr_assert_eq(write(serv->status_fd[1], &st, sizeof(st)), (ssize_t) sizeof(st));
}

Test(master_avail, taken_and_avail_counts)
{
    struct master_serv *serv = make_serv("svc unix n - n - 2 test_echo\n");
    struct master_proc *p1 = add_proc(serv, 1001);

    cr_assert_eq(serv->avail_count, 1);
    cr_assert_not(master_avail_wanted(serv, master_now()), "an idle process exists");
    report(serv, 1001, MASTER_STAT_TAKEN);
    master_avail_status(serv);
    cr_assert_eq(serv->avail_count, 0);
    cr_assert_eq(p1->uses, 1);
    cr_assert(serv->used);
    cr_assert(master_avail_wanted(serv, master_now()), "all busy, below maxproc");
    add_proc(serv, 1002);
    report(serv, 1002, MASTER_STAT_TAKEN);
    master_avail_status(serv);
    cr_assert_not(master_avail_wanted(serv, master_now()), "at maxproc 2");
    report(serv, 1001, MASTER_STAT_AVAIL);
    master_avail_status(serv);
    cr_assert_eq(serv->avail_count, 1);
    cr_assert_eq(p1->avail, 1);
}

Test(master_avail, hostile_reports_are_ignored)
{
    struct master_serv *serv = make_serv("svc unix n - n - 3 test_echo\n");
    struct master_proc *p1 = add_proc(serv, 2001);

    report(serv, 9999, MASTER_STAT_TAKEN);	/* not ours */
    report(serv, 0, MASTER_STAT_TAKEN);
    report(serv, -5, MASTER_STAT_TAKEN);
    report(serv, 2001, 42);			/* unknown value */
    report(serv, 2001, -1);
    master_avail_status(serv);
    cr_assert_eq(serv->avail_count, 1);
    cr_assert_eq(p1->uses, 0);
    cr_assert_eq(p1->avail, 1);
    cr_assert_eq(serv->total_count, 1);
}

Test(master_avail, report_split_across_reads)
{
    struct master_serv *serv = make_serv("svc unix n - n - 3 test_echo\n");
    struct master_proc *p1 = add_proc(serv, 3001);
    struct master_status st = {3001, MASTER_STAT_TAKEN};
    unsigned char *bytes = (unsigned char *) &st;

    cr_assert_eq(write(serv->status_fd[1], bytes, 3), 3);
    master_avail_status(serv);
    cr_assert_eq(p1->uses, 0, "half a report does nothing");
    cr_assert_eq(serv->status_len, 3);
    cr_assert_eq(write(serv->status_fd[1], bytes + 3, sizeof(st) - 3),
		 (ssize_t) (sizeof(st) - 3));
    master_avail_status(serv);
    cr_assert_eq(p1->uses, 1);
    cr_assert_eq(serv->avail_count, 0);
    cr_assert_eq(serv->status_len, 0);
}

Test(master_avail, flood_of_garbage)
{
    struct master_serv *serv = make_serv("svc unix n - n - 3 test_echo\n");
    struct master_proc *p1 = add_proc(serv, 4001);
    unsigned char junk[4096];
    int     i;

    for (i = 0; i < (int) sizeof(junk); i++)
	junk[i] = (unsigned char) (i * 37 + 11);
    cr_assert_eq(write(serv->status_fd[1], junk, sizeof(junk)), (ssize_t) sizeof(junk));
    for (i = 0; i < 100; i++)
	master_avail_status(serv);		/* drains; never crashes */
    cr_assert_eq(serv->total_count, 1);
    cr_assert_leq(serv->avail_count, 1);
    cr_assert_geq(serv->avail_count, 0);
    (void) p1;
}

Test(master_avail, retiring_process_reports_ignored)
{
    struct master_serv *serv = make_serv("svc unix n - n - 3 test_echo\n");
    struct master_proc *p1 = add_proc(serv, 5001);

    p1->retiring = 1;
    serv->avail_count--;
    serv->total_count--;
    p1->avail = 0;
    report(serv, 5001, MASTER_STAT_AVAIL);
    master_avail_status(serv);
    cr_assert_eq(serv->avail_count, 0, "a retiring process is never available");
    cr_assert(master_avail_wanted(serv, master_now()));
}

Test(master_avail, throttle_grows_and_caps)
{
    struct master_serv *serv = make_serv("svc unix n - n - 3 test_echo\n");
    int     want[] = {1, 2, 4, 5, 5};
    size_t  i;

    var_service_throttle_time = 5;
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
	master_throttle(serv);
	cr_assert_eq(serv->throttle_delay, want[i], "crash %zu: %d", i,
		     serv->throttle_delay);
	cr_assert_not(master_avail_wanted(serv, master_now()), "throttled");
    }
    cr_assert(master_avail_wanted(serv, serv->throttle_until + 0.01));
    /* Quiet for longer than service_throttle_time: back to 1 s. */
    serv->throttle_until -= 100;
    master_throttle(serv);
    cr_assert_eq(serv->throttle_delay, 1);
}

Test(master_avail, unlimited_maxproc)
{
    struct master_serv *serv = make_serv("svc unix n - n - 0 test_echo\n");
    int     i;

    for (i = 0; i < 50; i++) {
	add_proc(serv, 6000 + i);
	report(serv, 6000 + i, MASTER_STAT_TAKEN);
	master_avail_status(serv);
	cr_assert(master_avail_wanted(serv, master_now()));
    }
    cr_assert_eq(serv->total_count, 50);
}
