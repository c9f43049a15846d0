/*
 * The image trailer: offsets for every write block, the imgtool-padded
 * vectors, the swap-type table and the bytes a pending/confirm request
 * writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/trailer.h"
#include "boot_test_support.h"

#define SLOT_SIZE 0x40000u

static const uint8_t magic_v1[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                     0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
static const uint8_t magic_v2_a16[16] = {0x10, 0x00, 0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b,
                                         0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};

static struct trailer_config cfg_of(enum trailer_mode mode, uint8_t wb, uint8_t a)
{
    struct trailer_config c = {.mode = mode, .max_align = a, .write_block = wb,
                               .max_sectors = 128};
    return c;
}

/* ---- sizes and offsets ------------------------------------------------ */

static void test_offsets_per_write_block(void **state)
{
    static const uint8_t wbs[] = {1, 2, 4, 8, 16, 32};
    const uint32_t s = SLOT_SIZE;

    (void)state;
    for (size_t i = 0; i < sizeof(wbs) / sizeof(wbs[0]); i++) {
        uint8_t wb = wbs[i];
        struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, wb);
        uint32_t a = wb > 8 ? wb : 8;
        uint32_t magic_blk = a > 16 ? a : 16;
        struct trailer_offsets o;

        assert_int_equal(c.max_align, a);
        assert_int_equal(trailer_config_check(&c), 0);
        assert_int_equal(trailer_offsets(&c, s, &o), 0);
        assert_int_equal(o.magic, s - 16);
        assert_int_equal(o.magic_write, s - magic_blk);
        assert_int_equal(o.magic_write_len, magic_blk);
        /* ALIGN_DOWN(S - 16 - A, A) */
        assert_int_equal(o.image_ok, s - (a == 8 ? 24 : a == 16 ? 32 : 64));
        assert_int_equal(o.copy_done, o.image_ok - a);
        assert_int_equal(o.swap_info, o.image_ok - 2 * a);
        assert_int_equal(o.swap_size, o.image_ok - 3 * a);
        assert_int_equal(trailer_status_size(&c), 128u * 3u * wb);
        assert_int_equal(trailer_info_size(&c), 4 * a + magic_blk);
        assert_int_equal(trailer_size(&c), 128u * 3u * wb + 4 * a + magic_blk);
        assert_int_equal(trailer_scratch_size(&c), 3u * wb + 4 * a + magic_blk);
        assert_int_equal(o.status, s - trailer_size(&c));
        assert_int_equal(o.max_image_end, o.status);
    }
}

static void test_sizes_of_the_reference(void **state)
{
    struct trailer_config c;

    (void)state;
    /* nRF NVMC (write size 4), 128 sectors: 1536 + 48 */
    c = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    assert_int_equal(trailer_size(&c), 1584);
    c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 4);
    assert_int_equal(trailer_size(&c), 1584);
    /* swap-offset: 2 states and the TLV-sizes field: 1024 + 56 */
    c = trailer_config_default(TRAILER_MODE_SWAP_OFFSET, 4);
    assert_int_equal(trailer_status_states(&c), 2);
    assert_int_equal(trailer_size(&c), 1080);
    /* write size 16 raises A to 16: 6144 + 80 */
    c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 16);
    assert_int_equal(trailer_size(&c), 6224);
    /* overwrite-only: what imgtool reserves, 2 A + magic */
    c = trailer_config_default(TRAILER_MODE_OVERWRITE_ONLY, 4);
    assert_int_equal(trailer_size(&c), 32);
    assert_int_equal(trailer_status_size(&c), 0);
    /* fewer sectors */
    c = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    c.max_sectors = 32;
    assert_int_equal(trailer_size(&c), 32 * 3 * 4 + 48);
}

static void test_offsets_by_mode(void **state)
{
    struct trailer_config c;
    struct trailer_offsets o;
    uint32_t off;

    (void)state;
    c = trailer_config_default(TRAILER_MODE_SWAP_OFFSET, 4);
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
    assert_int_equal(o.swap_info, SLOT_SIZE - 40);
    assert_int_equal(o.unprot_tlv_sizes, SLOT_SIZE - 48);
    assert_int_equal(o.swap_size, SLOT_SIZE - 56);
    assert_int_equal(o.status, SLOT_SIZE - 1080);
    assert_int_equal(trailer_status_record_off(&c, SLOT_SIZE, 0, 0, &off), 0);
    assert_int_equal(off, SLOT_SIZE - 1080);
    assert_int_equal(trailer_status_record_off(&c, SLOT_SIZE, 5, 1, &off), 0);
    assert_int_equal(off, SLOT_SIZE - 1080 + (5 * 2 + 1) * 4);
    assert_int_equal(trailer_status_record_off(&c, SLOT_SIZE, 128, 0, &off), TRAILER_EINVAL);
    assert_int_equal(trailer_status_record_off(&c, SLOT_SIZE, 0, 2, &off), TRAILER_EINVAL);

    c = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 8);
    assert_int_equal(trailer_status_record_off(&c, SLOT_SIZE, 127, 2, &off), 0);
    /* the last record ends where the info fields begin */
    assert_int_equal(off + 8, SLOT_SIZE - trailer_info_size(&c));

    c = trailer_config_default(TRAILER_MODE_OVERWRITE_ONLY, 4);
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
    /* bootutil_max_image_size of overwrite-only: up to swap_info */
    assert_int_equal(o.max_image_end, SLOT_SIZE - 40);
    assert_int_equal(o.status, 0);
    assert_int_equal(trailer_status_record_off(&c, SLOT_SIZE, 0, 0, &off), TRAILER_EMODE);

    /* configurations MCUboot cannot be built with */
    c = cfg_of(TRAILER_MODE_SWAP_MOVE, 16, 8);
    assert_int_equal(trailer_config_check(&c), TRAILER_EINVAL);
    c = cfg_of(TRAILER_MODE_SWAP_MOVE, 3, 8);
    assert_int_equal(trailer_config_check(&c), TRAILER_EINVAL);
    c = cfg_of(TRAILER_MODE_SWAP_MOVE, 4, 4);
    assert_int_equal(trailer_config_check(&c), TRAILER_EINVAL);
    c = cfg_of(TRAILER_MODE_SWAP_MOVE, 4, 64);
    assert_int_equal(trailer_config_check(&c), TRAILER_EINVAL);
    c = cfg_of((enum trailer_mode)9, 4, 8);
    assert_int_equal(trailer_config_check(&c), TRAILER_EINVAL);
    c = cfg_of(TRAILER_MODE_SWAP_MOVE, 4, 8);
    c.max_sectors = 0;
    assert_int_equal(trailer_config_check(&c), TRAILER_EINVAL);
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), TRAILER_EINVAL);

    /* slots too small for the trailer, or not a multiple of A */
    c = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    assert_int_equal(trailer_offsets(&c, 1576, &o), TRAILER_ESMALL);
    assert_int_equal(trailer_offsets(&c, 1584, &o), 0);
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE + 4, &o), TRAILER_EINVAL);
    c = trailer_config_default(TRAILER_MODE_OVERWRITE_ONLY, 4);
    assert_int_equal(trailer_offsets(&c, 40, &o), TRAILER_ESMALL);
    assert_int_equal(trailer_offsets(&c, 48, &o), 0);
}

/* ---- the imgtool-padded vectors ---------------------------------------- */

static struct bt_slot *vector_slot(const char *name, uint8_t wb)
{
    char rel[128];
    size_t len;
    uint8_t *img;
    struct bt_slot *s;

    snprintf(rel, sizeof(rel), "signed/%s.bin", name);
    img = bt_read_vector(rel, &len);
    assert_int_equal(len, SLOT_SIZE);
    s = bt_slot_new(SLOT_SIZE, img, len, 0xff, wb);
    free(img);
    return s;
}

static void test_read_confirm_pad(void **state)
{
    struct bt_slot *s = vector_slot("ed25519-confirm-pad", 4);
    struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 4);
    struct trailer_state st;

    (void)state;
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_GOOD);
    assert_memory_equal(st.magic_raw, magic_v1, 16);
    assert_int_equal(st.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(st.image_ok_raw, 0x01);
    assert_int_equal(st.copy_done, TRAILER_FLAG_UNSET);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(st.swap_info_raw, 0xff);
    assert_false(st.swap_size_set);
    assert_int_equal(st.swap_size, 0xffffffffu);

    /* a bootloader built with A = 16 expects the v2 magic */
    c = cfg_of(TRAILER_MODE_SWAP_SCRATCH, 4, 16);
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_BAD);
    bt_slot_free(s);
}

static void test_read_test_pad_a16(void **state)
{
    struct bt_slot *s = vector_slot("ed25519-test-pad-a16", 16);
    struct trailer_config c = cfg_of(TRAILER_MODE_SWAP_SCRATCH, 16, 16);
    struct trailer_state st;
    uint8_t m[16];

    (void)state;
    trailer_magic_bytes(&c, m);
    assert_memory_equal(m, magic_v2_a16, 16);
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(st.image_ok, TRAILER_FLAG_UNSET);
    assert_int_equal(st.copy_done, TRAILER_FLAG_UNSET);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_NONE);

    /* v2 magic with another max align, and the v1 reader: both BAD */
    c = cfg_of(TRAILER_MODE_SWAP_SCRATCH, 16, 32);
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_BAD);
    c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 4);
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_BAD);
    bt_slot_free(s);
}

static void test_read_overwrite(void **state)
{
    struct bt_slot *s = vector_slot("ed25519-overwrite", 4);
    struct trailer_config c = trailer_config_default(TRAILER_MODE_OVERWRITE_ONLY, 4);
    struct trailer_state st;

    (void)state;
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_GOOD);
    /* imgtool ignores --confirm for overwrite-only */
    assert_int_equal(st.image_ok, TRAILER_FLAG_UNSET);
    assert_int_equal(st.copy_done, TRAILER_FLAG_UNSET);
    /* the secondary asks for an upgrade (TEST: image_ok unset) */
    assert_int_equal(trailer_swap_type(&c, &st, &st), BOOT_SWAP_TYPE_TEST);
    bt_slot_free(s);
}

/*
 * Requesting an upgrade of the image alone (trailer erased) must give the
 * bytes imgtool wrote into the padded vector, plus swap_info -- the one
 * field imgtool leaves to the device.
 */
static void check_request_matches_vector(const char *name, const struct trailer_config *c,
                                         bool permanent, uint8_t wb, uint32_t swap_info_off,
                                         uint8_t swap_info)
{
    char rel[128];
    size_t len;
    uint8_t *want;
    struct bt_slot *s;
    struct trailer_offsets o;

    snprintf(rel, sizeof(rel), "signed/%s.bin", name);
    want = bt_read_vector(rel, &len);
    assert_int_equal(trailer_offsets(c, SLOT_SIZE, &o), 0);
    assert_int_equal(o.swap_info, swap_info_off);

    /* the image without its trailer */
    s = bt_slot_new(SLOT_SIZE, want, o.swap_size, 0xff, wb);
    assert_int_equal(trailer_set_pending(&s->fa, c, permanent, 0), 0);
    assert_int_equal(bt_slot_bytes(s)[swap_info_off], swap_info);
    for (uint32_t i = 1; i < wb; i++) {
        assert_int_equal(bt_slot_bytes(s)[swap_info_off + i], 0xff);
    }
    assert_int_equal(want[swap_info_off], 0xff);
    want[swap_info_off] = swap_info;
    assert_memory_equal(bt_slot_bytes(s), want, SLOT_SIZE);
    bt_slot_free(s);
    free(want);
}

static void test_request_bytes_match_vectors(void **state)
{
    struct trailer_config c;

    (void)state;
    /* --confirm, A = 8, align 4: magic, image_ok, then swap_info PERM */
    c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 4);
    check_request_matches_vector("ed25519-confirm-pad", &c, true, 4, SLOT_SIZE - 40, 0x03);
    /* --pad with --max-align 16 --align 16: v2 magic, swap_info TEST */
    c = cfg_of(TRAILER_MODE_SWAP_MOVE, 16, 16);
    check_request_matches_vector("ed25519-test-pad-a16", &c, false, 16, SLOT_SIZE - 64, 0x02);
    /* overwrite-only: magic only (TEST) */
    c = trailer_config_default(TRAILER_MODE_OVERWRITE_ONLY, 4);
    check_request_matches_vector("ed25519-overwrite", &c, false, 4, SLOT_SIZE - 40, 0x02);
}

static void test_request_write_sizes(void **state)
{
    static const uint8_t wbs[] = {1, 2, 4, 8, 16, 32};

    (void)state;
    for (size_t i = 0; i < sizeof(wbs) / sizeof(wbs[0]); i++) {
        uint8_t wb = wbs[i];
        struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_MOVE, wb);
        struct bt_slot *s = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, wb);
        struct trailer_offsets o;
        struct trailer_state st;
        uint8_t *b = bt_slot_bytes(s);
        uint32_t first;

        assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
        assert_int_equal(trailer_set_pending(&s->fa, &c, true, 3), 0);
        /* three writes: padded magic block, image_ok, swap_info */
        assert_int_equal(s->writes, 3);
        assert_int_equal(b[o.image_ok], 0x01);
        assert_int_equal(b[o.swap_info], 0x33);
        /* everything else in the trailer region stays erased */
        first = o.swap_size;
        for (uint32_t off = first; off < SLOT_SIZE; off++) {
            if (off == o.image_ok || off == o.swap_info || off >= o.magic) {
                continue;
            }
            assert_int_equal(b[off], 0xff);
        }
        {
            uint8_t want[16];

            memcpy(want, magic_v2_a16, sizeof(want));
            want[0] = wb;
            assert_memory_equal(b + o.magic, wb > 8 ? want : magic_v1, sizeof(want));
        }
        assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
        assert_int_equal(st.magic, TRAILER_MAGIC_GOOD);
        assert_int_equal(st.image_ok, TRAILER_FLAG_SET);
        assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_PERM);
        assert_int_equal(st.image_num, 3);

        /* the bootloader's own fields, padded the same way */
        assert_int_equal(trailer_write_copy_done(&s->fa, &c), 0);
        assert_int_equal(trailer_write_swap_size(&s->fa, &c, 0x00012345), 0);
        assert_int_equal(b[o.copy_done], 0x01);
        assert_int_equal(b[o.swap_size], 0x45);
        assert_int_equal(b[o.swap_size + 1], 0x23);
        assert_int_equal(b[o.swap_size + 2], 0x01);
        assert_int_equal(b[o.swap_size + 3], 0x00);
        for (uint32_t k = 4; k < (wb > 4 ? wb : 4); k++) {
            assert_int_equal(b[o.swap_size + k], 0xff);
        }
        assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
        assert_int_equal(st.copy_done, TRAILER_FLAG_SET);
        assert_true(st.swap_size_set);
        assert_int_equal(st.swap_size, 0x12345);
        /* a field is written once: the device refuses a second write */
        assert_int_equal(trailer_write_copy_done(&s->fa, &c), TRAILER_EFLASH);
        bt_slot_free(s);
    }
}

static void test_erased_zero_flash(void **state)
{
    struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 8);
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, NULL, 0, 0x00, 8);
    struct trailer_state st;
    struct trailer_offsets o;
    uint8_t *b = bt_slot_bytes(s);

    (void)state;
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_UNSET);
    assert_int_equal(st.image_ok, TRAILER_FLAG_UNSET);
    assert_false(st.swap_size_set);
    assert_int_equal(trailer_set_pending(&s->fa, &c, false, 0), 0);
    assert_int_equal(b[o.swap_info], 0x02);
    for (uint32_t k = 1; k < 8; k++) {
        assert_int_equal(b[o.swap_info + k], 0x00);
    }
    assert_int_equal(b[o.image_ok], 0x00);
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_TEST);
    bt_slot_free(s);
}

static void test_swap_info_decoding(void **state)
{
    static const struct {
        uint8_t raw;
        uint8_t type;
        uint8_t num;
    } cases[] = {
        {0xff, BOOT_SWAP_TYPE_NONE, 0}, {0x02, BOOT_SWAP_TYPE_TEST, 0},
        {0x13, BOOT_SWAP_TYPE_PERM, 1}, {0x24, BOOT_SWAP_TYPE_REVERT, 2},
        {0x15, BOOT_SWAP_TYPE_NONE, 0}, {0x1f, BOOT_SWAP_TYPE_NONE, 0},
        {0x31, BOOT_SWAP_TYPE_NONE, 3}, {0x00, 0, 0},
    };
    struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 1);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bt_slot *s = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 1);
        struct trailer_state st;
        struct trailer_offsets o;

        assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
        bt_slot_bytes(s)[o.swap_info] = cases[i].raw;
        assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
        assert_int_equal(st.swap_info_raw, cases[i].raw);
        assert_int_equal(st.swap_type, cases[i].type);
        assert_int_equal(st.image_num, cases[i].num);
        bt_slot_free(s);
    }
    assert_int_equal(trailer_flag_decode(0x01, 0xff), TRAILER_FLAG_SET);
    assert_int_equal(trailer_flag_decode(0xff, 0xff), TRAILER_FLAG_UNSET);
    assert_int_equal(trailer_flag_decode(0x00, 0xff), TRAILER_FLAG_BAD);
    assert_int_equal(trailer_flag_decode(0x02, 0xff), TRAILER_FLAG_BAD);
    assert_int_equal(trailer_flag_decode(0x00, 0x00), TRAILER_FLAG_UNSET);
    assert_int_equal(trailer_flag_decode(0xff, 0x00), TRAILER_FLAG_BAD);
}

/* ---- the swap-type table ---------------------------------------------- */

/* boot_swap_type_multi, restated row by row. */
static int expected_swap_type(bool offset_mode, const struct trailer_state *p,
                              const struct trailer_state *s)
{
    if (offset_mode && s->magic == TRAILER_MAGIC_GOOD && s->image_ok == TRAILER_FLAG_UNSET &&
        s->copy_done == TRAILER_FLAG_SET) {
        return BOOT_SWAP_TYPE_REVERT;
    }
    if (s->magic == TRAILER_MAGIC_GOOD && s->image_ok == TRAILER_FLAG_UNSET) {
        return BOOT_SWAP_TYPE_TEST;
    }
    if (s->magic == TRAILER_MAGIC_GOOD && s->image_ok == TRAILER_FLAG_SET) {
        return BOOT_SWAP_TYPE_PERM;
    }
    if (p->magic == TRAILER_MAGIC_GOOD && s->magic == TRAILER_MAGIC_UNSET &&
        p->image_ok == TRAILER_FLAG_UNSET && p->copy_done == TRAILER_FLAG_SET) {
        return BOOT_SWAP_TYPE_REVERT;
    }
    return BOOT_SWAP_TYPE_NONE;
}

static void test_swap_type_every_combination(void **state)
{
    static const enum trailer_magic magics[] = {TRAILER_MAGIC_GOOD, TRAILER_MAGIC_BAD,
                                                TRAILER_MAGIC_UNSET};
    static const enum trailer_flag flags[] = {TRAILER_FLAG_SET, TRAILER_FLAG_BAD,
                                              TRAILER_FLAG_UNSET};
    static const enum trailer_mode modes[] = {TRAILER_MODE_SWAP_SCRATCH, TRAILER_MODE_SWAP_MOVE,
                                              TRAILER_MODE_SWAP_OFFSET,
                                              TRAILER_MODE_OVERWRITE_ONLY};
    unsigned counts[6] = {0};

    (void)state;
    for (size_t m = 0; m < 4; m++) {
        struct trailer_config c = trailer_config_default(modes[m], 4);

        for (unsigned k = 0; k < 729; k++) {
            struct trailer_state p = {0};
            struct trailer_state s = {0};
            unsigned v = k;

            p.magic = magics[v % 3];
            v /= 3;
            s.magic = magics[v % 3];
            v /= 3;
            p.image_ok = flags[v % 3];
            v /= 3;
            s.image_ok = flags[v % 3];
            v /= 3;
            p.copy_done = flags[v % 3];
            v /= 3;
            s.copy_done = flags[v % 3];
            int want = expected_swap_type(modes[m] == TRAILER_MODE_SWAP_OFFSET, &p, &s);
            assert_int_equal(trailer_swap_type(&c, &p, &s), want);
            counts[want]++;
        }
    }
    /* every outcome is reached */
    assert_true(counts[BOOT_SWAP_TYPE_NONE] > 0);
    assert_true(counts[BOOT_SWAP_TYPE_TEST] > 0);
    assert_true(counts[BOOT_SWAP_TYPE_PERM] > 0);
    assert_true(counts[BOOT_SWAP_TYPE_REVERT] > 0);
}

/* Named rows, and the states a real upgrade goes through, from flash. */
static int swap_type_from_flash(const struct trailer_config *c, struct bt_slot *p,
                                struct bt_slot *s)
{
    struct trailer_state ps;
    struct trailer_state ss;

    assert_int_equal(trailer_read(&p->fa, c, &ps), 0);
    assert_int_equal(trailer_read(&s->fa, c, &ss), 0);
    return trailer_swap_type(c, &ps, &ss);
}

static void test_swap_type_rows(void **state)
{
    struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    struct trailer_config co = trailer_config_default(TRAILER_MODE_SWAP_OFFSET, 4);
    struct bt_slot *p = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 4);
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 4);
    struct trailer_offsets o;
    struct trailer_state ps = {.magic = TRAILER_MAGIC_UNSET, .image_ok = TRAILER_FLAG_UNSET,
                               .copy_done = TRAILER_FLAG_UNSET};

    (void)state;
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
    /* nothing requested */
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_NONE);
    /* an unreadable secondary counts as empty */
    assert_int_equal(trailer_swap_type(&c, &ps, NULL), BOOT_SWAP_TYPE_NONE);
    /* test request */
    assert_int_equal(trailer_set_pending(&s->fa, &c, false, 0), 0);
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_TEST);
    /* image_ok of 0x00 or 0x02 is BAD: neither TEST nor PERM */
    bt_slot_bytes(s)[o.image_ok] = 0x02;
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_NONE);
    bt_slot_bytes(s)[o.image_ok] = 0x01;
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_PERM);
    /* a corrupt secondary magic requests nothing */
    bt_slot_bytes(s)[o.magic + 3] ^= 0x01;
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_NONE);

    /* after a test swap: primary GOOD, copy_done set, image_ok unset,
     * secondary erased -> revert on the next boot... */
    memset(bt_slot_bytes(s), 0xff, SLOT_SIZE);
    assert_int_equal(trailer_write_magic(&p->fa, &c), 0);
    assert_int_equal(trailer_write_copy_done(&p->fa, &c), 0);
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_REVERT);
    /* ...unless the image confirms itself */
    assert_int_equal(trailer_set_confirmed(&p->fa, &c), 0);
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_NONE);
    /* with a BAD copy_done no revert either */
    memset(bt_slot_bytes(p), 0xff, SLOT_SIZE);
    assert_int_equal(trailer_write_magic(&p->fa, &c), 0);
    bt_slot_bytes(p)[o.copy_done] = 0x00;
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_NONE);

    /* swap-offset: the secondary keeps the swapped trailer */
    memset(bt_slot_bytes(p), 0xff, SLOT_SIZE);
    assert_int_equal(trailer_set_pending(&s->fa, &co, false, 0), 0);
    assert_int_equal(trailer_write_copy_done(&s->fa, &co), 0);
    assert_int_equal(swap_type_from_flash(&co, p, s), BOOT_SWAP_TYPE_REVERT);
    assert_int_equal(swap_type_from_flash(&c, p, s), BOOT_SWAP_TYPE_TEST);
    bt_slot_free(p);
    bt_slot_free(s);
}

/* ---- set pending / confirmed ----------------------------------------- */

static void test_set_pending_states(void **state)
{
    struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 4);
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 4);
    uint8_t *copy = malloc(SLOT_SIZE);
    struct trailer_offsets o;
    struct trailer_state st;

    (void)state;
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
    assert_int_equal(trailer_set_pending(&s->fa, &c, false, 1), 0);
    assert_int_equal(trailer_read(&s->fa, &c, &st), 0);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(st.image_num, 1);
    assert_int_equal(st.image_ok, TRAILER_FLAG_UNSET);

    /* already requested: nothing written, even for a permanent request */
    memcpy(copy, bt_slot_bytes(s), SLOT_SIZE);
    s->writes = 0;
    assert_int_equal(trailer_set_pending(&s->fa, &c, true, 1), 0);
    assert_int_equal(s->writes, 0);
    assert_memory_equal(copy, bt_slot_bytes(s), SLOT_SIZE);

    /* image numbers are a nibble */
    assert_int_equal(trailer_set_pending(&s->fa, &c, true, 16), TRAILER_EINVAL);
    assert_int_equal(trailer_write_swap_info(&s->fa, &c, 0x10, 0), TRAILER_EINVAL);

    /* corrupt magic: refused, and the slot erased as MCUboot does */
    bt_slot_bytes(s)[o.magic] = 0x00;
    bt_slot_bytes(s)[100] = 0x42;
    s->erases = 0;
    assert_int_equal(trailer_set_pending(&s->fa, &c, false, 0), TRAILER_EBADMAGIC);
    assert_true(s->erases > 0);
    for (uint32_t i = 0; i < SLOT_SIZE; i++) {
        assert_int_equal(bt_slot_bytes(s)[i], 0xff);
    }
    assert_string_equal(trailer_strerror(TRAILER_EBADMAGIC), "trailer magic is corrupt");
    free(copy);
    bt_slot_free(s);
}

static void test_set_confirmed_states(void **state)
{
    struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_SCRATCH, 4);
    struct bt_slot *p = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 4);
    struct trailer_offsets o;
    uint8_t *b = bt_slot_bytes(p);

    (void)state;
    assert_int_equal(trailer_offsets(&c, SLOT_SIZE, &o), 0);
    /* never swapped (magic erased): nothing to confirm, nothing written */
    assert_int_equal(trailer_set_confirmed(&p->fa, &c), 0);
    assert_int_equal(p->writes, 0);

    /* a swapped test image: image_ok written as 01 ff ff ff */
    assert_int_equal(trailer_write_magic(&p->fa, &c), 0);
    assert_int_equal(trailer_write_copy_done(&p->fa, &c), 0);
    p->writes = 0;
    assert_int_equal(trailer_set_confirmed(&p->fa, &c), 0);
    assert_int_equal(p->writes, 1);
    assert_memory_equal(b + o.image_ok, ((uint8_t[]){0x01, 0xff, 0xff, 0xff, 0xff}), 5);
    /* twice is fine and writes nothing more */
    assert_int_equal(trailer_set_confirmed(&p->fa, &c), 0);
    assert_int_equal(p->writes, 1);

    /* BAD image_ok: left alone */
    memset(b, 0xff, SLOT_SIZE);
    assert_int_equal(trailer_write_magic(&p->fa, &c), 0);
    b[o.image_ok] = 0x07;
    p->writes = 0;
    assert_int_equal(trailer_set_confirmed(&p->fa, &c), 0);
    assert_int_equal(p->writes, 0);

    /* corrupt magic: refused, nothing written or erased */
    memset(b, 0xff, SLOT_SIZE);
    b[o.magic + 15] = 0x12;
    p->writes = 0;
    p->erases = 0;
    assert_int_equal(trailer_set_confirmed(&p->fa, &c), TRAILER_EBADMAGIC);
    assert_int_equal(p->writes, 0);
    assert_int_equal(p->erases, 0);
    assert_int_equal(b[o.magic + 15], 0x12);
    bt_slot_free(p);
}

static void test_unprot_tlv_sizes(void **state)
{
    struct trailer_config co = trailer_config_default(TRAILER_MODE_SWAP_OFFSET, 4);
    struct trailer_config cm = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 4);
    struct trailer_offsets o;
    uint8_t *b = bt_slot_bytes(s);

    (void)state;
    assert_int_equal(trailer_offsets(&co, SLOT_SIZE, &o), 0);
    assert_int_equal(trailer_write_unprot_tlv_sizes(&s->fa, &co, 0x0090, 0x0150), 0);
    assert_memory_equal(b + o.unprot_tlv_sizes, ((uint8_t[]){0x90, 0x00, 0x50, 0x01}), 4);
    assert_int_equal(trailer_write_unprot_tlv_sizes(&s->fa, &cm, 1, 2), TRAILER_EMODE);
    bt_slot_free(s);
}

static void test_bad_arguments(void **state)
{
    struct trailer_config c = trailer_config_default(TRAILER_MODE_SWAP_MOVE, 4);
    struct bt_slot *small = bt_slot_new(1024, NULL, 0, 0xff, 4);
    struct bt_slot *wide = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 16);
    struct trailer_state st;

    (void)state;
    assert_int_equal(trailer_read(&small->fa, &c, &st), TRAILER_ESMALL);
    assert_int_equal(trailer_set_pending(&small->fa, &c, false, 0), TRAILER_ESMALL);
    assert_int_equal(trailer_read(NULL, &c, &st), TRAILER_EINVAL);
    assert_int_equal(trailer_read(&small->fa, &c, NULL), TRAILER_EINVAL);
    /* a device write block wider than A would overwrite neighbouring
     * fields: refused before anything is written */
    assert_int_equal(trailer_write_image_ok(&wide->fa, &c), TRAILER_EINVAL);
    assert_int_equal(wide->writes, 0);
    assert_int_equal(trailer_swap_type(&c, NULL, NULL), BOOT_SWAP_TYPE_PANIC);
    for (int e = TRAILER_EINVAL; e >= TRAILER_EMODE; e--) {
        assert_string_not_equal(trailer_strerror(e), "unknown error");
    }
    assert_string_equal(trailer_strerror(-77), "unknown error");
    bt_slot_free(small);
    bt_slot_free(wide);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_per_write_block),
        cmocka_unit_test(test_sizes_of_the_reference),
        cmocka_unit_test(test_offsets_by_mode),
        cmocka_unit_test(test_read_confirm_pad),
        cmocka_unit_test(test_read_test_pad_a16),
        cmocka_unit_test(test_read_overwrite),
        cmocka_unit_test(test_request_bytes_match_vectors),
        cmocka_unit_test(test_request_write_sizes),
        cmocka_unit_test(test_erased_zero_flash),
        cmocka_unit_test(test_swap_info_decoding),
        cmocka_unit_test(test_swap_type_every_combination),
        cmocka_unit_test(test_swap_type_rows),
        cmocka_unit_test(test_set_pending_states),
        cmocka_unit_test(test_set_confirmed_states),
        cmocka_unit_test(test_unprot_tlv_sizes),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests_name("boot_trailer", tests, NULL, NULL);
}
