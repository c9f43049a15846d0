/*
 * Swap using scratch: see swap_scratch.h. The regions, the order of erases
 * and copies, where each status record goes and when the scratch trailer
 * is written and erased follow bootutil's swap_scratch.c.
 */
#include "boot/swap_scratch.h"

#include <stdbool.h>
#include <stddef.h>

static int sector(const struct flash_area *fa, int idx, struct flash_sector *s)
{
    return flash_area_sector(fa, (size_t)idx, s) == 0 ? SWAP_OK : SWAP_ELAYOUT;
}

int swap_scratch_compatible(const struct swap_pair *p)
{
    struct flash_sector s;
    uint32_t sz0 = 0;
    uint32_t sz1 = 0;
    uint32_t total0 = 0;
    uint32_t total1 = 0;
    int n0;
    int n1;
    int i = 0;
    int j = 0;
    int smaller = 0;

    if (p == NULL || p->primary == NULL || p->secondary == NULL || p->scratch == NULL ||
        p->trailer == NULL) {
        return SWAP_EINVAL;
    }
    n0 = flash_area_sector_count(p->primary);
    n1 = flash_area_sector_count(p->secondary);
    if (n0 <= 0 || n1 <= 0 || n0 > (int)p->trailer->max_sectors ||
        n1 > (int)p->trailer->max_sectors) {
        return SWAP_ELAYOUT;
    }
    /* Walk both sector lists; a run ends where the two sums meet. */
    while (i < n0 || j < n1) {
        if (sz0 == sz1) {
            if (i >= n0 || j >= n1 || sector(p->primary, i++, &s) != 0) {
                return SWAP_ELAYOUT;
            }
            sz0 += s.size;
            if (sector(p->secondary, j++, &s) != 0) {
                return SWAP_ELAYOUT;
            }
            sz1 += s.size;
        } else if (sz0 < sz1) {
            if (smaller == 2 || i >= n0 || sector(p->primary, i++, &s) != 0) {
                return SWAP_ELAYOUT;
            }
            sz0 += s.size;
            smaller = 1;
        } else {
            if (smaller == 1 || j >= n1 || sector(p->secondary, j++, &s) != 0) {
                return SWAP_ELAYOUT;
            }
            sz1 += s.size;
            smaller = 2;
        }
        if (sz0 == sz1) {
            if (sz0 > p->scratch->size) {
                return SWAP_ELAYOUT;
            }
            total0 += sz0;
            total1 += sz1;
            sz0 = sz1 = 0;
            smaller = 0;
        }
    }
    return total0 == total1 && sz0 == 0 ? SWAP_OK : SWAP_ELAYOUT;
}

int swap_scratch_status_source(const struct swap_pair *p, uint8_t *source)
{
    struct trailer_state pri;
    struct trailer_state scr;

    if (trailer_read(p->primary, p->trailer, &pri) != 0 ||
        trailer_read(p->scratch, p->trailer, &scr) != 0) {
        return SWAP_EFLASH;
    }
    *source = BOOT_STATUS_SOURCE_NONE;
    if (pri.magic == TRAILER_MAGIC_GOOD && scr.magic != TRAILER_MAGIC_GOOD) {
        if (pri.copy_done == TRAILER_FLAG_UNSET) {
            *source = BOOT_STATUS_SOURCE_PRIMARY;
        }
    } else if (scr.magic == TRAILER_MAGIC_GOOD) {
        /* The scratch area serves every image pair: its status counts
         * only for the image it names. */
        if (scr.image_num == p->image_num) {
            *source = BOOT_STATUS_SOURCE_SCRATCH;
        }
    } else if (pri.magic == TRAILER_MAGIC_UNSET && pri.copy_done == TRAILER_FLAG_UNSET) {
        /* Never swapped, or a revert whose primary trailer is being
         * rewritten: the status, if any, is in the primary. */
        *source = BOOT_STATUS_SOURCE_PRIMARY;
    }
    return SWAP_OK;
}

/* Bytes of the run of primary sectors that ends at sector last and fits
 * the scratch area; *first gets its first sector (boot_copy_sz). */
static int region_of(const struct swap_pair *p, int last, int *first, uint32_t *size)
{
    struct flash_sector s;
    uint32_t sz = 0;
    int i;

    for (i = last; i >= 0; i--) {
        if (sector(p->primary, i, &s) != 0) {
            return SWAP_ELAYOUT;
        }
        if (sz + s.size > p->scratch->size) {
            break;
        }
        sz += s.size;
    }
    *first = i + 1;
    *size = sz;
    return sz > 0 ? SWAP_OK : SWAP_ELAYOUT;
}

/* Offset of the first primary sector that holds trailer bytes. */
static int trailer_start(const struct swap_pair *p, uint32_t *off)
{
    struct flash_sector s;
    uint32_t covered = 0;
    int idx = flash_area_sector_count(p->primary) - 1;

    while (idx >= 0) {
        if (sector(p->primary, idx, &s) != 0) {
            return SWAP_ELAYOUT;
        }
        covered += s.size;
        if (covered >= trailer_size(p->trailer)) {
            *off = s.off;
            return SWAP_OK;
        }
        idx--;
    }
    return SWAP_ENOSPACE;
}

static int erase_scratch(const struct swap_pair *p)
{
    return swap_erase_region(p->scratch, 0, p->scratch->size);
}

static int write_status(const struct swap_pair *p, bool use_scratch,
                        const struct boot_status *bs)
{
    int rc = boot_status_write(use_scratch ? p->scratch : p->primary, p->trailer, use_scratch, bs);

    return rc == 0 ? SWAP_OK : SWAP_EFLASH;
}

/* State 3 of a region that held the primary trailer: put the status kept
 * in the scratch area and the trailer fields back into the primary. */
static int restore_primary_trailer(const struct swap_pair *p, const struct boot_status *bs,
                                   uint32_t status_off)
{
    struct trailer_state scr;
    uint32_t scratch_status;
    int rc;

    if (boot_status_area_off(p->trailer, p->scratch->size, true, &scratch_status) != 0) {
        return SWAP_EINVAL;
    }
    rc = swap_copy_region(p->scratch, scratch_status, p->primary, status_off,
                          (trailer_status_states(p->trailer) - 1u) * p->trailer->write_block);
    if (rc != 0) {
        return rc;
    }
    if (trailer_read(p->scratch, p->trailer, &scr) != 0) {
        return SWAP_EFLASH;
    }
    if ((scr.image_ok == TRAILER_FLAG_SET && trailer_write_image_ok(p->primary, p->trailer) != 0) ||
        (scr.swap_type != BOOT_SWAP_TYPE_NONE &&
         trailer_write_swap_info(p->primary, p->trailer, scr.swap_type, p->image_num) != 0) ||
        trailer_write_swap_size(p->primary, p->trailer, bs->swap_size) != 0 ||
        trailer_write_magic(p->primary, p->trailer) != 0) {
        return SWAP_EFLASH;
    }
    return SWAP_OK;
}

/* Swap the region of sz bytes starting at primary sector idx. */
static int swap_region(const struct swap_pair *p, struct boot_status *bs, int idx, uint32_t sz)
{
    struct flash_sector s;
    uint32_t tstart;
    uint32_t img_off;
    uint32_t copy_sz = sz;
    bool use_scratch;
    int rc;

    if (sector(p->primary, idx, &s) != 0 || trailer_start(p, &tstart) != 0) {
        return SWAP_ELAYOUT;
    }
    img_off = s.off;
    /* The region that reaches the trailer leaves the trailer out of the
     * copy; its status goes to the scratch area meanwhile. */
    if (img_off + sz > tstart) {
        copy_sz -= trailer_size(p->trailer);
    }
    use_scratch = bs->idx == 1 && copy_sz != sz;

    if (bs->state == 1) {
        /* A resumed swap whose scratch trailer is the only place left
         * holding the request (the primary trailer is being rewritten)
         * keeps it until the primary has its own again: erasing it first
         * would lose the request if power failed once more right then.
         * (When the first region holds the trailer, the request is still
         * in the slots' own trailers and the scratch may be redone.) */
        bool scratch_ready = bs->idx == 1 && bs->source == BOOT_STATUS_SOURCE_SCRATCH &&
                             !use_scratch;

        if (!scratch_ready) {
            rc = erase_scratch(p);
            if (rc == 0 && bs->idx == 1) {
                rc = swap_status_init(p, p->scratch, bs);
            }
            if (rc != 0) {
                return rc;
            }
        }
        if (bs->idx == 1 && !use_scratch) {
            rc = swap_erase_trailer_sectors(p->primary, p->trailer);
            if (rc == 0) {
                rc = swap_status_init(p, p->primary, bs);
            }
            if (rc == 0) {
                rc = erase_scratch(p);
            }
            if (rc != 0) {
                return rc;
            }
        }
        rc = swap_copy_region(p->secondary, img_off, p->scratch, 0, copy_sz);
        if (rc == 0) {
            rc = write_status(p, use_scratch, bs);
        }
        if (rc != 0) {
            return rc;
        }
        bs->state = 2;
    }
    if (bs->state == 2) {
        rc = swap_erase_region(p->secondary, img_off, sz);
        if (rc == 0) {
            rc = swap_copy_region(p->primary, img_off, p->secondary, img_off, copy_sz);
        }
        if (rc == 0 && bs->idx == 1 && !use_scratch) {
            rc = swap_erase_trailer_sectors(p->secondary, p->trailer);
        }
        if (rc == 0) {
            rc = write_status(p, use_scratch, bs);
        }
        if (rc != 0) {
            return rc;
        }
        bs->state = 3;
    }
    if (bs->state == 3) {
        rc = swap_erase_region(p->primary, img_off, sz);
        if (rc == 0) {
            rc = swap_copy_region(p->scratch, 0, p->primary, img_off, copy_sz);
        }
        if (rc == 0 && use_scratch) {
            rc = restore_primary_trailer(p, bs, img_off + copy_sz);
        }
        if (rc == 0) {
            rc = write_status(p, false, bs);
        }
        /* The scratch trailer goes only once the primary has its own, so
         * a reset never finds the request in neither. */
        if (rc == 0 && use_scratch) {
            rc = erase_scratch(p);
        }
        if (rc != 0) {
            return rc;
        }
        bs->idx++;
        bs->state = 1;
    }
    return SWAP_OK;
}

int swap_scratch_run(const struct swap_pair *p, struct boot_status *bs, uint32_t copy_size)
{
    struct flash_sector s;
    uint32_t pri_sz = 0;
    uint32_t sec_sz = 0;
    int last = 0;
    int last_sec = 0;
    uint32_t region = 0;
    int rc;

    if (p == NULL || bs == NULL) {
        return SWAP_EINVAL;
    }
    rc = swap_scratch_compatible(p);
    if (rc != 0) {
        return rc;
    }
    /* The last primary sector to swap: both slots covered to the same
     * size, at least copy_size. */
    for (;;) {
        if (pri_sz < copy_size || pri_sz < sec_sz) {
            if (sector(p->primary, last, &s) != 0) {
                return SWAP_ENOSPACE;
            }
            pri_sz += s.size;
        }
        if (sec_sz < copy_size || sec_sz < pri_sz) {
            if (sector(p->secondary, last_sec, &s) != 0) {
                return SWAP_ENOSPACE;
            }
            sec_sz += s.size;
        }
        if (pri_sz >= copy_size && sec_sz >= copy_size && pri_sz == sec_sz) {
            break;
        }
        last++;
        last_sec++;
    }
    while (last >= 0) {
        int first;
        uint32_t sz;

        rc = region_of(p, last, &first, &sz);
        if (rc != 0) {
            return rc;
        }
        if (region + 1u >= bs->idx) {
            rc = swap_region(p, bs, first, sz);
            if (rc != 0) {
                return rc;
            }
        }
        last = first - 1;
        region++;
    }
    return SWAP_OK;
}
