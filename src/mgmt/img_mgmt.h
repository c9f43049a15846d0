/*
 * Image management group (1): the command table.
 */
#ifndef SMPDFU_MGMT_IMG_MGMT_H
#define SMPDFU_MGMT_IMG_MGMT_H

#include "mgmt/mgmt_handler.h"

enum img_mgmt_id {
    IMG_MGMT_ID_STATE = 0,
    IMG_MGMT_ID_UPLOAD = 1,
    IMG_MGMT_ID_FILE = 2,
    IMG_MGMT_ID_CORELIST = 3,
    IMG_MGMT_ID_CORELOAD = 4,
    IMG_MGMT_ID_ERASE = 5,
    IMG_MGMT_ID_SLOT_INFO = 6,
};

extern const struct mgmt_group img_mgmt_group;

#endif
