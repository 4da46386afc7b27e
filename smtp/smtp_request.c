/*
 * deliver_request.c - the SMTP client's side of util/deliver_proto.h on top
 * of util/deliver_request.c (which reads and checks qmgr's request,
 * writes the results and logs the SPEC section 9 lines): what is smtp's
 * own, the relay before any server ("none"), results given recipient by
 * recipient, and the site-failure flag of the final list.
 */
#include "smtp.h"
#include "deliver_proto.h"

/* smtp_request_read - read and check one request; 0 or -1 */

int
smtp_request_read(struct vstream *fp, struct deliver_request *req)
{
    return (deliver_request_read(fp, req, "none"));
}

/* smtp_request_reply - the results, then the final list with the site flag */

int
smtp_request_reply(struct vstream *fp, struct deliver_request *req,
		           int site_fail)
{
    return (deliver_request_reply(fp, req, DEL_ATTR_SITE_FAIL,
				  site_fail != 0));
}

/* smtp_rcpt_pending - how many recipients have no result yet */

int
smtp_rcpt_pending(struct deliver_request *req)
{
    int     n, count = 0;

    for (n = 0; n < req->nrcpt; n++)
	count += !req->rcpt[n].final;
    return (count);
}

/* smtp_result_all - the same result for every recipient still open */

void
smtp_result_all(struct deliver_request *req, int status, const char *dsn,
		        const char *why)
{
    int     n;

    for (n = 0; n < req->nrcpt; n++)
	if (!req->rcpt[n].final)
	    deliver_rcpt_result(req->rcpt + n, status, dsn, why);
}
