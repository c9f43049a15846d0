/*
 * OS management group (0): echo, date-time, reset, MCUmgr parameters,
 * OS/application info and bootloader info.
 */
#ifndef SMPDFU_MGMT_OS_MGMT_H
#define SMPDFU_MGMT_OS_MGMT_H

#include "mgmt/mgmt_handler.h"

enum os_mgmt_id {
    OS_MGMT_ID_ECHO = 0,
    OS_MGMT_ID_CONS_ECHO_CTRL = 1,
    OS_MGMT_ID_TASKSTAT = 2,
    OS_MGMT_ID_MPSTAT = 3,
    OS_MGMT_ID_DATETIME = 4,
    OS_MGMT_ID_RESET = 5,
    OS_MGMT_ID_MCUMGR_PARAMS = 6,
    OS_MGMT_ID_INFO = 7,
    OS_MGMT_ID_BOOTLOADER_INFO = 8,
};

extern const struct mgmt_group os_mgmt_group;

#endif
