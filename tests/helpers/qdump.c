/*
 * qdump.c - test helper: print a queue file as one JSON object, read with
 * the real queue-file reader (util/queue_read.c), so integration tests
 * see exactly what qmgr would see, and a file the reader refuses fails.
 *
 * Usage: qdump PATH. Output: {"sender":..,"client_name":..,
 * "client_addr":..,"helo":..,"protocol":..,"sasl_user":..,"flags":N,
 * "dsn_ret":N,"dsn_envid":..,"size":N,"recipients":[{"address":..,
 * "orcpt":..,"notify":N,"done":B},..],"lines":[..]}. Absent strings are
 * null. Every byte outside printable ASCII (and '"', '\\') is written as
 * \u00XX, so a string's code points are its bytes (Python: .encode(
 * "latin-1") gives them back). Exit 0, or 1 with the reason on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_file.h"
#include "vstr.h"

#define QDUMP_LINE_MAX	(1024 * 1024)

/* put_str - a JSON string of len bytes, or null */

static void
put_str(const char *s, size_t len)
{
    size_t  i;
    unsigned char ch;

    if (s == 0) {
	fputs("null", stdout);
	return;
    }
    putchar('"');
    for (i = 0; i < len; i++) {
	ch = (unsigned char) s[i];
	if (ch < 32 || ch > 126 || ch == '"' || ch == '\\')
	    printf("\\u%04x", ch);
	else
	    putchar(ch);
    }
    putchar('"');
}

/* put_cstr - a NUL-terminated string or null */

static void
put_cstr(const char *name, const char *s)
{
    printf("\"%s\":", name);
    put_str(s, s ? strlen(s) : 0);
    putchar(',');
}

/* put_env - the envelope fields */

static void
put_env(struct queue_env *env)
{
    size_t  i;

    putchar('{');
    put_cstr("sender", env->sender);
    put_cstr("client_name", env->client_name);
    put_cstr("client_addr", env->client_addr);
    put_cstr("helo", env->helo);
    put_cstr("protocol", env->protocol);
    put_cstr("sasl_user", env->sasl_user);
    put_cstr("dsn_envid", env->dsn_envid);
    printf("\"flags\":%d,\"dsn_ret\":%d,\"size\":%lld,\"recipients\":[",
	   env->flags, env->dsn_ret, env->size);
    for (i = 0; i < env->rcpt_count; i++) {
	printf("%s{\"address\":", i ? "," : "");
	put_str(env->rcpt[i].address, strlen(env->rcpt[i].address));
	printf(",\"orcpt\":");
	put_str(env->rcpt[i].orcpt, env->rcpt[i].orcpt ?
		strlen(env->rcpt[i].orcpt) : 0);
	printf(",\"notify\":%d,\"done\":%s}", env->rcpt[i].notify,
	       env->rcpt[i].done ? "true" : "false");
    }
    printf("],\"lines\":[");
}

int
main(int argc, char **argv)
{
    struct vstr *why = vstr_alloc(100);
    struct vstr *line = vstr_alloc(100);
    struct queue_reader *r;
    struct queue_env env;
    int     st;
    int     n = 0;

    if (argc != 2) {
	fprintf(stderr, "usage: qdump PATH\n");
	return (1);
    }
    if ((r = queue_read_open(argv[1], 0, why)) == 0
	|| queue_read_envelope(r, &env, why) < 0) {
	fprintf(stderr, "qdump: %s: %s\n", argv[1], vstr_str(why));
	return (1);
    }
    put_env(&env);
    while ((st = queue_read_line(r, line, QDUMP_LINE_MAX, why)) == QUEUE_LINE) {
	printf("%s", n++ ? "," : "");
	put_str(vstr_str(line), vstr_len(line));
    }
    if (st != QUEUE_END) {
	fflush(stdout);
	fprintf(stderr, "\nqdump: %s: %s\n", argv[1],
		st == QUEUE_PART ? "line too long" : vstr_str(why));
	return (1);
    }
    printf("]}\n");
    queue_env_free(&env);
    queue_read_close(r);
    vstr_free(why);
    vstr_free(line);
    return (0);
}
