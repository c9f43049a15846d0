/*
 * `smpdfu-image bootloader` and `pack`: the S0/S1 variants parse and
 * validate with the first-stage code, the MCUboot wrapper validates like
 * any image, and the zips hold NCS-style manifests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <zip.h>

#include "boot/byteorder.h"
#include "boot/nsib.h"
#include "boot/nsib_fw_info.h"
#include "boot/nsib_provision.h"
#include "boot/nsib_validate.h"
#include "keys/crypto_key.h"
#include "flash/sim/flash_sim.h"
#include "imagetool/bootloader.h"
#include "imagetool/image_check.h"
#include "imagetool/image_sign.h"
#include "imagetool/mem_area.h"
#include "imagetool/pack.h"

#define S0 0x8000u
#define S1 0x15000u
#define PAD 0x200u
#define S_SIZE 0xd000u
#define FW_LEN 0x1403u /* not word aligned: the validation info is padded */
#define HW_ID 52u

static struct crypto_key *b0_key;
static struct crypto_key *mcuboot_key;
static struct crypto_key *ed_key;

static int setup(void **state)
{
    (void)state;
    assert_int_equal(crypto_key_generate(CRYPTO_SIG_ECDSA_P256, &b0_key), 0);
    assert_int_equal(crypto_key_generate(CRYPTO_SIG_ECDSA_P256, &mcuboot_key), 0);
    assert_int_equal(crypto_key_generate(CRYPTO_SIG_ED25519, &ed_key), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crypto_key_free(b0_key);
    crypto_key_free(mcuboot_key);
    crypto_key_free(ed_key);
    return 0;
}

static uint8_t *firmware(uint32_t image_addr)
{
    uint8_t *fw = malloc(FW_LEN);

    assert_non_null(fw);
    for (uint32_t i = 0; i < FW_LEN; i++) {
        fw[i] = (uint8_t)(i ^ 0x5a);
    }
    boot_put_le32(fw, 0x20040000u);
    boot_put_le32(fw + 4, image_addr + 0x2c1);
    memset(fw + BOOTLOADER_FW_INFO_OFFSET, 0xff, NSIB_FW_INFO_SIZE);
    return fw;
}

static struct bootloader_opts opts(void)
{
    return (struct bootloader_opts){
        .b0_key = b0_key, .mcuboot_key = mcuboot_key, .fw_version = 7,
        .mcuboot_version = { 1, 2, 3, 4 }, .s_addr = { S0, S1 }, .pad = PAD,
        .slot_size = 0x6e000, .hw_id = HW_ID,
    };
}

static void build(struct bootloader_variant v[2])
{
    struct bootloader_opts o = opts();
    uint8_t *fw = firmware(S0 + PAD);
    char err[160];

    assert_int_equal(bootloader_build(fw, FW_LEN, NULL, 0, &o, v, err, sizeof(err)), 0);
    free(fw);
}

/* Validate variant i as NSIB would from its slot, with b0_key provisioned. */
static int nsib_check(const struct bootloader_variant *v, int i, struct nsib_fw_info *fi)
{
    struct flash_sim sim;
    struct flash_sim_config cfg = { .size = 0x1000, .sector_size = 0x1000, .write_block = 4, .erase_value = 0xff };
    struct flash_area prov;
    struct nsib_provision p;
    uint8_t pub[64];
    uint8_t hash[1][NSIB_KEY_HASH_LEN];
    struct nsib_provision_params pp = { .s0_address = S0, .s1_address = S1, .key_hashes = hash, .num_keys = 1 };
    struct mem_area slot;
    struct nsib_slot s;
    struct nsib_keys k;
    int rc;

    assert_int_equal(bootloader_pubkey_raw(b0_key, pub), 0);
    assert_int_equal(nsib_key_hash(pub, hash[0]), 0);
    assert_int_equal(flash_sim_open_ram(&sim, &cfg), 0);
    prov = (struct flash_area){ 1, "provision", flash_sim_dev(&sim), 0, 0x1000 };
    assert_int_equal(nsib_provision_write(&prov, &pp), 0);
    assert_int_equal(nsib_provision_read(&prov, &p), 0);
    mem_area_init(&slot, v[i].update, (uint32_t)v[i].update_len, 0xff);
    s = (struct nsib_slot){ .fa = &slot.fa, .addr = i == 0 ? S0 : S1, .hw_id = HW_ID };
    k = (struct nsib_keys){ .fa = &prov, .prov = &p };
    rc = nsib_fw_info_find(&slot.fa, 0, HW_ID, fi);
    if (rc == 0) {
        rc = nsib_validate(&s, fi, &k);
    }
    flash_sim_close(&sim);
    return rc;
}

static void test_variants_validate(void **state)
{
    (void)state;
    struct bootloader_variant v[2];
    struct nsib_fw_info fi;

    build(v);
    for (int i = 0; i < 2; i++) {
        uint32_t image_addr = (i == 0 ? S0 : S1) + PAD;
        struct image_result res;

        assert_int_equal(nsib_check(v, i, &fi), 0);
        /* fw_info 0x200 past the vector table, behind the 0x200 header. */
        assert_int_equal(fi.off, PAD + BOOTLOADER_FW_INFO_OFFSET);
        assert_int_equal(fi.version, 7);
        assert_int_equal(fi.size, FW_LEN);
        assert_int_equal(fi.total_size, NSIB_FW_INFO_SIZE);
        assert_int_equal(fi.address, image_addr);
        assert_int_equal(fi.boot_address, image_addr);
        assert_int_equal(fi.valid, NSIB_FW_INFO_VALID);
        assert_int_equal(fi.magic[2], 0x3402u);
        /* The reset vector was moved with the link address. */
        assert_int_equal(boot_get_le32(v[i].update + PAD + 4), image_addr + 0x2c1);
        /* Validation info on the next word, its magic word as on nRF52. */
        assert_int_equal(v[i].b0_len, ((FW_LEN + 3) & ~3u) + NSIB_VINFO_SIZE);
        assert_int_equal(boot_get_le32(v[i].b0_signed + ((FW_LEN + 3) & ~3u) + 8), 0x13402u);
        /* The wrapper: an MCUboot image whose header is the pad. */
        assert_int_equal(image_check(v[i].update, v[i].update_len, mcuboot_key, &res), 0);
        assert_int_equal(res.hdr.hdr_size, PAD);
        assert_int_equal(res.hdr.img_size, v[i].b0_len);
        assert_int_equal(res.hdr.ver.major, 1);
        assert_int_equal(res.hdr.ver.build_num, 4);
        assert_memory_equal(v[i].update + PAD, v[i].b0_signed, v[i].b0_len);
    }
    /* Each variant belongs to its own slot only. */
    {
        struct bootloader_variant swapped[2] = { v[1], v[0] };
        assert_int_equal(nsib_check(swapped, 0, &fi), NSIB_EADDRESS);
        assert_int_equal(nsib_check(swapped, 1, &fi), NSIB_EADDRESS);
    }
    /* Another first-stage key is refused, the MCUboot wrapper too. */
    {
        struct crypto_key *save = b0_key;
        struct image_result res;
        assert_int_equal(crypto_key_generate(CRYPTO_SIG_ECDSA_P256, &b0_key), 0);
        assert_int_equal(nsib_check(v, 0, &fi), NSIB_ENOKEY);
        crypto_key_free(b0_key);
        b0_key = save;
        assert_int_not_equal(image_check(v[0].update, v[0].update_len, b0_key, &res), 0);
    }
    bootloader_variants_free(v);
}

static void test_separate_s1_build(void **state)
{
    (void)state;
    struct bootloader_opts o = opts();
    struct bootloader_variant v[2];
    uint8_t *fw0 = firmware(S0 + PAD);
    uint8_t *fw1 = firmware(S1 + PAD);
    struct nsib_fw_info fi;
    char err[160];

    fw1[0x700] ^= 0xff;
    assert_int_equal(bootloader_build(fw0, FW_LEN, fw1, FW_LEN, &o, v, err, sizeof(err)), 0);
    assert_int_equal(v[1].update[PAD + 0x700], fw1[0x700]);
    assert_int_equal(nsib_check(v, 1, &fi), 0);
    bootloader_variants_free(v);
    /* An S1 build linked for S0 is refused. */
    assert_int_equal(bootloader_build(fw0, FW_LEN, fw0, FW_LEN, &o, v, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "reset vector"));
    free(fw0);
    free(fw1);
}

static void expect_build_error(struct bootloader_opts *o, uint8_t *fw, size_t len, const char *words)
{
    struct bootloader_variant v[2];
    char err[160] = "";

    assert_int_equal(bootloader_build(fw, len, NULL, 0, o, v, err, sizeof(err)), -1);
    assert_non_null(strstr(err, words));
    assert_null(v[0].update);
}

static void test_build_refusals(void **state)
{
    (void)state;
    struct bootloader_opts o = opts();
    uint8_t *fw = firmware(S0 + PAD);

    o.fw_version = 0;
    expect_build_error(&o, fw, FW_LEN, "out of range");
    o.fw_version = 32767;
    expect_build_error(&o, fw, FW_LEN, "out of range");
    o = opts();
    o.b0_key = ed_key;
    expect_build_error(&o, fw, FW_LEN, "ECDSA P-256 private");
    o = opts();
    o.pad = 16;
    expect_build_error(&o, fw, FW_LEN, "header size");
    o = opts();
    expect_build_error(&o, fw, 0x210, "cannot hold fw_info");
    boot_put_le32(fw + 4, S1 + PAD + 0x10);
    expect_build_error(&o, fw, FW_LEN, "reset vector");
    boot_put_le32(fw + 4, S0 + PAD + 0x10);
    fw[BOOTLOADER_FW_INFO_OFFSET + 5] = 0x12;
    expect_build_error(&o, fw, FW_LEN, "room for fw_info");
    free(fw);
}

/* A firmware that already carries a fw_info (an NCS build) gets it replaced. */
static void test_existing_fw_info_replaced(void **state)
{
    (void)state;
    uint8_t *fw = firmware(S0 + PAD);
    struct nsib_fw_info old = { .size = 1, .version = 99, .address = 5, .boot_address = 5, .valid = 0 };
    uint8_t *img;
    size_t len;
    char err[160];

    nsib_fw_info_encode(&old, HW_ID, fw + BOOTLOADER_FW_INFO_OFFSET);
    assert_int_equal(bootloader_sign_b0(fw, FW_LEN, S0 + PAD, 3, b0_key, HW_ID, &img, &len, err, sizeof(err)), 0);
    assert_int_equal(boot_get_le32(img + BOOTLOADER_FW_INFO_OFFSET + 20), 3);
    assert_int_equal(boot_get_le32(img + BOOTLOADER_FW_INFO_OFFSET + 32), NSIB_FW_INFO_VALID);
    free(img);
    free(fw);
}

static char *tmp_path(const char *name)
{
    static char path[256];

    snprintf(path, sizeof(path), "%s/smpdfu-nsib-%d-%s", P_tmpdir, (int)getpid(), name);
    return path;
}

static uint8_t *zip_read(zip_t *z, const char *name, size_t *len)
{
    zip_stat_t st;
    zip_file_t *zf;
    uint8_t *buf;

    assert_int_equal(zip_stat(z, name, 0, &st), 0);
    buf = malloc(st.size + 1);
    assert_non_null(buf);
    zf = zip_fopen(z, name, 0);
    assert_non_null(zf);
    assert_int_equal(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
    zip_fclose(zf);
    buf[st.size] = 0;
    *len = st.size;
    return buf;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static void test_pack_mcuboot_zip(void **state)
{
    (void)state;
    static const char *names[2] = { "signed_by_mcuboot_and_b0_mcuboot.bin", "signed_by_mcuboot_and_b0_s1_image.bin" };
    struct bootloader_variant v[2];
    struct pack_file files[2];
    char ver[2][48];
    struct pack_info info = { .name = "mcuboot", .board = "nrf52840dk_nrf52840", .soc = "nRF52840_QIAA", .time = 1700000000 };
    const char *path = tmp_path("dfu_mcuboot.zip");
    char err[160];
    zip_t *z;
    int zerr;
    size_t len;
    uint8_t *json;
    cJSON *m;
    const cJSON *arr;

    build(v);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pack_describe_mcuboot(v[i].update, v[i].update_len, HW_ID, i, names[i], ver[i],
                                               sizeof(ver[i]), &files[i], err, sizeof(err)),
                         0);
    }
    assert_int_equal(pack_write_zip(path, &info, files, 2, err, sizeof(err)), 0);

    z = zip_open(path, ZIP_RDONLY, &zerr);
    assert_non_null(z);
    assert_int_equal(zip_get_num_entries(z, 0), 3);
    for (int i = 0; i < 2; i++) {
        uint8_t *data = zip_read(z, names[i], &len);
        assert_int_equal(len, v[i].update_len);
        assert_memory_equal(data, v[i].update, len);
        free(data);
    }
    json = zip_read(z, "manifest.json", &len);
    zip_close(z);
    m = cJSON_Parse((const char *)json);
    free(json);
    assert_non_null(m);
    assert_int_equal(num(m, "format-version"), 1);
    assert_int_equal(num(m, "time"), 1700000000);
    assert_string_equal(str(m, "name"), "mcuboot");
    arr = cJSON_GetObjectItemCaseSensitive(m, "files");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    for (int i = 0; i < 2; i++) {
        const cJSON *f = cJSON_GetArrayItem(arr, i);
        assert_string_equal(str(f, "type"), "mcuboot");
        assert_string_equal(str(f, "board"), "nrf52840dk_nrf52840");
        assert_string_equal(str(f, "soc"), "nRF52840_QIAA");
        assert_int_equal(num(f, "load_address"), i == 0 ? S0 : S1);
        assert_string_equal(str(f, "slot"), i == 0 ? "0" : "1");
        assert_string_equal(str(f, "version_MCUBOOT"), "1.2.3+4");
        assert_string_equal(str(f, "version_B0"), "7");
        assert_string_equal(str(f, "file"), names[i]);
        assert_int_equal(num(f, "size"), v[i].update_len);
        assert_int_equal(num(f, "modtime"), 1700000000);
        assert_null(cJSON_GetObjectItemCaseSensitive(f, "image_index"));
    }
    cJSON_Delete(m);
    unlink(path);
    bootloader_variants_free(v);
}

static void test_pack_application_zip(void **state)
{
    (void)state;
    uint8_t payload[0x400];
    struct sign_opts so;
    uint8_t *img;
    size_t img_len;
    struct pack_file f;
    char ver[48];
    struct pack_info info = { .board = "nrf52840dk_nrf52840", .time = 1 };
    const char *path = tmp_path("dfu_application.zip");
    char err[160];
    zip_t *z;
    int zerr;
    size_t len;
    uint8_t *json;
    cJSON *m;
    const cJSON *e;

    memset(payload, 0x42, sizeof(payload));
    sign_opts_init(&so);
    so.key = mcuboot_key;
    so.version = (struct image_version){ 0, 1, 3, 3 };
    so.hdr_size = 0x200;
    so.pad_header = true;
    so.slot_size = 0x6e000;
    so.align = 4;
    assert_int_equal(image_sign(payload, sizeof(payload), &so, &img, &img_len, err, sizeof(err)), 0);
    assert_int_equal(pack_describe_application(img, img_len, 0x22200, 0, "app_update.bin", ver, sizeof(ver), &f,
                                               err, sizeof(err)),
                     0);
    assert_int_equal(pack_write_zip(path, &info, &f, 1, err, sizeof(err)), 0);
    z = zip_open(path, ZIP_RDONLY, &zerr);
    assert_non_null(z);
    json = zip_read(z, "manifest.json", &len);
    zip_close(z);
    m = cJSON_Parse((const char *)json);
    free(json);
    assert_non_null(m);
    assert_null(cJSON_GetObjectItemCaseSensitive(m, "name"));
    e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "files"), 0);
    assert_string_equal(str(e, "type"), "application");
    assert_string_equal(str(e, "image_index"), "0");
    assert_string_equal(str(e, "slot_index_primary"), "1");
    assert_string_equal(str(e, "slot_index_secondary"), "2");
    assert_int_equal(num(e, "load_address"), 0x22200);
    assert_string_equal(str(e, "version_MCUBOOT"), "0.1.3+3");
    assert_null(cJSON_GetObjectItemCaseSensitive(e, "slot"));
    assert_null(cJSON_GetObjectItemCaseSensitive(e, "version_B0"));
    assert_null(cJSON_GetObjectItemCaseSensitive(e, "soc"));
    /* An application image is not a bootloader variant. */
    assert_int_equal(pack_describe_mcuboot(img, img_len, HW_ID, 0, "x.bin", ver, sizeof(ver), &f, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no fw_info"));
    /* Nor is a raw file an MCUboot image. */
    assert_int_equal(pack_describe_application(payload, sizeof(payload), 0, 0, "raw.bin", ver, sizeof(ver), &f, err,
                                               sizeof(err)),
                     -1);
    cJSON_Delete(m);
    free(img);
    unlink(path);
    /* A zip that cannot be created says where. */
    assert_int_equal(pack_write_zip("/nonexistent-dir/x.zip", &info, &f, 0, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.zip"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants_validate),
        cmocka_unit_test(test_separate_s1_build),
        cmocka_unit_test(test_build_refusals),
        cmocka_unit_test(test_existing_fw_info_replaced),
        cmocka_unit_test(test_pack_mcuboot_zip),
        cmocka_unit_test(test_pack_application_zip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
