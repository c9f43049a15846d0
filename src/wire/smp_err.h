/*
 * SMP result codes and their meaning for people.
 *
 * SMP v1 answers with {"rc": MGMT_ERR_*}. SMP v2 answers a failure with
 * {"err": {"group": G, "rc": R}} where R is group G's own code; the base
 * codes stay in "rc" for errors that belong to no group (unknown command,
 * message too large, ...). A v2 server that answers a v1 request turns its
 * group code into the nearest base code (smp_group_err_to_mgmt), the way
 * Zephyr's per-group translation functions do.
 */
#ifndef SMPDFU_SMP_ERR_H
#define SMPDFU_SMP_ERR_H

#include <stdint.h>

enum smp_mgmt_err {
    SMP_MGMT_EOK = 0,
    SMP_MGMT_EUNKNOWN = 1,
    SMP_MGMT_ENOMEM = 2,
    SMP_MGMT_EINVAL = 3,
    SMP_MGMT_ETIMEOUT = 4,
    SMP_MGMT_ENOENT = 5,
    SMP_MGMT_EBADSTATE = 6,
    SMP_MGMT_EMSGSIZE = 7,
    SMP_MGMT_ENOTSUP = 8,
    SMP_MGMT_ECORRUPT = 9,
    SMP_MGMT_EBUSY = 10,
    SMP_MGMT_EACCESSDENIED = 11,
    SMP_MGMT_EUNSUPPORTED_TOO_OLD = 12,
    SMP_MGMT_EUNSUPPORTED_TOO_NEW = 13,
    SMP_MGMT_EPERUSER = 256,
};

/* OS group (0), SMP v2. */
enum smp_os_err {
    SMP_OS_ERR_OK = 0,
    SMP_OS_ERR_UNKNOWN = 1,
    SMP_OS_ERR_INVALID_FORMAT = 2,
    SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER = 3,
    SMP_OS_ERR_RTC_NOT_SET = 4,
    SMP_OS_ERR_RTC_COMMAND_FAILED = 5,
    SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID = 6,
    SMP_OS_ERR_HEAP_STATS_FETCH_FAILED = 7,
};

/* Image group (1), SMP v2. */
enum smp_img_err {
    SMP_IMG_ERR_OK = 0,
    SMP_IMG_ERR_UNKNOWN = 1,
    SMP_IMG_ERR_FLASH_CONFIG_QUERY_FAIL = 2,
    SMP_IMG_ERR_NO_IMAGE = 3,
    SMP_IMG_ERR_NO_TLVS = 4,
    SMP_IMG_ERR_INVALID_TLV = 5,
    SMP_IMG_ERR_TLV_MULTIPLE_HASHES_FOUND = 6,
    SMP_IMG_ERR_TLV_INVALID_SIZE = 7,
    SMP_IMG_ERR_HASH_NOT_FOUND = 8,
    SMP_IMG_ERR_NO_FREE_SLOT = 9,
    SMP_IMG_ERR_FLASH_OPEN_FAILED = 10,
    SMP_IMG_ERR_FLASH_READ_FAILED = 11,
    SMP_IMG_ERR_FLASH_WRITE_FAILED = 12,
    SMP_IMG_ERR_FLASH_ERASE_FAILED = 13,
    SMP_IMG_ERR_INVALID_SLOT = 14,
    SMP_IMG_ERR_NO_FREE_MEMORY = 15,
    SMP_IMG_ERR_FLASH_CONTEXT_ALREADY_SET = 16,
    SMP_IMG_ERR_FLASH_CONTEXT_NOT_SET = 17,
    SMP_IMG_ERR_FLASH_AREA_DEVICE_NULL = 18,
    SMP_IMG_ERR_INVALID_PAGE_OFFSET = 19,
    SMP_IMG_ERR_INVALID_OFFSET = 20,
    SMP_IMG_ERR_INVALID_LENGTH = 21,
    SMP_IMG_ERR_INVALID_IMAGE_HEADER = 22,
    SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC = 23,
    SMP_IMG_ERR_INVALID_HASH = 24,
    SMP_IMG_ERR_INVALID_FLASH_ADDRESS = 25,
    SMP_IMG_ERR_VERSION_GET_FAILED = 26,
    SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER = 27,
    SMP_IMG_ERR_IMAGE_ALREADY_PENDING = 28,
    SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE = 29,
    SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE = 30,
    SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN = 31,
    SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED = 32,
    SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED = 33,
    SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN = 34,
};

/* Zephyr basic group (63), SMP v2. */
enum smp_basic_err {
    SMP_BASIC_ERR_OK = 0,
    SMP_BASIC_ERR_UNKNOWN = 1,
    SMP_BASIC_ERR_FLASH_OPEN_FAILED = 2,
    SMP_BASIC_ERR_FLASH_CONFIG_QUERY_FAIL = 3,
    SMP_BASIC_ERR_FLASH_ERASE_FAILED = 4,
};

struct smp_err_info {
    const char *name; /* the upstream constant, e.g. "MGMT_ERR_ENOTSUP" */
    const char *hint; /* one line for people: what it means, what to do */
};

/* The base code's name and hint, or NULL for a code not in the table. */
const struct smp_err_info *smp_mgmt_err_info(int rc);
/* Group-specific (v2) code's name and hint, or NULL when the group or code
 * is unknown. */
const struct smp_err_info *smp_group_err_info(uint16_t group, int rc);
/* The base code a v1 request gets for group error rc. */
int smp_group_err_to_mgmt(uint16_t group, int rc);

#endif
