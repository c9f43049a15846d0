/* Provision area: layout of provision.py, keys and monotonic counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot/nsib.h"
#include "boot/nsib_provision.h"
#include "flash/sim/flash_sim.h"

struct fx {
    struct flash_sim sim;
    struct flash_area fa;
};

static struct fx *fx_open(uint8_t write_block)
{
    static struct fx f;
    struct flash_sim_config cfg = {
        .size = 0x2000, .sector_size = 0x1000, .write_block = write_block, .erase_value = 0xff,
    };

    memset(&f, 0, sizeof(f));
    assert_int_equal(flash_sim_open_ram(&f.sim, &cfg), 0);
    f.fa = (struct flash_area){ .id = 1, .name = "provision", .dev = flash_sim_dev(&f.sim),
                                .off = 0x1000, .size = 0x1000 };
    return &f;
}

static const uint8_t hashes[2][NSIB_KEY_HASH_LEN] = {
    { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
    { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf },
};

static void provision(struct fx *f, uint32_t nkeys, uint16_t nsib_slots, uint16_t mcuboot_slots)
{
    struct nsib_provision_params p = {
        .s0_address = 0x8000, .s1_address = 0x15000, .key_hashes = hashes, .num_keys = nkeys,
        .nsib_counter_slots = nsib_slots, .mcuboot_counter_slots = mcuboot_slots,
    };
    assert_int_equal(nsib_provision_write(&f->fa, &p), 0);
}

/* The bytes provision.py writes for the same parameters. */
static void test_layout_is_provision_py(void **state)
{
    (void)state;
    struct fx *f = fx_open(4);
    const uint8_t *raw;
    static const uint8_t head[] = { 0x00, 0x80, 0x00, 0x00, 0x00, 0x50, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00 };
    static const uint8_t counters[] = {
        0x01, 0x00, 0x02, 0x00,             /* type 1, two counters */
        0x01, 0x00, 0x04, 0x00,             /* NSIB, 4 slots */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x02, 0x00, 0x02, 0x00,             /* MCUboot, 2 slots */
        0xff, 0xff, 0xff, 0xff,
    };
    struct nsib_provision_params p = {
        .s0_address = 0x8000, .s1_address = 0x15000, .key_hashes = hashes, .num_keys = 2,
        .nsib_counter_slots = 4, .mcuboot_counter_slots = 2,
    };

    assert_int_equal(nsib_provision_size(&p), 12 + 40 + sizeof(counters));
    provision(f, 2, 4, 2);
    raw = flash_sim_raw(&f->sim) + 0x1000;
    assert_memory_equal(raw, head, sizeof(head));
    for (int k = 0; k < 2; k++) {
        const uint8_t tok[4] = { 0xff, 0xff, 0xff, 0xff };
        assert_memory_equal(raw + 12 + 20 * k, tok, 4);
        assert_memory_equal(raw + 16 + 20 * k, hashes[k], 16);
    }
    assert_memory_equal(raw + 52, counters, sizeof(counters));
    flash_sim_close(&f->sim);
}

static void test_read_back(void **state)
{
    (void)state;
    struct fx *f = fx_open(4);
    struct nsib_provision p;
    uint8_t h[NSIB_KEY_HASH_LEN];
    bool revoked = true;
    uint16_t v = 99;

    provision(f, 2, 4, 0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    assert_int_equal(p.s0_address, 0x8000);
    assert_int_equal(p.s1_address, 0x15000);
    assert_int_equal(p.num_keys, 2);
    assert_true(p.has_counters);
    assert_int_equal(nsib_key_read(&f->fa, &p, 1, h, &revoked), 0);
    assert_false(revoked);
    assert_memory_equal(h, hashes[1], 16);
    assert_int_equal(nsib_key_read(&f->fa, &p, 2, h, &revoked), NSIB_EINVAL);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_MCUBOOT, &v), NSIB_ENOCOUNTER);
    flash_sim_close(&f->sim);
}

static void test_unprovisioned_and_corrupt(void **state)
{
    (void)state;
    struct fx *f = fx_open(4);
    struct nsib_provision p;

    assert_int_equal(nsib_provision_read(&f->fa, &p), NSIB_EPROVISION);
    /* 64 keys: more than any real provision holds. */
    assert_int_equal(flash_sim_load(&f->sim, 0x1000, 0x1000,
                                    (const uint8_t[12]){ 0, 0x80, 0, 0, 0, 0x50, 1, 0, 0x40, 0, 0, 0 }, 12),
                     0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), NSIB_EPROVISION);
    /* No keys, no counters: valid, but nothing to count with. */
    provision(f, 0, 0, 0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    assert_false(p.has_counters);
    flash_sim_close(&f->sim);
}

static void test_bad_params(void **state)
{
    (void)state;
    struct fx *f = fx_open(4);
    struct nsib_provision_params p = { .key_hashes = hashes, .num_keys = 1, .nsib_counter_slots = 3 };

    assert_int_equal(nsib_provision_write(&f->fa, &p), NSIB_EINVAL);
    p.nsib_counter_slots = 2;
    p.num_keys = NSIB_MAX_KEYS + 1;
    assert_int_equal(nsib_provision_write(&f->fa, &p), NSIB_EINVAL);
    flash_sim_close(&f->sim);
}

/* Each update takes the next slot, bit-inverted; values must grow. */
static void counter_rules(uint8_t write_block)
{
    struct fx *f = fx_open(write_block);
    struct nsib_provision p;
    const uint8_t *raw;
    uint16_t v;
    uint32_t slots_off = 12 + 20 + 4 + 4;

    provision(f, 1, 6, 0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    raw = flash_sim_raw(&f->sim) + 0x1000;
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 5), 0);
    assert_int_equal(raw[slots_off], (uint8_t)~5);
    assert_int_equal(raw[slots_off + 1], 0xff);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 5), NSIB_ECOUNTER_VALUE);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 4), NSIB_ECOUNTER_VALUE);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 0xffff), NSIB_ECOUNTER_VALUE);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 7), 0);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 9), 0);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 9);
    if (write_block <= 2) {
        /* One slot per update: three used, three left. */
        assert_int_equal(raw[slots_off + 2], (uint8_t)~7);
        assert_int_equal(raw[slots_off + 6], 0xff);
        for (uint16_t n = 10; n < 13; n++) {
            assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, n), 0);
        }
    } else {
        /* A word per update: the value fills both halves. */
        assert_int_equal(raw[slots_off + 2], (uint8_t)~5);
        assert_int_equal(raw[slots_off + 4], (uint8_t)~7);
    }
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 20), NSIB_ECOUNTER_FULL);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_MCUBOOT, 20), NSIB_ENOCOUNTER);
    flash_sim_close(&f->sim);
}

static void test_counter_wb2(void **state)
{
    (void)state;
    counter_rules(2);
}

static void test_counter_wb4(void **state)
{
    (void)state;
    counter_rules(4);
}

/* The MCUboot counter follows the NSIB counter's slots. */
static void test_second_counter(void **state)
{
    (void)state;
    struct fx *f = fx_open(2);
    struct nsib_provision p;
    uint16_t v;

    provision(f, 1, 2, 4);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_MCUBOOT, 3), 0);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_MCUBOOT, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 0);
    flash_sim_close(&f->sim);
}

static void test_revoke_and_ffff(void **state)
{
    (void)state;
    struct fx *f = fx_open(4);
    struct nsib_provision p;
    bool revoked;
    static const uint8_t bad[1][NSIB_KEY_HASH_LEN] = {
        { 1, 2, 0xff, 0xff, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
    };
    static const uint8_t odd_ff[1][NSIB_KEY_HASH_LEN] = {
        { 1, 0xff, 0xff, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
    };
    struct nsib_provision_params pp = { .s0_address = 0x8000, .s1_address = 0x15000, .key_hashes = bad, .num_keys = 1 };

    provision(f, 2, 0, 0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    assert_int_equal(nsib_keys_check(&f->fa, &p), 0);
    assert_int_equal(nsib_key_revoke(&f->fa, &p, 0), 0);
    assert_int_equal(nsib_key_read(&f->fa, &p, 0, NULL, &revoked), 0);
    assert_true(revoked);
    assert_int_equal(flash_sim_raw(&f->sim)[0x1000 + 12], 0x00);
    assert_int_equal(flash_sim_raw(&f->sim)[0x1000 + 14], 0xff);
    /* Revoking twice writes nothing. */
    assert_int_equal(nsib_key_revoke(&f->fa, &p, 0), 0);

    assert_int_equal(nsib_provision_write(&f->fa, &pp), 0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    assert_int_equal(nsib_keys_check(&f->fa, &p), NSIB_EKEYHASH_FF);
    /* A revoked key's hash no longer matters. */
    assert_int_equal(nsib_key_revoke(&f->fa, &p, 0), 0);
    assert_int_equal(nsib_keys_check(&f->fa, &p), 0);
    /* 0xFFFF across a half-word boundary is fine. */
    pp.key_hashes = odd_ff;
    assert_int_equal(nsib_provision_write(&f->fa, &pp), 0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    assert_int_equal(nsib_keys_check(&f->fa, &p), 0);
    flash_sim_close(&f->sim);
}

/* A counter update cut half-way on a 4-byte write block leaves the value
 * in the block's first slot and the second one erased for good: the value
 * counts, and the next update goes to the next block. */
static void test_counter_wb4_torn(void **state)
{
    (void)state;
    struct fx *f = fx_open(4);
    struct nsib_provision p;
    uint16_t v;

    provision(f, 1, 8, 0);
    assert_int_equal(nsib_provision_read(&f->fa, &p), 0);
    flash_sim_cut_power_after(&f->sim, 0, FLASH_SIM_CUT_TORN_WRITE);
    assert_true(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 3) != 0);
    flash_sim_reboot(&f->sim);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 4), 0);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 4);
    assert_int_equal(nsib_counter_set(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, 6), 0);
    assert_int_equal(nsib_counter_get(&f->fa, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    assert_int_equal(v, 6);
    flash_sim_close(&f->sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_is_provision_py),
        cmocka_unit_test(test_read_back),
        cmocka_unit_test(test_unprovisioned_and_corrupt),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_counter_wb2),
        cmocka_unit_test(test_counter_wb4),
        cmocka_unit_test(test_counter_wb4_torn),
        cmocka_unit_test(test_second_counter),
        cmocka_unit_test(test_revoke_and_ffff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
