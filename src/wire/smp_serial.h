/*
 * SMP over a serial console (Zephyr's mcumgr shell/UART transport).
 *
 * A packet travels as the byte string
 *     len (u16 BE, = packet length + 2) | packet | CRC-16/XMODEM (u16 BE)
 * base64-encoded and cut into text lines ("frames") of at most 127 bytes:
 *     0x06 0x09 <base64> '\n'     first line of a packet
 *     0x04 0x14 <base64> '\n'     each further line
 * Every line's base64 decodes on its own (the receiver decodes line by
 * line), and the CRC always sits whole in the last line. The encoder cuts
 * lines exactly where Zephyr's mcumgr_serial_tx_pkt does.
 *
 * The decoder is fed whatever the port delivers, in any chunks; console text
 * between frames is skipped. It writes into a buffer the caller owns and
 * reports every dropped packet with its own code (and counter), so a
 * transport can log why a request went unanswered.
 */
#ifndef SMPDFU_SMP_SERIAL_H
#define SMPDFU_SMP_SERIAL_H

#include <stddef.h>
#include <stdint.h>

/* Longest line, marker and newline included. */
#define SMP_SERIAL_FRAME_MAX 127
/* Longest packet: its length + 2 must fit the 16-bit length field. */
#define SMP_SERIAL_PKT_MAX 65533
/* Decoder buffer for packets of up to n bytes: the packet and its CRC. */
#define SMP_SERIAL_DECODE_BUF_SIZE(n) ((n) + 2)
/* At least smp_serial_encoded_size(n), for sizing buffers at compile time:
 * every line but the last carries at least 87 packet bytes. */
#define SMP_SERIAL_ENCODED_MAX(n) (((n) / 87 + 1) * SMP_SERIAL_FRAME_MAX)

enum smp_serial_err {
    SMP_SERIAL_ENOSPC = -1,     /* encode: output buffer too small */
    SMP_SERIAL_ETOOBIG = -2,    /* encode: packet over SMP_SERIAL_PKT_MAX;
                                 * decode: announced length does not fit the buffer */
    SMP_SERIAL_EBASE64 = -3,    /* a line is not valid base64 */
    SMP_SERIAL_ECRC = -4,       /* packet complete but its CRC is wrong */
    SMP_SERIAL_ELENGTH = -5,    /* length field under 2 or missing, or more data than announced */
    SMP_SERIAL_ETRUNCATED = -6, /* a new frame started before the packet was complete */
    SMP_SERIAL_ELINE = -7,      /* a frame line longer than SMP_SERIAL_FRAME_MAX */
    SMP_SERIAL_EORPHAN = -8,    /* a continuation line with no packet started */
};

/* How many packets were delivered and dropped, by cause. */
struct smp_serial_stats {
    uint32_t packets;
    uint32_t too_big;
    uint32_t bad_base64;
    uint32_t bad_crc;
    uint32_t bad_length;
    uint32_t truncated;
    uint32_t long_line;
    uint32_t orphan;
};

struct smp_serial_decoder {
    uint8_t *buf; /* caller's: packet + CRC as decoded so far */
    size_t cap;
    size_t fill;
    size_t expect; /* packet + CRC length announced by the first line */
    uint8_t line[SMP_SERIAL_FRAME_MAX - 2]; /* base64 of the current line + '\n' */
    size_t line_len;
    uint8_t scan;      /* where in the byte stream the decoder is */
    uint8_t line_kind; /* first or continuation line */
    uint8_t pkt;       /* no packet, collecting one, or dropping one */
    struct smp_serial_stats stats;
};

/* CRC-16/XMODEM (poly 0x1021, no reflection, no final XOR) of p[0..n),
 * continuing from crc (0 to start). */
uint16_t smp_serial_crc16(uint16_t crc, const uint8_t *p, size_t n);

/* Bytes smp_serial_encode() produces for a packet of pkt_len bytes, or 0
 * when pkt_len is over SMP_SERIAL_PKT_MAX. */
size_t smp_serial_encoded_size(size_t pkt_len);

/* Frames pkt[0..len) into out[0..cap); *out_len gets the byte count.
 * 0, SMP_SERIAL_ETOOBIG or SMP_SERIAL_ENOSPC (nothing useful written).
 * An empty packet gives one line (Zephyr would send nothing). */
int smp_serial_encode(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* buf holds one packet and its CRC: SMP_SERIAL_DECODE_BUF_SIZE(largest packet). */
void smp_serial_decoder_init(struct smp_serial_decoder *d, uint8_t *buf, size_t cap);
/* Forgets any partial line or packet (e.g. the port was reopened); keeps stats. */
void smp_serial_decoder_reset(struct smp_serial_decoder *d);

/* Consumes data[0..len) up to the first event and sets *used to the bytes
 * consumed; call again with the rest. Returns
 *   1  a packet is complete in *pkt and *pkt_len, valid until the next call;
 *   0  all of data consumed, nothing to report;
 *  <0  a packet was dropped (enum smp_serial_err); decoding goes on. */
int smp_serial_decoder_feed(struct smp_serial_decoder *d, const uint8_t *data, size_t len,
                            size_t *used, const uint8_t **pkt, size_t *pkt_len);

/* A short description of an smp_serial_err code, for logs. */
const char *smp_serial_strerror(int err);

#endif
