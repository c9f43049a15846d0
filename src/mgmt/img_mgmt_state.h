/*
 * Image state (image group command 0): read lists the images in every slot
 * with their flags; write requests a test or permanent upgrade, or confirms
 * the running image, through the MCUboot trailer.
 */
#ifndef SMPDFU_MGMT_IMG_MGMT_STATE_H
#define SMPDFU_MGMT_IMG_MGMT_STATE_H

#include "mgmt/mgmt_handler.h"

int img_state_read(struct mgmt_ctx *ctx);
int img_state_write(struct mgmt_ctx *ctx);

#endif
