/*
 * SMP serial framing: Zephyr's mcumgr serial transport, byte for byte.
 */
#include "wire/smp_serial.h"

#include <stdbool.h>
#include <string.h>

#include <mbedtls/base64.h>

#define MARK_PKT_1 0x06
#define MARK_PKT_2 0x09
#define MARK_FRAG_1 0x04
#define MARK_FRAG_2 0x14

/* Base64 text per line: the line minus its 2-byte marker and newline. */
#define LINE_TEXT_MAX (SMP_SERIAL_FRAME_MAX - 3)
/* Raw bytes one line carries: 31 groups of 4 characters. */
#define LINE_RAW_MAX (LINE_TEXT_MAX / 4 * 3)
/* Zephyr's sender spends the first group of a packet on the length field and
 * the first packet byte, and from then on never puts more than this many
 * packet bytes in a line (its max_input stays reduced by that group). */
#define LINE_DATA_MAX (LINE_RAW_MAX - 3)

enum scan_state {
    SCAN_TEXT,   /* console text between frames */
    SCAN_PKT_1,  /* after 0x06 */
    SCAN_FRAG_1, /* after 0x04 */
    SCAN_LINE,   /* inside a frame line */
};

enum line_kind {
    LINE_PKT,
    LINE_FRAG,
};

enum pkt_state {
    PKT_NONE,       /* waiting for a first line */
    PKT_COLLECTING, /* first line seen, continuation lines welcome */
    PKT_DROPPED,    /* the packet failed; its continuation lines are ignored */
};

/* No library the project uses offers CRC-16/XMODEM (mbedTLS has none), so
 * it is computed here, bit by bit: packets are small and this runs once per
 * byte received or sent. */
uint16_t smp_serial_crc16(uint16_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

/* ---- encoding ---------------------------------------------------------- */

/* Packet bytes that go into the next line when `left` are still to send,
 * cut as mcumgr_serial_tx_pkt cuts them: a line that would not have room
 * for the whole CRC gives up one more packet byte, rounded down to whole
 * base64 groups, so the CRC moves to the next line with the rest. */
static size_t line_data(size_t left, bool first, bool *last)
{
    size_t lead = first && left > 0; /* rides with the length field */
    size_t rest = left - lead;

    if (rest + 2 <= LINE_DATA_MAX) {
        *last = true;
        return left;
    }
    *last = false;
    if (rest <= LINE_DATA_MAX) {
        return lead + (rest - 1) / 3 * 3;
    }
    return lead + LINE_DATA_MAX;
}

static size_t line_raw(size_t data, bool first, bool last)
{
    return (first ? 2u : 0u) + data + (last ? 2u : 0u);
}

size_t smp_serial_encoded_size(size_t pkt_len)
{
    if (pkt_len > SMP_SERIAL_PKT_MAX) {
        return 0;
    }
    size_t total = 0, left = pkt_len;
    bool first = true, last = false;
    while (!last) {
        size_t data = line_data(left, first, &last);
        total += 2 + (line_raw(data, first, last) + 2) / 3 * 4 + 1;
        left -= data;
        first = false;
    }
    return total;
}

int smp_serial_encode(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t total = smp_serial_encoded_size(len);
    if (total == 0) {
        return SMP_SERIAL_ETOOBIG;
    }
    if (total > cap) {
        return SMP_SERIAL_ENOSPC;
    }

    uint16_t crc = smp_serial_crc16(0, pkt, len);
    size_t pos = 0, off = 0;
    bool first = true, last = false;
    while (!last) {
        uint8_t raw[LINE_RAW_MAX];
        size_t n = 0;
        size_t data = line_data(len - off, first, &last);

        if (first) {
            raw[n++] = (uint8_t)((len + 2) >> 8);
            raw[n++] = (uint8_t)(len + 2);
        }
        if (data > 0) {
            memcpy(raw + n, pkt + off, data);
            n += data;
        }
        if (last) {
            raw[n++] = (uint8_t)(crc >> 8);
            raw[n++] = (uint8_t)crc;
        }
        out[pos++] = first ? MARK_PKT_1 : MARK_FRAG_1;
        out[pos++] = first ? MARK_PKT_2 : MARK_FRAG_2;
        /* mbedTLS adds a NUL after the text; the newline's place takes it,
         * and total <= cap guarantees that place exists. */
        size_t text = 0;
        if (mbedtls_base64_encode(out + pos, cap - pos, &text, raw, n) != 0) {
            return SMP_SERIAL_ENOSPC;
        }
        pos += text;
        out[pos++] = '\n';
        off += data;
        first = false;
    }
    *out_len = pos;
    return 0;
}

/* ---- decoding ---------------------------------------------------------- */

void smp_serial_decoder_init(struct smp_serial_decoder *d, uint8_t *buf, size_t cap)
{
    memset(d, 0, sizeof(*d));
    d->buf = buf;
    d->cap = cap;
    smp_serial_decoder_reset(d);
}

void smp_serial_decoder_reset(struct smp_serial_decoder *d)
{
    d->fill = 0;
    d->expect = 0;
    d->line_len = 0;
    d->scan = SCAN_TEXT;
    d->line_kind = LINE_PKT;
    d->pkt = PKT_NONE;
}

static uint32_t *counter(struct smp_serial_stats *s, int err)
{
    switch (err) {
    case SMP_SERIAL_ETOOBIG:
        return &s->too_big;
    case SMP_SERIAL_EBASE64:
        return &s->bad_base64;
    case SMP_SERIAL_ECRC:
        return &s->bad_crc;
    case SMP_SERIAL_ELENGTH:
        return &s->bad_length;
    case SMP_SERIAL_ETRUNCATED:
        return &s->truncated;
    case SMP_SERIAL_ELINE:
        return &s->long_line;
    default:
        return &s->orphan;
    }
}

/* The packet being collected is lost; its remaining lines are ignored. */
static int drop(struct smp_serial_decoder *d, int err)
{
    d->pkt = PKT_DROPPED;
    d->fill = 0;
    d->expect = 0;
    (*counter(&d->stats, err))++;
    return err;
}

/* Whether the line being read belongs to a packet that can still complete:
 * a continuation line of no packet is nobody's loss. */
static bool line_counts(const struct smp_serial_decoder *d)
{
    return d->line_kind == LINE_PKT || d->pkt == PKT_COLLECTING;
}

/* Base64 characters in the line must come in whole groups: mbedTLS would
 * silently drop an incomplete last group. Blanks and the line end (which
 * mbedTLS skips, as Zephyr's decoder does) do not count. */
static bool whole_groups(const uint8_t *text, size_t len)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        chars += text[i] != ' ' && text[i] != '\r' && text[i] != '\n';
    }
    return chars % 4 == 0;
}

static int end_line(struct smp_serial_decoder *d, const uint8_t **pkt, size_t *pkt_len)
{
    uint8_t raw[LINE_RAW_MAX];
    size_t n = 0;

    d->scan = SCAN_TEXT;
    if (!line_counts(d)) {
        if (d->pkt == PKT_NONE) {
            (*counter(&d->stats, SMP_SERIAL_EORPHAN))++;
            return SMP_SERIAL_EORPHAN;
        }
        return 0;
    }
    if (!whole_groups(d->line, d->line_len) ||
        mbedtls_base64_decode(raw, sizeof(raw), &n, d->line, d->line_len) != 0) {
        return drop(d, SMP_SERIAL_EBASE64);
    }

    const uint8_t *data = raw;
    if (d->line_kind == LINE_PKT) {
        if (n < 2) {
            return drop(d, SMP_SERIAL_ELENGTH);
        }
        size_t expect = (size_t)raw[0] << 8 | raw[1];
        if (expect < 2) {
            return drop(d, SMP_SERIAL_ELENGTH);
        }
        if (expect > d->cap) {
            return drop(d, SMP_SERIAL_ETOOBIG);
        }
        d->pkt = PKT_COLLECTING;
        d->expect = expect;
        d->fill = 0;
        data += 2;
        n -= 2;
    }
    if (n > d->expect - d->fill) {
        return drop(d, SMP_SERIAL_ELENGTH);
    }
    if (n > 0) {
        memcpy(d->buf + d->fill, data, n);
        d->fill += n;
    }
    if (d->fill < d->expect) {
        return 0;
    }
    /* The CRC over packet and CRC is 0 exactly when the CRC matches. */
    if (smp_serial_crc16(0, d->buf, d->fill) != 0) {
        return drop(d, SMP_SERIAL_ECRC);
    }
    *pkt = d->buf;
    *pkt_len = d->fill - 2;
    d->pkt = PKT_NONE;
    d->fill = 0;
    d->expect = 0;
    d->stats.packets++;
    return 1;
}

/* A marker byte seen outside a line, or cutting one short. */
static void after_marker_byte(struct smp_serial_decoder *d, uint8_t b)
{
    if (b == MARK_PKT_1) {
        d->scan = SCAN_PKT_1;
    } else if (b == MARK_FRAG_1) {
        d->scan = SCAN_FRAG_1;
    } else {
        d->scan = SCAN_TEXT;
    }
}

static void start_line(struct smp_serial_decoder *d, enum line_kind kind)
{
    d->scan = SCAN_LINE;
    d->line_kind = (uint8_t)kind;
    d->line_len = 0;
}

static int feed_byte(struct smp_serial_decoder *d, uint8_t b, const uint8_t **pkt,
                     size_t *pkt_len)
{
    switch (d->scan) {
    case SCAN_PKT_1:
        if (b == MARK_PKT_2) {
            start_line(d, LINE_PKT);
            /* A first line while a packet is open: that packet never ends. */
            if (d->pkt == PKT_COLLECTING) {
                return drop(d, SMP_SERIAL_ETRUNCATED);
            }
            return 0;
        }
        after_marker_byte(d, b);
        return 0;
    case SCAN_FRAG_1:
        if (b == MARK_FRAG_2) {
            start_line(d, LINE_FRAG);
            return 0;
        }
        after_marker_byte(d, b);
        return 0;
    case SCAN_LINE:
        if (b == '\n') {
            d->line[d->line_len++] = b;
            return end_line(d, pkt, pkt_len);
        }
        if (b == MARK_PKT_1 || b == MARK_FRAG_1) {
            /* Never part of base64 text: the line was cut off and a new
             * frame begins. */
            bool counts = line_counts(d);
            after_marker_byte(d, b);
            return counts ? drop(d, SMP_SERIAL_ETRUNCATED) : 0;
        }
        if (d->line_len == LINE_TEXT_MAX) {
            /* The rest of an over-long line is read as console text. */
            d->scan = SCAN_TEXT;
            return line_counts(d) ? drop(d, SMP_SERIAL_ELINE) : 0;
        }
        d->line[d->line_len++] = b;
        return 0;
    default:
        after_marker_byte(d, b);
        return 0;
    }
}

int smp_serial_decoder_feed(struct smp_serial_decoder *d, const uint8_t *data, size_t len,
                            size_t *used, const uint8_t **pkt, size_t *pkt_len)
{
    for (size_t i = 0; i < len; i++) {
        int rc = feed_byte(d, data[i], pkt, pkt_len);
        if (rc != 0) {
            *used = i + 1;
            return rc;
        }
    }
    *used = len;
    return 0;
}

const char *smp_serial_strerror(int err)
{
    switch (err) {
    case 0:
        return "ok";
    case SMP_SERIAL_ENOSPC:
        return "output buffer too small for the framed packet";
    case SMP_SERIAL_ETOOBIG:
        return "packet larger than the buffer";
    case SMP_SERIAL_EBASE64:
        return "frame line is not valid base64";
    case SMP_SERIAL_ECRC:
        return "packet CRC mismatch";
    case SMP_SERIAL_ELENGTH:
        return "packet length field does not match its data";
    case SMP_SERIAL_ETRUNCATED:
        return "packet cut off by a new frame";
    case SMP_SERIAL_ELINE:
        return "frame line longer than 127 bytes";
    case SMP_SERIAL_EORPHAN:
        return "continuation line without a first line";
    default:
        return "unknown serial framing error";
    }
}
