#include "b0_rig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/byteorder.h"
#include "boot/nsib_provision.h"
#include "imagetool/bootloader.h"
#include "imagetool/image_sign.h"

#define FW_LEN 0x1800u
#define HW_ID 52u

static void rig_log(void *arg, char level, const char *line)
{
    struct b0_rig *r = arg;
    int n = snprintf(r->log + r->log_len, sizeof(r->log) - r->log_len, "%c: %s\n", level, line);

    if (n > 0 && (size_t)n < sizeof(r->log) - r->log_len) {
        r->log_len += (size_t)n;
    }
}

static bool hash_usable(const uint8_t h[NSIB_KEY_HASH_LEN])
{
    for (unsigned j = 0; j < NSIB_KEY_HASH_LEN; j += 2) {
        if (h[j] == 0xff && h[j + 1] == 0xff) {
            return false;
        }
    }
    return true;
}

static void make_app(struct b0_rig *r)
{
    uint8_t payload[4096];
    struct sign_opts o;
    char err[128];

    memset(payload, 0x5a, sizeof(payload));
    boot_put_le32(payload, 0x20040000u);
    boot_put_le32(payload + 4, B0_PRI_OFF + 0x301u);
    sign_opts_init(&o);
    o.key = r->mcuboot_key;
    o.version = (struct image_version){ 1, 0, 0, 0 };
    o.hdr_size = 0x200;
    o.pad_header = true;
    o.slot_size = B0_SLOT_SIZE;
    o.align = 4;
    assert_int_equal(image_sign(payload, sizeof(payload), &o, &r->app, &r->app_len, err,
                                sizeof(err)),
                     0);
}

void b0_rig_open(struct b0_rig *r)
{
    struct flash_sim_config fc = {
        .size = B0_FLASH_SIZE, .sector_size = 0x1000, .write_block = 4, .erase_value = 0xff,
    };
    uint8_t pub[64];
    uint8_t hash[1][NSIB_KEY_HASH_LEN];
    size_t der_len;

    memset(r, 0, sizeof(*r));
    assert_int_equal(flash_sim_open_ram(&r->sim, &fc), 0);
    const struct flash_dev *d = flash_sim_dev(&r->sim);
    r->prov = (struct flash_area){ 1, "provision", d, B0_PROV_OFF, 0x1000 };
    r->s0 = (struct flash_area){ 2, "s0", d, B0_S0_OFF, B0_S_SIZE };
    r->s1 = (struct flash_area){ 3, "s1", d, B0_S1_OFF, B0_S_SIZE };
    r->primary = (struct flash_area){ 4, "mcuboot_primary", d, B0_PRI_OFF, B0_SLOT_SIZE };
    r->secondary = (struct flash_area){ 5, "mcuboot_secondary", d, B0_SEC_OFF, B0_SLOT_SIZE };
    do {
        crypto_key_free(r->b0_key);
        r->b0_key = NULL;
        assert_int_equal(crypto_key_generate(CRYPTO_SIG_ECDSA_P256, &r->b0_key), 0);
        assert_int_equal(bootloader_pubkey_raw(r->b0_key, pub), 0);
        assert_int_equal(nsib_key_hash(pub, hash[0]), 0);
    } while (!hash_usable(hash[0]));
    assert_int_equal(crypto_key_generate(CRYPTO_SIG_ED25519, &r->mcuboot_key), 0);
    assert_int_equal(crypto_key_public_der(r->mcuboot_key, r->mcuboot_pub,
                                           sizeof(r->mcuboot_pub), &der_len),
                     0);
    r->key = (struct image_key){ CRYPTO_SIG_ED25519, r->mcuboot_pub, der_len };

    struct nsib_provision_params pp = {
        .s0_address = B0_S0_OFF, .s1_address = B0_S1_OFF,
        .key_hashes = (const uint8_t(*)[NSIB_KEY_HASH_LEN])hash, .num_keys = 1,
        .nsib_counter_slots = 240,
    };
    assert_int_equal(nsib_provision_write(&r->prov, &pp), 0);
    make_app(r);
    b0_rig_program(r, &r->primary, 0, r->app, r->app_len);

    r->nsib = (struct nsib_config){ .s0 = &r->s0, .s1 = &r->s1, .provision = &r->prov,
                                    .flash_base = 0, .hw_id = HW_ID,
                                    .rollback_protection = true };
    r->pair = (struct loader_pair){ &r->primary, &r->secondary };
    r->cfg.trailer = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    r->cfg.pairs = &r->pair;
    r->cfg.pair_count = 1;
    r->cfg.policy = (struct image_policy){ .mode = IMAGE_VERIFY_SIGNED, .keys = &r->key,
                                           .key_count = 1 };
    r->cfg.first_stage = &r->fs;
    r->cfg.log = rig_log;
    r->cfg.log_arg = r;
}

void b0_rig_close(struct b0_rig *r)
{
    crypto_key_free(r->b0_key);
    crypto_key_free(r->mcuboot_key);
    free(r->app);
    flash_sim_close(&r->sim);
}

void b0_release_make(const struct b0_rig *r, uint32_t fw_version, struct b0_release *out)
{
    struct bootloader_opts o = {
        .b0_key = r->b0_key, .mcuboot_key = r->mcuboot_key, .fw_version = fw_version,
        .mcuboot_version = { (uint8_t)fw_version, 0, 0, 0 }, .s_addr = { B0_S0_OFF, B0_S1_OFF },
        .pad = 0x200, .slot_size = B0_SLOT_SIZE, .hw_id = HW_ID,
    };
    struct bootloader_variant v[2];
    uint8_t *fw = malloc(FW_LEN);
    char err[128];

    assert_non_null(fw);
    for (uint32_t i = 0; i < FW_LEN; i++) {
        fw[i] = (uint8_t)(i * 7 + fw_version);
    }
    boot_put_le32(fw, 0x20040000u);
    boot_put_le32(fw + 4, B0_S0_OFF + 0x200u + 0x301u);
    memset(fw + BOOTLOADER_FW_INFO_OFFSET, 0xff, 0x100);
    assert_int_equal(bootloader_build(fw, FW_LEN, NULL, 0, &o, v, err, sizeof(err)), 0);
    free(fw);
    for (int i = 0; i < 2; i++) {
        out->update[i] = v[i].update;
        out->update_len[i] = v[i].update_len;
        out->bare[i] = v[i].b0_signed;
        out->bare_len[i] = v[i].b0_len;
    }
}

void b0_release_free(struct b0_release *rel)
{
    for (int i = 0; i < 2; i++) {
        free(rel->update[i]);
        free(rel->bare[i]);
    }
}

void b0_rig_program(struct b0_rig *r, const struct flash_area *fa, uint32_t off,
                    const uint8_t *data, size_t len)
{
    uint8_t *buf = malloc(fa->size);

    assert_non_null(buf);
    assert_true(off + len <= fa->size);
    memset(buf, 0xff, fa->size);
    memcpy(buf + off, data, len);
    assert_int_equal(flash_sim_load(&r->sim, fa->off, fa->size, buf, fa->size), 0);
    free(buf);
}

int b0_rig_boot(struct b0_rig *r, int *s_slot, uint32_t *fw_version, struct loader_result *res)
{
    r->log_len = 0;
    r->log[0] = '\0';
    for (int n = 0; n < 4; n++) {
        struct nsib_result nr;
        int rc = nsib_boot(&r->nsib, &nr);

        if (rc != 0) {
            return rc;
        }
        r->fs = (struct loader_first_stage){ .nsib = &r->nsib, .active_slot = nr.slot };
        *s_slot = nr.slot;
        *fw_version = nr.version;
        rc = loader_boot(&r->cfg, res);
        if (rc != LOADER_EREBOOT) {
            return rc;
        }
    }
    return LOADER_EINVAL;
}

bool b0_rig_logged(const struct b0_rig *r, const char *text)
{
    return strstr(r->log, text) != NULL;
}
