/*
 * SMP packets cut to the ATT MTU and put back together.
 */
#include "wire/smp_gatt.h"

#include <string.h>

#include "wire/smp_header.h"

/* Opcode (1) and attribute handle (2) of a write or notification. */
#define ATT_HDR_SIZE 3

size_t smp_gatt_piece_max(uint16_t att_mtu)
{
    return att_mtu < SMP_GATT_ATT_MTU_MIN ? 0 : (size_t)att_mtu - ATT_HDR_SIZE;
}

int smp_gatt_split_init(struct smp_gatt_splitter *s, const uint8_t *pkt, size_t len,
                        uint16_t att_mtu)
{
    size_t piece_max = smp_gatt_piece_max(att_mtu);
    if (piece_max == 0) {
        return SMP_GATT_EMTU;
    }
    s->pkt = pkt;
    s->len = len;
    s->off = 0;
    s->piece_max = piece_max;
    return 0;
}

bool smp_gatt_split_next(struct smp_gatt_splitter *s, const uint8_t **piece, size_t *piece_len)
{
    size_t left = s->len - s->off;
    if (left == 0) {
        return false;
    }
    size_t n = left < s->piece_max ? left : s->piece_max;
    *piece = s->pkt + s->off;
    *piece_len = n;
    s->off += n;
    return true;
}

void smp_gatt_reasm_init(struct smp_gatt_reassembler *r, uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->cap = cap;
    smp_gatt_reasm_reset(r);
}

void smp_gatt_reasm_reset(struct smp_gatt_reassembler *r)
{
    r->fill = 0;
    r->expect = 0;
}

static int refuse(struct smp_gatt_reassembler *r, int err)
{
    smp_gatt_reasm_reset(r);
    return err;
}

int smp_gatt_reasm_feed(struct smp_gatt_reassembler *r, const uint8_t *piece, size_t len,
                        const uint8_t **pkt, size_t *pkt_len)
{
    if (r->expect == 0) {
        struct smp_hdr hdr;
        if (smp_hdr_decode(piece, len, &hdr) != 0) {
            return refuse(r, SMP_GATT_ESHORT);
        }
        size_t expect = SMP_HDR_SIZE + (size_t)hdr.len;
        if (expect > r->cap) {
            return refuse(r, SMP_GATT_ETOOBIG);
        }
        r->expect = expect;
    }
    if (len > r->expect - r->fill) {
        return refuse(r, SMP_GATT_EOVERRUN);
    }
    if (len > 0) {
        memcpy(r->buf + r->fill, piece, len);
        r->fill += len;
    }
    if (r->fill < r->expect) {
        return 0;
    }
    *pkt = r->buf;
    *pkt_len = r->fill;
    smp_gatt_reasm_reset(r);
    return 1;
}
