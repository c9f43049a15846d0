/*
 * Slots, trailers and the flags derived from them.
 */
#include "mgmt/img_slots.h"

#include "mgmt/img_mgmt_upload.h"

int img_pair_index(const struct smp_server *srv, uint32_t image)
{
    for (size_t i = 0; i < srv->cfg.pair_count; i++) {
        if (srv->cfg.pairs[i].image == image) {
            return (int)i;
        }
    }
    return -1;
}

const struct flash_area *img_slot_area(const struct smp_server *srv, size_t pi, unsigned slot)
{
    const struct smp_server_image_pair *p = &srv->cfg.pairs[pi];

    return slot == IMG_SLOT_PRIMARY ? p->primary : p->secondary;
}

void img_pair_state(const struct smp_server *srv, size_t pi, struct img_pair_state *st)
{
    static const struct trailer_state erased = {
        .magic = TRAILER_MAGIC_UNSET,
        .image_ok = TRAILER_FLAG_UNSET,
        .copy_done = TRAILER_FLAG_UNSET,
        .swap_type = BOOT_SWAP_TYPE_NONE,
    };
    const struct trailer_config *cfg = &srv->cfg.trailer;
    struct trailer_state primary;
    struct trailer_state secondary;
    bool secondary_ok;

    if (trailer_read(img_slot_area(srv, pi, IMG_SLOT_PRIMARY), cfg, &primary) != TRAILER_OK) {
        primary = erased;
    }
    secondary_ok =
        trailer_read(img_slot_area(srv, pi, IMG_SLOT_SECONDARY), cfg, &secondary) == TRAILER_OK;
    st->secondary_magic_bad = secondary_ok && secondary.magic == TRAILER_MAGIC_BAD;
    st->swap_type = trailer_swap_type(cfg, &primary, secondary_ok ? &secondary : NULL);
    switch (st->swap_type) {
    case BOOT_SWAP_TYPE_TEST:
        st->next_slot = IMG_SLOT_SECONDARY;
        st->next_type = IMG_BOOT_TEST;
        break;
    case BOOT_SWAP_TYPE_PERM:
        st->next_slot = IMG_SLOT_SECONDARY;
        st->next_type = IMG_BOOT_NORMAL;
        break;
    case BOOT_SWAP_TYPE_REVERT:
        st->next_slot = IMG_SLOT_SECONDARY;
        st->next_type = IMG_BOOT_REVERT;
        break;
    default:
        st->next_slot = IMG_SLOT_PRIMARY;
        st->next_type = IMG_BOOT_NORMAL;
        break;
    }
}

unsigned img_slot_flags(const struct img_pair_state *st, unsigned slot)
{
    if (slot == IMG_SLOT_PRIMARY) {
        /* While a trial image runs, the running image is not confirmed. */
        return IMG_FLAG_ACTIVE | (st->next_type == IMG_BOOT_REVERT ? 0u : IMG_FLAG_CONFIRMED);
    }
    if (st->next_slot != IMG_SLOT_SECONDARY) {
        return 0;
    }
    switch (st->next_type) {
    case IMG_BOOT_TEST:
        return IMG_FLAG_PENDING;
    case IMG_BOOT_REVERT:
        /* The image that comes back on the next boot. */
        return IMG_FLAG_CONFIRMED;
    default:
        return IMG_FLAG_PENDING | IMG_FLAG_PERMANENT;
    }
}

bool img_secondary_in_use(const struct img_pair_state *st)
{
    return st->next_slot == IMG_SLOT_SECONDARY;
}

int img_slot_info(const struct smp_server *srv, size_t pi, unsigned slot,
                  struct image_slot_info *info)
{
    if (slot == IMG_SLOT_SECONDARY && img_upload_targets(srv, pi)) {
        return IMAGE_EEMPTY;
    }
    return image_read_info(img_slot_area(srv, pi, slot), info);
}

uint32_t img_max_image_size(const struct smp_server *srv, size_t pi)
{
    uint32_t max = UINT32_MAX;

    for (unsigned slot = IMG_SLOT_PRIMARY; slot <= IMG_SLOT_SECONDARY; slot++) {
        struct trailer_offsets to;

        /* smp_server_init checked that both slots hold a trailer. */
        if (trailer_offsets(&srv->cfg.trailer, img_slot_area(srv, pi, slot)->size, &to) !=
            TRAILER_OK) {
            return 0;
        }
        if (to.max_image_end < max) {
            max = to.max_image_end;
        }
    }
    return max;
}
