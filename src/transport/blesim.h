/*
 * A timed model of one Bluetooth LE connection, as seen from the ATT layer:
 * given the ATT writes (central to peripheral) and notifications (the other
 * way) with the time each one is handed to the link layer, it says when each
 * is delivered. Pure arithmetic on microseconds: no clock, no sleeping, so
 * the same inputs always give the same times.
 *
 * What is modelled (Bluetooth Core, Vol 6 Part B):
 * - connection events every interval; in each, exchanges of one central PDU
 *   and one peripheral PDU, each followed by T_IFS (150 us). The central
 *   opens every event even with nothing to say; the event goes on while a
 *   side set the MD (more data) bit in the last exchange -- it had more
 *   ready when it sent its PDU --, the controller's packets-per-event limit
 *   is not reached and the next exchange ends before the next anchor. Data
 *   that becomes ready after both sides said MD = 0 waits for the next
 *   event;
 * - a side without data answers with an empty PDU (header only);
 * - on-air size of a data PDU: preamble (1 B on LE 1M, 2 B on LE 2M),
 *   access address 4, header 2, payload, MIC 4 when encrypted (never on an
 *   empty PDU), CRC 3; 8 us per byte on LE 1M, 4 us on LE 2M;
 * - an ATT value of n bytes is an L2CAP SDU of n + 3 (ATT opcode and handle)
 *   + 4 (L2CAP header) bytes, cut into link-layer payloads of at most the
 *   data length (27 without the Data Length Extension, up to 251 with it);
 *   it is delivered when its last fragment has been received.
 * No retransmissions, no peripheral latency, no channel map: a clean link.
 */
#ifndef SMPDFU_TRANSPORT_BLESIM_H
#define SMPDFU_TRANSPORT_BLESIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLESIM_T_IFS_US 150u
#define BLESIM_ATT_HDR 3u   /* opcode + attribute handle */
#define BLESIM_L2CAP_HDR 4u /* length + channel id */
#define BLESIM_MIC 4u
#define BLESIM_ATT_MTU_MAX 517u
#define BLESIM_DLE_MIN 27u
#define BLESIM_DLE_MAX 251u
/* ATT values waiting or delivered but not yet taken, per direction. */
#define BLESIM_QUEUE_LEN 2048u

enum blesim_phy {
    BLESIM_PHY_1M = 1,
    BLESIM_PHY_2M = 2,
};

enum blesim_dir {
    BLESIM_TO_PERIPHERAL = 0, /* ATT write without response */
    BLESIM_TO_CENTRAL = 1,    /* ATT handle value notification */
};

struct blesim_params {
    uint32_t interval_us; /* connection interval: 7.5 ms to 4 s in 1.25 ms steps */
    enum blesim_phy phy;
    uint16_t att_mtu;     /* 23 ... 517 */
    uint16_t dle;         /* link-layer payload limit: 27 ... 251 */
    uint16_t ppe;         /* exchanges a controller allows per event, >= 1 */
    bool encrypted;
};

/* 0 when the parameters describe a link BLE allows, -EINVAL otherwise. */
int blesim_params_check(const struct blesim_params *p);

/* Air time of one PDU with payload bytes of payload (0: an empty PDU). */
uint32_t blesim_pdu_air_us(const struct blesim_params *p, uint32_t payload);

struct blesim_sdu {
    uint32_t left;     /* link-layer payload bytes still to send */
    uint32_t value_len;
    uint64_t ready_us; /* handed to the link layer */
    uint64_t done_us;  /* delivered (valid once left is 0) */
};

struct blesim_queue {
    struct blesim_sdu q[BLESIM_QUEUE_LEN];
    /* Monotonic counters, indexes modulo the length: [head, sent) are
     * delivered and not yet popped, [sent, tail) wait for the radio. */
    uint32_t head, sent, tail;
};

struct blesim_link {
    struct blesim_params p;
    uint64_t anchor_us; /* start of the current (or next) connection event */
    uint64_t next_us;   /* start of the next exchange */
    uint32_t in_event;  /* exchanges done in the current event */
    bool more_data;     /* a side set MD in the last exchange */
    struct blesim_queue dir[2];
    /* Totals, for figures. */
    uint64_t exchanges, events;
};

/* The first connection event starts at t0_us. */
void blesim_link_init(struct blesim_link *l, const struct blesim_params *p, uint64_t t0_us);
/* Hands one ATT value of value_len bytes to the link layer at ready_us (no
 * earlier than what was queued before in that direction). 0, -EINVAL for a
 * value that does not fit the ATT MTU, -ENOBUFS when the queue is full. */
int blesim_link_push(struct blesim_link *l, enum blesim_dir d, uint32_t value_len,
                     uint64_t ready_us);
/* Runs every exchange that starts no later than until_us. */
void blesim_link_run(struct blesim_link *l, uint64_t until_us);
/* The oldest delivered value of that direction, left in place: true and
 * its delivery time, or false when none has been delivered. */
bool blesim_link_peek(const struct blesim_link *l, enum blesim_dir d, uint64_t *done_us);
/* The same, and removes it. */
bool blesim_link_pop(struct blesim_link *l, enum blesim_dir d, uint64_t *done_us);
/* Values queued in that direction and not yet delivered. */
uint32_t blesim_link_pending(const struct blesim_link *l, enum blesim_dir d);
/* When the next value (either direction) will be delivered if nothing more
 * is queued: UINT64_MAX when nothing is waiting. */
uint64_t blesim_link_next_delivery(const struct blesim_link *l);

/*
 * What the link can carry from central to peripheral: ATT value bytes per
 * second with writes queued back to back, for the best write size not
 * above ATT_MTU - 3 (its size in *best_value when not NULL). The best size
 * fills its last link-layer payload, so only those sizes and the largest
 * allowed are tried.
 */
double blesim_capacity(const struct blesim_params *p, uint32_t *best_value);
/* The same for one write size. */
double blesim_goodput(const struct blesim_params *p, uint32_t value_len);

#endif
