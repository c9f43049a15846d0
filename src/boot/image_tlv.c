/*
 * Walking the protected and unprotected TLV areas that follow the payload.
 * The info checks are those of MCUboot's bootutil_tlv_iter_begin; on top of
 * them every TLV must end inside its own area, so a corrupt length can
 * never make a reader leave the area it belongs to (or the slot).
 */
#include "boot/image.h"

#include "boot/byteorder.h"

static int read_info(const struct flash_area *fa, uint64_t off, uint16_t *magic, uint16_t *tot)
{
    uint8_t raw[IMAGE_TLV_INFO_SIZE];

    if (off + IMAGE_TLV_INFO_SIZE > fa->size) {
        return IMAGE_ETLVLEN;
    }
    if (flash_area_read(fa, (uint32_t)off, raw, sizeof(raw)) != 0) {
        return IMAGE_EFLASH;
    }
    *magic = boot_get_le16(raw);
    *tot = boot_get_le16(raw + 2);
    return IMAGE_OK;
}

int image_tlv_iter_begin(struct image_tlv_iter *it, const struct flash_area *fa,
                         const struct image_header *hdr, uint16_t type)
{
    uint64_t off;
    uint64_t prot_end;
    uint64_t end;
    uint16_t magic;
    uint16_t tot;
    int rc;

    if (it == NULL || fa == NULL || hdr == NULL) {
        return IMAGE_EINVAL;
    }
    off = (uint64_t)hdr->hdr_size + hdr->img_size;

    rc = read_info(fa, off, &magic, &tot);
    if (rc != 0) {
        return rc;
    }
    if (magic == IMAGE_TLV_PROT_INFO_MAGIC) {
        /* A protected area shorter than its own info cannot be walked. */
        if (tot != hdr->protect_tlv_size || tot < IMAGE_TLV_INFO_SIZE) {
            return IMAGE_EPROTSIZE;
        }
        rc = read_info(fa, off + tot, &magic, &tot);
        if (rc != 0) {
            return rc;
        }
    } else if (hdr->protect_tlv_size != 0) {
        return IMAGE_EPROTSIZE;
    }
    if (magic != IMAGE_TLV_INFO_MAGIC) {
        return IMAGE_ETLVINFO;
    }
    if (tot < IMAGE_TLV_INFO_SIZE) {
        return IMAGE_ETLVLEN;
    }

    prot_end = off + hdr->protect_tlv_size;
    end = prot_end + tot;
    if (end > fa->size) {
        return IMAGE_ETLVLEN;
    }

    it->fa = fa;
    it->type = type;
    /* Both with and without a protected area the first TLV sits right
     * after the first info; the unprotected TLVs start after prot_end's
     * info. */
    it->next = (uint32_t)off + IMAGE_TLV_INFO_SIZE;
    it->prot_end = (uint32_t)prot_end;
    it->tlv_end = (uint32_t)end;
    return IMAGE_OK;
}

int image_tlv_iter_next(struct image_tlv_iter *it, struct image_tlv *tlv)
{
    uint8_t raw[IMAGE_TLV_HDR_SIZE];

    if (it == NULL || it->fa == NULL || tlv == NULL) {
        return IMAGE_EINVAL;
    }
    for (;;) {
        uint32_t area_end;
        bool prot;
        uint16_t type;
        uint16_t len;

        if (it->next < it->prot_end) {
            area_end = it->prot_end;
            prot = true;
        } else {
            uint32_t unprot_start = it->prot_end + IMAGE_TLV_INFO_SIZE;

            if (it->next < unprot_start) {
                it->next = unprot_start;
            }
            area_end = it->tlv_end;
            prot = false;
        }
        if (it->next >= it->tlv_end) {
            return 0;
        }
        if (area_end - it->next < IMAGE_TLV_HDR_SIZE) {
            return IMAGE_ETLVLEN;
        }
        if (flash_area_read(it->fa, it->next, raw, sizeof(raw)) != 0) {
            return IMAGE_EFLASH;
        }
        type = boot_get_le16(raw);
        len = boot_get_le16(raw + 2);
        if (area_end - it->next - IMAGE_TLV_HDR_SIZE < len) {
            return IMAGE_ETLVLEN;
        }
        tlv->type = type;
        tlv->len = len;
        tlv->off = it->next + IMAGE_TLV_HDR_SIZE;
        tlv->protected_tlv = prot;
        it->next = tlv->off + len;
        if (it->type == IMAGE_TLV_ANY || it->type == type) {
            return 1;
        }
    }
}

uint32_t image_tlv_iter_end(const struct image_tlv_iter *it)
{
    return it->tlv_end;
}
