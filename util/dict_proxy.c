/*
 * dict_proxy.c - the proxy: table type: "proxy:TYPE:NAME" asks the
 * proxymap service to look keys up in TYPE:NAME on our behalf, for
 * chrooted daemons that cannot reach the table themselves (the passwd
 * database, files outside queue_directory). See docs/smtpd-check.md.
 *
 * The connection is made on the first lookup, not at open time, so a
 * daemon can open the table in pre_init and use it after chroot. The
 * socket is queue_directory/private/proxymap: before chroot that is
 * var_queue_dir + "/private/proxymap"; after chroot into queue_directory
 * it is "/private/proxymap". Which one applies is decided at connect
 * time by comparing "/" with the queue directory seen at open time.
 */
#include <sys/stat.h>
#include <string.h>

#include "dict.h"
#include "attr.h"
#include "attr_clnt.h"
#include "mail_proto.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "msg.h"

#define DICT_PROXY_KEY_MAX	(64 * 1024)	/* longest key we send */
#define DICT_PROXY_VALUE_MAX	(256 * 1024)	/* longest value accepted */

struct dict_proxy {
    struct dict dict;
    struct attr_clnt *clnt;		/* NULL until the first lookup */
    int     have_qdir;			/* queue_directory seen at open */
    dev_t   qdir_dev;
    ino_t   qdir_ino;
};

static int dict_proxy_lookup(struct dict *, const char *, struct vstr *);
static void dict_proxy_close(struct dict *);
static int dict_proxy_connect(struct dict_proxy *);

/* dict_proxy_connect - a client for the right socket path */

static int
dict_proxy_connect(struct dict_proxy *dp)
{
    static const struct attr_limits lim = {DICT_PROXY_VALUE_MAX,
    DICT_PROXY_VALUE_MAX + 1024, 8};
    struct vstr *path = vstr_alloc(100);
    struct stat root;
    long    tmout = var_ipc_timeout > 3600 ? 3600 : var_ipc_timeout;

    if (dp->have_qdir && stat("/", &root) == 0
	&& root.st_dev == dp->qdir_dev && root.st_ino == dp->qdir_ino)
	vstr_strcpy(path, "");			/* chrooted into it */
    else if (var_queue_dir && *var_queue_dir)
	vstr_strcpy(path, var_queue_dir);
    else {
	vstr_free(path);
	vstr_strcpy(dp->dict.reason, "proxy: queue_directory is not set");
	return (-1);
    }
    vstr_sprintf_append(path, "/%s/%s", MAIL_CLASS_PRIVATE,
			MAIL_SERVICE_PROXYMAP);
    dp->clnt = attr_clnt_create(vstr_str(path), MAIL_PROTO_PROXYMAP,
				(int) (tmout > 0 ? tmout : 60));
    attr_clnt_set_limits(dp->clnt, &lim);
    vstr_free(path);
    return (0);
}

/* dict_proxy_lookup - one request to proxymap */

static int
dict_proxy_lookup(struct dict *dict, const char *key, struct vstr *result)
{
    struct dict_proxy *dp = (struct dict_proxy *) dict;
    int     status = MAIL_PROXY_ERROR;

    if (dp->clnt == 0 && dict_proxy_connect(dp) < 0)
	return (DICT_ERROR);
    if (attr_clnt_request(dp->clnt, ATTR_FLAG_NONE,
			  SEND_ATTR_STR(MAIL_ATTR_REQ, MAIL_REQ_PROXY_LOOKUP),
			  SEND_ATTR_STR(MAIL_ATTR_TABLE, dict->name),
			  SEND_ATTR_INT(MAIL_ATTR_FLAGS, dict->flags),
			  SEND_ATTR_STR(MAIL_ATTR_KEY, key),
			  ATTR_TYPE_END, ATTR_FLAG_STRICT,
			  RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
			  RECV_ATTR_STR(MAIL_ATTR_VALUE, result),
			  ATTR_TYPE_END) != 2) {
	vstr_sprintf(dict->reason, "proxy:%s: proxymap service unavailable",
		     dict->name);
	return (DICT_ERROR);
    }
    switch (status) {
    case MAIL_PROXY_FOUND:
	return (DICT_FOUND);
    case MAIL_PROXY_NOTFOUND:
	vstr_reset(result);
	return (DICT_NOTFOUND);
    default:
	vstr_sprintf(dict->reason, "proxy:%s: lookup failed or table not"
		     " allowed by proxy_read_maps", dict->name);
	return (DICT_ERROR);
    }
}

/* dict_proxy_close - drop the connection and the handle */

static void
dict_proxy_close(struct dict *dict)
{
    struct dict_proxy *dp = (struct dict_proxy *) dict;

    if (dp->clnt)
	attr_clnt_free(dp->clnt);
    dict_free(dict);
}

/* dict_proxy_open - remember the table name; connect later */

struct dict *
dict_proxy_open(const char *name, int flags UNUSED, struct vstr *why)
{
    struct dict_proxy *dp;
    struct vstr *type = vstr_alloc(16);
    const char *inner;
    struct stat st;

    if (dict_split_type(name, type, &inner) < 0 || *inner == 0) {
	vstr_sprintf(why, "proxy:%.100s: expected proxy:type:name", name);
	vstr_free(type);
	return (0);
    }
    if (strcmp(vstr_str(type), "proxy") == 0) {
	vstr_sprintf(why, "proxy:%.100s: nested proxy: table", name);
	vstr_free(type);
	return (0);
    }
    vstr_free(type);
    dp = (struct dict_proxy *) dict_alloc("proxy", name, sizeof(*dp));
    dp->dict.lookup = dict_proxy_lookup;
    dp->dict.close = dict_proxy_close;
    dp->dict.key_max = DICT_PROXY_KEY_MAX;
    dp->dict.fold = 0;				/* the real table folds */
    dp->clnt = 0;
    if (var_queue_dir && *var_queue_dir && stat(var_queue_dir, &st) == 0) {
	dp->have_qdir = 1;
	dp->qdir_dev = st.st_dev;
	dp->qdir_ino = st.st_ino;
    }
    return (&dp->dict);
}
