/*
 * The loader's part in a bootloader update behind an NSIB first stage
 * (struct loader_first_stage in loader.h): route a candidate in image 0's
 * secondary slot to the idle S slot, as NCS's MCUboot does (nsib_swap_run).
 */
#ifndef SMPDFU_BOOT_LOADER_NSIB_H
#define SMPDFU_BOOT_LOADER_NSIB_H

#include "boot/loader.h"

/*
 * Deal with a bootloader candidate, before any image pair is looked at.
 * LOADER_OK when the pairs may go on (res->fs_action says what was done,
 * LOADER_FS_NONE when the secondary holds no requested bootloader),
 * LOADER_EREBOOT after a copy, LOADER_EFLASH when flash failed.
 *
 * Restartable without a status record: the secondary slot is scrubbed
 * only after the copy, so a cut anywhere redoes the whole copy on the
 * next boot. The copy writes the S slot's first sector (MCUboot header,
 * vector table, fw_info) last: until the image is whole, the first stage
 * finds no fw_info there and keeps booting the running slot.
 */
int loader_nsib_candidate(const struct loader_config *cfg, struct loader_result *res);

#endif
