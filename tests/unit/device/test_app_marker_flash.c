/*
 * The behaviour marker searched in a flash area, also where it straddles
 * two reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "device/app_marker_flash.h"

/* A RAM flash device for the flash search. */
static uint8_t ram[8192];

static int ram_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    memcpy(buf, ram + addr, len);
    return 0;
}

static int ram_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    memcpy(ram + addr, buf, len);
    return 0;
}

static int ram_erase(void *ctx, uint32_t addr, uint32_t len)
{
    (void)ctx;
    memset(ram + addr, 0xff, len);
    return 0;
}

static const struct flash_ops ram_ops = { ram_read, ram_write, ram_erase };

static void test_in_flash_every_offset_near_chunk_edge(void **state)
{
    (void)state;
    struct flash_dev dev = { .ops = &ram_ops, .size = sizeof(ram), .write_block = 1,
                             .erase_value = 0xff, .uniform_sector_size = 4096 };
    struct flash_area fa = { .id = 0, .name = "t", .dev = &dev, .off = 0, .size = sizeof(ram) };
    uint8_t marker[64];
    struct app_payload_opts o = { .behaviour = APP_BEHAVIOUR_NO_CONFIRM };
    assert_int_equal(app_payload_write(marker, sizeof(marker), &o), 0);
    /* The search starts at 0x200 (an image header's size); the reads are
     * 1 KiB, so markers around 0x200 + 1024 - 31 cross a read boundary. */
    for (uint32_t at = 0x200 + 1024 - 40; at <= 0x200 + 1024 + 8; at++) {
        memset(ram, 0x00, sizeof(ram));
        memcpy(ram + at, marker, 32);
        enum app_behaviour b = APP_BEHAVIOUR_FAIL;
        assert_int_equal(app_marker_find_in_flash(&fa, 0x200, 4096, &b), 0);
        assert_int_equal(b, APP_BEHAVIOUR_NO_CONFIRM);
    }
    memset(ram, 0x00, sizeof(ram));
    memcpy(ram + 0x100, marker, 32);
    enum app_behaviour b;
    assert_int_equal(app_marker_find_in_flash(&fa, 0x200, 4096, &b), APP_MARKER_ENOTFOUND);
    /* The range end cuts the marker: not found. */
    memcpy(ram + 0x200 + 4096 - 16, marker, 32);
    assert_int_equal(app_marker_find_in_flash(&fa, 0x200, 4096, &b), APP_MARKER_ENOTFOUND);
    assert_int_equal(app_marker_find_in_flash(&fa, 0x200, 4096 + 16, &b), 0);
    /* A read failure is reported, not taken for "no marker". */
    memset(ram, 0x00, sizeof(ram));
    assert_int_equal(app_marker_find_in_flash(&fa, 0x200, sizeof(ram), &b), APP_MARKER_EFLASH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_flash_every_offset_near_chunk_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
