/*
 * sandbox.c - the libseccomp wrapper behind every daemon's allow-list
 * (see sandbox.h).
 *
 * The filter is built from names so that each list reads like the
 * documentation of what its code does; a name that does not resolve is
 * a bug in a list and nothing is installed. Default action: kill the
 * whole process (SIGSYS), also for a system call of another ABI (i386
 * int 0x80, x32) on this machine.
 *
 * Sanitizer builds: the ASan/UBSan run-time makes system calls of its
 * own (shadow memory, its allocator, reports); those are added here,
 * only under __SANITIZE_ADDRESS__, so that production filters stay
 * short.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <seccomp.h>

#include "mymalloc.h"
#include "sandbox.h"

#ifdef __SANITIZE_ADDRESS__

 /*
  * What the sanitizer run-time needs after start-up: its allocator and
  * quarantine (mmap/munmap/madvise/mprotect), per-thread signal stacks
  * and deadly-signal handlers (sigaltstack, rt_sigaction), its
  * internal locks (futex, sched_yield), and what it does to print a
  * report (open and read /proc/self/maps, readlink /proc/self/exe,
  * prctl, getrlimit, write to stderr).
  */
static const char *const sandbox_asan_syscalls[] = {
    "munmap", "madvise", "mprotect", "sigaltstack", "rt_sigaction",
    "rt_sigprocmask", "prctl", "futex", "sched_yield", "openat",
    "newfstatat", "fstat", "readlinkat", "prlimit64", "getrlimit",
    "gettid", "tgkill", "getpid", "write", "read", "close", "lseek",
    "exit_group", "clock_gettime",
#ifdef __NR_readlink
    "readlink",
#endif
#ifdef __NR_open
    "open",
#endif
#ifdef __NR_mmap
    "mmap",
#endif
    0,
};

 /*
  * LeakSanitizer's check at exit needs ptrace and /proc, which a
  * sandboxed (and often chrooted) process cannot have: it would turn
  * every normal exit into status 1. ASAN_OPTIONS can still override.
  */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
    return ("detect_leaks=0");
}

#endif

/* sandbox_resolve - name to native system call number, or -1 */

long
sandbox_resolve(const char *name)
{
    int     nr;

    if (name == 0 || *name == 0)
	return (-1);
    nr = seccomp_syscall_resolve_name(name);
    /* __NR_SCMP_ERROR, or a pseudo number for another architecture. */
    return (nr < 0 ? -1 : nr);
}

/* sandbox_listed - is this name in one of the lists? */

static int
sandbox_listed(const char *const *const *lists, const char *name)
{
    const char *const *const *lp;
    const char *const *np;

    for (lp = lists; *lp; lp++)
	for (np = *lp; *np; np++)
	    if (strcmp(*np, name) == 0)
		return (1);
    return (0);
}

/* sandbox_rule - add one allow rule, with the PROT_EXEC restriction */

static int
sandbox_rule(scmp_filter_ctx ctx, const char *name, int nr)
{
    if (strcmp(name, "mmap") == 0 || strcmp(name, "mprotect") == 0)
	return (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)));
    return (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0));
}

/* sandbox_add_list - resolve and add each name of one list once */

static int
sandbox_add_list(scmp_filter_ctx ctx, const char *const *names,
		         unsigned char *seen, size_t seen_len,
		         struct vstr *why)
{
    const char *const *np;
    long    nr;
    int     err;

    for (np = names; *np; np++) {
	if ((nr = sandbox_resolve(*np)) < 0) {
	    vstr_sprintf(why, "unknown system call name \"%s\" in an allow-list", *np);
	    return (-1);
	}
	if ((size_t) nr < seen_len) {
	    if (seen[nr])
		continue;
	    seen[nr] = 1;
	}
	if ((err = sandbox_rule(ctx, *np, (int) nr)) < 0) {
	    vstr_sprintf(why, "seccomp_rule_add %s: %s", *np, strerror(-err));
	    return (-1);
	}
    }
    return (0);
}

/* sandbox_build - fill the filter from the lists */

static int
sandbox_build(scmp_filter_ctx ctx, const char *const *const *lists,
	              struct vstr *why)
{
    const char *const *const *lp;
    unsigned char seen[1024];
    long    nr;
    int     err;

    memset(seen, 0, sizeof(seen));
    if ((err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				SCMP_ACT_KILL_PROCESS)) < 0) {
	vstr_sprintf(why, "seccomp_attr_set: %s", strerror(-err));
	return (-1);
    }
    for (lp = lists; *lp; lp++)
	if (sandbox_add_list(ctx, *lp, seen, sizeof(seen), why) < 0)
	    return (-1);
#ifdef __SANITIZE_ADDRESS__
    if (sandbox_add_list(ctx, sandbox_asan_syscalls, seen, sizeof(seen), why) < 0)
	return (-1);
#endif
    /* syslog() reconnecting must fail softly (see sandbox.h). */
    if (!sandbox_listed(lists, "socket")) {
	if ((nr = sandbox_resolve("socket")) < 0) {
	    vstr_sprintf(why, "cannot resolve system call \"socket\"");
	    return (-1);
	}
	if ((err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), (int) nr, 0)) < 0) {
	    vstr_sprintf(why, "seccomp_rule_add socket: %s", strerror(-err));
	    return (-1);
	}
    }
    return (0);
}

/* sandbox_install - build and load the filter */

int
sandbox_install(const char *const *const *lists, struct vstr *why)
{
    scmp_filter_ctx ctx;
    int     err;
    int     ret;

    if (lists == 0) {
	vstr_sprintf(why, "sandbox_install: no allow-list");
	return (-1);
    }
    if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == 0) {
	vstr_sprintf(why, "seccomp_init failed");
	return (-1);
    }
    ret = sandbox_build(ctx, lists, why);
    if (ret == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
	vstr_sprintf(why, "prctl PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	ret = -1;
    }
    if (ret == 0 && (err = seccomp_load(ctx)) < 0) {
	vstr_sprintf(why, "seccomp_load: %s", strerror(-err));
	ret = -1;
    }
    seccomp_release(ctx);
    return (ret);
}
