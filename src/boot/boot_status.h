/*
 * The swap-status area of an image trailer: one record per step of a swap,
 * written after the step's data is in place, so that a swap cut by a reset
 * resumes at the first step that has no record. Bit-compatible with
 * MCUboot's bootutil (boot_write_status, swap_read_status_bytes):
 *
 *  - each record is the write block of the flash (trailer_config
 *    write_block apart), its first byte the state number (1, 2, ...),
 *    the rest erased; a record whose first byte is not erased counts as
 *    written;
 *  - swap-using-move keeps max_sectors one-state "move" records first,
 *    then max_sectors two-state "swap" records;
 *  - swap-using-scratch keeps max_sectors three-state records in a slot,
 *    and one three-state entry in the scratch area, whose status starts
 *    trailer_scratch_size() before its end.
 *
 * Steps are counted from 1 (idx) and so are states, as in MCUboot.
 * Functions return 0 or a negative TRAILER_E* code.
 */
#ifndef SMPDFU_BOOT_BOOT_STATUS_H
#define SMPDFU_BOOT_BOOT_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/trailer.h"
#include "flash/flash_area.h"

/* Phase of a swap-using-move swap (MCUboot's BOOT_STATUS_OP_*). */
#define BOOT_STATUS_OP_MOVE 1u
#define BOOT_STATUS_OP_SWAP 2u

/* Where the status of an interrupted swap lives. */
enum boot_status_source {
    BOOT_STATUS_SOURCE_NONE = 0,
    BOOT_STATUS_SOURCE_PRIMARY = 1,
    BOOT_STATUS_SOURCE_SCRATCH = 2,
};

struct boot_status {
    uint32_t idx;      /* next step, from 1 */
    uint8_t state;     /* next state of that step, from 1 */
    uint8_t op;        /* BOOT_STATUS_OP_* (swap-using-move) */
    uint8_t swap_type; /* from the swap_info of the status area's trailer */
    uint8_t source;    /* enum boot_status_source */
    uint32_t swap_size;
};

/* Nothing done yet: first step, first state, move phase, type NONE. */
void boot_status_reset(struct boot_status *bs);
/* True when no step of a swap has been recorded. */
bool boot_status_is_reset(const struct boot_status *bs);

/* Records in one status area for the mode (max_sectors x states; one
 * entry of states in the scratch area). */
uint32_t boot_status_entries(const struct trailer_config *cfg, bool scratch);

/* Area offset of the record for (bs->op, bs->idx, bs->state); scratch
 * selects the scratch area's layout. */
int boot_status_record_off(const struct trailer_config *cfg, uint32_t area_size, bool scratch,
                           const struct boot_status *bs, uint32_t *off);

/* Area offset of the first record. */
int boot_status_area_off(const struct trailer_config *cfg, uint32_t area_size, bool scratch,
                         uint32_t *off);

/* Write the record for the step in bs: the state number, padded with the
 * erased value to the write block. */
int boot_status_write(const struct flash_area *fa, const struct trailer_config *cfg,
                      bool scratch, const struct boot_status *bs);

/*
 * Scan the records of fa and set bs->op/idx/state to the step after the
 * last record written (unchanged when there is none). *inconsistent is set
 * when written and erased records alternate more than once, which only a
 * failed status write leaves (MCUboot logs it and carries on).
 */
int boot_status_read_records(const struct flash_area *fa, const struct trailer_config *cfg,
                             bool scratch, struct boot_status *bs, bool *inconsistent);

#endif
