/*
 * The 32-byte MCUboot image header: decoding and the checks MCUboot's
 * boot_image_load_header makes before anything else is trusted.
 */
#include "boot/image.h"

#include "boot/byteorder.h"

void image_header_decode(const uint8_t raw[IMAGE_HEADER_SIZE], struct image_header *hdr)
{
    hdr->magic = boot_get_le32(raw + 0);
    hdr->load_addr = boot_get_le32(raw + 4);
    hdr->hdr_size = boot_get_le16(raw + 8);
    hdr->protect_tlv_size = boot_get_le16(raw + 10);
    hdr->img_size = boot_get_le32(raw + 12);
    hdr->flags = boot_get_le32(raw + 16);
    hdr->ver.major = raw[20];
    hdr->ver.minor = raw[21];
    hdr->ver.revision = boot_get_le16(raw + 22);
    hdr->ver.build_num = boot_get_le32(raw + 24);
}

static bool magic_is_erased(uint32_t magic, uint8_t erased_val)
{
    uint32_t erased = erased_val * 0x01010101u;

    return magic == erased;
}

int image_header_read(const struct flash_area *fa, struct image_header *hdr)
{
    uint8_t raw[IMAGE_HEADER_SIZE];
    uint64_t end;

    if (fa == NULL || hdr == NULL) {
        return IMAGE_EINVAL;
    }
    if (fa->size < IMAGE_HEADER_SIZE) {
        return IMAGE_ETOOBIG;
    }
    if (flash_area_read(fa, 0, raw, sizeof(raw)) != 0) {
        return IMAGE_EFLASH;
    }
    image_header_decode(raw, hdr);

    if (hdr->magic != IMAGE_MAGIC) {
        return magic_is_erased(hdr->magic, flash_area_erased_val(fa)) ? IMAGE_EEMPTY
                                                                      : IMAGE_EBADMAGIC;
    }
    if (hdr->hdr_size < IMAGE_HEADER_SIZE) {
        return IMAGE_EHDRSIZE;
    }
    /* 64-bit sum: the three fields cannot overflow it. MCUboot wants room
     * for at least the unprotected TLV info after them, hence >=. */
    end = (uint64_t)hdr->hdr_size + hdr->img_size + hdr->protect_tlv_size;
    if (end >= fa->size) {
        return IMAGE_ETOOBIG;
    }
    return IMAGE_OK;
}

uint32_t image_tlv_off(const struct image_header *hdr)
{
    return (uint32_t)hdr->hdr_size + hdr->img_size;
}
