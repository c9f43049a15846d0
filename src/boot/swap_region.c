/*
 * Flash steps shared by the swap strategies.
 */
#include "boot/swap_region.h"

#include <stddef.h>

int swap_copy_region(const struct flash_area *src, uint32_t src_off,
                     const struct flash_area *dst, uint32_t dst_off, uint32_t len)
{
    uint8_t buf[SWAP_COPY_CHUNK];

    if (src == NULL || dst == NULL) {
        return SWAP_EINVAL;
    }
    while (len > 0) {
        uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);

        if (flash_area_read(src, src_off, buf, n) != 0 ||
            flash_area_write(dst, dst_off, buf, n) != 0) {
            return SWAP_EFLASH;
        }
        src_off += n;
        dst_off += n;
        len -= n;
    }
    return SWAP_OK;
}

int swap_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    if (fa == NULL) {
        return SWAP_EINVAL;
    }
    return flash_area_erase(fa, off, len) == 0 ? SWAP_OK : SWAP_EFLASH;
}

int swap_erase_trailer_sectors(const struct flash_area *fa, const struct trailer_config *cfg)
{
    uint32_t need = trailer_size(cfg);
    uint32_t total = 0;
    int count;

    if (fa == NULL) {
        return SWAP_EINVAL;
    }
    count = flash_area_sector_count(fa);
    if (count <= 0) {
        return SWAP_ELAYOUT;
    }
    /* Last sector first, so the magic goes before the status records: a
     * cut in between leaves a trailer that no longer claims a swap. */
    for (int i = count - 1; i >= 0 && total < need; i--) {
        struct flash_sector s;

        if (flash_area_sector(fa, (size_t)i, &s) != 0) {
            return SWAP_ELAYOUT;
        }
        if (flash_area_erase(fa, s.off, s.size) != 0) {
            return SWAP_EFLASH;
        }
        total += s.size;
    }
    return total >= need ? SWAP_OK : SWAP_ENOSPACE;
}

int swap_first_trailer_sector(const struct flash_area *fa, const struct trailer_config *cfg,
                              uint32_t *idx)
{
    struct flash_sector s0;
    uint32_t need = trailer_size(cfg);
    uint32_t covered;
    int count;

    if (fa == NULL || idx == NULL) {
        return SWAP_EINVAL;
    }
    count = flash_area_sector_count(fa);
    if (count <= 0 || flash_area_sector(fa, 0, &s0) != 0 || s0.size == 0) {
        return SWAP_ELAYOUT;
    }
    *idx = (uint32_t)count - 1u;
    covered = s0.size;
    while (covered < need) {
        if (*idx == 0) {
            return SWAP_ENOSPACE;
        }
        (*idx)--;
        covered += s0.size;
    }
    return SWAP_OK;
}

int swap_status_init(const struct swap_pair *p, const struct flash_area *fa,
                     const struct boot_status *bs)
{
    struct trailer_state sec;
    int rc;

    if (p == NULL || fa == NULL || bs == NULL) {
        return SWAP_EINVAL;
    }
    if (trailer_read(p->secondary, p->trailer, &sec) != 0) {
        return SWAP_EFLASH;
    }
    rc = 0;
    if (bs->swap_type != BOOT_SWAP_TYPE_NONE) {
        rc = trailer_write_swap_info(fa, p->trailer, bs->swap_type, p->image_num);
    }
    if (rc == 0 && sec.image_ok == TRAILER_FLAG_SET) {
        rc = trailer_write_image_ok(fa, p->trailer);
    }
    if (rc == 0) {
        rc = trailer_write_swap_size(fa, p->trailer, bs->swap_size);
    }
    if (rc == 0) {
        rc = trailer_write_magic(fa, p->trailer);
    }
    return rc == 0 ? SWAP_OK : SWAP_EFLASH;
}
