/*
 * CBOR bodies: read_map over definite and indefinite maps, skipping of
 * unknown keys whatever they hold, type refusals, truncation, nesting limits
 * and trailing bytes; the writer's encodings and its latched overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/smp_cbor.h"

#define FIELD(k, t) { .key = (k), .type = (t) }

static int read_body(const uint8_t *buf, size_t len, struct smp_cbor_field *f, size_t n)
{
    return smp_cbor_read_map(buf, len, f, n);
}

/* {"off": 512, "data": h'0102', "len": 70000, "sha": h'', "image": 1,
 *  "upgrade": true, "d": "hi", "n": -3} as a definite map. */
static const uint8_t upload_def[] = {
    0xa8, 0x63, 'o', 'f', 'f', 0x19, 0x02, 0x00, 0x64, 'd', 'a', 't', 'a', 0x42, 0x01, 0x02,
    0x63, 'l', 'e', 'n', 0x1a, 0x00, 0x01, 0x11, 0x70, 0x63, 's', 'h', 'a', 0x40,
    0x65, 'i', 'm', 'a', 'g', 'e', 0x01, 0x67, 'u', 'p', 'g', 'r', 'a', 'd', 'e', 0xf5,
    0x61, 'd', 0x62, 'h', 'i', 0x61, 'n', 0x22,
};

static void expect_upload(const uint8_t *buf, size_t len)
{
    struct smp_cbor_field f[] = {
        FIELD("off", SMP_CBOR_UINT), FIELD("data", SMP_CBOR_BSTR), FIELD("len", SMP_CBOR_UINT),
        FIELD("sha", SMP_CBOR_BSTR), FIELD("image", SMP_CBOR_INT), FIELD("upgrade", SMP_CBOR_BOOL),
        FIELD("d", SMP_CBOR_TSTR), FIELD("n", SMP_CBOR_INT), FIELD("absent", SMP_CBOR_UINT),
    };
    assert_int_equal(read_body(buf, len, f, 9), SMP_CBOR_OK);
    assert_true(f[0].found);
    assert_int_equal(f[0].v.u, 512);
    assert_true(f[1].found);
    assert_int_equal(f[1].v.str.len, 2);
    assert_int_equal(f[1].v.str.ptr[0], 1);
    assert_int_equal(f[1].v.str.ptr[1], 2);
    /* Strings point into the input, they are not copied. */
    assert_true(f[1].v.str.ptr > buf && f[1].v.str.ptr < buf + len);
    assert_int_equal(f[2].v.u, 70000);
    assert_true(f[3].found);
    assert_int_equal(f[3].v.str.len, 0);
    assert_int_equal(f[4].v.i, 1);
    assert_true(f[5].v.b);
    assert_int_equal(f[6].v.str.len, 2);
    assert_memory_equal(f[6].v.str.ptr, "hi", 2);
    assert_int_equal(f[7].v.i, -3);
    assert_false(f[8].found);
}

static void test_definite_map(void **state)
{
    (void)state;
    expect_upload(upload_def, sizeof(upload_def));
}

static void test_indefinite_map(void **state)
{
    (void)state;
    uint8_t buf[sizeof(upload_def) + 1];
    memcpy(buf, upload_def, sizeof(upload_def));
    buf[0] = 0xbf;
    buf[sizeof(upload_def)] = 0xff;
    expect_upload(buf, sizeof(buf));
}

static void test_empty_maps(void **state)
{
    (void)state;
    struct smp_cbor_field f[] = { FIELD("rc", SMP_CBOR_INT) };
    f[0].found = true;
    static const uint8_t def[] = { 0xa0 }, indef[] = { 0xbf, 0xff };
    assert_int_equal(read_body(def, 1, f, 1), SMP_CBOR_OK);
    assert_false(f[0].found);
    assert_int_equal(read_body(indef, 2, f, 1), SMP_CBOR_OK);
    assert_int_equal(read_body(def, 1, NULL, 0), SMP_CBOR_OK);
}

/* Unknown keys around a known one, holding every kind of item. */
static void test_skip_unknown(void **state)
{
    (void)state;
    static const uint8_t buf[] = {
        0xbf,
        0x61, 'a', 0x83, 0x01, 0xa1, 0x61, 'x', 0x9f, 0xff, 0x5f, 0x41, 0x00, 0x40, 0xff,
        0x61, 'b', 0xbf, 0x01, 0x02, 0x62, 'k', 'k', 0x7f, 0x61, 'z', 0x60, 0xff, 0xff,
        0x61, 'c', 0xc1, 0xd8, 0x20, 0x1a, 0x00, 0x00, 0x00, 0x01, /* tags */
        0x61, 'e', 0xf9, 0x3c, 0x00,                               /* half float */
        0x61, 'f', 0xfb, 0, 0, 0, 0, 0, 0, 0, 0,                   /* double */
        0x61, 'g', 0xf6, 0x61, 'h', 0xf7,                          /* null, undefined */
        0x62, 'r', 'c', 0x38, 0x63,                                /* -100 */
        0x61, 'i', 0xa2, 0x01, 0x82, 0x02, 0x03, 0xf4, 0xc2, 0x41, 0x01,
        0x61, 'j', 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* -2^64 */
        0xff,
    };
    struct smp_cbor_field f[] = { FIELD("rc", SMP_CBOR_INT) };
    assert_int_equal(read_body(buf, sizeof(buf), f, 1), SMP_CBOR_OK);
    assert_true(f[0].found);
    assert_int_equal(f[0].v.i, -100);
}

static void test_int_ranges(void **state)
{
    (void)state;
    struct smp_cbor_field f[] = { FIELD("v", SMP_CBOR_INT) };
    static const uint8_t max[] = { 0xa1, 0x61, 'v', 0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t min[] = { 0xa1, 0x61, 'v', 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t over[] = { 0xa1, 0x61, 'v', 0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t under[] = { 0xa1, 0x61, 'v', 0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(read_body(max, sizeof(max), f, 1), SMP_CBOR_OK);
    assert_int_equal(f[0].v.i, INT64_MAX);
    assert_int_equal(read_body(min, sizeof(min), f, 1), SMP_CBOR_OK);
    assert_true(f[0].v.i == INT64_MIN);
    assert_int_equal(read_body(over, sizeof(over), f, 1), SMP_CBOR_ETYPE);
    assert_int_equal(read_body(under, sizeof(under), f, 1), SMP_CBOR_ETYPE);

    struct smp_cbor_field u[] = { FIELD("v", SMP_CBOR_UINT) };
    assert_int_equal(read_body(over, sizeof(over), u, 1), SMP_CBOR_OK);
    assert_true(u[0].v.u == 0x8000000000000000ull);
    assert_int_equal(read_body(min, sizeof(min), u, 1), SMP_CBOR_ETYPE);
}

static void test_bool_from_int(void **state)
{
    (void)state;
    struct smp_cbor_field f[] = { FIELD("force", SMP_CBOR_BOOL) };
    static const uint8_t zero[] = { 0xa1, 0x65, 'f', 'o', 'r', 'c', 'e', 0x00 };
    static const uint8_t one[] = { 0xa1, 0x65, 'f', 'o', 'r', 'c', 'e', 0x18, 0x80 };
    static const uint8_t neg[] = { 0xa1, 0x65, 'f', 'o', 'r', 'c', 'e', 0x20 };
    static const uint8_t fls[] = { 0xa1, 0x65, 'f', 'o', 'r', 'c', 'e', 0xf4 };
    assert_int_equal(read_body(zero, sizeof(zero), f, 1), SMP_CBOR_OK);
    assert_true(f[0].found);
    assert_false(f[0].v.b);
    assert_int_equal(read_body(one, sizeof(one), f, 1), SMP_CBOR_OK);
    assert_true(f[0].v.b);
    assert_int_equal(read_body(neg, sizeof(neg), f, 1), SMP_CBOR_OK);
    assert_true(f[0].v.b);
    assert_int_equal(read_body(fls, sizeof(fls), f, 1), SMP_CBOR_OK);
    assert_false(f[0].v.b);
}

/* Each wanted type against a value of every other kind. */
static void test_wrong_types(void **state)
{
    (void)state;
    static const struct {
        uint8_t bytes[6];
        size_t len;
        bool ok[5]; /* UINT, INT, BOOL, TSTR, BSTR */
    } values[] = {
        { { 0x05 }, 1, { true, true, true, false, false } },
        { { 0x24 }, 1, { false, true, true, false, false } },
        { { 0xf5 }, 1, { false, false, true, false, false } },
        { { 0x61, 'x' }, 2, { false, false, false, true, false } },
        { { 0x41, 0x00 }, 2, { false, false, false, false, true } },
        { { 0x7f, 0x61, 'x', 0xff }, 4, { false, false, false, false, false } },
        { { 0x5f, 0x41, 0x00, 0xff }, 4, { false, false, false, false, false } },
        { { 0x80 }, 1, { false, false, false, false, false } },
        { { 0x9f, 0xff }, 2, { false, false, false, false, false } },
        { { 0xa0 }, 1, { false, false, false, false, false } },
        { { 0xc0, 0x61, 'x' }, 3, { false, false, false, false, false } },
        { { 0xc2, 0x41, 0x01 }, 3, { false, false, false, false, false } },
        { { 0xf6 }, 1, { false, false, false, false, false } },
        { { 0xf7 }, 1, { false, false, false, false, false } },
        { { 0xfa, 0, 0, 0, 0 }, 5, { false, false, false, false, false } },
    };
    static const enum smp_cbor_type types[] = { SMP_CBOR_UINT, SMP_CBOR_INT, SMP_CBOR_BOOL,
                                                SMP_CBOR_TSTR, SMP_CBOR_BSTR };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        for (size_t t = 0; t < 5; t++) {
            uint8_t buf[16] = { 0xa1, 0x61, 'k' };
            memcpy(buf + 3, values[i].bytes, values[i].len);
            struct smp_cbor_field f[] = { FIELD("k", types[t]) };
            int rc = read_body(buf, 3 + values[i].len, f, 1);
            assert_int_equal(rc, values[i].ok[t] ? SMP_CBOR_OK : SMP_CBOR_ETYPE);
            assert_int_equal(f[0].found, values[i].ok[t]);
            /* The same value under an unknown key is skipped. */
            struct smp_cbor_field other[] = { FIELD("other", types[t]) };
            assert_int_equal(read_body(buf, 3 + values[i].len, other, 1), SMP_CBOR_OK);
        }
    }
}

static void test_bad_keys(void **state)
{
    (void)state;
    struct smp_cbor_field f[] = { FIELD("k", SMP_CBOR_UINT) };
    static const uint8_t int_key[] = { 0xa1, 0x01, 0x02 };
    static const uint8_t bstr_key[] = { 0xa1, 0x41, 'k', 0x02 };
    static const uint8_t indef_key[] = { 0xa1, 0x7f, 0x61, 'k', 0xff, 0x02 };
    static const uint8_t tagged_key[] = { 0xa1, 0xc0, 0x61, 'k', 0x02 };
    static const uint8_t map_key[] = { 0xa1, 0xa0, 0x02 };
    assert_int_equal(read_body(int_key, sizeof(int_key), f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(bstr_key, sizeof(bstr_key), f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(indef_key, sizeof(indef_key), f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(tagged_key, sizeof(tagged_key), f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(map_key, sizeof(map_key), f, 1), SMP_CBOR_EDECODE);
    /* Keys of nested (skipped) maps may be anything. */
    static const uint8_t nested[] = { 0xa2, 0x61, 'x', 0xa1, 0x01, 0x02, 0x61, 'k', 0x07 };
    assert_int_equal(read_body(nested, sizeof(nested), f, 1), SMP_CBOR_OK);
    assert_int_equal(f[0].v.u, 7);
}

static void test_not_a_map(void **state)
{
    (void)state;
    struct smp_cbor_field f[] = { FIELD("k", SMP_CBOR_UINT) };
    static const uint8_t arr[] = { 0x80 }, num[] = { 0x01 }, tagged[] = { 0xc0, 0xa0 };
    static const uint8_t brk[] = { 0xff }, reserved[] = { 0x1c };
    assert_int_equal(read_body(arr, 1, f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(num, 1, f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(tagged, 2, f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(brk, 1, f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(reserved, 1, f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(arr, 0, f, 1), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(NULL, 0, f, 1), SMP_CBOR_EDECODE);
}

static void test_misplaced_break(void **state)
{
    (void)state;
    static const uint8_t after_key[] = { 0xbf, 0x61, 'k', 0xff };
    static const uint8_t in_definite[] = { 0xa1, 0x61, 'k', 0x82, 0x01, 0xff };
    static const uint8_t after_tag[] = { 0xbf, 0x61, 'k', 0x9f, 0xc0, 0xff, 0xff };
    static const uint8_t in_chunks[] = { 0xbf, 0x61, 'k', 0x5f, 0x61, 'x', 0xff, 0xff };
    static const uint8_t nested_indef[] = { 0xbf, 0x61, 'k', 0x5f, 0x5f, 0xff, 0xff, 0xff };
    static const uint8_t ok[] = { 0xbf, 0x61, 'k', 0x5f, 0xff, 0xff };
    assert_int_equal(read_body(after_key, sizeof(after_key), NULL, 0), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(in_definite, sizeof(in_definite), NULL, 0), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(after_tag, sizeof(after_tag), NULL, 0), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(in_chunks, sizeof(in_chunks), NULL, 0), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(nested_indef, sizeof(nested_indef), NULL, 0), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(ok, sizeof(ok), NULL, 0), SMP_CBOR_OK);
}

static void test_duplicate_key_last_wins(void **state)
{
    (void)state;
    static const uint8_t buf[] = { 0xa2, 0x61, 'k', 0x01, 0x61, 'k', 0x02 };
    struct smp_cbor_field f[] = { FIELD("k", SMP_CBOR_UINT) };
    assert_int_equal(read_body(buf, sizeof(buf), f, 1), SMP_CBOR_OK);
    assert_int_equal(f[0].v.u, 2);
}

/* Every proper prefix of a body is refused, and no field reads as found. */
static void test_truncation_every_length(void **state)
{
    (void)state;
    uint8_t buf[sizeof(upload_def) + 16];
    size_t len = 0;
    buf[len++] = 0xbf;
    memcpy(buf + len, upload_def + 1, sizeof(upload_def) - 1);
    len += sizeof(upload_def) - 1;
    static const uint8_t tail[] = { 0x61, 'q', 0x9f, 0x7f, 0x61, 'a', 0xff, 0xa1, 0x01, 0xc0, 0x02, 0xff, 0xff };
    memcpy(buf + len, tail, sizeof(tail));
    len += sizeof(tail);

    struct smp_cbor_field f[] = { FIELD("off", SMP_CBOR_UINT), FIELD("n", SMP_CBOR_INT) };
    assert_int_equal(read_body(buf, len, f, 2), SMP_CBOR_OK);
    for (size_t n = 0; n < len; n++) {
        assert_int_equal(read_body(buf, n, f, 2), SMP_CBOR_EDECODE);
        assert_false(f[0].found);
        assert_false(f[1].found);
    }
    expect_upload(upload_def, sizeof(upload_def));
    for (size_t n = 0; n < sizeof(upload_def); n++) {
        assert_int_equal(read_body(upload_def, n, f, 2), SMP_CBOR_EDECODE);
    }
}

static void test_counts_beyond_input(void **state)
{
    (void)state;
    static const uint8_t map[] = { 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x61, 'k', 0x01 };
    static const uint8_t arr[] = { 0xa1, 0x61, 'k', 0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    static const uint8_t str[] = { 0xa1, 0x61, 'k', 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x00 };
    assert_int_equal(read_body(map, sizeof(map), NULL, 0), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(arr, sizeof(arr), NULL, 0), SMP_CBOR_EDECODE);
    assert_int_equal(read_body(str, sizeof(str), NULL, 0), SMP_CBOR_EDECODE);
}

/* {"k": [[...[0]...]]} with `levels` arrays, definite or not. */
static size_t nested(uint8_t *buf, size_t levels, bool indef)
{
    size_t n = 0;
    buf[n++] = 0xa1;
    buf[n++] = 0x61;
    buf[n++] = 'k';
    for (size_t i = 0; i < levels; i++) {
        buf[n++] = indef ? 0x9f : 0x81;
    }
    buf[n++] = 0x00;
    for (size_t i = 0; indef && i < levels; i++) {
        buf[n++] = 0xff;
    }
    return n;
}

static void test_depth(void **state)
{
    (void)state;
    static uint8_t buf[40000];
    for (int indef = 0; indef < 2; indef++) {
        /* The map itself is one level. */
        size_t n = nested(buf, SMP_CBOR_MAX_DEPTH - 1, indef);
        assert_int_equal(read_body(buf, n, NULL, 0), SMP_CBOR_OK);
        n = nested(buf, SMP_CBOR_MAX_DEPTH, indef);
        assert_int_equal(read_body(buf, n, NULL, 0), SMP_CBOR_EDEPTH);
        n = nested(buf, 10000, indef);
        assert_int_equal(read_body(buf, n, NULL, 0), SMP_CBOR_EDEPTH);
    }
    /* Tags nest without a stack: a long chain is fine. */
    size_t n = 0;
    buf[n++] = 0xa1;
    buf[n++] = 0x61;
    buf[n++] = 'k';
    for (int i = 0; i < 15000; i++) {
        buf[n++] = 0xd8; /* tag 32 (URI) */
        buf[n++] = 0x20;
    }
    buf[n++] = 0x00;
    assert_int_equal(read_body(buf, n, NULL, 0), SMP_CBOR_OK);
}

static void test_trailing(void **state)
{
    (void)state;
    static const uint8_t one[] = { 0xa0, 0x00 };
    static const uint8_t two_maps[] = { 0xbf, 0xff, 0xa0 };
    static const uint8_t junk[] = { 0xa1, 0x61, 'k', 0x01, 0xff };
    struct smp_cbor_field f[] = { FIELD("k", SMP_CBOR_UINT) };
    assert_int_equal(read_body(one, sizeof(one), f, 1), SMP_CBOR_ETRAILING);
    assert_int_equal(read_body(two_maps, sizeof(two_maps), f, 1), SMP_CBOR_ETRAILING);
    assert_int_equal(read_body(junk, sizeof(junk), f, 1), SMP_CBOR_ETRAILING);
    assert_false(f[0].found);
}

/* ---- writer ------------------------------------------------------------ */

static void build_body(struct smp_cbor_writer *w)
{
    static const uint8_t hash[32] = { 0xee, 0x1d, 0x7b };
    smp_cbor_map_open(w);
    smp_cbor_put_key(w, "images");
    smp_cbor_array_open(w);
    smp_cbor_map_open(w);
    smp_cbor_put_key(w, "slot");
    smp_cbor_put_uint(w, 0);
    smp_cbor_put_key(w, "version");
    smp_cbor_put_tstr(w, "0.1.3.3");
    smp_cbor_put_key(w, "hash");
    smp_cbor_put_bstr(w, hash, sizeof(hash));
    smp_cbor_put_key(w, "active");
    smp_cbor_put_bool(w, true);
    smp_cbor_close(w);
    smp_cbor_close(w);
    smp_cbor_put_key(w, "off");
    smp_cbor_put_uint(w, 0x12345678);
    smp_cbor_put_key(w, "rc");
    smp_cbor_put_int(w, -300);
    smp_cbor_put_key(w, "r");
    smp_cbor_put_tstr_n(w, "echo!!", 4);
    smp_cbor_put_key(w, "e");
    smp_cbor_put_bstr(w, NULL, 0);
    smp_cbor_put_key(w, "ok");
    smp_cbor_put_bool(w, false);
    smp_cbor_close(w);
}

static void test_writer_roundtrip(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    build_body(&w);
    size_t len = 0;
    assert_int_equal(smp_cbor_writer_finish(&w, &len), SMP_CBOR_OK);
    assert_int_equal(buf[0], 0xbf);
    assert_int_equal(buf[len - 1], 0xff);

    struct smp_cbor_field f[] = {
        FIELD("off", SMP_CBOR_UINT), FIELD("rc", SMP_CBOR_INT), FIELD("r", SMP_CBOR_TSTR),
        FIELD("e", SMP_CBOR_BSTR),   FIELD("ok", SMP_CBOR_BOOL),
    };
    assert_int_equal(read_body(buf, len, f, 5), SMP_CBOR_OK);
    assert_int_equal(f[0].v.u, 0x12345678);
    assert_int_equal(f[1].v.i, -300);
    assert_int_equal(f[2].v.str.len, 4);
    assert_memory_equal(f[2].v.str.ptr, "echo", 4);
    assert_true(f[3].found);
    assert_int_equal(f[3].v.str.len, 0);
    assert_true(f[4].found);
    assert_false(f[4].v.b);
}

/* Zephyr's v1 error body, byte for byte as in the field report. */
static void test_writer_rc_bytes(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "rc");
    smp_cbor_put_int(&w, 8);
    smp_cbor_close(&w);
    size_t len;
    assert_int_equal(smp_cbor_writer_finish(&w, &len), SMP_CBOR_OK);
    static const uint8_t want[] = { 0xbf, 0x62, 'r', 'c', 0x08, 0xff };
    assert_int_equal(len, sizeof(want));
    assert_memory_equal(buf, want, sizeof(want));
}

static void test_writer_int_encodings(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        uint8_t bytes[9];
        size_t len;
    } cases[] = {
        { 0, { 0x00 }, 1 },
        { 23, { 0x17 }, 1 },
        { 24, { 0x18, 0x18 }, 2 },
        { -1, { 0x20 }, 1 },
        { -24, { 0x37 }, 1 },
        { -25, { 0x38, 0x18 }, 2 },
        { -256, { 0x38, 0xff }, 2 },
        { -257, { 0x39, 0x01, 0x00 }, 3 },
        { INT64_MAX, { 0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9 },
        { INT64_MIN, { 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[16];
        struct smp_cbor_writer w;
        smp_cbor_writer_init(&w, buf, sizeof(buf));
        smp_cbor_put_int(&w, cases[i].v);
        size_t len;
        assert_int_equal(smp_cbor_writer_finish(&w, &len), SMP_CBOR_OK);
        assert_int_equal(len, cases[i].len);
        assert_memory_equal(buf, cases[i].bytes, len);
    }
}

/* Every capacity short of the full body overflows, latches, and writes
 * nothing past the capacity; the full capacity gives the same bytes. */
static void test_writer_overflow_every_cap(void **state)
{
    (void)state;
    uint8_t ref[256];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, ref, sizeof(ref));
    build_body(&w);
    size_t full;
    assert_int_equal(smp_cbor_writer_finish(&w, &full), SMP_CBOR_OK);

    for (size_t cap = 0; cap <= full; cap++) {
        uint8_t buf[256];
        memset(buf, 0x5a, sizeof(buf));
        smp_cbor_writer_init(&w, buf, cap);
        build_body(&w);
        size_t len = 12345;
        int rc = smp_cbor_writer_finish(&w, &len);
        assert_true(w.len <= cap);
        for (size_t i = cap; i < sizeof(buf); i++) {
            assert_int_equal(buf[i], 0x5a);
        }
        if (cap < full) {
            assert_int_equal(rc, SMP_CBOR_ENOMEM);
            assert_int_equal(len, 12345);
        } else {
            assert_int_equal(rc, SMP_CBOR_OK);
            assert_int_equal(len, full);
            assert_memory_equal(buf, ref, full);
        }
    }
    /* Latched: a small item after an overflow does not sneak in. */
    uint8_t small[2];
    smp_cbor_writer_init(&w, small, sizeof(small));
    smp_cbor_put_uint(&w, 1000);
    smp_cbor_put_uint(&w, 1);
    assert_int_equal(w.len, 0);
    assert_int_equal(smp_cbor_writer_finish(&w, NULL), SMP_CBOR_ENOMEM);
    smp_cbor_writer_init(&w, NULL, 0);
    smp_cbor_close(&w);
    assert_int_equal(smp_cbor_writer_finish(&w, NULL), SMP_CBOR_ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definite_map),
        cmocka_unit_test(test_indefinite_map),
        cmocka_unit_test(test_empty_maps),
        cmocka_unit_test(test_skip_unknown),
        cmocka_unit_test(test_int_ranges),
        cmocka_unit_test(test_bool_from_int),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_not_a_map),
        cmocka_unit_test(test_misplaced_break),
        cmocka_unit_test(test_duplicate_key_last_wins),
        cmocka_unit_test(test_truncation_every_length),
        cmocka_unit_test(test_counts_beyond_input),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_trailing),
        cmocka_unit_test(test_writer_roundtrip),
        cmocka_unit_test(test_writer_rc_bytes),
        cmocka_unit_test(test_writer_int_encodings),
        cmocka_unit_test(test_writer_overflow_every_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
