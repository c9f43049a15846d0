/*
 * Image upload (image group command 1) and the upload in progress: chunks
 * stream into the secondary slot of an image, sectors erased just ahead of
 * the data, partial write blocks held back until they fill (or padded with
 * the erased value at the end). An interrupted upload resumes when its first
 * chunk comes again with the same "sha" and "len" -- within a session from
 * RAM, after a restart from the record kept through the config's
 * upload_save/upload_load port. A flash failure in the middle leaves the
 * upload waiting at its last record, as a restart does.
 */
#ifndef SMPDFU_MGMT_IMG_MGMT_UPLOAD_H
#define SMPDFU_MGMT_IMG_MGMT_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "mgmt/mgmt_handler.h"

int img_upload(struct mgmt_ctx *ctx);

/* At init: take up the record of an upload interrupted by a restart. */
void img_upload_restore(struct smp_server *srv);
/* An upload (running, or waiting to resume) writes pair pi's secondary. */
bool img_upload_targets(const struct smp_server *srv, size_t pi);
/* Drop the upload and its record, if it writes pair pi's secondary. */
void img_upload_abandon(struct smp_server *srv, size_t pi);

#endif
