/*
 * Power cuts in the simulated device: when they strike, what each kind
 * leaves in flash, and that nothing works between the cut and the reboot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flash/sim/flash_sim.h"

static struct flash_sim sim;
static struct flash_area fa;

static void open_sim(uint8_t write_block, uint8_t erase_value)
{
    const struct flash_sim_config cfg = { .size = 0x8000, .sector_size = 0x1000,
                                          .write_block = write_block, .erase_value = erase_value };
    assert_int_equal(flash_sim_open_ram(&sim, &cfg), 0);
    fa = (struct flash_area){ .id = 0, .name = "all", .dev = flash_sim_dev(&sim), .off = 0,
                              .size = 0x8000 };
}

static int teardown(void **state)
{
    (void)state;
    flash_sim_close(&sim);
    return 0;
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

/* Every kind of operation fails, through the area API and at the device. */
static void assert_all_ops_fail(void)
{
    uint8_t buf[32] = { 0 };
    assert_int_equal(flash_area_read(&fa, 0x7000, buf, 4), FLASH_EPOWER);
    assert_int_equal(flash_area_write(&fa, 0x7000, buf, 32), FLASH_EPOWER);
    assert_int_equal(flash_area_erase(&fa, 0x7000, 0x1000), FLASH_EPOWER);
    assert_int_equal(flash_area_is_erased(&fa, 0x7000, 4), FLASH_EPOWER);
    const struct flash_dev *d = flash_sim_dev(&sim);
    assert_int_equal(d->ops->read(d->ctx, 0, buf, 1), FLASH_EPOWER);
    assert_true(flash_sim_power_is_cut(&sim));
}

static void test_cut_before(void **state)
{
    (void)state;
    open_sim(4, 0xff);
    const uint8_t *raw = flash_sim_raw(&sim);
    const uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    flash_sim_cut_power_after(&sim, 2, FLASH_SIM_CUT_BEFORE);
    assert_int_equal(flash_area_write(&fa, 0, a, 8), 0);
    /* Reads and refused operations do not move the countdown. */
    uint8_t buf[8];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(flash_area_read(&fa, 0, buf, 8), 0);
    }
    assert_int_equal(flash_area_write(&fa, 0, a, 8), FLASH_ENOTERASED);
    assert_int_equal(flash_area_erase(&fa, 0x1000, 0x1000), 0);
    assert_false(flash_sim_power_is_cut(&sim));
    /* The third write or erase is cut before it starts. */
    assert_int_equal(flash_area_write(&fa, 0x100, a, 8), FLASH_EPOWER);
    assert_true(all_equal(raw + 0x100, 8, 0xff));
    assert_all_ops_fail();
    /* The first write survives the cut; the cut op is not counted. */
    assert_memory_equal(raw, a, 8);
    struct flash_sim_counts c;
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.writes, 1);
    assert_int_equal(c.erases, 1);
    assert_int_equal(c.reads, 5);

    flash_sim_reboot(&sim);
    assert_false(flash_sim_power_is_cut(&sim));
    assert_int_equal(flash_area_write(&fa, 0x100, a, 8), 0);
    assert_memory_equal(raw + 0x100, a, 8);
    /* The cut does not come back: it was used up. */
    for (uint32_t off = 0x200; off < 0x300; off += 8) {
        assert_int_equal(flash_area_write(&fa, off, a, 8), 0);
    }
}

static void test_cut_before_an_erase(void **state)
{
    (void)state;
    open_sim(4, 0xff);
    uint8_t old[0x1000];
    memset(old, 0x3c, sizeof(old));
    assert_int_equal(flash_sim_load(&sim, 0x2000, 0x1000, old, sizeof(old)), 0);
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_BEFORE);
    assert_int_equal(flash_area_erase(&fa, 0x2000, 0x1000), FLASH_EPOWER);
    assert_memory_equal(flash_sim_raw(&sim) + 0x2000, old, sizeof(old));
    assert_all_ops_fail();
}

/* The content a torn write leaves, written out from flash_sim.h's rule:
 * n/2 whole blocks, then the first half of the bits of the next block. */
static void expected_torn(uint8_t *out, const uint8_t *data, size_t len, size_t wb, uint8_t ev)
{
    size_t n = len / wb;
    memset(out, ev, len);
    size_t bits = (n / 2) * wb * 8 + wb * 8 / 2;
    for (size_t bit = 0; bit < bits; bit++) {
        size_t byte = bit / 8;
        uint8_t mask = (uint8_t)(0x80 >> (bit % 8));
        out[byte] = (uint8_t)((out[byte] & ~mask) | (data[byte] & mask));
    }
}

static void test_torn_write_examples(void **state)
{
    (void)state;
    const uint8_t *raw;
    /* 3 blocks of 4: block 0 whole, the first 2 bytes of block 1. */
    open_sim(4, 0xff);
    raw = flash_sim_raw(&sim);
    const uint8_t d12[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    const uint8_t want12[12] = { 1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_TORN_WRITE);
    assert_int_equal(flash_area_write(&fa, 0x40, d12, 12), FLASH_EPOWER);
    assert_memory_equal(raw + 0x40, want12, 12);
    assert_true(all_equal(raw + 0x4c, 0x100, 0xff));
    assert_true(all_equal(raw, 0x40, 0xff));
    assert_all_ops_fail();
    flash_sim_close(&sim);

    /* One block of one byte: its high four bits. */
    open_sim(1, 0xff);
    raw = flash_sim_raw(&sim);
    const uint8_t b = 0x12;
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_TORN_WRITE);
    assert_int_equal(flash_area_write(&fa, 7, &b, 1), FLASH_EPOWER);
    assert_int_equal(raw[7], 0x1f);
    flash_sim_close(&sim);

    open_sim(1, 0x00);
    raw = flash_sim_raw(&sim);
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_TORN_WRITE);
    assert_int_equal(flash_area_write(&fa, 7, &b, 1), FLASH_EPOWER);
    assert_int_equal(raw[7], 0x10);
    /* The torn byte is no longer erased: after the reboot it cannot be
     * written again before an erase. */
    flash_sim_reboot(&sim);
    assert_int_equal(flash_area_write(&fa, 7, &b, 1), FLASH_ENOTERASED);
    assert_int_equal(flash_area_is_erased(&fa, 0, 8), 0);
    assert_int_equal(flash_area_erase(&fa, 0, 0x1000), 0);
    assert_int_equal(flash_area_write(&fa, 7, &b, 1), 0);
    assert_int_equal(raw[7], 0x12);
}

static void test_torn_write_every_block_size(void **state)
{
    (void)state;
    const uint8_t blocks[] = { 1, 2, 4, 8, 16, 32 };
    const uint8_t erased[] = { 0xff, 0x00 };
    const size_t nblocks[] = { 1, 2, 3, 4, 7 };
    uint8_t data[32 * 7];
    /* No nibble of the data is 0x0 or 0xf, so every bit a torn write
     * leaves out shows in the comparison with the full data. */
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(((i % 13) + 1) << 4 | ((i % 11) + 2));
    }
    uint8_t want[sizeof(data)];
    for (size_t e = 0; e < sizeof(erased); e++) {
        for (size_t k = 0; k < sizeof(blocks); k++) {
            for (size_t j = 0; j < sizeof(nblocks) / sizeof(nblocks[0]); j++) {
                const size_t wb = blocks[k];
                const size_t len = wb * nblocks[j];
                open_sim((uint8_t)wb, erased[e]);
                const uint8_t *raw = flash_sim_raw(&sim);
                /* One earlier write completes, then the second is torn. */
                assert_int_equal(flash_area_write(&fa, 0, data, wb), 0);
                flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_TORN_WRITE);
                assert_int_equal(flash_area_write(&fa, 0x1000, data, len), FLASH_EPOWER);
                expected_torn(want, data, len, wb, erased[e]);
                assert_memory_equal(raw + 0x1000, want, len);
                assert_memory_equal(raw, data, wb);
                assert_true(all_equal(raw + wb, 0x1000 - wb, erased[e]));
                assert_true(all_equal(raw + 0x1000 + len, 0x7000 - len, erased[e]));
                /* Not all of the new data landed. */
                assert_memory_not_equal(raw + 0x1000, data, len);
                assert_all_ops_fail();
                flash_sim_close(&sim);
            }
        }
    }
}

static void test_torn_write_kind_on_an_erase(void **state)
{
    (void)state;
    open_sim(4, 0xff);
    uint8_t old[0x1000];
    memset(old, 0x77, sizeof(old));
    assert_int_equal(flash_sim_load(&sim, 0x3000, 0x1000, old, sizeof(old)), 0);
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_TORN_WRITE);
    assert_int_equal(flash_area_erase(&fa, 0x3000, 0x1000), FLASH_EPOWER);
    assert_memory_equal(flash_sim_raw(&sim) + 0x3000, old, sizeof(old));
    assert_all_ops_fail();
}

static void test_partial_erase(void **state)
{
    (void)state;
    const uint8_t erased[] = { 0xff, 0x00 };
    for (size_t e = 0; e < sizeof(erased); e++) {
        open_sim(8, erased[e]);
        const uint8_t *raw = flash_sim_raw(&sim);
        uint8_t old[0x3000];
        for (size_t i = 0; i < sizeof(old); i++) {
            old[i] = (uint8_t)(i % 251 + 1);
        }
        assert_int_equal(flash_sim_load(&sim, 0x1000, 0x3000, old, sizeof(old)), 0);
        /* An erase of three sectors: the first completes, the second is
         * cut halfway, the third is never reached. */
        flash_sim_cut_power_after(&sim, 1, FLASH_SIM_CUT_PARTIAL_ERASE);
        assert_int_equal(flash_area_erase(&fa, 0x1000, 0x3000), FLASH_EPOWER);
        assert_true(all_equal(raw + 0x1000, 0x1000, erased[e]));
        assert_true(all_equal(raw + 0x2000, 0x800, erased[e]));
        assert_memory_equal(raw + 0x2800, old + 0x1800, 0x800);
        assert_memory_equal(raw + 0x3000, old + 0x2000, 0x1000);
        assert_all_ops_fail();
        struct flash_sim_counts c;
        flash_sim_total_counts(&sim, &c);
        assert_int_equal(c.erases, 1);
        flash_sim_reboot(&sim);
        assert_int_equal(flash_area_is_erased(&fa, 0x1000, 0x1800), 1);
        assert_int_equal(flash_area_is_erased(&fa, 0x1000, 0x2000), 0);
        assert_int_equal(flash_area_erase(&fa, 0x2000, 0x1000), 0);
        assert_int_equal(flash_area_is_erased(&fa, 0x1000, 0x2000), 1);
        flash_sim_close(&sim);
    }
}

static void test_partial_erase_kind_on_a_write(void **state)
{
    (void)state;
    open_sim(4, 0xff);
    const uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_PARTIAL_ERASE);
    assert_int_equal(flash_area_write(&fa, 0, a, 8), FLASH_EPOWER);
    assert_true(all_equal(flash_sim_raw(&sim), 0x8000, 0xff));
    assert_all_ops_fail();
}

static void test_rearm_and_disarm(void **state)
{
    (void)state;
    open_sim(4, 0xff);
    const uint8_t a[4] = { 1, 2, 3, 4 };
    /* A later arm replaces the earlier one. */
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_BEFORE);
    flash_sim_cut_power_after(&sim, 1, FLASH_SIM_CUT_BEFORE);
    assert_int_equal(flash_area_write(&fa, 0, a, 4), 0);
    assert_int_equal(flash_area_write(&fa, 4, a, 4), FLASH_EPOWER);
    flash_sim_reboot(&sim);
    /* A reboot before the cut disarms it. */
    flash_sim_cut_power_after(&sim, 0, FLASH_SIM_CUT_BEFORE);
    flash_sim_reboot(&sim);
    assert_int_equal(flash_area_write(&fa, 4, a, 4), 0);
    assert_false(flash_sim_power_is_cut(&sim));
}

/* A sweep as a power-cut test runs it: cut at every op of a sequence, in
 * turn, and check each leaves the flash as the ops before it made it. */
static void test_sweep_over_a_sequence(void **state)
{
    (void)state;
    uint8_t data[64];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i + 1);
    }
    for (uint32_t cut = 0; cut < 6; cut++) {
        open_sim(16, 0xff);
        const uint8_t *raw = flash_sim_raw(&sim);
        flash_sim_cut_power_after(&sim, cut, FLASH_SIM_CUT_BEFORE);
        int rc = 0;
        uint32_t done = 0;
        for (uint32_t off = 0; off < 4 * 16 && rc == 0; off += 16) {
            rc = flash_area_write(&fa, off, data + off, 16);
            done += rc == 0;
        }
        if (rc == 0) {
            rc = flash_area_erase(&fa, 0, 0x1000);
            done += rc == 0;
        }
        if (cut < 5) {
            assert_int_equal(rc, FLASH_EPOWER);
            assert_int_equal(done, cut);
            uint32_t written = cut < 4 ? cut * 16 : 64;
            assert_memory_equal(raw, data, written);
            assert_true(all_equal(raw + written, 0x1000 - written, 0xff));
        } else {
            assert_int_equal(rc, 0);
            assert_false(flash_sim_power_is_cut(&sim));
        }
        flash_sim_close(&sim);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_cut_before, teardown),
        cmocka_unit_test_teardown(test_cut_before_an_erase, teardown),
        cmocka_unit_test_teardown(test_torn_write_examples, teardown),
        cmocka_unit_test_teardown(test_torn_write_every_block_size, teardown),
        cmocka_unit_test_teardown(test_torn_write_kind_on_an_erase, teardown),
        cmocka_unit_test_teardown(test_partial_erase, teardown),
        cmocka_unit_test_teardown(test_partial_erase_kind_on_a_write, teardown),
        cmocka_unit_test_teardown(test_rearm_and_disarm, teardown),
        cmocka_unit_test_teardown(test_sweep_over_a_sequence, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
