/*
 * Overwrite-only: see swap_overwrite.h.
 */
#include "boot/swap_overwrite.h"

#include <stddef.h>

/* Copy the slot chunk by chunk, leaving out chunks that are erased in the
 * source: the destination was just erased, so they already match. */
static int copy_slot(const struct flash_area *src, const struct flash_area *dst, uint32_t len)
{
    for (uint32_t off = 0; off < len; off += SWAP_COPY_CHUNK) {
        uint32_t n = len - off < SWAP_COPY_CHUNK ? len - off : SWAP_COPY_CHUNK;
        int erased = flash_area_is_erased(src, off, n);
        int rc;

        if (erased < 0) {
            return SWAP_EFLASH;
        }
        if (erased) {
            continue;
        }
        rc = swap_copy_region(src, off, dst, off, n);
        if (rc != 0) {
            return rc;
        }
    }
    return SWAP_OK;
}

int swap_overwrite_run(const struct swap_pair *p)
{
    struct flash_sector s;
    uint32_t len;
    int count;
    int rc;

    if (p == NULL || p->primary == NULL || p->secondary == NULL) {
        return SWAP_EINVAL;
    }
    count = flash_area_sector_count(p->primary);
    if (count <= 0) {
        return SWAP_ELAYOUT;
    }
    for (int i = 0; i < count; i++) {
        if (flash_area_sector(p->primary, (size_t)i, &s) != 0) {
            return SWAP_ELAYOUT;
        }
        rc = swap_erase_region(p->primary, s.off, s.size);
        if (rc != 0) {
            return rc;
        }
    }
    len = p->primary->size < p->secondary->size ? p->primary->size : p->secondary->size;
    rc = copy_slot(p->secondary, p->primary, len);
    if (rc != 0) {
        return rc;
    }
    /* Trailer first: once it is gone nothing asks for the copy again, and
     * a cut before the header goes leaves a plain image that is not
     * requested. (MCUboot erases the header first; a cut in between then
     * leaves a request for an empty slot that a later upload inherits.) */
    count = flash_area_sector_count(p->secondary);
    if (count <= 0 || flash_area_sector(p->secondary, (size_t)count - 1, &s) != 0) {
        return SWAP_ELAYOUT;
    }
    rc = swap_erase_region(p->secondary, s.off, s.size);
    if (rc == 0 && count > 1) {
        if (flash_area_sector(p->secondary, 0, &s) != 0) {
            return SWAP_ELAYOUT;
        }
        rc = swap_erase_region(p->secondary, s.off, s.size);
    }
    return rc;
}
