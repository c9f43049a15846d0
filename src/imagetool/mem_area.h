/*
 * A flash area over a memory buffer, so host tools can run the portable
 * image code (which reads through struct flash_area) on a file's bytes.
 * Writes and erases are refused: the buffer is what the file holds.
 */
#ifndef SMPDFU_IMAGETOOL_MEM_AREA_H
#define SMPDFU_IMAGETOOL_MEM_AREA_H

#include <stddef.h>
#include <stdint.h>

#include "flash/flash_area.h"

struct mem_area {
    const uint8_t *data;
    struct flash_dev dev;
    struct flash_area fa;
};

/* fa covers data[0, len); erased_val is what padding bytes hold (0xff). */
void mem_area_init(struct mem_area *m, const uint8_t *data, uint32_t len, uint8_t erased_val);

#endif
