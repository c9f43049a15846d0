/*
 * The behaviour marker (app_marker.h) searched inside an image slot.
 */
#ifndef SMPDFU_DEVICE_APP_MARKER_FLASH_H
#define SMPDFU_DEVICE_APP_MARKER_FLASH_H

#include <stdint.h>

#include "device/app_marker.h"
#include "flash/flash_area.h"

/* app_marker_find over [off, off+len) of fa, read in chunks:
 * 0, APP_MARKER_ENOTFOUND, APP_MARKER_EBADWORD or APP_MARKER_EFLASH. */
int app_marker_find_in_flash(const struct flash_area *fa, uint32_t off, uint32_t len,
                             enum app_behaviour *out);

#endif
