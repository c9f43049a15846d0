#include "device/device_serve.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "wire/smp_serial.h"

/* Largest SMP packet accepted or produced (header + CBOR). */
#define SERVE_PKT_MAX 2048

struct serve_ctx {
    struct device *dev;
    struct udp_sock *udp;
    struct serial_port *serial;
    struct smp_serial_decoder dec;
    uint8_t dec_buf[SMP_SERIAL_DECODE_BUF_SIZE(SERVE_PKT_MAX)];
    uint8_t rsp[SERVE_PKT_MAX];
    uint8_t frames[SMP_SERIAL_ENCODED_MAX(SERVE_PKT_MAX)];
};

static void after_response(struct serve_ctx *c)
{
    if (device_take_reset(c->dev)) {
        device_boot(c->dev);
    }
}

static int on_udp(struct serve_ctx *c)
{
    uint8_t pkt[SERVE_PKT_MAX];
    struct udp_peer from;
    ssize_t n = udp_recv(c->udp, pkt, sizeof(pkt), &from);
    if (n == -EAGAIN || n == -EMSGSIZE) {
        if (n == -EMSGSIZE) {
            device_log(c->dev, 'W', "udp: datagram larger than %d bytes dropped", SERVE_PKT_MAX);
        }
        return 0;
    }
    if (n < 0) {
        return (int)n;
    }
    int len = device_process(c->dev, pkt, (size_t)n, c->rsp, sizeof(c->rsp));
    if (len > 0) {
        int rc = udp_send_to(c->udp, c->rsp, (size_t)len, &from);
        if (rc) {
            device_log(c->dev, 'W', "udp: reply not sent: %s", strerror(-rc));
        }
    }
    after_response(c);
    return 0;
}

static int on_serial_packet(struct serve_ctx *c, const uint8_t *pkt, size_t pkt_len)
{
    int len = device_process(c->dev, pkt, pkt_len, c->rsp, sizeof(c->rsp));
    if (len > 0) {
        size_t out_len = 0;
        int rc = smp_serial_encode(c->rsp, (size_t)len, c->frames, sizeof(c->frames), &out_len);
        if (rc < 0) {
            device_log(c->dev, 'E', "serial: response of %d bytes cannot be framed", len);
        } else {
            rc = serial_write_all(c->serial, c->frames, out_len);
            if (rc) {
                device_log(c->dev, 'W', "serial: reply not sent: %s", strerror(-rc));
            }
        }
    }
    after_response(c);
    return 0;
}

static int on_serial(struct serve_ctx *c)
{
    uint8_t buf[512];
    ssize_t n = serial_read(c->serial, buf, sizeof(buf));
    if (n == -EAGAIN || n == 0 || n == -EIO) {
        /* EOF or EIO on a pty master: the client side went away; the
         * slave end we keep open lets the next client in. */
        return 0;
    }
    if (n < 0) {
        return (int)n;
    }
    size_t off = 0;
    while (off < (size_t)n) {
        const uint8_t *pkt;
        size_t pkt_len;
        size_t used;
        int rc = smp_serial_decoder_feed(&c->dec, buf + off, (size_t)n - off, &used, &pkt,
                                         &pkt_len);
        off += used;
        if (used == 0 && rc == 0) {
            break;
        }
        if (rc == 1) {
            on_serial_packet(c, pkt, pkt_len);
        } else if (rc < 0) {
            device_log(c->dev, 'W', "serial: packet dropped: %s", smp_serial_strerror(rc));
        }
    }
    return 0;
}

int device_serve(struct device *dev, struct udp_sock *udp, struct serial_port *serial,
                 volatile sig_atomic_t *stop)
{
    static struct serve_ctx c;
    memset(&c, 0, sizeof(c));
    c.dev = dev;
    c.udp = udp;
    c.serial = serial;
    smp_serial_decoder_init(&c.dec, c.dec_buf, sizeof(c.dec_buf));

    while (!*stop) {
        struct pollfd pfd[2];
        nfds_t n = 0;
        int udp_i = -1, ser_i = -1;
        if (udp) {
            udp_i = (int)n;
            pfd[n++] = (struct pollfd){ .fd = udp->fd, .events = POLLIN };
        }
        if (serial) {
            ser_i = (int)n;
            pfd[n++] = (struct pollfd){ .fd = serial->fd, .events = POLLIN };
        }
        int r = poll(pfd, n, -1);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        int rc = 0;
        if (udp_i >= 0 && (pfd[udp_i].revents & POLLIN)) {
            rc = on_udp(&c);
        }
        if (rc == 0 && ser_i >= 0 && (pfd[ser_i].revents & POLLIN)) {
            rc = on_serial(&c);
        }
        if (rc) {
            return rc;
        }
    }
    return 0;
}
