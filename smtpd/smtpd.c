/*
 * smtpd.c - the postern SMTP server: main() and the per-client service.
 *
 * main() hands the skeleton (util/mail_server.h) a pre_init that opens
 * everything the server needs before chroot (TLS certificate and key,
 * the SASL password table, the restriction tables) and then makes
 * queue_directory the working directory, so that "private/cleanup"
 * resolves the same way inside and outside the chroot. The service
 * callback runs one SMTP session per client (smtpd_proto.c).
 *
 * The client name is "unknown": there is no reverse DNS lookup yet
 * (nothing here may block on DNS); the address is always logged.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "smtpd.h"
#include "smtpd_check.h"
#include "smtpd_sandbox.h"
#include "smtpd_sasl.h"
#include "smtpd_tls.h"

/* smtpd_peer - the client's printable address and port */

static void
smtpd_peer(struct vstream *client, char *addr, size_t len, int *port)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
    socklen_t sslen = sizeof(ss);
    struct in_addr v4;

    *port = 0;
    snprintf(addr, len, "unknown");
    if (getpeername(vstream_fd(client), (struct sockaddr *) &ss, &sslen) < 0)
	return;
    if (ss.ss_family == AF_INET) {
	if (inet_ntop(AF_INET, &sin->sin_addr, addr, len) == 0)
	    snprintf(addr, len, "unknown");
	*port = ntohs(sin->sin_port);
    } else if (ss.ss_family == AF_INET6) {
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
	    memcpy(&v4, sin6->sin6_addr.s6_addr + 12, sizeof(v4));
	    if (inet_ntop(AF_INET, &v4, addr, len) == 0)
		snprintf(addr, len, "unknown");
	} else if (inet_ntop(AF_INET6, &sin6->sin6_addr, addr, len) == 0) {
	    snprintf(addr, len, "unknown");
	}
	*port = ntohs(sin6->sin6_port);
    }
}

/* smtpd_service - one SMTP session */

static void
smtpd_service(struct vstream *client, const char *service UNUSED,
	              char **argv UNUSED)
{
    char    addr[INET6_ADDRSTRLEN + 1];
    struct smtpd_state *state;
    int     port;

    smtpd_peer(client, addr, sizeof(addr), &port);
    state = smtpd_state_alloc(client, addr, port);
    msg_info("connect from %s[%s]", state->client_name, state->client_addr);
    smtpd_proto_session(state);
    if (state->tls_active)
	smtpd_tls_stop(state);
    msg_info("disconnect from %s[%s]", state->client_name, state->client_addr);
    smtpd_state_free(state);
}

/* smtpd_pre_init - open what the chroot will hide */

static void
smtpd_pre_init(const char *service UNUSED, char **argv UNUSED)
{
    (void) smtpd_tls_init();		/* -1: STARTTLS is not offered */
    (void) smtpd_sasl_init();
    (void) smtpd_check_init();
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
}

/* main - hand over to the single-client skeleton */

int
main(int argc, char **argv)
{
    struct mail_server_opts opts;

    memset(&opts, 0, sizeof(opts));
    opts.syscalls = smtpd_sandbox_syscalls();
    opts.pre_init = smtpd_pre_init;
    single_server_main(argc, argv, smtpd_service, &opts);
}
