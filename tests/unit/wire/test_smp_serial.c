/*
 * Serial framing: line layout against a model of Zephyr's sender, round
 * trips through the decoder for every size up to 2000 bytes fed whole, byte
 * by byte and in random chunks, and each way a frame can be damaged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/base64.h>

#include "wire/smp_serial.h"

#define PKT_MAX 2048
#define OUT_MAX SMP_SERIAL_ENCODED_MAX(PKT_MAX)

static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void fill_packet(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
    }
}

/* ---- a model of Zephyr's mcumgr_serial_tx_pkt -------------------------- */

struct sink {
    uint8_t *buf;
    size_t len;
};

static void sink_put(struct sink *s, const void *p, size_t n)
{
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static void sink_b64(struct sink *s, const uint8_t *raw, size_t n)
{
    uint8_t text[5];
    size_t olen;
    assert_int_equal(mbedtls_base64_encode(text, sizeof(text), &olen, raw, n), 0);
    assert_int_equal(olen, 4);
    sink_put(s, text, 4);
}

/* Follows Zephyr's loop (three bytes at a time, the CRC joining the last
 * bytes), so the line cuts are checked against its logic, not ours. */
static size_t zephyr_tx(const uint8_t *data, int len, uint8_t *out)
{
    struct sink s = { out, 0 };
    int max_input = ((127 - 3) >> 2) * 3;
    uint16_t crc = smp_serial_crc16(0, data, (size_t)len);
    bool first = true, last = false;
    int off = 0;
    uint8_t raw[3];
    uint8_t marker[2] = { 0x06, 0x09 };

    while (off < len) {
        sink_put(&s, marker, 2);
        if (first) {
            raw[0] = (uint8_t)((len + 2) >> 8);
            raw[1] = (uint8_t)(len + 2);
            raw[2] = data[0];
            sink_b64(&s, raw, 3);
            off++;
            max_input -= 3;
        }
        int todo = max_input < len - off ? max_input : len - off;
        int spare = max_input - (len - off);
        if (spare == 0 || spare == 1) {
            todo--;
            last = false;
        } else if (spare >= 2) {
            last = true;
        }
        while (todo >= 3) {
            sink_b64(&s, data + off, 3);
            off += 3;
            todo -= 3;
        }
        if (last) {
            uint8_t tail[4];
            size_t n = 0;
            while (off < len) {
                tail[n++] = data[off++];
            }
            tail[n++] = (uint8_t)(crc >> 8);
            tail[n++] = (uint8_t)crc;
            sink_b64(&s, tail, n < 3 ? n : 3);
            if (n == 4) {
                sink_b64(&s, tail + 3, 1);
            }
        }
        sink_put(&s, "\n", 1);
        marker[0] = 0x04;
        marker[1] = 0x14;
        first = false;
    }
    return s.len;
}

/* ---- encoding ---------------------------------------------------------- */

static void test_crc(void **state)
{
    (void)state;
    assert_int_equal(smp_serial_crc16(0, (const uint8_t *)"123456789", 9), 0x31c3);
    assert_int_equal(smp_serial_crc16(0, NULL, 0), 0);
    /* Incremental equals one pass. */
    uint16_t c = smp_serial_crc16(0, (const uint8_t *)"1234", 4);
    assert_int_equal(smp_serial_crc16(c, (const uint8_t *)"56789", 5), 0x31c3);
}

static void test_known_frame(void **state)
{
    (void)state;
    static const uint8_t pkt[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xff, 0x06, 0xa0 };
    static const char want[] = "\x06\x09" "AAsAAAABAAD/BqCVjw==\n";
    uint8_t out[64];
    size_t n = 0;
    assert_int_equal(smp_serial_encode(pkt, sizeof(pkt), out, sizeof(out), &n), 0);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    assert_int_equal(smp_serial_encoded_size(sizeof(pkt)), n);
}

static void test_lines_match_zephyr(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX], ref[OUT_MAX];
    for (size_t len = 1; len <= 2000; len++) {
        fill_packet(pkt, len, (uint32_t)len);
        size_t n = 0;
        assert_int_equal(smp_serial_encode(pkt, len, out, sizeof(out), &n), 0);
        size_t rn = zephyr_tx(pkt, (int)len, ref);
        assert_int_equal(n, rn);
        assert_memory_equal(out, ref, n);
    }
}

/* Layout rules for every size, including the empty packet Zephyr never
 * sends: line length, markers, whole base64 groups, padding and the CRC
 * only in the last line, exact size prediction. */
static void test_line_layout(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    for (size_t len = 0; len <= 2000; len++) {
        fill_packet(pkt, len, 3);
        size_t n = 0;
        assert_int_equal(smp_serial_encode(pkt, len, out, sizeof(out), &n), 0);
        assert_int_equal(n, smp_serial_encoded_size(len));
        assert_true(n <= SMP_SERIAL_ENCODED_MAX(len));
        size_t start = 0, lines = 0, decoded = 0;
        while (start < n) {
            size_t end = start;
            while (out[end] != '\n') {
                end++;
            }
            size_t line = end + 1 - start;
            assert_true(line <= SMP_SERIAL_FRAME_MAX);
            assert_int_equal(out[start], lines == 0 ? 0x06 : 0x04);
            assert_int_equal(out[start + 1], lines == 0 ? 0x09 : 0x14);
            size_t text = line - 3;
            assert_int_equal(text % 4, 0);
            bool last = end + 1 == n;
            if (!last) {
                assert_null(memchr(out + start + 2, '=', text));
            }
            uint8_t raw[96];
            size_t rn;
            assert_int_equal(mbedtls_base64_decode(raw, sizeof(raw), &rn, out + start + 2, text), 0);
            if (last) {
                assert_true(rn >= 2); /* the whole CRC */
            }
            decoded += rn;
            lines++;
            start = end + 1;
        }
        assert_int_equal(decoded, len + 4);
    }
}

static void test_encode_limits(void **state)
{
    (void)state;
    static uint8_t pkt[SMP_SERIAL_PKT_MAX + 1];
    static uint8_t out[SMP_SERIAL_ENCODED_MAX(SMP_SERIAL_PKT_MAX)];
    size_t n = 0;
    assert_int_equal(smp_serial_encoded_size(SMP_SERIAL_PKT_MAX + 1), 0);
    assert_int_equal(smp_serial_encode(pkt, SMP_SERIAL_PKT_MAX + 1, out, sizeof(out), &n),
                     SMP_SERIAL_ETOOBIG);
    fill_packet(pkt, SMP_SERIAL_PKT_MAX, 9);
    assert_int_equal(smp_serial_encode(pkt, SMP_SERIAL_PKT_MAX, out, sizeof(out), &n), 0);
    assert_true(n <= SMP_SERIAL_ENCODED_MAX(SMP_SERIAL_PKT_MAX));

    /* The upper bound holds for every size. */
    for (size_t len = 0; len <= SMP_SERIAL_PKT_MAX; len++) {
        assert_true(smp_serial_encoded_size(len) <= SMP_SERIAL_ENCODED_MAX(len));
    }

    /* Every short buffer is refused before anything is written. */
    size_t need = smp_serial_encoded_size(300);
    for (size_t cap = 0; cap < need; cap++) {
        memset(out, 0x5a, need + 8);
        assert_int_equal(smp_serial_encode(pkt, 300, out, cap, &n), SMP_SERIAL_ENOSPC);
        for (size_t i = 0; i < need + 8; i++) {
            assert_int_equal(out[i], 0x5a);
        }
    }
    assert_int_equal(smp_serial_encode(pkt, 300, out, need, &n), 0);
    assert_int_equal(n, need);
}

/* ---- decoding ---------------------------------------------------------- */

struct rx {
    struct smp_serial_decoder dec;
    uint8_t buf[SMP_SERIAL_DECODE_BUF_SIZE(PKT_MAX)];
    uint8_t pkts[8][PKT_MAX];
    size_t lens[8];
    size_t count;
    int errs[32];
    size_t nerr;
};

static void rx_init(struct rx *r, size_t cap)
{
    memset(r, 0, sizeof(*r));
    smp_serial_decoder_init(&r->dec, r->buf, cap);
}

static void rx_feed(struct rx *r, const uint8_t *data, size_t len)
{
    while (len > 0) {
        size_t used = 0;
        const uint8_t *pkt = NULL;
        size_t pkt_len = 0;
        int rc = smp_serial_decoder_feed(&r->dec, data, len, &used, &pkt, &pkt_len);
        assert_true(used > 0 || rc == 0);
        assert_true(used <= len);
        if (rc == 1) {
            assert_true(r->count < 8);
            assert_true(pkt_len <= PKT_MAX);
            memcpy(r->pkts[r->count], pkt, pkt_len);
            r->lens[r->count++] = pkt_len;
        } else if (rc < 0) {
            assert_true(r->nerr < 32);
            r->errs[r->nerr++] = rc;
        } else {
            assert_int_equal(used, len);
        }
        data += used;
        len -= used;
    }
}

static void rx_feed_str(struct rx *r, const char *s)
{
    rx_feed(r, (const uint8_t *)s, strlen(s));
}

static size_t encode(const uint8_t *pkt, size_t len, uint8_t *out)
{
    size_t n = 0;
    assert_int_equal(smp_serial_encode(pkt, len, out, OUT_MAX, &n), 0);
    return n;
}

static void test_roundtrip_all_sizes(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    static struct rx r;
    for (size_t len = 0; len <= 2000; len++) {
        fill_packet(pkt, len, (uint32_t)(len * 31));
        size_t n = encode(pkt, len, out);

        rx_init(&r, sizeof(r.buf));
        rx_feed(&r, out, n);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.lens[0], len);
        assert_memory_equal(r.pkts[0], pkt, len);
        assert_int_equal(r.nerr, 0);

        /* Byte by byte. */
        rx_init(&r, sizeof(r.buf));
        for (size_t i = 0; i < n; i++) {
            rx_feed(&r, out + i, 1);
        }
        assert_int_equal(r.count, 1);
        assert_int_equal(r.lens[0], len);
        assert_memory_equal(r.pkts[0], pkt, len);

        /* Random chunks, two packets back to back. */
        rx_init(&r, sizeof(r.buf));
        for (int rep = 0; rep < 2; rep++) {
            size_t off = 0;
            while (off < n) {
                size_t chunk = 1 + next_rand() % 200;
                if (chunk > n - off) {
                    chunk = n - off;
                }
                rx_feed(&r, out + off, chunk);
                off += chunk;
            }
        }
        assert_int_equal(r.count, 2);
        assert_int_equal(r.lens[1], len);
        assert_memory_equal(r.pkts[1], pkt, len);
        assert_int_equal(r.dec.stats.packets, 2);
    }
}

static void test_exact_buffer(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    static struct rx r;
    fill_packet(pkt, 500, 1);
    size_t n = encode(pkt, 500, out);
    rx_init(&r, SMP_SERIAL_DECODE_BUF_SIZE(500));
    rx_feed(&r, out, n);
    assert_int_equal(r.count, 1);
    /* One byte less: refused up front, its continuation lines ignored. */
    rx_init(&r, SMP_SERIAL_DECODE_BUF_SIZE(499));
    rx_feed(&r, out, n);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.nerr, 1);
    assert_int_equal(r.errs[0], SMP_SERIAL_ETOOBIG);
    assert_int_equal(r.dec.stats.too_big, 1);
    /* A small one still fits afterwards. */
    n = encode(pkt, 20, out);
    rx_feed(&r, out, n);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.lens[0], 20);
}

static void test_garbage_between_frames(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    static struct rx r;
    rx_init(&r, sizeof(r.buf));
    fill_packet(pkt, 300, 5);
    size_t n = encode(pkt, 300, out);

    rx_feed_str(&r, "uart:~$ [00:00:01.000,000] <inf> app: booting\r\n");
    rx_feed(&r, out, n);
    /* Text without a newline right before a frame, and binary noise
     * without marker bytes. */
    rx_feed_str(&r, "log line cut short");
    rx_feed(&r, out, n);
    uint8_t noise[500];
    for (size_t i = 0; i < sizeof(noise); i++) {
        uint8_t b = (uint8_t)next_rand();
        noise[i] = (b == 0x04 || b == 0x06) ? 0x55 : b;
    }
    rx_feed(&r, noise, sizeof(noise));
    rx_feed(&r, out, n);
    /* A lone first marker byte, or a marker pair split by text. */
    rx_feed_str(&r, "\x06x\x04y\x06");
    rx_feed(&r, out, n);
    assert_int_equal(r.count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(r.lens[i], 300);
        assert_memory_equal(r.pkts[i], pkt, 300);
    }
    assert_int_equal(r.nerr, 0);
}

static void test_bad_crc(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    static struct rx r;
    rx_init(&r, sizeof(r.buf));
    fill_packet(pkt, 40, 5);
    size_t n = encode(pkt, 40, out);
    /* Flip one payload bit inside the base64: re-encode a corrupted
     * packet under the original CRC by swapping a character. */
    uint8_t bad[OUT_MAX];
    memcpy(bad, out, n);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    rx_feed(&r, bad, n);
    rx_feed(&r, out, n);
    assert_int_equal(r.nerr, 1);
    assert_int_equal(r.errs[0], SMP_SERIAL_ECRC);
    assert_int_equal(r.dec.stats.bad_crc, 1);
    assert_int_equal(r.count, 1);
    assert_memory_equal(r.pkts[0], pkt, 40);
}

static void test_bad_base64(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    static struct rx r;
    fill_packet(pkt, 200, 5);
    size_t n = encode(pkt, 200, out);
    uint8_t bad[OUT_MAX];

    /* An invalid character in the second line. */
    rx_init(&r, sizeof(r.buf));
    memcpy(bad, out, n);
    size_t second = (size_t)((uint8_t *)memchr(bad, '\n', n) - bad) + 1;
    bad[second + 5] = '*';
    rx_feed(&r, bad, n);
    rx_feed(&r, out, n);
    assert_int_equal(r.nerr, 1);
    assert_int_equal(r.errs[0], SMP_SERIAL_EBASE64);
    assert_int_equal(r.count, 1);

    /* A group cut short: three characters where four belong. */
    rx_init(&r, sizeof(r.buf));
    rx_feed_str(&r, "\x06\x09" "AAsAAAABAAD/BqCVj\n");
    assert_int_equal(r.nerr, 1);
    assert_int_equal(r.errs[0], SMP_SERIAL_EBASE64);

    /* Padding in the middle of a line. */
    rx_init(&r, sizeof(r.buf));
    rx_feed_str(&r, "\x06\x09" "AAs=AAABAAD/BqCVjw==\n");
    assert_int_equal(r.errs[0], SMP_SERIAL_EBASE64);
    assert_int_equal(r.dec.stats.bad_base64, 1);
}

static void test_crlf_accepted(void **state)
{
    (void)state;
    static struct rx r;
    rx_init(&r, sizeof(r.buf));
    rx_feed_str(&r, "\x06\x09" "AAsAAAABAAD/BqCVjw==\r\n");
    assert_int_equal(r.count, 1);
    assert_int_equal(r.lens[0], 9);
}

static void test_truncated_then_good(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX], pkt2[PKT_MAX], out2[OUT_MAX];
    static struct rx r;
    fill_packet(pkt, 400, 1);
    fill_packet(pkt2, 250, 2);
    size_t n = encode(pkt, 400, out);
    size_t n2 = encode(pkt2, 250, out2);
    size_t first_line = (size_t)((uint8_t *)memchr(out, '\n', n) - out) + 1;

    /* Whole lines missing at the end: the next first line restarts. */
    rx_init(&r, sizeof(r.buf));
    rx_feed(&r, out, first_line + 50 + 1);
    rx_feed(&r, out2, n2);
    assert_int_equal(r.nerr, 1);
    assert_int_equal(r.errs[0], SMP_SERIAL_ETRUNCATED);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.lens[0], 250);
    assert_memory_equal(r.pkts[0], pkt2, 250);

    /* Cut mid-line at every point of the first line. */
    for (size_t cut = 2; cut < first_line - 1; cut++) {
        rx_init(&r, sizeof(r.buf));
        rx_feed(&r, out, cut);
        rx_feed(&r, out2, n2);
        assert_int_equal(r.nerr, 1);
        assert_int_equal(r.errs[0], SMP_SERIAL_ETRUNCATED);
        assert_int_equal(r.count, 1);
        assert_memory_equal(r.pkts[0], pkt2, 250);
    }
    /* A whole first line missing: its continuation lines are orphans,
     * reported once each, and the next packet is fine. */
    rx_init(&r, sizeof(r.buf));
    rx_feed(&r, out + first_line, n - first_line);
    rx_feed(&r, out2, n2);
    assert_true(r.nerr >= 1);
    for (size_t i = 0; i < r.nerr; i++) {
        assert_int_equal(r.errs[i], SMP_SERIAL_EORPHAN);
    }
    assert_int_equal(r.dec.stats.orphan, r.nerr);
    assert_int_equal(r.count, 1);
    assert_memory_equal(r.pkts[0], pkt2, 250);
}

static void test_length_errors(void **state)
{
    (void)state;
    static struct rx r;
    uint8_t raw[16], line[40];
    size_t olen;

    /* Length field 1: not even room for the CRC. */
    rx_init(&r, sizeof(r.buf));
    raw[0] = 0;
    raw[1] = 1;
    raw[2] = 0;
    line[0] = 0x06;
    line[1] = 0x09;
    assert_int_equal(mbedtls_base64_encode(line + 2, sizeof(line) - 2, &olen, raw, 3), 0);
    line[2 + olen] = '\n';
    rx_feed(&r, line, olen + 3);
    assert_int_equal(r.errs[0], SMP_SERIAL_ELENGTH);

    /* A first line with fewer than two bytes. */
    rx_feed_str(&r, "\x06\x09" "AA==\n");
    assert_int_equal(r.errs[1], SMP_SERIAL_ELENGTH);
    rx_feed_str(&r, "\x06\x09\n");
    assert_int_equal(r.errs[2], SMP_SERIAL_ELENGTH);

    /* More bytes than announced: length 3 (one byte + CRC), four sent. */
    raw[0] = 0;
    raw[1] = 3;
    raw[2] = 0x41;
    raw[3] = 0x42;
    raw[4] = 0x43;
    raw[5] = 0x44;
    assert_int_equal(mbedtls_base64_encode(line + 2, sizeof(line) - 2, &olen, raw, 6), 0);
    line[2 + olen] = '\n';
    rx_feed(&r, line, olen + 3);
    assert_int_equal(r.nerr, 4);
    assert_int_equal(r.errs[3], SMP_SERIAL_ELENGTH);
    assert_int_equal(r.dec.stats.bad_length, 4);
    assert_int_equal(r.count, 0);
}

static void test_long_line(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    static struct rx r;
    char line[200];
    line[0] = 0x06;
    line[1] = 0x09;
    memset(line + 2, 'A', 128);
    line[130] = '\n';
    rx_init(&r, sizeof(r.buf));
    rx_feed(&r, (const uint8_t *)line, 131);
    assert_int_equal(r.nerr, 1);
    assert_int_equal(r.errs[0], SMP_SERIAL_ELINE);
    assert_int_equal(r.dec.stats.long_line, 1);
    /* 124 characters is the most a line holds, and fine. */
    fill_packet(pkt, 89, 1);
    size_t n = encode(pkt, 89, out);
    assert_int_equal(n, SMP_SERIAL_FRAME_MAX);
    rx_feed(&r, out, n);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.nerr, 1);
}

static void test_reset(void **state)
{
    (void)state;
    static uint8_t pkt[PKT_MAX], out[OUT_MAX];
    static struct rx r;
    fill_packet(pkt, 300, 1);
    size_t n = encode(pkt, 300, out);
    rx_init(&r, sizeof(r.buf));
    rx_feed(&r, out, 140);
    smp_serial_decoder_reset(&r.dec);
    rx_feed(&r, out, n);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.nerr, 0);
    assert_int_equal(r.dec.stats.packets, 1);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int e = SMP_SERIAL_EORPHAN; e <= 0; e++) {
        const char *s = smp_serial_strerror(e);
        assert_non_null(s);
        for (int f = e + 1; f <= 0; f++) {
            assert_string_not_equal(s, smp_serial_strerror(f));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_known_frame),
        cmocka_unit_test(test_lines_match_zephyr),
        cmocka_unit_test(test_line_layout),
        cmocka_unit_test(test_encode_limits),
        cmocka_unit_test(test_roundtrip_all_sizes),
        cmocka_unit_test(test_exact_buffer),
        cmocka_unit_test(test_garbage_between_frames),
        cmocka_unit_test(test_bad_crc),
        cmocka_unit_test(test_bad_base64),
        cmocka_unit_test(test_crlf_accepted),
        cmocka_unit_test(test_truncated_then_good),
        cmocka_unit_test(test_length_errors),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
