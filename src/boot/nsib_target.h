/*
 * Which S slot an MCUboot image (in the shared secondary slot, say) is
 * linked for. A bootloader update is an MCUboot image whose payload is the
 * S-slot firmware; like NCS's MCUboot, the target is read off the reset
 * vector (word 1 of the vector table at ih_hdr_size): code linked for S0
 * jumps into S0. The loader uses this to route a candidate to the
 * inactive S slot, and the SMP server to refuse one linked for the slot
 * that runs now.
 */
#ifndef SMPDFU_BOOT_NSIB_TARGET_H
#define SMPDFU_BOOT_NSIB_TARGET_H

#include "boot/nsib.h"
#include "flash/flash_area.h"

/* 0 or 1 into *slot; NSIB_EADDRESS when the reset vector is in neither S
 * slot (an application image), NSIB_EINVAL when fa holds no MCUboot header
 * or too little to read the vector table. */
int nsib_target_slot(const struct nsib_config *cfg, const struct flash_area *fa, int *slot);

#endif
