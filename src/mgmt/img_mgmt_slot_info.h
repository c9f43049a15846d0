/*
 * Slot info (image group command 6): the size of every slot, which image
 * number uploads to it, and the largest image each pair takes.
 */
#ifndef SMPDFU_MGMT_IMG_MGMT_SLOT_INFO_H
#define SMPDFU_MGMT_IMG_MGMT_SLOT_INFO_H

#include "mgmt/mgmt_handler.h"

int img_slot_info_read(struct mgmt_ctx *ctx);

#endif
