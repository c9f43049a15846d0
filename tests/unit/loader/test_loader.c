/*
 * The loader on one image pair: swap-using-move requests (test, revert,
 * confirm, permanent), refused candidates, downgrade prevention, the
 * status-area format, and overwrite-only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/boot_status.h"
#include "loader_rig.h"

#define SECTOR 4096u
#define SLOT_SECTORS 8u
#define IMG_CAP 65536u

struct fixture {
    struct rig rig;
    uint8_t a[IMG_CAP]; /* running image */
    uint8_t b[IMG_CAP]; /* candidate */
    size_t a_len;
    size_t b_len;
};

static struct fixture *setup(enum trailer_mode mode)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    rig_open(&f->rig, mode, SECTOR, SLOT_SECTORS);
    f->a_len = rig_image(&f->rig, NULL, 1, 0, 9000, 1, f->a, sizeof(f->a));
    f->b_len = rig_image(&f->rig, NULL, 2, 0, 13000, 2, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.primary, f->a, f->a_len);
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    return f;
}

static void teardown(struct fixture *f)
{
    rig_close(&f->rig);
    free(f);
}

static struct trailer_state trailer_of(struct fixture *f, const struct flash_area *fa)
{
    struct trailer_state st;

    assert_int_equal(trailer_read(fa, &f->rig.cfg.trailer, &st), 0);
    return st;
}

static void request(struct fixture *f, bool permanent)
{
    assert_int_equal(trailer_set_pending(&f->rig.secondary, &f->rig.cfg.trailer, permanent, 0), 0);
}

static void boot_ok(struct fixture *f, struct loader_result *res)
{
    int rc = rig_boot(&f->rig, res);

    if (rc != 0) {
        fprintf(stderr, "%s", f->rig.log);
    }
    assert_int_equal(rc, LOADER_OK);
    assert_true(res->images[0].bootable);
}

static void test_no_request_boots_primary(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);
    struct flash_sim_counts before;
    struct flash_sim_counts after;
    struct loader_result res;

    (void)state;
    flash_sim_total_counts(&f->rig.sim, &before);
    boot_ok(f, &res);
    flash_sim_total_counts(&f->rig.sim, &after);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(res.images[0].primary.hdr.ver.major, 1);
    assert_int_equal(after.writes, before.writes);
    assert_int_equal(after.erases, before.erases);
    teardown(f);
}

static void test_test_swap_then_revert(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);
    struct loader_result res;
    struct trailer_state pri;
    struct trailer_state sec;

    (void)state;
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(res.images[0].primary.hdr.ver.major, 2);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->b, f->b_len));
    assert_true(rig_slot_holds(&f->rig, &f->rig.secondary, f->a, f->a_len));
    assert_true(rig_logged(&f->rig, "Swap type: test"));
    pri = trailer_of(f, &f->rig.primary);
    sec = trailer_of(f, &f->rig.secondary);
    assert_int_equal(pri.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(pri.copy_done, TRAILER_FLAG_SET);
    assert_int_equal(pri.image_ok, TRAILER_FLAG_UNSET);
    assert_int_equal(pri.swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(sec.magic, TRAILER_MAGIC_UNSET);

    /* Not confirmed: the next boot puts the old image back for good. */
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_REVERT);
    assert_int_equal(res.images[0].primary.hdr.ver.major, 1);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->a, f->a_len));
    assert_true(rig_slot_holds(&f->rig, &f->rig.secondary, f->b, f->b_len));
    pri = trailer_of(f, &f->rig.primary);
    sec = trailer_of(f, &f->rig.secondary);
    assert_int_equal(pri.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(pri.copy_done, TRAILER_FLAG_SET);
    assert_int_equal(pri.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(sec.magic, TRAILER_MAGIC_UNSET);

    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(res.images[0].primary.hdr.ver.major, 1);
    teardown(f);
}

static void test_test_swap_confirmed_stays(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);
    struct loader_result res;

    (void)state;
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(trailer_set_confirmed(&f->rig.primary, &f->rig.cfg.trailer), 0);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(res.images[0].primary.hdr.ver.major, 2);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->b, f->b_len));
    teardown(f);
}

static void test_permanent_swap(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);
    struct loader_result res;
    struct trailer_state pri;

    (void)state;
    request(f, true);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_PERM);
    pri = trailer_of(f, &f->rig.primary);
    assert_int_equal(pri.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(pri.copy_done, TRAILER_FLAG_SET);
    assert_int_equal(trailer_of(f, &f->rig.secondary).magic, TRAILER_MAGIC_UNSET);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(res.images[0].primary.hdr.ver.major, 2);
    assert_true(rig_slot_holds(&f->rig, &f->rig.secondary, f->a, f->a_len));
    teardown(f);
}

static void assert_candidate_erased(struct fixture *f, const char *reason)
{
    struct loader_result res;

    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_true(rig_logged(&f->rig, "Image in the secondary slot is not valid"));
    assert_true(rig_logged(&f->rig, reason));
    assert_int_equal(flash_area_is_erased(&f->rig.secondary, 0, f->rig.secondary.size), 1);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->a, f->a_len));
    assert_int_equal(res.images[0].primary.hdr.ver.major, 1);
    /* MCUboot marks the running image as if a revert just finished. */
    assert_int_equal(trailer_of(f, &f->rig.primary).image_ok, TRAILER_FLAG_SET);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
}

static void test_flipped_bit_candidate_erased(void **state)
{
    /* Header, payload and protected area: each flip is caught. */
    static const uint32_t offsets[] = { 20, 32 + 100, 32 + 12999 };

    (void)state;
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);

        f->b[offsets[i]] ^= 0x10;
        rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
        assert_candidate_erased(f, "hash");
        teardown(f);
    }
}

static void test_untrusted_key_candidate_erased(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);
    struct bt_signer other;

    (void)state;
    bt_signer_new(&other);
    f->b_len = rig_image(&f->rig, &other, 2, 0, 13000, 2, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    assert_candidate_erased(f, image_strerror(IMAGE_ENOKEY));
    teardown(f);
}

static void test_downgrade_prevented(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);
    struct loader_result res;

    (void)state;
    /* Running 2.0, candidate 1.5. */
    f->a_len = rig_image(&f->rig, NULL, 2, 0, 9000, 1, f->a, sizeof(f->a));
    f->b_len = rig_image(&f->rig, NULL, 1, 5, 9000, 3, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.primary, f->a, f->a_len);
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    f->rig.cfg.downgrade_prevention = true;
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_true(rig_logged(&f->rig, "downgrade prevention"));
    assert_int_equal(flash_area_is_erased(&f->rig.secondary, 0, f->rig.secondary.size), 1);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->a, f->a_len));

    /* Without the option the same request is carried out. */
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    f->rig.cfg.downgrade_prevention = false;
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(res.images[0].primary.hdr.ver.minor, 5);
    teardown(f);
}

static void test_oversized_candidate_refused(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);

    (void)state;
    /* 8 sectors: the trailer takes the last, the move needs one more, so
     * an image may take 6 sectors at most. */
    f->b_len = rig_image(&f->rig, NULL, 2, 0, 6 * SECTOR, 2, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    assert_candidate_erased(f, "not valid");
    teardown(f);
}

static void test_status_record_layout(void **state)
{
    struct trailer_config cfg = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    struct trailer_offsets o;
    struct boot_status bs;
    uint32_t off;

    (void)state;
    assert_int_equal(trailer_offsets(&cfg, 0x8000, &o), 0);
    /* 128 move records of one state, then 128 swap records of two. */
    boot_status_reset(&bs);
    assert_int_equal(boot_status_record_off(&cfg, 0x8000, false, &bs, &off), 0);
    assert_int_equal(off, o.status);
    bs.idx = 3;
    assert_int_equal(boot_status_record_off(&cfg, 0x8000, false, &bs, &off), 0);
    assert_int_equal(off, o.status + 2 * 4);
    bs.op = BOOT_STATUS_OP_SWAP;
    bs.idx = 1;
    bs.state = 1;
    assert_int_equal(boot_status_record_off(&cfg, 0x8000, false, &bs, &off), 0);
    assert_int_equal(off, o.status + 128 * 4);
    bs.idx = 2;
    bs.state = 2;
    assert_int_equal(boot_status_record_off(&cfg, 0x8000, false, &bs, &off), 0);
    assert_int_equal(off, o.status + 128 * 4 + 3 * 4);
    bs.state = 3;
    assert_int_equal(boot_status_record_off(&cfg, 0x8000, false, &bs, &off), TRAILER_EINVAL);

    /* Scratch: three states per index, interleaved. */
    cfg = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 4);
    assert_int_equal(trailer_offsets(&cfg, 0x8000, &o), 0);
    bs.op = BOOT_STATUS_OP_MOVE;
    bs.idx = 2;
    bs.state = 3;
    assert_int_equal(boot_status_record_off(&cfg, 0x8000, false, &bs, &off), 0);
    assert_int_equal(off, o.status + (3 + 2) * 4);
}

static void test_status_read_back(void **state)
{
    struct rig r;
    struct boot_status bs;
    struct boot_status rd;
    bool inconsistent;
    const uint8_t *raw;
    uint32_t off;

    (void)state;
    rig_open(&r, TRAILER_MODE_SWAP_MOVE, SECTOR, SLOT_SECTORS);
    boot_status_reset(&bs);
    boot_status_reset(&rd);
    assert_int_equal(boot_status_read_records(&r.primary, &r.cfg.trailer, false, &rd, &inconsistent), 0);
    assert_true(boot_status_is_reset(&rd));
    assert_false(inconsistent);

    /* Three moves, then swap step 1 state 1: next is swap 1.2. */
    for (bs.idx = 1; bs.idx <= 3; bs.idx++) {
        assert_int_equal(boot_status_write(&r.primary, &r.cfg.trailer, false, &bs), 0);
    }
    bs.op = BOOT_STATUS_OP_SWAP;
    bs.idx = 1;
    bs.state = 1;
    assert_int_equal(boot_status_write(&r.primary, &r.cfg.trailer, false, &bs), 0);
    assert_int_equal(boot_status_read_records(&r.primary, &r.cfg.trailer, false, &rd, &inconsistent), 0);
    assert_int_equal(rd.op, BOOT_STATUS_OP_SWAP);
    assert_int_equal(rd.idx, 1);
    assert_int_equal(rd.state, 2);
    assert_false(inconsistent);

    /* A gap inside the move records is what a failed status write leaves. */
    bs.op = BOOT_STATUS_OP_MOVE;
    bs.idx = 5;
    assert_int_equal(boot_status_write(&r.primary, &r.cfg.trailer, false, &bs), 0);
    assert_int_equal(boot_status_read_records(&r.primary, &r.cfg.trailer, false, &rd, &inconsistent), 0);
    assert_true(inconsistent);
    bs.op = BOOT_STATUS_OP_SWAP;
    bs.idx = 1;

    /* The record holds the state number, padded with erased bytes. */
    assert_int_equal(boot_status_record_off(&r.cfg.trailer, r.primary.size, false, &bs, &off), 0);
    raw = flash_sim_raw(&r.sim) + r.primary.off + off;
    assert_int_equal(raw[0], 1);
    assert_int_equal(raw[1], 0xff);
    assert_int_equal(raw[3], 0xff);
    rig_close(&r);
}

static void test_overwrite_only(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_OVERWRITE_ONLY);
    struct loader_result res;

    (void)state;
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_TEST);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->b, f->b_len));
    assert_int_equal(flash_area_is_erased(&f->rig.secondary, 0, SECTOR), 1);
    assert_int_equal(trailer_of(f, &f->rig.secondary).magic, TRAILER_MAGIC_UNSET);
    /* No backup: the next boot keeps the new image. */
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(res.images[0].primary.hdr.ver.major, 2);
    teardown(f);
}

/* Test, revert, stable; the slots swapped each time, trailers as MCUboot
 * leaves them. */
static void check_test_revert_cycle(struct fixture *f)
{
    struct loader_result res;
    struct trailer_state pri;

    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_TEST);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->b, f->b_len));
    assert_true(rig_slot_holds(&f->rig, &f->rig.secondary, f->a, f->a_len));
    pri = trailer_of(f, &f->rig.primary);
    assert_int_equal(pri.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(pri.copy_done, TRAILER_FLAG_SET);
    assert_int_equal(pri.image_ok, TRAILER_FLAG_UNSET);
    assert_int_equal(trailer_of(f, &f->rig.secondary).magic, TRAILER_MAGIC_UNSET);
    /* The scratch area keeps the last region's data, never a request. */
    assert_int_not_equal(trailer_of(f, &f->rig.scratch).magic, TRAILER_MAGIC_GOOD);

    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_REVERT);
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->a, f->a_len));
    assert_true(rig_slot_holds(&f->rig, &f->rig.secondary, f->b, f->b_len));
    pri = trailer_of(f, &f->rig.primary);
    assert_int_equal(pri.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(pri.copy_done, TRAILER_FLAG_SET);

    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
}

static void test_scratch_small_image(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_SCRATCH);

    (void)state;
    check_test_revert_cycle(f);
    teardown(f);
}

static void test_scratch_image_reaching_trailer_sector(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_SCRATCH);

    (void)state;
    /* Ends in the last sector: that region's status lives in the scratch
     * area while the primary trailer is swapped. */
    f->b_len = rig_image(&f->rig, NULL, 2, 0, 7 * SECTOR + 1000, 2, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    check_test_revert_cycle(f);
    teardown(f);
}

static void test_scratch_mixed_sectors(void **state)
{
    static const uint32_t sizes[] = { 2048, 2048, 2048, 2048, 4096, 4096, 8192, 8192 };
    struct fixture *f = calloc(1, sizeof(*f));

    (void)state;
    assert_non_null(f);
    rig_open_map(&f->rig, TRAILER_MODE_SWAP_SCRATCH, sizes, 8, 8192);
    f->a_len = rig_image(&f->rig, NULL, 1, 0, 9000, 1, f->a, sizeof(f->a));
    f->b_len = rig_image(&f->rig, NULL, 2, 0, 21000, 2, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.primary, f->a, f->a_len);
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    check_test_revert_cycle(f);
    teardown(f);
}

static void test_scratch_incompatible_slots(void **state)
{
    /* A 16 KiB sector does not fit the 8 KiB scratch: no swap at all. */
    static const uint32_t sizes[] = { 8192, 8192, 16384 };
    struct fixture *f = calloc(1, sizeof(*f));
    struct loader_result res;

    (void)state;
    assert_non_null(f);
    rig_open_map(&f->rig, TRAILER_MODE_SWAP_SCRATCH, sizes, 3, 8192);
    f->a_len = rig_image(&f->rig, NULL, 1, 0, 9000, 1, f->a, sizeof(f->a));
    f->b_len = rig_image(&f->rig, NULL, 2, 0, 9000, 2, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.primary, f->a, f->a_len);
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_true(rig_logged(&f->rig, "not compatible with swap-scratch"));
    assert_true(rig_slot_holds(&f->rig, &f->rig.primary, f->a, f->a_len));
    teardown(f);
}

struct vector_case {
    const char *image;
    const char *key;
    enum crypto_sig_type type;
};

/* The vector image as the candidate of an empty device; trusted: key. */
static struct fixture *vector_setup(const struct vector_case *v, uint8_t **img, size_t *len,
                                    uint8_t **key, size_t *key_len)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char path[96];

    assert_non_null(f);
    /* 64 sectors: the 0x40000-byte slot the vectors were signed for. */
    rig_open(&f->rig, TRAILER_MODE_SWAP_MOVE, SECTOR, 64);
    snprintf(path, sizeof(path), "signed/%s.bin", v->image);
    *img = bt_read_vector(path, len);
    snprintf(path, sizeof(path), "keys/%s.pub.der", v->key);
    *key = bt_read_vector(path, key_len);
    f->rig.key = (struct image_key){ .type = v->type, .key = *key, .key_len = *key_len };
    rig_program(&f->rig, &f->rig.secondary, *img, *len);
    return f;
}

static void test_vectors_boot_with_their_keys(void **state)
{
    static const struct vector_case vectors[] = {
        { "ed25519-basic", "ed25519", CRYPTO_SIG_ED25519 },
        { "ed25519-sha512", "ed25519", CRYPTO_SIG_ED25519 },
        { "ed25519-seccnt-full", "ed25519", CRYPTO_SIG_ED25519 },
        { "ed25519-zeroed-hdr", "ed25519", CRYPTO_SIG_ED25519 },
        { "ed25519-confirm-pad", "ed25519", CRYPTO_SIG_ED25519 },
        { "ecdsa-p256-basic", "ecdsa-p256", CRYPTO_SIG_ECDSA_P256 },
        { "ecdsa-p256-100k-auto", "ecdsa-p256", CRYPTO_SIG_ECDSA_P256 },
        { "ecdsa-p384-basic", "ecdsa-p384", CRYPTO_SIG_ECDSA_P384 },
        { "rsa-2048-basic", "rsa-2048", CRYPTO_SIG_RSA2048_PSS },
        { "rsa-3072-basic", "rsa-3072", CRYPTO_SIG_RSA3072_PSS },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        struct loader_result res;
        uint8_t *img;
        uint8_t *key;
        size_t len;
        size_t key_len;
        struct fixture *f = vector_setup(&vectors[i], &img, &len, &key, &key_len);
        bool padded = len == f->rig.secondary.size;

        /* The padded vector carries its own request (imgtool --confirm). */
        if (!padded) {
            request(f, false);
        }
        boot_ok(f, &res);
        assert_int_equal(res.images[0].swap_type,
                         padded ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST);
        assert_int_equal(res.images[0].primary.key_index, 0);
        assert_true(rig_slot_holds(&f->rig, &f->rig.primary, img, res.images[0].primary.image_end));
        free(img);
        free(key);
        teardown(f);
    }
}

static void test_vector_copies_refused(void **state)
{
    static const struct vector_case seccnt = { "ed25519-seccnt-full", "ed25519",
                                               CRYPTO_SIG_ED25519 };
    static const struct vector_case untrusted = { "ecdsa-p256-basic", "ed25519",
                                                  CRYPTO_SIG_ED25519 };
    /* Header (version), payload, and the protected SEC_CNT value (after
     * the 0x200 header, 102437 payload bytes, the 0x6908 info and the
     * TLV header). */
    static const uint32_t flips[] = { 21, 0x200 + 5000, 0x200 + 102437 + 4 + 4 };

    (void)state;
    for (size_t i = 0; i <= sizeof(flips) / sizeof(flips[0]); i++) {
        struct loader_result res;
        uint8_t *img;
        uint8_t *key;
        size_t len;
        size_t key_len;
        bool flip = i < sizeof(flips) / sizeof(flips[0]);
        struct fixture *f = vector_setup(flip ? &seccnt : &untrusted, &img, &len, &key, &key_len);

        if (flip) {
            img[flips[i]] ^= 0x04;
            rig_program(&f->rig, &f->rig.secondary, img, len);
        }
        request(f, false);
        assert_int_equal(rig_boot(&f->rig, &res), LOADER_ENOBOOT);
        assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_FAIL);
        assert_true(rig_logged(&f->rig, flip ? "Image in the secondary slot is not valid: "
                                             : "not valid: no trusted key"));
        assert_true(rig_logged(&f->rig, "; erased"));
        assert_int_equal(flash_area_is_erased(&f->rig.secondary, 0, f->rig.secondary.size), 1);
        free(img);
        free(key);
        teardown(f);
    }
}

/* Two image pairs: images a0/a1 running, b0/b1 candidates. */
struct two {
    struct rig rig;
    uint8_t a0[IMG_CAP], a1[IMG_CAP], b0[IMG_CAP], b1[IMG_CAP];
    size_t a0_len, a1_len, b0_len, b1_len;
};

static struct two *two_setup(bool b0_needs_b1, bool b1_needs_b0)
{
    struct two *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    rig_open_two(&t->rig, SECTOR, SLOT_SECTORS);
    t->a0_len = rig_image(&t->rig, NULL, 1, 0, 9000, 1, t->a0, sizeof(t->a0));
    t->a1_len = rig_image(&t->rig, NULL, 1, 0, 7000, 3, t->a1, sizeof(t->a1));
    t->b0_len = b0_needs_b1 ? rig_image_dep(&t->rig, 2, 12000, 2, 1, 2, 0, t->b0, sizeof(t->b0))
                            : rig_image(&t->rig, NULL, 2, 0, 12000, 2, t->b0, sizeof(t->b0));
    t->b1_len = b1_needs_b0 ? rig_image_dep(&t->rig, 2, 8000, 4, 0, 2, 0, t->b1, sizeof(t->b1))
                            : rig_image(&t->rig, NULL, 2, 0, 8000, 4, t->b1, sizeof(t->b1));
    rig_program(&t->rig, &t->rig.primary, t->a0, t->a0_len);
    rig_program(&t->rig, &t->rig.primary1, t->a1, t->a1_len);
    return t;
}

static void two_boot(struct two *t, struct loader_result *res)
{
    int rc = rig_boot(&t->rig, res);

    if (rc != 0) {
        fprintf(stderr, "%s", t->rig.log);
    }
    assert_int_equal(rc, LOADER_OK);
    assert_true(res->images[0].bootable);
    assert_true(res->images[1].bootable);
}

static void test_two_images_swap_on_their_own(void **state)
{
    struct two *t = two_setup(false, false);
    struct loader_result res;

    (void)state;
    rig_program(&t->rig, &t->rig.secondary1, t->b1, t->b1_len);
    assert_int_equal(trailer_set_pending(&t->rig.secondary1, &t->rig.cfg.trailer, true, 1), 0);
    two_boot(t, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(res.images[1].swap_type, BOOT_SWAP_TYPE_PERM);
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary, t->a0, t->a0_len));
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary1, t->b1, t->b1_len));
    assert_true(rig_slot_holds(&t->rig, &t->rig.secondary1, t->a1, t->a1_len));
    rig_close(&t->rig);
    free(t);
}

static void test_dependency_met_both_swap(void **state)
{
    struct two *t = two_setup(true, false);
    struct loader_result res;

    (void)state;
    rig_program(&t->rig, &t->rig.secondary, t->b0, t->b0_len);
    rig_program(&t->rig, &t->rig.secondary1, t->b1, t->b1_len);
    assert_int_equal(trailer_set_pending(&t->rig.secondary, &t->rig.cfg.trailer, true, 0), 0);
    assert_int_equal(trailer_set_pending(&t->rig.secondary1, &t->rig.cfg.trailer, true, 1), 0);
    two_boot(t, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_PERM);
    assert_int_equal(res.images[1].swap_type, BOOT_SWAP_TYPE_PERM);
    assert_int_equal(res.images[0].primary.dep_count, 1);
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary, t->b0, t->b0_len));
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary1, t->b1, t->b1_len));
    assert_false(rig_logged(&t->rig, "dependency not met"));
    rig_close(&t->rig);
    free(t);
}

static void test_dependency_unmet_cancels_upgrade(void **state)
{
    struct two *t = two_setup(true, false);
    struct loader_result res;

    (void)state;
    /* b0 needs image 1 at 2.0; image 1 stays at 1.0. */
    rig_program(&t->rig, &t->rig.secondary, t->b0, t->b0_len);
    assert_int_equal(trailer_set_pending(&t->rig.secondary, &t->rig.cfg.trailer, false, 0), 0);
    two_boot(t, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_true(rig_logged(&t->rig, "Image 0: dependency not met; swap type changed to none"));
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary, t->a0, t->a0_len));
    assert_true(rig_slot_holds(&t->rig, &t->rig.secondary, t->b0, t->b0_len));

    /* Once image 1 gets there, the same request goes through. */
    rig_program(&t->rig, &t->rig.secondary1, t->b1, t->b1_len);
    assert_int_equal(trailer_set_pending(&t->rig.secondary1, &t->rig.cfg.trailer, false, 1), 0);
    two_boot(t, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(res.images[1].swap_type, BOOT_SWAP_TYPE_TEST);
    rig_close(&t->rig);
    free(t);
}

static void test_dependency_reverts_together(void **state)
{
    struct two *t = two_setup(false, true);
    struct loader_result res;

    (void)state;
    /* Both tested; b1 needs image 0 at 2.0. Only image 1 confirms. */
    rig_program(&t->rig, &t->rig.secondary, t->b0, t->b0_len);
    rig_program(&t->rig, &t->rig.secondary1, t->b1, t->b1_len);
    assert_int_equal(trailer_set_pending(&t->rig.secondary, &t->rig.cfg.trailer, false, 0), 0);
    assert_int_equal(trailer_set_pending(&t->rig.secondary1, &t->rig.cfg.trailer, false, 1), 0);
    two_boot(t, &res);
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary1, t->b1, t->b1_len));
    assert_int_equal(trailer_set_confirmed(&t->rig.primary1, &t->rig.cfg.trailer), 0);

    /* Image 0 reverts; image 1 would be left needing 2.0: it goes back
     * too. */
    two_boot(t, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_REVERT);
    assert_int_equal(res.images[1].swap_type, BOOT_SWAP_TYPE_REVERT);
    assert_true(rig_logged(&t->rig, "Image 1: dependency not met; swap type changed to revert"));
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary, t->a0, t->a0_len));
    assert_true(rig_slot_holds(&t->rig, &t->rig.primary1, t->a1, t->a1_len));
    two_boot(t, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(res.images[1].swap_type, BOOT_SWAP_TYPE_NONE);
    rig_close(&t->rig);
    free(t);
}

/* Rollback protection: a counter per image kept by the test. */
struct counters {
    uint32_t value[2];
};

static int counter_get(void *arg, uint8_t image, uint32_t *value)
{
    *value = ((struct counters *)arg)->value[image];
    return 0;
}

static int counter_set(void *arg, uint8_t image, uint32_t value)
{
    struct counters *c = arg;

    c->value[image] = value;
    return 0;
}

static size_t image_with_counter(struct fixture *f, uint8_t major, uint32_t payload,
                                 uint8_t seed, uint32_t sec_cnt, uint8_t *out)
{
    uint8_t raw[4] = { (uint8_t)sec_cnt, (uint8_t)(sec_cnt >> 8), (uint8_t)(sec_cnt >> 16),
                       (uint8_t)(sec_cnt >> 24) };
    struct bt_tlv tlv = { .type = IMAGE_TLV_SEC_CNT, .len = 4, .data = raw };

    return rig_image_prot(&f->rig, major, payload, seed, &tlv, 1, out, IMG_CAP);
}

static struct fixture *counter_setup(struct counters *cnt, const struct loader_counter_ops *ops,
                                     uint32_t running, uint32_t candidate)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);

    f->a_len = image_with_counter(f, 1, 9000, 1, running, f->a);
    f->b_len = image_with_counter(f, 2, 13000, 2, candidate, f->b);
    rig_program(&f->rig, &f->rig.primary, f->a, f->a_len);
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    f->rig.cfg.counter = ops;
    cnt->value[0] = running;
    return f;
}

static void test_rollback_counter_follows_confirmation(void **state)
{
    struct counters cnt = { { 0, 0 } };
    const struct loader_counter_ops ops = { counter_get, counter_set, &cnt };
    struct fixture *f = counter_setup(&cnt, &ops, 5, 7);
    struct loader_result res;

    (void)state;
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].primary.sec_cnt, 7);
    /* On test: the counter waits, so the old image can come back. */
    assert_int_equal(cnt.value[0], 5);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_REVERT);
    assert_int_equal(res.images[0].primary.sec_cnt, 5);
    assert_int_equal(cnt.value[0], 5);

    /* Tested again and confirmed: the counter moves up for good. */
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(trailer_set_confirmed(&f->rig.primary, &f->rig.cfg.trailer), 0);
    boot_ok(f, &res);
    assert_int_equal(cnt.value[0], 7);
    teardown(f);
}

static void test_rollback_refuses_older_counter(void **state)
{
    struct counters cnt = { { 0, 0 } };
    const struct loader_counter_ops ops = { counter_get, counter_set, &cnt };
    struct fixture *f = counter_setup(&cnt, &ops, 5, 4);

    (void)state;
    /* A higher version does not help: the counter decides. */
    assert_candidate_erased(f, "security counter below the stored one");
    assert_int_equal(cnt.value[0], 5);
    teardown(f);
}

static void test_rollback_needs_a_counter(void **state)
{
    struct counters cnt = { { 0, 0 } };
    const struct loader_counter_ops ops = { counter_get, counter_set, &cnt };
    struct fixture *f = counter_setup(&cnt, &ops, 5, 7);
    struct loader_result res;

    (void)state;
    f->b_len = rig_image(&f->rig, NULL, 2, 0, 13000, 2, f->b, sizeof(f->b));
    rig_program(&f->rig, &f->rig.secondary, f->b, f->b_len);
    assert_candidate_erased(f, "no security counter");

    /* The running image needs one too. */
    rig_program(&f->rig, &f->rig.primary, f->b, f->b_len);
    assert_int_equal(rig_boot(&f->rig, &res), LOADER_ENOBOOT);
    assert_int_equal(res.images[0].primary_rc, LOADER_EROLLBACK);
    teardown(f);
}

static void test_downgrade_by_security_counter(void **state)
{
    struct counters cnt = { { 0, 0 } };
    struct fixture *f = counter_setup(&cnt, NULL, 5, 3);
    struct loader_result res;

    (void)state;
    f->rig.cfg.downgrade_prevention = true;
    f->rig.cfg.downgrade_by_security_counter = true;
    request(f, false);
    boot_ok(f, &res);
    assert_int_equal(res.images[0].swap_type, BOOT_SWAP_TYPE_NONE);
    assert_true(rig_logged(&f->rig, "downgrade prevention"));
    assert_int_equal(flash_area_is_erased(&f->rig.secondary, 0, f->rig.secondary.size), 1);
    teardown(f);
}

static void test_invalid_primary_not_bootable(void **state)
{
    struct fixture *f = setup(TRAILER_MODE_SWAP_MOVE);
    struct loader_result res;

    (void)state;
    f->a[40] ^= 1;
    rig_program(&f->rig, &f->rig.primary, f->a, f->a_len);
    assert_int_equal(rig_boot(&f->rig, &res), LOADER_ENOBOOT);
    assert_false(res.images[0].bootable);
    assert_int_equal(res.images[0].primary_rc, IMAGE_EHASH);
    teardown(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_request_boots_primary),
        cmocka_unit_test(test_test_swap_then_revert),
        cmocka_unit_test(test_test_swap_confirmed_stays),
        cmocka_unit_test(test_permanent_swap),
        cmocka_unit_test(test_flipped_bit_candidate_erased),
        cmocka_unit_test(test_untrusted_key_candidate_erased),
        cmocka_unit_test(test_downgrade_prevented),
        cmocka_unit_test(test_oversized_candidate_refused),
        cmocka_unit_test(test_status_record_layout),
        cmocka_unit_test(test_status_read_back),
        cmocka_unit_test(test_overwrite_only),
        cmocka_unit_test(test_scratch_small_image),
        cmocka_unit_test(test_scratch_image_reaching_trailer_sector),
        cmocka_unit_test(test_scratch_mixed_sectors),
        cmocka_unit_test(test_scratch_incompatible_slots),
        cmocka_unit_test(test_vectors_boot_with_their_keys),
        cmocka_unit_test(test_vector_copies_refused),
        cmocka_unit_test(test_two_images_swap_on_their_own),
        cmocka_unit_test(test_dependency_met_both_swap),
        cmocka_unit_test(test_dependency_unmet_cancels_upgrade),
        cmocka_unit_test(test_dependency_reverts_together),
        cmocka_unit_test(test_rollback_counter_follows_confirmation),
        cmocka_unit_test(test_rollback_refuses_older_counter),
        cmocka_unit_test(test_rollback_needs_a_counter),
        cmocka_unit_test(test_downgrade_by_security_counter),
        cmocka_unit_test(test_invalid_primary_not_bootable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
