/*
 * Where the trailer fields live for a given bootloader configuration and
 * how big the trailer is: the arithmetic of bootutil's boot_*_off() and
 * boot_trailer_sz() (and imgtool's reservation for overwrite-only).
 */
#include <string.h>

#include "boot/trailer.h"

#define ALIGN_UP(x, a)   (((x) + ((a) - 1u)) & ~((uint32_t)(a) - 1u))
#define ALIGN_DOWN(x, a) ((x) & ~((uint32_t)(a) - 1u))

/* 16 fixed bytes of the v1 magic (BOOT_MAX_ALIGN == 8). */
static const uint8_t magic_v1[TRAILER_MAGIC_SIZE] = {
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
    0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};
/* 14 fixed bytes of the v2 magic, after the u16 max-align field. */
static const uint8_t magic_v2_tail[TRAILER_MAGIC_SIZE - 2] = {
    0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

struct trailer_config trailer_config_default(enum trailer_mode mode, uint8_t write_block)
{
    struct trailer_config cfg = {
        .mode = mode,
        .max_align = write_block > 8 ? write_block : 8,
        .write_block = write_block,
        .max_sectors = 128,
    };

    return cfg;
}

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

int trailer_config_check(const struct trailer_config *cfg)
{
    if (cfg == NULL) {
        return TRAILER_EINVAL;
    }
    switch (cfg->mode) {
    case TRAILER_MODE_SWAP_SCRATCH:
    case TRAILER_MODE_SWAP_MOVE:
    case TRAILER_MODE_SWAP_OFFSET:
    case TRAILER_MODE_OVERWRITE_ONLY:
        break;
    default:
        return TRAILER_EINVAL;
    }
    if (cfg->max_align != 8 && cfg->max_align != 16 && cfg->max_align != 32) {
        return TRAILER_EINVAL;
    }
    if (!is_pow2(cfg->write_block) || cfg->write_block > cfg->max_align) {
        return TRAILER_EINVAL;
    }
    if (cfg->max_sectors == 0) {
        return TRAILER_EINVAL;
    }
    return TRAILER_OK;
}

uint32_t trailer_status_states(const struct trailer_config *cfg)
{
    switch (cfg->mode) {
    case TRAILER_MODE_SWAP_SCRATCH:
    case TRAILER_MODE_SWAP_MOVE:
        return 3;
    case TRAILER_MODE_SWAP_OFFSET:
        return 2;
    default:
        return 0;
    }
}

uint32_t trailer_status_size(const struct trailer_config *cfg)
{
    return (uint32_t)cfg->max_sectors * trailer_status_states(cfg) * cfg->write_block;
}

static uint32_t magic_block_size(const struct trailer_config *cfg)
{
    return ALIGN_UP(TRAILER_MAGIC_SIZE, cfg->max_align);
}

uint32_t trailer_info_size(const struct trailer_config *cfg)
{
    /* swap_info, copy_done, image_ok, swap_size (+ TLV sizes) + magic */
    uint32_t fields = cfg->mode == TRAILER_MODE_SWAP_OFFSET ? 5 : 4;

    return fields * cfg->max_align + magic_block_size(cfg);
}

uint32_t trailer_size(const struct trailer_config *cfg)
{
    if (cfg->mode == TRAILER_MODE_OVERWRITE_ONLY) {
        return 2u * cfg->max_align + magic_block_size(cfg);
    }
    return trailer_status_size(cfg) + trailer_info_size(cfg);
}

uint32_t trailer_scratch_size(const struct trailer_config *cfg)
{
    return trailer_status_states(cfg) * cfg->write_block + trailer_info_size(cfg);
}

int trailer_offsets(const struct trailer_config *cfg, uint32_t slot_size,
                    struct trailer_offsets *out)
{
    uint32_t a;
    uint32_t need;
    int rc;

    rc = trailer_config_check(cfg);
    if (rc != 0 || out == NULL) {
        return TRAILER_EINVAL;
    }
    a = cfg->max_align;
    /* The padded magic block only lines up with the end of the slot when
     * the slot is a multiple of A (always true for sector-sized slots). */
    if (slot_size % a != 0) {
        return TRAILER_EINVAL;
    }
    need = trailer_size(cfg) > trailer_info_size(cfg) ? trailer_size(cfg) : trailer_info_size(cfg);
    if (slot_size < need) {
        return TRAILER_ESMALL;
    }

    memset(out, 0, sizeof(*out));
    out->magic = slot_size - TRAILER_MAGIC_SIZE;
    out->magic_write = ALIGN_DOWN(out->magic, a);
    out->magic_write_len = magic_block_size(cfg);
    out->image_ok = ALIGN_DOWN(out->magic - a, a);
    out->copy_done = out->image_ok - a;
    out->swap_info = out->copy_done - a;
    if (cfg->mode == TRAILER_MODE_SWAP_OFFSET) {
        out->unprot_tlv_sizes = out->swap_info - a;
        out->swap_size = out->unprot_tlv_sizes - a;
    } else {
        out->swap_size = out->swap_info - a;
    }
    if (cfg->mode == TRAILER_MODE_OVERWRITE_ONLY) {
        out->max_image_end = out->swap_info;
    } else {
        out->status = slot_size - trailer_size(cfg);
        out->max_image_end = out->status;
    }
    return TRAILER_OK;
}

int trailer_status_record_off(const struct trailer_config *cfg, uint32_t slot_size,
                              uint32_t idx, uint32_t state, uint32_t *off)
{
    struct trailer_offsets o;
    int rc;

    rc = trailer_offsets(cfg, slot_size, &o);
    if (rc != 0) {
        return rc;
    }
    if (off == NULL) {
        return TRAILER_EINVAL;
    }
    if (cfg->mode == TRAILER_MODE_OVERWRITE_ONLY) {
        return TRAILER_EMODE;
    }
    if (idx >= cfg->max_sectors || state >= trailer_status_states(cfg)) {
        return TRAILER_EINVAL;
    }
    *off = o.status + (idx * trailer_status_states(cfg) + state) * cfg->write_block;
    return TRAILER_OK;
}

void trailer_magic_bytes(const struct trailer_config *cfg, uint8_t out[TRAILER_MAGIC_SIZE])
{
    if (cfg->max_align == 8) {
        memcpy(out, magic_v1, sizeof(magic_v1));
    } else {
        out[0] = cfg->max_align;
        out[1] = 0;
        memcpy(out + 2, magic_v2_tail, sizeof(magic_v2_tail));
    }
}
