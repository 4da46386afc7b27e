/*
 * master_sig.c - signals for the master, through a self-pipe.
 *
 * The handlers for SIGCHLD, SIGHUP, SIGTERM, SIGINT and SIGQUIT only
 * write the signal number as one byte to a non-blocking pipe; the event
 * loop polls the read end and does the work (master_sig_next()). SIGPIPE
 * is ignored: a trigger written to a service that went away must not
 * kill the master. master_sig_reset() restores the defaults in a child
 * before execve().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sys_defs.h"
#include "msg.h"
#include "master.h"

static int master_sig_pipe[2] = {-1, -1};

static const int master_sig_list[] = {
    SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT,
};

/* master_sig_handler - async-signal-safe: one byte to the pipe */

static void
master_sig_handler(int sig)
{
    int     saved_errno = errno;
    unsigned char ch = (unsigned char) sig;

    if (write(master_sig_pipe[1], &ch, 1) < 0) {
	/* pipe full: the loop will run anyway; SIGCHLD reaps all */
    }
    errno = saved_errno;
}

/* master_sig_init - create the pipe, install the handlers */

int
master_sig_init(void)
{
    struct sigaction sa;
    size_t  i;

    if (pipe2(master_sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
	return (-1);
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, (struct sigaction *) 0) < 0)
	return (-1);
    sa.sa_handler = master_sig_handler;
    sa.sa_flags = SA_RESTART;
    for (i = 0; i < ARRAY_LEN(master_sig_list); i++)
	if (sigaction(master_sig_list[i], &sa, (struct sigaction *) 0) < 0)
	    return (-1);
    return (0);
}

/* master_sig_fd - the descriptor to poll */

int
master_sig_fd(void)
{
    return (master_sig_pipe[0]);
}

/* master_sig_next - the next pending signal, or 0 */

int
master_sig_next(void)
{
    unsigned char ch;
    ssize_t n;

    while ((n = read(master_sig_pipe[0], &ch, 1)) < 0 && errno == EINTR)
	 /* void */ ;
    if (n < 0 && errno != EAGAIN)
	msg_fatal("read signal pipe: %m");
    return (n == 1 ? ch : 0);
}

/* master_sig_reset - default dispositions, in a child before execve */

void
master_sig_reset(void)
{
    struct sigaction sa;
    sigset_t mask;
    size_t  i;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_DFL;
    for (i = 0; i < ARRAY_LEN(master_sig_list); i++)
	(void) sigaction(master_sig_list[i], &sa, (struct sigaction *) 0);
    (void) sigaction(SIGPIPE, &sa, (struct sigaction *) 0);
    sigemptyset(&mask);
    (void) sigprocmask(SIG_SETMASK, &mask, (sigset_t *) 0);
}
