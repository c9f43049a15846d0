/*
 * What the two trailers of an image pair ask the bootloader to do
 * (boot_swap_type_multi) and the requests that change it: set pending on
 * the secondary, confirm on the primary (boot_set_next).
 */
#include <stddef.h>

#include "boot/trailer.h"

/* One row of the decision table; 0 in a field means "any". */
struct swap_row {
    uint8_t magic_primary;
    uint8_t magic_secondary;
    uint8_t image_ok_primary;
    uint8_t image_ok_secondary;
    uint8_t copy_done_primary;
    uint8_t copy_done_secondary;
    uint8_t swap_type;
};

/* Order matters: the secondary's request wins over the primary's state. */
static const struct swap_row swap_rows[] = {
    /* swap-offset only (first row, skipped otherwise): a secondary that
     * was swapped but never confirmed goes back. */
    {0, TRAILER_MAGIC_GOOD, 0, TRAILER_FLAG_UNSET, 0, TRAILER_FLAG_SET, BOOT_SWAP_TYPE_REVERT},
    {0, TRAILER_MAGIC_GOOD, 0, TRAILER_FLAG_UNSET, 0, 0, BOOT_SWAP_TYPE_TEST},
    {0, TRAILER_MAGIC_GOOD, 0, TRAILER_FLAG_SET, 0, 0, BOOT_SWAP_TYPE_PERM},
    {TRAILER_MAGIC_GOOD, TRAILER_MAGIC_UNSET, TRAILER_FLAG_UNSET, 0, TRAILER_FLAG_SET, 0,
     BOOT_SWAP_TYPE_REVERT},
};

static bool fits(uint8_t want, uint8_t have)
{
    return want == 0 || want == have;
}

int trailer_swap_type(const struct trailer_config *cfg, const struct trailer_state *primary,
                      const struct trailer_state *secondary)
{
    static const struct trailer_state empty = {
        .magic = TRAILER_MAGIC_UNSET,
        .image_ok = TRAILER_FLAG_UNSET,
        .copy_done = TRAILER_FLAG_UNSET,
        .swap_type = BOOT_SWAP_TYPE_NONE,
    };
    size_t first;

    if (cfg == NULL || primary == NULL) {
        return BOOT_SWAP_TYPE_PANIC;
    }
    if (secondary == NULL) {
        secondary = &empty;
    }
    first = cfg->mode == TRAILER_MODE_SWAP_OFFSET ? 0 : 1;
    for (size_t i = first; i < sizeof(swap_rows) / sizeof(swap_rows[0]); i++) {
        const struct swap_row *r = &swap_rows[i];

        if (fits(r->magic_primary, (uint8_t)primary->magic) &&
            fits(r->magic_secondary, (uint8_t)secondary->magic) &&
            fits(r->image_ok_primary, (uint8_t)primary->image_ok) &&
            fits(r->image_ok_secondary, (uint8_t)secondary->image_ok) &&
            fits(r->copy_done_primary, (uint8_t)primary->copy_done) &&
            fits(r->copy_done_secondary, (uint8_t)secondary->copy_done)) {
            return r->swap_type;
        }
    }
    return BOOT_SWAP_TYPE_NONE;
}

int trailer_set_pending(const struct flash_area *fa, const struct trailer_config *cfg,
                        bool permanent, uint8_t image_num)
{
    struct trailer_state st;
    int rc;

    if (image_num > 0x0f) {
        return TRAILER_EINVAL;
    }
    rc = trailer_read(fa, cfg, &st);
    if (rc != 0) {
        return rc;
    }
    switch (st.magic) {
    case TRAILER_MAGIC_GOOD:
        /* Already requested; a second request does not change it. */
        return TRAILER_OK;
    case TRAILER_MAGIC_UNSET:
        /* Magic first: a cut after it leaves a plain test request. */
        rc = trailer_write_magic(fa, cfg);
        if (rc == 0 && permanent) {
            rc = trailer_write_image_ok(fa, cfg);
        }
        if (rc == 0) {
            rc = trailer_write_swap_info(fa, cfg,
                                         permanent ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST,
                                         image_num);
        }
        return rc;
    default:
        /* Nothing can be written over a corrupt trailer; erasing the slot
         * (as MCUboot does) lets the next upload start clean. The erase
         * result does not change the answer. */
        (void)flash_area_erase(fa, 0, fa->size);
        return TRAILER_EBADMAGIC;
    }
}

int trailer_set_confirmed(const struct flash_area *fa, const struct trailer_config *cfg)
{
    struct trailer_state st;
    int rc;

    rc = trailer_read(fa, cfg, &st);
    if (rc != 0) {
        return rc;
    }
    switch (st.magic) {
    case TRAILER_MAGIC_GOOD:
        /* copy_done is deliberately not checked, so an image programmed
         * with its trailer (imgtool --pad) can be confirmed too. */
        if (st.image_ok == TRAILER_FLAG_UNSET) {
            return trailer_write_image_ok(fa, cfg);
        }
        return TRAILER_OK;
    case TRAILER_MAGIC_UNSET:
        return TRAILER_OK;
    default:
        return TRAILER_EBADMAGIC;
    }
}
