/*
 * Swap using move: see swap_move.h for the steps. Offsets and the order of
 * erases, copies and status records are those of bootutil's swap_move.c,
 * so either bootloader can finish a swap the other started.
 */
#include "boot/swap_move.h"

#include <stddef.h>

static int sector_size_of(const struct flash_area *fa, uint32_t *size)
{
    struct flash_sector s;

    if (flash_area_sector(fa, 0, &s) != 0 || s.size == 0) {
        return SWAP_ELAYOUT;
    }
    *size = s.size;
    return SWAP_OK;
}

static bool uniform(const struct flash_area *fa, uint32_t size, int count)
{
    for (int i = 0; i < count; i++) {
        struct flash_sector s;

        if (flash_area_sector(fa, (size_t)i, &s) != 0 || s.size != size) {
            return false;
        }
    }
    return true;
}

int swap_move_compatible(const struct swap_pair *p)
{
    uint32_t sz;
    int npri;
    int nsec;

    if (p == NULL || p->primary == NULL || p->secondary == NULL || p->trailer == NULL) {
        return SWAP_EINVAL;
    }
    npri = flash_area_sector_count(p->primary);
    nsec = flash_area_sector_count(p->secondary);
    if (npri <= 0 || nsec <= 0 || (npri != nsec && npri != nsec + 1) ||
        npri > (int)p->trailer->max_sectors) {
        return SWAP_ELAYOUT;
    }
    if (sector_size_of(p->primary, &sz) != 0 || !uniform(p->primary, sz, npri) ||
        !uniform(p->secondary, sz, nsec)) {
        return SWAP_ELAYOUT;
    }
    return SWAP_OK;
}

int swap_move_max_image_size(const struct swap_pair *p, uint32_t *size)
{
    uint32_t first;
    uint32_t sz;
    int rc;

    if (p == NULL || size == NULL) {
        return SWAP_EINVAL;
    }
    rc = sector_size_of(p->primary, &sz);
    if (rc == 0) {
        rc = swap_first_trailer_sector(p->primary, p->trailer, &first);
    }
    if (rc != 0) {
        return rc;
    }
    /* The move phase shifts the image up by one sector, and that sector
     * must still lie before the trailer (swap_move_run's space check). */
    if (first < 2) {
        return SWAP_ENOSPACE;
    }
    *size = (first - 1) * sz;
    return SWAP_OK;
}

/* Sectors covered by copy_size: at least one (find_last_idx). */
static uint32_t last_idx_of(uint32_t copy_size, uint32_t sector_size)
{
    uint32_t n = (copy_size + sector_size - 1) / sector_size;

    return n == 0 ? 1 : n;
}

/* Move pri[idx-1] up to pri[idx]; the first move of a swap also starts the
 * trailers. */
static int move_sector_up(const struct swap_pair *p, struct boot_status *bs, uint32_t idx,
                          uint32_t sz)
{
    int rc;

    if (bs->idx == 1) {
        if (bs->source != BOOT_STATUS_SOURCE_PRIMARY) {
            rc = swap_erase_trailer_sectors(p->primary, p->trailer);
            if (rc == 0) {
                rc = swap_status_init(p, p->primary, bs);
            }
            if (rc != 0) {
                return rc;
            }
        }
        rc = swap_erase_trailer_sectors(p->secondary, p->trailer);
        if (rc != 0) {
            return rc;
        }
    }
    rc = swap_erase_region(p->primary, idx * sz, sz);
    if (rc == 0) {
        rc = swap_copy_region(p->primary, (idx - 1) * sz, p->primary, idx * sz, sz);
    }
    if (rc == 0 && boot_status_write(p->primary, p->trailer, false, bs) != 0) {
        rc = SWAP_EFLASH;
    }
    if (rc == 0) {
        bs->idx++;
    }
    return rc;
}

/* Put sec[idx-1] into pri[idx-1] and the moved-up pri[idx] into sec[idx-1],
 * starting at bs->state. */
static int swap_sectors(const struct swap_pair *p, struct boot_status *bs, uint32_t idx,
                        uint32_t sz)
{
    uint32_t pri_off = (idx - 1) * sz;
    uint32_t pri_up_off = idx * sz;
    uint32_t sec_off = (idx - 1) * sz;
    int rc;

    if (bs->state == 1) {
        rc = swap_erase_region(p->primary, pri_off, sz);
        if (rc == 0) {
            rc = swap_copy_region(p->secondary, sec_off, p->primary, pri_off, sz);
        }
        if (rc == 0 && boot_status_write(p->primary, p->trailer, false, bs) != 0) {
            rc = SWAP_EFLASH;
        }
        if (rc != 0) {
            return rc;
        }
        bs->state = 2;
    }
    if (bs->state == 2) {
        rc = swap_erase_region(p->secondary, sec_off, sz);
        if (rc == 0) {
            rc = swap_copy_region(p->primary, pri_up_off, p->secondary, sec_off, sz);
        }
        if (rc == 0 && boot_status_write(p->primary, p->trailer, false, bs) != 0) {
            rc = SWAP_EFLASH;
        }
        if (rc != 0) {
            return rc;
        }
        bs->idx++;
        bs->state = 1;
    }
    return SWAP_OK;
}

/*
 * A revert starts from a primary trailer that the first move erases and
 * rewrites; a reset in that window would leave no request anywhere. So the
 * secondary is first made to look like a permanent request for the image
 * it holds (fixup_revert): a cut then resumes as a permanent swap back.
 */
static int fixup_revert(const struct swap_pair *p, const struct boot_status *bs)
{
    struct trailer_state sec;
    int rc;

    if (bs->swap_type != BOOT_SWAP_TYPE_REVERT || bs->op != BOOT_STATUS_OP_MOVE ||
        bs->idx != 1) {
        return SWAP_OK;
    }
    if (trailer_read(p->secondary, p->trailer, &sec) != 0) {
        return SWAP_EFLASH;
    }
    /* MCUboot redoes this only over an erased magic; a magic torn by a
     * cut in this very write is redone too (the loader only decides to
     * revert over such a magic when the rest of this fixup is there). */
    if (sec.magic == TRAILER_MAGIC_GOOD) {
        return SWAP_OK;
    }
    rc = swap_erase_trailer_sectors(p->secondary, p->trailer);
    if (rc != 0) {
        return rc;
    }
    if (trailer_write_image_ok(p->secondary, p->trailer) != 0 ||
        trailer_write_swap_size(p->secondary, p->trailer, bs->swap_size) != 0 ||
        trailer_write_magic(p->secondary, p->trailer) != 0) {
        return SWAP_EFLASH;
    }
    return SWAP_OK;
}

int swap_move_run(const struct swap_pair *p, struct boot_status *bs, uint32_t copy_size)
{
    uint32_t sz;
    uint32_t last_idx;
    int rc;

    if (p == NULL || bs == NULL) {
        return SWAP_EINVAL;
    }
    rc = swap_move_compatible(p);
    if (rc == 0) {
        rc = sector_size_of(p->primary, &sz);
    }
    if (rc != 0) {
        return rc;
    }
    last_idx = last_idx_of(copy_size, sz);
    if (boot_status_is_reset(bs)) {
        uint32_t first_trailer;

        rc = swap_first_trailer_sector(p->primary, p->trailer, &first_trailer);
        if (rc != 0) {
            return rc;
        }
        if (last_idx >= first_trailer) {
            return SWAP_ENOSPACE;
        }
    }
    if (last_idx > p->trailer->max_sectors) {
        return SWAP_ELAYOUT;
    }

    rc = fixup_revert(p, bs);
    if (rc != 0) {
        return rc;
    }
    if (bs->op == BOOT_STATUS_OP_MOVE) {
        /* Step k of the move phase moves sector last_idx - k + 1. */
        uint32_t first = bs->idx <= last_idx ? last_idx + 1u - bs->idx : 0;

        for (uint32_t idx = first; idx > 0; idx--) {
            rc = move_sector_up(p, bs, idx, sz);
            if (rc != 0) {
                return rc;
            }
        }
        bs->idx = 1;
        bs->state = 1;
    }
    bs->op = BOOT_STATUS_OP_SWAP;
    for (uint32_t idx = bs->idx; idx <= last_idx; idx++) {
        rc = swap_sectors(p, bs, idx, sz);
        if (rc != 0) {
            return rc;
        }
    }
    return SWAP_OK;
}
