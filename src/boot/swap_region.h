/*
 * The flash steps every swap strategy is made of: copying a region from one
 * slot to another, erasing the sectors that hold a trailer, and starting
 * the trailer of a new swap (swap_status_init in bootutil). All functions
 * return 0 or a negative SWAP_E* code.
 */
#ifndef SMPDFU_BOOT_SWAP_REGION_H
#define SMPDFU_BOOT_SWAP_REGION_H

#include <stdint.h>

#include "boot/boot_status.h"
#include "boot/trailer.h"
#include "flash/flash_area.h"

/* Bytes moved per read/write while copying (a stack buffer). A multiple
 * of every write block (at most 32). */
#ifndef SWAP_COPY_CHUNK
#define SWAP_COPY_CHUNK 512u
#endif

enum swap_err {
    SWAP_OK = 0,
    SWAP_EFLASH = -1,   /* a flash operation failed (or power was cut) */
    SWAP_EINVAL = -2,   /* bad argument */
    SWAP_ELAYOUT = -3,  /* the slots' sectors do not allow this strategy */
    SWAP_ENOSPACE = -4, /* the images and the trailer do not fit the slot */
};

/* The two slots of one image pair, and the scratch area if the strategy
 * uses one. */
struct swap_pair {
    const struct flash_area *primary;
    const struct flash_area *secondary;
    const struct flash_area *scratch;
    const struct trailer_config *trailer;
    uint8_t image_num;
};

/* Copy len bytes from src at src_off to dst at dst_off; the destination
 * must be erased. */
int swap_copy_region(const struct flash_area *src, uint32_t src_off,
                     const struct flash_area *dst, uint32_t dst_off, uint32_t len);

/* Erase [off, off+len) of fa, whole sectors. */
int swap_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len);

/* Erase the sectors holding the trailer, from the last sector of fa down
 * until trailer_size() bytes are covered (swap_erase_trailer_sectors). */
int swap_erase_trailer_sectors(const struct flash_area *fa, const struct trailer_config *cfg);

/* Index of the first sector of fa that holds trailer bytes, counted the
 * way bootutil counts it: sector size of sector 0 times n covers the
 * trailer. Uniform sectors only. */
int swap_first_trailer_sector(const struct flash_area *fa, const struct trailer_config *cfg,
                              uint32_t *idx);

/*
 * Start the trailer of fa for a new swap, as swap_status_init: swap_info
 * (unless bs->swap_type is NONE), image_ok if the secondary's is set,
 * swap_size, then the magic last -- the magic is what makes the status
 * area count after a reset.
 */
int swap_status_init(const struct swap_pair *p, const struct flash_area *fa,
                     const struct boot_status *bs);

#endif
