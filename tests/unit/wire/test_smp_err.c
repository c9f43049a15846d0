/*
 * Result-code tables: every code of every enum has an upstream name and a
 * hint; codes outside the enums have none; the v2 -> v1 translation matches
 * Zephyr's per-group functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/smp_err.h"
#include "wire/smp_header.h"

static void expect_info(const struct smp_err_info *info, const char *prefix)
{
    assert_non_null(info);
    assert_non_null(info->name);
    assert_non_null(info->hint);
    assert_true(strncmp(info->name, prefix, strlen(prefix)) == 0);
    assert_true(strlen(info->hint) > 5);
    assert_null(strchr(info->hint, '\n'));
}

static void test_mgmt_names(void **state)
{
    (void)state;
    for (int rc = SMP_MGMT_EOK; rc <= SMP_MGMT_EUNSUPPORTED_TOO_NEW; rc++) {
        expect_info(smp_mgmt_err_info(rc), "MGMT_ERR_");
    }
    expect_info(smp_mgmt_err_info(SMP_MGMT_EPERUSER), "MGMT_ERR_EPERUSER");
    assert_string_equal(smp_mgmt_err_info(SMP_MGMT_ENOTSUP)->name, "MGMT_ERR_ENOTSUP");
    assert_string_equal(smp_mgmt_err_info(SMP_MGMT_EUNSUPPORTED_TOO_NEW)->name,
                        "MGMT_ERR_UNSUPPORTED_TOO_NEW");
    assert_null(smp_mgmt_err_info(-1));
    assert_null(smp_mgmt_err_info(SMP_MGMT_EUNSUPPORTED_TOO_NEW + 1));
    assert_null(smp_mgmt_err_info(255));
    assert_null(smp_mgmt_err_info(257));
}

static void test_group_names(void **state)
{
    (void)state;
    for (int rc = SMP_OS_ERR_OK; rc <= SMP_OS_ERR_HEAP_STATS_FETCH_FAILED; rc++) {
        expect_info(smp_group_err_info(SMP_GROUP_OS, rc), "OS_MGMT_ERR_");
    }
    for (int rc = SMP_IMG_ERR_OK; rc <= SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN; rc++) {
        expect_info(smp_group_err_info(SMP_GROUP_IMAGE, rc), "IMG_MGMT_ERR_");
    }
    for (int rc = SMP_BASIC_ERR_OK; rc <= SMP_BASIC_ERR_FLASH_ERASE_FAILED; rc++) {
        expect_info(smp_group_err_info(SMP_GROUP_ZEPHYR_BASIC, rc), "ZEPHYRBASIC_MGMT_ERR_");
    }
    assert_string_equal(smp_group_err_info(SMP_GROUP_IMAGE, SMP_IMG_ERR_HASH_NOT_FOUND)->name,
                        "IMG_MGMT_ERR_HASH_NOT_FOUND");
    assert_string_equal(smp_group_err_info(SMP_GROUP_IMAGE, 34)->name,
                        "IMG_MGMT_ERR_ACTIVE_SLOT_NOT_KNOWN");
    assert_string_equal(smp_group_err_info(SMP_GROUP_OS, 4)->name, "OS_MGMT_ERR_RTC_NOT_SET");
    assert_string_equal(smp_group_err_info(SMP_GROUP_ZEPHYR_BASIC, 4)->name,
                        "ZEPHYRBASIC_MGMT_ERR_FLASH_ERASE_FAILED");

    assert_null(smp_group_err_info(SMP_GROUP_OS, SMP_OS_ERR_HEAP_STATS_FETCH_FAILED + 1));
    assert_null(smp_group_err_info(SMP_GROUP_IMAGE, SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN + 1));
    assert_null(smp_group_err_info(SMP_GROUP_ZEPHYR_BASIC, SMP_BASIC_ERR_FLASH_ERASE_FAILED + 1));
    assert_null(smp_group_err_info(SMP_GROUP_IMAGE, -1));
    assert_null(smp_group_err_info(SMP_GROUP_STAT, 0));
    assert_null(smp_group_err_info(SMP_GROUP_PERUSER, 1));
}

/* Names are unique within a table. */
static void test_names_unique(void **state)
{
    (void)state;
    for (int a = 0; a <= SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN; a++) {
        for (int b = a + 1; b <= SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN; b++) {
            assert_string_not_equal(smp_group_err_info(SMP_GROUP_IMAGE, a)->name,
                                    smp_group_err_info(SMP_GROUP_IMAGE, b)->name);
        }
    }
    for (int a = 0; a <= SMP_MGMT_EUNSUPPORTED_TOO_NEW; a++) {
        for (int b = a + 1; b <= SMP_MGMT_EUNSUPPORTED_TOO_NEW; b++) {
            assert_string_not_equal(smp_mgmt_err_info(a)->name, smp_mgmt_err_info(b)->name);
        }
    }
}

static void test_img_translation(void **state)
{
    (void)state;
    /* img_mgmt_translate_error_code, code by code. */
    static const int want[] = {
        [SMP_IMG_ERR_OK] = SMP_MGMT_EOK,
        [SMP_IMG_ERR_UNKNOWN] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_FLASH_CONFIG_QUERY_FAIL] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_NO_IMAGE] = SMP_MGMT_ENOENT,
        [SMP_IMG_ERR_NO_TLVS] = SMP_MGMT_ENOENT,
        [SMP_IMG_ERR_INVALID_TLV] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_TLV_MULTIPLE_HASHES_FOUND] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_TLV_INVALID_SIZE] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_HASH_NOT_FOUND] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_NO_FREE_SLOT] = SMP_MGMT_EBADSTATE,
        [SMP_IMG_ERR_FLASH_OPEN_FAILED] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_FLASH_READ_FAILED] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_FLASH_WRITE_FAILED] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_FLASH_ERASE_FAILED] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_INVALID_SLOT] = SMP_MGMT_EINVAL,
        [SMP_IMG_ERR_NO_FREE_MEMORY] = SMP_MGMT_ENOMEM,
        [SMP_IMG_ERR_FLASH_CONTEXT_ALREADY_SET] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_FLASH_CONTEXT_NOT_SET] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_FLASH_AREA_DEVICE_NULL] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_INVALID_PAGE_OFFSET] = SMP_MGMT_EINVAL,
        [SMP_IMG_ERR_INVALID_OFFSET] = SMP_MGMT_EINVAL,
        [SMP_IMG_ERR_INVALID_LENGTH] = SMP_MGMT_EINVAL,
        [SMP_IMG_ERR_INVALID_IMAGE_HEADER] = SMP_MGMT_EINVAL,
        [SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_INVALID_HASH] = SMP_MGMT_EINVAL,
        [SMP_IMG_ERR_INVALID_FLASH_ADDRESS] = SMP_MGMT_EINVAL,
        [SMP_IMG_ERR_VERSION_GET_FAILED] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER] = SMP_MGMT_EBADSTATE,
        [SMP_IMG_ERR_IMAGE_ALREADY_PENDING] = SMP_MGMT_EBADSTATE,
        [SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED] = SMP_MGMT_EUNKNOWN,
        [SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN] = SMP_MGMT_EUNKNOWN,
    };
    assert_int_equal(sizeof(want) / sizeof(want[0]), SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN + 1);
    for (int rc = 0; rc <= SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN; rc++) {
        assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_IMAGE, rc), want[rc]);
    }
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_IMAGE, 200), SMP_MGMT_EUNKNOWN);
}

static void test_os_translation(void **state)
{
    (void)state;
    static const int want[] = {
        [SMP_OS_ERR_OK] = SMP_MGMT_EOK,
        [SMP_OS_ERR_UNKNOWN] = SMP_MGMT_EUNKNOWN,
        [SMP_OS_ERR_INVALID_FORMAT] = SMP_MGMT_EINVAL,
        [SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER] = SMP_MGMT_ENOENT,
        [SMP_OS_ERR_RTC_NOT_SET] = SMP_MGMT_ENOENT,
        [SMP_OS_ERR_RTC_COMMAND_FAILED] = SMP_MGMT_EUNKNOWN,
        [SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID] = SMP_MGMT_EUNKNOWN,
        [SMP_OS_ERR_HEAP_STATS_FETCH_FAILED] = SMP_MGMT_EUNKNOWN,
    };
    for (int rc = 0; rc <= SMP_OS_ERR_HEAP_STATS_FETCH_FAILED; rc++) {
        assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_OS, rc), want[rc]);
    }
}

static void test_basic_translation(void **state)
{
    (void)state;
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_ZEPHYR_BASIC, 0), SMP_MGMT_EOK);
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_ZEPHYR_BASIC, 1), SMP_MGMT_EUNKNOWN);
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_ZEPHYR_BASIC, 2), SMP_MGMT_ENOENT);
    /* A failure is never reported as success (Zephyr says EOK here). */
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_ZEPHYR_BASIC, 3), SMP_MGMT_EUNKNOWN);
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_ZEPHYR_BASIC, 4), SMP_MGMT_EUNKNOWN);
}

static void test_untranslated_groups(void **state)
{
    (void)state;
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_STAT, 2), SMP_MGMT_EUNKNOWN);
    assert_int_equal(smp_group_err_to_mgmt(SMP_GROUP_PERUSER, 7), SMP_MGMT_EUNKNOWN);
    /* Whatever the group, a non-zero code never becomes success. */
    for (unsigned g = 0; g < 70; g++) {
        for (int rc = 1; rc < 40; rc++) {
            assert_int_not_equal(smp_group_err_to_mgmt((uint16_t)g, rc), SMP_MGMT_EOK);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mgmt_names),
        cmocka_unit_test(test_group_names),
        cmocka_unit_test(test_names_unique),
        cmocka_unit_test(test_img_translation),
        cmocka_unit_test(test_os_translation),
        cmocka_unit_test(test_basic_translation),
        cmocka_unit_test(test_untranslated_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
