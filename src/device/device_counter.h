/*
 * The simulated device's rollback-protection counters (MCUboot's
 * MCUBOOT_HW_ROLLBACK_PROT): one security counter per image pair, kept
 * beside the flash file (FLASH.seccnt) as a part keeps them in storage the
 * application cannot rewrite, so they survive power cuts and restarts.
 */
#ifndef SMPDFU_DEVICE_DEVICE_COUNTER_H
#define SMPDFU_DEVICE_DEVICE_COUNTER_H

#include "boot/loader.h"

struct device;

/* The loader's counter port over dev's counter file. */
struct loader_counter_ops device_counter_ops(struct device *dev);

#endif
