/*
 * SMP commands as mcumgr users know them. Each builds its request, waits
 * for the answer and returns the answer's body as JSON (*out, caller
 * frees), the shape --json prints. Returns 0, SESSION_EREFUSED (the
 * session's status says why), or another negative error.
 */
#ifndef SMPDFU_CLIENT_COMMANDS_H
#define SMPDFU_CLIENT_COMMANDS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/session.h"
#include "client/upload.h"

#define IMG_HASH_LEN 32

int cmd_echo(struct smp_session *s, const char *text, cJSON **out);
/* force: ask the device to reset even if its application would refuse. */
int cmd_reset(struct smp_session *s, bool force, cJSON **out);
/* OS command 6 as the device answers it ({"buf_size","buf_count"}). */
int cmd_params(struct smp_session *s, cJSON **out);
/* OS info (command 7, every field) and bootloader info (command 8, name
 * and mode) in one object: {"os": "...", "bootloader": "...", "mode": N}.
 * Parts the device does not support are left out. */
int cmd_info(struct smp_session *s, cJSON **out);
/* Which S slot the first-stage bootloader (NSIB) boots MCUboot from
 * (bootloader info, query active_b0_slot, an nRF Connect SDK addition):
 * 0, 1, or a negative error. version (may be NULL) gets the fw_info
 * version running there when the device sends it ("version", an smpdfu
 * addition NCS does not send), else -1. */
int cmd_active_b0_slot(struct smp_session *s, int64_t *version);
/* Image state read: {"images": [...], "splitStatus": N}. */
int cmd_image_list(struct smp_session *s, cJSON **out);
/* State write: hash NULL with confirm confirms what runs. */
int cmd_image_state(struct smp_session *s, const uint8_t *hash, bool confirm, cJSON **out);
/* slot < 0: the device's default (the running image's other slot). */
int cmd_image_erase(struct smp_session *s, int slot, cJSON **out);
int cmd_image_slots(struct smp_session *s, cJSON **out);
/* Zephyr basic group: erase the settings/storage partition. */
int cmd_storage_erase(struct smp_session *s, cJSON **out);

/*
 * Upload data as image `image`; slot >= 0 asks for a given slot, which the
 * device must offer for upload (slot info's upload_image_id, or the
 * secondary slot of an image). *out gets {"image","len","sha","match",
 * "chunks","resyncs"}. o->data, len, progress and tuning are the
 * caller's; sha and image are filled here.
 */
int cmd_image_upload(struct smp_session *s, struct upload_opts *o, int image, int slot,
                     cJSON **out);

/* Parses 64 hex digits; 0 or -EINVAL. */
int parse_hash(const char *hex, uint8_t hash[IMG_HASH_LEN]);

#endif
