/*
 * NSIB's validation of the firmware in one S slot (NCS bl_validation.c,
 * validate_firmware() with signature checking, and bl_crypto.c).
 *
 * The validation info follows the signed firmware, found 0..4 bytes past
 * address + size (NCS's build puts it at the next word boundary):
 *
 *   0  magic[3]   common, 0x86518483, compatibility word
 *  12  address    fw_info.address of the firmware it belongs to
 *  16  hash[32]   SHA-256 of the firmware (not checked when signed)
 *  48  public_key[64]  raw P-256 X||Y
 * 112  signature[64]   raw r||s
 *
 * The signature is ECDSA P-256 over SHA-256(SHA-256(firmware)): NCS's
 * do_sign.py signs the hash file with hashfunc=sha256, and bl_crypto.c
 * recomputes hash1 = SHA-256(fw), hash2 = SHA-256(hash1).
 */
#ifndef SMPDFU_BOOT_NSIB_VALIDATE_H
#define SMPDFU_BOOT_NSIB_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/nsib_fw_info.h"
#include "boot/nsib_provision.h"
#include "flash/flash_area.h"

#define NSIB_MAGIC_VALIDATION  0x86518483u
#define NSIB_VINFO_SIZE        176u
#define NSIB_VINFO_SEARCH      4u
/* SB_VALIDATION_INFO_CRYPTO_ID of ECDSA P-256. */
#define NSIB_VINFO_CRYPTO_ECDSA 1u

/* Compatibility word: version 2 | hw_id << 8 | crypto id 1 << 16. */
uint32_t nsib_vinfo_compat(uint8_t hw_id);

/* The 176 bytes of a validation info. */
void nsib_vinfo_encode(uint8_t hw_id, uint32_t address, const uint8_t hash[32],
                       const uint8_t pub[NSIB_PUBKEY_LEN], const uint8_t sig[64],
                       uint8_t out[NSIB_VINFO_SIZE]);

/* The digest the signature covers: SHA-256(SHA-256(fw[0, len))). */
int nsib_signed_digest(const void *fw, uint32_t len, uint8_t out[32]);

struct nsib_slot {
    const struct flash_area *fa;
    uint32_t addr;   /* CPU address of the area's first byte */
    uint8_t hw_id;
};

struct nsib_keys {
    const struct flash_area *fa;
    const struct nsib_provision *prov;
    /* Monotonic version (counter >> 1) images must reach. */
    uint16_t min_version;
    /* Revoke the keys before the one that verified, as NCS does. */
    bool revoke_older;
    uint32_t key_used; /* out: index of the key that verified */
};

/*
 * Every check NCS makes, in its order: fw_info found from its own address,
 * valid word, version >= keys->min_version, size and total_size, fw_info,
 * boot address and reset vector inside the signed region, validation info
 * present and for this address, key hashes usable, then the first
 * unrevoked key whose hash matches the image's key must verify the
 * signature. 0 or the NSIB_E* of the first check that fails.
 */
int nsib_validate(const struct nsib_slot *slot, const struct nsib_fw_info *info,
                  struct nsib_keys *keys);

#endif
