/*
 * The application's check of image state writes on a device with a first
 * stage, made before the SMP server carries them out -- as a Zephyr
 * application does through mcumgr's command-received hook
 * (MGMT_EVT_OP_CMD_RECV), which may answer a command with a group error.
 *
 *   - A state write naming the MCUboot variant in the secondary slot that
 *     is linked for the S slot the first stage boots now is refused: IN_VALUE
 *     (v1: rc 3), as SMP v2 the image group's INVALID_IMAGE_VECTOR_TABLE
 *     (its reset vector points into the running bootloader), and a log
 *     line. The loader would erase such a candidate; refusing it here lets
 *     the client learn at once.
 *   - A state write naming a hash the device does not hold while the
 *     secondary slot holds an S0/S1 variant is the field report's sequence
 *     (both variants uploaded into the one secondary slot, then the first
 *     one named): the server answers as ever (rc 3; v2 HASH_NOT_FOUND) and
 *     the log says why.
 */
#ifndef SMPDFU_DEVICE_DEVICE_B0_GUARD_H
#define SMPDFU_DEVICE_DEVICE_B0_GUARD_H

#include <stddef.h>
#include <stdint.h>

struct device;

/* The response length when the packet was answered here, 0 when the
 * server is to process it. */
int device_b0_guard(struct device *dev, const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t out_cap);

#endif
