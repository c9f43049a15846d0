/*
 * pm_static.yml: a full NCS partition map, and each way a map can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "device/pm_static.h"

static char err[256];

static int parse(const char *yaml, struct layout *lo)
{
    memset(err, 0, sizeof(err));
    return pm_static_parse(yaml, strlen(yaml), NULL, lo, err, sizeof(err));
}

static void test_ncs_file(void **state)
{
    (void)state;
    struct layout lo;
    int rc = pm_static_load(SMPDFU_SOURCE_DIR "/tests/unit/device/data/pm_static_nrf52840_b0.yml",
                            NULL, &lo, err, sizeof(err));
    assert_int_equal(rc, 0);
    /* sram_primary is not flash: left out; the other 16 are in. */
    assert_int_equal(lo.area_count, 16);
    assert_int_equal(layout_find(&lo, "sram_primary"), -1);
    assert_int_equal(lo.geo.flash_size, 0x100000);
    assert_int_equal(lo.pair_count, 1);
    const struct layout_area *p = &lo.areas[lo.pairs[0].primary];
    const struct layout_area *s = &lo.areas[lo.pairs[0].secondary];
    assert_string_equal(p->name, "mcuboot_primary");
    assert_int_equal(p->off, 0x22000);
    assert_int_equal(p->size, 0x6e000);
    assert_true(p->container);
    assert_int_equal(s->off, 0x90000);
    assert_int_equal(s->size, 0x6e000);
    assert_false(s->container);
    assert_string_equal(lo.areas[lo.storage].name, "settings_storage");
    assert_int_equal(lo.areas[lo.storage].off, 0xfe000);
    assert_string_equal(lo.areas[lo.first_stage].name, "b0");
    /* The built-in layout carries the same slots. */
    struct layout b;
    assert_int_equal(layout_builtin("nrf52840", &b), 0);
    assert_int_equal(b.areas[b.pairs[0].primary].off, p->off);
    assert_int_equal(b.areas[b.pairs[0].secondary].size, s->size);
}

static void test_minimal_decimal_and_geometry(void **state)
{
    (void)state;
    struct layout lo;
    struct layout_geometry g = { .flash_size = 0x80000, .sector_size = 0x800, .write_block = 8,
                                 .erase_value = 0xff };
    const char *y = "mcuboot_primary: {address: 65536, size: 0x20000}\n"
                    "mcuboot_secondary: {address: 0x30000, end_address: 0x50000}\n"
                    "storage: {address: 0x7f800, size: 0x800}\n";
    assert_int_equal(pm_static_parse(y, strlen(y), &g, &lo, err, sizeof(err)), 0);
    assert_int_equal(lo.geo.sector_size, 0x800);
    assert_int_equal(lo.areas[lo.pairs[0].primary].off, 0x10000);
    assert_int_equal(lo.areas[lo.pairs[0].secondary].size, 0x20000);
    assert_string_equal(lo.areas[lo.storage].name, "storage");
    assert_int_equal(lo.first_stage, -1);
}

static void test_bad_yaml(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(parse("mcuboot_primary:\n  address: [0x1000\n  size: 0x1000\n", &lo),
                     LAYOUT_EPARSE);
    assert_non_null(strstr(err, "bad YAML at line"));
    assert_int_equal(parse("", &lo), LAYOUT_EPARSE);
    assert_non_null(strstr(err, "no partitions"));
    assert_int_equal(parse("- a\n- b\n", &lo), LAYOUT_EPARSE);
    assert_non_null(strstr(err, "top level"));
    assert_int_equal(parse("mcuboot_primary: 12\n", &lo), LAYOUT_EPARSE);
    assert_non_null(strstr(err, "not a mapping"));
    assert_int_equal(parse("mcuboot_primary: {address: 0x1g000, size: 0x1000}\n", &lo),
                     LAYOUT_EPARSE);
    assert_non_null(strstr(err, "mcuboot_primary.address"));
    assert_int_equal(parse("mcuboot_primary: {address: 0x100000000, size: 0x1000}\n", &lo),
                     LAYOUT_EPARSE);
    assert_int_equal(parse("mcuboot_primary: {address: -4096, size: 0x1000}\n", &lo),
                     LAYOUT_EPARSE);
    assert_int_equal(parse("mcuboot_primary: {size: 0x1000}\n", &lo), LAYOUT_EPARSE);
    assert_non_null(strstr(err, "no address"));
    assert_int_equal(parse("mcuboot_primary: {address: 0x1000}\n", &lo), LAYOUT_EPARSE);
    assert_non_null(strstr(err, "neither size nor end_address"));
    assert_int_equal(
        parse("mcuboot_primary: {address: 0x1000, size: 0x1000, end_address: 0x3000}\n", &lo),
        LAYOUT_EPARSE);
    assert_non_null(strstr(err, "disagrees"));
    assert_int_equal(parse("a: {address: 0x1000, size: 0x1000}\n"
                           "a: {address: 0x3000, size: 0x1000}\n",
                           &lo),
                     LAYOUT_EPARSE);
    assert_non_null(strstr(err, "twice"));
    assert_int_equal(parse("mcuboot_primary: {address: 0x10000, size: 0x10000}\n"
                           "mcuboot_secondary: {address: 0x0, size: 0x10000, "
                           "region: external_flash}\n",
                           &lo),
                     LAYOUT_EPARSE);
    assert_non_null(strstr(err, "external_flash"));
}

static void test_overlap(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(parse("mcuboot: {address: 0x0, size: 0xc000}\n"
                           "mcuboot_primary: {address: 0xb000, size: 0x10000}\n"
                           "mcuboot_secondary: {address: 0x20000, size: 0x10000}\n",
                           &lo),
                     LAYOUT_EOVERLAP);
    assert_non_null(strstr(err, "mcuboot (0x0..0xc000) overlaps mcuboot_primary"));
}

static void test_missing_partitions(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(parse("mcuboot: {address: 0x0, size: 0xc000}\n", &lo), LAYOUT_ENOPAIR);
    assert_non_null(strstr(err, "no mcuboot_primary and no mcuboot_secondary"));
    assert_int_equal(parse("mcuboot_primary: {address: 0x10000, size: 0x10000}\n", &lo),
                     LAYOUT_ENOPAIR);
    assert_non_null(strstr(err, "mcuboot_secondary"));
    assert_int_equal(parse("mcuboot_primary: {address: 0x10000, size: 0x10000}\n"
                           "mcuboot_secondary: {address: 0x20000, size: 0x10000}\n"
                           "mcuboot_secondary_1: {address: 0x30000, size: 0x10000}\n",
                           &lo),
                     LAYOUT_ENOPAIR);
    assert_non_null(strstr(err, "mcuboot_primary_1"));
}

static void test_out_of_flash(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(parse("mcuboot_primary: {address: 0x10000, size: 0x10000}\n"
                           "mcuboot_secondary: {address: 0xf8000, size: 0x10000}\n",
                           &lo),
                     LAYOUT_ERANGE);
    assert_non_null(strstr(err, "outside the 0x100000-byte flash"));
}

static void test_missing_file(void **state)
{
    (void)state;
    struct layout lo;
    assert_int_equal(pm_static_load("/nonexistent/pm_static.yml", NULL, &lo, err, sizeof(err)),
                     LAYOUT_EIO);
    assert_non_null(strstr(err, "/nonexistent/pm_static.yml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ncs_file),
        cmocka_unit_test(test_minimal_decimal_and_geometry),
        cmocka_unit_test(test_bad_yaml),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_missing_partitions),
        cmocka_unit_test(test_out_of_flash),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
