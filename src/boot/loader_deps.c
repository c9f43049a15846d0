/*
 * Multi-image dependency check: see loader_deps.h.
 */
#include "boot/loader_deps.h"

#include "boot/byteorder.h"
#include "boot/trailer.h"

int loader_read_deps(const struct flash_area *fa, struct image_dependency *deps, size_t *count)
{
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int rc;

    *count = 0;
    rc = image_header_read(fa, &hdr);
    if (rc == 0) {
        rc = image_tlv_iter_begin(&it, fa, &hdr, IMAGE_TLV_DEPENDENCY);
    }
    while (rc == 0 && (rc = image_tlv_iter_next(&it, &tlv)) == 1) {
        uint8_t raw[IMAGE_DEPENDENCY_TLV_LEN];

        /* Only the protected area counts: an unprotected dependency could
         * be edited without breaking the signature. */
        if (!tlv.protected_tlv || tlv.len != IMAGE_DEPENDENCY_TLV_LEN) {
            return IMAGE_EDEPENDENCY;
        }
        if (*count == IMAGE_MAX_DEPENDENCIES) {
            return IMAGE_EDEPCOUNT;
        }
        if (flash_area_read(fa, tlv.off, raw, sizeof(raw)) != 0) {
            return IMAGE_EFLASH;
        }
        /* image_id u8, 3 pad bytes, then an image_version. */
        deps[*count].image_id = raw[0];
        deps[*count].min_version.major = raw[4];
        deps[*count].min_version.minor = raw[5];
        deps[*count].min_version.revision = boot_get_le16(raw + 6);
        deps[*count].min_version.build_num = boot_get_le32(raw + 8);
        (*count)++;
        rc = 0;
    }
    return rc < 0 ? rc : 0;
}

static bool is_upgrade(uint8_t t)
{
    return t == BOOT_SWAP_TYPE_TEST || t == BOOT_SWAP_TYPE_PERM || t == BOOT_SWAP_TYPE_REVERT;
}

/* The slot whose image will be in the primary slot after this boot. */
static int active_slot(uint8_t t)
{
    return is_upgrade(t) ? 1 : 0;
}

static bool dependency_met(const struct loader_dep_image *imgs, size_t n,
                           const struct image_dependency *dep)
{
    const struct loader_dep_image *target;
    int slot;

    if (dep->image_id >= n) {
        return false;
    }
    target = &imgs[dep->image_id];
    slot = active_slot(target->swap_type);
    return target->present[slot] &&
           image_version_cmp(&target->version[slot], &dep->min_version, false) >= 0;
}

unsigned loader_resolve_dependencies(struct loader_dep_image *imgs, size_t n)
{
    unsigned changes = 0;
    size_t i = 0;

    while (i < n) {
        struct loader_dep_image *img = &imgs[i];
        int slot = img->swap_type != BOOT_SWAP_TYPE_NONE &&
                           img->swap_type != BOOT_SWAP_TYPE_FAIL
                       ? 1
                       : 0;
        bool met = true;

        for (size_t d = 0; d < img->dep_count[slot] && met; d++) {
            met = dependency_met(imgs, n, &img->deps[slot][d]);
        }
        if (!met) {
            uint8_t before = img->swap_type;

            if (before == BOOT_SWAP_TYPE_TEST || before == BOOT_SWAP_TYPE_PERM) {
                img->swap_type = BOOT_SWAP_TYPE_NONE;
            } else if (before == BOOT_SWAP_TYPE_NONE && img->present[1]) {
                img->swap_type = BOOT_SWAP_TYPE_REVERT;
            }
            if (img->swap_type != before) {
                img->changed = true;
                changes++;
                /* Every change lowers what some primary will hold, and
                 * there are at most two per image: this ends. */
                i = 0;
                continue;
            }
        }
        i++;
    }
    return changes;
}
