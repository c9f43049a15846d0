/*
 * The quick look at a slot that an SMP image list needs (what Zephyr's
 * img_mgmt_read_info does): header, TLV structure and the stored hash,
 * without hashing the image.
 */
#include <string.h>

#include "boot/image.h"

int image_read_info(const struct flash_area *fa, struct image_slot_info *info)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    struct image_tlv hash_tlv;
    size_t hash_count = 0;
    int rc;

    if (fa == NULL || info == NULL) {
        return IMAGE_EINVAL;
    }
    memset(info, 0, sizeof(*info));
    rc = image_header_read(fa, &info->hdr);
    if (rc != 0) {
        return rc;
    }
    rc = image_tlv_iter_begin(&it, fa, &info->hdr, IMAGE_TLV_ANY);
    if (rc != 0) {
        return rc;
    }
    info->image_end = image_tlv_iter_end(&it);
    while ((rc = image_tlv_iter_next(&it, &tlv)) == 1) {
        if (image_hash_alg_of_tlv(tlv.type) >= 0) {
            if (++hash_count > 1) {
                return IMAGE_EHASHDUP;
            }
            hash_tlv = tlv;
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (hash_count == 0) {
        return IMAGE_ENOHASH;
    }
    info->hash_alg = (enum crypto_hash_alg)image_hash_alg_of_tlv(hash_tlv.type);
    info->hash_len = crypto_hash_len(info->hash_alg);
    if (hash_tlv.len != info->hash_len) {
        return IMAGE_EHASHLEN;
    }
    if (flash_area_read(fa, hash_tlv.off, info->hash, info->hash_len) != 0) {
        return IMAGE_EFLASH;
    }
    return IMAGE_OK;
}
