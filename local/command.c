/*
 * command.c - "|command" destinations from aliases and .forward files.
 *
 * The command text comes from the alias table or .forward file, written
 * by its owner; like Postfix it is run as "/bin/sh -c COMMAND" with the
 * owner's rights (default_privs instead of root). No mail data ever
 * becomes part of that text: the envelope reaches the command only
 * through environment variables whose values are filtered
 * (command_expansion_filter, no control characters, bounded), and the
 * message on standard input. The spawn helper (local_spawn.c) does the
 * fork and exec outside local's seccomp filter.
 *
 * Exit status: 0 delivered; EX_TEMPFAIL and EX_OSERR defer; the other
 * sysexits codes bounce with their DSN code; anything else bounces
 * 5.3.0; a signal or the command_time_limit defers. The command's
 * output (bounded) is part of the reason.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "local.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "msg.h"

#define LOCAL_ENV_VALUE_MAX	1000

 /*
  * sysexits.h codes and what they mean for the sender.
  */
static const struct local_sysexit {
    int     code;
    int     status;
    const char *dsn;
    const char *text;
}       local_sysexits[] = {
    {64, MAIL_STAT_BOUNCE, "5.3.0", "command line usage error"},
    {65, MAIL_STAT_BOUNCE, "5.6.0", "data format error"},
    {66, MAIL_STAT_BOUNCE, "5.3.0", "cannot open input"},
    {67, MAIL_STAT_BOUNCE, "5.1.1", "user unknown"},
    {68, MAIL_STAT_BOUNCE, "5.1.2", "host name unknown"},
    {69, MAIL_STAT_BOUNCE, "5.3.0", "service unavailable"},
    {70, MAIL_STAT_BOUNCE, "5.3.0", "internal software error"},
    {71, MAIL_STAT_DEFER, "4.3.0", "system error"},
    {72, MAIL_STAT_BOUNCE, "5.3.0", "critical OS file missing"},
    {73, MAIL_STAT_BOUNCE, "5.2.0", "can't create output file"},
    {74, MAIL_STAT_BOUNCE, "5.3.0", "input/output error"},
    {75, MAIL_STAT_DEFER, "4.3.0", "temporary failure"},
    {76, MAIL_STAT_BOUNCE, "5.5.0", "remote error in protocol"},
    {77, MAIL_STAT_BOUNCE, "5.7.0", "permission denied"},
    {78, MAIL_STAT_BOUNCE, "5.3.5", "configuration error"},
};

/* local_env_value - a value fit for the environment of a command */

void
local_env_value(struct vstr *out, const char *value)
{
    const char *cp;
    const char *filter = var_cmd_exp_filter ? var_cmd_exp_filter : "";

    for (cp = value; *cp && vstr_len(out) < LOCAL_ENV_VALUE_MAX; cp++)
	vstr_addch(out, ((unsigned char) *cp >= ' ' && *cp != 0x7f
			 && strchr(filter, *cp)) ? *cp : '_');
}

/* local_env_add - NAME=filtered value */

static void
local_env_add(struct argv *env, const char *name, const char *value)
{
    struct vstr *buf = vstr_alloc(50);

    vstr_sprintf(buf, "%s=", name);
    local_env_value(buf, value ? value : "");
    argv_add(env, vstr_str(buf));
    vstr_free(buf);
}

/* local_command_env - the whole, clean environment of a command */

void
local_command_env(struct argv *env, const struct local_state *state,
		          const struct local_priv *owner)
{
    struct vstr *local = vstr_alloc(50);

    argv_add(env, "PATH=/usr/bin:/bin");
    argv_add(env, "SHELL=/bin/sh");
    local_env_add(env, "HOME", owner->home ? owner->home : "/");
    local_env_add(env, "USER", owner->name ? owner->name : "");
    local_env_add(env, "LOGNAME", owner->name ? owner->name : "");
    local_env_add(env, "SENDER", state->msg->sender);
    local_env_add(env, "RECIPIENT", vstr_str(state->address));
    local_env_add(env, "ORIGINAL_RECIPIENT", state->orig_rcpt);
    vstr_strcpy(local, vstr_str(state->user));
    if (vstr_len(state->extension) > 0)
	vstr_sprintf_append(local, "%c%s", var_recipient_delimiter[0],
			    vstr_str(state->extension));
    local_env_add(env, "LOCAL", vstr_str(local));
    local_env_add(env, "EXTENSION", vstr_str(state->extension));
    local_env_add(env, "DOMAIN", vstr_str(state->domain));
    vstr_free(local);
}

/* local_command_status - a command's exit as a result */

int
local_command_status(int status, int timed_out, const char *output,
		             struct local_result *res, const char *command)
{
    const struct local_sysexit *sp;
    const char *sep = (output && *output) ? ": " : "";

    if (output == 0)
	output = "";
    if (timed_out) {
	local_result_set(res, MAIL_STAT_DEFER, "4.3.0",
			 "command time limit exceeded: %s", command);
    } else if (status < 0) {
	local_result_set(res, MAIL_STAT_DEFER, "4.3.0",
			 "command died with signal %d%s%s", -status, sep, output);
    } else if (status == 0) {
	local_result_set(res, MAIL_STAT_OK, "2.0.0",
			 "delivered to command: %s", command);
    } else {
	for (sp = local_sysexits; sp < local_sysexits + ARRAY_LEN(local_sysexits);
	     sp++)
	    if (sp->code == status)
		break;
	if (sp < local_sysexits + ARRAY_LEN(local_sysexits))
	    local_result_set(res, sp->status, sp->dsn, "Command %s (exit %d)"
			     "%s%s", sp->text, status, sep, output);
	else
	    local_result_set(res, MAIL_STAT_BOUNCE, "5.3.0",
			     "Command died with status %d%s%s", status, sep,
			     output);
    }
    return (res->status);
}

/* local_command_input - the message copy for standard input */

static int
local_command_input(struct local_state *state, struct vstr *why)
{
    int     fd;

    if ((fd = memfd_create("postern-local", MFD_CLOEXEC)) < 0) {
	vstr_fail(why, "memfd_create: %m");
	return (-1);
    }
    if (local_msg_copy(state->msg, fd, vstr_str(state->address),
		       LOCAL_COPY_FROM, 0, why) < 0
	|| lseek(fd, 0, SEEK_SET) < 0) {
	(void) close(fd);
	return (-1);
    }
    return (fd);
}

/* local_command - run a command with the message on its input */

void
local_command(struct local_state *state, const char *command)
{
    struct local_spawn_req req;
    struct local_spawn_reply reply;
    struct argv *env;
    struct vstr *why;
    struct vstr *key;

    while (*command == ' ' || *command == '\t')
	command++;
    key = vstr_alloc(100);
    vstr_sprintf(key, "%ld:%s", (long) state->owner->uid, command);
    if (*command == 0 || local_is_dup(state, "command", vstr_str(key))) {
	if (*command == 0)
	    local_result_text(state->result, MAIL_STAT_BOUNCE,
			      "5.3.5 empty command in alias or forward list");
	vstr_free(key);
	return;
    }
    vstr_free(key);
    why = vstr_alloc(100);
    env = argv_alloc(16);
    reply.output = vstr_alloc(100);
    local_command_env(env, state, state->owner);
    memset(&req, 0, sizeof(req));
    req.uid = state->owner->uid;
    req.gid = state->owner->gid;
    req.command = command;
    req.home = state->owner->home ? state->owner->home : "/";
    req.env = env;
    req.time_limit = var_command_time_limit;
    if ((req.input_fd = local_command_input(state, why)) < 0
	|| local_spawn_request(&req, &reply, why) < 0)
	local_result_set(state->result, MAIL_STAT_DEFER, "4.3.0",
			 "cannot run command: %s", vstr_str(why));
    else
	(void) local_command_status(reply.status, reply.timed_out,
				    vstr_str(reply.output), state->result,
				    command);
    if (req.input_fd >= 0)
	(void) close(req.input_fd);
    argv_free(env);
    vstr_free(reply.output);
    vstr_free(why);
}
