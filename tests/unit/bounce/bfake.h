/*
 * bfake.h - a fake cleanup service for the bounce unit tests: a child
 * process that accepts one connection on DIR/private/cleanup (or any
 * path), speaks util/cleanup_proto.h, writes what it received to a
 * dump file (flags, envelope fields, content lines, one per line) and
 * replies as the test asked, or misbehaves in one of several ways; and
 * the fixture shared by the tests that submit to it (bf_setup).
 */
#ifndef BFAKE_H
#define BFAKE_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "attr.h"
#include "btest.h"
#include "cleanup_proto.h"
#include "mail_proto.h"
#include "record.h"
#include "unix_sock.h"
#include "vstream.h"

#define BF_OK		0		/* reply OK with BF_ID */
#define BF_DEFER	1		/* reply DEFER 4.3.0 */
#define BF_REJECT	2		/* reply REJECT with a CR in it */
#define BF_BADID	3		/* OK with an invalid queue ID */
#define BF_BADPROTO	4		/* announce another protocol */
#define BF_CLOSE	5		/* close after the flags */
#define BF_BADSTATUS	6		/* status 42 */
#define BF_GARBAGE	7		/* garbage instead of a reply */
#define BF_SILENT	8		/* read everything, never reply */
#define BF_REJECT_EMPTY	9		/* reply REJECT without a reason */

#define BF_ID		"0000000000CD"

struct bfake {
    pid_t   pid;
    char    dump[1100];
};

/* bf_records - read the record stream, dump it; 0 at the end record */

static int
bf_records(struct vstream *fp, FILE *dump)
{
    struct vstr *buf = vstr_alloc(100);
    struct vstr *line = vstr_alloc(100);
    int     type;

    while ((type = rec_get(fp, buf, REC_DATA_MAX)) > 0) {
	switch (type) {
	case REC_TYPE_SENDER:
	    fprintf(dump, "sender=%s\n", vstr_str(buf));
	    break;
	case REC_TYPE_RCPT:
	    fprintf(dump, "rcpt=%s\n", vstr_str(buf));
	    break;
	case REC_TYPE_PROTOCOL:
	    fprintf(dump, "protocol=%s\n", vstr_str(buf));
	    break;
	case REC_TYPE_FLAGS:
	    fprintf(dump, "envflags=%s\n", vstr_str(buf));
	    break;
	case REC_TYPE_CONT:
	    vstr_memcat(line, vstr_str(buf), vstr_len(buf));
	    break;
	case REC_TYPE_NORM:
	    vstr_memcat(line, vstr_str(buf), vstr_len(buf));
	    fprintf(dump, "line=%s\n", vstr_str(line));
	    vstr_reset(line);
	    break;
	case REC_TYPE_END:
	    vstr_free(buf);
	    vstr_free(line);
	    return (0);
	}
    }
    return (-1);
}

/* bf_child - serve one connection */

static void
bf_child(int lsock, int mode, const char *dump_path)
{
    struct vstream *fp;
    FILE   *dump;
    int     fd, flags = -1;

    alarm(20);
    if ((fd = accept(lsock, 0, 0)) < 0 || (dump = fopen(dump_path, "w")) == 0)
	_exit(2);
    fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_WRITE);
    if (attr_print_protocol(fp, mode == BF_BADPROTO ? "other_protocol" :
			    MAIL_PROTO_CLEANUP) < 0)
	_exit(3);
    if (mode == BF_BADPROTO)
	_exit(0);
    if (attr_scan(fp, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_FLAGS, &flags),
		  ATTR_TYPE_END) != 1)
	_exit(4);
    fprintf(dump, "flags=%d\n", flags);
    if (mode == BF_CLOSE) {
	fclose(dump);
	_exit(0);
    }
    if (bf_records(fp, dump) < 0) {
	fprintf(dump, "truncated\n");
	fclose(dump);
	_exit(0);
    }
    fclose(dump);
    if (mode == BF_SILENT) {
	sleep(10);
	_exit(0);
    }
    if (mode == BF_GARBAGE)
	(void) vstream_puts(fp, "garbage, not an attribute list");
    else
	(void) attr_print(fp, ATTR_FLAG_NONE,
			  SEND_ATTR_INT(MAIL_ATTR_STATUS,
					mode == BF_DEFER ? MAIL_STAT_DEFER :
					mode == BF_REJECT
					|| mode == BF_REJECT_EMPTY ?
					MAIL_STAT_REJECT :
					mode == BF_BADSTATUS ? 42 : MAIL_STAT_OK),
			  SEND_ATTR_STR(MAIL_ATTR_QUEUEID,
					mode == BF_OK ? BF_ID :
					mode == BF_BADID ? "../evil" : ""),
			  SEND_ATTR_STR(MAIL_ATTR_WHY,
					mode == BF_DEFER ? "4.3.0 Error: disk full" :
					mode == BF_REJECT ?
					"5.3.4 Error: too big\r\nX-Evil: 1" : ""),
			  ATTR_TYPE_END);
    _exit(vstream_close(fp) == 0 ? 0 : 5);
}

/* bf_start - listen on path (default: dir/private/cleanup), fork */

static UNUSED void
bf_start(struct bfake *bf, const char *dir, const char *path, int mode)
{
    char    sock[1100];
    int     lsock;

    snprintf(sock, sizeof(sock), "%s/private", dir);
    (void) mkdir(sock, 0700);
    if (path == 0)
	snprintf(sock, sizeof(sock), "%s/%s", dir, CLEANUP_SOCKET);
    else
	snprintf(sock, sizeof(sock), "%s", path);
    snprintf(bf->dump, sizeof(bf->dump), "%s/dump", dir);
    lsock = unix_listen(sock, 5, 0600);
    cr_assert(lsock >= 0, "listen %s", sock);
    bf->pid = fork();
    cr_assert(bf->pid >= 0);
    if (bf->pid == 0)
	bf_child(lsock, mode, bf->dump);
    close(lsock);
}

/* bf_wait - the child's exit status (0: served as asked) */

static UNUSED int
bf_wait(struct bfake *bf, int stop)
{
    int     status;

    if (stop)
	kill(bf->pid, SIGTERM);
    cr_assert_eq(waitpid(bf->pid, &status, 0), bf->pid);
    return (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* bf_dump_has - does the dump hold this exact line? */

static UNUSED int
bf_dump_has(struct bfake *bf, const char *want)
{
    FILE   *fp = fopen(bf->dump, "r");
    char   *line = 0;
    size_t  cap = 0;
    ssize_t n;
    int     found = 0;

    if (fp == 0)
	return (0);
    while (!found && (n = getline(&line, &cap, fp)) > 0) {
	if (line[n - 1] == '\n')
	    line[n - 1] = 0;
	found = (strcmp(line, want) == 0);
    }
    free(line);
    fclose(fp);
    return (found);
}

/*
 * The fixture of the tests that submit to the fake: a fresh queue
 * directory, why and id. Use with TestSuite(name, .init = bf_setup,
 * .fini = bf_teardown).
 */
static UNUSED struct vstr *why;
static UNUSED struct vstr *id;
static UNUSED const char *dir;

static UNUSED void
bf_setup(void)
{
    signal(SIGPIPE, SIG_IGN);		/* as the daemon skeleton does */
    why = vstr_alloc(100);
    id = vstr_alloc(20);
    dir = bt_tmpdir();
}

static UNUSED void
bf_teardown(void)
{
    bt_rmtree();
    vstr_free(why);
    vstr_free(id);
}

#endif
