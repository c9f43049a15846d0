/*
 * The 8-byte SMP header (all multi-byte fields big-endian):
 *   byte 0  res[7:5] ver[4:3] op[2:0]
 *   byte 1  flags
 *   2..3    length of the CBOR body that follows
 *   4..5    group
 *   6       sequence number
 *   7       command id
 */
#ifndef SMPDFU_SMP_HEADER_H
#define SMPDFU_SMP_HEADER_H

#include <stddef.h>
#include <stdint.h>

#define SMP_HDR_SIZE 8

enum smp_op {
    SMP_OP_READ = 0,
    SMP_OP_READ_RSP = 1,
    SMP_OP_WRITE = 2,
    SMP_OP_WRITE_RSP = 3,
};

enum smp_version {
    SMP_VER_1 = 0, /* the original protocol */
    SMP_VER_2 = 1, /* group-specific errors: {"err": {"group", "rc"}} */
};

enum smp_group {
    SMP_GROUP_OS = 0,
    SMP_GROUP_IMAGE = 1,
    SMP_GROUP_STAT = 2,
    SMP_GROUP_SETTINGS = 3,
    SMP_GROUP_LOG = 4,
    SMP_GROUP_CRASH = 5,
    SMP_GROUP_SPLIT = 6,
    SMP_GROUP_RUN = 7,
    SMP_GROUP_FS = 8,
    SMP_GROUP_SHELL = 9,
    SMP_GROUP_ENUM = 10,
    SMP_GROUP_ZEPHYR_BASIC = 63,
    SMP_GROUP_PERUSER = 64,
};

struct smp_hdr {
    uint8_t op;      /* enum smp_op */
    uint8_t ver;     /* enum smp_version (2 bits) */
    uint8_t res;     /* reserved bits 7:5 of byte 0, 0 when encoding */
    uint8_t flags;
    uint16_t len;
    uint16_t group;
    uint8_t seq;
    uint8_t id;
};

enum smp_hdr_err {
    SMP_HDR_ESHORT = -1, /* fewer than 8 bytes */
};

void smp_hdr_encode(const struct smp_hdr *hdr, uint8_t out[SMP_HDR_SIZE]);
/* Decodes the first 8 bytes of buf; 0 or SMP_HDR_ESHORT. Does not check
 * that len bytes of body follow: that is the framing layer's job. */
int smp_hdr_decode(const uint8_t *buf, size_t buf_len, struct smp_hdr *out);
/* The response op for a request op (READ -> READ_RSP, otherwise WRITE_RSP). */
uint8_t smp_rsp_op(uint8_t req_op);

#endif
