/*
 * The provision area NSIB trusts (NCS bl_storage.c, written by
 * scripts/bootloader/provision.py), in the layout without lifecycle state
 * and implementation ID (flash provision page of the nRF52):
 *
 *   0   u32 s0_address, u32 s1_address, u32 num_public_keys
 *   12  num_public_keys x { u32 valid_token, u8 hash[16] }
 *       token 0xFFFFFFFF = usable, 0xFFFF0000 = revoked
 *   ..  counter collection: u16 type (1), u16 num_counters, then per
 *       counter { u16 description, u16 num_slots, u16 slots[num_slots] }
 *
 * A key hash is the first 16 bytes of SHA-256 over the raw public key
 * X||Y. Counters are append-only: an update programs the next erased slot
 * with the new value bit-inverted; the value is the highest one decoded
 * before the first erased slot. Description 1 is NSIB's counter, whose
 * value is (fw_info.version << 1) | !slot; 2 is MCUboot's.
 */
#ifndef SMPDFU_BOOT_NSIB_PROVISION_H
#define SMPDFU_BOOT_NSIB_PROVISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash/flash_area.h"

#define NSIB_KEY_HASH_LEN       16u
#define NSIB_PUBKEY_LEN         64u
#define NSIB_KEY_TOKEN_VALID    0xffffffffu
#define NSIB_KEY_TOKEN_REVOKED  0xffff0000u
#define NSIB_COUNTER_TYPE       1u
#define NSIB_COUNTER_DESC_NSIB  1u
#define NSIB_COUNTER_DESC_MCUBOOT 2u
/* Keys a provision area may hold; more is taken as a corrupt area. */
#define NSIB_MAX_KEYS           16u

struct nsib_provision {
    uint32_t s0_address;
    uint32_t s1_address;
    uint32_t num_keys;
    /* Offset of the counter collection; has_counters when its type is 1. */
    uint32_t counters_off;
    bool has_counters;
};

/* Reads and checks the header; NSIB_EPROVISION when unprovisioned or when
 * the key table or counters would run past the area. */
int nsib_provision_read(const struct flash_area *fa, struct nsib_provision *out);

/* SHA-256(X||Y) truncated to 16 bytes. */
int nsib_key_hash(const uint8_t pub[NSIB_PUBKEY_LEN], uint8_t out[NSIB_KEY_HASH_LEN]);

/* Key idx: its hash into out (may be NULL) and whether it was revoked. */
int nsib_key_read(const struct flash_area *fa, const struct nsib_provision *p, uint32_t idx,
                  uint8_t out[NSIB_KEY_HASH_LEN], bool *revoked);
/* NSIB_EKEYHASH_FF when a usable key's hash holds a half-word 0xFFFF at
 * an even offset (NCS refuses to boot: such a hash cannot be told from
 * erased OTP). */
int nsib_keys_check(const struct flash_area *fa, const struct nsib_provision *p);
/* Write the revoked token over key idx (no-op when already revoked). The
 * token's low half is programmed; a write block wider than the token
 * covers written bytes, which NOR refuses (FLASH_ENOTERASED). */
int nsib_key_revoke(const struct flash_area *fa, const struct nsib_provision *p, uint32_t idx);

/* Current value of the counter with this description (0 when never
 * written); NSIB_ENOCOUNTER when there is no such counter. */
int nsib_counter_get(const struct flash_area *fa, const struct nsib_provision *p, uint16_t desc,
                     uint16_t *value);
/*
 * Append value, which must exceed the current one and not be 0xFFFF
 * (NSIB_ECOUNTER_VALUE); NSIB_ECOUNTER_FULL when no slot is left. Devices
 * that program one or two bytes write one slot. Wider write blocks cannot
 * program half a word twice, so the value goes into every slot of the next
 * erased write block (readers take the highest value, so the repeats read
 * the same); NSIB_EALIGN if that block is partly written already.
 */
int nsib_counter_set(const struct flash_area *fa, const struct nsib_provision *p, uint16_t desc,
                     uint16_t value);

struct nsib_provision_params {
    uint32_t s0_address;
    uint32_t s1_address;
    const uint8_t (*key_hashes)[NSIB_KEY_HASH_LEN];
    uint32_t num_keys;
    uint16_t nsib_counter_slots;    /* 0: no NSIB counter; must be even as provision.py requires */
    uint16_t mcuboot_counter_slots; /* 0: no MCUboot counter; even */
};

/* Size in bytes of the provision data for these parameters. */
size_t nsib_provision_size(const struct nsib_provision_params *p);

/* Erase fa and write the provision data (what programming provision.hex
 * does); NSIB_EINVAL for odd slot counts or too many keys, FLASH_ERANGE
 * when it does not fit. */
int nsib_provision_write(const struct flash_area *fa, const struct nsib_provision_params *p);

#endif
