/*
 * SHA-256/384/512 over mbedTLS. The mbedTLS context lives inside the
 * caller's struct crypto_hash_ctx, so hashing never allocates.
 */
#include "crypto/crypto.h"

#include <stdalign.h>

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

union hash_state {
    mbedtls_sha256_context sha256;
    mbedtls_sha512_context sha512;
};

_Static_assert(sizeof(union hash_state) <= sizeof(((struct crypto_hash_ctx *)0)->state.raw),
               "struct crypto_hash_ctx is too small for the mbedTLS hash contexts");
_Static_assert(alignof(union hash_state) <= alignof(uint64_t),
               "struct crypto_hash_ctx is not aligned enough for the mbedTLS hash contexts");

static union hash_state *state_of(struct crypto_hash_ctx *ctx)
{
    return (union hash_state *)(void *)ctx->state.raw;
}

size_t crypto_hash_len(enum crypto_hash_alg alg)
{
    switch (alg) {
    case CRYPTO_SHA256:
        return 32;
    case CRYPTO_SHA384:
        return 48;
    case CRYPTO_SHA512:
        return 64;
    }
    return 0;
}

int crypto_hash_init(struct crypto_hash_ctx *ctx, enum crypto_hash_alg alg)
{
    union hash_state *st;
    int rc;

    if (ctx == NULL) {
        return CRYPTO_EINVAL;
    }
    st = state_of(ctx);
    switch (alg) {
    case CRYPTO_SHA256:
        mbedtls_sha256_init(&st->sha256);
        rc = mbedtls_sha256_starts_ret(&st->sha256, 0);
        break;
    case CRYPTO_SHA384:
    case CRYPTO_SHA512:
        mbedtls_sha512_init(&st->sha512);
        rc = mbedtls_sha512_starts_ret(&st->sha512, alg == CRYPTO_SHA384);
        break;
    default:
        return CRYPTO_EINVAL;
    }
    ctx->alg = alg;
    return rc == 0 ? CRYPTO_OK : CRYPTO_EFAIL;
}

int crypto_hash_update(struct crypto_hash_ctx *ctx, const void *data, size_t len)
{
    union hash_state *st;
    int rc;

    if (ctx == NULL || (data == NULL && len != 0)) {
        return CRYPTO_EINVAL;
    }
    if (len == 0) {
        return CRYPTO_OK;
    }
    st = state_of(ctx);
    switch (ctx->alg) {
    case CRYPTO_SHA256:
        rc = mbedtls_sha256_update_ret(&st->sha256, data, len);
        break;
    case CRYPTO_SHA384:
    case CRYPTO_SHA512:
        rc = mbedtls_sha512_update_ret(&st->sha512, data, len);
        break;
    default:
        return CRYPTO_EINVAL;
    }
    return rc == 0 ? CRYPTO_OK : CRYPTO_EFAIL;
}

int crypto_hash_finish(struct crypto_hash_ctx *ctx, uint8_t *out)
{
    union hash_state *st;
    int rc;

    if (ctx == NULL || out == NULL) {
        return CRYPTO_EINVAL;
    }
    st = state_of(ctx);
    switch (ctx->alg) {
    case CRYPTO_SHA256:
        rc = mbedtls_sha256_finish_ret(&st->sha256, out);
        mbedtls_sha256_free(&st->sha256);
        break;
    case CRYPTO_SHA384:
    case CRYPTO_SHA512:
        /* SHA-384 writes its 48 bytes only; out need not hold 64. */
        rc = mbedtls_sha512_finish_ret(&st->sha512, out);
        mbedtls_sha512_free(&st->sha512);
        break;
    default:
        return CRYPTO_EINVAL;
    }
    return rc == 0 ? CRYPTO_OK : CRYPTO_EFAIL;
}

int crypto_hash(enum crypto_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
    struct crypto_hash_ctx ctx;
    int rc;

    rc = crypto_hash_init(&ctx, alg);
    if (rc == 0) {
        rc = crypto_hash_update(&ctx, data, len);
    }
    if (rc == 0) {
        return crypto_hash_finish(&ctx, out);
    }
    return rc;
}
