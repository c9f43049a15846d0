/*
 * The key object: its type, its names as imgtool spells them, and the
 * public key bytes MCUboot embeds.
 */
#include "keys/crypto_key.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <sodium/crypto_sign_ed25519.h>

#include "crypto_key_priv.h"

static const struct {
    enum crypto_sig_type type;
    const char *name;
} type_names[] = {
    { CRYPTO_SIG_ECDSA_P256, "ecdsa-p256" },
    { CRYPTO_SIG_ECDSA_P384, "ecdsa-p384" },
    { CRYPTO_SIG_ED25519, "ed25519" },
    { CRYPTO_SIG_RSA2048_PSS, "rsa-2048" },
    { CRYPTO_SIG_RSA3072_PSS, "rsa-3072" },
};

struct crypto_key *crypto_key_alloc(void)
{
    struct crypto_key *key = calloc(1, sizeof(*key));

    if (key != NULL) {
        mbedtls_pk_init(&key->pk);
    }
    return key;
}

void crypto_key_free(struct crypto_key *key)
{
    if (key == NULL) {
        return;
    }
    mbedtls_pk_free(&key->pk);
    mbedtls_platform_zeroize(key, sizeof(*key));
    free(key);
}

int crypto_key_adopt_pk(struct crypto_key *key, bool is_private)
{
    switch (mbedtls_pk_get_type(&key->pk)) {
    case MBEDTLS_PK_ECKEY:
        switch (mbedtls_pk_ec(key->pk)->grp.id) {
        case MBEDTLS_ECP_DP_SECP256R1:
            key->type = CRYPTO_SIG_ECDSA_P256;
            break;
        case MBEDTLS_ECP_DP_SECP384R1:
            key->type = CRYPTO_SIG_ECDSA_P384;
            break;
        default:
            return CRYPTO_EBADKEY;
        }
        break;
    case MBEDTLS_PK_RSA:
        switch (mbedtls_pk_get_bitlen(&key->pk)) {
        case 2048:
            key->type = CRYPTO_SIG_RSA2048_PSS;
            break;
        case 3072:
            key->type = CRYPTO_SIG_RSA3072_PSS;
            break;
        default:
            return CRYPTO_EBADKEY;
        }
        /* MGF1 takes its hash from the context: MCUboot wants SHA-256. */
        mbedtls_rsa_set_padding(mbedtls_pk_rsa(key->pk), MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
        break;
    default:
        return CRYPTO_EBADKEY;
    }
    key->is_private = is_private;
    return CRYPTO_OK;
}

void crypto_key_ed25519_from_seed(struct crypto_key *key, const uint8_t seed[ED25519_SEED_LEN])
{
    crypto_sign_ed25519_seed_keypair(key->ed_pk, key->ed_sk, seed);
    key->type = CRYPTO_SIG_ED25519;
    key->is_private = true;
}

enum crypto_sig_type crypto_key_type(const struct crypto_key *key)
{
    return key->type;
}

bool crypto_key_is_private(const struct crypto_key *key)
{
    return key->is_private;
}

const char *crypto_sig_type_name(enum crypto_sig_type type)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (type_names[i].type == type) {
            return type_names[i].name;
        }
    }
    return "unknown";
}

int crypto_sig_type_from_name(const char *name, enum crypto_sig_type *out)
{
    if (name == NULL || out == NULL) {
        return CRYPTO_EINVAL;
    }
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcmp(type_names[i].name, name) == 0) {
            *out = type_names[i].type;
            return CRYPTO_OK;
        }
    }
    return CRYPTO_EINVAL;
}

size_t crypto_sig_tlv_len(enum crypto_sig_type type)
{
    switch (type) {
    case CRYPTO_SIG_ECDSA_P256:
        /* SEQUENCE of two INTEGERs of up to 33 bytes (a leading zero keeps
         * a high first bit positive). */
        return 72;
    case CRYPTO_SIG_ECDSA_P384:
        return 104;
    case CRYPTO_SIG_ED25519:
        return 64;
    case CRYPTO_SIG_RSA2048_PSS:
        return 256;
    case CRYPTO_SIG_RSA3072_PSS:
        return 384;
    }
    return 0;
}

int crypto_key_public_der(const struct crypto_key *key, uint8_t *buf, size_t cap, size_t *len)
{
    /* Large enough for an RSA-3072 public key (about 400 bytes). */
    unsigned char der[1024];
    unsigned char *p = der + sizeof(der);
    int n;

    if (key == NULL || buf == NULL || len == NULL) {
        return CRYPTO_EINVAL;
    }
    switch (key->type) {
    case CRYPTO_SIG_ED25519:
        return crypto_ed25519_spki_write(key->ed_pk, buf, cap, len);
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
        /* mbedTLS takes a non-const context here but only reads it. */
        n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)&key->pk, der, sizeof(der));
        break;
    case CRYPTO_SIG_RSA2048_PSS:
    case CRYPTO_SIG_RSA3072_PSS:
        /* The bare PKCS#1 RSAPublicKey, without the SPKI around it. */
        n = mbedtls_pk_write_pubkey(&p, der, &key->pk);
        break;
    default:
        return CRYPTO_EINVAL;
    }
    if (n < 0) {
        return CRYPTO_EFAIL;
    }
    if ((size_t)n > cap) {
        return CRYPTO_ENOMEM;
    }
    /* mbedTLS writes DER at the end of the buffer. */
    memcpy(buf, der + sizeof(der) - (size_t)n, (size_t)n);
    *len = (size_t)n;
    return CRYPTO_OK;
}
