/*
 * Little-endian field access shared by the image and trailer code. Images
 * are little endian whatever the CPU, so fields are assembled byte by byte.
 */
#ifndef SMPDFU_BOOT_BYTEORDER_H
#define SMPDFU_BOOT_BYTEORDER_H

#include <stdint.h>

static inline uint16_t boot_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t boot_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline void boot_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#endif
