/*
 * The flash-area API over a recording RAM device: bounds, alignment,
 * sector maps, is_erased, and that refused requests never reach the ops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flash/flash_area.h"

#define MEM_SIZE 0x20000u
#define MAX_CALLS 64

struct call {
    char op; /* 'r', 'w', 'e' */
    uint32_t addr;
    uint32_t len;
};

/* A RAM device that logs every call and fails the test on arguments the
 * API promised never to pass. */
struct mock {
    struct flash_dev dev;
    uint8_t mem[MEM_SIZE];
    struct call calls[MAX_CALLS];
    size_t ncalls;
    int read_rc; /* returned by read instead of reading, if non-zero */
    int write_rc;
};

static void log_call(struct mock *m, char op, uint32_t addr, size_t len)
{
    assert_true(len > 0);
    assert_true(addr <= m->dev.size && len <= m->dev.size - addr);
    /* Only the first calls are kept; all are counted. */
    if (m->ncalls < MAX_CALLS) {
        m->calls[m->ncalls] = (struct call){ op, addr, (uint32_t)len };
    }
    m->ncalls++;
}

static int mock_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    struct mock *m = ctx;
    log_call(m, 'r', addr, len);
    if (m->read_rc) {
        return m->read_rc;
    }
    memcpy(buf, m->mem + addr, len);
    return 0;
}

static int mock_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    struct mock *m = ctx;
    log_call(m, 'w', addr, len);
    assert_int_equal(addr % m->dev.write_block, 0);
    assert_int_equal(len % m->dev.write_block, 0);
    if (m->write_rc) {
        return m->write_rc;
    }
    memcpy(m->mem + addr, buf, len);
    return 0;
}

/* Erase must be exactly one sector of the map. */
static int mock_erase(void *ctx, uint32_t addr, uint32_t len)
{
    struct mock *m = ctx;
    log_call(m, 'e', addr, len);
    if (m->dev.sectors) {
        bool found = false;
        for (size_t i = 0; i < m->dev.sector_count; i++) {
            found |= m->dev.sectors[i].off == addr && m->dev.sectors[i].size == len;
        }
        assert_true(found);
    } else {
        assert_int_equal(addr % m->dev.uniform_sector_size, 0);
        assert_int_equal(len, m->dev.uniform_sector_size);
    }
    memset(m->mem + addr, m->dev.erase_value, len);
    return 0;
}

static const struct flash_ops mock_ops = { mock_read, mock_write, mock_erase };

static struct mock mock;

static struct mock *mock_uniform(uint32_t sector_size, uint8_t write_block, uint8_t erase_value)
{
    memset(&mock, 0, sizeof(mock));
    mock.dev = (struct flash_dev){ .ops = &mock_ops,
                                   .ctx = &mock,
                                   .size = MEM_SIZE,
                                   .write_block = write_block,
                                   .erase_value = erase_value,
                                   .uniform_sector_size = sector_size };
    memset(mock.mem, erase_value, sizeof(mock.mem));
    return &mock;
}

/* Like an STM32F4 bank, scaled down: 4 x 4 KiB, 16 KiB, 2 x 32 KiB, and a
 * 16 KiB sector followed by a gap of 16 KiB the map does not cover. */
static const struct flash_sector mixed_map[] = {
    { 0x00000, 0x1000 }, { 0x01000, 0x1000 }, { 0x02000, 0x1000 }, { 0x03000, 0x1000 },
    { 0x04000, 0x4000 }, { 0x08000, 0x8000 }, { 0x10000, 0x8000 }, { 0x18000, 0x4000 },
};

static struct mock *mock_mixed(void)
{
    struct mock *m = mock_uniform(0, 4, 0xff);
    m->dev.sectors = mixed_map;
    m->dev.sector_count = sizeof(mixed_map) / sizeof(mixed_map[0]);
    return m;
}

static struct flash_area area(const struct mock *m, uint32_t off, uint32_t size)
{
    return (struct flash_area){ .id = 1, .name = "slot", .dev = &m->dev, .off = off, .size = size };
}

static void test_read_bounds(void **state)
{
    (void)state;
    struct mock *m = mock_uniform(0x1000, 4, 0xff);
    for (uint32_t i = 0; i < MEM_SIZE; i++) {
        m->mem[i] = (uint8_t)(i * 7);
    }
    struct flash_area fa = area(m, 0x2000, 0x1000);
    uint8_t buf[16];
    assert_int_equal(flash_area_read(&fa, 0x1000 - 16, buf, 16), 0);
    assert_memory_equal(buf, m->mem + 0x3000 - 16, 16);
    /* Odd offsets and lengths are fine for reads. */
    assert_int_equal(flash_area_read(&fa, 3, buf, 5), 0);
    assert_memory_equal(buf, m->mem + 0x2003, 5);
    assert_int_equal(flash_area_read(&fa, 0x1000, buf, 0), 0);
    size_t before = m->ncalls;
    assert_int_equal(flash_area_read(&fa, 0x1000 - 15, buf, 16), FLASH_ERANGE);
    assert_int_equal(flash_area_read(&fa, 0x1001, buf, 0), FLASH_ERANGE);
    assert_int_equal(flash_area_read(&fa, UINT32_MAX, buf, 2), FLASH_ERANGE);
    assert_int_equal(flash_area_read(&fa, 8, buf, SIZE_MAX), FLASH_ERANGE);
    assert_int_equal(flash_area_read(&fa, 0, NULL, 4), FLASH_EINVAL);
    assert_int_equal(m->ncalls, before);
}

static void test_bad_areas_and_devices(void **state)
{
    (void)state;
    struct mock *m = mock_uniform(0x1000, 4, 0xff);
    uint8_t buf[4];
    assert_int_equal(flash_area_read(NULL, 0, buf, 4), FLASH_EINVAL);
    struct flash_area fa = area(m, 0, 0);
    assert_int_equal(flash_area_read(&fa, 0, buf, 4), FLASH_EINVAL);
    fa = area(m, MEM_SIZE - 0x1000, 0x1001);
    assert_int_equal(flash_area_read(&fa, 0, buf, 4), FLASH_EINVAL);
    /* off + size wraps around 32 bits. */
    fa = area(m, 0xffffff00u, 0x200);
    assert_int_equal(flash_area_read(&fa, 0, buf, 4), FLASH_EINVAL);
    fa = area(m, 0, 0x1000);
    fa.dev = NULL;
    assert_int_equal(flash_area_read(&fa, 0, buf, 4), FLASH_EINVAL);
    assert_int_equal(flash_area_sector_count(&fa), FLASH_EINVAL);
    fa = area(m, 0, 0x1000);
    const uint8_t bad_blocks[] = { 0, 3, 12, 64 };
    for (size_t i = 0; i < sizeof(bad_blocks); i++) {
        m->dev.write_block = bad_blocks[i];
        assert_int_equal(flash_area_write(&fa, 0, buf, 4), FLASH_EINVAL);
    }
    m->dev.write_block = 4;
    m->dev.uniform_sector_size = 0;
    assert_int_equal(flash_area_erase(&fa, 0, 0x1000), FLASH_EINVAL);
    assert_int_equal(m->ncalls, 0);
}

static void test_write_alignment(void **state)
{
    (void)state;
    struct mock *m = mock_uniform(0x1000, 8, 0xff);
    /* The area starts 4 bytes into a block: alignment is about device
     * offsets, so area offset 4 is the first aligned one. */
    struct flash_area fa = area(m, 0x1004, 0x1000 - 4);
    const uint8_t data[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    assert_int_equal(flash_area_write(&fa, 0, data, 8), FLASH_EALIGN);
    assert_int_equal(flash_area_write(&fa, 4, data, 12), FLASH_EALIGN);
    assert_int_equal(flash_area_write(&fa, 4, data, 7), FLASH_EALIGN);
    assert_int_equal(flash_area_write(&fa, 8, data, 8), FLASH_EALIGN);
    assert_int_equal(m->ncalls, 0);
    assert_int_equal(flash_area_write(&fa, 4, data, 16), 0);
    assert_int_equal(m->ncalls, 1);
    assert_int_equal(m->calls[0].addr, 0x1008);
    assert_memory_equal(m->mem + 0x1008, data, 16);
    /* The last block of the area, then one past it. */
    assert_int_equal(flash_area_write(&fa, 0x1000 - 4 - 8, data, 8), 0);
    assert_int_equal(flash_area_write(&fa, 0x1000 - 4, data, 8), FLASH_ERANGE);
    assert_int_equal(flash_area_write(&fa, 0x1000 - 4 - 8, data, 16), FLASH_ERANGE);
    assert_int_equal(flash_area_write(&fa, 4, NULL, 8), FLASH_EINVAL);
    assert_int_equal(flash_area_align(&fa), 8);
    assert_int_equal(flash_area_erased_val(&fa), 0xff);
    assert_int_equal(flash_area_align(NULL), 0);
}

static void test_op_errors_are_reported(void **state)
{
    (void)state;
    struct mock *m = mock_uniform(0x1000, 4, 0xff);
    struct flash_area fa = area(m, 0, 0x4000);
    uint8_t buf[4] = { 0 };
    m->read_rc = -77;
    assert_int_equal(flash_area_read(&fa, 0, buf, 4), FLASH_EIO);
    assert_int_equal(flash_area_is_erased(&fa, 0, 64), FLASH_EIO);
    m->read_rc = FLASH_EPOWER;
    assert_int_equal(flash_area_read(&fa, 0, buf, 4), FLASH_EPOWER);
    m->write_rc = 1;
    assert_int_equal(flash_area_write(&fa, 0, buf, 4), FLASH_EIO);
    m->write_rc = FLASH_ENOTERASED;
    assert_int_equal(flash_area_write(&fa, 0, buf, 4), FLASH_ENOTERASED);
}

static void test_erase_uniform(void **state)
{
    (void)state;
    struct mock *m = mock_uniform(0x1000, 4, 0xff);
    memset(m->mem, 0xa5, sizeof(m->mem));
    struct flash_area fa = area(m, 0x2000, 0x4000);
    assert_int_equal(flash_area_erase(&fa, 0x1000, 0x2000), 0);
    assert_int_equal(m->ncalls, 2);
    assert_int_equal(m->calls[0].addr, 0x3000);
    assert_int_equal(m->calls[1].addr, 0x4000);
    assert_int_equal(m->mem[0x2fff], 0xa5);
    assert_int_equal(m->mem[0x3000], 0xff);
    assert_int_equal(m->mem[0x4fff], 0xff);
    assert_int_equal(m->mem[0x5000], 0xa5);
    /* Refusals happen before the first sector is erased. */
    m->ncalls = 0;
    assert_int_equal(flash_area_erase(&fa, 0x800, 0x1000), FLASH_EALIGN);
    assert_int_equal(flash_area_erase(&fa, 0, 0x1800), FLASH_EALIGN);
    assert_int_equal(flash_area_erase(&fa, 0, 0x3fff), FLASH_EALIGN);
    assert_int_equal(flash_area_erase(&fa, 0x3000, 0x2000), FLASH_ERANGE);
    assert_int_equal(flash_area_erase(&fa, 0x1000, UINT32_MAX), FLASH_ERANGE);
    assert_int_equal(flash_area_erase(&fa, 0x4000, 0), 0);
    assert_int_equal(m->ncalls, 0);
    /* The whole area. */
    assert_int_equal(flash_area_erase(&fa, 0, 0x4000), 0);
    assert_int_equal(m->ncalls, 4);
}

static void test_sectors_uniform(void **state)
{
    (void)state;
    struct mock *m = mock_uniform(0x1000, 4, 0xff);
    struct flash_area fa = area(m, 0x3000, 0x5000);
    assert_int_equal(flash_area_sector_count(&fa), 5);
    struct flash_sector s;
    assert_int_equal(flash_area_sector(&fa, 0, &s), 0);
    assert_int_equal(s.off, 0);
    assert_int_equal(s.size, 0x1000);
    assert_int_equal(flash_area_sector(&fa, 4, &s), 0);
    assert_int_equal(s.off, 0x4000);
    assert_int_equal(flash_area_sector(&fa, 5, &s), FLASH_ERANGE);
    assert_int_equal(flash_area_sector(&fa, SIZE_MAX, &s), FLASH_ERANGE);
    assert_int_equal(flash_area_sector_at(&fa, 0x2fff, &s), 0);
    assert_int_equal(s.off, 0x2000);
    assert_int_equal(s.size, 0x1000);
    assert_int_equal(flash_area_sector_at(&fa, 0x4fff, &s), 0);
    assert_int_equal(s.off, 0x4000);
    assert_int_equal(flash_area_sector_at(&fa, 0x5000, &s), FLASH_ERANGE);
    assert_int_equal(flash_area_sector_at(&fa, 0, NULL), FLASH_EINVAL);
    /* Areas that cut a sector. */
    fa = area(m, 0x3800, 0x1800);
    assert_int_equal(flash_area_sector_count(&fa), FLASH_EALIGN);
    assert_int_equal(flash_area_sector(&fa, 0, &s), FLASH_EALIGN);
    assert_int_equal(flash_area_sector_at(&fa, 0, &s), FLASH_EALIGN);
    assert_int_equal(flash_area_sector_at(&fa, 0x800, &s), 0);
    assert_int_equal(s.off, 0x800);
    fa = area(m, 0x3000, 0x1800);
    assert_int_equal(flash_area_sector_count(&fa), FLASH_EALIGN);
    assert_int_equal(flash_area_sector(&fa, 0, &s), 0);
    assert_int_equal(flash_area_sector(&fa, 1, &s), FLASH_EALIGN);
    /* A device whose size is not a multiple of its sectors: the last,
     * short sector cannot be counted or erased. */
    m->dev.size = MEM_SIZE - 0x800;
    fa = area(m, MEM_SIZE - 0x1000, 0x800);
    assert_int_equal(flash_area_sector_count(&fa), FLASH_EALIGN);
    assert_int_equal(flash_area_erase(&fa, 0, 0x800), FLASH_EALIGN);
    assert_int_equal(m->ncalls, 0);
}

static void test_sectors_mixed(void **state)
{
    (void)state;
    struct mock *m = mock_mixed();
    memset(m->mem, 0x5a, sizeof(m->mem));
    /* Sectors 2..6: 4K, 4K, 16K, 32K, 32K. */
    struct flash_area fa = area(m, 0x2000, 0x16000);
    assert_int_equal(flash_area_sector_count(&fa), 5);
    const struct flash_sector want[] = {
        { 0x0000, 0x1000 }, { 0x1000, 0x1000 }, { 0x2000, 0x4000 },
        { 0x6000, 0x8000 }, { 0xe000, 0x8000 },
    };
    struct flash_sector s;
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(flash_area_sector(&fa, i, &s), 0);
        assert_int_equal(s.off, want[i].off);
        assert_int_equal(s.size, want[i].size);
    }
    assert_int_equal(flash_area_sector(&fa, 5, &s), FLASH_ERANGE);
    assert_int_equal(flash_area_sector_at(&fa, 0x2000, &s), 0);
    assert_int_equal(s.off, 0x2000);
    assert_int_equal(s.size, 0x4000);
    assert_int_equal(flash_area_sector_at(&fa, 0x5fff, &s), 0);
    assert_int_equal(s.off, 0x2000);
    assert_int_equal(flash_area_sector_at(&fa, 0x15fff, &s), 0);
    assert_int_equal(s.off, 0xe000);
    /* Erasing across sizes: the 4K, the 16K and the first 32K sector. */
    assert_int_equal(flash_area_erase(&fa, 0x1000, 0xd000), 0);
    assert_int_equal(m->ncalls, 3);
    assert_int_equal(m->calls[0].addr, 0x3000);
    assert_int_equal(m->calls[1].addr, 0x4000);
    assert_int_equal(m->calls[2].addr, 0x8000);
    assert_int_equal(m->mem[0x2fff], 0x5a);
    assert_int_equal(m->mem[0x3000], 0xff);
    assert_int_equal(m->mem[0xffff], 0xff);
    assert_int_equal(m->mem[0x10000], 0x5a);
    m->ncalls = 0;
    /* Ends inside the 32K sector, starts inside the 16K sector. */
    assert_int_equal(flash_area_erase(&fa, 0x1000, 0x9000), FLASH_EALIGN);
    assert_int_equal(flash_area_erase(&fa, 0x3000, 0x1000), FLASH_EALIGN);
    assert_int_equal(m->ncalls, 0);
    /* An area ending inside the 32K sector at 0x10000. */
    fa = area(m, 0x4000, 0x8000);
    assert_int_equal(flash_area_sector_count(&fa), FLASH_EALIGN);
    assert_int_equal(flash_area_sector(&fa, 0, &s), 0);
    assert_int_equal(flash_area_sector(&fa, 1, &s), FLASH_EALIGN);
    assert_int_equal(flash_area_sector_at(&fa, 0x7fff, &s), FLASH_EALIGN);
    /* The map ends at 0x1c000 while the device goes on: a broken device
     * description, not a misaligned request. */
    fa = area(m, 0x18000, 0x8000);
    assert_int_equal(flash_area_sector_count(&fa), FLASH_EINVAL);
    assert_int_equal(flash_area_sector_at(&fa, 0x4000, &s), FLASH_EINVAL);
    assert_int_equal(flash_area_erase(&fa, 0, 0x8000), FLASH_EINVAL);
    assert_int_equal(m->ncalls, 0);
    fa = area(m, 0x18000, 0x4000);
    assert_int_equal(flash_area_sector_count(&fa), 1);
}

static void test_mixed_map_with_gap(void **state)
{
    (void)state;
    static const struct flash_sector gap_map[] = { { 0, 0x1000 }, { 0x2000, 0x1000 } };
    struct mock *m = mock_uniform(0, 4, 0xff);
    m->dev.sectors = gap_map;
    m->dev.sector_count = 2;
    struct flash_area fa = area(m, 0, 0x3000);
    assert_int_equal(flash_area_sector_count(&fa), FLASH_EINVAL);
    assert_int_equal(flash_area_erase(&fa, 0, 0x3000), FLASH_EINVAL);
    struct flash_sector s;
    assert_int_equal(flash_area_sector(&fa, 1, &s), FLASH_EINVAL);
    assert_int_equal(flash_area_sector_at(&fa, 0x1800, &s), FLASH_EINVAL);
    assert_int_equal(flash_area_sector_at(&fa, 0x2800, &s), 0);
    assert_int_equal(s.off, 0x2000);
    assert_int_equal(m->ncalls, 0);
}

static void test_is_erased(void **state)
{
    (void)state;
    const uint8_t erased_values[] = { 0xff, 0x00 };
    for (size_t k = 0; k < sizeof(erased_values); k++) {
        uint8_t ev = erased_values[k];
        struct mock *m = mock_uniform(0x1000, 1, ev);
        struct flash_area fa = area(m, 0x1000, 0x2000);
        assert_int_equal(flash_area_erased_val(&fa), ev);
        assert_int_equal(flash_area_is_erased(&fa, 0, 0x2000), 1);
        /* One programmed byte well past the first chunk. */
        m->mem[0x1000 + 1000] = (uint8_t)~ev;
        assert_int_equal(flash_area_is_erased(&fa, 0, 0x2000), 0);
        assert_int_equal(flash_area_is_erased(&fa, 0, 1000), 1);
        assert_int_equal(flash_area_is_erased(&fa, 999, 2), 0);
        assert_int_equal(flash_area_is_erased(&fa, 1001, 0x2000 - 1001), 1);
        assert_int_equal(flash_area_is_erased(&fa, 0x2000, 0), 1);
        assert_int_equal(flash_area_is_erased(&fa, 0x1000, 0x1001), FLASH_ERANGE);
        /* Programmed with half its bits still erased: not erased. */
        m->mem[0x1000 + 1000] = (uint8_t)(ev ^ 0x10);
        assert_int_equal(flash_area_is_erased(&fa, 1000, 1), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_bounds),
        cmocka_unit_test(test_bad_areas_and_devices),
        cmocka_unit_test(test_write_alignment),
        cmocka_unit_test(test_op_errors_are_reported),
        cmocka_unit_test(test_erase_uniform),
        cmocka_unit_test(test_sectors_uniform),
        cmocka_unit_test(test_sectors_mixed),
        cmocka_unit_test(test_mixed_map_with_gap),
        cmocka_unit_test(test_is_erased),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
