/* The upgrade state machine's choice of MCUboot variant on a device with a
 * first-stage bootloader, against the in-process device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/dfu.h"
#include "client/output.h"
#include "client/session.h"
#include "fake_device.h"

#define IMG_DIR SMPDFU_VECTORS "/images/signed/"

struct fixture {
    struct fake_device dev;
    struct client_link link;
    struct smp_session s;
    struct package p;
    struct output out;
    char *text;
    size_t text_len;
    FILE *f;
};

/* dfu_mcuboot.zip as package_load gives it: the S0 and S1 variants. */
static void mcuboot_package(struct package *p)
{
    struct package a, b;
    char err[256];
    assert_int_equal(package_load(IMG_DIR "ed25519-basic.bin", &a, err, sizeof(err)), 0);
    assert_int_equal(package_load(IMG_DIR "ecdsa-p256-basic.bin", &b, err, sizeof(err)), 0);
    memset(p, 0, sizeof(*p));
    p->zip = true;
    p->count = 2;
    p->img[0] = a.img[0];
    p->img[1] = b.img[0];
    for (int i = 0; i < 2; i++) {
        snprintf(p->img[i].type, sizeof(p->img[i].type), "mcuboot");
        snprintf(p->img[i].file, sizeof(p->img[i].file), "s%d.bin", i);
        p->img[i].s_slot = i;
    }
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    fake_device_init(&f->dev);
    fake_link(&f->link, &f->dev, 65535, 0);
    assert_int_equal(smp_session_init(&f->s, &f->link), 0);
    f->s.timeout_ms = 1;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    mcuboot_package(&f->p);
    f->f = open_memstream(&f->text, &f->text_len);
    output_init(&f->out, false, f->f, f->f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    fclose(f->f);
    free(f->text);
    package_free(&f->p);
    smp_session_free(&f->s);
    free(f);
    return 0;
}

static int run(struct fixture *f)
{
    struct dfu_opts o = { .mode = DFU_MODE_DEFAULT, .reconnect_ms = 50 };
    o.upload.first_timeout_ms = 1;
    int rc = dfu_upgrade(&f->s, &f->p, &o, &f->out);
    fflush(f->f);
    return rc;
}

static void sends_the_variant_for_the_idle_slot(void **state)
{
    struct fixture *f = *state;
    for (int active = 0; active < 2; active++) {
        const struct pkg_image *want = &f->p.img[1 - active];
        f->dev.b0_active = active;
        f->dev.marked = false;
        assert_int_equal(run(f), 0);
        assert_int_equal(memcmp(f->dev.image, want->data, want->len), 0);
        assert_true(f->dev.marked && f->dev.marked_confirm);
        assert_int_equal(memcmp(f->dev.marked_hash, want->hash, 32), 0);
        assert_int_equal(f->dev.b0_active, 1 - active);
        char line[64];
        snprintf(line, sizeof(line), "MCUboot runs from S%d: sending the S%d variant", active,
                 1 - active);
        assert_non_null(strstr(f->text, line));
    }
}

static void refuses_without_knowing_the_active_slot(void **state)
{
    struct fixture *f = *state;
    f->dev.b0_active = -1;
    assert_int_equal(run(f), SESSION_EREFUSED);
    assert_int_equal(f->dev.up_len, 0);
    assert_non_null(strstr(f->text, "does not say which S slot it boots"));
    assert_non_null(strstr(f->text, "upgrade stopped at \"pick the S0/S1 variant\""));
}

static void reports_a_first_stage_that_kept_the_old_slot(void **state)
{
    struct fixture *f = *state;
    f->dev.b0_active = 0;
    f->dev.b0_stuck = true;
    assert_int_equal(run(f), DFU_ENOTRUNNING);
    assert_non_null(strstr(f->text, "still boots MCUboot from S0: it did not take the new MCUboot"));
    assert_int_equal(f->dev.resets, 1);
}

static void accepts_an_image_the_device_never_lists_as_running(void **state)
{
    struct fixture *f = *state;
    /* One application image for image pair 1, which the device's list
     * never shows as running (as Zephyr for an nRF53 network core). */
    free(f->p.img[1].data);
    f->p.count = 1;
    snprintf(f->p.img[0].type, sizeof(f->p.img[0].type), "application");
    f->p.img[0].s_slot = -1;
    f->p.img[0].image = 1;
    f->dev.b0_active = 0; /* lets the fake take state writes */
    assert_int_equal(run(f), 0);
    assert_int_equal(memcmp(f->dev.image, f->p.img[0].data, f->p.img[0].len), 0);
    assert_int_equal(f->dev.resets, 1);
    assert_non_null(strstr(f->text, "image 1: the device does not list which image runs there"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sends_the_variant_for_the_idle_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_without_knowing_the_active_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(reports_a_first_stage_that_kept_the_old_slot, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(accepts_an_image_the_device_never_lists_as_running, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
