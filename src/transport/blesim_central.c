#include "transport/blesim_central.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "transport/blesim_spec.h"
#include "wire/smp_gatt.h"

struct piece {
    uint16_t len;
    uint8_t data[BLESIM_ATT_MTU_MAX];
};

/* Pieces in the order the model carries them: entry i of a ring is value i
 * of the same direction in the model's queue. */
struct ring {
    struct piece p[BLESIM_QUEUE_LEN];
    uint32_t head, tail;
};

struct blesim_central {
    int fd;
    bool peer_gone; /* the device closed its end */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct blesim_params p;
    uint32_t piece;
    uint64_t t0_us; /* monotonic clock at connection */
    struct blesim_link link;
    struct ring tx, rx;
    struct smp_gatt_reassembler reasm;
    uint8_t pkt[BLESIM_SMP_MAX];
};

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t blesim_central_now_us(const struct blesim_central *c)
{
    return mono_us() - c->t0_us;
}

const struct blesim_link *blesim_central_link(const struct blesim_central *c)
{
    return &c->link;
}

uint32_t blesim_central_piece(const struct blesim_central *c)
{
    return c->piece;
}

size_t blesim_central_frame_fit(const struct blesim_central *c, size_t limit)
{
    if (limit < c->piece) {
        return limit;
    }
    return limit - limit % c->piece;
}

static int send_hello(struct blesim_central *c)
{
    char msg[160];
    size_t plen = strlen(BLESIM_HELLO_PREFIX);
    memcpy(msg, BLESIM_HELLO_PREFIX, plen);
    int rc = blesim_params_format(&c->p, msg + plen, sizeof(msg) - plen);
    if (rc) {
        return rc;
    }
    ssize_t n = send(c->fd, msg, strlen(msg), MSG_NOSIGNAL);
    return n < 0 ? -errno : 0;
}

static int connect_until(struct blesim_central *c, int timeout_ms)
{
    uint64_t deadline = mono_us() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, c->path);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            return -errno;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            c->fd = fd;
            break;
        }
        int err = errno;
        close(fd);
        /* No socket yet, or nobody listening: the device is not up (yet). */
        bool absent = err == ENOENT || err == ECONNREFUSED || err == EAGAIN;
        if (!absent || mono_us() >= deadline) {
            return absent ? -ETIMEDOUT : -err;
        }
        struct timespec pause = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    c->peer_gone = false;
    c->t0_us = mono_us();
    blesim_link_init(&c->link, &c->p, 0);
    c->tx.head = c->tx.tail = 0;
    c->rx.head = c->rx.tail = 0;
    smp_gatt_reasm_reset(&c->reasm);
    int rc = send_hello(c);
    if (rc) {
        close(c->fd);
        c->fd = -1;
    }
    return rc;
}

int blesim_central_open(struct blesim_central **out, const char *path,
                        const struct blesim_params *p, int timeout_ms)
{
    *out = NULL;
    if (!path || blesim_params_check(p) != 0) {
        return -EINVAL;
    }
    struct blesim_central *c = calloc(1, sizeof(*c));
    if (!c) {
        return -ENOMEM;
    }
    if (strlen(path) >= sizeof(c->path)) {
        free(c);
        return -ENAMETOOLONG;
    }
    strcpy(c->path, path);
    c->fd = -1;
    c->p = *p;
    blesim_capacity(p, &c->piece);
    smp_gatt_reasm_init(&c->reasm, c->pkt, sizeof(c->pkt));
    int rc = connect_until(c, timeout_ms);
    if (rc) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void blesim_central_close(struct blesim_central *c)
{
    if (!c) {
        return;
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c);
}

int blesim_central_reconnect(struct blesim_central *c, int timeout_ms)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    return connect_until(c, timeout_ms);
}

/* Takes every notification the device has sent so far onto the modelled
 * link, handed over now. */
static void take_incoming(struct blesim_central *c)
{
    while (!c->peer_gone && c->rx.tail - c->rx.head < BLESIM_QUEUE_LEN) {
        struct piece *pc = &c->rx.p[c->rx.tail % BLESIM_QUEUE_LEN];
        ssize_t n = recv(c->fd, pc->data, sizeof(pc->data), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        if (n <= 0) {
            c->peer_gone = true;
            return;
        }
        if ((size_t)n + BLESIM_ATT_HDR > c->p.att_mtu) {
            /* A notification larger than the MTU cannot exist on the air. */
            continue;
        }
        pc->len = (uint16_t)n;
        if (blesim_link_push(&c->link, BLESIM_TO_CENTRAL, (uint32_t)n,
                             blesim_central_now_us(c)) != 0) {
            return;
        }
        c->rx.tail++;
    }
}

/* Puts one delivered write on the device's socket. */
static void hand_to_device(struct blesim_central *c, const struct piece *pc)
{
    while (!c->peer_gone) {
        ssize_t n = send(c->fd, pc->data, pc->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            return;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            c->peer_gone = true;
            return;
        }
        /* The device is slow to read: keep taking its notifications so
         * neither end waits on the other. */
        take_incoming(c);
        struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
        poll(&pfd, 1, 100);
    }
}

/* Runs the radio up to now, hands delivered writes to the device, and
 * collects the device's notifications onto the link. */
static void advance(struct blesim_central *c)
{
    take_incoming(c);
    uint64_t now = blesim_central_now_us(c);
    blesim_link_run(&c->link, now);
    uint64_t done;
    while (blesim_link_peek(&c->link, BLESIM_TO_PERIPHERAL, &done) && done <= now) {
        blesim_link_pop(&c->link, BLESIM_TO_PERIPHERAL, NULL);
        hand_to_device(c, &c->tx.p[c->tx.head % BLESIM_QUEUE_LEN]);
        c->tx.head++;
    }
}

/* Notifications the radio has delivered by now, into the reassembler:
 * 1 with a whole packet (valid until the next call), else 0. */
static int take_packet(struct blesim_central *c, const uint8_t **pkt, size_t *len)
{
    uint64_t now = blesim_central_now_us(c);
    uint64_t done;
    while (blesim_link_peek(&c->link, BLESIM_TO_CENTRAL, &done) && done <= now) {
        blesim_link_pop(&c->link, BLESIM_TO_CENTRAL, NULL);
        const struct piece *pc = &c->rx.p[c->rx.head % BLESIM_QUEUE_LEN];
        c->rx.head++;
        if (smp_gatt_reasm_feed(&c->reasm, pc->data, pc->len, pkt, len) == 1) {
            return 1;
        }
    }
    return 0;
}

/* Sleeps until the next delivery, input from the device, or deadline_us. */
static void wait_link(struct blesim_central *c, uint64_t deadline_us)
{
    uint64_t now = blesim_central_now_us(c);
    uint64_t until = blesim_link_next_delivery(&c->link);
    /* An exchange already run may deliver a little after now. */
    for (int d = 0; d < 2; d++) {
        uint64_t done;
        if (blesim_link_peek(&c->link, (enum blesim_dir)d, &done) && done > now && done < until) {
            until = done;
        }
    }
    if (deadline_us < until) {
        until = deadline_us;
    }
    struct pollfd pfd = { .fd = c->fd, .events = c->peer_gone ? 0 : POLLIN };
    if (until == UINT64_MAX) {
        ppoll(&pfd, 1, NULL, NULL);
        return;
    }
    uint64_t d = until > now ? until - now : 0;
    struct timespec ts = { .tv_sec = (time_t)(d / 1000000u),
                           .tv_nsec = (long)(d % 1000000u) * 1000 };
    ppoll(&pfd, 1, &ts, NULL);
}

int blesim_central_send(struct blesim_central *c, const uint8_t *pkt, size_t len)
{
    if (c->fd < 0 || c->peer_gone) {
        return -ENOTCONN;
    }
    struct smp_gatt_splitter sp;
    if (smp_gatt_split_init(&sp, pkt, len, (uint16_t)(c->piece + BLESIM_ATT_HDR)) != 0) {
        return -EINVAL;
    }
    const uint8_t *piece;
    size_t piece_len;
    while (smp_gatt_split_next(&sp, &piece, &piece_len)) {
        while (blesim_link_push(&c->link, BLESIM_TO_PERIPHERAL, (uint32_t)piece_len,
                                blesim_central_now_us(c)) != 0) {
            /* The controller's queue is full: wait for the radio. What
             * the device sends meanwhile stays on the link for recv. */
            advance(c);
            if (c->peer_gone) {
                return -ENOTCONN;
            }
            wait_link(c, UINT64_MAX);
            if (c->peer_gone) {
                return -ENOTCONN;
            }
        }
        struct piece *pc = &c->tx.p[c->tx.tail % BLESIM_QUEUE_LEN];
        memcpy(pc->data, piece, piece_len);
        pc->len = (uint16_t)piece_len;
        c->tx.tail++;
    }
    advance(c);
    return 0;
}

int blesim_central_recv(struct blesim_central *c, uint8_t *buf, size_t cap, int timeout_ms)
{
    if (c->fd < 0) {
        return -ENOTCONN;
    }
    uint64_t deadline = timeout_ms < 0 ? UINT64_MAX
                                       : blesim_central_now_us(c) + (uint64_t)timeout_ms * 1000u;
    for (;;) {
        const uint8_t *pkt;
        size_t len;
        advance(c);
        if (take_packet(c, &pkt, &len) == 1) {
            if (len > cap) {
                return -EMSGSIZE;
            }
            memcpy(buf, pkt, len);
            return (int)len;
        }
        if (c->peer_gone && c->rx.head == c->rx.tail) {
            return -ENOTCONN;
        }
        if (blesim_central_now_us(c) >= deadline) {
            return 0;
        }
        wait_link(c, deadline);
    }
}
