/*
 * The image digest: SHA-2 over header, payload and protected TLV area, read
 * from flash in IMAGE_HASH_CHUNK pieces so hashing costs little more than
 * the hash itself.
 */
#include "boot/image.h"

int image_hash_alg_of_tlv(uint16_t type)
{
    switch (type) {
    case IMAGE_TLV_SHA256:
        return CRYPTO_SHA256;
    case IMAGE_TLV_SHA384:
        return CRYPTO_SHA384;
    case IMAGE_TLV_SHA512:
        return CRYPTO_SHA512;
    default:
        return -1;
    }
}

int image_hash_compute(const struct flash_area *fa, const struct image_header *hdr,
                       enum crypto_hash_alg alg, uint8_t *out)
{
    struct crypto_hash_ctx ctx;
    uint8_t buf[IMAGE_HASH_CHUNK];
    uint64_t total;
    uint32_t off = 0;

    if (fa == NULL || hdr == NULL || out == NULL) {
        return IMAGE_EINVAL;
    }
    total = (uint64_t)hdr->hdr_size + hdr->img_size + hdr->protect_tlv_size;
    if (total > fa->size) {
        return IMAGE_ETOOBIG;
    }
    if (crypto_hash_init(&ctx, alg) != 0) {
        return IMAGE_ECRYPTO;
    }
    while (off < total) {
        uint32_t n = (uint32_t)total - off;

        if (n > sizeof(buf)) {
            n = sizeof(buf);
        }
        if (flash_area_read(fa, off, buf, n) != 0) {
            return IMAGE_EFLASH;
        }
        if (crypto_hash_update(&ctx, buf, n) != 0) {
            return IMAGE_ECRYPTO;
        }
        off += n;
    }
    if (crypto_hash_finish(&ctx, out) != 0) {
        return IMAGE_ECRYPTO;
    }
    return IMAGE_OK;
}
