/*
 * Zephyr basic group (63): erase the storage (settings) partition.
 */
#ifndef SMPDFU_MGMT_BASIC_MGMT_H
#define SMPDFU_MGMT_BASIC_MGMT_H

#include "mgmt/mgmt_handler.h"

enum basic_mgmt_id {
    BASIC_MGMT_ID_ERASE_STORAGE = 0,
};

extern const struct mgmt_group basic_mgmt_group;

#endif
