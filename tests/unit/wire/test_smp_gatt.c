/*
 * GATT: packets split to several ATT MTUs and reassembled, piece size and
 * count, and the refusals (short first piece, oversized packet, overrun)
 * each leaving the reassembler ready for the next packet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/smp_gatt.h"
#include "wire/smp_header.h"

#define PKT_MAX 2100

static size_t make_packet(uint8_t *p, uint16_t body, uint8_t seq)
{
    struct smp_hdr h = { .op = SMP_OP_WRITE, .ver = SMP_VER_2, .len = body,
                         .group = SMP_GROUP_IMAGE, .seq = seq, .id = 1 };
    smp_hdr_encode(&h, p);
    for (size_t i = 0; i < body; i++) {
        p[SMP_HDR_SIZE + i] = (uint8_t)(i * 13 + seq);
    }
    return SMP_HDR_SIZE + (size_t)body;
}

static void test_piece_max(void **state)
{
    (void)state;
    assert_int_equal(smp_gatt_piece_max(23), 20);
    assert_int_equal(smp_gatt_piece_max(247), 244);
    assert_int_equal(smp_gatt_piece_max(517), 514);
    assert_int_equal(smp_gatt_piece_max(22), 0);
    assert_int_equal(smp_gatt_piece_max(0), 0);
    struct smp_gatt_splitter s;
    uint8_t p[8] = { 0 };
    assert_int_equal(smp_gatt_split_init(&s, p, sizeof(p), 22), SMP_GATT_EMTU);
}

static void test_split_reassemble(void **state)
{
    (void)state;
    static const uint16_t mtus[] = { 23, 24, 64, 185, 247, 251, 498, 517 };
    static const uint16_t bodies[] = { 0, 1, 11, 12, 13, 100, 241, 512, 1024, 2000 };
    static uint8_t pkt[PKT_MAX], buf[PKT_MAX];
    for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++) {
        struct smp_gatt_reassembler r;
        smp_gatt_reasm_init(&r, buf, sizeof(buf));
        for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
            size_t len = make_packet(pkt, bodies[b], (uint8_t)b);
            size_t max = smp_gatt_piece_max(mtus[m]);
            struct smp_gatt_splitter s;
            assert_int_equal(smp_gatt_split_init(&s, pkt, len, mtus[m]), 0);

            const uint8_t *piece;
            size_t piece_len, pieces = 0, total = 0;
            int done = 0;
            while (smp_gatt_split_next(&s, &piece, &piece_len)) {
                assert_true(piece_len >= 1 && piece_len <= max);
                assert_ptr_equal(piece, pkt + total);
                total += piece_len;
                pieces++;
                const uint8_t *out = NULL;
                size_t out_len = 0;
                int rc = smp_gatt_reasm_feed(&r, piece, piece_len, &out, &out_len);
                if (total < len) {
                    assert_int_equal(rc, 0);
                } else {
                    assert_int_equal(rc, 1);
                    assert_int_equal(out_len, len);
                    assert_memory_equal(out, pkt, len);
                    done++;
                }
            }
            assert_int_equal(total, len);
            assert_int_equal(pieces, (len + max - 1) / max);
            assert_int_equal(done, 1);
            assert_false(smp_gatt_split_next(&s, &piece, &piece_len));
        }
    }
}

static void test_empty_packet_has_no_pieces(void **state)
{
    (void)state;
    struct smp_gatt_splitter s;
    const uint8_t *piece;
    size_t n;
    assert_int_equal(smp_gatt_split_init(&s, NULL, 0, 23), 0);
    assert_false(smp_gatt_split_next(&s, &piece, &n));
}

static void test_short_first_piece(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], buf[PKT_MAX];
    struct smp_gatt_reassembler r;
    smp_gatt_reasm_init(&r, buf, sizeof(buf));
    size_t len = make_packet(pkt, 50, 1);
    const uint8_t *out;
    size_t out_len;
    for (size_t n = 0; n < SMP_HDR_SIZE; n++) {
        assert_int_equal(smp_gatt_reasm_feed(&r, pkt, n, &out, &out_len), SMP_GATT_ESHORT);
    }
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, len, &out, &out_len), 1);
    assert_int_equal(out_len, len);
}

static void test_oversize_refused(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], buf[PKT_MAX];
    struct smp_gatt_reassembler r;
    const uint8_t *out;
    size_t out_len;
    /* Buffer of 100: a 92-byte body fits exactly, 93 does not. */
    smp_gatt_reasm_init(&r, buf, 100);
    size_t len = make_packet(pkt, 93, 1);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, 20, &out, &out_len), SMP_GATT_ETOOBIG);
    assert_int_equal(r.fill, 0);
    /* The refused packet's next piece is read as a new first piece: too
     * short for a header, it is refused as well. */
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt + 20, 5, &out, &out_len), SMP_GATT_ESHORT);
    len = make_packet(pkt, 92, 2);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, 60, &out, &out_len), 0);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt + 60, len - 60, &out, &out_len), 1);
    assert_int_equal(out_len, 100);
    assert_memory_equal(out, pkt, 100);
    /* A buffer smaller than a header refuses everything. */
    smp_gatt_reasm_init(&r, buf, 4);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, 20, &out, &out_len), SMP_GATT_ETOOBIG);
}

static void test_overrun(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], buf[PKT_MAX];
    struct smp_gatt_reassembler r;
    const uint8_t *out;
    size_t out_len;
    smp_gatt_reasm_init(&r, buf, sizeof(buf));
    size_t len = make_packet(pkt, 30, 1);
    /* One piece with a byte too many. */
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, len + 1, &out, &out_len), SMP_GATT_EOVERRUN);
    /* A later piece running past the end. */
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, 20, &out, &out_len), 0);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt + 20, len - 20 + 1, &out, &out_len),
                     SMP_GATT_EOVERRUN);
    assert_int_equal(r.fill, 0);
    assert_int_equal(r.expect, 0);
    /* Clean afterwards. */
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, len, &out, &out_len), 1);
    assert_int_equal(out_len, len);
}

static void test_reset_mid_packet(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], pkt2[PKT_MAX], buf[PKT_MAX];
    struct smp_gatt_reassembler r;
    const uint8_t *out;
    size_t out_len;
    smp_gatt_reasm_init(&r, buf, sizeof(buf));
    make_packet(pkt, 300, 1);
    size_t len2 = make_packet(pkt2, 40, 2);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, 100, &out, &out_len), 0);
    smp_gatt_reasm_reset(&r);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt2, len2, &out, &out_len), 1);
    assert_int_equal(out_len, len2);
    assert_memory_equal(out, pkt2, len2);
    /* An empty piece mid-packet changes nothing. */
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt, 100, &out, &out_len), 0);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt + 100, 0, &out, &out_len), 0);
    assert_int_equal(smp_gatt_reasm_feed(&r, pkt + 100, 208, &out, &out_len), 1);
    assert_int_equal(out_len, 308);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_piece_max),
        cmocka_unit_test(test_split_reassemble),
        cmocka_unit_test(test_empty_packet_has_no_pieces),
        cmocka_unit_test(test_short_first_piece),
        cmocka_unit_test(test_oversize_refused),
        cmocka_unit_test(test_overrun),
        cmocka_unit_test(test_reset_mid_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
