/*
 * Flash areas: named ranges of one flash device (a partition such as
 * "mcuboot_primary"), with the device's geometry. Everything that touches
 * flash -- the SMP server, the bootloader, the image tools -- goes through
 * this API, so the same code runs on a real part (a port supplies the ops)
 * and on the simulator (src/flash/sim).
 *
 * All functions return 0 or a negative FLASH_E* code. Offsets are relative
 * to the area. Writes must start and end on the device's write block and
 * may only program erased bytes (NOR rules); erases cover whole sectors.
 */
#ifndef SMPDFU_FLASH_AREA_H
#define SMPDFU_FLASH_AREA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum flash_err {
    FLASH_OK = 0,
    FLASH_EINVAL = -1,     /* bad argument (NULL, zero-sized area, ...) */
    FLASH_ERANGE = -2,     /* outside the area */
    FLASH_EALIGN = -3,     /* write not on the write block / erase not on a sector */
    FLASH_ENOTERASED = -4, /* write onto bytes that are not erased */
    FLASH_EIO = -5,        /* the device reported a failure */
    FLASH_EPOWER = -6,     /* power is cut (simulator): nothing works until reboot */
};

/* One erase unit. Offsets are device offsets. */
struct flash_sector {
    uint32_t off;
    uint32_t size;
};

/*
 * The driver of one flash device: the port. Addresses are device offsets;
 * the API has already checked bounds and alignment before calling.
 */
struct flash_ops {
    int (*read)(void *ctx, uint32_t addr, void *buf, size_t len);
    int (*write)(void *ctx, uint32_t addr, const void *buf, size_t len);
    /* Erase exactly one sector starting at addr. */
    int (*erase)(void *ctx, uint32_t addr, uint32_t len);
};

struct flash_dev {
    const struct flash_ops *ops;
    void *ctx;
    uint32_t size;
    /* Smallest programmable unit, 1..32 bytes, a power of two. */
    uint8_t write_block;
    /* Value of an erased byte: 0xff (NOR) or 0x00. */
    uint8_t erase_value;
    /*
     * Sector map. Uniform devices set uniform_sector_size and leave
     * sectors NULL; devices with mixed sizes list every sector in order.
     */
    uint32_t uniform_sector_size;
    const struct flash_sector *sectors;
    size_t sector_count;
};

struct flash_area {
    uint8_t id;
    const char *name;
    const struct flash_dev *dev;
    uint32_t off;  /* device offset of the first byte */
    uint32_t size;
};

int flash_area_read(const struct flash_area *fa, uint32_t off, void *buf, size_t len);
int flash_area_write(const struct flash_area *fa, uint32_t off, const void *buf, size_t len);
/* off and len must cover whole sectors of the area. */
int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len);

/* The device's write block (0 if fa or its device is NULL) and erased value
 * (0xff if fa or its device is NULL). */
uint8_t flash_area_align(const struct flash_area *fa);
uint8_t flash_area_erased_val(const struct flash_area *fa);

/* Number of sectors inside the area, or a negative code if the area does not
 * start and end on sector boundaries. */
int flash_area_sector_count(const struct flash_area *fa);
/* The idx-th sector of the area, offset relative to the area. */
int flash_area_sector(const struct flash_area *fa, size_t idx, struct flash_sector *out);
/* The sector that contains area offset off (offset relative to the area). */
int flash_area_sector_at(const struct flash_area *fa, uint32_t off, struct flash_sector *out);

/* 1 if [off, off+len) reads as erased, 0 if not, negative code on read failure. */
int flash_area_is_erased(const struct flash_area *fa, uint32_t off, uint32_t len);

/* Erase the sectors of [off, off+len) that do not already read as erased
 * (an erase costs time and wear; a blank sector needs none). off and len
 * must cover whole sectors. */
int flash_area_erase_needed(const struct flash_area *fa, uint32_t off, uint32_t len);

#endif
