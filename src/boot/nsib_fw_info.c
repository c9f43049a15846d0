#include "boot/nsib_fw_info.h"

#include <string.h>

#include "boot/byteorder.h"
#include "boot/nsib.h"

const uint32_t nsib_fw_info_offsets[NSIB_FW_INFO_OFFSET_COUNT] = { 0x0, 0x200, 0x400, 0x800,
                                                                   0x1000 };

uint32_t nsib_fw_info_compat(uint8_t hw_id)
{
    return NSIB_FW_INFO_VERSION | ((uint32_t)hw_id << 8);
}

static void decode(const uint8_t *b, uint32_t off, struct nsib_fw_info *out)
{
    for (int i = 0; i < 3; i++) {
        out->magic[i] = boot_get_le32(b + 4 * i);
    }
    out->total_size = boot_get_le32(b + 12);
    out->size = boot_get_le32(b + 16);
    out->version = boot_get_le32(b + 20);
    out->address = boot_get_le32(b + 24);
    out->boot_address = boot_get_le32(b + 28);
    out->valid = boot_get_le32(b + NSIB_FW_INFO_VALID_OFF);
    out->ext_api_num = boot_get_le32(b + 52);
    out->ext_api_request_num = boot_get_le32(b + 56);
    out->off = off;
}

int nsib_fw_info_find(const struct flash_area *fa, uint32_t base, uint8_t hw_id,
                      struct nsib_fw_info *out)
{
    const uint32_t magic[3] = { NSIB_MAGIC_COMMON, NSIB_MAGIC_FW_INFO, nsib_fw_info_compat(hw_id) };
    uint8_t b[NSIB_FW_INFO_SIZE];

    if (fa == NULL || out == NULL) {
        return NSIB_EINVAL;
    }
    for (int i = 0; i < NSIB_FW_INFO_OFFSET_COUNT; i++) {
        uint32_t off = base + nsib_fw_info_offsets[i];
        int rc;

        if (off < base || off > fa->size || fa->size - off < NSIB_FW_INFO_SIZE) {
            break;
        }
        rc = flash_area_read(fa, off, b, sizeof(b));
        if (rc != 0) {
            return rc;
        }
        if (boot_get_le32(b) == magic[0] && boot_get_le32(b + 4) == magic[1] &&
            boot_get_le32(b + 8) == magic[2]) {
            decode(b, off, out);
            return 0;
        }
    }
    return NSIB_ENOFWINFO;
}

void nsib_fw_info_encode(const struct nsib_fw_info *info, uint8_t hw_id,
                         uint8_t out[NSIB_FW_INFO_SIZE])
{
    memset(out, 0, NSIB_FW_INFO_SIZE);
    boot_put_le32(out, NSIB_MAGIC_COMMON);
    boot_put_le32(out + 4, NSIB_MAGIC_FW_INFO);
    boot_put_le32(out + 8, nsib_fw_info_compat(hw_id));
    boot_put_le32(out + 12, NSIB_FW_INFO_SIZE);
    boot_put_le32(out + 16, info->size);
    boot_put_le32(out + 20, info->version);
    boot_put_le32(out + 24, info->address);
    boot_put_le32(out + 28, info->boot_address);
    boot_put_le32(out + NSIB_FW_INFO_VALID_OFF, info->valid);
}

int nsib_fw_info_invalidate(const struct flash_area *fa, const struct nsib_fw_info *info)
{
    uint8_t w = flash_area_align(fa);
    uint8_t zero[2] = { 0, 0 };
    struct flash_sector sec;
    int rc;

    if (fa == NULL || info == NULL) {
        return NSIB_EINVAL;
    }
    if (info->valid != NSIB_FW_INFO_VALID) {
        return 0;
    }
    if (w <= 2) {
        return flash_area_write(fa, info->off + NSIB_FW_INFO_VALID_OFF, zero, 2);
    }
    rc = flash_area_sector_at(fa, info->off + NSIB_FW_INFO_VALID_OFF, &sec);
    if (rc != 0) {
        return rc;
    }
    return flash_area_erase(fa, sec.off, sec.size);
}
