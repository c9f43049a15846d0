/*
 * NSIB's slot choice, validation and counters on a simulated nRF52840
 * layout: provision at 0x7000, S0 at 0x8000, S1 at 0x15000, 0x200 pads.
 * Images are built by the same code as `smpdfu-image bootloader`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/byteorder.h"
#include "boot/nsib.h"
#include "boot/nsib_fw_info.h"
#include "boot/nsib_provision.h"
#include "boot/nsib_target.h"
#include "boot/nsib_validate.h"
#include "keys/crypto_key.h"
#include "flash/sim/flash_sim.h"
#include "imagetool/bootloader.h"
#include "imagetool/image_sign.h"

#define PROV_OFF 0x7000u
#define S0_OFF   0x8000u
#define S1_OFF   0x15000u
#define S_SIZE   0xd000u
#define PAD      0x200u
#define FW_LEN   0x1800u
#define HW_ID    52u

static struct crypto_key *keys[2];
static uint8_t key_hashes[2][NSIB_KEY_HASH_LEN];

struct fx {
    struct flash_sim sim;
    struct flash_area prov, s0, s1;
    struct nsib_config cfg;
};

static bool hash_usable(const uint8_t h[NSIB_KEY_HASH_LEN])
{
    for (unsigned j = 0; j < NSIB_KEY_HASH_LEN; j += 2) {
        if (h[j] == 0xff && h[j + 1] == 0xff) {
            return false;
        }
    }
    return true;
}

static int group_setup(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        uint8_t pub[64];
        /* NCS cannot use a key whose hash looks erased; draw another. */
        do {
            crypto_key_free(keys[i]);
            keys[i] = NULL;
            assert_int_equal(crypto_key_generate(CRYPTO_SIG_ECDSA_P256, &keys[i]), 0);
            assert_int_equal(bootloader_pubkey_raw(keys[i], pub), 0);
            assert_int_equal(nsib_key_hash(pub, key_hashes[i]), 0);
        } while (!hash_usable(key_hashes[i]));
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    crypto_key_free(keys[0]);
    crypto_key_free(keys[1]);
    return 0;
}

static struct fx *fx_open(uint8_t write_block, uint32_t nkeys, uint16_t counter_slots)
{
    static struct fx f;
    struct flash_sim_config cfg = {
        .size = 0x40000, .sector_size = 0x1000, .write_block = write_block, .erase_value = 0xff,
    };
    struct nsib_provision_params pp = {
        .s0_address = S0_OFF, .s1_address = S1_OFF, .key_hashes = (const uint8_t(*)[16])key_hashes,
        .num_keys = nkeys, .nsib_counter_slots = counter_slots,
    };

    memset(&f, 0, sizeof(f));
    assert_int_equal(flash_sim_open_ram(&f.sim, &cfg), 0);
    f.prov = (struct flash_area){ 1, "provision", flash_sim_dev(&f.sim), PROV_OFF, 0x1000 };
    f.s0 = (struct flash_area){ 2, "s0", flash_sim_dev(&f.sim), S0_OFF, S_SIZE };
    f.s1 = (struct flash_area){ 3, "s1", flash_sim_dev(&f.sim), S1_OFF, S_SIZE };
    f.cfg = (struct nsib_config){ .s0 = &f.s0, .s1 = &f.s1, .provision = &f.prov, .flash_base = 0,
                                  .hw_id = HW_ID, .rollback_protection = counter_slots != 0 };
    assert_int_equal(nsib_provision_write(&f.prov, &pp), 0);
    return &f;
}

/* A firmware linked at image_addr: vector table, room for fw_info, filler. */
static uint8_t *firmware(uint32_t image_addr)
{
    uint8_t *fw = malloc(FW_LEN);

    assert_non_null(fw);
    for (uint32_t i = 0; i < FW_LEN; i++) {
        fw[i] = (uint8_t)(i * 7 + 3);
    }
    boot_put_le32(fw, 0x20040000u);
    boot_put_le32(fw + 4, image_addr + 0x101);
    memset(fw + BOOTLOADER_FW_INFO_OFFSET, 0, NSIB_FW_INFO_SIZE);
    return fw;
}

/* Put into slot (0/1) an image linked for slot `linked`, with version
 * and key; *len_out is the signed length (firmware + validation info). */
static uint8_t *build(uint32_t linked, uint32_t version, int key, size_t *len_out)
{
    uint32_t addr = (linked == 0 ? S0_OFF : S1_OFF) + PAD;
    uint8_t *fw = firmware(addr);
    uint8_t *img = NULL;
    size_t len = 0;
    char err[128];

    assert_int_equal(bootloader_sign_b0(fw, FW_LEN, addr, version, keys[key], HW_ID, &img, &len,
                                        err, sizeof(err)),
                     0);
    free(fw);
    *len_out = len;
    return img;
}

static void put(struct fx *f, int slot, const uint8_t *img, size_t len)
{
    uint8_t *buf = malloc(PAD + len);

    assert_non_null(buf);
    memset(buf, 0xff, PAD);
    memcpy(buf + PAD, img, len);
    assert_int_equal(flash_sim_load(&f->sim, slot == 0 ? S0_OFF : S1_OFF, S_SIZE, buf, PAD + len), 0);
    free(buf);
}

static void install(struct fx *f, int slot, uint32_t version, int key)
{
    size_t len;
    uint8_t *img = build((uint32_t)slot, version, key, &len);

    put(f, slot, img, len);
    free(img);
}

/* Install with one byte of the image patched after signing. */
static void install_patched(struct fx *f, int slot, uint32_t version, size_t at, uint32_t word)
{
    size_t len;
    uint8_t *img = build((uint32_t)slot, version, 0, &len);

    boot_put_le32(img + at, word);
    put(f, slot, img, len);
    free(img);
}

static uint16_t counter(struct fx *f)
{
    struct nsib_provision p;
    uint16_t v;

    assert_int_equal(nsib_provision_read(&f->prov, &p), 0);
    assert_int_equal(nsib_counter_get(&f->prov, &p, NSIB_COUNTER_DESC_NSIB, &v), 0);
    return v;
}

static int boot(struct fx *f, struct nsib_result *res)
{
    return nsib_boot(&f->cfg, res);
}

#define FI(field) (BOOTLOADER_FW_INFO_OFFSET + (field))

static void test_s0_only(void **state)
{
    (void)state;
    struct fx *f = fx_open(4, 1, 8);
    struct nsib_result r;
    int active = -1;

    install(f, 0, 3, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 0);
    assert_int_equal(r.boot_address, S0_OFF + PAD);
    assert_int_equal(r.version, 3);
    assert_true(r.counter_raised);
    assert_int_equal(r.slots[1].rc, NSIB_ENOFWINFO);
    /* Version 3 from S0: (3 << 1) | !0. */
    assert_int_equal(counter(f), 7);
    assert_int_equal(nsib_active_slot(&f->cfg, &active), 0);
    assert_int_equal(active, 0);
    /* Booting the same again leaves the counter alone. */
    assert_int_equal(boot(f, &r), 0);
    assert_false(r.counter_raised);
    flash_sim_close(&f->sim);
}

static void test_newer_s1_wins(void **state)
{
    (void)state;
    struct fx *f = fx_open(4, 1, 8);
    struct nsib_result r;
    int active = -1;

    install(f, 0, 3, 0);
    install(f, 1, 4, 0);
    assert_int_equal(nsib_active_slot(&f->cfg, &active), 0);
    assert_int_equal(active, 1);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 1);
    assert_int_equal(r.boot_address, S1_OFF + PAD);
    assert_false(r.slots[0].tried);
    assert_int_equal(counter(f), 8);
    /* S0 gets version 4 too: ties go to S0; the counter only moves for
     * a higher version, as in NCS. */
    install(f, 0, 4, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 0);
    assert_false(r.counter_raised);
    assert_int_equal(counter(f), 8);
    install(f, 1, 5, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 1);
    assert_int_equal(counter(f), 10);
    flash_sim_close(&f->sim);
}

static void test_equal_versions_pick_s0(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;

    install(f, 0, 5, 0);
    install(f, 1, 5, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 0);
    flash_sim_close(&f->sim);
}

/* A torn or forged S1 is invalidated and S0 boots; next time S1 is not
 * even considered first. */
static void bad_s1_falls_back(uint8_t write_block)
{
    struct fx *f = fx_open(write_block, 1, 8);
    struct nsib_result r;
    struct nsib_fw_info fi;
    int active = -1;

    install(f, 0, 3, 0);
    install_patched(f, 1, 4, 0x1000, 0xdeadbeef);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 0);
    assert_true(r.slots[1].tried);
    assert_int_equal(r.slots[1].rc, NSIB_EBADSIG);
    assert_true(r.slots[1].invalidated);
    assert_int_equal(counter(f), 7);
    if (write_block <= 2) {
        /* NCS's result exactly: 0x9102FFFF & 0xFFFF0000. */
        assert_int_equal(nsib_fw_info_find(&f->s1, 0, HW_ID, &fi), 0);
        assert_int_equal(fi.valid, 0x91020000u);
    } else {
        assert_int_equal(nsib_fw_info_find(&f->s1, 0, HW_ID, &fi), NSIB_ENOFWINFO);
    }
    assert_int_equal(nsib_active_slot(&f->cfg, &active), 0);
    assert_int_equal(active, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 0);
    assert_false(r.slots[1].invalidated);
    flash_sim_close(&f->sim);
}

static void test_bad_s1_wb2(void **state)
{
    (void)state;
    bad_s1_falls_back(2);
}

static void test_bad_s1_wb4(void **state)
{
    (void)state;
    bad_s1_falls_back(4);
}

static void test_rollback_refused(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;

    install(f, 1, 6, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(counter(f), 12);
    /* Only an older image is left: NSIB refuses it. */
    assert_int_equal(flash_area_erase(&f->s1, 0, S_SIZE), 0);
    install(f, 0, 5, 0);
    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slot, -1);
    assert_int_equal(r.slots[0].rc, NSIB_EROLLBACK);
    assert_true(r.slots[0].invalidated);
    flash_sim_close(&f->sim);
}

static void test_no_rollback_protection(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 0);
    struct nsib_result r;

    install(f, 0, 2, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_false(r.counter_raised);
    /* Protection on, but no counter provisioned: NCS does not boot. */
    f->cfg.rollback_protection = true;
    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slots[0].rc, NSIB_ENOCOUNTER);
    assert_false(r.slots[0].invalidated);
    flash_sim_close(&f->sim);
}

/* No counter slot left for a newer image: NCS does not boot it (and does
 * not invalidate it) but falls back to the other slot. */
static void test_counter_full(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 2);
    struct nsib_result r;

    install(f, 0, 1, 0);
    assert_int_equal(boot(f, &r), 0);
    install(f, 1, 2, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 1);
    install(f, 0, 3, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 1);
    assert_int_equal(r.slots[0].rc, NSIB_ECOUNTER_FULL);
    assert_false(r.slots[0].invalidated);
    assert_int_equal(counter(f), 4);
    flash_sim_close(&f->sim);
}

/* The S1 variant in S0 (wrong slot) never boots from there. */
static void test_wrong_slot_image(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;
    size_t len;
    uint8_t *img = build(1, 3, 0, &len);

    put(f, 0, img, len);
    free(img);
    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slots[0].rc, NSIB_EADDRESS);
    flash_sim_close(&f->sim);
}

static void test_unknown_key(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;

    install(f, 0, 3, 1);
    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slots[0].rc, NSIB_ENOKEY);
    flash_sim_close(&f->sim);
}

/* Booting an image of key 1 revokes key 0 for good. */
static void test_key_rotation(void **state)
{
    (void)state;
    struct fx *f = fx_open(4, 2, 8);
    struct nsib_provision p;
    struct nsib_result r;
    bool revoked = false;

    install(f, 0, 3, 1);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(nsib_provision_read(&f->prov, &p), 0);
    assert_int_equal(nsib_key_read(&f->prov, &p, 0, NULL, &revoked), 0);
    assert_true(revoked);
    install(f, 1, 4, 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 0);
    assert_int_equal(r.slots[1].rc, NSIB_ENOKEY);
    flash_sim_close(&f->sim);
}

static void test_provision_refusals(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;
    struct flash_area other = { 4, "s0", flash_sim_dev(&f->sim), 0x9000, S_SIZE - 0x1000 };

    install(f, 0, 3, 0);
    f->cfg.s0 = &other;
    assert_int_equal(boot(f, &r), NSIB_EPROVISION);
    f->cfg.s0 = &f->s0;
    f->cfg.flash_base = 0x1000;
    assert_int_equal(boot(f, &r), NSIB_EPROVISION);
    f->cfg.flash_base = 0;
    assert_int_equal(flash_area_erase(&f->prov, 0, 0x1000), 0);
    assert_int_equal(boot(f, &r), NSIB_EPROVISION);
    flash_sim_close(&f->sim);
}

static void test_key_hash_ffff(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;
    static const uint8_t bad[1][NSIB_KEY_HASH_LEN] = { { 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 } };
    struct nsib_provision_params pp = { .s0_address = S0_OFF, .s1_address = S1_OFF, .key_hashes = bad,
                                        .num_keys = 1, .nsib_counter_slots = 8 };

    assert_int_equal(nsib_provision_write(&f->prov, &pp), 0);
    install(f, 0, 3, 0);
    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slots[0].rc, NSIB_EKEYHASH_FF);
    flash_sim_close(&f->sim);
}

static void test_nothing_to_boot(void **state)
{
    (void)state;
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;
    int active = 7;

    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slots[0].rc, NSIB_ENOFWINFO);
    assert_int_equal(r.slots[1].rc, NSIB_ENOFWINFO);
    assert_int_equal(nsib_active_slot(&f->cfg, &active), NSIB_ENOFWINFO);
    flash_sim_close(&f->sim);
}

/* One refusal per field: the image is patched after signing, and each
 * check comes before the signature, as in NCS. */
static void expect_refusal(size_t at, uint32_t word, int rc)
{
    struct fx *f = fx_open(2, 1, 8);
    struct nsib_result r;

    install_patched(f, 0, 3, at, word);
    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slots[0].rc, rc);
    flash_sim_close(&f->sim);
}

static void test_field_refusals(void **state)
{
    (void)state;
    uint32_t base = S0_OFF + PAD;
    size_t vinfo = FW_LEN; /* FW_LEN is word aligned */

    expect_refusal(FI(NSIB_FW_INFO_VALID_OFF), 0x91020000u, NSIB_EINVALIDATED);
    expect_refusal(FI(24), S0_OFF + S_SIZE, NSIB_EADDRESS);        /* address outside S0 */
    expect_refusal(FI(24), base + 0x800, NSIB_EADDRESS);            /* does not lead to this fw_info */
    expect_refusal(FI(16), S_SIZE, NSIB_ESIZE);                     /* runs past the slot */
    expect_refusal(FI(12), FW_LEN + 4, NSIB_ESIZE);                 /* total_size > size */
    expect_refusal(FI(12), 8, NSIB_EFWINFO_SIGNED);                 /* shorter than fw_info */
    expect_refusal(FI(16), BOOTLOADER_FW_INFO_OFFSET + 8, NSIB_EFWINFO_SIGNED);
    expect_refusal(FI(28), base + FW_LEN, NSIB_EBOOTADDR);
    expect_refusal(4, 0x00000101u, NSIB_ERESETVEC);
    expect_refusal(vinfo, 0, NSIB_ENOVINFO);
    expect_refusal(vinfo + 12, base + 4, NSIB_EVINFO_ADDR);
    expect_refusal(vinfo + 112, 0x01020304u, NSIB_EBADSIG);         /* signature */
    expect_refusal(0x800, 0x01020304u, NSIB_EBADSIG);               /* firmware */
}

/* The MCUboot-wrapped variant, written at the slot start as the loader
 * copies it, boots as well: the header is the pad. */
static void test_wrapped_variant_boots(void **state)
{
    (void)state;
    struct fx *f = fx_open(4, 1, 8);
    struct bootloader_opts o = {
        .b0_key = keys[0], .fw_version = 9, .mcuboot_version = { 1, 2, 3, 0 },
        .s_addr = { S0_OFF, S1_OFF }, .pad = PAD, .slot_size = S_SIZE, .hw_id = HW_ID,
    };
    struct bootloader_variant v[2];
    struct nsib_result r;
    uint8_t *fw = firmware(S0_OFF + PAD);
    char err[128];

    assert_int_equal(bootloader_build(fw, FW_LEN, NULL, 0, &o, v, err, sizeof(err)), 0);
    free(fw);
    assert_int_equal(flash_sim_load(&f->sim, S0_OFF, S_SIZE, v[0].update, v[0].update_len), 0);
    assert_int_equal(flash_sim_load(&f->sim, S1_OFF, S_SIZE, v[1].update, v[1].update_len), 0);
    assert_int_equal(boot(f, &r), 0);
    assert_int_equal(r.slot, 0);
    /* Crossed over, neither variant boots. */
    assert_int_equal(flash_sim_load(&f->sim, S0_OFF, S_SIZE, v[1].update, v[1].update_len), 0);
    assert_int_equal(flash_sim_load(&f->sim, S1_OFF, S_SIZE, v[0].update, v[0].update_len), 0);
    assert_int_equal(boot(f, &r), NSIB_ENOBOOT);
    assert_int_equal(r.slots[0].rc, NSIB_EADDRESS);
    assert_int_equal(r.slots[1].rc, NSIB_EADDRESS);
    bootloader_variants_free(v);
    flash_sim_close(&f->sim);
}

/* A power cut at every flash operation of a boot that invalidates S1 and
 * raises the counter: the next boot still picks the good S0. */
static void test_power_cut_during_boot(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3 * 2; kind++) {
        for (uint32_t n = 0; n < 4; n++) {
            /* Both ways of invalidating: half-word write and sector erase. */
            struct fx *f = fx_open(kind < 3 ? 2 : 4, 1, 8);
            struct nsib_result r;

            install(f, 0, 3, 0);
            install_patched(f, 1, 4, 0x1000, 0xdeadbeef);
            flash_sim_cut_power_after(&f->sim, n, (enum flash_sim_cut)(kind % 3));
            (void)boot(f, &r);
            flash_sim_reboot(&f->sim);
            assert_int_equal(boot(f, &r), 0);
            assert_int_equal(r.slot, 0);
            assert_true(counter(f) >= 7);
            flash_sim_close(&f->sim);
        }
    }
}

/* The S slot a candidate is linked for, by its reset vector. */
static void test_target_slot(void **state)
{
    (void)state;
    struct fx *f = fx_open(4, 1, 8);
    struct flash_area secondary = { 5, "mcuboot_secondary", flash_sim_dev(&f->sim), 0x30000, 0x10000 };
    struct bootloader_opts o = {
        .b0_key = keys[0], .fw_version = 2, .s_addr = { S0_OFF, S1_OFF }, .pad = PAD, .slot_size = S_SIZE,
        .hw_id = HW_ID,
    };
    struct bootloader_variant v[2];
    struct sign_opts so;
    uint8_t *fw = firmware(S0_OFF + PAD);
    uint8_t *app;
    size_t app_len;
    char err[128];
    int slot = -1;

    assert_int_equal(bootloader_build(fw, FW_LEN, NULL, 0, &o, v, err, sizeof(err)), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(flash_sim_load(&f->sim, 0x30000, 0x10000, v[i].update, v[i].update_len), 0);
        assert_int_equal(nsib_target_slot(&f->cfg, &secondary, &slot), 0);
        assert_int_equal(slot, i);
    }
    /* An application: linked behind the S slots. */
    boot_put_le32(fw + 4, 0x22201);
    sign_opts_init(&so);
    so.hdr_size = PAD;
    so.pad_header = true;
    so.slot_size = 0x10000;
    so.align = 4;
    assert_int_equal(image_sign(fw, FW_LEN, &so, &app, &app_len, err, sizeof(err)), 0);
    assert_int_equal(flash_sim_load(&f->sim, 0x30000, 0x10000, app, app_len), 0);
    assert_int_equal(nsib_target_slot(&f->cfg, &secondary, &slot), NSIB_EADDRESS);
    /* Nothing there. */
    assert_int_equal(flash_area_erase(&secondary, 0, 0x10000), 0);
    assert_int_equal(nsib_target_slot(&f->cfg, &secondary, &slot), NSIB_EINVAL);
    free(app);
    free(fw);
    bootloader_variants_free(v);
    flash_sim_close(&f->sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s0_only),
        cmocka_unit_test(test_newer_s1_wins),
        cmocka_unit_test(test_equal_versions_pick_s0),
        cmocka_unit_test(test_bad_s1_wb2),
        cmocka_unit_test(test_bad_s1_wb4),
        cmocka_unit_test(test_rollback_refused),
        cmocka_unit_test(test_no_rollback_protection),
        cmocka_unit_test(test_counter_full),
        cmocka_unit_test(test_wrong_slot_image),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_key_rotation),
        cmocka_unit_test(test_provision_refusals),
        cmocka_unit_test(test_key_hash_ffff),
        cmocka_unit_test(test_nothing_to_boot),
        cmocka_unit_test(test_field_refusals),
        cmocka_unit_test(test_wrapped_variant_boots),
        cmocka_unit_test(test_power_cut_during_boot),
        cmocka_unit_test(test_target_slot),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
