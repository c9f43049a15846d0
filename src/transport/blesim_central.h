/*
 * The client's end of a simulated BLE link (see blesim_peripheral.h for the
 * device's end). It connects to the device's socket, says which connection
 * parameters it chose, and then runs the link model (blesim.h) against the
 * real clock: a piece it writes reaches the device only at the moment the
 * modelled radio delivers it, and a notification the device sent is handed
 * up only when the radio could have brought it. A 512 KiB upload over it
 * takes as long as over the modelled link.
 *
 * Writes are cut to the value size that carries the most per second
 * (blesim_capacity), never more than ATT_MTU - 3; the device puts packets
 * back together by their SMP header, so any size works.
 *
 * Functions return 0 (or a length) or a negative errno value; -ENOTCONN
 * once the device has dropped the connection (it resets) and every
 * notification it sent before has been handed up.
 */
#ifndef SMPDFU_TRANSPORT_BLESIM_CENTRAL_H
#define SMPDFU_TRANSPORT_BLESIM_CENTRAL_H

#include <stddef.h>
#include <stdint.h>

#include "transport/blesim.h"

struct blesim_central;

/* Connect to the device at path, waiting up to timeout_ms for it to
 * appear (it may be booting). */
int blesim_central_open(struct blesim_central **out, const char *path,
                        const struct blesim_params *p, int timeout_ms);
void blesim_central_close(struct blesim_central *c);
/* Connect again with the same parameters (after the device reset); the
 * modelled link starts afresh. */
int blesim_central_reconnect(struct blesim_central *c, int timeout_ms);

/* Queue one SMP packet as writes without response; waits only while the
 * link's queue is full. */
int blesim_central_send(struct blesim_central *c, const uint8_t *pkt, size_t len);
/* Wait up to timeout_ms (-1: no limit) for one SMP packet: its length, 0 on
 * timeout, -EMSGSIZE when it does not fit cap (it is dropped). */
int blesim_central_recv(struct blesim_central *c, uint8_t *buf, size_t cap, int timeout_ms);

/* Value bytes per write. */
uint32_t blesim_central_piece(const struct blesim_central *c);
/* The largest SMP packet up to limit that fills whole writes: requests of
 * that size waste no slot on a short last piece. */
size_t blesim_central_frame_fit(const struct blesim_central *c, size_t limit);
/* Link time since connecting, in microseconds, and the modelled link. */
uint64_t blesim_central_now_us(const struct blesim_central *c);
const struct blesim_link *blesim_central_link(const struct blesim_central *c);

#endif
