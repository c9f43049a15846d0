/*
 * The MCUboot image trailer at the end of each image slot: magic, flags,
 * swap information and the swap-status area. The SMP server uses it to
 * request a test or permanent upgrade and to confirm the running image; the
 * bootloader uses it to decide and resume swaps. Offsets and write sizes are
 * byte-for-byte those of MCUboot's bootutil for the configuration described
 * by struct trailer_config.
 *
 * Layout, going down from the end of a slot of size S (A = max_align):
 *
 *   magic       S - 16, 16 bytes (written as one ALIGN_UP(16, A) block
 *               starting at ALIGN_DOWN(S - 16, A))
 *   image_ok    ALIGN_DOWN(S - 16 - A, A)
 *   copy_done   image_ok - A
 *   swap_info   copy_done - A
 *   [unprotected TLV sizes, swap-using-offset only]   swap_info - A
 *   swap_size   previous - A
 *   status      S - trailer_size(): max_sectors x states x write_block
 *
 * The erased value and the flash write block used for writes come from the
 * flash area, as in MCUboot. All functions return 0 or a negative
 * TRAILER_E* code.
 */
#ifndef SMPDFU_BOOT_TRAILER_H
#define SMPDFU_BOOT_TRAILER_H

#include <stdbool.h>
#include <stdint.h>

#include "flash/flash_area.h"

#define TRAILER_MAGIC_SIZE 16u

/* Swap types, numbered as MCUboot's BOOT_SWAP_TYPE_*. */
#define BOOT_SWAP_TYPE_NONE   1
#define BOOT_SWAP_TYPE_TEST   2
#define BOOT_SWAP_TYPE_PERM   3
#define BOOT_SWAP_TYPE_REVERT 4
#define BOOT_SWAP_TYPE_FAIL   5
#define BOOT_SWAP_TYPE_PANIC  0xff

/* Decoded magic, numbered as MCUboot's BOOT_MAGIC_*. */
enum trailer_magic {
    TRAILER_MAGIC_GOOD = 1,
    TRAILER_MAGIC_BAD = 2,
    TRAILER_MAGIC_UNSET = 3,
};

/* Decoded image_ok / copy_done, numbered as MCUboot's BOOT_FLAG_*. */
enum trailer_flag {
    TRAILER_FLAG_SET = 1,   /* byte is 0x01 */
    TRAILER_FLAG_BAD = 2,   /* neither 0x01 nor erased */
    TRAILER_FLAG_UNSET = 3, /* erased */
};

/* The byte written to set a flag. */
#define TRAILER_FLAG_SET_VALUE 0x01u

enum trailer_err {
    TRAILER_OK = 0,
    TRAILER_EINVAL = -1,     /* bad configuration or argument */
    TRAILER_EFLASH = -2,     /* flash read/write failed */
    TRAILER_ESMALL = -3,     /* the slot is smaller than the trailer */
    TRAILER_EBADMAGIC = -4,  /* magic is neither erased nor valid: refused like MCUboot */
    TRAILER_EMODE = -5,      /* field does not exist in this mode (TLV sizes outside swap-offset) */
};

const char *trailer_strerror(int err);

/* The upgrade strategy of the bootloader build (exactly one per build). */
enum trailer_mode {
    TRAILER_MODE_SWAP_SCRATCH,   /* 3 status states per sector */
    TRAILER_MODE_SWAP_MOVE,      /* 3 states (1 move + 2 swap) */
    TRAILER_MODE_SWAP_OFFSET,    /* 2 states, extra unprotected-TLV-sizes field */
    TRAILER_MODE_OVERWRITE_ONLY, /* no status area used */
};

/* How the bootloader was built; the same values imgtool is given. */
struct trailer_config {
    enum trailer_mode mode;
    /* BOOT_MAX_ALIGN (imgtool --max-align): 8, 16 or 32. 8 selects the v1
     * magic, 16 and 32 the v2 magic that carries this value. */
    uint8_t max_align;
    /* Size of one status record: the flash write size (BOOT_WRITE_SZ,
     * imgtool --align): 1, 2, 4, 8, 16 or 32, at most max_align. */
    uint8_t write_block;
    /* MCUBOOT_MAX_IMG_SECTORS (imgtool -M), default 128. */
    uint16_t max_sectors;
};

/* MCUboot's defaults for a flash with write block wb: A = max(8, wb),
 * 128 sectors. */
struct trailer_config trailer_config_default(enum trailer_mode mode, uint8_t write_block);

/* TRAILER_OK if cfg is a configuration MCUboot can be built with. */
int trailer_config_check(const struct trailer_config *cfg);

/* Status states per sector for the mode (3, 3, 2; 0 for overwrite-only). */
uint32_t trailer_status_states(const struct trailer_config *cfg);
/* max_sectors x states x write_block (boot_status_sz). */
uint32_t trailer_status_size(const struct trailer_config *cfg);
/* Flags, sizes and magic without the status area (boot_trailer_info_sz). */
uint32_t trailer_info_size(const struct trailer_config *cfg);
/* Whole trailer of an image slot (boot_trailer_sz); for overwrite-only
 * the size imgtool reserves: 2 x A + ALIGN_UP(16, A). */
uint32_t trailer_size(const struct trailer_config *cfg);
/* Trailer of the scratch area: one status entry + info (swap-scratch). */
uint32_t trailer_scratch_size(const struct trailer_config *cfg);

/* Area offsets of every field for a slot of slot_size bytes. */
struct trailer_offsets {
    uint32_t magic;            /* S - 16 */
    uint32_t magic_write;      /* start of the padded magic block */
    uint32_t magic_write_len;  /* ALIGN_UP(16, A) */
    uint32_t image_ok;
    uint32_t copy_done;
    uint32_t swap_info;
    uint32_t unprot_tlv_sizes; /* swap-offset only, else 0 */
    uint32_t swap_size;
    uint32_t status;           /* S - trailer_size(); 0 for overwrite-only */
    /* Where an image must end (bootutil_max_image_size for overwrite-only;
     * the start of the status area for the swap modes -- the loader may
     * restrict further by sector layout). */
    uint32_t max_image_end;
};

int trailer_offsets(const struct trailer_config *cfg, uint32_t slot_size,
                    struct trailer_offsets *out);

/* Offset of status record (idx, state), both counted from 0, in the
 * interleaved layout of swap-scratch and swap-offset (sector idx's states
 * side by side). Swap-move keeps its move records before its swap records:
 * see boot_status.h. */
int trailer_status_record_off(const struct trailer_config *cfg, uint32_t slot_size,
                              uint32_t idx, uint32_t state, uint32_t *off);

/* The 16 magic bytes this configuration writes. */
void trailer_magic_bytes(const struct trailer_config *cfg, uint8_t out[TRAILER_MAGIC_SIZE]);

/* Everything boot_read_swap_state reads, decoded, plus the raw bytes. */
struct trailer_state {
    enum trailer_magic magic;
    enum trailer_flag image_ok;
    enum trailer_flag copy_done;
    /* BOOT_SWAP_TYPE_NONE..REVERT; NONE (and image_num 0) when the byte is
     * erased or its low nibble is above REVERT, as MCUboot decodes it. */
    uint8_t swap_type;
    uint8_t image_num;
    uint8_t swap_info_raw;
    uint8_t image_ok_raw;
    uint8_t copy_done_raw;
    uint32_t swap_size;        /* raw little-endian value (erased = all ones / zeros) */
    bool swap_size_set;        /* swap_size bytes are not erased */
    uint8_t magic_raw[TRAILER_MAGIC_SIZE];
};

int trailer_read(const struct flash_area *fa, const struct trailer_config *cfg,
                 struct trailer_state *st);

/* Decode 16 magic bytes; erased_val is the flash's erased byte. */
enum trailer_magic trailer_magic_decode(const struct trailer_config *cfg,
                                        const uint8_t raw[TRAILER_MAGIC_SIZE],
                                        uint8_t erased_val);
/* Decode a flag byte. */
enum trailer_flag trailer_flag_decode(uint8_t raw, uint8_t erased_val);

/*
 * boot_swap_type_multi's table on two decoded trailers: first matching
 * row wins (swap-offset: secondary GOOD + image_ok UNSET + copy_done SET
 * -> REVERT; then GOOD secondary with image_ok UNSET -> TEST, SET -> PERM;
 * GOOD primary with image_ok UNSET and copy_done SET -> REVERT), else NONE.
 * secondary may be NULL: an unreadable secondary counts as empty.
 */
int trailer_swap_type(const struct trailer_config *cfg, const struct trailer_state *primary,
                      const struct trailer_state *secondary);

/* Field writes, each exactly as bootutil writes it: ALIGN_UP(len, write
 * block of fa) bytes padded with the erased value; magic as one padded
 * ALIGN_UP(16, A) block. The bytes must still be erased. */
int trailer_write_magic(const struct flash_area *fa, const struct trailer_config *cfg);
int trailer_write_image_ok(const struct flash_area *fa, const struct trailer_config *cfg);
int trailer_write_copy_done(const struct flash_area *fa, const struct trailer_config *cfg);
int trailer_write_swap_info(const struct flash_area *fa, const struct trailer_config *cfg,
                            uint8_t swap_type, uint8_t image_num);
int trailer_write_swap_size(const struct flash_area *fa, const struct trailer_config *cfg,
                            uint32_t swap_size);
/* Swap-offset only (else TRAILER_EMODE): primary in the low, secondary in
 * the high 16 bits. */
int trailer_write_unprot_tlv_sizes(const struct flash_area *fa, const struct trailer_config *cfg,
                                   uint16_t primary, uint16_t secondary);

/*
 * Request an upgrade from the image in fa (a secondary slot), as
 * boot_set_next(fa, active = false, confirm = permanent): magic UNSET ->
 * write magic, then image_ok if permanent, then swap_info (PERM or TEST,
 * image_num); magic GOOD -> already requested, nothing written; magic BAD
 * -> TRAILER_EBADMAGIC and, like MCUboot, the whole slot is erased so a
 * later upload can succeed.
 */
int trailer_set_pending(const struct flash_area *fa, const struct trailer_config *cfg,
                        bool permanent, uint8_t image_num);

/*
 * Confirm the running image in fa (the primary), as boot_set_next(fa,
 * active = true): magic GOOD and image_ok UNSET -> write image_ok; GOOD
 * with image_ok already set, or magic UNSET (never swapped) -> nothing to
 * do; magic BAD -> TRAILER_EBADMAGIC, nothing written.
 */
int trailer_set_confirmed(const struct flash_area *fa, const struct trailer_config *cfg);

#endif
