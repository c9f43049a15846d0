/*
 * The simulated device's first stage (NSIB, "B0"), on layouts with b0,
 * provision, s0 and s1 areas (nrf52840):
 *
 *   - provisioning: when the provision area is blank (a new flash file)
 *     and a first-stage key was given, the area is written as NCS's
 *     provision.py would -- S0/S1 addresses, the key's hash, and an NSIB
 *     counter of DEVICE_B0_COUNTER_SLOTS slots;
 *   - boot: nsib_boot() picks S0 or S1, validates it and raises the
 *     counter; the loader then runs "from" that slot.
 *
 * A layout with those areas but a blank provision area has no first
 * stage that runs (as a board without provisioning, where MCUboot is the
 * first thing started): the loader boots directly.
 *
 * The nRF52840 programs 32-bit words. NCS invalidates a failed fw_info by
 * writing 0xFFFF0000 over its `valid` word and writes one counter
 * half-word per update, both relying on the NVMC letting a written word be
 * written again. The simulated flash never programs a word twice between
 * erases, so here the sector holding the fw_info is erased instead (see
 * nsib_fw_info_invalidate) and each counter update takes a whole word (two
 * counter slots).
 */
#ifndef SMPDFU_DEVICE_DEVICE_FIRST_STAGE_H
#define SMPDFU_DEVICE_DEVICE_FIRST_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/nsib_provision.h"

struct device;

/* NCS's default CONFIG_SB_NUM_VER_COUNTER_SLOTS. */
#define DEVICE_B0_COUNTER_SLOTS 240u
/* The S slots' pad: MCUboot's header size, so an MCUboot image written at
 * the slot start puts its payload where the firmware was linked. */
#define DEVICE_S_SLOT_PAD 0x200u
/* FW_INFO_HARDWARE_ID of the nRF52. */
#define DEVICE_B0_HW_ID 52u

/* Raw X||Y of the ECDSA P-256 key in a PEM file (private or public);
 * 0 or a negative code. */
int device_b0_key_load(const char *path, uint8_t pub[NSIB_PUBKEY_LEN]);

/* Set up dev's first stage after the flash is open (areas looked up,
 * provisioned if blank and a key was given); DEVICE_E* code. */
int device_first_stage_open(struct device *dev);

/*
 * Run the first stage: *slot gets the S slot to start the loader from,
 * or -1 when nothing may boot (logged). DEVICE_EFLASH when the flash
 * failed (power cut) before a decision.
 */
int device_first_stage_boot(struct device *dev, int *slot);

/* Offset inside an S slot at which an image file is programmed: 0 for an
 * MCUboot-wrapped update image, the pad for the bare first-stage-signed
 * image (where NCS's merged hex puts s0_image). */
uint32_t device_s_slot_offset(const uint8_t *data, size_t len);

#endif
