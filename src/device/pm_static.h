/*
 * nRF Connect SDK partition maps (pm_static.yml) as device layouts.
 *
 * The file is a YAML mapping of partition name to its fields, e.g.
 *
 *   mcuboot_primary:
 *     address: 0xc000
 *     size: 0x79000          # or end_address
 *     region: flash_primary
 *     span: [mcuboot_pad, app]
 *
 * Partitions whose region is not flash_primary (external_flash, sram, otp)
 * are not part of the simulated flash and are left out; an image slot in
 * such a region is refused. Entries with "span" are containers (exempt
 * from the overlap check). placement, share_size, orig_span, device and
 * other fields are ignored. Numbers may be hex (0x...) or decimal.
 */
#ifndef SMPDFU_DEVICE_PM_STATIC_H
#define SMPDFU_DEVICE_PM_STATIC_H

#include <stddef.h>

#include "device/layout.h"

/*
 * Parse text[0..len) into *out with geometry geo (NULL: the nRF52840's),
 * then layout_finish() it. Returns 0 or a negative LAYOUT_E* code with a
 * one-line reason in err: LAYOUT_EPARSE for bad YAML or structure (with
 * the line), LAYOUT_ERANGE, LAYOUT_EOVERLAP, LAYOUT_ENOPAIR, LAYOUT_EALIGN.
 */
int pm_static_parse(const char *text, size_t len, const struct layout_geometry *geo,
                    struct layout *out, char *err, size_t err_len);

/* pm_static_parse() of the file at path (LAYOUT_EIO if it cannot be read). */
int pm_static_load(const char *path, const struct layout_geometry *geo, struct layout *out,
                   char *err, size_t err_len);

#endif
