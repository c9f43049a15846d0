/*
 * The first-stage bootloader of the nRF Connect SDK chain (NSIB, "B0"):
 * it boots MCUboot from slot S0 or S1, whichever holds the newer valid
 * image, so MCUboot itself can be upgraded. Formats and rules follow NCS
 * (include/fw_info.h, bl_validation.c, bl_storage.c, samples/bootloader):
 *
 *   - each S-slot image carries a struct fw_info (nsib_fw_info.h) at one of
 *     the allowed offsets from the slot start, and a validation info after
 *     the firmware (nsib_validate.h) with an ECDSA P-256 signature;
 *   - the provision area (nsib_provision.h) holds the slot addresses, the
 *     hashes of the trusted public keys and the monotonic counters.
 *
 * The slot rule: S0 is tried first when S1 holds no fw_info or when
 * s0.version >= s1.version, S1 first otherwise. A slot that fails
 * validation has its fw_info invalidated for good and the other slot is
 * tried. A slot that validates raises the NSIB counter to its version
 * (anti-rollback) and is booted.
 *
 * All functions return 0 or a negative code: FLASH_E* from the flash API
 * passes through unchanged, NSIB_E* say what is wrong with an image or
 * with the provision area.
 */
#ifndef SMPDFU_BOOT_NSIB_H
#define SMPDFU_BOOT_NSIB_H

#include <stdbool.h>
#include <stdint.h>

#include "flash/flash_area.h"

enum nsib_err {
    NSIB_ENOFWINFO = -40,     /* no fw_info magic at any allowed offset */
    NSIB_EINVALIDATED = -41,  /* fw_info.valid is not 0x9102FFFF */
    NSIB_EADDRESS = -42,      /* fw_info.address is not in this slot or does not lead to this fw_info */
    NSIB_EROLLBACK = -43,     /* fw_info.version is below the monotonic counter */
    NSIB_ESIZE = -44,         /* firmware does not fit the slot, or total_size > size */
    NSIB_EFWINFO_SIGNED = -45, /* fw_info lies outside the signed region */
    NSIB_EBOOTADDR = -46,     /* boot_address outside the signed region */
    NSIB_ERESETVEC = -47,     /* reset vector outside the signed region */
    NSIB_ENOVINFO = -48,      /* no validation info after the firmware */
    NSIB_EVINFO_ADDR = -49,   /* validation info is for another address */
    NSIB_EKEYHASH_FF = -50,   /* a provisioned key hash holds an aligned 0xFFFF */
    NSIB_ENOKEY = -51,        /* the image's public key matches no valid provisioned key */
    NSIB_EBADSIG = -52,       /* the signature does not verify */
    NSIB_EPROVISION = -53,    /* provision area unprovisioned, malformed or not matching the layout */
    NSIB_ECOUNTER_FULL = -54, /* no free counter slot left */
    NSIB_ECOUNTER_VALUE = -55, /* a counter must grow and fit 16 bits (version: 15 bits) */
    NSIB_ENOCOUNTER = -56,    /* no counter with that description is provisioned */
    NSIB_ENOBOOT = -57,       /* neither slot holds a bootable image */
    NSIB_EINVAL = -58,        /* bad argument */
    NSIB_EALIGN = -59,        /* the flash write block does not allow this update in place */
    NSIB_ECRYPTO = -60,       /* hash or signature library failure */
};

/* Words for an NSIB_E* or FLASH_E* code. */
const char *nsib_strerror(int rc);

struct nsib_config {
    const struct flash_area *s0;
    const struct flash_area *s1;
    const struct flash_area *provision;
    /* CPU address of device offset 0 (0 on nRF52/53/91): slot addresses
     * in the provision area and fw_info are CPU addresses. */
    uint32_t flash_base;
    /* FW_INFO_HARDWARE_ID in the magic words (52 for nRF52). */
    uint8_t hw_id;
    /* CONFIG_SB_MONOTONIC_COUNTER_ROLLBACK_PROTECTION: refuse images
     * below the counter and raise it on boot. NSIB refuses to boot at all
     * when this is on and no NSIB counter is provisioned. */
    bool rollback_protection;
};

struct nsib_slot_report {
    bool has_fw_info;
    uint32_t version;     /* fw_info.version when has_fw_info */
    bool tried;
    int rc;               /* why it was not booted (0: booted or not tried) */
    bool invalidated;     /* its fw_info was invalidated by this boot */
};

struct nsib_result {
    int slot;             /* 0 or 1; -1 when nothing boots */
    uint32_t boot_address;
    uint32_t version;
    bool counter_raised;
    struct nsib_slot_report slots[2];
};

/* Choose, validate and account for the slot to boot. 0 and res->slot set,
 * or NSIB_ENOBOOT (res->slots[] say why), or a provision/flash error. */
int nsib_boot(const struct nsib_config *cfg, struct nsib_result *res);

/* The slot NSIB would try first, by valid fw_info alone (what NCS's
 * bootloader-info query "active_b0_slot" reports): 0 or 1 into *slot, or
 * NSIB_ENOFWINFO when neither slot holds a valid fw_info. */
int nsib_active_slot(const struct nsib_config *cfg, int *slot);

#endif
