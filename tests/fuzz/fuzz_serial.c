/*
 * The serial decoder on arbitrary console input, fed in chunks whose sizes
 * come from the input itself. Every packet it delivers must frame again and
 * decode to the same bytes; stats must add up with the codes returned.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/smp_serial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PKT_MAX 1024

static void roundtrip(const uint8_t *pkt, size_t len)
{
    static uint8_t framed[SMP_SERIAL_ENCODED_MAX(PKT_MAX)];
    static uint8_t buf[SMP_SERIAL_DECODE_BUF_SIZE(PKT_MAX)];
    size_t n = 0;
    if (len > PKT_MAX || smp_serial_encode(pkt, len, framed, sizeof(framed), &n) != 0 ||
        n != smp_serial_encoded_size(len)) {
        abort();
    }
    struct smp_serial_decoder d;
    smp_serial_decoder_init(&d, buf, sizeof(buf));
    size_t used = 0;
    const uint8_t *out = NULL;
    size_t out_len = 0;
    if (smp_serial_decoder_feed(&d, framed, n, &used, &out, &out_len) != 1 || used != n ||
        out_len != len || memcmp(out, pkt, len) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    /* First byte: chunk-size pattern; second: decoder buffer size, so small
     * buffers (and ETOOBIG) are reached too. */
    size_t step = (size_t)data[0] + 1;
    size_t cap = data[1] < 16 ? (size_t)data[1] : SMP_SERIAL_DECODE_BUF_SIZE(PKT_MAX);
    data += 2;
    size -= 2;

    static uint8_t buf[SMP_SERIAL_DECODE_BUF_SIZE(PKT_MAX)];
    struct smp_serial_decoder d;
    smp_serial_decoder_init(&d, buf, cap);
    uint32_t packets = 0, errors = 0;

    size_t off = 0;
    while (off < size) {
        size_t chunk = size - off < step ? size - off : step;
        while (chunk > 0) {
            size_t used = 0;
            const uint8_t *pkt = NULL;
            size_t pkt_len = 0;
            int rc = smp_serial_decoder_feed(&d, data + off, chunk, &used, &pkt, &pkt_len);
            if (used > chunk || (rc != 0 && used == 0) || (rc == 0 && used != chunk)) {
                abort();
            }
            if (rc == 1) {
                if (pkt != buf || pkt_len + 2 > cap) {
                    abort();
                }
                roundtrip(pkt, pkt_len);
                packets++;
            } else if (rc < 0) {
                if (rc < SMP_SERIAL_EORPHAN || rc == SMP_SERIAL_ENOSPC) {
                    abort();
                }
                errors++;
            }
            off += used;
            chunk -= used;
        }
        step = step * 7 % 251 + 1;
    }
    const struct smp_serial_stats *s = &d.stats;
    uint32_t counted = s->too_big + s->bad_base64 + s->bad_crc + s->bad_length + s->truncated +
                       s->long_line + s->orphan;
    if (s->packets != packets || counted != errors) {
        abort();
    }
    return 0;
}
