/*
 * struct fw_info of NCS (include/fw_info.h, format version 2): 60 bytes,
 * little endian, placed inside the firmware at one of the allowed offsets
 * from the start of the slot (NCS puts it CONFIG_FW_INFO_OFFSET = 0x200 past
 * the vector table; behind a 0x200 pad that is 0x400 from the slot start).
 *
 *   0  magic[3]      common, fw_info, compatibility word
 *  12  total_size    fw_info with its EXT_API lists
 *  16  size          bytes of firmware that are hashed and signed
 *  20  version       CONFIG_FW_INFO_FIRMWARE_VERSION, decides S0 vs S1
 *  24  address       where the firmware starts (vector table)
 *  28  boot_address  vector table to jump to
 *  32  valid         0x9102FFFF; anything else means invalidated
 *  36  reserved[4]
 *  52  ext_api_num, 56 ext_api_request_num (EXT_API lists follow at 60)
 */
#ifndef SMPDFU_BOOT_NSIB_FW_INFO_H
#define SMPDFU_BOOT_NSIB_FW_INFO_H

#include <stdint.h>

#include "flash/flash_area.h"

#define NSIB_MAGIC_COMMON        0x281ee6deu
#define NSIB_MAGIC_FW_INFO       0x8fcebb4cu
#define NSIB_FW_INFO_VERSION     2u
#define NSIB_FW_INFO_SIZE        60u
#define NSIB_FW_INFO_VALID       0x9102ffffu
/* NCS writes this word over `valid`; on NOR only its low half, which
 * 0x9102FFFF leaves erased, changes (AND of both). */
#define NSIB_FW_INFO_INVALID     0xffff0000u
#define NSIB_FW_INFO_VALID_OFF   32u
#define NSIB_FW_INFO_OFFSET_COUNT 5

/* The offsets, from the slot start, where readers look (NCS 2.x). */
extern const uint32_t nsib_fw_info_offsets[NSIB_FW_INFO_OFFSET_COUNT];

struct nsib_fw_info {
    uint32_t magic[3];
    uint32_t total_size;
    uint32_t size;
    uint32_t version;
    uint32_t address;
    uint32_t boot_address;
    uint32_t valid;
    uint32_t ext_api_num;
    uint32_t ext_api_request_num;
    uint32_t off; /* where it was found, relative to the area */
};

/* Compatibility word: FW_INFO_VERSION | hw_id << 8 (crypto and custom ids 0). */
uint32_t nsib_fw_info_compat(uint8_t hw_id);

/* Look at base + each allowed offset of fa, in order, for the fw_info
 * magic of hw_id; the first hit is decoded into *out. NSIB_ENOFWINFO when
 * none matches. */
int nsib_fw_info_find(const struct flash_area *fa, uint32_t base, uint8_t hw_id,
                      struct nsib_fw_info *out);

/* The 60 bytes of a fw_info without EXT_APIs (total_size 60, reserved and
 * counts 0, magic from hw_id); info->magic and info->off are not used. */
void nsib_fw_info_encode(const struct nsib_fw_info *info, uint8_t hw_id,
                         uint8_t out[NSIB_FW_INFO_SIZE]);

/*
 * Invalidate the fw_info at info->off for good, as NCS's
 * fw_info_invalidate() does. On a device that programs 1 or 2 bytes, the
 * erased low half-word of `valid` is programmed to zero, leaving exactly
 * NCS's result (0x91020000). A device with a wider write block cannot
 * reprogram part of a written word, so there the sector holding the
 * fw_info is erased instead: its magic goes and no reader finds it again.
 * Nothing is written when the fw_info is already invalid.
 */
int nsib_fw_info_invalidate(const struct flash_area *fa, const struct nsib_fw_info *info);

#endif
