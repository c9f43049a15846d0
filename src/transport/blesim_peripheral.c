#include "transport/blesim_peripheral.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/blesim_spec.h"

int blesim_peripheral_open(struct blesim_peripheral *b, const char *path)
{
    memset(b, 0, sizeof(*b));
    b->listen_fd = -1;
    b->conn_fd = -1;
    if (!path || path[0] == '\0') {
        return -EINVAL;
    }
    if (strlen(path) >= sizeof(b->path)) {
        return -ENAMETOOLONG;
    }
    strcpy(b->path, path);
    smp_gatt_reasm_init(&b->reasm, b->pkt, sizeof(b->pkt));

    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, path);
    /* A socket file left by a device that was killed refuses connections
     * and blocks bind: it is ours to replace. */
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4) != 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    b->listen_fd = fd;
    return 0;
}

void blesim_peripheral_disconnect(struct blesim_peripheral *b)
{
    if (b->conn_fd >= 0) {
        close(b->conn_fd);
        b->conn_fd = -1;
    }
    b->have_params = false;
    smp_gatt_reasm_reset(&b->reasm);
}

void blesim_peripheral_close(struct blesim_peripheral *b)
{
    blesim_peripheral_disconnect(b);
    if (b->listen_fd >= 0) {
        close(b->listen_fd);
        b->listen_fd = -1;
        unlink(b->path);
    }
}

int blesim_peripheral_fd(const struct blesim_peripheral *b)
{
    return b->conn_fd >= 0 ? b->conn_fd : b->listen_fd;
}

bool blesim_peripheral_connected(const struct blesim_peripheral *b)
{
    return b->conn_fd >= 0 && b->have_params;
}

static int take_hello(struct blesim_peripheral *b, const char *msg, size_t len)
{
    char text[128];
    size_t plen = strlen(BLESIM_HELLO_PREFIX);
    if (len <= plen || len >= sizeof(text) || memcmp(msg, BLESIM_HELLO_PREFIX, plen) != 0) {
        return -EPROTO;
    }
    memcpy(text, msg + plen, len - plen);
    text[len - plen] = '\0';
    struct blesim_params p;
    blesim_params_default(&p);
    if (blesim_params_parse(text, &p) != 0) {
        return -EPROTO;
    }
    b->params = p;
    b->have_params = true;
    return 0;
}

int blesim_peripheral_read(struct blesim_peripheral *b, const uint8_t **pkt, size_t *len)
{
    if (b->conn_fd < 0) {
        int fd = accept4(b->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED ? 0 : -errno;
        }
        b->conn_fd = fd;
        b->have_params = false;
        smp_gatt_reasm_reset(&b->reasm);
        return 0;
    }
    uint8_t msg[BLESIM_ATT_MTU_MAX];
    ssize_t n = recv(b->conn_fd, msg, sizeof(msg), MSG_TRUNC);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) {
            return 0;
        }
        /* The central's end broke: a lost connection, not a device fault. */
        blesim_peripheral_disconnect(b);
        return 0;
    }
    if (n == 0) {
        blesim_peripheral_disconnect(b);
        return 0;
    }
    if (!b->have_params) {
        if (take_hello(b, (const char *)msg, (size_t)n) != 0) {
            /* Not a central of ours: drop it as a controller drops a
             * connection that fails its setup. */
            blesim_peripheral_disconnect(b);
        }
        return 0;
    }
    if ((size_t)n + BLESIM_ATT_HDR > b->params.att_mtu) {
        /* Longer than the ATT MTU allows: no GATT server would take it. */
        smp_gatt_reasm_reset(&b->reasm);
        return 0;
    }
    int rc = smp_gatt_reasm_feed(&b->reasm, msg, (size_t)n, pkt, len);
    return rc == 1 ? 1 : 0;
}

int blesim_peripheral_notify(struct blesim_peripheral *b, const uint8_t *pkt, size_t len)
{
    if (!blesim_peripheral_connected(b)) {
        return -ENOTCONN;
    }
    struct smp_gatt_splitter sp;
    if (smp_gatt_split_init(&sp, pkt, len, b->params.att_mtu) != 0) {
        return -EINVAL;
    }
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        ssize_t n;
        for (;;) {
            n = send(b->conn_fd, piece, piece_len, MSG_NOSIGNAL);
            if (n >= 0 || (errno != EAGAIN && errno != EINTR)) {
                break;
            }
            if (errno == EAGAIN) {
                /* The central has not read yet: its socket buffer is the
                 * controller's queue, wait for room. */
                struct pollfd pfd = { .fd = b->conn_fd, .events = POLLOUT };
                poll(&pfd, 1, -1);
            }
        }
        if (n < 0) {
            int rc = -errno;
            blesim_peripheral_disconnect(b);
            return rc == -EPIPE || rc == -ECONNRESET ? -ENOTCONN : rc;
        }
    }
    return 0;
}
