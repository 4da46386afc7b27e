/*
 * sys_defs.h - compiler attributes and small portability macros shared by
 * every postern source file.
 */
#ifndef SYS_DEFS_H
#define SYS_DEFS_H

#define PRINTFLIKE(f, a) __attribute__((format(printf, (f), (a))))
#define NORETURN __attribute__((noreturn)) void
#define UNUSED __attribute__((unused))

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
