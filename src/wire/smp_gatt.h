/*
 * SMP over Bluetooth LE GATT: no framing of its own. A packet larger than one
 * write or notification goes as consecutive pieces of at most ATT_MTU - 3
 * bytes (the ATT opcode and handle take 3), and the receiver puts them back
 * together from the SMP header: the packet is complete when its 8 header
 * bytes plus the header's length field are in. As in Zephyr's
 * smp_reassembly, the first piece must hold the whole header and a piece
 * carrying bytes past the end of the packet is refused.
 */
#ifndef SMPDFU_SMP_GATT_H
#define SMPDFU_SMP_GATT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The smallest ATT MTU Bluetooth LE allows. */
#define SMP_GATT_ATT_MTU_MIN 23

enum smp_gatt_err {
    SMP_GATT_EMTU = -1,     /* ATT MTU below SMP_GATT_ATT_MTU_MIN */
    SMP_GATT_ESHORT = -2,   /* first piece shorter than the SMP header */
    SMP_GATT_ETOOBIG = -3,  /* the header announces more than the buffer holds */
    SMP_GATT_EOVERRUN = -4, /* a piece runs past the end of the announced packet */
};

/* Largest piece for an ATT MTU, or 0 for an MTU below the minimum. */
size_t smp_gatt_piece_max(uint16_t att_mtu);

struct smp_gatt_splitter {
    const uint8_t *pkt;
    size_t len;
    size_t off;
    size_t piece_max;
};

/* 0 or SMP_GATT_EMTU. The packet must stay in place until split. */
int smp_gatt_split_init(struct smp_gatt_splitter *s, const uint8_t *pkt, size_t len,
                        uint16_t att_mtu);
/* The next piece to write or notify; false once the whole packet is out. */
bool smp_gatt_split_next(struct smp_gatt_splitter *s, const uint8_t **piece, size_t *piece_len);

struct smp_gatt_reassembler {
    uint8_t *buf; /* caller's, one whole packet */
    size_t cap;
    size_t fill;
    size_t expect; /* header + body length of the packet being collected; 0 when idle */
};

void smp_gatt_reasm_init(struct smp_gatt_reassembler *r, uint8_t *buf, size_t cap);
/* Drops a partly collected packet (disconnect, notifications disabled). */
void smp_gatt_reasm_reset(struct smp_gatt_reassembler *r);
/* Adds one received piece. Returns
 *   1  a packet is complete in *pkt and *pkt_len (valid until the next call);
 *   0  more pieces are needed;
 *  <0  enum smp_gatt_err: the packet is dropped and the next piece starts a
 *      new one. */
int smp_gatt_reasm_feed(struct smp_gatt_reassembler *r, const uint8_t *piece, size_t len,
                        const uint8_t **pkt, size_t *pkt_len);

#endif
