/*
 * Overwrite-only upgrade (MCUBOOT_OVERWRITE_ONLY): the primary slot is
 * erased and the whole secondary copied over it; then the secondary's
 * trailer sector and header sector are erased. Until the trailer erase
 * the request stands, so a cut anywhere before simply starts the copy
 * again. No backup, no revert.
 */
#ifndef SMPDFU_BOOT_SWAP_OVERWRITE_H
#define SMPDFU_BOOT_SWAP_OVERWRITE_H

#include "boot/swap_region.h"

int swap_overwrite_run(const struct swap_pair *p);

#endif
