/*
 * New key pairs of the types imgtool's keygen makes. RSA keys use the
 * public exponent 65537, as imgtool's do.
 */
#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include "crypto_key_priv.h"

#define RSA_EXPONENT 65537

static int generate_pk(struct crypto_key *key, enum crypto_sig_type type, struct crypto_key_rng *rng)
{
    mbedtls_pk_type_t pk_type = type == CRYPTO_SIG_RSA2048_PSS || type == CRYPTO_SIG_RSA3072_PSS
                                    ? MBEDTLS_PK_RSA
                                    : MBEDTLS_PK_ECKEY;
    int rc;

    if (mbedtls_pk_setup(&key->pk, mbedtls_pk_info_from_type(pk_type)) != 0) {
        return CRYPTO_EFAIL;
    }
    switch (type) {
    case CRYPTO_SIG_ECDSA_P256:
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key->pk), crypto_key_rng_fill, rng);
        break;
    case CRYPTO_SIG_ECDSA_P384:
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP384R1, mbedtls_pk_ec(key->pk), crypto_key_rng_fill, rng);
        break;
    case CRYPTO_SIG_RSA2048_PSS:
        rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(key->pk), crypto_key_rng_fill, rng, 2048, RSA_EXPONENT);
        break;
    default:
        rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(key->pk), crypto_key_rng_fill, rng, 3072, RSA_EXPONENT);
        break;
    }
    if (rc != 0) {
        return CRYPTO_EFAIL;
    }
    return crypto_key_adopt_pk(key, true);
}

static int generate_ed25519(struct crypto_key *key, struct crypto_key_rng *rng)
{
    uint8_t seed[ED25519_SEED_LEN];

    if (crypto_key_rng_fill(rng, seed, sizeof(seed)) != 0) {
        return CRYPTO_EFAIL;
    }
    crypto_key_ed25519_from_seed(key, seed);
    mbedtls_platform_zeroize(seed, sizeof(seed));
    return CRYPTO_OK;
}

int crypto_key_generate(enum crypto_sig_type type, struct crypto_key **out)
{
    struct crypto_key_rng rng;
    struct crypto_key *key;
    int rc;

    if (out == NULL || crypto_sig_tlv_len(type) == 0) {
        return CRYPTO_EINVAL;
    }
    key = crypto_key_alloc();
    if (key == NULL) {
        return CRYPTO_EFAIL;
    }
    rc = crypto_key_rng_init(&rng);
    if (rc != 0) {
        crypto_key_free(key);
        return rc;
    }
    rc = type == CRYPTO_SIG_ED25519 ? generate_ed25519(key, &rng) : generate_pk(key, type, &rng);
    crypto_key_rng_free(&rng);
    if (rc != 0) {
        crypto_key_free(key);
        return rc;
    }
    *out = key;
    return CRYPTO_OK;
}
