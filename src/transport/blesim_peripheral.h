/*
 * The device's end of a simulated BLE link: a UNIX-domain socket
 * (SOCK_SEQPACKET) at a path, one message per ATT value. Connecting to it
 * is a central connecting and enabling notifications on the SMP
 * characteristic; its first message carries the connection parameters it
 * chose (blesim_spec.h). Pieces written by the central are put back
 * together into SMP packets by their header; packets sent back are cut into
 * notifications of ATT_MTU - 3 bytes. The radio's timing is modelled by the
 * central's end, which holds every piece until the link could have carried
 * it, so this end sends and receives at once.
 *
 * Like a peripheral, it serves one central at a time: while one is
 * connected, another waits in the socket's backlog (a peripheral does not
 * advertise while connected) and is taken once the first leaves or the
 * device drops the link (a reset).
 *
 * Functions return 0 (or a count) or a negative errno value.
 */
#ifndef SMPDFU_TRANSPORT_BLESIM_PERIPHERAL_H
#define SMPDFU_TRANSPORT_BLESIM_PERIPHERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "transport/blesim.h"
#include "transport/blesim_spec.h"
#include "wire/smp_gatt.h"

struct blesim_peripheral {
    int listen_fd;
    int conn_fd;    /* -1 while no central is connected */
    bool have_params; /* the connected central's hello has arrived */
    struct blesim_params params;
    struct smp_gatt_reassembler reasm;
    uint8_t pkt[BLESIM_SMP_MAX];
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* Listen at path (a stale socket file there is replaced). */
int blesim_peripheral_open(struct blesim_peripheral *b, const char *path);
/* Removes the socket file. */
void blesim_peripheral_close(struct blesim_peripheral *b);

/* The descriptor to poll for input: the connection, or the listening
 * socket while no central is connected. */
int blesim_peripheral_fd(const struct blesim_peripheral *b);
bool blesim_peripheral_connected(const struct blesim_peripheral *b);

/*
 * Call when the descriptor is readable. Accepts a waiting central, or takes
 * one message: returns 1 with a whole SMP packet in *pkt / *len (valid
 * until the next call), 0 when no packet is complete yet (including a
 * central that just connected or left, or a malformed piece, which drops
 * the packet being collected), or a negative errno value when the socket
 * fails for good.
 */
int blesim_peripheral_read(struct blesim_peripheral *b, const uint8_t **pkt, size_t *len);

/* Sends one SMP packet as notifications. -ENOTCONN without a central. */
int blesim_peripheral_notify(struct blesim_peripheral *b, const uint8_t *pkt, size_t len);

/* Drops the connection (the device resets); the next central is accepted
 * on a later blesim_peripheral_read. */
void blesim_peripheral_disconnect(struct blesim_peripheral *b);

#endif
