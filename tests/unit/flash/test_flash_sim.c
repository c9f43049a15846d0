/*
 * The simulated NOR device: geometry checks, every NOR rule, counters and
 * trace, the programming-station load, erased value 0x00 and every write
 * block size. Power cuts and files have their own tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flash/flash_area.h"
#include "flash/sim/flash_sim.h"

static struct flash_sim sim;

static const struct flash_sim_config cfg_4k = {
    .size = 0x10000, .sector_size = 0x1000, .write_block = 4, .erase_value = 0xff
};

static int setup(void **state)
{
    (void)state;
    memset(&sim, 0, sizeof(sim));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    flash_sim_close(&sim);
    return 0;
}

/* The device's own ops, bypassing the area API's checks, so the simulator
 * itself is shown to refuse. */
static int dev_read(uint32_t addr, void *buf, size_t len)
{
    const struct flash_dev *d = flash_sim_dev(&sim);
    return d->ops->read(d->ctx, addr, buf, len);
}

static int dev_write(uint32_t addr, const void *buf, size_t len)
{
    const struct flash_dev *d = flash_sim_dev(&sim);
    return d->ops->write(d->ctx, addr, buf, len);
}

static int dev_erase(uint32_t addr, uint32_t len)
{
    const struct flash_dev *d = flash_sim_dev(&sim);
    return d->ops->erase(d->ctx, addr, len);
}

static bool all_equal(const uint8_t *p, size_t len, uint8_t v)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

static void test_bad_configs(void **state)
{
    (void)state;
    static const struct flash_sector gap[] = { { 0, 0x1000 }, { 0x2000, 0x1000 } };
    static const struct flash_sector late[] = { { 0x1000, 0x1000 } };
    static const struct flash_sector odd[] = { { 0, 0x1000 }, { 0x1000, 0x0ffe } };
    static const struct flash_sector ok[] = { { 0, 0x1000 }, { 0x1000, 0x3000 } };
    struct flash_sim_config bad[] = {
        { .size = 0, .sector_size = 0x1000, .write_block = 4, .erase_value = 0xff },
        { .size = 0x10000, .sector_size = 0x1000, .write_block = 0, .erase_value = 0xff },
        { .size = 0x10000, .sector_size = 0x1000, .write_block = 3, .erase_value = 0xff },
        { .size = 0x10000, .sector_size = 0x1000, .write_block = 64, .erase_value = 0xff },
        { .size = 0x10000, .sector_size = 0x1000, .write_block = 4, .erase_value = 0x55 },
        { .size = 0x10000, .sector_size = 0, .write_block = 4, .erase_value = 0xff },
        { .size = 0x10000, .sector_size = 0x3000, .write_block = 4, .erase_value = 0xff },
        { .size = 0x40, .sector_size = 0x10, .write_block = 32, .erase_value = 0xff },
        { .size = 0x4000, .sector_size = 0x1000, .write_block = 4, .erase_value = 0xff,
          .sectors = ok, .sector_count = 2 },
        { .size = 0x3000, .write_block = 4, .erase_value = 0xff, .sectors = gap, .sector_count = 2 },
        { .size = 0x2000, .write_block = 4, .erase_value = 0xff, .sectors = late, .sector_count = 1 },
        { .size = 0x1ffe, .write_block = 4, .erase_value = 0xff, .sectors = odd, .sector_count = 2 },
        { .size = 0x5000, .write_block = 4, .erase_value = 0xff, .sectors = ok, .sector_count = 2 },
        { .size = 0x4000, .write_block = 4, .erase_value = 0xff, .sectors = ok, .sector_count = 0 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(flash_sim_open_ram(&sim, &bad[i]), FLASH_EINVAL);
        flash_sim_close(&sim);
    }
    assert_int_equal(flash_sim_open_ram(&sim, NULL), FLASH_EINVAL);
    assert_int_equal(flash_sim_open_ram(NULL, &cfg_4k), FLASH_EINVAL);
    struct flash_sim_config good = {
        .size = 0x4000, .write_block = 4, .erase_value = 0xff, .sectors = ok, .sector_count = 2
    };
    assert_int_equal(flash_sim_open_ram(&sim, &good), 0);
    assert_int_equal(flash_sim_sector_count(&sim), 2);
}

static void test_opens_erased_with_geometry(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg_4k), 0);
    const struct flash_dev *d = flash_sim_dev(&sim);
    assert_int_equal(d->size, 0x10000);
    assert_int_equal(d->write_block, 4);
    assert_int_equal(d->erase_value, 0xff);
    assert_int_equal(d->uniform_sector_size, 0x1000);
    assert_null(d->sectors);
    assert_int_equal(flash_sim_sector_count(&sim), 16);
    assert_true(all_equal(flash_sim_raw(&sim), 0x10000, 0xff));
    assert_false(flash_sim_power_is_cut(&sim));
}

static void test_write_rules(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg_4k), 0);
    const uint8_t *raw = flash_sim_raw(&sim);
    const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_int_equal(dev_write(2, data, 4), FLASH_EALIGN);
    assert_int_equal(dev_write(4, data, 6), FLASH_EALIGN);
    assert_int_equal(dev_write(0x10000 - 4, data, 8), FLASH_ERANGE);
    assert_int_equal(dev_write(UINT32_MAX - 3, data, 8), FLASH_ERANGE);
    assert_true(all_equal(raw, 0x10000, 0xff));
    assert_int_equal(dev_write(0x10000 - 4, data, 4), 0);
    assert_int_equal(dev_write(8, data, 8), 0);
    assert_memory_equal(raw + 8, data, 8);
    /* Onto programmed bytes: refused whole, even when only the last block
     * overlaps, and even with the same data. */
    assert_int_equal(dev_write(8, data, 8), FLASH_ENOTERASED);
    assert_int_equal(dev_write(0, data, 12), FLASH_ENOTERASED);
    assert_true(all_equal(raw, 8, 0xff));
    /* A byte programmed to a value that has erased bits is still not
     * erased. */
    const uint8_t fe[4] = { 0xff, 0xff, 0xff, 0xfe };
    assert_int_equal(dev_write(0x100, fe, 4), 0);
    assert_int_equal(dev_write(0x100, fe, 4), FLASH_ENOTERASED);
    /* Writing the erased value programs nothing: the bytes stay writable. */
    const uint8_t ff[4] = { 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(dev_write(0x200, ff, 4), 0);
    assert_int_equal(dev_write(0x200, data, 4), 0);
    assert_int_equal(dev_write(0, NULL, 4), FLASH_EINVAL);
}

static void test_erase_rules(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg_4k), 0);
    const uint8_t *raw = flash_sim_raw(&sim);
    assert_int_equal(flash_sim_load(&sim, 0, 0x10000, NULL, 0), 0);
    uint8_t pattern[0x3000];
    memset(pattern, 0x42, sizeof(pattern));
    assert_int_equal(flash_sim_load(&sim, 0x1000, 0x3000, pattern, sizeof(pattern)), 0);
    assert_int_equal(dev_erase(0x1800, 0x1000), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x1000, 0x800), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x1000, 0x2000), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x1000, 0), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x10000, 0x1000), FLASH_ERANGE);
    assert_int_equal(dev_erase(0xf000, 0x2000), FLASH_ERANGE);
    assert_true(all_equal(raw + 0x1000, 0x3000, 0x42));
    assert_int_equal(dev_erase(0x2000, 0x1000), 0);
    assert_true(all_equal(raw + 0x1000, 0x1000, 0x42));
    assert_true(all_equal(raw + 0x2000, 0x1000, 0xff));
    assert_true(all_equal(raw + 0x3000, 0x1000, 0x42));
}

static void test_read_rules(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg_4k), 0);
    uint8_t buf[8];
    assert_int_equal(dev_read(0x10000 - 7, buf, 8), FLASH_ERANGE);
    assert_int_equal(dev_read(UINT32_MAX, buf, 2), FLASH_ERANGE);
    assert_int_equal(dev_read(3, buf, 5), 0);
    assert_int_equal(dev_read(0, NULL, 1), FLASH_EINVAL);
    struct flash_sim_counts c;
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.reads, 1);
}

struct trace_log {
    struct {
        enum flash_sim_op op;
        uint32_t addr;
        uint32_t len;
    } ev[16];
    size_t n;
};

static void record(void *arg, enum flash_sim_op op, uint32_t addr, uint32_t len)
{
    struct trace_log *t = arg;
    assert_true(t->n < 16);
    t->ev[t->n].op = op;
    t->ev[t->n].addr = addr;
    t->ev[t->n].len = len;
    t->n++;
}

static void test_counters_and_trace(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg_4k), 0);
    struct trace_log log = { 0 };
    flash_sim_set_trace(&sim, record, &log);
    uint8_t buf[0x20] = { 0 };
    /* A read over the boundary of sectors 0 and 1 counts in both. */
    assert_int_equal(dev_read(0x0ff0, buf, 0x20), 0);
    assert_int_equal(dev_write(0x1000, buf, 8), 0);
    assert_int_equal(dev_write(0x1008, buf, 8), 0);
    assert_int_equal(dev_erase(0x1000, 0x1000), 0);
    assert_int_equal(dev_erase(0xf000, 0x1000), 0);
    /* Refused operations are neither counted nor traced. */
    assert_int_equal(dev_write(0x1002, buf, 4), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x1000, 4), FLASH_EALIGN);
    assert_int_equal(dev_read(0x10000, buf, 1), FLASH_ERANGE);

    struct flash_sim_counts c;
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.reads, 1);
    assert_int_equal(c.writes, 2);
    assert_int_equal(c.erases, 2);
    assert_int_equal(flash_sim_sector_counts(&sim, 0, &c), 0);
    assert_int_equal(c.reads, 1);
    assert_int_equal(c.writes, 0);
    assert_int_equal(c.erases, 0);
    assert_int_equal(flash_sim_sector_counts(&sim, 1, &c), 0);
    assert_int_equal(c.reads, 1);
    assert_int_equal(c.writes, 2);
    assert_int_equal(c.erases, 1);
    assert_int_equal(flash_sim_sector_counts(&sim, 15, &c), 0);
    assert_int_equal(c.erases, 1);
    assert_int_equal(flash_sim_sector_counts(&sim, 2, &c), 0);
    assert_int_equal(c.reads + c.writes + c.erases, 0);
    assert_int_equal(flash_sim_sector_counts(&sim, 16, &c), FLASH_ERANGE);

    assert_int_equal(log.n, 5);
    assert_int_equal(log.ev[0].op, FLASH_SIM_OP_READ);
    assert_int_equal(log.ev[0].addr, 0x0ff0);
    assert_int_equal(log.ev[0].len, 0x20);
    assert_int_equal(log.ev[2].op, FLASH_SIM_OP_WRITE);
    assert_int_equal(log.ev[2].addr, 0x1008);
    assert_int_equal(log.ev[2].len, 8);
    assert_int_equal(log.ev[4].op, FLASH_SIM_OP_ERASE);
    assert_int_equal(log.ev[4].addr, 0xf000);
    assert_int_equal(log.ev[4].len, 0x1000);

    flash_sim_reset_counts(&sim);
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.reads + c.writes + c.erases, 0);
    assert_int_equal(flash_sim_sector_counts(&sim, 1, &c), 0);
    assert_int_equal(c.reads + c.writes + c.erases, 0);
    flash_sim_set_trace(&sim, NULL, NULL);
    assert_int_equal(dev_read(0, buf, 1), 0);
    assert_int_equal(log.n, 5);
}

static void test_load_is_a_programming_station(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg_4k), 0);
    const uint8_t *raw = flash_sim_raw(&sim);
    uint8_t old[0x2000];
    memset(old, 0x11, sizeof(old));
    assert_int_equal(flash_sim_load(&sim, 0x2000, 0x2000, old, sizeof(old)), 0);
    /* Loading over programmed bytes, shorter than the area: the rest of
     * the area is erased. */
    const uint8_t img[5] = { 9, 8, 7, 6, 5 };
    assert_int_equal(flash_sim_load(&sim, 0x2000, 0x2000, img, sizeof(img)), 0);
    assert_memory_equal(raw + 0x2000, img, sizeof(img));
    assert_true(all_equal(raw + 0x2005, 0x2000 - 5, 0xff));
    struct flash_sim_counts c;
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.reads + c.writes + c.erases, 0);
    assert_int_equal(flash_sim_load(&sim, 0x2000, 4, img, 5), FLASH_EINVAL);
    assert_int_equal(flash_sim_load(&sim, 0xf000, 0x2000, img, 5), FLASH_ERANGE);
    assert_int_equal(flash_sim_load(&sim, 0x10001, 0, img, 0), FLASH_ERANGE);
    assert_int_equal(flash_sim_load(&sim, 0, 8, NULL, 4), FLASH_EINVAL);
    /* The station works on a device whose power is cut, and leaves the
     * cut in place. */
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_BEFORE);
    assert_int_equal(dev_erase(0, 0x1000), FLASH_EPOWER);
    assert_int_equal(flash_sim_load(&sim, 0, 0x1000, img, 4), 0);
    assert_memory_equal(raw, img, 4);
    assert_true(flash_sim_power_is_cut(&sim));
}

static void test_erased_value_zero(void **state)
{
    (void)state;
    struct flash_sim_config cfg = cfg_4k;
    cfg.erase_value = 0x00;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg), 0);
    const uint8_t *raw = flash_sim_raw(&sim);
    assert_true(all_equal(raw, 0x10000, 0x00));
    const uint8_t data[4] = { 0xff, 0x01, 0x80, 0x00 };
    assert_int_equal(dev_write(0x40, data, 4), 0);
    assert_memory_equal(raw + 0x40, data, 4);
    assert_int_equal(dev_write(0x40, data, 4), FLASH_ENOTERASED);
    /* Bytes at 0x00 are erased, whatever was written there. */
    const uint8_t zeros[4] = { 0 };
    assert_int_equal(dev_write(0x80, zeros, 4), 0);
    assert_int_equal(dev_write(0x80, data, 4), 0);
    assert_int_equal(dev_erase(0, 0x1000), 0);
    assert_true(all_equal(raw, 0x1000, 0x00));
    assert_int_equal(flash_sim_load(&sim, 0x1000, 0x1000, data, 2), 0);
    assert_true(all_equal(raw + 0x1002, 0x1000 - 2, 0x00));

    /* Through the area API. */
    struct flash_area fa = { .id = 0, .name = "a", .dev = flash_sim_dev(&sim), .off = 0x2000,
                             .size = 0x2000 };
    assert_int_equal(flash_area_erased_val(&fa), 0x00);
    assert_int_equal(flash_area_is_erased(&fa, 0, 0x2000), 1);
    assert_int_equal(flash_area_write(&fa, 0x1ffc, data, 4), 0);
    assert_int_equal(flash_area_is_erased(&fa, 0, 0x2000), 0);
    assert_int_equal(flash_area_is_erased(&fa, 0, 0x1ffc), 1);
}

static void test_every_write_block(void **state)
{
    (void)state;
    const uint8_t blocks[] = { 1, 2, 4, 8, 16, 32 };
    for (size_t k = 0; k < sizeof(blocks); k++) {
        const uint8_t wb = blocks[k];
        struct flash_sim_config cfg = { .size = 0x2000, .sector_size = 0x400, .write_block = wb,
                                        .erase_value = 0xff };
        assert_int_equal(flash_sim_open_ram(&sim, &cfg), 0);
        const uint8_t *raw = flash_sim_raw(&sim);
        struct flash_area fa = { .id = 0, .name = "a", .dev = flash_sim_dev(&sim),
                                 .off = 0x400, .size = 0x800 };
        assert_int_equal(flash_area_align(&fa), wb);
        uint8_t data[64];
        for (size_t i = 0; i < sizeof(data); i++) {
            data[i] = (uint8_t)(i + 1);
        }
        /* Consecutive block writes fill the area's first bytes. */
        for (uint32_t off = 0; off < 64; off += wb) {
            assert_int_equal(flash_area_write(&fa, off, data + off, wb), 0);
        }
        assert_memory_equal(raw + 0x400, data, 64);
        if (wb > 1) {
            /* Half a block off, and one byte short, straight at the device
             * and through the API. */
            assert_int_equal(dev_write(0x400 + 64 + wb / 2, data, wb), FLASH_EALIGN);
            assert_int_equal(dev_write(0x400 + 64, data, wb - 1u), FLASH_EALIGN);
            assert_int_equal(flash_area_write(&fa, 64 + wb / 2, data, wb), FLASH_EALIGN);
            assert_int_equal(flash_area_write(&fa, 64, data, wb + 1u), FLASH_EALIGN);
        }
        assert_true(all_equal(raw + 0x400 + 64, 0x800 - 64, 0xff));
        /* The area's last block. */
        assert_int_equal(flash_area_write(&fa, 0x800 - wb, data, wb), 0);
        assert_memory_equal(raw + 0xc00 - wb, data, wb);
        struct flash_sim_counts c;
        flash_sim_total_counts(&sim, &c);
        assert_int_equal(c.writes, 64 / wb + 1);
        flash_sim_close(&sim);
    }
}

static void test_mixed_sectors(void **state)
{
    (void)state;
    static const struct flash_sector map[] = {
        { 0x0000, 0x1000 }, { 0x1000, 0x1000 }, { 0x2000, 0x2000 }, { 0x4000, 0x4000 },
    };
    struct flash_sim_config cfg = { .size = 0x8000, .write_block = 8, .erase_value = 0xff,
                                    .sectors = map, .sector_count = 4 };
    assert_int_equal(flash_sim_open_ram(&sim, &cfg), 0);
    const struct flash_dev *d = flash_sim_dev(&sim);
    assert_int_equal(d->sector_count, 4);
    assert_non_null(d->sectors);
    /* The simulator keeps its own copy of the map. */
    assert_ptr_not_equal(d->sectors, map);
    assert_int_equal(d->sectors[3].size, 0x4000);
    assert_int_equal(dev_erase(0x4000, 0x1000), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x2000, 0x1000), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x3000, 0x1000), FLASH_EALIGN);
    assert_int_equal(dev_erase(0x4000, 0x4000), 0);

    struct flash_area fa = { .id = 0, .name = "a", .dev = d, .off = 0x1000, .size = 0x7000 };
    assert_int_equal(flash_area_sector_count(&fa), 3);
    uint8_t data[16] = { 0 };
    assert_int_equal(flash_area_write(&fa, 0x2ff8, data, 16), 0);
    assert_int_equal(flash_area_erase(&fa, 0, 0x7000), 0);
    struct flash_sim_counts c;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(flash_sim_sector_counts(&sim, i, &c), 0);
        assert_int_equal(c.erases, i == 0 ? 0 : i == 3 ? 2 : 1);
        assert_int_equal(c.writes, i == 2 || i == 3 ? 1 : 0);
    }
}

/* flash_area_erase_needed erases only sectors holding data. */
static void test_erase_needed_skips_blank_sectors(void **state)
{
    struct flash_area fa;
    struct flash_sim_counts c;
    const uint8_t data[4] = { 1, 2, 3, 4 };

    (void)state;
    assert_int_equal(flash_sim_open_ram(&sim, &cfg_4k), 0);
    fa = (struct flash_area){ .id = 1, .name = "a", .dev = flash_sim_dev(&sim), .off = 0x2000,
                              .size = 0x8000 };
    assert_int_equal(flash_area_write(&fa, 0x1000, data, sizeof(data)), 0);
    assert_int_equal(flash_area_write(&fa, 0x7ffc, data, sizeof(data)), 0);
    flash_sim_reset_counts(&sim);
    assert_int_equal(flash_area_erase_needed(&fa, 0, fa.size), 0);
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.erases, 2);
    assert_int_equal(flash_area_is_erased(&fa, 0, fa.size), 1);
    assert_int_equal(flash_area_erase_needed(&fa, 0, fa.size), 0);
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.erases, 2);
    assert_int_equal(flash_area_erase_needed(&fa, 0x800, 0x1000), FLASH_EALIGN);
    assert_int_equal(flash_area_erase_needed(&fa, 0x1000, 0x1800), FLASH_EALIGN);
    assert_int_equal(flash_area_erase_needed(&fa, 0x7000, 0x2000), FLASH_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_configs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_opens_erased_with_geometry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_and_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_is_a_programming_station, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erased_value_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_write_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mixed_sectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_needed_skips_blank_sectors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
