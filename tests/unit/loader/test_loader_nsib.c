/*
 * The loader behind a first stage: a bootloader candidate in the shared
 * secondary slot goes to the idle S slot (then a reset, and the first
 * stage switches), one for the running slot is erased, one not asked for
 * stays, an invalid one is erased, a copy whose scrub was cut off is
 * recognised; the application pair is never swapped for any of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "b0_rig.h"
#include "boot/trailer.h"

static struct b0_rig rig;
static struct b0_release rel1;
static struct b0_release rel2;

static int setup(void **state)
{
    (void)state;
    b0_rig_open(&rig);
    b0_release_make(&rig, 1, &rel1);
    b0_release_make(&rig, 2, &rel2);
    /* Factory: the bare first-stage image of release 1 after S0's pad. */
    b0_rig_program(&rig, &rig.s0, 0x200, rel1.bare[0], rel1.bare_len[0]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    b0_release_free(&rel1);
    b0_release_free(&rel2);
    b0_rig_close(&rig);
    return 0;
}

static bool holds(const struct flash_area *fa, const uint8_t *data, size_t len)
{
    return memcmp(flash_sim_raw(&rig.sim) + fa->off, data, len) == 0;
}

static bool header_erased(const struct flash_area *fa)
{
    return flash_area_is_erased(fa, 0, 32) == 1;
}

/* Candidate in the secondary, asked for (permanent or test). */
static void offer(const struct b0_release *rel, int variant, bool permanent)
{
    b0_rig_program(&rig, &rig.secondary, 0, rel->update[variant], rel->update_len[variant]);
    assert_int_equal(trailer_set_pending(&rig.secondary, &rig.cfg.trailer, permanent, 0), 0);
}

static void boot_expect(int slot, uint32_t version, struct loader_result *res)
{
    int s;
    uint32_t v;

    assert_int_equal(b0_rig_boot(&rig, &s, &v, res), LOADER_OK);
    assert_int_equal(s, slot);
    assert_int_equal(v, version);
    assert_true(res->images[0].bootable);
    assert_int_equal(res->images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_true(holds(&rig.primary, rig.app, rig.app_len));
}

static void copied_to_idle_slot(void **state)
{
    struct loader_result res;

    (void)state;
    offer(&rel2, 1, true);
    boot_expect(1, 2, &res);
    assert_true(b0_rig_logged(&rig, "candidate linked for S1, fw_info version 2; this bootloader "
                                    "runs from S0, fw_info version 1"));
    assert_true(b0_rig_logged(&rig, "S1 written, secondary slot scrubbed"));
    assert_true(holds(&rig.s1, rel2.update[1], rel2.update_len[1]));
    assert_true(header_erased(&rig.secondary));
    assert_int_equal(flash_area_is_erased(&rig.secondary, 0, rig.secondary.size), 1);
    /* The next boot leaves everything as it is. */
    boot_expect(1, 2, &res);
    assert_int_equal(res.fs_action, LOADER_FS_NONE);
}

static void test_request_copies_too(void **state)
{
    struct loader_result res;

    (void)state;
    offer(&rel2, 1, false);
    boot_expect(1, 2, &res);
    assert_true(holds(&rig.s1, rel2.update[1], rel2.update_len[1]));
}

static void running_slot_variant_erased(void **state)
{
    struct loader_result res;

    (void)state;
    offer(&rel2, 0, true);
    boot_expect(0, 1, &res);
    assert_int_equal(res.fs_action, LOADER_FS_WRONG_SLOT);
    assert_int_equal(res.fs_target, 0);
    assert_true(b0_rig_logged(&rig, "for the wrong S0/S1 slot: linked for S0, which runs now"));
    assert_true(header_erased(&rig.secondary));
    assert_true(flash_area_is_erased(&rig.s1, 0, rig.s1.size) == 1);
}

static void unrequested_candidate_stays(void **state)
{
    struct loader_result res;

    (void)state;
    b0_rig_program(&rig, &rig.secondary, 0, rel2.update[1], rel2.update_len[1]);
    boot_expect(0, 1, &res);
    assert_int_equal(res.fs_action, LOADER_FS_NONE);
    assert_int_equal(res.fs_target, 1);
    assert_true(b0_rig_logged(&rig, "holds a bootloader for S1, not marked for update"));
    assert_true(holds(&rig.secondary, rel2.update[1], rel2.update_len[1]));
}

/* The application was tested and never confirmed (a revert is due), and
 * the bootloader uploaded since sits in the secondary slot unasked: the
 * revert must not swap it in. */
static void revert_never_takes_a_bootloader(void **state)
{
    struct loader_result res;
    int s;
    uint32_t v;

    (void)state;
    b0_rig_program(&rig, &rig.secondary, 0, rel2.update[1], rel2.update_len[1]);
    assert_int_equal(trailer_write_magic(&rig.primary, &rig.cfg.trailer), 0);
    assert_int_equal(trailer_write_copy_done(&rig.primary, &rig.cfg.trailer), 0);
    assert_int_equal(b0_rig_boot(&rig, &s, &v, &res), LOADER_OK);
    assert_true(b0_rig_logged(&rig, "holds a bootloader, not an application: no swap"));
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_true(holds(&rig.primary, rig.app, rig.app_len));
    assert_true(holds(&rig.secondary, rel2.update[1], rel2.update_len[1]));
}

static void invalid_candidate_erased(void **state)
{
    struct loader_result res;

    (void)state;
    /* One payload byte changed after signing. */
    rel2.update[1][0x1000] ^= 0x01;
    offer(&rel2, 1, true);
    rel2.update[1][0x1000] ^= 0x01;
    boot_expect(0, 1, &res);
    assert_int_equal(res.fs_action, LOADER_FS_INVALID);
    assert_true(b0_rig_logged(&rig, "the candidate in the secondary slot is not valid"));
    assert_true(header_erased(&rig.secondary));
    assert_true(flash_area_is_erased(&rig.s1, 0, rig.s1.size) == 1);
}

/* The copy finished but the scrub did not: the first stage already runs
 * the new bootloader, which finds itself in the secondary slot. */
static void installed_copy_scrubbed(void **state)
{
    struct loader_result res;

    (void)state;
    b0_rig_program(&rig, &rig.s1, 0, rel2.update[1], rel2.update_len[1]);
    offer(&rel2, 1, true);
    boot_expect(1, 2, &res);
    assert_int_equal(res.fs_action, LOADER_FS_INSTALLED);
    assert_true(b0_rig_logged(&rig, "the candidate is the bootloader running from S1"));
    assert_true(header_erased(&rig.secondary));
}

/* NSIB breaks a tie for S0: the same version in S1 is copied (with a
 * warning) and the first stage keeps S0. */
static void same_version_kept_by_first_stage(void **state)
{
    struct loader_result res;

    (void)state;
    offer(&rel1, 1, true);
    boot_expect(0, 1, &res);
    assert_true(b0_rig_logged(&rig, "fw_info version is not higher than the running one's"));
    assert_true(holds(&rig.s1, rel1.update[1], rel1.update_len[1]));
}

/* S0 -> S1 -> S0 with two releases. */
static void two_releases_in_a_row(void **state)
{
    struct loader_result res;
    struct b0_release rel3;

    (void)state;
    b0_release_make(&rig, 3, &rel3);
    offer(&rel2, 1, true);
    boot_expect(1, 2, &res);
    offer(&rel3, 0, true);
    boot_expect(0, 3, &res);
    assert_true(holds(&rig.s0, rel3.update[0], rel3.update_len[0]));
    b0_release_free(&rel3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(copied_to_idle_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_copies_too, setup, teardown),
        cmocka_unit_test_setup_teardown(running_slot_variant_erased, setup, teardown),
        cmocka_unit_test_setup_teardown(unrequested_candidate_stays, setup, teardown),
        cmocka_unit_test_setup_teardown(revert_never_takes_a_bootloader, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_candidate_erased, setup, teardown),
        cmocka_unit_test_setup_teardown(installed_copy_scrubbed, setup, teardown),
        cmocka_unit_test_setup_teardown(same_version_kept_by_first_stage, setup, teardown),
        cmocka_unit_test_setup_teardown(two_releases_in_a_row, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
