/*
 * The MCUboot-compatible bootloader stage: for each image pair, finish a
 * swap that a reset interrupted, else decide from the two trailers what
 * was asked (MCUboot's swap-type table), validate the candidate, swap (or
 * revert an image that was tested and never confirmed), write copy_done /
 * image_ok as MCUboot does, erase a candidate that does not validate, and
 * finally validate every primary slot so the caller knows what it may run.
 *
 * Portable: no allocation, no stdio; flash through struct flash_area and
 * log lines through the config's callback, one line per decision,
 * MCUboot-style ("Swap type: test", "Image in the secondary slot is not
 * valid: bad signature; erased").
 *
 * Returns LOADER_OK when image 0's primary may be booted; LOADER_ENOBOOT
 * when it may not; LOADER_EFLASH when a flash operation failed mid-way
 * (on the simulator: the power was cut) -- the state on flash is then one
 * the next loader_boot() resumes from; LOADER_EREBOOT when a bootloader
 * update was copied for the first stage (struct loader_first_stage).
 */
#ifndef SMPDFU_BOOT_LOADER_H
#define SMPDFU_BOOT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot/nsib.h"
#include "boot/trailer.h"
#include "flash/flash_area.h"

#ifndef LOADER_MAX_IMAGES
#define LOADER_MAX_IMAGES 4
#endif

enum loader_err {
    LOADER_OK = 0,
    LOADER_EINVAL = -1,  /* bad configuration */
    LOADER_EFLASH = -2,  /* a flash operation failed; stop, the next boot resumes */
    LOADER_ENOBOOT = -3, /* no valid image in image 0's primary slot */
    LOADER_ECOUNTER = -5, /* the port's security counter failed */
    LOADER_EROLLBACK = -6, /* (loader_image.primary_rc) refused by rollback protection */
    LOADER_EREBOOT = -7, /* a new bootloader went into the idle S slot: reset so the
                            first stage can pick it (nothing else was done) */
};

const char *loader_strerror(int err);

struct loader_pair {
    const struct flash_area *primary;
    const struct flash_area *secondary;
};

/*
 * Hardware rollback protection (MCUBOOT_HW_ROLLBACK_PROT): a monotonic
 * counter per image that the port keeps in storage the application cannot
 * rewrite. Every image must carry a protected SEC_CNT TLV at least the
 * counter; the counter is raised to the running image's value once that
 * image is permanent (no trailer magic, or image_ok set; right after the
 * copy in overwrite-only). Functions return 0 or a negative code.
 */
struct loader_counter_ops {
    int (*get)(void *arg, uint8_t image, uint32_t *value);
    int (*set)(void *arg, uint8_t image, uint32_t value);
    void *arg;
};

/*
 * The first stage (NSIB) this loader was started by, from S0 or S1. An
 * MCUboot image in image 0's secondary slot whose reset vector lies in S0
 * or S1 is a bootloader update, not an application: when the secondary
 * trailer asks for it (test or permanent alike -- an S slot keeps no
 * trailer, so nothing can revert it) and its MCUboot signature holds, it
 * is copied into the S slot it is linked for, provided that is the idle
 * one; then loader_boot returns LOADER_EREBOOT and the first stage decides
 * by fw_info version. A candidate linked for the running slot is erased.
 * The application pair is never swapped for it.
 */
struct loader_first_stage {
    const struct nsib_config *nsib; /* s0, s1, flash_base, hw_id */
    int active_slot;                /* 0 or 1: the S slot this loader runs from */
};

/* What happened to a bootloader candidate during this boot. */
enum loader_fs_action {
    LOADER_FS_NONE,        /* no bootloader candidate asked for */
    LOADER_FS_COPIED,      /* copied into the idle S slot (LOADER_EREBOOT) */
    LOADER_FS_INSTALLED,   /* already in the running slot: secondary scrubbed */
    LOADER_FS_WRONG_SLOT,  /* linked for the running slot: erased */
    LOADER_FS_INVALID,     /* not valid or too large for its S slot: erased */
};

/* One log line (NUL-terminated, no newline); level 'I', 'W' or 'E'. */
typedef void (*loader_log_fn)(void *arg, char level, const char *line);

struct loader_config {
    /* Upgrade strategy and trailer format, as the bootloader was built. */
    struct trailer_config trailer;
    const struct loader_pair *pairs; /* pair i = image i */
    size_t pair_count;
    /* Scratch area (swap-using-scratch only; without one, no upgrade
     * runs and the primary slots boot as they are). */
    const struct flash_area *scratch;
    /* Signature policy; max_image_end is set by the loader per slot. */
    struct image_policy policy;
    /* Refuse a candidate whose version is lower than the running image's
     * (MCUBOOT_DOWNGRADE_PREVENTION): it is erased. */
    bool downgrade_prevention;
    /* Compare security counters (SEC_CNT TLVs) instead of versions
     * (MCUBOOT_DOWNGRADE_PREVENTION_SECURITY_COUNTER): a candidate
     * without one, or with a lower one, is refused. */
    bool downgrade_by_security_counter;
    /* NULL: no hardware rollback protection. */
    const struct loader_counter_ops *counter;
    /* NULL: MCUboot is the first thing that runs. */
    const struct loader_first_stage *first_stage;
    loader_log_fn log;
    void *log_arg;
};

/* What happened to one image pair during this boot. */
struct loader_image {
    /* Swap performed or resumed: BOOT_SWAP_TYPE_NONE, TEST, PERM, REVERT,
     * or FAIL (the candidate was invalid and erased). */
    uint8_t swap_type;
    bool resumed;         /* an interrupted swap was finished */
    bool bootable;        /* the primary slot validated */
    int primary_rc;       /* image_validate() result for the primary, or
                             LOADER_EROLLBACK */
    struct image_result primary; /* that validation's details */
};

struct loader_result {
    struct loader_image images[LOADER_MAX_IMAGES];
    size_t image_count;
    /* With a first stage: the bootloader candidate's fate, the S slot it
     * was linked for (-1: none) and its fw_info version (0: none found). */
    enum loader_fs_action fs_action;
    int fs_target;
    uint32_t fs_version;
};

int loader_boot(const struct loader_config *cfg, struct loader_result *res);

#endif
