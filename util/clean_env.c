/*
 * clean_env.c - the environment of the programs postern starts (see
 * clean_env.h): a fixed PATH, the configuration directory, and the few
 * variables passed through (time zone, sanitizer options).
 */
#include <stdlib.h>

#include "clean_env.h"
#include "sys_defs.h"
#include "vstr.h"

/* clean_env - a fresh environment for execve() */

struct argv *
clean_env(const char *config_dir)
{
    static const char *pass[] = {
	"TZ", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
    };
    struct argv *env = argv_alloc(8);
    struct vstr *buf = vstr_alloc(100);
    const char *val;
    size_t  i;

    argv_add(env, "PATH=/usr/bin:/bin");
    vstr_sprintf(buf, "POSTERN_CONFIG=%s", config_dir);
    argv_add(env, vstr_str(buf));
    for (i = 0; i < ARRAY_LEN(pass); i++) {
	if ((val = getenv(pass[i])) != 0) {
	    vstr_sprintf(buf, "%s=%s", pass[i], val);
	    argv_add(env, vstr_str(buf));
	}
    }
    vstr_free(buf);
    return (env);
}
