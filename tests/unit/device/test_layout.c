/*
 * Built-in partition layouts and the checks every layout goes through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "device/layout.h"

static const struct layout_area *area(const struct layout *lo, const char *name)
{
    int i = layout_find(lo, name);
    assert_true(i >= 0);
    return &lo->areas[i];
}

static void expect_area(const struct layout *lo, const char *name, uint32_t off, uint32_t size)
{
    const struct layout_area *a = area(lo, name);
    assert_int_equal(a->off, off);
    assert_int_equal(a->size, size);
}

static void test_nrf52840_b0(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(layout_builtin("nrf52840", &lo), 0);
    assert_int_equal(lo.geo.flash_size, 0x100000);
    assert_int_equal(lo.geo.sector_size, 0x1000);
    assert_int_equal(lo.geo.write_block, 4);
    assert_int_equal(lo.geo.erase_value, 0xff);
    assert_int_equal(lo.area_count, 7);
    expect_area(&lo, "b0", 0x0, 0x7000);
    expect_area(&lo, "provision", 0x7000, 0x1000);
    expect_area(&lo, "s0", 0x8000, 0xc200);
    expect_area(&lo, "s1", 0x15000, 0xc200);
    expect_area(&lo, "mcuboot_primary", 0x22000, 0x6e000);
    expect_area(&lo, "mcuboot_secondary", 0x90000, 0x6e000);
    expect_area(&lo, "settings_storage", 0xfe000, 0x2000);
    assert_int_equal(lo.pair_count, 1);
    assert_string_equal(lo.areas[lo.pairs[0].primary].name, "mcuboot_primary");
    assert_string_equal(lo.areas[lo.pairs[0].secondary].name, "mcuboot_secondary");
    assert_string_equal(lo.areas[lo.storage].name, "settings_storage");
    assert_string_equal(lo.areas[lo.first_stage].name, "b0");
    /* ids follow addresses */
    for (size_t i = 0; i < lo.area_count; i++) {
        assert_int_equal(lo.areas[i].id, i);
        if (i > 0) {
            assert_true(lo.areas[i - 1].off < lo.areas[i].off);
        }
    }
}

static void test_nrf52840_mcuboot(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(layout_builtin("nrf52840-mcuboot", &lo), 0);
    assert_int_equal(lo.area_count, 4);
    expect_area(&lo, "mcuboot", 0x0, 0xc000);
    expect_area(&lo, "mcuboot_primary", 0xc000, 0x79000);
    expect_area(&lo, "mcuboot_secondary", 0x85000, 0x79000);
    expect_area(&lo, "settings_storage", 0xfe000, 0x2000);
    assert_int_equal(lo.first_stage, -1);
    assert_int_equal(lo.pair_count, 1);
}

static void test_nrf52840_scratch(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(layout_builtin("nrf52840-scratch", &lo), 0);
    assert_int_equal(lo.area_count, 5);
    expect_area(&lo, "mcuboot_primary", 0xc000, 0x76000);
    expect_area(&lo, "mcuboot_secondary", 0x82000, 0x76000);
    expect_area(&lo, "mcuboot_scratch", 0xf8000, 0x2000);
    expect_area(&lo, "storage", 0xfa000, 0x6000);
    assert_string_equal(lo.areas[lo.storage].name, "storage");
    assert_int_equal(lo.first_stage, -1);
    assert_int_equal(lo.pair_count, 1);
}

static void test_nrf5340_two_pairs(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(layout_builtin("nrf5340", &lo), 0);
    assert_int_equal(lo.geo.flash_size, 0x140000);
    assert_int_equal(lo.pair_count, 2);
    assert_string_equal(lo.areas[lo.pairs[1].primary].name, "mcuboot_primary_1");
    assert_string_equal(lo.areas[lo.pairs[1].secondary].name, "mcuboot_secondary_1");
    expect_area(&lo, "mcuboot_primary_1", 0x100000, 0x40000);
    expect_area(&lo, "mcuboot_secondary_1", 0xbe000, 0x40000);
    expect_area(&lo, "mcuboot_primary", 0x10000, 0x57000);
}

static void test_unknown_name(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(layout_builtin("nrf9160-but-not-really", &lo), LAYOUT_EINVAL);
    const char *const *names = layout_builtin_names();
    size_t n = 0;
    while (names[n]) {
        assert_int_equal(layout_builtin(names[n], &lo), 0);
        n++;
    }
    assert_int_equal(n, 4);
}

static void base(struct layout *lo)
{
    struct layout_geometry g = layout_geometry_nrf52840();
    assert_int_equal(layout_init(lo, "t", &g), 0);
}

static void test_checks(void **state)
{
    (void)state;
    struct layout lo;
    char err[160];

    base(&lo);
    assert_int_equal(layout_add_area(&lo, "mcuboot_primary", 0x10000, 0x10000, false), 0);
    assert_int_equal(layout_finish(&lo, err, sizeof(err)), LAYOUT_ENOPAIR);
    assert_non_null(strstr(err, "mcuboot_secondary"));

    base(&lo);
    layout_add_area(&lo, "mcuboot_primary", 0x10000, 0x10000, false);
    layout_add_area(&lo, "mcuboot_secondary", 0x18000, 0x10000, false);
    assert_int_equal(layout_finish(&lo, err, sizeof(err)), LAYOUT_EOVERLAP);
    assert_non_null(strstr(err, "overlaps"));

    base(&lo);
    layout_add_area(&lo, "mcuboot_primary", 0x10000, 0x10000, false);
    layout_add_area(&lo, "mcuboot_secondary", 0xf8000, 0x10000, false);
    assert_int_equal(layout_finish(&lo, err, sizeof(err)), LAYOUT_ERANGE);
    assert_non_null(strstr(err, "outside"));

    base(&lo);
    layout_add_area(&lo, "mcuboot_primary", 0x10200, 0x10000, false);
    layout_add_area(&lo, "mcuboot_secondary", 0x30000, 0x10000, false);
    assert_int_equal(layout_finish(&lo, err, sizeof(err)), LAYOUT_EALIGN);

    /* A container may cover other areas; an image pair still may not. */
    base(&lo);
    layout_add_area(&lo, "mcuboot_pad", 0x10000, 0x200, false);
    layout_add_area(&lo, "app", 0x10200, 0xfe00, false);
    layout_add_area(&lo, "mcuboot_primary", 0x10000, 0x10000, true);
    layout_add_area(&lo, "mcuboot_secondary", 0x20000, 0x10000, false);
    assert_int_equal(layout_finish(&lo, err, sizeof(err)), 0);
    assert_int_equal(lo.storage, -1);

    base(&lo);
    layout_add_area(&lo, "mcuboot_primary", 0x10000, 0x10000, true);
    layout_add_area(&lo, "mcuboot_secondary", 0x18000, 0x10000, false);
    assert_int_equal(layout_finish(&lo, err, sizeof(err)), LAYOUT_EOVERLAP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nrf52840_b0),
        cmocka_unit_test(test_nrf52840_mcuboot),
        cmocka_unit_test(test_nrf52840_scratch),
        cmocka_unit_test(test_nrf5340_two_pairs),
        cmocka_unit_test(test_unknown_name),
        cmocka_unit_test(test_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
