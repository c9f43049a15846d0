/*
 * Names and hints for SMP result codes, and the v2 -> v1 translation.
 *
 * Names are Zephyr's constants, so a log line can be searched for upstream.
 * The translation follows the per-group functions of Zephyr's mcumgr
 * (img_mgmt_translate_error_code, os_mgmt_translate_error_code,
 * zephyr_basic_group_translate_error_code), with one deliberate difference
 * noted at smp_basic_to_mgmt().
 */
#include "wire/smp_err.h"

#include <stddef.h>

#include "wire/smp_header.h"

#define ENTRY(code, n, h) [code] = { .name = (n), .hint = (h) }

static const struct smp_err_info mgmt_errs[] = {
    ENTRY(SMP_MGMT_EOK, "MGMT_ERR_EOK", "success"),
    ENTRY(SMP_MGMT_EUNKNOWN, "MGMT_ERR_EUNKNOWN",
          "the device failed without saying why; its log may tell more"),
    ENTRY(SMP_MGMT_ENOMEM, "MGMT_ERR_ENOMEM",
          "the device ran out of memory or buffer space; send smaller requests"),
    ENTRY(SMP_MGMT_EINVAL, "MGMT_ERR_EINVAL",
          "the device refused a value in the request, or could not decode it"),
    ENTRY(SMP_MGMT_ETIMEOUT, "MGMT_ERR_ETIMEOUT", "an operation on the device timed out; retry"),
    ENTRY(SMP_MGMT_ENOENT, "MGMT_ERR_ENOENT",
          "no such entry, or a required field is missing from the request"),
    ENTRY(SMP_MGMT_EBADSTATE, "MGMT_ERR_EBADSTATE",
          "the device's current state does not allow this command (e.g. an image is already pending)"),
    ENTRY(SMP_MGMT_EMSGSIZE, "MGMT_ERR_EMSGSIZE",
          "the response does not fit the device's buffer; ask for less or use smaller chunks"),
    ENTRY(SMP_MGMT_ENOTSUP, "MGMT_ERR_ENOTSUP",
          "the device does not support this group or command (not enabled in its build)"),
    ENTRY(SMP_MGMT_ECORRUPT, "MGMT_ERR_ECORRUPT",
          "the device received a corrupt or short packet; check the link and retry"),
    ENTRY(SMP_MGMT_EBUSY, "MGMT_ERR_EBUSY",
          "the device is busy with another request; retry later"),
    ENTRY(SMP_MGMT_EACCESSDENIED, "MGMT_ERR_EACCESSDENIED",
          "the device denied access to this command or resource"),
    ENTRY(SMP_MGMT_EUNSUPPORTED_TOO_OLD, "MGMT_ERR_UNSUPPORTED_TOO_OLD",
          "the device no longer speaks this SMP version; use SMP v2"),
    ENTRY(SMP_MGMT_EUNSUPPORTED_TOO_NEW, "MGMT_ERR_UNSUPPORTED_TOO_NEW",
          "the device only speaks an older SMP version; retry with SMP v1"),
};

/* 256 would blow the table up; it stands alone. */
static const struct smp_err_info mgmt_peruser = {
    .name = "MGMT_ERR_EPERUSER",
    .hint = "an application-defined error of the device's firmware",
};

static const struct smp_err_info os_errs[] = {
    ENTRY(SMP_OS_ERR_OK, "OS_MGMT_ERR_OK", "success"),
    ENTRY(SMP_OS_ERR_UNKNOWN, "OS_MGMT_ERR_UNKNOWN",
          "the OS group failed without saying why; the device log may tell more"),
    ENTRY(SMP_OS_ERR_INVALID_FORMAT, "OS_MGMT_ERR_INVALID_FORMAT",
          "the device does not know a letter of the requested info format"),
    ENTRY(SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, "OS_MGMT_ERR_QUERY_YIELDS_NO_ANSWER",
          "the device does not recognise this query"),
    ENTRY(SMP_OS_ERR_RTC_NOT_SET, "OS_MGMT_ERR_RTC_NOT_SET",
          "the device's clock has never been set; set the date-time first"),
    ENTRY(SMP_OS_ERR_RTC_COMMAND_FAILED, "OS_MGMT_ERR_RTC_COMMAND_FAILED",
          "the device's real-time clock did not accept the command"),
    ENTRY(SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID, "OS_MGMT_ERR_QUERY_RESPONSE_VALUE_NOT_VALID",
          "the device knows the query but has no valid answer (e.g. no valid bootloader slot)"),
    ENTRY(SMP_OS_ERR_HEAP_STATS_FETCH_FAILED, "OS_MGMT_ERR_HEAP_STATS_FETCH_FAILED",
          "the device could not read its heap statistics"),
};

static const struct smp_err_info img_errs[] = {
    ENTRY(SMP_IMG_ERR_OK, "IMG_MGMT_ERR_OK", "success"),
    ENTRY(SMP_IMG_ERR_UNKNOWN, "IMG_MGMT_ERR_UNKNOWN",
          "image management failed without saying why; the device log may tell more"),
    ENTRY(SMP_IMG_ERR_FLASH_CONFIG_QUERY_FAIL, "IMG_MGMT_ERR_FLASH_CONFIG_QUERY_FAIL",
          "the device could not query its flash area configuration"),
    ENTRY(SMP_IMG_ERR_NO_IMAGE, "IMG_MGMT_ERR_NO_IMAGE", "there is no image in that slot"),
    ENTRY(SMP_IMG_ERR_NO_TLVS, "IMG_MGMT_ERR_NO_TLVS",
          "the image in the slot has no TLV area; it was not signed with imgtool"),
    ENTRY(SMP_IMG_ERR_INVALID_TLV, "IMG_MGMT_ERR_INVALID_TLV",
          "the image in the slot has a TLV with a bad type or length"),
    ENTRY(SMP_IMG_ERR_TLV_MULTIPLE_HASHES_FOUND, "IMG_MGMT_ERR_TLV_MULTIPLE_HASHES_FOUND",
          "the image in the slot carries more than one hash TLV"),
    ENTRY(SMP_IMG_ERR_TLV_INVALID_SIZE, "IMG_MGMT_ERR_TLV_INVALID_SIZE",
          "the image in the slot has a TLV area of the wrong size"),
    ENTRY(SMP_IMG_ERR_HASH_NOT_FOUND, "IMG_MGMT_ERR_HASH_NOT_FOUND",
          "no slot holds an image with this hash; use the image hash (TLV), not the file hash, "
          "and check the upload went to the slot you think"),
    ENTRY(SMP_IMG_ERR_NO_FREE_SLOT, "IMG_MGMT_ERR_NO_FREE_SLOT",
          "the secondary slot is in use (pending, confirmed or running); reset or erase it first"),
    ENTRY(SMP_IMG_ERR_FLASH_OPEN_FAILED, "IMG_MGMT_ERR_FLASH_OPEN_FAILED",
          "the device could not open the flash area"),
    ENTRY(SMP_IMG_ERR_FLASH_READ_FAILED, "IMG_MGMT_ERR_FLASH_READ_FAILED",
          "the device could not read its flash"),
    ENTRY(SMP_IMG_ERR_FLASH_WRITE_FAILED, "IMG_MGMT_ERR_FLASH_WRITE_FAILED",
          "the device could not write its flash; the upload was reset, start again"),
    ENTRY(SMP_IMG_ERR_FLASH_ERASE_FAILED, "IMG_MGMT_ERR_FLASH_ERASE_FAILED",
          "the device could not erase its flash"),
    ENTRY(SMP_IMG_ERR_INVALID_SLOT, "IMG_MGMT_ERR_INVALID_SLOT",
          "the slot or image number does not exist on this device"),
    ENTRY(SMP_IMG_ERR_NO_FREE_MEMORY, "IMG_MGMT_ERR_NO_FREE_MEMORY",
          "the device ran out of memory"),
    ENTRY(SMP_IMG_ERR_FLASH_CONTEXT_ALREADY_SET, "IMG_MGMT_ERR_FLASH_CONTEXT_ALREADY_SET",
          "the device's flash writer was already in use"),
    ENTRY(SMP_IMG_ERR_FLASH_CONTEXT_NOT_SET, "IMG_MGMT_ERR_FLASH_CONTEXT_NOT_SET",
          "the device's flash writer was not set up"),
    ENTRY(SMP_IMG_ERR_FLASH_AREA_DEVICE_NULL, "IMG_MGMT_ERR_FLASH_AREA_DEVICE_NULL",
          "the flash area has no flash device behind it"),
    ENTRY(SMP_IMG_ERR_INVALID_PAGE_OFFSET, "IMG_MGMT_ERR_INVALID_PAGE_OFFSET",
          "the offset is not valid for the flash page layout"),
    ENTRY(SMP_IMG_ERR_INVALID_OFFSET, "IMG_MGMT_ERR_INVALID_OFFSET",
          "the upload request has no \"off\" field"),
    ENTRY(SMP_IMG_ERR_INVALID_LENGTH, "IMG_MGMT_ERR_INVALID_LENGTH",
          "the first upload chunk has no \"len\" field"),
    ENTRY(SMP_IMG_ERR_INVALID_IMAGE_HEADER, "IMG_MGMT_ERR_INVALID_IMAGE_HEADER",
          "the first upload chunk is shorter than an MCUboot image header (32 bytes)"),
    ENTRY(SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC, "IMG_MGMT_ERR_INVALID_IMAGE_HEADER_MAGIC",
          "the file is not an MCUboot image (bad header magic); upload the signed .bin"),
    ENTRY(SMP_IMG_ERR_INVALID_HASH, "IMG_MGMT_ERR_INVALID_HASH",
          "the hash is missing or has the wrong length (32 bytes expected)"),
    ENTRY(SMP_IMG_ERR_INVALID_FLASH_ADDRESS, "IMG_MGMT_ERR_INVALID_FLASH_ADDRESS",
          "the image's load address does not match the slot it was uploaded to"),
    ENTRY(SMP_IMG_ERR_VERSION_GET_FAILED, "IMG_MGMT_ERR_VERSION_GET_FAILED",
          "the device could not read the version of the running image"),
    ENTRY(SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER, "IMG_MGMT_ERR_CURRENT_VERSION_IS_NEWER",
          "the running image is as new or newer; raise the image version or drop \"upgrade\""),
    ENTRY(SMP_IMG_ERR_IMAGE_ALREADY_PENDING, "IMG_MGMT_ERR_IMAGE_ALREADY_PENDING",
          "another image is already scheduled; reset the device to apply it first"),
    ENTRY(SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE, "IMG_MGMT_ERR_INVALID_IMAGE_VECTOR_TABLE",
          "the image's vector table is not valid for this device"),
    ENTRY(SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE, "IMG_MGMT_ERR_INVALID_IMAGE_TOO_LARGE",
          "the image is larger than the slot"),
    ENTRY(SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, "IMG_MGMT_ERR_INVALID_IMAGE_DATA_OVERRUN",
          "more data was sent than the announced image length"),
    ENTRY(SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED, "IMG_MGMT_ERR_IMAGE_CONFIRMATION_DENIED",
          "the device refuses to confirm an image that is not running"),
    ENTRY(SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED,
          "IMG_MGMT_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED",
          "that image is the one already running; it cannot be marked for test"),
    ENTRY(SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN, "IMG_MGMT_ERR_ACTIVE_SLOT_NOT_KNOWN",
          "the device cannot tell which slot it is running from"),
};

static const struct smp_err_info basic_errs[] = {
    ENTRY(SMP_BASIC_ERR_OK, "ZEPHYRBASIC_MGMT_ERR_OK", "success"),
    ENTRY(SMP_BASIC_ERR_UNKNOWN, "ZEPHYRBASIC_MGMT_ERR_UNKNOWN",
          "the basic group failed without saying why; the device log may tell more"),
    ENTRY(SMP_BASIC_ERR_FLASH_OPEN_FAILED, "ZEPHYRBASIC_MGMT_ERR_FLASH_OPEN_FAILED",
          "the device could not open its storage partition"),
    ENTRY(SMP_BASIC_ERR_FLASH_CONFIG_QUERY_FAIL, "ZEPHYRBASIC_MGMT_ERR_FLASH_CONFIG_QUERY_FAIL",
          "the device could not query the storage partition's flash"),
    ENTRY(SMP_BASIC_ERR_FLASH_ERASE_FAILED, "ZEPHYRBASIC_MGMT_ERR_FLASH_ERASE_FAILED",
          "the device could not erase its storage partition"),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct smp_err_info *lookup(const struct smp_err_info *tab, size_t n, int rc)
{
    if (rc < 0 || (size_t)rc >= n) {
        return NULL;
    }
    return &tab[rc];
}

const struct smp_err_info *smp_mgmt_err_info(int rc)
{
    if (rc == SMP_MGMT_EPERUSER) {
        return &mgmt_peruser;
    }
    return lookup(mgmt_errs, COUNT(mgmt_errs), rc);
}

const struct smp_err_info *smp_group_err_info(uint16_t group, int rc)
{
    switch (group) {
    case SMP_GROUP_OS:
        return lookup(os_errs, COUNT(os_errs), rc);
    case SMP_GROUP_IMAGE:
        return lookup(img_errs, COUNT(img_errs), rc);
    case SMP_GROUP_ZEPHYR_BASIC:
        return lookup(basic_errs, COUNT(basic_errs), rc);
    default:
        return NULL;
    }
}

static int smp_img_to_mgmt(int rc)
{
    switch (rc) {
    case SMP_IMG_ERR_NO_IMAGE:
    case SMP_IMG_ERR_NO_TLVS:
        return SMP_MGMT_ENOENT;
    case SMP_IMG_ERR_NO_FREE_SLOT:
    case SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER:
    case SMP_IMG_ERR_IMAGE_ALREADY_PENDING:
        return SMP_MGMT_EBADSTATE;
    case SMP_IMG_ERR_NO_FREE_MEMORY:
        return SMP_MGMT_ENOMEM;
    case SMP_IMG_ERR_INVALID_SLOT:
    case SMP_IMG_ERR_INVALID_PAGE_OFFSET:
    case SMP_IMG_ERR_INVALID_OFFSET:
    case SMP_IMG_ERR_INVALID_LENGTH:
    case SMP_IMG_ERR_INVALID_IMAGE_HEADER:
    case SMP_IMG_ERR_INVALID_HASH:
    case SMP_IMG_ERR_INVALID_FLASH_ADDRESS:
        return SMP_MGMT_EINVAL;
    default:
        return SMP_MGMT_EUNKNOWN;
    }
}

static int smp_os_to_mgmt(int rc)
{
    switch (rc) {
    case SMP_OS_ERR_INVALID_FORMAT:
        return SMP_MGMT_EINVAL;
    case SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER:
    case SMP_OS_ERR_RTC_NOT_SET:
        return SMP_MGMT_ENOENT;
    default:
        return SMP_MGMT_EUNKNOWN;
    }
}

/* Zephyr maps FLASH_CONFIG_QUERY_FAIL and FLASH_ERASE_FAILED to
 * MGMT_ERR_EOK, which tells a v1 client that a failed erase succeeded.
 * A refusal must stay a refusal, so they become EUNKNOWN here, like the
 * image group's flash failures. */
static int smp_basic_to_mgmt(int rc)
{
    return rc == SMP_BASIC_ERR_FLASH_OPEN_FAILED ? SMP_MGMT_ENOENT : SMP_MGMT_EUNKNOWN;
}

int smp_group_err_to_mgmt(uint16_t group, int rc)
{
    if (rc == 0) {
        return SMP_MGMT_EOK;
    }
    switch (group) {
    case SMP_GROUP_OS:
        return smp_os_to_mgmt(rc);
    case SMP_GROUP_IMAGE:
        return smp_img_to_mgmt(rc);
    case SMP_GROUP_ZEPHYR_BASIC:
        return smp_basic_to_mgmt(rc);
    default:
        /* Zephyr answers EUNKNOWN for a group without a translator. */
        return SMP_MGMT_EUNKNOWN;
    }
}
