/*
 * Image group (1), state read and write: the list, the flags derived from
 * both trailers, and the trailer writes of test, permanent and confirm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "boot/trailer.h"
#include "mgmt_test.h"
#include "wire/smp_err.h"

#define ID_STATE 0

struct fixture {
    struct t_bench b;
    uint8_t img[8192];
    uint8_t hash_p0[32];
    uint8_t hash_s0[32];
    uint8_t hash_p1[32];
    uint8_t hash_s1[32];
    uint8_t snap[T_FLASH_SIZE];
};

static int setup_pairs(void **state, size_t pairs)
{
    static struct fixture f;
    size_t n;

    t_bench_open(&f.b, 4, pairs);
    n = t_image_build(f.img, sizeof(f.img), 1, 2, 3, 0, 3000, 1, 0, f.hash_p0);
    t_area_load(&f.b, &f.b.primary0, f.img, n);
    if (pairs > 1) {
        n = t_image_build(f.img, sizeof(f.img), 0, 9, 0, 0, 1500, 3, 0, f.hash_p1);
        t_area_load(&f.b, &f.b.primary1, f.img, n);
    }
    *state = &f;
    return 0;
}

static int setup(void **state)
{
    return setup_pairs(state, 1);
}

static int setup2(void **state)
{
    return setup_pairs(state, 2);
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    t_bench_close(&f->b);
    return 0;
}

static void load_secondary0(struct fixture *f, uint32_t build, uint32_t flags)
{
    size_t n = t_image_build(f->img, sizeof(f->img), 1, 3, 0, build, 2500, 2, flags, f->hash_s0);

    t_area_load(&f->b, &f->b.secondary0, f->img, n);
}

static void load_secondary1(struct fixture *f)
{
    size_t n = t_image_build(f->img, sizeof(f->img), 1, 0, 0, 0, 1200, 4, 0, f->hash_s1);

    t_area_load(&f->b, &f->b.secondary1, f->img, n);
}

/* One entry of the list as the test expects it. */
struct entry {
    int image; /* -1: the key must be absent */
    unsigned slot;
    const char *version;
    const uint8_t *hash;
    bool bootable, pending, confirmed, active, permanent;
};

static void check_list(struct fixture *f, const struct entry *want, size_t count)
{
    cbor_item_t *m = t_rsp_body(&f->b);
    cbor_item_t *images = t_map_get(m, "images");

    assert_non_null(images);
    assert_true(cbor_isa_array(images));
    assert_int_equal(cbor_array_size(images), count);
    assert_int_equal(t_map_int(m, "splitStatus"), 0);
    assert_int_equal(t_map_count(m), 2);
    for (size_t i = 0; i < count; i++) {
        cbor_item_t *e = cbor_array_handle(images)[i];
        char version[32];
        uint8_t hash[64];

        if (want[i].image < 0) {
            assert_null(t_map_get(e, "image"));
            assert_int_equal(t_map_count(e), 8);
        } else {
            assert_int_equal(t_map_uint(e, "image"), (uint64_t)want[i].image);
            assert_int_equal(t_map_count(e), 9);
        }
        assert_int_equal(t_map_uint(e, "slot"), want[i].slot);
        t_map_str(e, "version", version, sizeof(version));
        assert_string_equal(version, want[i].version);
        assert_int_equal(t_map_bytes(e, "hash", hash, sizeof(hash)), 32);
        assert_memory_equal(hash, want[i].hash, 32);
        assert_int_equal(t_map_bool(e, "bootable"), want[i].bootable);
        assert_int_equal(t_map_bool(e, "pending"), want[i].pending);
        assert_int_equal(t_map_bool(e, "confirmed"), want[i].confirmed);
        assert_int_equal(t_map_bool(e, "active"), want[i].active);
        assert_int_equal(t_map_bool(e, "permanent"), want[i].permanent);
    }
    cbor_decref(&m);
}

static size_t write_body(struct t_body *tb, const uint8_t *hash, size_t hash_len, int confirm)
{
    t_body_begin(tb);
    if (hash != NULL) {
        smp_cbor_put_key(&tb->w, "hash");
        smp_cbor_put_bstr(&tb->w, hash, hash_len);
    }
    if (confirm >= 0) {
        smp_cbor_put_key(&tb->w, "confirm");
        smp_cbor_put_bool(&tb->w, confirm != 0);
    }
    return t_body_end(tb);
}

static void state_write(struct fixture *f, uint8_t ver, const uint8_t *hash, int confirm)
{
    struct t_body tb;
    size_t n = write_body(&tb, hash, hash == NULL ? 0 : 32, confirm);

    assert_true(t_request(&f->b, ver, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_STATE, tb.buf, n) > 0);
}

static void expect_state_err(struct fixture *f, const uint8_t *hash, size_t hash_len, int confirm,
                             int rc, int v1)
{
    struct t_body tb;
    size_t n = write_body(&tb, hash, hash_len, confirm);

    t_snapshot(&f->b, 0, T_FLASH_SIZE, f->snap);
    t_expect_group_err_both(&f->b, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_STATE, tb.buf, n, rc, v1);
    assert_true(t_unchanged(&f->b, 0, T_FLASH_SIZE, f->snap));
}

static void read_trailer(struct fixture *f, const struct flash_area *fa, struct trailer_state *st)
{
    assert_int_equal(trailer_read(fa, &f->b.cfg.trailer, st), 0);
}

/* ---- read --------------------------------------------------------------- */

static void test_read_single(void **state)
{
    struct fixture *f = *state;
    const struct entry only[] = {
        {-1, 0, "1.2.3", f->hash_p0, true, false, true, true, false},
    };
    const struct entry both[] = {
        {-1, 0, "1.2.3", f->hash_p0, true, false, true, true, false},
        {-1, 1, "1.3.0.7", f->hash_s0, false, false, false, false, false},
    };

    t_bench_start(&f->b);
    for (uint8_t ver = SMP_VER_1; ver <= SMP_VER_2; ver++) {
        assert_true(t_request(&f->b, ver, SMP_OP_READ, SMP_GROUP_IMAGE, ID_STATE, NULL, 0) > 0);
        check_list(f, only, 1);
    }
    load_secondary0(f, 7, IMAGE_F_NON_BOOTABLE);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_IMAGE, ID_STATE, NULL, 0) > 0);
    check_list(f, both, 2);
}

static void test_read_skips_unreadable(void **state)
{
    struct fixture *f = *state;
    const struct entry only[] = {
        {-1, 0, "1.2.3", f->hash_p0, true, false, true, true, false},
    };
    static const uint8_t junk[64] = {0x3c, 0xb8, 0xf3, 0x96};

    t_bench_start(&f->b);
    /* A legacy magic, then a header whose TLVs are missing. */
    t_area_load(&f->b, &f->b.secondary0, junk, sizeof(junk));
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_IMAGE, ID_STATE, NULL, 0) > 0);
    check_list(f, only, 1);
    load_secondary0(f, 0, 0);
    memcpy(f->img, flash_sim_raw(&f->b.sim) + T_S0_OFF, 64);
    t_area_load(&f->b, &f->b.secondary0, f->img, 64);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_IMAGE, ID_STATE, NULL, 0) > 0);
    check_list(f, only, 1);
}

static void test_read_two_images(void **state)
{
    struct fixture *f = *state;

    load_secondary0(f, 0, 0);
    load_secondary1(f);
    t_bench_start(&f->b);
    const struct entry want[] = {
        {0, 0, "1.2.3", f->hash_p0, true, false, true, true, false},
        {0, 1, "1.3.0", f->hash_s0, true, false, false, false, false},
        {1, 0, "0.9.0", f->hash_p1, true, false, true, true, false},
        {1, 1, "1.0.0", f->hash_s1, true, false, false, false, false},
    };
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_IMAGE, ID_STATE, NULL, 0) > 0);
    check_list(f, want, 4);
}

/* ---- write -------------------------------------------------------------- */

static void test_test_then_permanent_rules(void **state)
{
    struct fixture *f = *state;
    struct trailer_state ts;
    const struct entry pending[] = {
        {-1, 0, "1.2.3", f->hash_p0, true, false, true, true, false},
        {-1, 1, "1.3.0", f->hash_s0, true, true, false, false, false},
    };

    load_secondary0(f, 0, 0);
    t_bench_start(&f->b);
    t_snapshot(&f->b, T_P0_OFF, T_SLOT0_SIZE, f->snap);
    state_write(f, SMP_VER_2, f->hash_s0, 0);
    check_list(f, pending, 2);
    /* The request is MCUboot's: magic, then swap_info = TEST | image << 4. */
    read_trailer(f, &f->b.secondary0, &ts);
    assert_int_equal(ts.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(ts.image_ok, TRAILER_FLAG_UNSET);
    assert_int_equal(ts.swap_info_raw, BOOT_SWAP_TYPE_TEST);
    assert_true(t_unchanged(&f->b, T_P0_OFF, T_SLOT0_SIZE, f->snap));

    /* Testing it again is harmless; the list is the answer. */
    state_write(f, SMP_VER_1, f->hash_s0, 0);
    check_list(f, pending, 2);
    state_write(f, SMP_VER_1, f->hash_s0, -1);
    check_list(f, pending, 2);

    /* Anything else while a test is pending is refused. */
    expect_state_err(f, f->hash_s0, 32, 1, SMP_IMG_ERR_IMAGE_ALREADY_PENDING, SMP_MGMT_EBADSTATE);
    expect_state_err(f, NULL, 0, 1, SMP_IMG_ERR_IMAGE_ALREADY_PENDING, SMP_MGMT_EBADSTATE);
    /* Testing the running image never makes sense. */
    expect_state_err(f, f->hash_p0, 32, 0, SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED,
                     SMP_MGMT_EUNKNOWN);
}

static void test_permanent(void **state)
{
    struct fixture *f = *state;
    struct trailer_state ts;
    const struct entry perm[] = {
        {-1, 0, "1.2.3", f->hash_p0, true, false, true, true, false},
        {-1, 1, "1.3.0", f->hash_s0, true, true, false, false, true},
    };

    load_secondary0(f, 0, 0);
    t_bench_start(&f->b);
    state_write(f, SMP_VER_1, f->hash_s0, 1);
    check_list(f, perm, 2);
    read_trailer(f, &f->b.secondary0, &ts);
    assert_int_equal(ts.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(ts.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(ts.swap_info_raw, BOOT_SWAP_TYPE_PERM);

    /* Confirming it again: nothing to do. */
    state_write(f, SMP_VER_2, f->hash_s0, 1);
    check_list(f, perm, 2);
    /* A permanent switch cannot be turned into a test or taken back. */
    expect_state_err(f, f->hash_s0, 32, 0, SMP_IMG_ERR_IMAGE_ALREADY_PENDING, SMP_MGMT_EBADSTATE);
    expect_state_err(f, NULL, 0, 1, SMP_IMG_ERR_IMAGE_ALREADY_PENDING, SMP_MGMT_EBADSTATE);
    expect_state_err(f, f->hash_p0, 32, 1, SMP_IMG_ERR_IMAGE_ALREADY_PENDING, SMP_MGMT_EBADSTATE);
}

static void test_confirm_running(void **state)
{
    struct fixture *f = *state;
    struct trailer_state ts;
    const struct entry trial[] = {
        {-1, 0, "1.2.3", f->hash_p0, true, false, false, true, false},
        {-1, 1, "1.3.0", f->hash_s0, true, false, true, false, false},
    };
    const struct entry settled[] = {
        {-1, 0, "1.2.3", f->hash_p0, true, false, true, true, false},
        {-1, 1, "1.3.0", f->hash_s0, true, false, false, false, false},
    };

    load_secondary0(f, 0, 0);
    t_bench_start(&f->b);
    /* Never swapped (no primary trailer): confirming writes nothing. */
    t_snapshot(&f->b, 0, T_FLASH_SIZE, f->snap);
    state_write(f, SMP_VER_2, NULL, 1);
    check_list(f, settled, 2);
    state_write(f, SMP_VER_2, f->hash_p0, 1);
    check_list(f, settled, 2);
    assert_true(t_unchanged(&f->b, 0, T_FLASH_SIZE, f->snap));

    /* Running a trial image after a test swap: magic + copy_done, no image_ok. */
    assert_int_equal(trailer_write_magic(&f->b.primary0, &f->b.cfg.trailer), 0);
    assert_int_equal(trailer_write_copy_done(&f->b.primary0, &f->b.cfg.trailer), 0);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_IMAGE, ID_STATE, NULL, 0) > 0);
    check_list(f, trial, 2);
    /* No test while a revert is due. */
    expect_state_err(f, f->hash_s0, 32, 0, SMP_IMG_ERR_IMAGE_ALREADY_PENDING, SMP_MGMT_EBADSTATE);
    /* Confirming the old image that comes back is a no-op. */
    state_write(f, SMP_VER_2, f->hash_s0, 1);
    check_list(f, trial, 2);
    /* The application confirms itself: image_ok in the primary. */
    state_write(f, SMP_VER_1, NULL, 1);
    check_list(f, settled, 2);
    read_trailer(f, &f->b.primary0, &ts);
    assert_int_equal(ts.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(ts.copy_done, TRAILER_FLAG_SET);
}

static void test_hash_errors(void **state)
{
    struct fixture *f = *state;
    uint8_t unknown[33];
    struct t_body tb;
    size_t n;

    memset(unknown, 0x5a, sizeof(unknown));
    t_bench_start(&f->b);
    /* The field report's case: rc 3 for a v1 client, the precise code in v2. */
    expect_state_err(f, unknown, 32, 0, SMP_IMG_ERR_HASH_NOT_FOUND, SMP_MGMT_EINVAL);
    expect_state_err(f, unknown, 32, 1, SMP_IMG_ERR_HASH_NOT_FOUND, SMP_MGMT_EINVAL);
    expect_state_err(f, unknown, 31, 0, SMP_IMG_ERR_INVALID_HASH, SMP_MGMT_EINVAL);
    expect_state_err(f, unknown, 33, 1, SMP_IMG_ERR_INVALID_HASH, SMP_MGMT_EINVAL);
    expect_state_err(f, NULL, 0, 0, SMP_IMG_ERR_INVALID_HASH, SMP_MGMT_EINVAL);
    expect_state_err(f, NULL, 0, -1, SMP_IMG_ERR_INVALID_HASH, SMP_MGMT_EINVAL);
    expect_state_err(f, unknown, 0, 0, SMP_IMG_ERR_INVALID_HASH, SMP_MGMT_EINVAL);

    /* Wrong types are malformed requests. */
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "hash");
    smp_cbor_put_tstr(&tb.w, "c61c2dfd7896e7312c278d992e2374c3");
    n = t_body_end(&tb);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_STATE, tb.buf, n) >
                0);
    t_expect_rc(&f->b, SMP_MGMT_EINVAL);
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "confirm");
    smp_cbor_put_tstr(&tb.w, "true");
    n = t_body_end(&tb);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_STATE, tb.buf, n) >
                0);
    t_expect_rc(&f->b, SMP_MGMT_EINVAL);

    /* The image was there, then erased: its hash is gone too. */
    load_secondary0(f, 0, 0);
    assert_int_equal(flash_sim_load(&f->b.sim, T_S0_OFF, T_SLOT0_SIZE, NULL, 0), 0);
    expect_state_err(f, f->hash_s0, 32, 0, SMP_IMG_ERR_HASH_NOT_FOUND, SMP_MGMT_EINVAL);
}

static void test_corrupt_trailers(void **state)
{
    struct fixture *f = *state;
    static const uint8_t garbage[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const struct flash_area *s = &f->b.secondary0;

    load_secondary0(f, 0, 0);
    t_bench_start(&f->b);
    /* A secondary magic that is neither erased nor valid: MCUboot would
     * erase the slot; here the request is refused and the slot kept. */
    assert_int_equal(flash_area_write(s, s->size - 16, garbage, sizeof(garbage)), 0);
    expect_state_err(f, f->hash_s0, 32, 0, SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC,
                     SMP_MGMT_EUNKNOWN);
    expect_state_err(f, f->hash_s0, 32, 1, SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC,
                     SMP_MGMT_EUNKNOWN);

    /* Confirming the image that boots next anyway asks for nothing (as in
     * Zephyr), so even a corrupt primary trailer is left alone. */
    assert_int_equal(
        flash_area_write(&f->b.primary0, f->b.primary0.size - 16, garbage, sizeof(garbage)), 0);
    t_snapshot(&f->b, 0, T_FLASH_SIZE, f->snap);
    state_write(f, SMP_VER_2, NULL, 1);
    t_expect_ok(&f->b);
    assert_true(t_unchanged(&f->b, 0, T_FLASH_SIZE, f->snap));
}

static void test_flash_failure(void **state)
{
    struct fixture *f = *state;
    struct t_body tb;
    size_t n;

    load_secondary0(f, 0, 0);
    t_bench_start(&f->b);
    flash_sim_cut_power_after(&f->b.sim, 0, FLASH_SIM_CUT_BEFORE);
    n = write_body(&tb, f->hash_s0, 32, 0);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_STATE, tb.buf, n) >
                0);
    t_expect_err(&f->b, SMP_GROUP_IMAGE, SMP_IMG_ERR_FLASH_WRITE_FAILED);
    flash_sim_reboot(&f->b.sim);
}

static void test_two_images(void **state)
{
    struct fixture *f = *state;
    struct trailer_state ts;

    load_secondary0(f, 0, 0);
    load_secondary1(f);
    t_bench_start(&f->b);
    /* Only the running image may be confirmed. */
    expect_state_err(f, f->hash_s1, 32, 1, SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED,
                     SMP_MGMT_EUNKNOWN);
    expect_state_err(f, f->hash_p1, 32, 1, SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED,
                     SMP_MGMT_EUNKNOWN);
    expect_state_err(f, f->hash_p1, 32, 0, SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED,
                     SMP_MGMT_EUNKNOWN);
    /* A test of image 1 carries its number in swap_info. */
    state_write(f, SMP_VER_2, f->hash_s1, 0);
    t_expect_ok(&f->b);
    read_trailer(f, &f->b.secondary1, &ts);
    assert_int_equal(ts.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(ts.swap_info_raw, (1u << 4) | BOOT_SWAP_TYPE_TEST);
    read_trailer(f, &f->b.secondary0, &ts);
    assert_int_equal(ts.magic, TRAILER_MAGIC_UNSET);
}

/* A build for a core that cannot confirm itself lets the other image be
 * confirmed: a permanent request for its secondary, written as MCUboot would. */
static void test_two_images_confirm_allowed(void **state)
{
    struct fixture *f = *state;
    struct trailer_state ts;

    load_secondary0(f, 0, 0);
    load_secondary1(f);
    f->b.cfg.allow_confirm_other_images = true;
    t_bench_start(&f->b);
    /* Its running image needs nothing: never swapped, nothing to confirm. */
    state_write(f, SMP_VER_2, f->hash_p1, 1);
    t_expect_ok(&f->b);
    state_write(f, SMP_VER_2, f->hash_s1, 1);
    t_expect_ok(&f->b);
    read_trailer(f, &f->b.secondary1, &ts);
    assert_int_equal(ts.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(ts.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(ts.swap_info_raw, (1u << 4) | BOOT_SWAP_TYPE_PERM);
    read_trailer(f, &f->b.secondary0, &ts);
    assert_int_equal(ts.magic, TRAILER_MAGIC_UNSET);
    /* Once permanent, the switch cannot be taken back. */
    expect_state_err(f, f->hash_p1, 32, 1, SMP_IMG_ERR_IMAGE_ALREADY_PENDING, SMP_MGMT_EBADSTATE);
}

static void test_active_image_unknown(void **state)
{
    struct fixture *f = *state;

    f->b.cfg.active_image = 5;
    t_bench_start(&f->b);
    expect_state_err(f, NULL, 0, 1, SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN, SMP_MGMT_EUNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_single, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_skips_unreadable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_two_images, setup2, teardown),
        cmocka_unit_test_setup_teardown(test_test_then_permanent_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permanent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirm_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_trailers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_images_confirm_allowed, setup2, teardown),
        cmocka_unit_test_setup_teardown(test_two_images, setup2, teardown),
        cmocka_unit_test_setup_teardown(test_active_image_unknown, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
