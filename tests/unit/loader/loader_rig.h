/*
 * A small device for the loader tests: one image pair on a RAM flash
 * simulator (uniform sectors), Ed25519 images made on the fly, and the
 * loader's log kept for inspection. Shared by the unit tests and the
 * power-cut campaign.
 */
#ifndef LOADER_RIG_H
#define LOADER_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/loader.h"
#include "boot_test_support.h"
#include "flash/sim/flash_sim.h"

#define RIG_LOG_SIZE 16384

struct rig {
    struct flash_sim sim;
    struct flash_area primary;
    struct flash_area secondary;
    struct flash_area scratch; /* size 0 when there is none */
    /* Second image pair (rig_open_two). */
    struct flash_area primary1;
    struct flash_area secondary1;
    struct loader_pair pair;
    struct loader_pair pairs[2];
    struct loader_config cfg;
    struct bt_signer signer;
    struct image_key key;
    uint32_t sector_size;
    char log[RIG_LOG_SIZE];
    size_t log_len;
    bool quiet; /* keep the log, do not print it */
};

/* Write block of the rigs opened from now on (default 4). */
extern uint8_t rig_write_block;

/* Slots of slot_sectors sectors each, write block rig_write_block, erased 0xff; with
 * swap-scratch, a scratch area of one sector follows. */
void rig_open(struct rig *r, enum trailer_mode mode, uint32_t sector_size,
              uint32_t slot_sectors);
/* Slots made of count sectors of the given sizes each (both slots alike),
 * then a scratch area of one scratch_size sector if scratch_size > 0. */
void rig_open_map(struct rig *r, enum trailer_mode mode, const uint32_t *sizes, size_t count,
                  uint32_t scratch_size);
/* Two image pairs of uniform slots (swap-using-move): image 0 as above,
 * image 1 in primary1/secondary1 after them. */
void rig_open_two(struct rig *r, uint32_t sector_size, uint32_t slot_sectors);
void rig_close(struct rig *r);

/* A signed image of version major.minor.0, payload_len pseudo-random bytes
 * from seed; returns its length. signer NULL = the rig's trusted key. */
size_t rig_image(const struct rig *r, const struct bt_signer *signer, uint8_t major,
                 uint8_t minor, uint32_t payload_len, uint8_t seed, uint8_t *out, size_t cap);

/* The same with protected TLVs. */
size_t rig_image_prot(const struct rig *r, uint8_t major, uint32_t payload_len, uint8_t seed,
                      const struct bt_tlv *prot, size_t nprot, uint8_t *out, size_t cap);

/* The same with a DEPENDENCY TLV (protected): image dep_image at least
 * dep_major.dep_minor.0. */
size_t rig_image_dep(const struct rig *r, uint8_t major, uint32_t payload_len, uint8_t seed,
                     uint8_t dep_image, uint8_t dep_major, uint8_t dep_minor, uint8_t *out,
                     size_t cap);

/* Program len bytes at the start of fa as a programming station does. */
void rig_program(struct rig *r, const struct flash_area *fa, const uint8_t *data, size_t len);

/* True if the first len bytes of fa are data. */
bool rig_slot_holds(const struct rig *r, const struct flash_area *fa, const uint8_t *data,
                    size_t len);

/* Run the loader; the log is cleared first. */
int rig_boot(struct rig *r, struct loader_result *res);

/* The log has a line containing text. */
bool rig_logged(const struct rig *r, const char *text);

#endif
