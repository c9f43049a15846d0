/*
 * The image parser on arbitrary slot contents: header, TLV iteration,
 * quick look (image list) and full validation in both policies. The slot
 * is exactly as long as the input, so any read past the image's own bytes
 * is a read outside the slot, caught by the area's bounds check or ASan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/image.h"

/* The public keys of the ed25519 and ecdsa-p256 test vectors, so seeds
 * signed with them reach the signature checks. */
static const uint8_t ed25519_pub[] = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    0x42, 0xde, 0xb1, 0x40, 0x82, 0x31, 0x66, 0xb7, 0x6d, 0xe4, 0x12, 0x52,
    0xc8, 0x48, 0x87, 0xb6, 0xb8, 0x1d, 0x9e, 0x47, 0x35, 0x07, 0x41, 0xb0,
    0x99, 0xbe, 0xcf, 0x56, 0xe7, 0xbc, 0x94, 0x5c,
};
static const uint8_t p256_pub[] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
    0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
    0x42, 0x00, 0x04, 0x87, 0x66, 0x7e, 0x6a, 0x21, 0x44, 0x33, 0xac, 0x76,
    0xc2, 0x59, 0xa4, 0xb3, 0x3b, 0xc2, 0xf8, 0x7b, 0xd8, 0x9f, 0x00, 0x3a,
    0xf7, 0xdf, 0xed, 0x89, 0xb8, 0x5d, 0x9a, 0xf2, 0xd8, 0x47, 0x59, 0x6a,
    0x0b, 0xad, 0x80, 0x52, 0x4c, 0xb9, 0xe4, 0x77, 0x83, 0x31, 0x9b, 0xff,
    0x7d, 0x35, 0xd2, 0xfd, 0x0d, 0x57, 0x00, 0x38, 0x32, 0xc2, 0x7c, 0x58,
    0xa9, 0x13, 0xca, 0x49, 0x7a, 0x94, 0x97,
};

struct slot {
    const uint8_t *data;
    size_t len;
};

static int slot_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    const struct slot *s = ctx;

    if (addr > s->len || len > s->len - addr) {
        abort(); /* the flash-area layer must have refused this */
    }
    memcpy(buf, s->data + addr, len);
    return 0;
}

static int slot_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    (void)addr;
    (void)buf;
    (void)len;
    abort(); /* parsing never writes */
}

static int slot_erase(void *ctx, uint32_t addr, uint32_t len)
{
    (void)ctx;
    (void)addr;
    (void)len;
    abort();
}

static const struct flash_ops ops = { slot_read, slot_write, slot_erase };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct slot s = { data, size };
    struct flash_dev dev = {
        .ops = &ops, .ctx = &s, .size = (uint32_t)size, .write_block = 1,
        .erase_value = 0xff, .uniform_sector_size = 1,
    };
    struct flash_area fa = { .id = 1, .name = "slot", .dev = &dev, .off = 0, .size = (uint32_t)size };
    static const struct image_key keys[] = {
        { CRYPTO_SIG_ED25519, ed25519_pub, sizeof(ed25519_pub) },
        { CRYPTO_SIG_ECDSA_P256, p256_pub, sizeof(p256_pub) },
    };
    struct image_policy signed_pol = { .mode = IMAGE_VERIFY_SIGNED, .keys = keys, .key_count = 2 };
    struct image_policy hash_pol = { .mode = IMAGE_VERIFY_HASH_ONLY, .tlv_allow_list = true };
    struct image_slot_info info;
    struct image_result res;

    if (size == 0 || size > (1u << 20)) {
        return 0;
    }
    (void)image_read_info(&fa, &info);
    if (image_validate(&fa, &hash_pol, &res) == 0 && res.image_end > size) {
        abort();
    }
    if (image_validate(&fa, &signed_pol, &res) == 0 && res.key_index < 0) {
        abort();
    }
    return 0;
}
