/*
 * BLE links: a real device through BlueZ (GATT central over D-Bus), or the
 * simulated device's BLE socket, paced like the radio link it models. In
 * both, a reset drops the connection: reopen connects again.
 */
#include <errno.h>
#include <stdlib.h>

#include "client/link.h"
#include "transport/blesim_central.h"
#include "transport/blesim_spec.h"
#include "transport/bluez_central.h"

/* Discovery, connection and service resolution can take a while. */
#define BLE_CONNECT_MS 30000

static int bluez_link_send(void *ctx, const uint8_t *pkt, size_t len)
{
    return bluez_central_send(ctx, pkt, len);
}

static int bluez_link_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    return bluez_central_recv(ctx, buf, cap, timeout_ms);
}

static int bluez_link_reopen(void *ctx)
{
    return bluez_central_reconnect(ctx, BLE_CONNECT_MS);
}

static size_t bluez_link_frame_fit(void *ctx, size_t limit)
{
    return bluez_central_frame_fit(ctx, limit);
}

static void bluez_link_close(void *ctx)
{
    bluez_central_close(ctx);
}

int link_bluez_open(struct client_link *l, const char *target)
{
    struct bluez_central *c;
    int rc = bluez_central_open(&c, target, BLE_CONNECT_MS);
    if (rc) {
        return rc;
    }
    *l = (struct client_link){
        .ctx = c,
        .send = bluez_link_send,
        .recv = bluez_link_recv,
        .reopen = bluez_link_reopen,
        .close = bluez_link_close,
        /* Writes are cut to the ATT MTU; the device joins them up to its
         * buf_size (SMP reassembly), which bounds the frame. */
        .mtu = BLESIM_SMP_MAX,
        .frame_overhead = 0,
        .frame_fit = bluez_link_frame_fit,
    };
    return 0;
}

static int blesim_link_send(void *ctx, const uint8_t *pkt, size_t len)
{
    return blesim_central_send(ctx, pkt, len);
}

static int blesim_link_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    return blesim_central_recv(ctx, buf, cap, timeout_ms);
}

static int blesim_link_reopen(void *ctx)
{
    return blesim_central_reconnect(ctx, BLE_CONNECT_MS);
}

static size_t blesim_link_frame_fit(void *ctx, size_t limit)
{
    return blesim_central_frame_fit(ctx, limit);
}

static void blesim_link_close(void *ctx)
{
    blesim_central_close(ctx);
}

int link_blesim_open(struct client_link *l, const char *spec)
{
    char path[256];
    struct blesim_params p;
    int rc = blesim_spec_parse(spec, path, sizeof(path), &p);
    if (rc) {
        return rc;
    }
    struct blesim_central *c;
    rc = blesim_central_open(&c, path, &p, BLE_CONNECT_MS);
    if (rc) {
        return rc;
    }
    *l = (struct client_link){
        .ctx = c,
        .send = blesim_link_send,
        .recv = blesim_link_recv,
        .reopen = blesim_link_reopen,
        .close = blesim_link_close,
        .mtu = BLESIM_SMP_MAX,
        .frame_overhead = 0,
        .frame_fit = blesim_link_frame_fit,
    };
    return 0;
}
