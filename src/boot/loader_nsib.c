/*
 * A bootloader update behind the first stage. The candidate is an MCUboot
 * image whose payload is an S-slot firmware (fw_info, first-stage
 * signature); its header is as long as the S slot's pad, so written at
 * the S slot's start it puts the firmware where it was linked. MCUboot's
 * signature is checked here, the first-stage signature and version by the
 * first stage after the reset.
 */
#include "boot/loader_nsib.h"

#include <string.h>

#include "boot/loader_log.h"
#include "boot/nsib_fw_info.h"
#include "boot/nsib_target.h"
#include "boot/swap_region.h"

/* Bytes compared per step when checking an installed copy. */
#define LOADER_NSIB_CMP_CHUNK 64u

static void emit(const struct loader_config *cfg, const struct loader_line *l)
{
    if (cfg->log != NULL) {
        cfg->log(cfg->log_arg, l->level, l->buf);
    }
}

static void line_begin(struct loader_line *l, char level)
{
    loader_line_start(l, level, "Bootloader update: ");
}

static void line_slot(struct loader_line *l, int slot)
{
    loader_line_str(l, slot == 0 ? "S0" : "S1");
}

static const struct flash_area *s_area(const struct nsib_config *n, int slot)
{
    return slot == 0 ? n->s0 : n->s1;
}

static uint32_t round_up(uint32_t v, uint32_t unit)
{
    return (v + unit - 1u) / unit * unit;
}

/* Scrub the secondary: the request (trailer) first, then the image, so a
 * cut leaves at worst an image nobody asked for. Blank sectors are
 * skipped. */
static int scrub(const struct loader_config *cfg, const struct flash_area *sec)
{
    if (swap_erase_trailer_sectors(sec, &cfg->trailer) != SWAP_OK ||
        flash_area_erase_needed(sec, 0, sec->size) != 0) {
        return LOADER_EFLASH;
    }
    return LOADER_OK;
}

/* 1 when the first len bytes of a and b are equal, 0 if not, <0 on flash
 * failure. */
static int same_bytes(const struct flash_area *a, const struct flash_area *b, uint32_t len)
{
    uint8_t x[LOADER_NSIB_CMP_CHUNK];
    uint8_t y[LOADER_NSIB_CMP_CHUNK];

    if (len > a->size || len > b->size) {
        return 0;
    }
    for (uint32_t off = 0; off < len; off += sizeof(x)) {
        uint32_t n = len - off < sizeof(x) ? len - off : (uint32_t)sizeof(x);

        if (flash_area_read(a, off, x, n) != 0 || flash_area_read(b, off, y, n) != 0) {
            return LOADER_EFLASH;
        }
        if (memcmp(x, y, n) != 0) {
            return 0;
        }
    }
    return 1;
}

/*
 * Copy len bytes of the candidate into dst: erase what it will cover,
 * write everything past the first sector, then the first sector, which
 * holds the fw_info the first stage looks for.
 */
static int copy_to_slot(const struct flash_area *sec, const struct flash_area *dst, uint32_t len,
                        uint32_t span, uint32_t first)
{
    if (flash_area_erase(dst, 0, span) != 0) {
        return LOADER_EFLASH;
    }
    if (len > first && swap_copy_region(sec, first, dst, first, len - first) != SWAP_OK) {
        return LOADER_EFLASH;
    }
    if (swap_copy_region(sec, 0, dst, 0, len < first ? len : first) != SWAP_OK) {
        return LOADER_EFLASH;
    }
    return LOADER_OK;
}

/* fw_info version of the image in fa, 0 when it has none. */
static uint32_t fw_version_of(const struct nsib_config *n, const struct flash_area *fa)
{
    struct nsib_fw_info fi;

    return nsib_fw_info_find(fa, 0, n->hw_id, &fi) == 0 ? fi.version : 0;
}

/* Erase a candidate that must not be tried again, after saying why. */
static int drop(const struct loader_config *cfg, struct loader_line *l,
                const struct flash_area *sec, struct loader_result *res,
                enum loader_fs_action action)
{
    loader_line_str(l, "; erased");
    emit(cfg, l);
    res->fs_action = action;
    return scrub(cfg, sec);
}

int loader_nsib_candidate(const struct loader_config *cfg, struct loader_result *res)
{
    const struct loader_first_stage *fs = cfg->first_stage;
    const struct nsib_config *n = fs->nsib;
    const struct flash_area *sec = cfg->pairs[0].secondary;
    struct trailer_state st;
    struct trailer_offsets to;
    struct image_policy pol;
    struct image_result ir;
    struct flash_sector first;
    struct loader_line l;
    const struct flash_area *dst;
    uint32_t len;
    uint32_t span;
    int target;
    int rc;

    res->fs_action = LOADER_FS_NONE;
    res->fs_target = -1;
    res->fs_version = 0;
    if (n == NULL || (fs->active_slot != 0 && fs->active_slot != 1)) {
        return LOADER_EINVAL;
    }
    rc = nsib_target_slot(n, sec, &target);
    if (rc == NSIB_EADDRESS || rc == NSIB_EINVAL) {
        return LOADER_OK; /* no image, or an application image */
    }
    if (rc != 0) {
        return LOADER_EFLASH;
    }
    if (trailer_read(sec, &cfg->trailer, &st) != 0) {
        return LOADER_EFLASH;
    }
    res->fs_target = target;
    res->fs_version = fw_version_of(n, sec);
    if (st.magic != TRAILER_MAGIC_GOOD) {
        line_begin(&l, 'I');
        loader_line_str(&l, "the secondary slot holds a bootloader for ");
        line_slot(&l, target);
        loader_line_str(&l, ", not marked for update");
        emit(cfg, &l);
        return LOADER_OK;
    }

    line_begin(&l, 'I');
    loader_line_str(&l, "candidate linked for ");
    line_slot(&l, target);
    loader_line_str(&l, ", fw_info version ");
    loader_line_u32(&l, res->fs_version);
    loader_line_str(&l, "; this bootloader runs from ");
    line_slot(&l, fs->active_slot);
    loader_line_str(&l, ", fw_info version ");
    loader_line_u32(&l, fw_version_of(n, s_area(n, fs->active_slot)));
    emit(cfg, &l);

    pol = cfg->policy;
    pol.max_image_end = trailer_offsets(&cfg->trailer, sec->size, &to) == 0 ? to.max_image_end : 0;
    rc = image_validate(sec, &pol, &ir);
    if (rc == IMAGE_EFLASH) {
        return LOADER_EFLASH;
    }
    if (rc != 0) {
        line_begin(&l, 'E');
        loader_line_str(&l, "the candidate in the secondary slot is not valid: ");
        loader_line_str(&l, image_strerror(rc));
        return drop(cfg, &l, sec, res, LOADER_FS_INVALID);
    }
    dst = s_area(n, target);
    len = round_up(ir.image_end, flash_area_align(dst));

    if (target == fs->active_slot) {
        rc = same_bytes(sec, dst, len);
        if (rc < 0) {
            return LOADER_EFLASH;
        }
        if (rc == 1) {
            /* A copy whose scrub was cut off: the first stage already
             * switched to it. */
            line_begin(&l, 'I');
            loader_line_str(&l, "the candidate is the bootloader running from ");
            line_slot(&l, target);
            loader_line_str(&l, "; secondary slot scrubbed");
            emit(cfg, &l);
            res->fs_action = LOADER_FS_INSTALLED;
            return scrub(cfg, sec);
        }
        line_begin(&l, 'E');
        loader_line_str(&l, "Image in the secondary slot is for the wrong S0/S1 slot: linked for ");
        line_slot(&l, target);
        loader_line_str(&l, ", which runs now; only the ");
        line_slot(&l, 1 - target);
        loader_line_str(&l, " variant can be installed");
        return drop(cfg, &l, sec, res, LOADER_FS_WRONG_SLOT);
    }

    if (flash_area_sector_at(dst, 0, &first) != 0) {
        return LOADER_EINVAL;
    }
    span = round_up(len, first.size);
    if (span > dst->size / first.size * first.size) {
        line_begin(&l, 'E');
        loader_line_str(&l, "the candidate (");
        loader_line_u32(&l, len);
        loader_line_str(&l, " bytes) does not fit ");
        line_slot(&l, target);
        return drop(cfg, &l, sec, res, LOADER_FS_INVALID);
    }
    if (res->fs_version <= fw_version_of(n, s_area(n, fs->active_slot))) {
        line_begin(&l, 'W');
        loader_line_str(&l, "the candidate's fw_info version is not higher than the running "
                            "one's: the first stage may keep the running bootloader");
        emit(cfg, &l);
    }
    line_begin(&l, 'I');
    loader_line_str(&l, "copying ");
    loader_line_u32(&l, len);
    loader_line_str(&l, " bytes from the secondary slot to ");
    line_slot(&l, target);
    emit(cfg, &l);
    rc = copy_to_slot(sec, dst, len, span, first.size);
    if (rc == LOADER_OK) {
        rc = scrub(cfg, sec);
    }
    if (rc != LOADER_OK) {
        return rc;
    }
    line_begin(&l, 'I');
    line_slot(&l, target);
    loader_line_str(&l, " written, secondary slot scrubbed; resetting so the first stage can "
                        "pick the new bootloader");
    emit(cfg, &l);
    res->fs_action = LOADER_FS_COPIED;
    return LOADER_EREBOOT;
}
