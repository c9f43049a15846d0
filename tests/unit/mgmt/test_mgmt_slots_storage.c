/*
 * Image erase and slot info (image group 1, commands 5 and 6) and storage
 * erase (Zephyr basic group 63).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "boot/trailer.h"
#include "mgmt_test.h"
#include "wire/smp_err.h"

#define ID_ERASE 5
#define ID_SLOT_INFO 6
#define ID_STORAGE_ERASE 0

struct fixture {
    struct t_bench b;
    uint8_t img[8192];
    size_t img_len;
    uint8_t snap[T_FLASH_SIZE];
};

static int setup_pairs(void **state, size_t pairs)
{
    static struct fixture f;
    size_t n;

    t_bench_open(&f.b, 4, pairs);
    n = t_image_build(f.img, sizeof(f.img), 2, 0, 0, 0, 5000, 1, 0, NULL);
    t_area_load(&f.b, &f.b.primary0, f.img, n);
    f.img_len = t_image_build(f.img, sizeof(f.img), 2, 1, 0, 0, 6000, 2, 0, NULL);
    t_area_load(&f.b, &f.b.secondary0, f.img, f.img_len);
    if (pairs > 1) {
        t_area_load(&f.b, &f.b.primary1, f.img, f.img_len);
        t_area_load(&f.b, &f.b.secondary1, f.img, f.img_len);
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

static size_t slot_body(struct t_body *tb, uint64_t slot)
{
    t_body_begin(tb);
    smp_cbor_put_key(&tb->w, "slot");
    smp_cbor_put_uint(&tb->w, slot);
    return t_body_end(tb);
}

static void erase_err(struct fixture *f, const uint8_t *body, size_t n, int rc, int v1)
{
    t_snapshot(&f->b, 0, T_FLASH_SIZE, f->snap);
    t_expect_group_err_both(&f->b, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, body, n, rc, v1);
    assert_true(t_unchanged(&f->b, 0, T_FLASH_SIZE, f->snap));
}

/* ---- image erase ---------------------------------------------------------- */

static void test_erase_secondary(void **state)
{
    struct fixture *f = *state;
    struct flash_sim_counts c;
    struct t_body tb;
    size_t n;

    t_bench_start(&f->b);
    t_snapshot(&f->b, T_P0_OFF, T_SLOT0_SIZE, f->snap);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, NULL, 0) > 0);
    t_expect_ok(&f->b);
    assert_int_equal(flash_area_is_erased(&f->b.secondary0, 0, T_SLOT0_SIZE), 1);
    assert_true(t_unchanged(&f->b, T_P0_OFF, T_SLOT0_SIZE, f->snap));

    /* Already blank: success, and not a single erase. */
    flash_sim_reset_counts(&f->b.sim);
    n = slot_body(&tb, 1);
    assert_true(t_request(&f->b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, tb.buf, n) >
                0);
    t_expect_ok(&f->b);
    flash_sim_total_counts(&f->b.sim, &c);
    assert_int_equal(c.erases, 0);
}

static void test_erase_refusals(void **state)
{
    struct fixture *f = *state;
    struct t_body tb;
    size_t n;

    t_bench_start(&f->b);
    /* The running slot, slots of no image. */
    n = slot_body(&tb, 0);
    erase_err(f, tb.buf, n, SMP_IMG_ERR_NO_FREE_SLOT, SMP_MGMT_EBADSTATE);
    n = slot_body(&tb, 3);
    erase_err(f, tb.buf, n, SMP_IMG_ERR_INVALID_SLOT, SMP_MGMT_EINVAL);
    n = slot_body(&tb, UINT64_MAX);
    erase_err(f, tb.buf, n, SMP_IMG_ERR_INVALID_SLOT, SMP_MGMT_EINVAL);
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "slot");
    smp_cbor_put_tstr(&tb.w, "1");
    n = t_body_end(&tb);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, tb.buf, n) >
                0);
    t_expect_rc(&f->b, SMP_MGMT_EINVAL);

    /* The secondary is pending a test... */
    assert_int_equal(trailer_set_pending(&f->b.secondary0, &f->b.cfg.trailer, false, 0), 0);
    erase_err(f, NULL, 0, SMP_IMG_ERR_NO_FREE_SLOT, SMP_MGMT_EBADSTATE);
    /* ...or permanently. */
    assert_int_equal(flash_sim_load(&f->b.sim, T_S0_OFF, T_SLOT0_SIZE, f->img, f->img_len), 0);
    assert_int_equal(trailer_set_pending(&f->b.secondary0, &f->b.cfg.trailer, true, 0), 0);
    erase_err(f, NULL, 0, SMP_IMG_ERR_NO_FREE_SLOT, SMP_MGMT_EBADSTATE);
}

static void test_erase_revert_source(void **state)
{
    struct fixture *f = *state;

    /* A trial image runs; the secondary holds the image that comes back. */
    assert_int_equal(trailer_write_magic(&f->b.primary0, &f->b.cfg.trailer), 0);
    assert_int_equal(trailer_write_copy_done(&f->b.primary0, &f->b.cfg.trailer), 0);
    t_bench_start(&f->b);
    erase_err(f, NULL, 0, SMP_IMG_ERR_NO_FREE_SLOT, SMP_MGMT_EBADSTATE);
}

static void test_erase_stuck_request(void **state)
{
    struct fixture *f = *state;
    static const uint8_t junk[64] = {1, 2, 3};

    /* A test request over a slot whose image no longer reads back: it can
     * never boot, so the slot may be cleared. */
    assert_int_equal(flash_sim_load(&f->b.sim, T_S0_OFF, T_SLOT0_SIZE, junk, sizeof(junk)), 0);
    assert_int_equal(trailer_set_pending(&f->b.secondary0, &f->b.cfg.trailer, false, 0), 0);
    t_bench_start(&f->b);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, NULL, 0) > 0);
    t_expect_ok(&f->b);
    assert_int_equal(flash_area_is_erased(&f->b.secondary0, 0, T_SLOT0_SIZE), 1);
}

static void test_erase_failure(void **state)
{
    struct fixture *f = *state;

    t_bench_start(&f->b);
    flash_sim_cut_power_after(&f->b.sim, 0, FLASH_SIM_CUT_BEFORE);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, NULL, 0) > 0);
    t_expect_err(&f->b, SMP_GROUP_IMAGE, SMP_IMG_ERR_FLASH_ERASE_FAILED);
    assert_true(t_request(&f->b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, NULL, 0) > 0);
    t_expect_rc(&f->b, SMP_MGMT_EUNKNOWN);
    flash_sim_reboot(&f->b.sim);
}

static void test_erase_second_image(void **state)
{
    struct fixture *f = *state;
    struct t_body tb;
    size_t n = slot_body(&tb, 3);

    t_bench_start(&f->b);
    t_snapshot(&f->b, 0, T_FLASH_SIZE, f->snap);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, tb.buf, n) >
                0);
    t_expect_ok(&f->b);
    assert_int_equal(flash_area_is_erased(&f->b.secondary1, 0, T_SLOT1_SIZE), 1);
    assert_true(t_unchanged(&f->b, 0, T_S1_OFF, f->snap));
    n = slot_body(&tb, 2);
    erase_err(f, tb.buf, n, SMP_IMG_ERR_NO_FREE_SLOT, SMP_MGMT_EBADSTATE);
}

/* ---- slot info ------------------------------------------------------------ */

static void check_image_info(cbor_item_t *e, uint64_t image, uint32_t size)
{
    struct trailer_offsets to;
    cbor_item_t *slots = t_map_get(e, "slots");
    struct trailer_config tc = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);

    assert_int_equal(t_map_uint(e, "image"), image);
    assert_non_null(slots);
    assert_int_equal(cbor_array_size(slots), 2);
    for (size_t s = 0; s < 2; s++) {
        cbor_item_t *slot = cbor_array_handle(slots)[s];

        assert_int_equal(t_map_uint(slot, "slot"), s);
        assert_int_equal(t_map_uint(slot, "size"), size);
        if (s == 0) {
            assert_null(t_map_get(slot, "upload_image_id"));
        } else {
            assert_int_equal(t_map_uint(slot, "upload_image_id"), image);
        }
    }
    assert_int_equal(trailer_offsets(&tc, size, &to), 0);
    assert_int_equal(t_map_uint(e, "max_image_size"), to.max_image_end);
}

static void test_slot_info(void **state)
{
    struct fixture *f = *state;
    cbor_item_t *m;
    cbor_item_t *images;

    t_bench_start(&f->b);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_IMAGE, ID_SLOT_INFO, NULL, 0) >
                0);
    m = t_rsp_body(&f->b);
    images = t_map_get(m, "images");
    assert_int_equal(cbor_array_size(images), f->b.cfg.pair_count);
    check_image_info(cbor_array_handle(images)[0], 0, T_SLOT0_SIZE);
    if (f->b.cfg.pair_count > 1) {
        check_image_info(cbor_array_handle(images)[1], 1, T_SLOT1_SIZE);
    }
    cbor_decref(&m);
    assert_true(t_request(&f->b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_SLOT_INFO, NULL, 0) >
                0);
    t_expect_rc(&f->b, SMP_MGMT_ENOTSUP);
}

/* ---- storage erase -------------------------------------------------------- */

static void test_storage_erase(void **state)
{
    struct fixture *f = *state;
    static const uint8_t settings[100] = {7, 7, 7};

    t_area_load(&f->b, &f->b.storage, settings, sizeof(settings));
    t_bench_start(&f->b);
    t_snapshot(&f->b, 0, T_FLASH_SIZE, f->snap);
    for (uint8_t ver = SMP_VER_1; ver <= SMP_VER_2; ver++) {
        assert_true(t_request(&f->b, ver, SMP_OP_WRITE, SMP_GROUP_ZEPHYR_BASIC, ID_STORAGE_ERASE,
                              NULL, 0) > 0);
        t_expect_ok(&f->b);
        assert_int_equal(flash_area_is_erased(&f->b.storage, 0, T_STORAGE_SIZE), 1);
    }
    /* Nothing else changed. */
    assert_true(t_unchanged(&f->b, 0, T_STORAGE_OFF, f->snap));
    assert_true(t_unchanged(&f->b, T_STORAGE_OFF + T_STORAGE_SIZE,
                            T_FLASH_SIZE - T_STORAGE_OFF - T_STORAGE_SIZE,
                            f->snap + T_STORAGE_OFF + T_STORAGE_SIZE));
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_ZEPHYR_BASIC, ID_STORAGE_ERASE,
                          NULL, 0) > 0);
    t_expect_rc(&f->b, SMP_MGMT_ENOTSUP);
}

static void test_storage_errors(void **state)
{
    struct fixture *f = *state;
    struct flash_area odd = f->b.storage;

    /* No storage partition on this device. */
    f->b.cfg.storage = NULL;
    t_bench_start(&f->b);
    t_expect_group_err_both(&f->b, SMP_OP_WRITE, SMP_GROUP_ZEPHYR_BASIC, ID_STORAGE_ERASE, NULL, 0,
                            SMP_BASIC_ERR_FLASH_OPEN_FAILED, SMP_MGMT_ENOENT);

    /* A partition that does not end on a sector boundary. */
    odd.size = T_STORAGE_SIZE - 100;
    f->b.cfg.storage = &odd;
    t_bench_start(&f->b);
    t_expect_group_err_both(&f->b, SMP_OP_WRITE, SMP_GROUP_ZEPHYR_BASIC, ID_STORAGE_ERASE, NULL, 0,
                            SMP_BASIC_ERR_FLASH_CONFIG_QUERY_FAIL, SMP_MGMT_EUNKNOWN);

    /* The flash fails. */
    f->b.cfg.storage = &f->b.storage;
    t_area_load(&f->b, &f->b.storage, f->img, 100);
    t_bench_start(&f->b);
    flash_sim_cut_power_after(&f->b.sim, 0, FLASH_SIM_CUT_BEFORE);
    t_expect_group_err_both(&f->b, SMP_OP_WRITE, SMP_GROUP_ZEPHYR_BASIC, ID_STORAGE_ERASE, NULL, 0,
                            SMP_BASIC_ERR_FLASH_ERASE_FAILED, SMP_MGMT_EUNKNOWN);
    flash_sim_reboot(&f->b.sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_erase_secondary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_revert_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_stuck_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_second_image, setup2, teardown),
        cmocka_unit_test_setup_teardown(test_slot_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slot_info, setup2, teardown),
        cmocka_unit_test_setup_teardown(test_storage_erase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_errors, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
