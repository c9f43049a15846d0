/*
 * Swap-status records: where each one lives, writing one, and finding
 * where an interrupted swap stopped.
 */
#include "boot/boot_status.h"

#include <string.h>

/* Records per step in each phase of swap-using-move. */
#define MOVE_STATES 1u
#define SWAP_STATES 2u
/* Largest write block a trailer configuration allows. */
#define STATUS_MAX_WRITE 32u

void boot_status_reset(struct boot_status *bs)
{
    memset(bs, 0, sizeof(*bs));
    bs->idx = 1;
    bs->state = 1;
    bs->op = BOOT_STATUS_OP_MOVE;
    bs->swap_type = BOOT_SWAP_TYPE_NONE;
    bs->source = BOOT_STATUS_SOURCE_NONE;
}

bool boot_status_is_reset(const struct boot_status *bs)
{
    return bs->op == BOOT_STATUS_OP_MOVE && bs->idx == 1 && bs->state == 1;
}

uint32_t boot_status_entries(const struct trailer_config *cfg, bool scratch)
{
    return (scratch ? 1u : (uint32_t)cfg->max_sectors) * trailer_status_states(cfg);
}

int boot_status_area_off(const struct trailer_config *cfg, uint32_t area_size, bool scratch,
                         uint32_t *off)
{
    struct trailer_offsets o;
    int rc;

    rc = trailer_offsets(cfg, area_size, &o);
    if (rc != 0) {
        return rc;
    }
    if (cfg->mode == TRAILER_MODE_OVERWRITE_ONLY) {
        return TRAILER_EMODE;
    }
    *off = scratch ? area_size - trailer_scratch_size(cfg) : o.status;
    return TRAILER_OK;
}

/* Index of the record of bs among all records of the area. */
static int record_index(const struct trailer_config *cfg, const struct boot_status *bs,
                        uint32_t *index)
{
    uint32_t states = trailer_status_states(cfg);

    if (states == 0 || bs->idx == 0 || bs->idx > cfg->max_sectors || bs->state == 0) {
        return TRAILER_EINVAL;
    }
    if (cfg->mode == TRAILER_MODE_SWAP_MOVE) {
        if (bs->op == BOOT_STATUS_OP_MOVE && bs->state <= MOVE_STATES) {
            *index = (bs->idx - 1) * MOVE_STATES + (bs->state - 1u);
            return TRAILER_OK;
        }
        if (bs->op == BOOT_STATUS_OP_SWAP && bs->state <= SWAP_STATES) {
            *index = cfg->max_sectors * MOVE_STATES + (bs->idx - 1) * SWAP_STATES +
                     (bs->state - 1u);
            return TRAILER_OK;
        }
        return TRAILER_EINVAL;
    }
    if (bs->state > states) {
        return TRAILER_EINVAL;
    }
    *index = (bs->idx - 1) * states + (bs->state - 1u);
    return TRAILER_OK;
}

int boot_status_record_off(const struct trailer_config *cfg, uint32_t area_size, bool scratch,
                           const struct boot_status *bs, uint32_t *off)
{
    uint32_t base;
    uint32_t index;
    int rc;

    if (off == NULL || bs == NULL) {
        return TRAILER_EINVAL;
    }
    rc = boot_status_area_off(cfg, area_size, scratch, &base);
    if (rc != 0) {
        return rc;
    }
    rc = record_index(cfg, bs, &index);
    if (rc != 0) {
        return rc;
    }
    if (index >= boot_status_entries(cfg, scratch)) {
        return TRAILER_EINVAL;
    }
    *off = base + index * cfg->write_block;
    return TRAILER_OK;
}

int boot_status_write(const struct flash_area *fa, const struct trailer_config *cfg,
                      bool scratch, const struct boot_status *bs)
{
    uint8_t buf[STATUS_MAX_WRITE];
    uint32_t off;
    uint32_t wb;
    int rc;

    if (fa == NULL) {
        return TRAILER_EINVAL;
    }
    rc = boot_status_record_off(cfg, fa->size, scratch, bs, &off);
    if (rc != 0) {
        return rc;
    }
    /* The record is one flash write block (MCUboot writes
     * flash_area_align() bytes), never wider than the record spacing. */
    wb = flash_area_align(fa);
    if (wb == 0 || wb > cfg->write_block || wb > sizeof(buf)) {
        return TRAILER_EINVAL;
    }
    memset(buf, flash_area_erased_val(fa), wb);
    buf[0] = bs->state;
    return flash_area_write(fa, off, buf, wb) == 0 ? TRAILER_OK : TRAILER_EFLASH;
}

/* Turn the count of records up to and including the last one written into
 * the next step to run. */
static void decode_position(const struct trailer_config *cfg, uint32_t written,
                            struct boot_status *bs)
{
    uint32_t move_entries = (uint32_t)cfg->max_sectors * MOVE_STATES;
    uint32_t states = trailer_status_states(cfg);

    if (cfg->mode != TRAILER_MODE_SWAP_MOVE) {
        bs->idx = written / states + 1u;
        bs->state = (uint8_t)(written % states + 1u);
        return;
    }
    if (written < move_entries) {
        bs->op = BOOT_STATUS_OP_MOVE;
        bs->idx = written / MOVE_STATES + 1u;
        bs->state = (uint8_t)(written % MOVE_STATES + 1u);
    } else {
        bs->op = BOOT_STATUS_OP_SWAP;
        bs->idx = (written - move_entries) / SWAP_STATES + 1u;
        bs->state = (uint8_t)((written - move_entries) % SWAP_STATES + 1u);
    }
}

int boot_status_read_records(const struct flash_area *fa, const struct trailer_config *cfg,
                             bool scratch, struct boot_status *bs, bool *inconsistent)
{
    uint32_t base;
    uint32_t entries;
    uint32_t last_written = 0; /* 1-based; 0 = none */
    uint32_t first_written = 0;
    /* Runs of written records, per region: swap-using-move keeps its move
     * and swap records apart, so each region is one run of its own. */
    uint32_t runs[2] = { 0, 0 };
    uint32_t region_start;
    bool prev_written = false;
    uint8_t erased;
    int rc;

    if (fa == NULL || bs == NULL || inconsistent == NULL) {
        return TRAILER_EINVAL;
    }
    rc = boot_status_area_off(cfg, fa->size, scratch, &base);
    if (rc != 0) {
        return rc;
    }
    entries = boot_status_entries(cfg, scratch);
    erased = flash_area_erased_val(fa);
    region_start = cfg->mode == TRAILER_MODE_SWAP_MOVE ? (uint32_t)cfg->max_sectors * MOVE_STATES
                                                       : entries;
    for (uint32_t i = 0; i < entries; i++) {
        uint8_t b;
        bool written;

        if (i == region_start) {
            prev_written = false;
        }
        if (flash_area_read(fa, base + i * cfg->write_block, &b, 1) != 0) {
            return TRAILER_EFLASH;
        }
        written = b != erased;
        if (written) {
            if (!prev_written) {
                runs[i >= region_start]++;
            }
            if (first_written == 0) {
                first_written = i + 1;
            }
            last_written = i + 1;
        }
        prev_written = written;
    }
    *inconsistent = runs[0] > 1 || runs[1] > 1;
    if (last_written == 0) {
        return TRAILER_OK;
    }
    if (cfg->mode == TRAILER_MODE_SWAP_MOVE) {
        /* swap_move.c takes the last record written. */
        decode_position(cfg, last_written, bs);
    } else {
        /* bootutil's generic reader stops at the first gap after the
         * first record. */
        uint32_t end = first_written;
        uint8_t b;

        while (end < entries) {
            if (flash_area_read(fa, base + end * cfg->write_block, &b, 1) != 0) {
                return TRAILER_EFLASH;
            }
            if (b == erased) {
                break;
            }
            end++;
        }
        decode_position(cfg, end, bs);
    }
    return TRAILER_OK;
}
