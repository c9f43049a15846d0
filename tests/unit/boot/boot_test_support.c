#include "boot_test_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"

/* Guard bytes on each side of a slot inside its device. */
#define BT_GUARD 4096u

uint8_t *bt_read_vector(const char *rel, size_t *len)
{
    char path[512];
    FILE *f;
    long n;
    uint8_t *buf;

    snprintf(path, sizeof(path), "%s/images/%s", SMPDFU_VECTORS, rel);
    f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

size_t bt_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;

    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;

        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static int ram_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    struct bt_slot *s = ctx;

    memcpy(buf, s->mem + addr, len);
    return 0;
}

/* NOR rules: only erased bytes may be programmed, so a test notices a
 * write over data that was not erased first. */
static int ram_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    struct bt_slot *s = ctx;

    for (size_t i = 0; i < len; i++) {
        if (s->mem[addr + i] != s->dev.erase_value) {
            return FLASH_ENOTERASED;
        }
    }
    memcpy(s->mem + addr, buf, len);
    s->writes++;
    return 0;
}

static int ram_erase(void *ctx, uint32_t addr, uint32_t len)
{
    struct bt_slot *s = ctx;

    memset(s->mem + addr, s->dev.erase_value, len);
    s->erases++;
    return 0;
}

static const struct flash_ops ram_ops = {
    .read = ram_read,
    .write = ram_write,
    .erase = ram_erase,
};

struct bt_slot *bt_slot_new(uint32_t size, const uint8_t *data, size_t len, uint8_t erased,
                            uint8_t write_block)
{
    struct bt_slot *s = calloc(1, sizeof(*s));
    uint32_t dev_size = size + 2 * BT_GUARD;

    assert_non_null(s);
    assert_true(len <= size);
    s->mem = malloc(dev_size);
    assert_non_null(s->mem);
    memset(s->mem, 0xa5, dev_size);
    memset(s->mem + BT_GUARD, erased, size);
    if (len > 0) {
        memcpy(s->mem + BT_GUARD, data, len);
    }
    s->dev.ops = &ram_ops;
    s->dev.ctx = s;
    s->dev.size = dev_size;
    s->dev.write_block = write_block;
    s->dev.erase_value = erased;
    /* Sectors of 1 byte would make any size legal; the guard and slot
     * sizes used here are all multiples of 16. */
    s->dev.uniform_sector_size = 16;
    s->fa.id = 1;
    s->fa.name = "test-slot";
    s->fa.dev = &s->dev;
    s->fa.off = BT_GUARD;
    s->fa.size = size;
    return s;
}

uint8_t *bt_slot_bytes(struct bt_slot *s)
{
    return s->mem + BT_GUARD;
}

void bt_slot_free(struct bt_slot *s)
{
    free(s->mem);
    free(s);
}

void bt_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    struct crypto_hash_ctx ctx;

    assert_int_equal(crypto_hash_init(&ctx, CRYPTO_SHA256), 0);
    assert_int_equal(crypto_hash_update(&ctx, data, len), 0);
    assert_int_equal(crypto_hash_finish(&ctx, out), 0);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static size_t put_tlv(uint8_t *out, size_t pos, size_t cap, uint16_t type, uint16_t len,
                      const uint8_t *data)
{
    assert_true(pos + 4u + len <= cap);
    put16(out + pos, type);
    put16(out + pos + 2, len);
    memcpy(out + pos + 4, data, len);
    return pos + 4u + len;
}

size_t bt_build_image(const struct bt_image_spec *spec, uint8_t *out, size_t cap)
{
    const uint8_t *b = spec->base;
    uint32_t hdr_size = (uint32_t)(b[8] | (b[9] << 8));
    uint32_t img_size = (uint32_t)b[12] | ((uint32_t)b[13] << 8) | ((uint32_t)b[14] << 16) |
                        ((uint32_t)b[15] << 24);
    size_t pos = hdr_size + img_size;
    size_t info;
    uint8_t digest[32];

    assert_true(pos + 4 <= cap);
    memcpy(out, b, pos);
    put16(out + 10, 0);
    if (spec->nprot > 0) {
        info = pos;
        pos += 4;
        for (size_t i = 0; i < spec->nprot; i++) {
            pos = put_tlv(out, pos, cap, spec->prot[i].type, spec->prot[i].len,
                          spec->prot[i].data);
        }
        put16(out + info, IMAGE_TLV_PROT_INFO_MAGIC);
        put16(out + info + 2, (uint16_t)(pos - info));
        put16(out + 10, (uint16_t)(pos - info));
    }
    bt_sha256(out, pos, digest);

    info = pos;
    pos += 4;
    for (unsigned i = 0; i < spec->hash_tlvs; i++) {
        pos = put_tlv(out, pos, cap, IMAGE_TLV_SHA256, sizeof(digest), digest);
    }
    if (spec->signer != NULL) {
        uint8_t keyhash[32];
        uint8_t sig[64];

        bt_sha256(spec->signer->der, sizeof(spec->signer->der), keyhash);
        bt_sign(spec->signer, digest, sizeof(digest), sig);
        pos = put_tlv(out, pos, cap, IMAGE_TLV_KEYHASH, sizeof(keyhash), keyhash);
        pos = put_tlv(out, pos, cap, IMAGE_TLV_ED25519, sizeof(sig), sig);
    }
    for (size_t i = 0; i < spec->nunprot; i++) {
        pos = put_tlv(out, pos, cap, spec->unprot[i].type, spec->unprot[i].len,
                      spec->unprot[i].data);
    }
    put16(out + info, IMAGE_TLV_INFO_MAGIC);
    put16(out + info + 2, (uint16_t)(pos - info));
    return pos;
}
