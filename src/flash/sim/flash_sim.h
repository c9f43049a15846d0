/*
 * A simulated NOR flash device, kept in a file (mapped shared, so its
 * content survives a killed process) or in RAM, with the rules of real NOR
 * enforced on every operation and power cuts that can be injected at any
 * write or erase. flash_sim_dev() gives the struct flash_dev that flash
 * areas point at.
 *
 * NOR rules (each op returns the code in brackets and changes nothing):
 *  - every range lies inside the device [FLASH_ERANGE];
 *  - writes start and end on the write block [FLASH_EALIGN] and program only
 *    bytes that currently hold the erased value [FLASH_ENOTERASED];
 *  - an erase covers exactly one whole sector [FLASH_EALIGN].
 *
 * Power cuts. flash_sim_cut_power_after(sim, n, kind) lets n more writes or
 * erases run; the one after them is cut. Reads are not counted: they change
 * nothing, so a cut "at a read" leaves the same flash as a cut at the next
 * write or erase. What the cut operation leaves behind:
 *  - FLASH_SIM_CUT_BEFORE: nothing, the operation never started.
 *  - FLASH_SIM_CUT_TORN_WRITE, on a write of n blocks of write_block bytes:
 *    blocks 0 .. n/2 - 1 (n/2 rounded down) are fully programmed, then the
 *    first half of the bits of block n/2 (in address order, the most
 *    significant bit of each byte first: write_block/2 bytes, or the high
 *    four bits of the byte when write_block is 1); everything after keeps
 *    the erased value. A single-block write therefore programs the first
 *    half of its block. Cut on an erase, this kind behaves as BEFORE.
 *  - FLASH_SIM_CUT_PARTIAL_ERASE, on an erase: the first half of the sector
 *    (size/2 bytes, rounded down) reads as erased, the second half keeps its
 *    old data. Cut on a write, this kind behaves as BEFORE.
 * The cut operation returns FLASH_EPOWER, and so does every read, write and
 * erase after it until flash_sim_reboot(). The cut operation is not counted
 * and not traced. Rejected operations (rule violations) are not counted
 * towards n.
 *
 * Counters: every read, write and erase that ran adds one to the totals and
 * one to each sector it touched. Counters survive reboots (they model wear)
 * and are cleared only by flash_sim_reset_counts().
 *
 * A struct flash_sim is owned by the caller and must not be moved or copied
 * between open and close: its flash_dev points back at it.
 */
#ifndef SMPDFU_FLASH_SIM_H
#define SMPDFU_FLASH_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash/flash_area.h"

/* Errors of opening a simulated device, beyond the FLASH_E* codes (those
 * mean: FLASH_EINVAL a bad configuration). errno tells more on EFILE. */
enum flash_sim_err {
    FLASH_SIM_EFILE = -20,  /* the file cannot be created, opened or mapped */
    FLASH_SIM_ESIZE = -21,  /* the existing file's size is not the configured flash size */
    FLASH_SIM_ENOMEM = -22, /* out of memory */
};

enum flash_sim_op {
    FLASH_SIM_OP_READ,
    FLASH_SIM_OP_WRITE,
    FLASH_SIM_OP_ERASE,
};

enum flash_sim_cut {
    FLASH_SIM_CUT_BEFORE,
    FLASH_SIM_CUT_TORN_WRITE,
    FLASH_SIM_CUT_PARTIAL_ERASE,
};

struct flash_sim_config {
    uint32_t size;
    /* Uniform devices: the sector size (a divisor of size), sectors NULL. */
    uint32_t sector_size;
    /* 1..32, a power of two; sector sizes must be multiples of it. */
    uint8_t write_block;
    /* 0xff or 0x00. */
    uint8_t erase_value;
    /* Mixed devices: every sector in order, from 0 to size without gaps
     * (sector_size 0). The list is copied. */
    const struct flash_sector *sectors;
    size_t sector_count;
};

struct flash_sim_counts {
    uint64_t reads;
    uint64_t writes;
    uint64_t erases;
};

/* Called after every read, write or erase that ran, with device offsets. */
typedef void (*flash_sim_trace_fn)(void *arg, enum flash_sim_op op, uint32_t addr, uint32_t len);

struct flash_sim {
    struct flash_dev dev;
    uint8_t *mem;
    bool mapped;  /* mem is a shared mapping of fd, else heap memory */
    int fd;
    struct flash_sector *sector_map; /* own copy of a mixed map */
    size_t sectors;                  /* number of sectors, either kind of map */
    struct flash_sim_counts *sector_counts;
    struct flash_sim_counts total;
    flash_sim_trace_fn trace;
    void *trace_arg;
    /* Power cut: armed with ops_left writes/erases to go, or already cut. */
    bool cut_armed;
    uint32_t cut_ops_left;
    enum flash_sim_cut cut_kind;
    bool power_cut;
};

/* Open the flash file at path, creating it filled with the erased value if
 * it does not exist. An existing file must have exactly cfg->size bytes. */
int flash_sim_open_file(struct flash_sim *sim, const char *path, const struct flash_sim_config *cfg);
/* A device in RAM, erased. */
int flash_sim_open_ram(struct flash_sim *sim, const struct flash_sim_config *cfg);
/* Unmaps or frees the device; safe on a zeroed or already closed sim. */
void flash_sim_close(struct flash_sim *sim);

const struct flash_dev *flash_sim_dev(const struct flash_sim *sim);

/*
 * The programming station: erases [off, off+area_size) and puts data at off,
 * bypassing NOR rules, counters, traces and power cuts. len <= area_size.
 */
int flash_sim_load(struct flash_sim *sim, uint32_t off, uint32_t area_size, const void *data,
                   size_t len);

/* The device's bytes, for inspection by tests. */
const uint8_t *flash_sim_raw(const struct flash_sim *sim);

/* Arm a cut (see above); replaces an armed cut that has not happened. */
void flash_sim_cut_power_after(struct flash_sim *sim, uint32_t n_ops, enum flash_sim_cut kind);
/* True from the cut until flash_sim_reboot(). */
bool flash_sim_power_is_cut(const struct flash_sim *sim);
/* Power back on: ops work again and no cut stays armed. */
void flash_sim_reboot(struct flash_sim *sim);

void flash_sim_set_trace(struct flash_sim *sim, flash_sim_trace_fn fn, void *arg);

void flash_sim_total_counts(const struct flash_sim *sim, struct flash_sim_counts *out);
/* Counts of device sector idx; FLASH_ERANGE if there is no such sector. */
int flash_sim_sector_counts(const struct flash_sim *sim, size_t idx, struct flash_sim_counts *out);
size_t flash_sim_sector_count(const struct flash_sim *sim);
void flash_sim_reset_counts(struct flash_sim *sim);

/* Words for a FLASH_E* or FLASH_SIM_E* code. */
const char *flash_sim_strerror(int rc);

#endif
