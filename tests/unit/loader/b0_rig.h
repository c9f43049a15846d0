/*
 * A device with a first stage for the loader tests: provision, S0, S1 and
 * one image pair on a RAM flash simulator (4 KiB sectors, 4-byte write
 * block, nRF52840 addresses), bootloader variants built by the same code as
 * `smpdfu-image bootloader`, and a boot that runs the first stage, then the
 * loader from the slot it picked, resetting when the loader asks. Shared by
 * the unit tests and the power-cut campaign.
 */
#ifndef B0_RIG_H
#define B0_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/loader.h"
#include "boot/nsib.h"
#include "keys/crypto_key.h"
#include "flash/sim/flash_sim.h"

#define B0_PROV_OFF 0x7000u
#define B0_S0_OFF 0x8000u
#define B0_S1_OFF 0x15000u
#define B0_S_SIZE 0xd000u
#define B0_PRI_OFF 0x22000u
#define B0_SLOT_SIZE 0x10000u
#define B0_SEC_OFF (B0_PRI_OFF + B0_SLOT_SIZE)
#define B0_FLASH_SIZE (B0_SEC_OFF + B0_SLOT_SIZE)
#define B0_LOG_SIZE 8192

/* The two variants of one bootloader release. */
struct b0_release {
    uint8_t *update[2]; /* MCUboot-wrapped, for S0 / S1 */
    size_t update_len[2];
    uint8_t *bare[2];   /* first-stage-signed only (factory image) */
    size_t bare_len[2];
};

struct b0_rig {
    struct flash_sim sim;
    struct flash_area prov, s0, s1, primary, secondary;
    struct loader_pair pair;
    struct nsib_config nsib;
    struct loader_first_stage fs;
    struct loader_config cfg;
    struct crypto_key *b0_key;
    struct crypto_key *mcuboot_key;
    uint8_t mcuboot_pub[128];
    struct image_key key;
    uint8_t *app;
    size_t app_len;
    char log[B0_LOG_SIZE];
    size_t log_len;
};

/* Flash provisioned with the rig's first-stage key (counter of 240 slots),
 * a signed application in the primary slot, nothing else. */
void b0_rig_open(struct b0_rig *r);
void b0_rig_close(struct b0_rig *r);

/* Release with fw_info version fw_version (the variants of one firmware). */
void b0_release_make(const struct b0_rig *r, uint32_t fw_version, struct b0_release *out);
void b0_release_free(struct b0_release *rel);

/* Program bytes at the start of fa (or at off inside it) as a station does. */
void b0_rig_program(struct b0_rig *r, const struct flash_area *fa, uint32_t off,
                    const uint8_t *data, size_t len);

/*
 * Power-up: the first stage, then the loader from the slot it chose; a
 * LOADER_EREBOOT goes round again. 0 with *s_slot and *res set; a negative
 * code when something stopped it (a power cut: the flash says so).
 */
int b0_rig_boot(struct b0_rig *r, int *s_slot, uint32_t *fw_version, struct loader_result *res);

/* The log (cleared by each b0_rig_boot) has a line containing text. */
bool b0_rig_logged(const struct b0_rig *r, const char *text);

#endif
