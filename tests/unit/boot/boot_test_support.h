/*
 * Shared by the boot unit tests: vector files, RAM slots and a small image
 * builder for images the vectors do not cover.
 */
#ifndef BOOT_TEST_SUPPORT_H
#define BOOT_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot_test_sign.h"
#include "flash/flash_area.h"

/* Whole file below SMPDFU_VECTORS/images/ (fails the test if missing). */
uint8_t *bt_read_vector(const char *rel, size_t *len);
/* Lowercase hex to bytes; returns the byte count. */
size_t bt_unhex(const char *hex, uint8_t *out, size_t cap);

/*
 * A slot of `size` bytes in RAM, filled with the erased value, then data
 * copied to its start. The slot sits in the middle of a larger device
 * whose bytes around it are never addressable through the area, so any
 * attempt to read outside the slot fails (FLASH_ERANGE) instead of silently
 * working.
 */
struct bt_slot {
    struct flash_dev dev;
    struct flash_area fa;
    uint8_t *mem;
    unsigned writes; /* write and erase operations that reached the device */
    unsigned erases;
};

struct bt_slot *bt_slot_new(uint32_t size, const uint8_t *data, size_t len, uint8_t erased,
                            uint8_t write_block);
/* Bytes of the slot (area offset 0). */
uint8_t *bt_slot_bytes(struct bt_slot *s);
void bt_slot_free(struct bt_slot *s);

/* An image rebuilt from the header and payload of `base` with new TLVs. */
struct bt_tlv {
    uint16_t type;
    uint16_t len;
    const uint8_t *data;
};

struct bt_image_spec {
    const uint8_t *base;          /* image to take header + payload from */
    const struct bt_tlv *prot;    /* protected TLVs */
    size_t nprot;
    unsigned hash_tlvs;           /* SHA-256 TLVs emitted first (0, 1 or 2) */
    const struct bt_signer *signer; /* KEYHASH + ED25519 after the hash */
    const struct bt_tlv *unprot;  /* further unprotected TLVs, after those */
    size_t nunprot;
};

/* SHA-256 through the project's streaming API. */
void bt_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/* Returns the image length written to out. */
size_t bt_build_image(const struct bt_image_spec *spec, uint8_t *out, size_t cap);

#endif
