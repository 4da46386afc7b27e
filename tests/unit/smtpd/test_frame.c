/*
 * test_frame.c - the DATA/BDAT de-framer (smtpd/smtpd_frame.c): the end
 * of DATA only at "\r\n.\r\n", dot-unstuffing, every SMTP smuggling
 * variant of SECURITY-CASES A1 (never two messages, never a queued
 * message with a bare CR/LF), the same input split at every position,
 * line and size limits, NUL bytes, BDAT mode, and the normalizing mode.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "mymalloc.h"
#include "../../../smtpd/smtpd_frame.h"

struct sink {
    struct vstr *text;			/* lines joined with "\n" */
    int     lines;
    int     fail_after;			/* -1: never fail */
};

static int
sink_line(void *ctx, const char *data, size_t len)
{
    struct sink *sp = ctx;

    if (sp->fail_after >= 0 && sp->lines >= sp->fail_after)
	return (-1);
    vstr_memcat(sp->text, data, len);
    vstr_addch(sp->text, '\n');
    sp->lines++;
    return (0);
}

/* run - feed input in pieces of at most step bytes (0: one piece) */

static size_t
run(struct smtpd_frame *fr, struct sink *sp, int mode, int forbid,
    long long max, const char *in, size_t len, size_t step)
{
    size_t  used = 0;
    size_t  n;

    sp->text = vstr_alloc(100);
    sp->lines = 0;
    sp->fail_after = -1;
    smtpd_frame_init(fr, mode, forbid, max, sink_line, sp);
    while (used < len && !fr->done) {
	n = step && len - used > step ? step : len - used;
	n = smtpd_frame_feed(fr, in + used, n);
	used += n;
	if (n == 0)
	    break;
    }
    return (used);
}

static void
done(struct smtpd_frame *fr, struct sink *sp)
{
    smtpd_frame_free(fr);
    vstr_free(sp->text);
}

Test(frame, simple_message_and_unstuffing)
{
    static const char in[] = "Subject: x\r\n\r\n..dot\r\n.\r\nbody\r\n.\r\nQUIT\r\n";
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);
    size_t  used;

    used = run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, strlen(in), 0);
    cr_assert(fr.done);
    cr_assert_eq(used, strlen("Subject: x\r\n\r\n..dot\r\n.\r\n"));
    cr_assert_str_eq(vstr_str(sk.text), "Subject: x\n\n.dot\n");
    cr_assert_eq(smtpd_frame_status(&fr, reply), 0);
    done(&fr, &sk);
    /* An empty message: the first line is the end. */
    used = run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, ".\r\n", 3, 0);
    cr_assert(fr.done);
    cr_assert_eq(used, 3);
    cr_assert_eq(sk.lines, 0);
    done(&fr, &sk);
    vstr_free(reply);
}

 /*
  * A1: each separator between a legitimate message and a smuggled one.
  * The smuggled text must stay inside the first (and only) message, the
  * end must be the final "\r\n.\r\n", and the message must be refused.
  */
static const char *const smuggle_seps[] = {
    "\n.\n", "\r\n.\n", "\n.\r\n", "\r.\r", "\r.\r\n", "\r\n.\r", "\r.\n",
    "\r\n.\r\r\n", "\r\n\0.\r\n",
};

static size_t
smuggle_input(char *buf, const char *sep, size_t seplen)
{
    static const char head[] = "From: a@attacker.example\r\n\r\nbody";
    static const char tail[] = "MAIL FROM:<ceo@our.example>\r\nRCPT TO:<v@our.example>\r\n"
    "DATA\r\nSubject: smuggled\r\n\r\nwire money\r\n.\r\n";
    size_t  n = 0;

    memcpy(buf, head, sizeof(head) - 1);
    n += sizeof(head) - 1;
    memcpy(buf + n, sep, seplen);
    n += seplen;
    memcpy(buf + n, tail, sizeof(tail) - 1);
    n += sizeof(tail) - 1;
    return (n);
}

Test(frame, smuggling_variants_every_split)
{
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);
    char    in[512];
    size_t  len;
    size_t  i;
    size_t  step;
    size_t  used;
    int     code;

    for (i = 0; i < sizeof(smuggle_seps) / sizeof(smuggle_seps[0]); i++) {
	len = smuggle_input(in, smuggle_seps[i], i == 8 ? 6 : strlen(smuggle_seps[i]));
	for (step = 0; step <= len; step++) {
	    used = run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, len, step);
	    cr_assert(fr.done, "variant %zu step %zu: no end", i, step);
	    cr_assert_eq(used, len, "variant %zu step %zu: ended at %zu of %zu",
			 i, step, used, len);
	    code = smtpd_frame_status(&fr, reply);
	    cr_assert(code == 550 || code == 554, "variant %zu: code %d", i, code);
	    done(&fr, &sk);
	}
    }
    vstr_free(reply);
}

Test(frame, every_split_same_lines)
{
    static const char in[] = "a\r\n..b\r\n\r\n.c\r\nlast line\r\n.\r\nNEXT";
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);
    size_t  step;
    size_t  used;

    for (step = 1; step <= sizeof(in); step++) {
	used = run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, strlen(in), step);
	cr_assert_eq(used, strlen(in) - 4, "step %zu", step);
	cr_assert_str_eq(vstr_str(sk.text), "a\n.b\n\nc\nlast line\n", "step %zu", step);
	cr_assert_eq(smtpd_frame_status(&fr, reply), 0);
	done(&fr, &sk);
    }
    vstr_free(reply);
}

Test(frame, normalize_mode_still_ends_only_at_crlf_dot_crlf)
{
    static const char in[] = "a\nb\n.\nc\r\n.\r\n";
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);

    cr_assert_eq(run(&fr, &sk, SMTPD_FRAME_DATA, 0, 0, in, strlen(in), 0), strlen(in));
    cr_assert(fr.flags & SMTPD_FRAME_BARE_LF);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 0);
    cr_assert_str_eq(vstr_str(sk.text), "a\nb\n\nc\n");
    done(&fr, &sk);
    vstr_free(reply);
}

Test(frame, long_line_rejected_and_end_still_found)
{
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);
    static char in[30000];
    size_t  len;

    /* 998 + CRLF is the longest good line. */
    memset(in, 'x', 998);
    memcpy(in + 998, "\r\n.\r\n", 5);
    len = 1003;
    run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, len, 0);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 0);
    done(&fr, &sk);
    /* 999 + CRLF is too long; a 20000-byte line too, fed in small steps. */
    memset(in, 'x', 20000);
    memcpy(in + 20000, "\r\n.\r\n", 5);
    len = 20005;
    cr_assert_eq(run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, len, 7), len);
    cr_assert(fr.done);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 500);
    cr_assert_eq(sk.lines, 0);
    cr_assert(vstr_len(fr.line) <= SMTPD_FRAME_LINE_MAX);
    done(&fr, &sk);
    memset(in, 'x', 999);
    memcpy(in + 999, "\r\n.\r\n", 5);
    run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, 1004, 0);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 500);
    done(&fr, &sk);
    /* A long line that ends in a bare LF: the next "." is no end. */
    memset(in, 'x', 2000);
    memcpy(in + 2000, "\n.\r\nmore\r\n.\r\n", 13);
    cr_assert_eq(run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, 2013, 0), 2013);
    done(&fr, &sk);
    vstr_free(reply);
}

Test(frame, size_limit)
{
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);
    static const char in[] = "0123456789\r\n0123456789\r\n.\r\n";

    /* Two lines of 10 + 2 = 24 bytes. */
    run(&fr, &sk, SMTPD_FRAME_DATA, 1, 24, in, strlen(in), 0);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 0);
    done(&fr, &sk);
    run(&fr, &sk, SMTPD_FRAME_DATA, 1, 23, in, strlen(in), 0);
    cr_assert(fr.done);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 552);
    cr_assert(strncmp(vstr_str(reply), "552 5.3.4", 9) == 0);
    cr_assert_eq(sk.lines, 1, "lines after the limit still passed on");
    done(&fr, &sk);
    vstr_free(reply);
}

Test(frame, nul_and_sink_failure)
{
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);
    static const char in[] = "a\0b\r\n.\r\n";

    run(&fr, &sk, SMTPD_FRAME_DATA, 1, 0, in, sizeof(in) - 1, 0);
    cr_assert(fr.done);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 554);
    cr_assert_eq(sk.lines, 0);
    done(&fr, &sk);

    sk.text = vstr_alloc(10);
    sk.lines = 0;
    sk.fail_after = 1;
    smtpd_frame_init(&fr, SMTPD_FRAME_DATA, 1, 0, sink_line, &sk);
    smtpd_frame_feed(&fr, "a\r\nb\r\nc\r\n.\r\n", 12);
    cr_assert(fr.done);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 451);
    done(&fr, &sk);
    vstr_free(reply);
}

Test(frame, bdat_mode)
{
    struct smtpd_frame fr;
    struct sink sk;
    struct vstr *reply = vstr_alloc(10);
    static const char in[] = "a\r\n.\r\n..b\r\nlast";

    /* No end marker, no unstuffing; the last partial line at finish. */
    cr_assert_eq(run(&fr, &sk, SMTPD_FRAME_BDAT, 1, 0, in, strlen(in), 3), strlen(in));
    cr_assert(!fr.done);
    smtpd_frame_finish(&fr);
    cr_assert(fr.done);
    cr_assert_str_eq(vstr_str(sk.text), "a\n.\n..b\nlast\n");
    cr_assert_eq(smtpd_frame_status(&fr, reply), 0);
    done(&fr, &sk);
    /* A trailing CR at the end of the last chunk is a bare CR. */
    run(&fr, &sk, SMTPD_FRAME_BDAT, 1, 0, "a\r\nb\r", 5, 0);
    smtpd_frame_finish(&fr);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 550);
    done(&fr, &sk);
    /* Bare LF in BDAT content. */
    run(&fr, &sk, SMTPD_FRAME_BDAT, 1, 0, "a\nb\r\n", 5, 0);
    smtpd_frame_finish(&fr);
    cr_assert_eq(smtpd_frame_status(&fr, reply), 550);
    cr_assert(strstr(vstr_str(reply), "<LF>") != 0);
    done(&fr, &sk);
    vstr_free(reply);
}
