/*
 * Signing as imgtool 2.x signs MCUboot images, with the message conventions
 * of crypto_verify():
 *   ECDSA   over the digest (imgtool hashes the image with SHA-256 for
 *           P-256, SHA-384 for P-384); bare DER (r, s), not padded, so the
 *           length varies up to crypto_sig_tlv_len(); k per RFC 6979
 *   RSA     RSASSA-PSS over the SHA-256 digest, MGF1-SHA256, salt 32 bytes
 *   Ed25519 PureEdDSA with the digest as the message
 */
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/rsa.h>
/* Not <sodium.h>: its crypto_hash() clashes with ours. */
#include <sodium/crypto_sign_ed25519.h>

#include "crypto_key_priv.h"

#define PSS_SALT_LEN 32
#define SHA256_LEN 32

static int sign_ecdsa(const struct crypto_key *key, struct crypto_key_rng *rng, const uint8_t *digest,
                      size_t digest_len, uint8_t *sig, size_t cap, size_t *sig_len)
{
    bool p256 = key->type == CRYPTO_SIG_ECDSA_P256;
    unsigned char der[MBEDTLS_ECDSA_MAX_LEN];
    size_t len;

    if (digest_len != (p256 ? 32u : 48u)) {
        return CRYPTO_EINVAL;
    }
    /* With MBEDTLS_ECDSA_DETERMINISTIC (Debian's build) k is derived per
     * RFC 6979 and the RNG only blinds the computation. */
    if (mbedtls_ecdsa_write_signature(mbedtls_pk_ec(key->pk), p256 ? MBEDTLS_MD_SHA256 : MBEDTLS_MD_SHA384,
                                      digest, digest_len, der, &len, crypto_key_rng_fill, rng) != 0) {
        return CRYPTO_EFAIL;
    }
    if (len > cap) {
        return CRYPTO_ENOMEM;
    }
    memcpy(sig, der, len);
    *sig_len = len;
    return CRYPTO_OK;
}

static int sign_rsa_pss(const struct crypto_key *key, struct crypto_key_rng *rng, const uint8_t *digest,
                        size_t digest_len, uint8_t *sig, size_t cap, size_t *sig_len)
{
    size_t len = mbedtls_pk_get_len(&key->pk);

    if (digest_len != SHA256_LEN) {
        return CRYPTO_EINVAL;
    }
    if (len > cap) {
        return CRYPTO_ENOMEM;
    }
    /* crypto_key_adopt_pk() set PKCS#1 v2.1 with SHA-256 for MGF1. */
    if (mbedtls_rsa_rsassa_pss_sign_ext(mbedtls_pk_rsa(key->pk), crypto_key_rng_fill, rng, MBEDTLS_MD_SHA256,
                                        SHA256_LEN, digest, PSS_SALT_LEN, sig) != 0) {
        return CRYPTO_EFAIL;
    }
    *sig_len = len;
    return CRYPTO_OK;
}

static int sign_ed25519(const struct crypto_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig,
                        size_t cap, size_t *sig_len)
{
    unsigned long long len;

    if (cap < crypto_sign_ed25519_BYTES) {
        return CRYPTO_ENOMEM;
    }
    if (crypto_sign_ed25519_detached(sig, &len, msg, msg_len, key->ed_sk) != 0) {
        return CRYPTO_EFAIL;
    }
    *sig_len = (size_t)len;
    return CRYPTO_OK;
}

int crypto_key_sign(const struct crypto_key *key, const uint8_t *msg, size_t msg_len,
                    uint8_t *sig, size_t cap, size_t *sig_len)
{
    struct crypto_key_rng rng;
    int rc;

    if (key == NULL || msg == NULL || sig == NULL || sig_len == NULL) {
        return CRYPTO_EINVAL;
    }
    if (!key->is_private) {
        return CRYPTO_EBADKEY;
    }
    if (key->type == CRYPTO_SIG_ED25519) {
        return sign_ed25519(key, msg, msg_len, sig, cap, sig_len);
    }
    rc = crypto_key_rng_init(&rng);
    if (rc != 0) {
        return rc;
    }
    if (key->type == CRYPTO_SIG_ECDSA_P256 || key->type == CRYPTO_SIG_ECDSA_P384) {
        rc = sign_ecdsa(key, &rng, msg, msg_len, sig, cap, sig_len);
    } else {
        rc = sign_rsa_pss(key, &rng, msg, msg_len, sig, cap, sig_len);
    }
    crypto_key_rng_free(&rng);
    return rc;
}
