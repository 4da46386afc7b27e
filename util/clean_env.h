/*
 * clean_env.h - the environment that postern gives the daemons it
 *	starts.
 *
 * SYNOPSIS
 *	#include "clean_env.h"
 *
 *	struct argv *clean_env(const char *config_dir);
 *
 * DESCRIPTION
 *	clean_env() builds the whole environment of a program that
 *	`postern start` (the master) or the master (a service) executes,
 *	as execve() wants it (env->argv): PATH=/usr/bin:/bin,
 *	POSTERN_CONFIG=config_dir, and TZ, ASAN_OPTIONS, UBSAN_OPTIONS and
 *	LSAN_OPTIONS when this process has them. Nothing else of the
 *	caller's environment is passed on (util/master_proto.h). The
 *	caller frees the result with argv_free().
 *
 * DIAGNOSTICS
 *	Memory exhaustion is fatal (mymalloc).
 */
#ifndef CLEAN_ENV_H
#define CLEAN_ENV_H

#include "argv.h"

extern struct argv *clean_env(const char *);

#endif
