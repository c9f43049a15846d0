/*
 * Power-cut campaign for a bootloader update behind the first stage. The
 * scenario: the first stage runs release N from one S slot, the MCUboot
 * variant of release N+1 for the other slot waits in the secondary slot
 * with a permanent request; power-up until the device runs and one more
 * boot. It covers the first stage's counter updates (one per release it
 * boots for the first time), fw_info invalidation (by sector erase on a
 * 4-byte write block) and the loader's copy and scrub.
 *
 * A clean run counts its writes and erases; then for every operation i and
 * each way of cutting (before it, torn write, partial erase) the scenario
 * runs from the same flash with the power cut at i, once with that cut
 * alone and once with a second cut at a random point of the recovery.
 * Every boot that reaches the application must run the old or the new
 * bootloader from its own slot and the unchanged application; since the
 * request goes only after the copy, the last boot must run the new one,
 * with the secondary slot blank and the counter at the new version.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b0_rig.h"
#include "boot/nsib_provision.h"
#include "boot/trailer.h"

struct b0_case {
    const char *name;
    int from;           /* S slot of the running release */
};

struct b0_run {
    struct b0_rig rig;
    struct b0_release old_rel;
    struct b0_release new_rel;
    uint8_t *initial;
    uint32_t rng;
};

static uint32_t next_rand(struct b0_run *r)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 17;
    r->rng ^= r->rng << 5;
    return r->rng;
}

static uint64_t ops_done(const struct b0_run *r)
{
    struct flash_sim_counts c;

    flash_sim_total_counts(&r->rig.sim, &c);
    return c.writes + c.erases;
}

/* Release 1 bare in S0 (factory); for from == 1, release 2 installed in S1
 * too. The next release's variant for the other slot is requested. */
static struct b0_run *run_new(const struct b0_case *bc)
{
    struct b0_run *r = calloc(1, sizeof(*r));
    struct b0_release first;
    int to = 1 - bc->from;

    assert_non_null(r);
    r->rng = 0x2545f491u;
    b0_rig_open(&r->rig);
    b0_release_make(&r->rig, 1, &first);
    b0_rig_program(&r->rig, &r->rig.s0, 0x200, first.bare[0], first.bare_len[0]);
    if (bc->from == 1) {
        b0_release_make(&r->rig, 2, &r->old_rel);
        b0_rig_program(&r->rig, &r->rig.s1, 0, r->old_rel.update[1], r->old_rel.update_len[1]);
        b0_release_free(&first);
    } else {
        r->old_rel = first;
    }
    b0_release_make(&r->rig, (uint32_t)(bc->from + 2), &r->new_rel);
    b0_rig_program(&r->rig, &r->rig.secondary, 0, r->new_rel.update[to],
                   r->new_rel.update_len[to]);
    assert_int_equal(trailer_set_pending(&r->rig.secondary, &r->rig.cfg.trailer, true, 0), 0);
    r->initial = malloc(B0_FLASH_SIZE);
    assert_non_null(r->initial);
    memcpy(r->initial, flash_sim_raw(&r->rig.sim), B0_FLASH_SIZE);
    return r;
}

static void run_free(struct b0_run *r)
{
    b0_release_free(&r->old_rel);
    b0_release_free(&r->new_rel);
    b0_rig_close(&r->rig);
    free(r->initial);
    free(r);
}

static void fail_run(const struct b0_run *r, const char *what, long cut_at, int kind)
{
    fprintf(stderr, "%s (cut after %ld ops, kind %d)\n--- last boot log ---\n%s", what, cut_at,
            kind, r->rig.log);
    fail();
}

/* Boots until two complete; cut_at < 0: no cut. second: arm one more cut
 * after the first, at a random point. */
static void run_scenario(struct b0_run *r, const struct b0_case *bc, long cut_at, int kind,
                         bool second, long clean_ops)
{
    static const enum flash_sim_cut kinds[] = { FLASH_SIM_CUT_BEFORE, FLASH_SIM_CUT_TORN_WRITE,
                                                FLASH_SIM_CUT_PARTIAL_ERASE };
    const uint32_t old_v = (uint32_t)(bc->from + 1);
    const uint32_t new_v = old_v + 1;
    const int to = 1 - bc->from;
    struct loader_result res;
    bool armed_second = false;
    unsigned completed = 0;
    unsigned boots = 0;
    int slot = -1;
    uint32_t version = 0;

    flash_sim_reboot(&r->rig.sim);
    assert_int_equal(flash_sim_load(&r->rig.sim, 0, B0_FLASH_SIZE, r->initial, B0_FLASH_SIZE), 0);
    flash_sim_reset_counts(&r->rig.sim);
    if (cut_at >= 0) {
        flash_sim_cut_power_after(&r->rig.sim, (uint32_t)cut_at, kinds[kind]);
    }
    while (completed < 2) {
        int rc;

        if (++boots > 20) {
            fail_run(r, "no progress after 20 power-ups", cut_at, kind);
        }
        rc = b0_rig_boot(&r->rig, &slot, &version, &res);
        if (flash_sim_power_is_cut(&r->rig.sim)) {
            flash_sim_reboot(&r->rig.sim);
            if (second && !armed_second) {
                long left = clean_ops > cut_at ? clean_ops - cut_at : 1;

                armed_second = true;
                flash_sim_cut_power_after(&r->rig.sim, next_rand(r) % (uint32_t)left,
                                          kinds[next_rand(r) % 3u]);
            }
            continue;
        }
        if (rc != LOADER_OK) {
            fail_run(r, "boot failed without a power cut", cut_at, kind);
        }
        completed++;
        if (!((slot == bc->from && version == old_v) || (slot == to && version == new_v))) {
            fail_run(r, "neither the old nor the new bootloader runs from its slot", cut_at, kind);
        }
        if (!res.images[0].bootable || res.images[0].swap_type != BOOT_SWAP_TYPE_NONE ||
            memcmp(flash_sim_raw(&r->rig.sim) + B0_PRI_OFF, r->rig.app, r->rig.app_len) != 0) {
            fail_run(r, "the application was touched", cut_at, kind);
        }
    }
    if (slot != to || version != new_v) {
        fprintf(stderr, "slot %d version %u\n", slot, (unsigned)version);
        fail_run(r, "the update did not complete", cut_at, kind);
    }
    /* The request goes first, then the image from its header on: a cut
     * in between leaves the installed image (or what is left of it after
     * its header went) there, no longer asked for. */
    if (flash_area_is_erased(&r->rig.secondary, 0, r->rig.secondary.size) != 1) {
        struct trailer_state st;

        assert_int_equal(trailer_read(&r->rig.secondary, &r->rig.cfg.trailer, &st), 0);
        if (st.magic != TRAILER_MAGIC_UNSET ||
            (flash_area_is_erased(&r->rig.secondary, 0, IMAGE_HEADER_SIZE) != 1 &&
             memcmp(flash_sim_raw(&r->rig.sim) + B0_SEC_OFF, r->new_rel.update[to],
                    r->new_rel.update_len[to]) != 0)) {
            fail_run(r, "the secondary slot is neither scrubbed nor the installed image", cut_at,
                     kind);
        }
    }
    {
        struct nsib_provision p;
        uint16_t counter;

        assert_int_equal(nsib_provision_read(&r->rig.prov, &p), 0);
        assert_int_equal(nsib_counter_get(&r->rig.prov, &p, NSIB_COUNTER_DESC_NSIB, &counter), 0);
        if (counter != (uint16_t)((new_v << 1) | (to == 0 ? 1u : 0u))) {
            fail_run(r, "the counter does not hold the new version", cut_at, kind);
        }
    }
}

static void run_case(void **state)
{
    const struct b0_case *bc = *state;
    struct b0_run *r = run_new(bc);
    unsigned runs = 0;
    long total;

    run_scenario(r, bc, -1, 0, false, 0);
    total = (long)ops_done(r);
    for (long i = 0; i < total; i++) {
        for (int kind = 0; kind < 3; kind++) {
            run_scenario(r, bc, i, kind, false, total);
            run_scenario(r, bc, i, kind, true, total);
            runs += 2;
        }
    }
    printf("powercut: %-24s %4ld ops in a clean run; %u runs (one cut at each op x 3 kinds, "
           "then each with a second cut at a random point of the recovery)\n",
           bc->name, total, runs);
    fflush(stdout);
    run_free(r);
}

static const struct b0_case cases[] = {
    { "first stage S0 -> S1", 0 },
    { "first stage S1 -> S0", 1 },
};

int main(void)
{
    struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = run_case,
                                        .initial_state = (void *)&cases[i] };
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
