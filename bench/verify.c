/*
 * Cost of validating a signed image, per signature type: image_validate()
 * over a 1 MiB image in a RAM flash area, against hashing the same bytes
 * with nothing around it, and the time of one signature check alone.
 *
 * Goal: validation costs at most 5% more than the bare hash, plus one
 * signature check, i.e. ratio = validate / hash <= 1.05 + sig / hash.
 * The last column is ratio / limit (at most 1 when the goal is met).
 *
 * The hash is the one imgtool pairs with the key: SHA-384 for ECDSA P-384,
 * SHA-256 for the others; the bare hash is timed with the same algorithm.
 * Each figure is the best of several runs. Figures only, no verdicts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boot/image.h"
#include "crypto/crypto.h"
#include "keys/crypto_key.h"
#include "flash/flash_area.h"

#define PAYLOAD_SIZE (1024u * 1024u)
#define HDR_SIZE 0x200u
#define SLOT_SIZE (PAYLOAD_SIZE + 0x10000u)
#define SECTOR_SIZE 4096u
#define RUNS 15

/* ---- a flash device in RAM ------------------------------------------- */

static int ram_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    memcpy(buf, (const uint8_t *)ctx + addr, len);
    return 0;
}

static int ram_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    memcpy((uint8_t *)ctx + addr, buf, len);
    return 0;
}

static int ram_erase(void *ctx, uint32_t addr, uint32_t len)
{
    memset((uint8_t *)ctx + addr, 0xff, len);
    return 0;
}

static const struct flash_ops ram_ops = { ram_read, ram_write, ram_erase };

/* ---- building a signed image (MCUboot layout, see boot/image.h) ------- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static uint8_t *put_tlv(uint8_t *p, uint16_t type, const uint8_t *val, size_t len)
{
    put16(p, type);
    put16(p + 2, (uint16_t)len);
    memcpy(p + 4, val, len);
    return p + 4 + len;
}

/* Header, pseudo-random payload, then the unprotected TLVs imgtool writes:
 * hash, KEYHASH (hash of the public key blob), signature over the digest. */
static int build_image(uint8_t *slot, const struct crypto_key *key, enum crypto_hash_alg alg,
                       const uint8_t *der, size_t der_len)
{
    uint8_t digest[CRYPTO_HASH_MAX_LEN], keyhash[CRYPTO_HASH_MAX_LEN], sig[512];
    size_t hlen = crypto_hash_len(alg), sig_len;
    uint32_t x = 0x12345678;
    uint8_t *p;
    int rc;

    memset(slot, 0xff, SLOT_SIZE);
    memset(slot, 0, HDR_SIZE);
    put32(slot, IMAGE_MAGIC);
    put16(slot + 8, HDR_SIZE);
    put32(slot + 12, PAYLOAD_SIZE);
    slot[20] = 1; /* version 1.0.0+0 */
    for (uint32_t i = 0; i < PAYLOAD_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        slot[HDR_SIZE + i] = (uint8_t)x;
    }

    rc = crypto_hash(alg, slot, HDR_SIZE + PAYLOAD_SIZE, digest);
    if (rc == 0) {
        rc = crypto_hash(alg, der, der_len, keyhash);
    }
    if (rc == 0) {
        rc = crypto_key_sign(key, digest, hlen, sig, sizeof(sig), &sig_len);
    }
    if (rc != 0) {
        return rc;
    }
    p = slot + HDR_SIZE + PAYLOAD_SIZE + IMAGE_TLV_INFO_SIZE;
    p = put_tlv(p, alg == CRYPTO_SHA384 ? IMAGE_TLV_SHA384 : IMAGE_TLV_SHA256, digest, hlen);
    p = put_tlv(p, IMAGE_TLV_KEYHASH, keyhash, hlen);
    switch (crypto_key_type(key)) {
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
        p = put_tlv(p, IMAGE_TLV_ECDSA_SIG, sig, sig_len);
        break;
    case CRYPTO_SIG_ED25519:
        p = put_tlv(p, IMAGE_TLV_ED25519, sig, sig_len);
        break;
    case CRYPTO_SIG_RSA2048_PSS:
        p = put_tlv(p, IMAGE_TLV_RSA2048_PSS, sig, sig_len);
        break;
    case CRYPTO_SIG_RSA3072_PSS:
        p = put_tlv(p, IMAGE_TLV_RSA3072_PSS, sig, sig_len);
        break;
    }
    put16(slot + HDR_SIZE + PAYLOAD_SIZE, IMAGE_TLV_INFO_MAGIC);
    put16(slot + HDR_SIZE + PAYLOAD_SIZE + 2, (uint16_t)(p - (slot + HDR_SIZE + PAYLOAD_SIZE)));
    return 0;
}

/* ---- timing ------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double min_d(double a, double b)
{
    return a < b ? a : b;
}

struct row {
    enum crypto_sig_type type;
    enum crypto_hash_alg alg;
};

static const struct row rows[] = {
    { CRYPTO_SIG_ECDSA_P256, CRYPTO_SHA256 },
    { CRYPTO_SIG_ECDSA_P384, CRYPTO_SHA384 },
    { CRYPTO_SIG_ED25519, CRYPTO_SHA256 },
    { CRYPTO_SIG_RSA2048_PSS, CRYPTO_SHA256 },
    { CRYPTO_SIG_RSA3072_PSS, CRYPTO_SHA256 },
};

static int bench_one(const struct row *row, uint8_t *slot)
{
    static const char *alg_names[] = { "SHA-256", "SHA-384", "SHA-512" };
    struct flash_dev dev = {
        .ops = &ram_ops, .ctx = slot, .size = SLOT_SIZE, .write_block = 4, .erase_value = 0xff,
        .uniform_sector_size = SECTOR_SIZE,
    };
    struct flash_area fa = { .id = 1, .name = "bench", .dev = &dev, .off = 0, .size = SLOT_SIZE };
    struct crypto_key *key;
    struct image_key ikey;
    struct image_policy policy = { .mode = IMAGE_VERIFY_SIGNED, .keys = &ikey, .key_count = 1 };
    struct image_result res;
    uint8_t der[1024], digest[CRYPTO_HASH_MAX_LEN];
    const uint8_t *sig;
    size_t der_len, sig_len;
    double t_hash = 1e30, t_validate = 1e30, t_sig = 1e30, ratio, limit;
    int rc;

    rc = crypto_key_generate(row->type, &key);
    if (rc == 0) {
        rc = crypto_key_public_der(key, der, sizeof(der), &der_len);
    }
    if (rc == 0) {
        rc = build_image(slot, key, row->alg, der, der_len);
    }
    crypto_key_free(key);
    if (rc != 0) {
        fprintf(stderr, "bench_verify: %s: %s\n", crypto_sig_type_name(row->type), crypto_strerror(rc));
        return 1;
    }
    ikey = (struct image_key){ .type = row->type, .key = der, .key_len = der_len };

    for (int i = 0; i < RUNS; i++) {
        double t0 = now_ms();
        crypto_hash(row->alg, slot, HDR_SIZE + PAYLOAD_SIZE, digest);
        double t1 = now_ms();
        rc = image_validate(&fa, &policy, &res);
        double t2 = now_ms();
        if (rc != 0) {
            fprintf(stderr, "bench_verify: %s: image_validate: %s\n", crypto_sig_type_name(row->type),
                    image_strerror(rc));
            return 1;
        }
        t_hash = min_d(t_hash, t1 - t0);
        t_validate = min_d(t_validate, t2 - t1);
    }

    /* The signature TLV is the last one build_image() wrote. */
    {
        const uint8_t *tlvs = slot + HDR_SIZE + PAYLOAD_SIZE;
        size_t tot = (size_t)(tlvs[2] | tlvs[3] << 8);
        size_t hlen = crypto_hash_len(row->alg);
        size_t off = IMAGE_TLV_INFO_SIZE + 2 * (IMAGE_TLV_HDR_SIZE + hlen);

        sig = tlvs + off + IMAGE_TLV_HDR_SIZE;
        sig_len = tot - off - IMAGE_TLV_HDR_SIZE;
    }
    for (int i = 0; i < RUNS; i++) {
        double t0 = now_ms();
        rc = crypto_verify(row->type, der, der_len, res.digest, res.digest_len, sig, sig_len);
        double t1 = now_ms();
        if (rc != 0) {
            fprintf(stderr, "bench_verify: %s: crypto_verify: %s\n", crypto_sig_type_name(row->type),
                    crypto_strerror(rc));
            return 1;
        }
        t_sig = min_d(t_sig, t1 - t0);
    }

    ratio = t_validate / t_hash;
    limit = 1.05 + t_sig / t_hash;
    printf("%-11s %-8s %9.3f %9.3f %9.3f %7.3f %7.3f %7.3f\n", crypto_sig_type_name(row->type),
           alg_names[row->alg], t_hash, t_validate, t_sig, ratio, limit, ratio / limit);
    return 0;
}

int main(void)
{
    uint8_t *slot = malloc(SLOT_SIZE);
    int rc = 0;

    if (slot == NULL) {
        fprintf(stderr, "bench_verify: out of memory\n");
        return 1;
    }
    printf("image_validate of a 1 MiB signed image in RAM flash vs the bare hash of the same bytes\n");
    printf("goal: ratio = validate/hash <= limit = 1.05 + sig/hash; last column ratio/limit <= 1\n");
    printf("%-11s %-8s %9s %9s %9s %7s %7s %7s\n", "type", "hash", "hash ms", "valid ms", "sig ms", "ratio",
           "limit", "r/limit");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]) && rc == 0; i++) {
        rc = bench_one(&rows[i], slot);
    }
    free(slot);
    return rc;
}
