#include "boot/nsib_target.h"

#include "boot/byteorder.h"
#include "boot/image.h"

int nsib_target_slot(const struct nsib_config *cfg, const struct flash_area *fa, int *slot)
{
    const struct flash_area *s[2];
    uint8_t hdr[IMAGE_HEADER_SIZE];
    uint8_t vt[8];
    uint32_t hdr_size;
    uint32_t reset;
    int rc;

    if (cfg == NULL || cfg->s0 == NULL || cfg->s1 == NULL || fa == NULL || slot == NULL) {
        return NSIB_EINVAL;
    }
    rc = flash_area_read(fa, 0, hdr, sizeof(hdr));
    if (rc != 0) {
        return rc;
    }
    hdr_size = boot_get_le16(hdr + 8);
    if (boot_get_le32(hdr) != IMAGE_MAGIC || hdr_size < IMAGE_HEADER_SIZE || hdr_size > fa->size ||
        fa->size - hdr_size < sizeof(vt)) {
        return NSIB_EINVAL;
    }
    rc = flash_area_read(fa, hdr_size, vt, sizeof(vt));
    if (rc != 0) {
        return rc;
    }
    reset = boot_get_le32(vt + 4);
    s[0] = cfg->s0;
    s[1] = cfg->s1;
    for (int i = 0; i < 2; i++) {
        uint32_t start = cfg->flash_base + s[i]->off;
        if (reset >= start && reset - start < s[i]->size) {
            *slot = i;
            return 0;
        }
    }
    return NSIB_EADDRESS;
}
