/*
 * An in-process device behind a struct client_link: answers OS params,
 * echo and image upload the way Zephyr's server does, and can lose
 * requests, forget its upload or refuse, so the session and the upload
 * engine can be driven through every path without sockets or time.
 */
#ifndef SMPDFU_TEST_FAKE_DEVICE_H
#define SMPDFU_TEST_FAKE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/link.h"

#define FAKE_IMAGE_MAX (256 * 1024)
#define FAKE_QUEUE 300

struct fake_pkt {
    uint8_t data[512];
    size_t len;
};

struct fake_device {
    /* Behaviour. */
    uint32_t buf_size, buf_count; /* 0: params unsupported (rc 8) */
    bool v1_only;                 /* answers v2 requests with rc 13 */
    int drop_request;             /* index of a request to ignore (-1 none) */
    int drop_from, drop_count;    /* ignore requests [from, from + count) */
    int forget_at;                /* before this request index, lose the upload (-1 none) */
    bool stuck;                   /* upload always answers off 0 */
    /* State (a test may preset an upload in progress). */
    uint8_t image[FAKE_IMAGE_MAX];
    size_t up_len, up_off;
    uint8_t up_sha[32];
    bool uploading;
    struct fake_pkt queue[FAKE_QUEUE];
    size_t q_head, q_tail;
    /* What the client did. */
    int requests;
    size_t max_queued;            /* answers waiting when the client read: its window */
    size_t max_request;           /* largest packet received */
    uint8_t last_ver;
    int first_chunks;             /* requests with off 0 */
    size_t first_data_off;        /* offset of the first chunk after off 0 */
    /* A device with a first-stage bootloader: the S slot MCUboot runs
     * from (-1: bootloader info cannot say), switched by a reset after a
     * permanent mark. */
    int b0_active;
    bool b0_stuck;                /* the reset never switches */
    uint8_t marked_hash[32];
    bool marked, marked_confirm;
    int resets;
    int waits;                    /* receive calls */
    int first_wait_ms;            /* the wait of the first one */
    int later_wait_max_ms;        /* the longest wait after it */
};

void fake_device_init(struct fake_device *d);
void fake_link(struct client_link *l, struct fake_device *d, size_t mtu, size_t overhead);
/* Queue a raw packet the client did not ask for. */
void fake_device_inject(struct fake_device *d, const uint8_t *pkt, size_t len);

#endif
