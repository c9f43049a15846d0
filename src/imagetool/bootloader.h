/*
 * Build the S0 and S1 variants of a bootloader for an NSIB (B0) chain, as
 * NCS's build does for MCUboot with CONFIG_BUILD_S1_VARIANT:
 *
 *   1. the firmware, linked for the S-slot image address (slot + pad),
 *      gets a fw_info 0x200 past its vector table (CONFIG_FW_INFO_OFFSET)
 *      carrying --fw-version, its size and addresses;
 *   2. the first-stage signature: validation info at the next word after
 *      the firmware, ECDSA P-256 over SHA-256(SHA-256(firmware)) with the
 *      raw public key ("signed_by_b0_*.bin");
 *   3. an MCUboot image around it, header size = the S-slot pad, so the
 *      whole image written at the slot start puts the firmware at slot +
 *      pad ("signed_by_mcuboot_and_b0_*.bin", the files of dfu_mcuboot.zip).
 *
 * The S1 variant is the same firmware linked for S1. Without a separate
 * S1 build the vector table is relocated: its reset vector moves by
 * s1 - s0, which is what relinking changes in the words NSIB and the
 * loader look at.
 */
#ifndef SMPDFU_IMAGETOOL_BOOTLOADER_H
#define SMPDFU_IMAGETOOL_BOOTLOADER_H

#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "keys/crypto_key.h"

/* CONFIG_FW_INFO_OFFSET: fw_info sits this far past the vector table. */
#define BOOTLOADER_FW_INFO_OFFSET 0x200u

struct bootloader_opts {
    const struct crypto_key *b0_key;      /* ECDSA P-256 private key of the first stage */
    const struct crypto_key *mcuboot_key; /* MCUboot signing key; NULL: hash TLV only */
    uint32_t fw_version;                  /* fw_info.version, 1..32766 */
    struct image_version mcuboot_version; /* MCUboot header version */
    uint32_t s_addr[2];                   /* CPU addresses of S0 and S1 (pad included) */
    uint32_t pad;                         /* s0_pad/s1_pad = MCUboot header size (0x200) */
    uint32_t slot_size;                   /* imgtool -S of the wrapper */
    uint8_t hw_id;                        /* FW_INFO_HARDWARE_ID, 52 on nRF52 */
};

struct bootloader_variant {
    uint8_t *b0_signed;   /* firmware + fw_info + validation info, for slot + pad */
    size_t b0_len;
    uint8_t *update;      /* MCUboot image of it, for the slot start / secondary slot */
    size_t update_len;
};

/* Raw X||Y of an ECDSA P-256 key (what NSIB hashes and provisions). */
int bootloader_pubkey_raw(const struct crypto_key *key, uint8_t out[64]);

/*
 * The firmware fw (linked at image_addr) with its fw_info and first-stage
 * signature. fw must hold a vector table whose reset vector points into
 * it, and room for fw_info at BOOTLOADER_FW_INFO_OFFSET (bytes all 0x00 or
 * 0xff, or an fw_info already there, which is replaced). 0 and *out
 * (free() it), or -1 with one line in err.
 */
int bootloader_sign_b0(const uint8_t *fw, size_t len, uint32_t image_addr, uint32_t version,
                       const struct crypto_key *key, uint8_t hw_id, uint8_t **out, size_t *out_len,
                       char *err, size_t err_len);

/*
 * Both variants. fw is linked for S0 (reset vector inside s_addr[0] + pad);
 * fw_s1 is the S1 build, or NULL to relocate fw. 0, or -1 with err set
 * (nothing to free then).
 */
int bootloader_build(const uint8_t *fw, size_t len, const uint8_t *fw_s1, size_t len_s1,
                     const struct bootloader_opts *o, struct bootloader_variant out[2], char *err,
                     size_t err_len);

void bootloader_variants_free(struct bootloader_variant v[2]);

#endif
