/* The UDP link: one SMP packet per datagram. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "client/link.h"
#include "transport/udp.h"

struct link_udp {
    struct udp_sock sock;
    char host[256];
    uint16_t port;
};

static int udp_link_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct link_udp *u = ctx;
    int rc = udp_send(&u->sock, pkt, len);
    /* An earlier datagram bounced (the device is not up yet): this one
     * counts as lost, the session's timeout and retry deal with it. */
    return rc == -ECONNREFUSED ? 0 : rc;
}

static int udp_link_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct link_udp *u = ctx;
    for (;;) {
        struct pollfd pfd = { .fd = u->sock.fd, .events = POLLIN };
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (r == 0) {
            return 0;
        }
        ssize_t n = udp_recv(&u->sock, buf, cap, NULL);
        /* A refused datagram (nobody listening yet, e.g. the device is
         * rebooting) reads as an error on a connected socket: it is a
         * lost packet, not a broken link. */
        if (n == -ECONNREFUSED || n == -EAGAIN) {
            return 0;
        }
        return (int)n;
    }
}

static int udp_link_reopen(void *ctx)
{
    struct link_udp *u = ctx;
    udp_close(&u->sock);
    return udp_client_open(&u->sock, u->host, u->port);
}

static void udp_link_close(void *ctx)
{
    struct link_udp *u = ctx;
    udp_close(&u->sock);
    free(u);
}

int link_udp_open(struct client_link *l, const char *host, uint16_t port)
{
    struct link_udp *u = calloc(1, sizeof(*u));
    if (!u) {
        return -ENOMEM;
    }
    if (strlen(host) >= sizeof(u->host)) {
        free(u);
        return -EINVAL;
    }
    strcpy(u->host, host);
    u->port = port;
    int rc = udp_client_open(&u->sock, host, port);
    if (rc) {
        free(u);
        return rc;
    }
    *l = (struct client_link){
        .ctx = u,
        .send = udp_link_send,
        .recv = udp_link_recv,
        .reopen = udp_link_reopen,
        .close = udp_link_close,
        /* The device's buf_size is the real bound; IP fragments what
         * exceeds the path MTU. */
        .mtu = UDP_MAX_DATAGRAM,
        .frame_overhead = 0,
    };
    return 0;
}
