/*
 * Power-cut campaign for the loader. For each strategy and upgrade case,
 * a clean run counts the flash writes and erases of the whole scenario
 * (boots plus the application's own confirm); then for every operation i
 * and each way of cutting (before the operation, torn write, partial
 * erase) the scenario runs again with power cut at i, the device
 * rebooting and carrying on: once with that single cut, then with a
 * second cut at each of the first operations of the recovery and at one
 * random later point of it.
 *
 * After every boot that reaches the application, the primary slot must
 * hold exactly the old or the new image (a signature-valid image whose
 * digest is one of the two) -- the one the scenario expects at that boot.
 * At the end the slots and trailers must be as MCUboot leaves them. One
 * case runs two image pairs whose new image 0 depends on the new image 1:
 * no boot may run the one without the other.
 *
 * Arguments: --long runs larger images (make powercut-long).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loader_rig.h"

#define SECTOR 4096u
#define IMG_CAP 131072u

enum scenario {
    SC_PERM,         /* permanent request: one swap */
    SC_TEST_REVERT,  /* test request, never confirmed: swap, then revert */
    SC_TEST_CONFIRM, /* test request, the new image confirms itself */
};

enum layout_kind {
    LAYOUT_UNIFORM,      /* 4 KiB sectors (scratch: one more) */
    LAYOUT_UNIFORM_FULL, /* same, the new image reaches the trailer's sector */
    LAYOUT_MIXED,        /* 2, 4 and 8 KiB sectors, 8 KiB scratch */
    LAYOUT_TWO_IMAGES,   /* two pairs; the new image 0 needs the new image 1 */
};

struct campaign_case {
    const char *name;
    enum trailer_mode mode;
    enum scenario sc;
    enum layout_kind layout;
    uint8_t write_block;
};

/* Sizes of one run (small in CTest, larger with --long). */
static uint32_t slot_sectors = 8;
static uint32_t old_payload = 9000;
static uint32_t new_payload = 13000;

struct run {
    struct rig rig;
    uint8_t a[IMG_CAP];
    uint8_t b[IMG_CAP];
    size_t a_len;
    size_t b_len;
    uint8_t *initial; /* the whole flash before the scenario */
    uint32_t flash_size;
    uint8_t digest_a[32];
    uint8_t digest_b[32];
    /* Image pair 1 (LAYOUT_TWO_IMAGES). */
    uint8_t a1[IMG_CAP];
    uint8_t b1[IMG_CAP];
    size_t a1_len;
    size_t b1_len;
    uint8_t digest_a1[32];
    uint8_t digest_b1[32];
    uint32_t rng;
    uint32_t clean_ops; /* writes and erases of the scenario without cuts */
    /* Per run. */
    unsigned went_back_by_cut; /* the old image came back because of a cut */
    unsigned second_cuts;      /* second cuts that happened */
};

static uint32_t next_rand(struct run *r)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 17;
    r->rng ^= r->rng << 5;
    return r->rng;
}

static uint64_t ops_done(const struct run *r)
{
    struct flash_sim_counts c;

    flash_sim_total_counts(&r->rig.sim, &c);
    return c.writes + c.erases;
}

static void digest_of(const uint8_t *img, size_t len, uint8_t out[32])
{
    /* The hash TLV follows the 4-byte TLV info after the payload and the
     * protected area. */
    uint32_t hdr = (uint32_t)(img[8] | (img[9] << 8));
    uint32_t prot = (uint32_t)(img[10] | (img[11] << 8));
    uint32_t size = (uint32_t)img[12] | ((uint32_t)img[13] << 8) | ((uint32_t)img[14] << 16);

    assert_true(hdr + size + prot + 8 + 32 <= len);
    memcpy(out, img + hdr + size + prot + 8, 32);
}

static struct run *run_new(const struct campaign_case *cc)
{
    struct run *r = calloc(1, sizeof(*r));
    uint32_t b_payload = new_payload;

    assert_non_null(r);
    rig_write_block = cc->write_block;
    if (cc->layout == LAYOUT_MIXED) {
        /* 4 x 2 KiB, 2 x 4 KiB, then 8 KiB sectors. */
        uint32_t sizes[64];
        uint32_t n = 0;
        uint32_t total = 0;

        while (total < slot_sectors * SECTOR) {
            sizes[n] = n < 4 ? 2048u : n < 6 ? 4096u : 8192u;
            total += sizes[n++];
        }
        rig_open_map(&r->rig, cc->mode, sizes, n, 8192);
    } else if (cc->layout == LAYOUT_TWO_IMAGES) {
        rig_open_two(&r->rig, SECTOR, slot_sectors);
    } else {
        rig_open(&r->rig, cc->mode, SECTOR, slot_sectors);
    }
    if (cc->layout == LAYOUT_UNIFORM_FULL) {
        /* Into the last sector, short of the trailer. */
        b_payload = (slot_sectors - 1) * SECTOR + 600;
    }
    r->a_len = rig_image(&r->rig, NULL, 1, 0, old_payload, 1, r->a, sizeof(r->a));
    if (cc->layout == LAYOUT_TWO_IMAGES) {
        /* The new image 0 needs image 1 at 2.0. */
        r->b_len = rig_image_dep(&r->rig, 2, b_payload, 2, 1, 2, 0, r->b, sizeof(r->b));
        r->a1_len = rig_image(&r->rig, NULL, 1, 0, old_payload / 2, 3, r->a1, sizeof(r->a1));
        r->b1_len = rig_image(&r->rig, NULL, 2, 0, b_payload / 2, 4, r->b1, sizeof(r->b1));
        digest_of(r->a1, r->a1_len, r->digest_a1);
        digest_of(r->b1, r->b1_len, r->digest_b1);
        rig_program(&r->rig, &r->rig.primary1, r->a1, r->a1_len);
        rig_program(&r->rig, &r->rig.secondary1, r->b1, r->b1_len);
    } else {
        r->b_len = rig_image(&r->rig, NULL, 2, 0, b_payload, 2, r->b, sizeof(r->b));
    }
    digest_of(r->a, r->a_len, r->digest_a);
    digest_of(r->b, r->b_len, r->digest_b);
    rig_program(&r->rig, &r->rig.primary, r->a, r->a_len);
    rig_program(&r->rig, &r->rig.secondary, r->b, r->b_len);
    r->flash_size = cc->layout == LAYOUT_TWO_IMAGES ? 4 * r->rig.primary.size
                                                    : 2 * r->rig.primary.size + r->rig.scratch.size;
    r->initial = malloc(r->flash_size);
    assert_non_null(r->initial);
    memcpy(r->initial, flash_sim_raw(&r->rig.sim), r->flash_size);
    return r;
}

static void run_free(struct run *r)
{
    rig_close(&r->rig);
    free(r->initial);
    free(r);
}

/* Back to the flash as it was before the request, power on. */
static void run_restart(struct run *r)
{
    flash_sim_reboot(&r->rig.sim);
    assert_int_equal(flash_sim_load(&r->rig.sim, 0, r->flash_size, r->initial, r->flash_size),
                     0);
    flash_sim_reset_counts(&r->rig.sim);
    r->went_back_by_cut = 0;
    r->second_cuts = 0;
}

/* Which image does the primary slot hold after a boot: 'A', 'B', or 0
 * for anything else. */
static char running_image(const struct loader_result *res, const struct run *r)
{
    if (!res->images[0].bootable) {
        return 0;
    }
    if (memcmp(res->images[0].primary.digest, r->digest_a, 32) == 0) {
        return 'A';
    }
    if (memcmp(res->images[0].primary.digest, r->digest_b, 32) == 0) {
        return 'B';
    }
    return 0;
}

/* Completed boots each scenario runs (the last one checks it is stable). */
static unsigned boots_of(enum scenario sc)
{
    return sc == SC_PERM ? 2 : 3;
}

/*
 * May completed boot k (from 1) run the old image? Overwrite-only never
 * goes back. A test image goes back when it was not confirmed: in the
 * test+revert case from the second boot on; otherwise only when a cut
 * came between the end of the swap (copy_done on flash) and the
 * confirmation -- the new image then never confirmed, as far as the
 * flash can tell. Once back, it stays back.
 */
static bool old_image_allowed(const struct campaign_case *cc, unsigned k, bool back,
                              bool cut_since_boot)
{
    if (cc->mode == TRAILER_MODE_OVERWRITE_ONLY || cc->sc == SC_PERM) {
        return false;
    }
    if (back) {
        return true;
    }
    return (cc->sc == SC_TEST_REVERT && k >= 2) || cut_since_boot;
}

/* Must completed boot k run the old image? */
static bool old_image_required(const struct campaign_case *cc, unsigned k, bool back)
{
    if (cc->mode == TRAILER_MODE_OVERWRITE_ONLY || cc->sc == SC_PERM) {
        return false;
    }
    return back || (cc->sc == SC_TEST_REVERT && k >= 2);
}

/* Second cuts after the first one: at recovery operation 0 .. FIXED-1
 * (kinds in turn), then one at a random point of what is left to do (the
 * clean run's remaining operations bound the recovery's, give or take the
 * step redone). */
#define NO_SECOND_CUT (-1)
#define SECOND_CUTS_FIXED 4
#define SECOND_CUT_RANDOM SECOND_CUTS_FIXED

/* After the cut at cut_at: power back on, maybe arm a second cut. */
static void reboot_after_cut(struct run *r, long cut_at, int second, bool *armed_second)
{
    static const enum flash_sim_cut kinds[] = { FLASH_SIM_CUT_BEFORE, FLASH_SIM_CUT_TORN_WRITE,
                                                FLASH_SIM_CUT_PARTIAL_ERASE };

    flash_sim_reboot(&r->rig.sim);
    if (second == NO_SECOND_CUT || *armed_second) {
        return;
    }
    *armed_second = true;
    if (second < SECOND_CUTS_FIXED) {
        /* The first operations of a recovery rebuild its state: cut each. */
        flash_sim_cut_power_after(&r->rig.sim, (uint32_t)second, kinds[second % 3]);
    } else {
        uint32_t left = r->clean_ops > (uint32_t)cut_at ? r->clean_ops - (uint32_t)cut_at : 1u;

        flash_sim_cut_power_after(&r->rig.sim, next_rand(r) % left, kinds[next_rand(r) % 3u]);
    }
}

static void fail_run(const struct run *r, const char *what, uint32_t cut_at, int kind)
{
    fprintf(stderr, "%s (cut after %u ops, kind %d)\n--- last boot log ---\n%s", what,
            (unsigned)cut_at, kind, r->rig.log);
    fail();
}

/* Run the scenario from the initial flash. cut_at < 0: no cut. */
static void run_scenario(struct run *r, const struct campaign_case *cc, long cut_at, int kind,
                         int second)
{
    struct loader_result res;
    bool armed_second = false;
    bool back = false;           /* the old image came back */
    bool cut_since_boot = false; /* a cut since the last completed boot */
    unsigned completed = 0;
    unsigned reboots = 0;

    run_restart(r);
    assert_int_equal(trailer_set_pending(&r->rig.secondary, &r->rig.cfg.trailer,
                                         cc->sc == SC_PERM, 0),
                     0);
    if (cut_at >= 0) {
        flash_sim_cut_power_after(&r->rig.sim, (uint32_t)cut_at, (enum flash_sim_cut)kind);
    }
    while (completed < boots_of(cc->sc)) {
        int rc;
        char img;

        if (++reboots > 20) {
            fail_run(r, "no progress after 20 boots", (uint32_t)cut_at, kind);
        }
        rc = rig_boot(&r->rig, &res);
        if (flash_sim_power_is_cut(&r->rig.sim)) {
            r->second_cuts += armed_second;
            cut_since_boot = true;
            reboot_after_cut(r, cut_at, second, &armed_second);
            continue;
        }
        if (rc != LOADER_OK) {
            fail_run(r, "boot failed without a power cut", (uint32_t)cut_at, kind);
        }
        completed++;
        img = running_image(&res, r);
        if (img == 0) {
            fail_run(r, "the primary slot holds neither image", (uint32_t)cut_at, kind);
        }
        if (img == 'A' && !old_image_allowed(cc, completed, back, cut_since_boot)) {
            fail_run(r, "the old image runs where the new one must", (uint32_t)cut_at, kind);
        }
        if (img == 'B' && old_image_required(cc, completed, back)) {
            fail_run(r, "the new image runs where the old one must", (uint32_t)cut_at, kind);
        }
        if (img == 'A' && completed >= 1 && !back && cc->sc != SC_PERM &&
            cc->mode != TRAILER_MODE_OVERWRITE_ONLY) {
            back = true;
            r->went_back_by_cut += cc->sc == SC_TEST_CONFIRM || completed == 1;
        }
        cut_since_boot = false;
        if (cc->sc == SC_TEST_CONFIRM && img == 'B') {
            /* The new application confirms itself. */
            rc = trailer_set_confirmed(&r->rig.primary, &r->rig.cfg.trailer);
            if (flash_sim_power_is_cut(&r->rig.sim)) {
                r->second_cuts += armed_second;
                cut_since_boot = true;
                reboot_after_cut(r, cut_at, second, &armed_second);
                completed--; /* the application did not get to run */
                continue;
            }
            assert_int_equal(rc, 0);
        }
    }
    /* Stable: the last boot swapped nothing. */
    if (res.images[0].swap_type != BOOT_SWAP_TYPE_NONE) {
        fail_run(r, "last boot still swapped", (uint32_t)cut_at, kind);
    }
    /* Trailers as MCUboot leaves them. */
    {
        struct trailer_state pri;
        struct trailer_state sec;
        char final = running_image(&res, r);

        assert_int_equal(trailer_read(&r->rig.primary, &r->rig.cfg.trailer, &pri), 0);
        assert_int_equal(trailer_read(&r->rig.secondary, &r->rig.cfg.trailer, &sec), 0);
        if (sec.magic != TRAILER_MAGIC_UNSET) {
            fail_run(r, "secondary trailer not erased", (uint32_t)cut_at, kind);
        }
        if (cc->mode == TRAILER_MODE_OVERWRITE_ONLY) {
            /* The header goes after the trailer: a cut in between leaves
             * the installed image there, no longer requested. */
            if (flash_area_is_erased(&r->rig.secondary, 0, IMAGE_HEADER_SIZE) != 1 &&
                !rig_slot_holds(&r->rig, &r->rig.secondary, r->b, r->b_len)) {
                fail_run(r, "secondary slot neither scrubbed nor the installed image",
                         (uint32_t)cut_at, kind);
            }
            return;
        }
        /* A flag whose one-byte write tore reads "bad"; that is still the
         * flag written (and what MCUboot leaves too). */
        if (pri.magic != TRAILER_MAGIC_GOOD || pri.copy_done == TRAILER_FLAG_UNSET ||
            pri.image_ok == TRAILER_FLAG_UNSET) {
            fail_run(r, "primary trailer not good/copy_done/image_ok", (uint32_t)cut_at, kind);
        }
        /* The other image is kept in the secondary slot. */
        if (!rig_slot_holds(&r->rig, &r->rig.secondary, final == 'A' ? r->b : r->a,
                            final == 'A' ? r->b_len : r->a_len)) {
            fail_run(r, "secondary slot does not hold the other image", (uint32_t)cut_at, kind);
        }
    }
}

/* Which image the primary of pair 1 holds: 'A', 'B' or 0. */
static char running_image1(const struct loader_result *res, const struct run *r)
{
    if (!res->images[1].bootable) {
        return 0;
    }
    if (memcmp(res->images[1].primary.digest, r->digest_a1, 32) == 0) {
        return 'A';
    }
    return memcmp(res->images[1].primary.digest, r->digest_b1, 32) == 0 ? 'B' : 0;
}

/* Two pairs, both asked for a permanent switch; the new image 0 needs the
 * new image 1. Every boot that reaches the application runs old or new in
 * each pair, never the new image 0 beside the old image 1; the first such
 * boot runs both new ones. */
static void run_scenario_two(struct run *r, long cut_at, int kind, int second)
{
    struct loader_result res;
    bool armed_second = false;
    unsigned completed = 0;
    unsigned reboots = 0;

    run_restart(r);
    assert_int_equal(trailer_set_pending(&r->rig.secondary, &r->rig.cfg.trailer, true, 0), 0);
    assert_int_equal(trailer_set_pending(&r->rig.secondary1, &r->rig.cfg.trailer, true, 1), 0);
    if (cut_at >= 0) {
        flash_sim_cut_power_after(&r->rig.sim, (uint32_t)cut_at, (enum flash_sim_cut)kind);
    }
    while (completed < 2) {
        int rc;
        char img0;
        char img1;

        if (++reboots > 20) {
            fail_run(r, "no progress after 20 boots", (uint32_t)cut_at, kind);
        }
        rc = rig_boot(&r->rig, &res);
        if (flash_sim_power_is_cut(&r->rig.sim)) {
            r->second_cuts += armed_second;
            reboot_after_cut(r, cut_at, second, &armed_second);
            continue;
        }
        if (rc != LOADER_OK) {
            fail_run(r, "boot failed without a power cut", (uint32_t)cut_at, kind);
        }
        completed++;
        img0 = running_image(&res, r);
        img1 = running_image1(&res, r);
        if (img0 == 0 || img1 == 0) {
            fail_run(r, "a primary slot holds neither image", (uint32_t)cut_at, kind);
        }
        if (img0 != 'B' || img1 != 'B') {
            fail_run(r, "not both new images after a permanent request", (uint32_t)cut_at, kind);
        }
    }
    if (res.images[0].swap_type != BOOT_SWAP_TYPE_NONE ||
        res.images[1].swap_type != BOOT_SWAP_TYPE_NONE) {
        fail_run(r, "last boot still swapped", (uint32_t)cut_at, kind);
    }
    if (!rig_slot_holds(&r->rig, &r->rig.secondary, r->a, r->a_len) ||
        !rig_slot_holds(&r->rig, &r->rig.secondary1, r->a1, r->a1_len)) {
        fail_run(r, "a secondary slot does not hold the old image", (uint32_t)cut_at, kind);
    }
}

static void run_case(void **state)
{
    const struct campaign_case *cc = *state;
    struct run *r = run_new(cc);
    uint64_t total;
    unsigned single = 0;
    unsigned doubled = 0;
    unsigned second_hit = 0;
    unsigned reverted_by_cut = 0;

    r->rng = 0x2545f491u;
    if (cc->layout == LAYOUT_TWO_IMAGES) {
        run_scenario_two(r, -1, 0, NO_SECOND_CUT);
    } else {
        run_scenario(r, cc, -1, 0, NO_SECOND_CUT);
    }
    total = ops_done(r);
    assert_true(total > 0);
    r->clean_ops = (uint32_t)total;
    for (uint32_t i = 0; i < total; i++) {
        for (int kind = FLASH_SIM_CUT_BEFORE; kind <= FLASH_SIM_CUT_PARTIAL_ERASE; kind++) {
            for (int second = NO_SECOND_CUT; second <= SECOND_CUT_RANDOM; second++) {
                if (cc->layout == LAYOUT_TWO_IMAGES) {
                    run_scenario_two(r, i, kind, second);
                } else {
                    run_scenario(r, cc, i, kind, second);
                }
                if (second == NO_SECOND_CUT) {
                    single++;
                    reverted_by_cut += r->went_back_by_cut;
                } else {
                    doubled++;
                    second_hit += r->second_cuts;
                }
            }
        }
    }
    printf("powercut: %-32s %4u ops in a clean run; %u cut points x 3 kinds = %u runs "
           "with one cut, %u with a second cut in the recovery (its first %d operations "
           "and a random one; %u of those hit); %u cuts between swap and confirmation "
           "ended in a revert\n",
           cc->name, (unsigned)total, (unsigned)total, single, doubled, SECOND_CUTS_FIXED,
           second_hit, reverted_by_cut);
    fflush(stdout);
    run_free(r);
}

static const struct campaign_case cases[] = {
    { "swap-move permanent", TRAILER_MODE_SWAP_MOVE, SC_PERM, LAYOUT_UNIFORM, 4 },
    { "swap-move test+revert", TRAILER_MODE_SWAP_MOVE, SC_TEST_REVERT, LAYOUT_UNIFORM, 4 },
    { "swap-move test+confirm", TRAILER_MODE_SWAP_MOVE, SC_TEST_CONFIRM, LAYOUT_UNIFORM, 4 },
    { "swap-scratch permanent", TRAILER_MODE_SWAP_SCRATCH, SC_PERM, LAYOUT_UNIFORM_FULL, 4 },
    { "swap-scratch test+revert", TRAILER_MODE_SWAP_SCRATCH, SC_TEST_REVERT,
      LAYOUT_UNIFORM_FULL, 4 },
    { "swap-scratch test+confirm", TRAILER_MODE_SWAP_SCRATCH, SC_TEST_CONFIRM,
      LAYOUT_UNIFORM_FULL, 4 },
    { "swap-scratch mixed permanent", TRAILER_MODE_SWAP_SCRATCH, SC_PERM, LAYOUT_MIXED, 4 },
    { "swap-scratch mixed test+revert", TRAILER_MODE_SWAP_SCRATCH, SC_TEST_REVERT,
      LAYOUT_MIXED, 4 },
    { "swap-scratch mixed test+confirm", TRAILER_MODE_SWAP_SCRATCH, SC_TEST_CONFIRM,
      LAYOUT_MIXED, 4 },
    { "swap-move two images permanent", TRAILER_MODE_SWAP_MOVE, SC_PERM, LAYOUT_TWO_IMAGES, 4 },
    { "overwrite-only permanent", TRAILER_MODE_OVERWRITE_ONLY, SC_PERM, LAYOUT_UNIFORM, 4 },
    { "overwrite-only test", TRAILER_MODE_OVERWRITE_ONLY, SC_TEST_REVERT, LAYOUT_UNIFORM, 4 },
    /* One-byte write block: a torn write leaves half a flag byte. */
    { "swap-move wb1 test+revert", TRAILER_MODE_SWAP_MOVE, SC_TEST_REVERT, LAYOUT_UNIFORM, 1 },
    { "swap-move wb1 test+confirm", TRAILER_MODE_SWAP_MOVE, SC_TEST_CONFIRM, LAYOUT_UNIFORM, 1 },
    { "swap-move wb1 permanent", TRAILER_MODE_SWAP_MOVE, SC_PERM, LAYOUT_UNIFORM, 1 },
    { "swap-scratch wb1 test+revert", TRAILER_MODE_SWAP_SCRATCH, SC_TEST_REVERT,
      LAYOUT_UNIFORM_FULL, 1 },
    { "swap-scratch wb1 permanent", TRAILER_MODE_SWAP_SCRATCH, SC_PERM, LAYOUT_UNIFORM_FULL, 1 },
    { "overwrite-only wb1 permanent", TRAILER_MODE_OVERWRITE_ONLY, SC_PERM, LAYOUT_UNIFORM, 1 },
};

int main(int argc, char **argv)
{
    struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];

    if (argc > 1 && strcmp(argv[1], "--long") == 0) {
        slot_sectors = 24;
        old_payload = 52000;
        new_payload = 64000;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = run_case,
                                        .initial_state = (void *)&cases[i] };
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
