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
    struct blesim_peripheral *blesim;
    struct bluez_peripheral *bluez;
    struct smp_serial_decoder dec;
    uint8_t dec_buf[SMP_SERIAL_DECODE_BUF_SIZE(SERVE_PKT_MAX)];
    uint8_t rsp[SERVE_PKT_MAX];
    uint8_t frames[SMP_SERIAL_ENCODED_MAX(SERVE_PKT_MAX)];
};

static void after_response(struct serve_ctx *c)
{
    if (!device_take_reset(c->dev)) {
        return;
    }
    if (c->blesim) {
        blesim_peripheral_disconnect(c->blesim);
    }
    if (c->bluez) {
        bluez_peripheral_disconnect(c->bluez);
    }
    device_boot(c->dev);
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

/* One SMP packet from a BLE central: the answer goes back as notifications. */
static void on_ble_packet(struct serve_ctx *c, const uint8_t *pkt, size_t pkt_len)
{
    int len = device_process(c->dev, pkt, pkt_len, c->rsp, sizeof(c->rsp));
    if (len > 0) {
        int rc = c->blesim ? blesim_peripheral_notify(c->blesim, c->rsp, (size_t)len)
                           : bluez_peripheral_notify(c->bluez, c->rsp, (size_t)len);
        if (rc) {
            device_log(c->dev, 'W', "ble: reply not sent: %s", strerror(-rc));
        }
    }
    after_response(c);
}

static int on_blesim(struct serve_ctx *c)
{
    const uint8_t *pkt;
    size_t len;
    int rc = blesim_peripheral_read(c->blesim, &pkt, &len);

    if (rc == 1) {
        on_ble_packet(c, pkt, len);
        return 0;
    }
    return rc < 0 ? rc : 0;
}

/* sd-bus may hold messages poll does not show: drain until none is left. */
static int on_bluez(struct serve_ctx *c)
{
    const uint8_t *pkt;
    size_t len;
    int rc;

    while ((rc = bluez_peripheral_read(c->bluez, &pkt, &len)) == 1) {
        on_ble_packet(c, pkt, len);
    }
    return rc;
}

enum { LINK_UDP, LINK_SERIAL, LINK_BLESIM, LINK_BLUEZ, LINK_COUNT };

int device_serve(struct device *dev, const struct device_links *links,
                 volatile sig_atomic_t *stop)
{
    static struct serve_ctx c;
    memset(&c, 0, sizeof(c));
    c.dev = dev;
    c.udp = links->udp;
    c.serial = links->serial;
    c.blesim = links->blesim;
    c.bluez = links->bluez;
    smp_serial_decoder_init(&c.dec, c.dec_buf, sizeof(c.dec_buf));

    while (!*stop) {
        struct pollfd pfd[LINK_COUNT];
        int at[LINK_COUNT] = { -1, -1, -1, -1 };
        nfds_t n = 0;
        int timeout = -1;
        if (c.udp) {
            at[LINK_UDP] = (int)n;
            pfd[n++] = (struct pollfd){ .fd = c.udp->fd, .events = POLLIN };
        }
        if (c.serial) {
            at[LINK_SERIAL] = (int)n;
            pfd[n++] = (struct pollfd){ .fd = c.serial->fd, .events = POLLIN };
        }
        if (c.blesim) {
            /* Listening socket or connection: it changes, ask every time. */
            at[LINK_BLESIM] = (int)n;
            pfd[n++] = (struct pollfd){ .fd = blesim_peripheral_fd(c.blesim), .events = POLLIN };
        }
        if (c.bluez) {
            at[LINK_BLUEZ] = (int)n;
            int rc = bluez_peripheral_pollfd(c.bluez, &pfd[n++], &timeout);
            if (rc < 0) {
                return rc;
            }
        }
        int r = poll(pfd, n, timeout);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        int rc = 0;
        if (at[LINK_UDP] >= 0 && (pfd[at[LINK_UDP]].revents & POLLIN)) {
            rc = on_udp(&c);
        }
        if (rc == 0 && at[LINK_SERIAL] >= 0 && (pfd[at[LINK_SERIAL]].revents & POLLIN)) {
            rc = on_serial(&c);
        }
        if (rc == 0 && at[LINK_BLESIM] >= 0 && pfd[at[LINK_BLESIM]].revents) {
            rc = on_blesim(&c);
        }
        if (rc == 0 && at[LINK_BLUEZ] >= 0) {
            rc = on_bluez(&c);
        }
        if (rc) {
            return rc;
        }
    }
    return 0;
}
