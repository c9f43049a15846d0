/*
 * Swap using scratch (MCUboot's MCUBOOT_SWAP_USING_SCRATCH): regions of
 * primary sectors that fit the scratch area are swapped from the end of
 * the images to the start, three recorded states each:
 *   1: erase scratch, copy sec -> scratch;
 *   2: erase sec region, copy pri -> sec;
 *   3: erase pri region, copy scratch -> pri.
 * Sector sizes may differ (slots must be compatible, see below). When the
 * first region holds the primary's trailer, its status lives in the
 * scratch area's trailer until state 3 puts a trailer back in the primary.
 */
#ifndef SMPDFU_BOOT_SWAP_SCRATCH_H
#define SMPDFU_BOOT_SWAP_SCRATCH_H

#include <stdint.h>

#include "boot/boot_status.h"
#include "boot/swap_region.h"

/* SWAP_OK if every run of sectors of one slot lines up with a run of the
 * other, each run fits the scratch area, both slots have the same size
 * and at most max_sectors sectors (boot_slots_compatible). */
int swap_scratch_compatible(const struct swap_pair *p);

/* Where the status of an interrupted swap is (swap_status_source):
 * BOOT_STATUS_SOURCE_* from the primary and scratch trailers. */
int swap_scratch_status_source(const struct swap_pair *p, uint8_t *source);

/* Run or resume the swap in bs for copy_size bytes. */
int swap_scratch_run(const struct swap_pair *p, struct boot_status *bs, uint32_t copy_size);

#endif
