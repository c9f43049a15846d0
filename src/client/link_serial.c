/* The serial link: SMP console framing over a tty. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/link.h"
#include "transport/serial.h"
#include "wire/smp_serial.h"

/* Largest packet the client sends or accepts over serial. */
#define LINK_SERIAL_PKT_MAX 8192

struct link_serial {
    struct serial_port port;
    char path[256];
    unsigned baud;
    struct smp_serial_decoder dec;
    uint8_t dec_buf[SMP_SERIAL_DECODE_BUF_SIZE(LINK_SERIAL_PKT_MAX)];
    /* Bytes read from the port but not yet fed to the decoder: a read may
     * end in the middle of the next packet. */
    uint8_t rx[512];
    size_t rx_len, rx_pos;
    uint8_t frames[SMP_SERIAL_ENCODED_MAX(LINK_SERIAL_PKT_MAX)];
};

static int serial_link_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct link_serial *s = ctx;
    size_t out_len;
    int rc = smp_serial_encode(pkt, len, s->frames, sizeof(s->frames), &out_len);
    if (rc) {
        return -EMSGSIZE;
    }
    return serial_write_all(&s->port, s->frames, out_len);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int serial_link_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct link_serial *s = ctx;
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        while (s->rx_pos < s->rx_len) {
            const uint8_t *pkt;
            size_t pkt_len, used;
            int rc = smp_serial_decoder_feed(&s->dec, s->rx + s->rx_pos, s->rx_len - s->rx_pos,
                                             &used, &pkt, &pkt_len);
            s->rx_pos += used;
            if (rc == 1) {
                if (pkt_len > cap) {
                    return -EMSGSIZE;
                }
                memcpy(buf, pkt, pkt_len);
                return (int)pkt_len;
            }
            if (rc == 0 && used == 0) {
                break;
            }
            /* rc < 0: a damaged packet; its request will time out and be
             * sent again. */
        }
        s->rx_pos = s->rx_len = 0;
        long left = deadline - now_ms();
        if (left <= 0) {
            return 0;
        }
        struct pollfd pfd = { .fd = s->port.fd, .events = POLLIN };
        int r = poll(&pfd, 1, (int)left);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (r == 0) {
            return 0;
        }
        ssize_t n = serial_read(&s->port, s->rx, sizeof(s->rx));
        if (n == -EAGAIN) {
            continue;
        }
        if (n < 0) {
            return (int)n;
        }
        if (n == 0) {
            return -EPIPE;
        }
        s->rx_len = (size_t)n;
    }
}

static int serial_link_reopen(void *ctx)
{
    struct link_serial *s = ctx;
    serial_close(&s->port);
    smp_serial_decoder_reset(&s->dec);
    s->rx_pos = s->rx_len = 0;
    int rc = serial_open_device(&s->port, s->path, s->baud);
    if (rc == 0) {
        rc = serial_set_nonblocking(&s->port, true);
    }
    return rc;
}

static void serial_link_close(void *ctx)
{
    struct link_serial *s = ctx;
    serial_close(&s->port);
    free(s);
}

int link_serial_open(struct client_link *l, const char *path, unsigned baud)
{
    struct link_serial *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    if (strlen(path) >= sizeof(s->path)) {
        free(s);
        return -EINVAL;
    }
    strcpy(s->path, path);
    s->baud = baud;
    s->port.fd = -1;
    s->port.keep_fd = -1;
    smp_serial_decoder_init(&s->dec, s->dec_buf, sizeof(s->dec_buf));
    int rc = serial_open_device(&s->port, path, baud);
    if (rc == 0) {
        rc = serial_set_nonblocking(&s->port, true);
    }
    if (rc) {
        serial_close(&s->port);
        free(s);
        return rc;
    }
    *l = (struct client_link){
        .ctx = s,
        .send = serial_link_send,
        .recv = serial_link_recv,
        .reopen = serial_link_reopen,
        .close = serial_link_close,
        .mtu = LINK_SERIAL_PKT_MAX,
        /* Zephyr's serial transport keeps the length field and the CRC in
         * the same buffer as the packet. */
        .frame_overhead = 4,
    };
    return 0;
}
