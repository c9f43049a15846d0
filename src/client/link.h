/*
 * A link carries whole SMP packets between the client and one device. The
 * session above it knows nothing of datagrams or console framing; a fake
 * link in the unit tests plays the device.
 *
 * Functions return 0 (or a length) or a negative errno value.
 */
#ifndef SMPDFU_CLIENT_LINK_H
#define SMPDFU_CLIENT_LINK_H

#include <stddef.h>
#include <stdint.h>

struct client_link {
    void *ctx;
    /* Sends one packet. */
    int (*send)(void *ctx, const uint8_t *pkt, size_t len);
    /* Waits up to timeout_ms for one packet: its length, 0 on timeout. */
    int (*recv)(void *ctx, uint8_t *buf, size_t cap, int timeout_ms);
    /* Drops and opens the connection again (a device that reset may have
     * re-enumerated its port); NULL when there is nothing to reopen. */
    int (*reopen)(void *ctx);
    void (*close)(void *ctx);
    /* Largest SMP packet the link can carry in one piece. */
    size_t mtu;
    /* Bytes of a device buffer the link's own framing takes (the serial
     * length and CRC), so a request fits buf_size once framed. */
    size_t frame_overhead;
    /* The best frame size up to limit for this link (BLE: a whole number
     * of ATT writes, so no connection-event slot carries a short piece);
     * NULL keeps limit. */
    size_t (*frame_fit)(void *ctx, size_t limit);
};

/* A connected UDP socket to host:port. */
int link_udp_open(struct client_link *l, const char *host, uint16_t port);
/* A serial port with SMP console framing. */
int link_serial_open(struct client_link *l, const char *path, unsigned baud);
/* A BLE device through BlueZ, by name or address. */
int link_bluez_open(struct client_link *l, const char *target);
/* The simulated device's BLE link: "SOCKET[,interval=MS][,phy=1M|2M]
 * [,mtu=N][,dle=N][,ppe=N][,enc=0|1]" (transport/blesim_spec.h). */
int link_blesim_open(struct client_link *l, const char *spec);

static inline void link_close(struct client_link *l)
{
    if (l->close) {
        l->close(l->ctx);
    }
    l->ctx = NULL;
}

#endif
