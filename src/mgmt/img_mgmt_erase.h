/*
 * Image erase (image group command 5): wipe a secondary slot that the next
 * boot does not need.
 */
#ifndef SMPDFU_MGMT_IMG_MGMT_ERASE_H
#define SMPDFU_MGMT_IMG_MGMT_ERASE_H

#include "mgmt/mgmt_handler.h"

int img_erase(struct mgmt_ctx *ctx);

#endif
