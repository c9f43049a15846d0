/* Packages (.bin and dfu_application.zip) and connection strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "client/conn.h"
#include "client/package.h"

#define IMG_DIR SMPDFU_VECTORS "/images/signed/"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_package.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A zip at path with manifest text and the given (name, file) pairs. */
static void make_zip(const char *path, const char *manifest, const char *const *entries)
{
    int err;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    if (manifest) {
        zip_source_t *src = zip_source_buffer(z, manifest, strlen(manifest), 0);
        assert_true(zip_file_add(z, "manifest.json", src, 0) >= 0);
    }
    for (; entries && entries[0]; entries += 2) {
        zip_source_t *src = zip_source_file(z, entries[1], 0, -1);
        assert_non_null(src);
        assert_true(zip_file_add(z, entries[0], src, 0) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
}

static void bin_reads_version_and_tlv_hash(void **state)
{
    (void)state;
    struct package p;
    char err[256];
    assert_int_equal(package_load(IMG_DIR "ecdsa-p256-100k-auto.bin", &p, err, sizeof(err)), 0);
    assert_false(p.zip);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.img[0].image, 0);
    assert_string_equal(p.img[0].version, "5.6.7.8");
    assert_int_equal(p.img[0].hash_len, 32);
    assert_int_equal(p.img[0].hash[0], 0xe3);
    assert_int_equal(p.img[0].hash[31], 0x01);
    assert_string_equal(p.img[0].file, "ecdsa-p256-100k-auto.bin");
    assert_int_equal(p.img[0].s_slot, -1);
    package_free(&p);
}

static void not_an_image_is_refused(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/junk.bin", tmpdir);
    FILE *f = fopen(path, "wb");
    fputs("this is not an image at all, not even close to one", f);
    fclose(f);
    struct package p;
    assert_int_equal(package_load(path, &p, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not an MCUboot image"));
}

static void zip_with_two_images(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/dfu_application.zip", tmpdir);
    static const char manifest[] =
        "{\"format-version\":1,\"files\":["
        "{\"type\":\"application\",\"image_index\":\"1\",\"file\":\"net.bin\"},"
        "{\"type\":\"application\",\"image_index\":0,\"file\":\"app.bin\"}]}";
    const char *entries[] = { "app.bin", IMG_DIR "ed25519-basic.bin", "net.bin",
                              IMG_DIR "ecdsa-p256-basic.bin", NULL };
    make_zip(path, manifest, entries);
    struct package p;
    assert_int_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_true(p.zip);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.img[0].file, "net.bin");
    assert_int_equal(p.img[0].image, 1);
    assert_string_equal(p.img[1].file, "app.bin");
    assert_int_equal(p.img[1].image, 0);
    assert_string_equal(p.img[1].version, "1.2.3.4");
    package_free(&p);
}

static void mcuboot_zip_holds_both_variants(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/dfu_mcuboot.zip", tmpdir);
    static const char manifest[] =
        "{\"format-version\":1,\"files\":["
        "{\"type\":\"mcuboot\",\"slot\":\"0\",\"version_B0\":\"2\",\"file\":\"s0.bin\"},"
        "{\"type\":\"mcuboot\",\"slot\":\"1\",\"version_B0\":\"2\",\"file\":\"s1.bin\"}]}";
    const char *entries[] = { "s0.bin", IMG_DIR "ed25519-basic.bin", "s1.bin",
                              IMG_DIR "ecdsa-p256-basic.bin", NULL };
    make_zip(path, manifest, entries);
    struct package p;
    assert_int_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.img[0].type, "mcuboot");
    assert_int_equal(p.img[0].s_slot, 0);
    assert_int_equal(p.img[1].s_slot, 1);
    assert_int_equal(p.img[0].image, 0);
    assert_int_equal(p.img[1].image, 0);
    package_free(&p);
}

static void zip_errors_are_specific(void **state)
{
    (void)state;
    char path[128], err[256];
    struct package p;
    snprintf(path, sizeof(path), "%s/bad.zip", tmpdir);
    const char *app[] = { "app.bin", IMG_DIR "ed25519-basic.bin", NULL };

    make_zip(path, NULL, app);
    assert_int_not_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "no manifest.json"));

    make_zip(path, "{\"files\":[{\"image_index\":\"0\",\"file\":\"missing.bin\"}]}", app);
    assert_int_not_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "missing.bin but the zip does not hold it"));

    make_zip(path, "{\"files\":[{\"type\":\"suit-envelope\",\"file\":\"app.bin\"}]}", app);
    assert_int_equal(package_load(path, &p, err, sizeof(err)), -ENOTSUP);
    assert_non_null(strstr(err, "type \"suit-envelope\""));

    make_zip(path,
             "{\"files\":[{\"type\":\"mcuboot\",\"slot\":\"1\",\"file\":\"app.bin\"},"
             "{\"type\":\"mcuboot\",\"slot\":1,\"file\":\"app.bin\"}]}",
             app);
    assert_int_not_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "two files for image 0"));

    make_zip(path, "{\"files\":[{\"type\":\"mcuboot\",\"slot\":\"2\",\"file\":\"app.bin\"}]}",
             app);
    assert_int_not_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "bad image_index or slot"));

    make_zip(path,
             "{\"files\":[{\"image_index\":\"0\",\"file\":\"app.bin\"},"
             "{\"image_index\":\"0\",\"file\":\"app.bin\"}]}",
             app);
    assert_int_not_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "two files for image 0"));

    make_zip(path, "{\"files\":[{\"image_index\":\"x\",\"file\":\"app.bin\"}]}", app);
    assert_int_not_equal(package_load(path, &p, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "bad image_index"));
}

static void connection_strings(void **state)
{
    (void)state;
    struct conn_spec c;
    char err[256];
    assert_int_equal(conn_parse("udp:192.0.2.1", &c, err, sizeof(err)), 0);
    assert_int_equal(c.type, CONN_UDP);
    assert_string_equal(c.host, "192.0.2.1");
    assert_int_equal(c.port, 1337);
    assert_int_equal(conn_parse("udp:[::1]:9000", &c, err, sizeof(err)), 0);
    assert_string_equal(c.host, "::1");
    assert_int_equal(c.port, 9000);
    assert_int_equal(conn_parse("serial:/dev/ttyACM0", &c, err, sizeof(err)), 0);
    assert_int_equal(c.type, CONN_SERIAL);
    assert_string_equal(c.device, "/dev/ttyACM0");
    assert_int_equal(c.baud, 115200);
    assert_int_equal(conn_parse("serial:/dev/ttyUSB1,baud=1000000", &c, err, sizeof(err)), 0);
    assert_int_equal(c.baud, 1000000);
    assert_int_equal(conn_parse("serial:/dev/x,baud=fast", &c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "bad baud rate"));
    assert_int_equal(conn_parse("serial:,baud=9600", &c, err, sizeof(err)), -EINVAL);
    assert_int_equal(conn_parse("tcp:host", &c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unknown connection"));
    assert_int_equal(conn_parse("ble:DK-1", &c, err, sizeof(err)), 0);
    assert_int_equal(c.type, CONN_BLE);
    assert_string_equal(c.device, "DK-1");
    /* No system bus here: BlueZ cannot be reached, and the error says so. */
    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
    struct client_link l;
    assert_true(conn_open(&c, &l, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "ble DK-1: "));
    assert_int_equal(conn_parse("blesim:/tmp/dev.sock,interval=7.5,phy=2M,mtu=498", &c, err,
                                sizeof(err)),
                     0);
    assert_int_equal(c.type, CONN_BLESIM);
    assert_string_equal(c.device, "/tmp/dev.sock,interval=7.5,phy=2M,mtu=498");
    assert_int_equal(conn_parse("blesim:/tmp/dev.sock,phy=3M", &c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "bad simulated BLE link"));

    assert_int_equal(conn_parse_go("serial", "dev=/dev/ttyACM1,baud=9600,mtu=256", &c, err,
                                   sizeof(err)),
                     0);
    assert_string_equal(c.device, "/dev/ttyACM1");
    assert_int_equal(c.baud, 9600);
    assert_int_equal(conn_parse_go("udp", "[fe80::1]:1337", &c, err, sizeof(err)), 0);
    assert_string_equal(c.host, "fe80::1");
    assert_int_equal(conn_parse_go("oic", "x", &c, err, sizeof(err)), -EINVAL);
    assert_int_equal(conn_parse_go("udp", NULL, &c, err, sizeof(err)), -EINVAL);
}

static void profiles(void **state)
{
    (void)state;
    char path[128], spec[256], err[256];
    snprintf(path, sizeof(path), "%s/connections", tmpdir);
    setenv("SMPDFU_CONNECTIONS", path, 1);
    assert_int_equal(conn_profile_find("dk", spec, sizeof(spec)), -ENOENT);
    assert_int_equal(conn_profile_save("dk", "serial:/dev/ttyACM0", err, sizeof(err)), 0);
    assert_int_equal(conn_profile_save("lab", "udp:10.0.0.2", err, sizeof(err)), 0);
    assert_int_equal(conn_profile_save("dk", "serial:/dev/ttyACM3,baud=9600", err, sizeof(err)), 0);
    assert_int_equal(conn_profile_find("dk", spec, sizeof(spec)), 0);
    assert_string_equal(spec, "serial:/dev/ttyACM3,baud=9600");
    assert_int_equal(conn_profile_find("lab", spec, sizeof(spec)), 0);
    assert_string_equal(spec, "udp:10.0.0.2");
    assert_int_equal(conn_profile_save("bad name", "udp:x", err, sizeof(err)), -EINVAL);
    assert_int_equal(conn_profile_save("x", "nonsense", err, sizeof(err)), -EINVAL);
    assert_int_equal(conn_profile_delete("dk"), 0);
    assert_int_equal(conn_profile_find("dk", spec, sizeof(spec)), -ENOENT);
    assert_int_equal(conn_profile_delete("dk"), -ENOENT);
    assert_int_equal(conn_profile_find("lab", spec, sizeof(spec)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bin_reads_version_and_tlv_hash),
        cmocka_unit_test(not_an_image_is_refused),
        cmocka_unit_test(zip_with_two_images),
        cmocka_unit_test(mcuboot_zip_holds_both_variants),
        cmocka_unit_test(zip_errors_are_specific),
        cmocka_unit_test(connection_strings),
        cmocka_unit_test(profiles),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
