/*
 * Image state writes behind a first stage (NSIB, S0/S1): a write naming an
 * MCUboot linked for the S slot that runs is refused (v1 IN_VALUE, v2
 * INVALID_IMAGE_VECTOR_TABLE) with a log line and nothing written; a write
 * naming a hash that a later upload replaced is explained in the log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mgmt_test.h"
#include "wire/smp_err.h"

#define ID_STATE 0

struct fixture {
    struct t_bench b;
    uint8_t img[8192];
    uint8_t hash_p0[32];
    uint8_t hash_s0[32];
    uint8_t hash_s1[32];
    uint8_t snap[T_FLASH_SIZE];
};

static struct fixture fx;

static int open_pairs(void **state, size_t pairs)
{
    size_t n;

    t_bench_open(&fx.b, 4, pairs);
    n = t_image_build(fx.img, sizeof(fx.img), 1, 0, 0, 0, 3000, 1, 0, fx.hash_p0);
    t_area_load(&fx.b, &fx.b.primary0, fx.img, n);
    /* Secondary of image 0: the new MCUboot. */
    n = t_image_build(fx.img, sizeof(fx.img), 2, 0, 0, 0, 2500, 2, 0, fx.hash_s0);
    t_area_load(&fx.b, &fx.b.secondary0, fx.img, n);
    if (pairs > 1) {
        n = t_image_build(fx.img, sizeof(fx.img), 0, 5, 0, 0, 1200, 4, 0, fx.hash_s1);
        t_area_load(&fx.b, &fx.b.secondary1, fx.img, n);
    }
    fx.b.cfg.has_first_stage = true;
    fx.b.ports.b0_candidate = &fx.b.secondary0;
    *state = &fx;
    return 0;
}

static int setup(void **state)
{
    return open_pairs(state, 1);
}

static int setup2(void **state)
{
    return open_pairs(state, 2);
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    t_bench_close(&f->b);
    return 0;
}

static size_t write_body(struct t_body *tb, const uint8_t *hash, bool confirm)
{
    t_body_begin(tb);
    smp_cbor_put_key(&tb->w, "hash");
    smp_cbor_put_bstr(&tb->w, hash, 32);
    smp_cbor_put_key(&tb->w, "confirm");
    smp_cbor_put_bool(&tb->w, confirm);
    return t_body_end(tb);
}

/* The refusal or error in v1 and v2, with the flash left as it was. */
static void expect_refused(struct fixture *f, const uint8_t *hash, bool confirm, int rc, int v1)
{
    struct t_body tb;
    size_t n = write_body(&tb, hash, confirm);

    t_snapshot(&f->b, 0, T_FLASH_SIZE, f->snap);
    t_expect_group_err_both(&f->b, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_STATE, tb.buf, n, rc, v1);
    assert_true(t_unchanged(&f->b, 0, T_FLASH_SIZE, f->snap));
}

/* A state write that is accepted: the answer lists slot 1 as pending. */
static void expect_pending(struct fixture *f, const uint8_t *hash, bool confirm)
{
    struct t_body tb;
    size_t n = write_body(&tb, hash, confirm);
    cbor_item_t *m;
    cbor_item_t *images;
    bool pending = false;

    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_STATE, tb.buf, n) >
                0);
    m = t_rsp_body(&f->b);
    images = t_map_get(m, "images");
    assert_non_null(images);
    for (size_t i = 0; i < cbor_array_size(images); i++) {
        cbor_item_t *e = cbor_array_handle(images)[i];
        uint8_t h[32];

        if (t_map_bytes(e, "hash", h, sizeof(h)) == 32 && memcmp(h, hash, 32) == 0) {
            pending = t_map_bool(e, "pending");
        }
    }
    cbor_decref(&m);
    assert_true(pending);
}

static void hex8(const uint8_t *h, char out[17])
{
    for (size_t i = 0; i < 8; i++) {
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    }
}

static void test_refuse_variant_for_running_slot(void **state)
{
    struct fixture *f = *state;
    char want[160];
    char hex[17];

    f->b.ports.b0_target = 0;
    f->b.ports.b0_slot = 0;
    t_bench_start(&f->b);
    expect_refused(f, f->hash_s0, true, SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE, SMP_MGMT_EINVAL);
    expect_refused(f, f->hash_s0, false, SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE, SMP_MGMT_EINVAL);
    hex8(f->hash_s0, hex);
    snprintf(want, sizeof(want),
             "E: img: state write refused: slot 1 holds MCUboot linked for S0 (hash %s...), "
             "and the first stage boots S0 now",
             hex);
    assert_non_null(strstr(f->b.ports.last_log, want));
    assert_non_null(strstr(f->b.ports.last_log, "Upload the S1 variant of dfu_mcuboot.zip"));

    /* Running from S1, the S1 variant is the one refused. */
    f->b.ports.b0_target = 1;
    f->b.ports.b0_slot = 1;
    expect_refused(f, f->hash_s0, true, SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE, SMP_MGMT_EINVAL);
    assert_non_null(strstr(f->b.ports.last_log, "linked for S1"));
    assert_non_null(strstr(f->b.ports.last_log, "Upload the S0 variant"));
}

static void test_accept_variant_for_idle_slot(void **state)
{
    struct fixture *f = *state;

    f->b.ports.b0_target = 1;
    f->b.ports.b0_slot = 0;
    t_bench_start(&f->b);
    expect_pending(f, f->hash_s0, true);
    assert_null(strstr(f->b.ports.all_log, "refused"));
}

/* Nothing to refuse when the image is no bootloader candidate or the
 * device cannot tell which slot runs. */
static void test_no_refusal_without_answers(void **state)
{
    struct fixture *f = *state;

    f->b.ports.b0_target = -1; /* an application image */
    f->b.ports.b0_slot = 0;
    t_bench_start(&f->b);
    expect_pending(f, f->hash_s0, false);
    assert_int_equal(f->b.ports.log_lines, 1); /* the test-upgrade line alone */
}

static void test_no_refusal_when_active_slot_unknown(void **state)
{
    struct fixture *f = *state;

    f->b.ports.b0_target = 0;
    f->b.ports.b0_slot = -1;
    t_bench_start(&f->b);
    expect_pending(f, f->hash_s0, true);
}

static void test_no_refusal_without_port(void **state)
{
    struct fixture *f = *state;

    f->b.ports.b0_target = 0;
    f->b.ports.b0_slot = 0;
    f->b.cfg.b0_target_slot = NULL;
    t_bench_start(&f->b);
    expect_pending(f, f->hash_s0, true);
}

/* The field report: the S0 variant uploaded, then the S1 variant over it,
 * then the S0 variant named. */
static void test_replaced_variant_explained(void **state)
{
    struct fixture *f = *state;
    uint8_t gone[32];
    char want[200];
    char hex_gone[17];
    char hex_s1[17];

    memset(gone, 0x5a, sizeof(gone));
    f->b.ports.b0_target = 1;
    f->b.ports.b0_slot = 0;
    t_bench_start(&f->b);
    expect_refused(f, gone, false, SMP_IMG_ERR_HASH_NOT_FOUND, SMP_MGMT_EINVAL);
    hex8(gone, hex_gone);
    hex8(f->hash_s0, hex_s1);
    snprintf(want, sizeof(want),
             "W: img: no image with hash %s... here: slot 1 holds the S1 variant of MCUboot "
             "(hash %s...), uploaded last\n",
             hex_gone, hex_s1);
    assert_non_null(strstr(f->b.ports.all_log, want));
    assert_non_null(strstr(f->b.ports.all_log,
                           "only the S1 variant (for the slot the first stage does not boot) can "
                           "be installed: upload it alone and confirm it\n"));
    assert_int_equal(f->b.ports.log_lines, 4); /* two lines, for v2 and for v1 */

    /* Without a candidate, an unknown hash is just that. */
    f->b.ports.b0_target = -1;
    expect_refused(f, gone, false, SMP_IMG_ERR_HASH_NOT_FOUND, SMP_MGMT_EINVAL);
    assert_int_equal(f->b.ports.log_lines, 4);
}

/* With two images the log names the image; a candidate in image 0 does not
 * stop a write naming image 1's upload. */
static void test_two_images(void **state)
{
    struct fixture *f = *state;

    f->b.ports.b0_target = 0;
    f->b.ports.b0_slot = 0;
    f->b.cfg.allow_confirm_other_images = true;
    t_bench_start(&f->b);
    expect_refused(f, f->hash_s0, true, SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE, SMP_MGMT_EINVAL);
    assert_non_null(strstr(f->b.ports.last_log, "slot 1 of image 0 holds MCUboot linked for S0"));
    expect_pending(f, f->hash_s1, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refuse_variant_for_running_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_variant_for_idle_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_refusal_without_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_refusal_when_active_slot_unknown, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_refusal_without_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced_variant_explained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_images, setup2, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
