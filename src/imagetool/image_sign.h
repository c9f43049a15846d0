/*
 * Build an MCUboot image from a raw binary the way imgtool's `sign` does,
 * byte for byte: header, payload, protected TLVs (security counter),
 * unprotected TLVs (hash, key hash or public key, signature) and, when
 * asked, padding to the slot with a trailer that requests a test or a
 * permanent upgrade.
 */
#ifndef SMPDFU_IMAGETOOL_IMAGE_SIGN_H
#define SMPDFU_IMAGETOOL_IMAGE_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "keys/crypto_key.h"

struct sign_opts {
    const struct crypto_key *key; /* NULL: no signature, hash TLV only */
    struct image_version version;
    uint16_t hdr_size;            /* -H */
    bool pad_header;              /* prepend hdr_size erased bytes to the payload */
    uint32_t load_addr;
    uint32_t slot_size;           /* -S, required */
    uint8_t align;                /* flash write size: 1, 2, 4, 8, 16 or 32 */
    uint8_t max_align;            /* 0: max(8, align) as imgtool */
    uint16_t max_sectors;         /* 0: 128 */
    bool pad;                     /* pad to slot_size, trailer magic: a test upgrade */
    bool confirm;                 /* pad and set image_ok: a permanent upgrade */
    bool overwrite_only;
    bool has_sec_cnt;
    bool sec_cnt_auto;            /* derive from the version as imgtool's "-s auto" */
    uint32_t sec_cnt;
    bool pubkey_full;             /* PUBKEY TLV instead of KEYHASH */
    unsigned sha;                 /* 0 (auto: 384 for ecdsa-p384, else 256), 256, 384, 512 */
    uint8_t erased_val;           /* value of padding bytes, 0xff on NOR */
};

/* Defaults matching imgtool's (everything zero except erased_val 0xff). */
void sign_opts_init(struct sign_opts *o);

/*
 * Sign payload[0, len). On success *out holds the image (free() it) and 0
 * is returned; otherwise -1 and err holds one line saying what is wrong.
 */
int image_sign(const uint8_t *payload, size_t len, const struct sign_opts *o, uint8_t **out,
               size_t *out_len, char *err, size_t err_len);

#endif
