/*
 * Swap using move (MCUboot's MCUBOOT_SWAP_USING_MOVE, the nRF Connect SDK
 * default): no scratch area; the primary slot is one sector larger than
 * the images it holds.
 *
 * With n = sectors covered by swap_size:
 *   move phase, for i = n .. 1: erase pri[i], copy pri[i-1] -> pri[i],
 *     record (move, step n-i+1) -- the old image now starts at pri[1];
 *   swap phase, for i = 1 .. n: erase pri[i-1], copy sec[i-1] -> pri[i-1],
 *     record (swap, i, 1); erase sec[i-1], copy pri[i] -> sec[i-1],
 *     record (swap, i, 2).
 * Before the first move the primary trailer is started (unless it already
 * was) and the secondary trailer erased. Each step rereads only data that
 * no earlier unrecorded step has changed, so any step can be run again.
 */
#ifndef SMPDFU_BOOT_SWAP_MOVE_H
#define SMPDFU_BOOT_SWAP_MOVE_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/boot_status.h"
#include "boot/swap_region.h"

/* SWAP_OK if the slots can be swapped this way (boot_slots_compatible):
 * uniform sectors of one size, the primary has as many sectors as the
 * secondary or one more, at most max_sectors. */
int swap_move_compatible(const struct swap_pair *p);

/* Largest image (through its last TLV) this mode can swap: every sector
 * before the trailer's first sector but one, the room of the move phase.
 * (MCUboot's app_max_size counts that sector too, for layouts where the
 * primary is one sector larger; its swap then refuses such an image on
 * every boot. Refusing it at validation erases it once.) */
int swap_move_max_image_size(const struct swap_pair *p, uint32_t *size);

/*
 * Run or resume the swap described by bs for copy_size bytes. A new swap
 * (bs reset) first checks that the images leave room for the move
 * (SWAP_ENOSPACE, nothing written). bs advances with every recorded step.
 */
int swap_move_run(const struct swap_pair *p, struct boot_status *bs, uint32_t copy_size);

#endif
