/*
 * Image management group (1). File, corelist and coreload are reserved ids
 * that Zephyr never implemented: ENOTSUP.
 */
#include "mgmt/img_mgmt.h"

#include "mgmt/img_mgmt_erase.h"
#include "mgmt/img_mgmt_slot_info.h"
#include "mgmt/img_mgmt_state.h"
#include "mgmt/img_mgmt_upload.h"

static const struct mgmt_handler img_mgmt_handlers[] = {
    [IMG_MGMT_ID_STATE] = {img_state_read, img_state_write},
    [IMG_MGMT_ID_UPLOAD] = {NULL, img_upload},
    [IMG_MGMT_ID_FILE] = {NULL, NULL},
    [IMG_MGMT_ID_CORELIST] = {NULL, NULL},
    [IMG_MGMT_ID_CORELOAD] = {NULL, NULL},
    [IMG_MGMT_ID_ERASE] = {NULL, img_erase},
    [IMG_MGMT_ID_SLOT_INFO] = {img_slot_info_read, NULL},
};

const struct mgmt_group img_mgmt_group = {
    .id = SMP_GROUP_IMAGE,
    .handlers = img_mgmt_handlers,
    .handler_count = sizeof(img_mgmt_handlers) / sizeof(img_mgmt_handlers[0]),
};
