/*
 * mail_queue.c - queue names, queue file paths and queue IDs (see
 * mail_queue.h; the directory tree is made by mail_queue_tree.c).
 *
 * A queue ID is time-ordered and unique: 6+4 base-62 digits of arrival
 * time, then the inode number of the file in base 62. Every ID that
 * comes from outside is checked with mail_queue_id_ok() before it is
 * used in a path.
 */
#include <string.h>
#include <unistd.h>
#include <sys/time.h>

#include "msg.h"
#include "vstr.h"
#include "mail_queue.h"

#define MQ_SEC_DIGITS	6
#define MQ_USEC_DIGITS	4
#define MQ_TIME_DIGITS	(MQ_SEC_DIGITS + MQ_USEC_DIGITS)
#define MQ_INUM_MIN	(MAIL_QUEUE_ID_MIN - MQ_TIME_DIGITS)
#define MQ_INUM_MAX	(MAIL_QUEUE_ID_MAX - MQ_TIME_DIGITS)
#define MQ_BASE		62

static const char *mail_queue_names[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, MAIL_QUEUE_CORRUPT,
    MAIL_QUEUE_BOUNCE, MAIL_QUEUE_DEFER, MAIL_QUEUE_PRIVATE,
    MAIL_QUEUE_PUBLIC, MAIL_QUEUE_PID,
};

static const char *mail_queue_hashed_names[] = {
    MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
    MAIL_QUEUE_HOLD, MAIL_QUEUE_BOUNCE, MAIL_QUEUE_DEFER,
};

/* mail_queue_in_list - is name one of list? */

static int
mail_queue_in_list(const char *name, const char **list, size_t n)
{
    size_t  i;

    if (name == 0)
	return (0);
    for (i = 0; i < n; i++)
	if (strcmp(name, list[i]) == 0)
	    return (1);
    return (0);
}

/* mail_queue_name_ok - is this a known queue? */

int
mail_queue_name_ok(const char *queue_name)
{
    return (mail_queue_in_list(queue_name, mail_queue_names,
			       ARRAY_LEN(mail_queue_names)));
}

/* mail_queue_hashed - does this queue have hash subdirectories? */

int
mail_queue_hashed(const char *queue_name)
{
    return (mail_queue_in_list(queue_name, mail_queue_hashed_names,
			       ARRAY_LEN(mail_queue_hashed_names)));
}

/* mail_queue_digit - value of a base-62 digit, or -1 */

static int
mail_queue_digit(int ch)
{
    if (ch >= '0' && ch <= '9')
	return (ch - '0');
    if (ch >= 'A' && ch <= 'Z')
	return (ch - 'A' + 10);
    if (ch >= 'a' && ch <= 'z')
	return (ch - 'a' + 36);
    return (-1);
}

/* mail_queue_id_ok - 12..20 characters of [0-9A-Za-z] */

int
mail_queue_id_ok(const char *queue_id)
{
    size_t  len;

    if (queue_id == 0)
	return (0);
    for (len = 0; queue_id[len] != 0; len++)
	if (len >= MAIL_QUEUE_ID_MAX || mail_queue_digit(queue_id[len]) < 0)
	    return (0);
    return (len >= MAIL_QUEUE_ID_MIN);
}

/* mail_queue_path - path of a queue file relative to queue_directory */

int
mail_queue_path(struct vstr *buf, const char *queue_name, const char *queue_id)
{
    vstr_reset(buf);
    if (!mail_queue_name_ok(queue_name) || !mail_queue_id_ok(queue_id))
	return (-1);
    if (mail_queue_hashed(queue_name))
	vstr_sprintf(buf, "%s/%c/%s", queue_name,
		     queue_id[MAIL_QUEUE_HASH_POS], queue_id);
    else
	vstr_sprintf(buf, "%s/%s", queue_name, queue_id);
    return (0);
}

/* mail_queue_encode - append val as exactly width base-62 digits */

static int
mail_queue_encode(struct vstr *id, unsigned long long val, int width)
{
    char    digits[MQ_INUM_MAX];
    int     i;

    for (i = width - 1; i >= 0; i--) {
	digits[i] = MAIL_QUEUE_ALPHABET[val % MQ_BASE];
	val /= MQ_BASE;
    }
    if (val != 0)
	return (-1);
    vstr_memcat(id, digits, (size_t) width);
    return (0);
}

/* mail_queue_id_make - encode arrival time and inode number */

int
mail_queue_id_make(struct vstr *id, const struct timeval *tv,
		           unsigned long long inum)
{
    unsigned long long top;
    int     width;

    vstr_reset(id);
    if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
	return (-1);
    for (width = MQ_INUM_MIN, top = MQ_BASE * MQ_BASE;
	 width < MQ_INUM_MAX && inum >= top; width++)
	top *= MQ_BASE;
    if (mail_queue_encode(id, (unsigned long long) tv->tv_sec,
			  MQ_SEC_DIGITS) < 0
	|| mail_queue_encode(id, (unsigned long long) tv->tv_usec,
			     MQ_USEC_DIGITS) < 0
	|| mail_queue_encode(id, inum, width) < 0) {
	vstr_reset(id);
	return (-1);
    }
    return (0);
}

/* mail_queue_id_next - ID for a new file, time strictly increasing */

int
mail_queue_id_next(struct vstr *id, unsigned long long inum)
{
    struct timeval now;

    mail_queue_id_stamp(&now);
    return (mail_queue_id_make(id, &now, inum));
}

/* mail_queue_id_stamp - a time stamp no other ID of this process has */

void
mail_queue_id_stamp(struct timeval *stamp)
{
    static struct timeval last;
    struct timeval now;

    if (gettimeofday(&now, (struct timezone *) 0) < 0)
	msg_fatal("gettimeofday: %m");

    /*
     * Two IDs made by this process never share a time stamp, even when
     * the clock is coarse or steps back: move "now" just past the last.
     */
    if (now.tv_sec < last.tv_sec
	|| (now.tv_sec == last.tv_sec && now.tv_usec <= last.tv_usec)) {
	now = last;
	if (++now.tv_usec >= 1000000) {
	    now.tv_usec = 0;
	    now.tv_sec++;
	}
    }
    last = now;
    *stamp = now;
}

/* mail_queue_id_time - decode the arrival time of a queue ID */

int
mail_queue_id_time(const char *queue_id, struct timeval *tv)
{
    unsigned long long sec = 0;
    unsigned long usec = 0;
    int     i;

    if (!mail_queue_id_ok(queue_id))
	return (-1);
    for (i = 0; i < MQ_SEC_DIGITS; i++)
	sec = sec * MQ_BASE + (unsigned) mail_queue_digit(queue_id[i]);
    for (i = MQ_SEC_DIGITS; i < MQ_TIME_DIGITS; i++)
	usec = usec * MQ_BASE + (unsigned) mail_queue_digit(queue_id[i]);
    if (usec >= 1000000)
	return (-1);
    tv->tv_sec = (time_t) sec;
    tv->tv_usec = (suseconds_t) usec;
    return (0);
}

/* mail_queue_temp_name - a name that can never be a queue ID */

int
mail_queue_temp_name(struct vstr *name)
{
    static unsigned long counter;
    struct timeval now;

    if (gettimeofday(&now, (struct timezone *) 0) < 0)
	msg_fatal("gettimeofday: %m");
    vstr_sprintf(name, "tmp.%ld.%lu.%ld", (long) getpid(), ++counter,
		 (long) now.tv_usec);
    return (0);
}

/* mail_queue_temp_ok - is this a name made by mail_queue_temp_name? */

int
mail_queue_temp_ok(const char *name)
{
    const char *cp;
    int     dots = 0;

    if (name == 0 || strncmp(name, "tmp.", 4) != 0 || strlen(name) > 64)
	return (0);
    for (cp = name + 4; *cp; cp++) {
	if (*cp == '.') {
	    if (cp[-1] == '.' || cp[1] == 0)
		return (0);
	    dots++;
	} else if (*cp < '0' || *cp > '9') {
	    return (0);
	}
    }
    return (dots == 2);
}
