/*
 * The 8-byte SMP header. Fields are assembled byte by byte so the code does
 * not depend on the CPU's byte order or on struct packing.
 */
#include "wire/smp_header.h"

void smp_hdr_encode(const struct smp_hdr *hdr, uint8_t out[SMP_HDR_SIZE])
{
    /* The reserved bits go out as 0 whatever the struct holds: a response
     * built from a decoded request must not echo them. */
    out[0] = (uint8_t)(((hdr->ver & 0x3u) << 3) | (hdr->op & 0x7u));
    out[1] = hdr->flags;
    out[2] = (uint8_t)(hdr->len >> 8);
    out[3] = (uint8_t)hdr->len;
    out[4] = (uint8_t)(hdr->group >> 8);
    out[5] = (uint8_t)hdr->group;
    out[6] = hdr->seq;
    out[7] = hdr->id;
}

int smp_hdr_decode(const uint8_t *buf, size_t buf_len, struct smp_hdr *out)
{
    if (buf_len < SMP_HDR_SIZE) {
        return SMP_HDR_ESHORT;
    }
    out->op = buf[0] & 0x7u;
    out->ver = (buf[0] >> 3) & 0x3u;
    out->res = (uint8_t)(buf[0] >> 5);
    out->flags = buf[1];
    out->len = (uint16_t)((buf[2] << 8) | buf[3]);
    out->group = (uint16_t)((buf[4] << 8) | buf[5]);
    out->seq = buf[6];
    out->id = buf[7];
    return 0;
}

uint8_t smp_rsp_op(uint8_t req_op)
{
    return req_op == SMP_OP_READ ? SMP_OP_READ_RSP : SMP_OP_WRITE_RSP;
}
