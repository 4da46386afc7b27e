/*
 * test_sandbox.c - sandbox_install() in forked children: an allowed
 * system call works, a forbidden one kills with SIGSYS, /proc shows
 * "Seccomp:\t2", executable mmap is refused, socket() fails softly, and
 * a bad list installs nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "sandbox.h"
#include "vstr.h"

 /*
  * What a test child needs: its own I/O and exit, plus what freeing
  * libseccomp's context may do after the load.
  */
static const char *const test_list[] = {
    "read", "write", "close", "exit_group", "brk", "munmap", "getpid", 0,
};
static const char *const mmap_list[] = {"mmap", 0};

/* run_child - fork, install the lists, run fn; return the wait status */

static int
run_child(const char *const *extra, int (*fn) (void))
{
    const char *const *lists[] = {test_list, extra, 0};
    struct vstr *why = vstr_alloc(10);
    pid_t   pid;
    int     status;

    if (extra == 0)
	lists[1] = 0;
    cr_assert_neq(pid = fork(), -1);
    if (pid == 0) {
	if (sandbox_install(lists, why) < 0)
	    _exit(100);
	_exit(fn());
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    vstr_free(why);
    return (status);
}

static int
do_getpid(void)
{
    return (getpid() > 0 ? 7 : 8);
}

static int
do_getppid(void)
{
    (void) syscall(SYS_getppid);
    return (9);
}

static int
do_ptrace(void)
{
    (void) syscall(SYS_ptrace, 0, 0, 0, 0);
    return (9);
}

static int
do_socket(void)
{
    int     fd = socket(AF_UNIX, SOCK_DGRAM, 0);

    return (fd < 0 && errno == EACCES ? 7 : 8);
}

static int
do_mmap_rw(void)
{
    void   *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    return (p != MAP_FAILED ? 7 : 8);
}

static int
do_mmap_exec(void)
{
    (void) mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return (9);
}

Test(sandbox, allowed_call_works)
{
    int     st = run_child(0, do_getpid);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
}

Test(sandbox, forbidden_call_kills_with_sigsys)
{
    int     st = run_child(0, do_getppid);

    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x", st);
    st = run_child(0, do_ptrace);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x", st);
}

Test(sandbox, socket_fails_softly_when_not_listed)
{
    int     st = run_child(0, do_socket);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
}

Test(sandbox, mmap_without_exec_only)
{
    int     st = run_child(mmap_list, do_mmap_rw);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
    st = run_child(mmap_list, do_mmap_exec);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x", st);
}

Test(sandbox, proc_status_shows_filter_mode)
{
    const char *const *lists[] = {test_list, 0};
    struct vstr *why = vstr_alloc(10);
    char    path[64], buf[4096];
    int     up[2], down[2];
    FILE   *fp;
    pid_t   pid;
    int     st, found = 0;
    char    c;

    cr_assert_eq(pipe(up), 0);
    cr_assert_eq(pipe(down), 0);
    cr_assert_neq(pid = fork(), -1);
    if (pid == 0) {
	close(up[0]);
	close(down[1]);
	if (sandbox_install(lists, why) < 0)
	    _exit(100);
	if (write(up[1], "x", 1) != 1)
	    _exit(101);
	_exit(read(down[0], &c, 1) == 0 ? 0 : 102);
    }
    close(up[1]);
    close(down[0]);
    cr_assert_eq(read(up[0], &c, 1), 1);
    snprintf(path, sizeof(path), "/proc/%ld/status", (long) pid);
    cr_assert_not_null(fp = fopen(path, "r"));
    while (fgets(buf, sizeof(buf), fp))
	if (strcmp(buf, "Seccomp:\t2\n") == 0)
	    found = 1;
    fclose(fp);
    close(down[1]);
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(found, "no Seccomp:\\t2 line");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    vstr_free(why);
}

Test(sandbox, unknown_name_installs_nothing)
{
    static const char *const bad[] = {"read", "no_such_syscall", 0};
    static const char *const empty[] = {"", 0};
    const char *const *lists[] = {bad, 0};
    const char *const *lists2[] = {empty, 0};
    struct vstr *why = vstr_alloc(10);

    cr_assert_eq(sandbox_install(lists, why), -1);
    cr_assert(strstr(vstr_str(why), "no_such_syscall") != 0, "%s", vstr_str(why));
    cr_assert_eq(sandbox_install(lists2, why), -1);
    cr_assert_eq(sandbox_install(0, why), -1);
    cr_assert_eq(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    vstr_free(why);
}

Test(sandbox, resolve)
{
    cr_assert_eq(sandbox_resolve("read"), SYS_read);
    cr_assert_eq(sandbox_resolve("accept4"), SYS_accept4);
    cr_assert_eq(sandbox_resolve("nope"), -1);
    cr_assert_eq(sandbox_resolve(""), -1);
    cr_assert_eq(sandbox_resolve(0), -1);
}
