/*
 * Image group (1), upload: streaming into the secondary slot, write-block
 * buffering, progressive erase, every refusal, and resuming an interrupted
 * upload within a session and across a restart.
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
#define ID_UPLOAD 1
#define ID_ERASE 5

struct fixture {
    struct t_bench b;
    uint8_t running[4096];
    size_t running_len;
    uint8_t img[40000];
    size_t img_len;
    uint8_t img_hash[32]; /* the image's SHA-256 TLV */
    uint8_t sha[32];      /* SHA-256 of the whole file */
    uint8_t primary_snap[T_SLOT0_SIZE];
};

/* One upload request; len, image and upgrade are left out when negative. */
struct up_req {
    uint64_t off;
    const uint8_t *data;
    size_t n;
    int64_t len;
    const uint8_t *sha;
    size_t sha_len;
    int image;
    int upgrade;
    bool no_off;
};

static int setup_wb(void **state, uint8_t wb, size_t pairs)
{
    static struct fixture f;

    memset(&f, 0, sizeof(f));
    t_bench_open(&f.b, wb, pairs);
    f.running_len = t_image_build(f.running, sizeof(f.running), 1, 0, 0, 5, 2000, 9, 0, NULL);
    t_area_load(&f.b, &f.b.primary0, f.running, f.running_len);
    f.img_len = t_image_build(f.img, sizeof(f.img), 1, 1, 0, 0, 21001, 4, 0, f.img_hash);
    t_sha256(f.img, f.img_len, f.sha);
    t_snapshot(&f.b, T_P0_OFF, T_SLOT0_SIZE, f.primary_snap);
    *state = &f;
    return 0;
}

static int setup(void **state)
{
    return setup_wb(state, 4, 1);
}

static int setup_wb8(void **state)
{
    return setup_wb(state, 8, 1);
}

static int setup_wb1(void **state)
{
    return setup_wb(state, 1, 1);
}

static int setup2(void **state)
{
    return setup_wb(state, 4, 2);
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    /* Whatever a test did, the running image was never touched. */
    assert_true(t_unchanged(&f->b, T_P0_OFF, T_SLOT0_SIZE, f->primary_snap));
    t_bench_close(&f->b);
    return 0;
}

static size_t up_body(struct t_body *tb, const struct up_req *r)
{
    t_body_begin(tb);
    if (r->image >= 0) {
        smp_cbor_put_key(&tb->w, "image");
        smp_cbor_put_uint(&tb->w, (uint64_t)r->image);
    }
    if (r->len >= 0) {
        smp_cbor_put_key(&tb->w, "len");
        smp_cbor_put_uint(&tb->w, (uint64_t)r->len);
    }
    if (!r->no_off) {
        smp_cbor_put_key(&tb->w, "off");
        smp_cbor_put_uint(&tb->w, r->off);
    }
    if (r->sha != NULL) {
        smp_cbor_put_key(&tb->w, "sha");
        smp_cbor_put_bstr(&tb->w, r->sha, r->sha_len);
    }
    if (r->upgrade >= 0) {
        smp_cbor_put_key(&tb->w, "upgrade");
        smp_cbor_put_bool(&tb->w, r->upgrade != 0);
    }
    if (r->data != NULL) {
        smp_cbor_put_key(&tb->w, "data");
        smp_cbor_put_bstr(&tb->w, r->data, r->n);
    }
    return t_body_end(tb);
}

static void up_send(struct fixture *f, uint8_t ver, const struct up_req *r)
{
    static struct t_body tb;
    size_t n = up_body(&tb, r);

    assert_true(t_request(&f->b, ver, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_UPLOAD, tb.buf, n) > 0);
}

/* Send and expect success: returns "off"; *match is -1 without "match". */
static uint64_t up_ok(struct fixture *f, const struct up_req *r, int *match)
{
    cbor_item_t *m;
    uint64_t off;

    up_send(f, SMP_VER_2, r);
    m = t_rsp_body(&f->b);
    assert_null(t_map_get(m, "rc"));
    assert_null(t_map_get(m, "err"));
    off = t_map_uint(m, "off");
    if (match != NULL) {
        *match = t_map_get(m, "match") == NULL ? -1 : t_map_bool(m, "match");
    }
    assert_int_equal(t_map_count(m), t_map_get(m, "match") == NULL ? 1 : 2);
    cbor_decref(&m);
    return off;
}

static void up_err(struct fixture *f, const struct up_req *r, int rc, int v1)
{
    static struct t_body tb;
    size_t n = up_body(&tb, r);

    t_expect_group_err_both(&f->b, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_UPLOAD, tb.buf, n, rc, v1);
}

static struct up_req first_chunk(const struct fixture *f, size_t n)
{
    struct up_req r = {
        .off = 0,
        .data = f->img,
        .n = n,
        .len = (int64_t)f->img_len,
        .sha = f->sha,
        .sha_len = 32,
        .image = -1,
        .upgrade = -1,
    };

    return r;
}

static struct up_req next_chunk(const struct fixture *f, uint64_t off, size_t n)
{
    struct up_req r = {
        .off = off,
        .data = f->img + off,
        .n = n,
        .len = -1,
        .image = -1,
        .upgrade = -1,
    };

    return r;
}

/* Upload from off to the end in chunks of `chunk` bytes, following the
 * server's offsets. Returns the final "match" (-1 if absent). */
static int upload_rest(struct fixture *f, uint64_t off, size_t chunk)
{
    int match = -1;

    while (off < f->img_len) {
        size_t n = f->img_len - off < chunk ? f->img_len - off : chunk;
        struct up_req r = off == 0 ? first_chunk(f, n) : next_chunk(f, off, n);

        off = up_ok(f, &r, &match);
        if (off < f->img_len) {
            assert_int_equal(match, -1);
        }
    }
    assert_int_equal(off, f->img_len);
    return match;
}

static void check_slot_holds_image(struct fixture *f, const struct flash_area *fa)
{
    const uint8_t *raw = flash_sim_raw(&f->b.sim) + fa->off;
    uint32_t wb = flash_area_align(fa);
    size_t padded = (f->img_len + wb - 1) / wb * wb;
    struct trailer_state ts;

    assert_memory_equal(raw, f->img, f->img_len);
    for (size_t i = f->img_len; i < padded; i++) {
        assert_int_equal(raw[i], 0xff);
    }
    assert_int_equal(trailer_read(fa, &f->b.cfg.trailer, &ts), 0);
    assert_int_equal(ts.magic, TRAILER_MAGIC_UNSET);
}

/* The slot's image appears in the list with its TLV hash. */
static void check_listed(struct fixture *f, size_t count)
{
    cbor_item_t *m;
    cbor_item_t *images;
    uint8_t hash[32];

    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_IMAGE, ID_STATE, NULL, 0) > 0);
    m = t_rsp_body(&f->b);
    images = t_map_get(m, "images");
    assert_int_equal(cbor_array_size(images), count);
    if (count == 2) {
        cbor_item_t *e = cbor_array_handle(images)[1];

        assert_int_equal(t_map_uint(e, "slot"), 1);
        t_map_bytes(e, "hash", hash, sizeof(hash));
        assert_memory_equal(hash, f->img_hash, 32);
    }
    cbor_decref(&m);
}

/* ---- complete uploads ---------------------------------------------------- */

static void test_full_upload(void **state)
{
    struct fixture *f = *state;

    t_bench_start(&f->b);
    assert_int_equal(upload_rest(f, 0, 512), 1);
    check_slot_holds_image(f, &f->b.secondary0);
    check_listed(f, 2);
    assert_non_null(strstr(f->b.ports.last_log, "complete"));
    /* Done: no record left, and the next chunk must start a new upload. */
    assert_false(f->b.ports.has_record);
    struct up_req r = next_chunk(f, 512, 512);
    assert_int_equal(up_ok(f, &r, NULL), 0);
}

static void test_odd_chunks(void **state)
{
    struct fixture *f = *state;
    uint64_t off;

    /* Write block 8, chunks that never line up with it. */
    t_bench_start(&f->b);
    struct up_req r = first_chunk(f, 333);
    off = up_ok(f, &r, NULL);
    assert_int_equal(off, 333);
    /* Single bytes, then odd sizes. */
    for (int i = 0; i < 13; i++) {
        r = next_chunk(f, off, 1);
        off = up_ok(f, &r, NULL);
    }
    assert_int_equal(off, 346);
    assert_int_equal(upload_rest(f, off, 997), 1);
    check_slot_holds_image(f, &f->b.secondary0);
}

static void test_byte_writes(void **state)
{
    struct fixture *f = *state;

    t_bench_start(&f->b);
    assert_int_equal(upload_rest(f, 0, 1001), 1);
    check_slot_holds_image(f, &f->b.secondary0);
}

static void test_single_chunk_and_match(void **state)
{
    struct fixture *f = *state;
    uint8_t other[32];
    int match;

    f->img_len = t_image_build(f->img, sizeof(f->img), 1, 1, 0, 0, 1000, 4, 0, f->img_hash);
    t_sha256(f->img, f->img_len, f->sha);
    t_bench_start(&f->b);

    /* The whole image in one chunk. */
    struct up_req r = first_chunk(f, f->img_len);
    assert_int_equal(up_ok(f, &r, &match), f->img_len);
    assert_int_equal(match, 1);

    /* A sha that is not the file's: complete, but match is false. */
    memset(other, 0x11, sizeof(other));
    r.sha = other;
    assert_int_equal(up_ok(f, &r, &match), f->img_len);
    assert_int_equal(match, 0);

    /* A shortened sha is compared as far as it goes. */
    r.sha = f->sha;
    r.sha_len = 16;
    assert_int_equal(up_ok(f, &r, &match), f->img_len);
    assert_int_equal(match, 1);

    /* Without sha there is nothing to match. */
    r.sha = NULL;
    assert_int_equal(up_ok(f, &r, &match), f->img_len);
    assert_int_equal(match, -1);
    check_slot_holds_image(f, &f->b.secondary0);
}

static void test_stale_trailer_cleared(void **state)
{
    struct fixture *f = *state;
    static const uint8_t garbage[16] = {0xde, 0xad, 0xbe, 0xef};
    const struct flash_area *s = &f->b.secondary0;

    /* Leftovers of an earlier image, with a corrupt trailer magic. */
    assert_int_equal(flash_area_write(s, s->size - 16, garbage, sizeof(garbage)), 0);
    assert_int_equal(flash_area_write(s, 0x8000, garbage, sizeof(garbage)), 0);
    t_bench_start(&f->b);
    assert_int_equal(upload_rest(f, 0, 1024), 1);
    check_slot_holds_image(f, s);
}

static void test_upload_image1(void **state)
{
    struct fixture *f = *state;
    uint8_t snap1[T_SLOT1_SIZE];

    t_snapshot(&f->b, T_P1_OFF, T_SLOT1_SIZE, snap1);
    t_bench_start(&f->b);
    struct up_req r = first_chunk(f, 700);
    r.image = 1;
    uint64_t off = up_ok(f, &r, NULL);
    assert_int_equal(upload_rest(f, off, 700), 1);
    check_slot_holds_image(f, &f->b.secondary1);
    assert_true(t_unchanged(&f->b, T_P1_OFF, T_SLOT1_SIZE, snap1));
    /* Image 0's secondary stayed empty. */
    assert_int_equal(flash_area_is_erased(&f->b.secondary0, 0, T_SLOT0_SIZE), 1);
}

/* ---- offsets ------------------------------------------------------------- */

static void test_offsets(void **state)
{
    struct fixture *f = *state;
    const uint8_t *raw = flash_sim_raw(&f->b.sim) + T_S0_OFF;

    t_bench_start(&f->b);
    /* No upload yet: any continuation is sent back to 0. */
    struct up_req r = next_chunk(f, 4096, 100);
    assert_int_equal(up_ok(f, &r, NULL), 0);

    r = first_chunk(f, 600);
    assert_int_equal(up_ok(f, &r, NULL), 600);
    /* Ahead, behind, far off: dropped, the expected offset comes back. */
    r = next_chunk(f, 605, 100);
    assert_int_equal(up_ok(f, &r, NULL), 600);
    r = next_chunk(f, 200, 100);
    assert_int_equal(up_ok(f, &r, NULL), 600);
    r.off = UINT64_MAX;
    assert_int_equal(up_ok(f, &r, NULL), 600);
    /* Empty data at the right offset is just a question. */
    r = next_chunk(f, 600, 0);
    assert_int_equal(up_ok(f, &r, NULL), 600);
    r.data = NULL;
    assert_int_equal(up_ok(f, &r, NULL), 600);
    /* Nothing of the dropped chunks was written. */
    assert_int_equal(raw[600], 0xff);
    assert_int_equal(upload_rest(f, 600, 800), 1);
}

/* ---- refusals ------------------------------------------------------------ */

static void test_first_chunk_refusals(void **state)
{
    struct fixture *f = *state;
    uint8_t bad[64];
    struct up_req r;

    t_bench_start(&f->b);
    r = first_chunk(f, 512);
    r.no_off = true;
    up_err(f, &r, SMP_IMG_ERR_INVALID_OFFSET, SMP_MGMT_EINVAL);
    r = first_chunk(f, 31);
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_HEADER, SMP_MGMT_EINVAL);
    r = first_chunk(f, 512);
    r.data = NULL;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_HEADER, SMP_MGMT_EINVAL);
    r = first_chunk(f, 512);
    r.len = -1;
    up_err(f, &r, SMP_IMG_ERR_INVALID_LENGTH, SMP_MGMT_EINVAL);

    memcpy(bad, f->img, sizeof(bad));
    bad[0] ^= 1; /* the legacy V1 magic */
    r = first_chunk(f, 64);
    r.data = bad;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC, SMP_MGMT_EUNKNOWN);
    memset(bad, 0xff, 4);
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC, SMP_MGMT_EUNKNOWN);

    /* A header that does not fit its own len, or is too short. */
    r = first_chunk(f, 512);
    r.len = (int64_t)f->img_len - 41;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_HEADER, SMP_MGMT_EINVAL);
    memcpy(bad, f->img, sizeof(bad));
    bad[8] = 16; /* ih_hdr_size */
    r = first_chunk(f, 64);
    r.data = bad;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_HEADER, SMP_MGMT_EINVAL);

    r = first_chunk(f, 512);
    {
        uint8_t long_sha[33] = {0};

        r.sha = long_sha;
        r.sha_len = sizeof(long_sha);
        up_err(f, &r, SMP_IMG_ERR_INVALID_HASH, SMP_MGMT_EINVAL);
    }
    r = first_chunk(f, 512);
    r.image = 1;
    up_err(f, &r, SMP_IMG_ERR_INVALID_SLOT, SMP_MGMT_EINVAL);
    r.image = 300;
    up_err(f, &r, SMP_IMG_ERR_INVALID_SLOT, SMP_MGMT_EINVAL);

    /* More data than len. */
    r = first_chunk(f, 512);
    r.len = 400;
    memcpy(bad, f->img, sizeof(bad));
    bad[12] = 0x10; /* ih_img_size = 16 */
    bad[13] = bad[14] = bad[15] = 0;
    r.data = bad;
    r.n = 64;
    r.len = 60;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, SMP_MGMT_EUNKNOWN);

    /* Wrong types. */
    r = first_chunk(f, 512);
    {
        static struct t_body tb;
        size_t n;

        t_body_begin(&tb);
        smp_cbor_put_key(&tb.w, "off");
        smp_cbor_put_int(&tb.w, -1);
        n = t_body_end(&tb);
        assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_UPLOAD, tb.buf,
                              n) > 0);
        t_expect_rc(&f->b, SMP_MGMT_EINVAL);
        t_body_begin(&tb);
        smp_cbor_put_key(&tb.w, "off");
        smp_cbor_put_uint(&tb.w, 0);
        smp_cbor_put_key(&tb.w, "data");
        smp_cbor_put_tstr(&tb.w, "not bytes, but long enough to be a header");
        n = t_body_end(&tb);
        assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_UPLOAD, tb.buf,
                              n) > 0);
        t_expect_rc(&f->b, SMP_MGMT_EINVAL);
    }
    /* Nothing was written by any of it. */
    assert_int_equal(flash_area_is_erased(&f->b.secondary0, 0, T_SLOT0_SIZE), 1);
    assert_int_equal(f->b.ports.saves, 0);
}

static void test_too_large(void **state)
{
    struct fixture *f = *state;
    struct trailer_offsets to;
    uint32_t max;

    t_bench_start(&f->b);
    assert_int_equal(trailer_offsets(&f->b.cfg.trailer, T_SLOT0_SIZE, &to), 0);
    max = to.max_image_end;
    struct up_req r = first_chunk(f, 512);
    r.len = max + 1;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE, SMP_MGMT_EUNKNOWN);
    r.len = T_SLOT0_SIZE;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE, SMP_MGMT_EUNKNOWN);
    r.len = (int64_t)UINT32_MAX + 10;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE, SMP_MGMT_EUNKNOWN);
    assert_int_equal(flash_area_is_erased(&f->b.secondary0, 0, T_SLOT0_SIZE), 1);
    /* Up to the trailer is fine. */
    r.len = max;
    assert_int_equal(up_ok(f, &r, NULL), 512);
}

static void test_continuation_refusals(void **state)
{
    struct fixture *f = *state;
    uint64_t off = 0;

    t_bench_start(&f->b);
    while (off + 1500 <= f->img_len) {
        struct up_req r = off == 0 ? first_chunk(f, 1500) : next_chunk(f, off, 1500);

        off = up_ok(f, &r, NULL);
    }
    /* Past the announced length: refused, the upload goes on. */
    struct up_req r = next_chunk(f, off, 1500);
    r.data = f->img;
    up_err(f, &r, SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, SMP_MGMT_EUNKNOWN);
    r = next_chunk(f, off, 24);
    r.no_off = true;
    up_err(f, &r, SMP_IMG_ERR_INVALID_OFFSET, SMP_MGMT_EINVAL);
    assert_int_equal(upload_rest(f, off, 1500), 1);
    check_slot_holds_image(f, &f->b.secondary0);
}

static void test_upgrade_only(void **state)
{
    struct fixture *f = *state;
    size_t n;

    t_bench_start(&f->b);
    /* Running 1.0.0+5. Same version, older version: refused. */
    n = t_image_build(f->img, sizeof(f->img), 1, 0, 0, 9, 3000, 1, 0, f->img_hash);
    struct up_req r = first_chunk(f, 512);
    r.len = (int64_t)n;
    r.upgrade = 1;
    up_err(f, &r, SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER, SMP_MGMT_EBADSTATE);
    n = t_image_build(f->img, sizeof(f->img), 0, 9, 9, 0, 3000, 1, 0, f->img_hash);
    r.len = (int64_t)n;
    up_err(f, &r, SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER, SMP_MGMT_EBADSTATE);
    /* Without "upgrade", downgrades are allowed. */
    r.upgrade = 0;
    assert_int_equal(up_ok(f, &r, NULL), 512);

    /* Build numbers count when the config says so. */
    f->b.cfg.version_cmp_use_build = true;
    t_bench_start(&f->b);
    n = t_image_build(f->img, sizeof(f->img), 1, 0, 0, 9, 3000, 2, 0, f->img_hash);
    r.len = (int64_t)n;
    r.sha = NULL;
    r.upgrade = 1;
    assert_int_equal(up_ok(f, &r, NULL), 512);
    n = t_image_build(f->img, sizeof(f->img), 1, 0, 0, 5, 3000, 3, 0, f->img_hash);
    r.len = (int64_t)n;
    up_err(f, &r, SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER, SMP_MGMT_EBADSTATE);

    /* No readable running image: its version is unknown. */
    assert_int_equal(flash_sim_load(&f->b.sim, T_P0_OFF, T_SLOT0_SIZE, NULL, 0), 0);
    up_err(f, &r, SMP_IMG_ERR_VERSION_GET_FAILED, SMP_MGMT_EUNKNOWN);
    t_area_load(&f->b, &f->b.primary0, f->running, f->running_len);
}

static void test_slot_in_use(void **state)
{
    struct fixture *f = *state;
    uint8_t snap[T_SLOT0_SIZE];

    /* An image pending a test in the secondary. */
    t_area_load(&f->b, &f->b.secondary0, f->running, f->running_len);
    assert_int_equal(trailer_set_pending(&f->b.secondary0, &f->b.cfg.trailer, false, 0), 0);
    t_snapshot(&f->b, T_S0_OFF, T_SLOT0_SIZE, snap);
    t_bench_start(&f->b);
    struct up_req r = first_chunk(f, 512);
    up_err(f, &r, SMP_IMG_ERR_NO_FREE_SLOT, SMP_MGMT_EBADSTATE);
    assert_true(t_unchanged(&f->b, T_S0_OFF, T_SLOT0_SIZE, snap));
}

/* ---- erase policy -------------------------------------------------------- */

static uint64_t sector_erases(struct fixture *f, uint32_t dev_off)
{
    struct flash_sim_counts c;

    assert_int_equal(flash_sim_sector_counts(&f->b.sim, dev_off / T_SECTOR, &c), 0);
    return c.erases;
}

static void test_progressive_erase(void **state)
{
    struct fixture *f = *state;
    static uint8_t old[T_SLOT0_SIZE];
    const uint8_t *raw = flash_sim_raw(&f->b.sim) + T_S0_OFF;

    /* The secondary is full of an old image's bytes. */
    memset(old, 0x42, sizeof(old));
    t_area_load(&f->b, &f->b.secondary0, old, sizeof(old));
    flash_sim_reset_counts(&f->b.sim);
    t_bench_start(&f->b);

    struct up_req r = first_chunk(f, 512);
    assert_int_equal(up_ok(f, &r, NULL), 512);
    /* Only the first sector was erased; the rest still holds old bytes. */
    assert_int_equal(sector_erases(f, T_S0_OFF), 1);
    for (uint32_t s = 1; s < T_SLOT0_SIZE / T_SECTOR; s++) {
        assert_int_equal(sector_erases(f, T_S0_OFF + s * T_SECTOR), 0);
    }
    assert_int_equal(raw[T_SECTOR], 0x42);

    /* A chunk across a sector boundary erases the next sector first. */
    uint64_t off = 512;
    while (off < T_SECTOR + 100) {
        r = next_chunk(f, off, 700);
        off = up_ok(f, &r, NULL);
    }
    assert_int_equal(sector_erases(f, T_S0_OFF + T_SECTOR), 1);
    assert_int_equal(sector_erases(f, T_S0_OFF + 2 * T_SECTOR), 0);
    assert_int_equal(raw[2 * T_SECTOR], 0x42);

    /* At the end, the trailer sector (old bytes) is erased, the sectors in
     * between are left alone, and every image sector was erased once. */
    assert_int_equal(upload_rest(f, off, 700), 1);
    for (uint32_t s = 0; s < T_SLOT0_SIZE / T_SECTOR; s++) {
        uint64_t want = s * T_SECTOR < f->img_len || s == T_SLOT0_SIZE / T_SECTOR - 1 ? 1 : 0;

        assert_int_equal(sector_erases(f, T_S0_OFF + s * T_SECTOR), want);
    }
    check_slot_holds_image(f, &f->b.secondary0);
    /* Nothing outside the slot was erased. */
    assert_int_equal(sector_erases(f, T_P0_OFF), 0);
    assert_int_equal(sector_erases(f, T_STORAGE_OFF), 0);
}

/* ---- resume -------------------------------------------------------------- */

static void test_resume_in_session(void **state)
{
    struct fixture *f = *state;
    uint64_t off = 0;

    t_bench_start(&f->b);
    while (off < 9000) {
        struct up_req r = off == 0 ? first_chunk(f, 750) : next_chunk(f, off, 750);

        off = up_ok(f, &r, NULL);
    }
    /* The link dropped; the client starts over with the same first chunk. */
    struct up_req r = first_chunk(f, 750);
    assert_int_equal(up_ok(f, &r, NULL), off);
    /* Without sha the first chunk cannot be recognised: a new upload. */
    r.sha = NULL;
    assert_int_equal(up_ok(f, &r, NULL), 750);
    assert_int_equal(upload_rest(f, 750, 1100), -1);
    check_slot_holds_image(f, &f->b.secondary0);
}

static void test_resume_needs_same_upload(void **state)
{
    struct fixture *f = *state;
    uint8_t other[32];

    t_bench_start(&f->b);
    struct up_req r = first_chunk(f, 1500);
    assert_int_equal(up_ok(f, &r, NULL), 1500);
    r = next_chunk(f, 1500, 1500);
    assert_int_equal(up_ok(f, &r, NULL), 3000);
    /* Same sha, different len: new upload. */
    r = first_chunk(f, 1500);
    r.len = (int64_t)f->img_len + 8;
    assert_int_equal(up_ok(f, &r, NULL), 1500);
    /* Different sha: new upload again. */
    memset(other, 7, sizeof(other));
    r = first_chunk(f, 1000);
    r.sha = other;
    assert_int_equal(up_ok(f, &r, NULL), 1000);
    assert_int_equal(upload_rest(f, 1000, 1500), 0);
}

static void restart(struct fixture *f)
{
    /* A new server over the same flash and ports: what survives a reset. */
    memset(&f->b.srv, 0x5a, sizeof(f->b.srv));
    t_bench_start(&f->b);
}

static void test_resume_after_restart(void **state)
{
    struct fixture *f = *state;
    const uint8_t *raw = flash_sim_raw(&f->b.sim) + T_S0_OFF;
    uint64_t off = 0;

    t_bench_start(&f->b);
    while (off < 2 * T_SECTOR + 1000) {
        struct up_req r = off == 0 ? first_chunk(f, 900) : next_chunk(f, off, 900);

        off = up_ok(f, &r, NULL);
    }
    /* One record per sector entered, at sector starts. */
    assert_true(f->b.ports.has_record);
    assert_int_equal(f->b.ports.saves, 2);
    assert_int_equal(f->b.ports.record.off, 2 * T_SECTOR);
    assert_int_equal(f->b.ports.record.len, f->img_len);
    assert_int_equal(f->b.ports.record.sha_len, 32);
    assert_memory_equal(f->b.ports.record.sha, f->sha, 32);
    assert_int_equal(f->b.ports.record.image, 0);

    restart(f);
    /* The interrupted slot holds no image yet. */
    check_listed(f, 1);
    /* Chunks at the old offset are not taken without the first chunk. */
    struct up_req r = next_chunk(f, off, 900);
    assert_int_equal(up_ok(f, &r, NULL), 0);
    /* The first chunk again: resume at the saved sector, erased anew. */
    r = first_chunk(f, 900);
    assert_int_equal(up_ok(f, &r, NULL), 2 * T_SECTOR);
    for (uint32_t i = 2 * T_SECTOR; i < 3 * T_SECTOR; i++) {
        assert_int_equal(raw[i], 0xff);
    }
    assert_int_equal(upload_rest(f, 2 * T_SECTOR, 900), 1);
    check_slot_holds_image(f, &f->b.secondary0);
    assert_false(f->b.ports.has_record);
    check_listed(f, 2);
}

static void test_restart_then_new_upload(void **state)
{
    struct fixture *f = *state;
    uint64_t off = 0;
    uint8_t other[32];

    t_bench_start(&f->b);
    while (off < T_SECTOR + 10) {
        struct up_req r = off == 0 ? first_chunk(f, 1024) : next_chunk(f, off, 1024);

        off = up_ok(f, &r, NULL);
    }
    assert_true(f->b.ports.has_record);
    restart(f);
    /* A different upload replaces the interrupted one and its record. */
    memset(other, 3, sizeof(other));
    struct up_req r = first_chunk(f, 1024);
    r.sha = other;
    assert_int_equal(up_ok(f, &r, NULL), 1024);
    assert_false(f->b.ports.has_record);
    assert_int_equal(upload_rest(f, 1024, 1024), 0);
}

static void test_bad_records_forgotten(void **state)
{
    struct fixture *f = *state;
    struct smp_upload_record good = {
        .image = 0, .sha_len = 32, .len = 20000, .off = 2 * T_SECTOR,
    };
    struct smp_upload_record bad[] = {good, good, good, good, good, good};

    bad[0].image = 7;
    bad[1].sha_len = 0;
    bad[2].off = 0;
    bad[3].off = bad[3].len;
    bad[4].off = T_SECTOR + 4;
    bad[5].len = T_SLOT0_SIZE;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f->b.ports.record = bad[i];
        f->b.ports.has_record = true;
        f->b.ports.clears = 0;
        t_bench_start(&f->b);
        assert_false(f->b.ports.has_record);
        assert_int_equal(f->b.ports.clears, 1);
        assert_int_equal(f->b.srv.upload.state, SMP_SERVER_UPLOAD_IDLE);
    }
    f->b.ports.record = good;
    f->b.ports.has_record = true;
    t_bench_start(&f->b);
    assert_true(f->b.ports.has_record);
    assert_int_equal(f->b.srv.upload.state, SMP_SERVER_UPLOAD_DORMANT);
}

/* ---- interruptions -------------------------------------------------------- */

static void test_erase_abandons_upload(void **state)
{
    struct fixture *f = *state;
    uint64_t off = 0;

    t_bench_start(&f->b);
    while (off < T_SECTOR + 10) {
        struct up_req r = off == 0 ? first_chunk(f, 1024) : next_chunk(f, off, 1024);

        off = up_ok(f, &r, NULL);
    }
    assert_true(f->b.ports.has_record);
    assert_true(t_request(&f->b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_IMAGE, ID_ERASE, NULL, 0) > 0);
    t_expect_ok(&f->b);
    assert_false(f->b.ports.has_record);
    assert_int_equal(flash_area_is_erased(&f->b.secondary0, 0, T_SLOT0_SIZE), 1);
    struct up_req r = next_chunk(f, off, 1024);
    assert_int_equal(up_ok(f, &r, NULL), 0);
    r = first_chunk(f, 1024);
    assert_int_equal(up_ok(f, &r, NULL), 1024);
}

static void test_flash_failure_suspends_upload(void **state)
{
    struct fixture *f = *state;
    static uint8_t old[T_SLOT0_SIZE];
    uint64_t off = 0;

    /* The first erase fails: without a record the upload is over. */
    memset(old, 0x42, sizeof(old));
    t_area_load(&f->b, &f->b.secondary0, old, sizeof(old));
    t_bench_start(&f->b);
    flash_sim_cut_power_after(&f->b.sim, 0, FLASH_SIM_CUT_BEFORE);
    struct up_req r = first_chunk(f, 1024);
    up_send(f, SMP_VER_2, &r);
    t_expect_err(&f->b, SMP_GROUP_IMAGE, SMP_IMG_ERR_FLASH_ERASE_FAILED);
    flash_sim_reboot(&f->b.sim);
    r = next_chunk(f, 1024, 1024);
    assert_int_equal(up_ok(f, &r, NULL), 0);

    /* A write fails past the first sector: the upload waits at its record,
     * the record itself untouched. */
    while (off < 2 * T_SECTOR + 10) {
        r = off == 0 ? first_chunk(f, 1024) : next_chunk(f, off, 1024);
        off = up_ok(f, &r, NULL);
    }
    assert_int_equal(f->b.ports.record.off, 2 * T_SECTOR);
    flash_sim_cut_power_after(&f->b.sim, 0, FLASH_SIM_CUT_TORN_WRITE);
    r = next_chunk(f, off, 1024);
    up_send(f, SMP_VER_1, &r);
    t_expect_rc(&f->b, SMP_MGMT_EUNKNOWN);
    flash_sim_reboot(&f->b.sim);
    assert_true(f->b.ports.has_record);
    assert_int_equal(f->b.ports.record.off, 2 * T_SECTOR);
    /* Continuations are sent back to the start... */
    r = next_chunk(f, off, 1024);
    assert_int_equal(up_ok(f, &r, NULL), 0);
    /* ...and the first chunk resumes at the record, as after a restart;
     * first the re-erase fails once, changing nothing. */
    flash_sim_cut_power_after(&f->b.sim, 0, FLASH_SIM_CUT_BEFORE);
    r = first_chunk(f, 1024);
    up_send(f, SMP_VER_2, &r);
    t_expect_err(&f->b, SMP_GROUP_IMAGE, SMP_IMG_ERR_FLASH_ERASE_FAILED);
    flash_sim_reboot(&f->b.sim);
    assert_true(f->b.ports.has_record);
    assert_int_equal(up_ok(f, &r, NULL), 2 * T_SECTOR);
    assert_int_equal(upload_rest(f, 2 * T_SECTOR, 1024), 1);
    check_slot_holds_image(f, &f->b.secondary0);
    assert_false(f->b.ports.has_record);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_chunks, setup_wb8, teardown),
        cmocka_unit_test_setup_teardown(test_byte_writes, setup_wb1, teardown),
        cmocka_unit_test_setup_teardown(test_single_chunk_and_match, setup_wb8, teardown),
        cmocka_unit_test_setup_teardown(test_stale_trailer_cleared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_image1, setup2, teardown),
        cmocka_unit_test_setup_teardown(test_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_chunk_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continuation_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slot_in_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progressive_erase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_in_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_needs_same_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_restart, setup_wb8, teardown),
        cmocka_unit_test_setup_teardown(test_restart_then_new_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_records_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_abandons_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_failure_suspends_upload, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
