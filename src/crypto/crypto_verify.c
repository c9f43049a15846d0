/*
 * Signature verification as MCUboot does it, over keys in the form MCUboot
 * embeds (see crypto.h). ECDSA and RSA-PSS run on mbedTLS, Ed25519 on
 * libsodium (mbedTLS 2.28 has none).
 */
#include "crypto/crypto.h"

#include <stdbool.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
/* Not <sodium.h>: its crypto_hash() clashes with ours. */
#include <sodium/crypto_sign_ed25519.h>

/* MCUboot's RSA-PSS uses a fixed salt as long as the SHA-256 digest. */
#define PSS_SALT_LEN 32
#define SHA256_LEN 32
#define ED25519_SIG_LEN 64

/* Allocation failures inside mbedTLS are the library's, not the input's. */
static bool is_alloc_failure(int rc)
{
    return rc == MBEDTLS_ERR_MPI_ALLOC_FAILED || rc == MBEDTLS_ERR_ECP_ALLOC_FAILED ||
           rc == MBEDTLS_ERR_PK_ALLOC_FAILED || rc == MBEDTLS_ERR_ASN1_ALLOC_FAILED;
}

/* Length of the DER SEQUENCE at the start of der, header included. */
static int der_sequence_len(const uint8_t *der, size_t len, size_t *total)
{
    unsigned char *p = (unsigned char *)der;
    size_t body;

    if (mbedtls_asn1_get_tag(&p, der + len, &body, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
        return -1;
    }
    *total = (size_t)(p - der) + body;
    return 0;
}

static int verify_ecdsa(enum crypto_sig_type type, const uint8_t *key, size_t key_len,
                        const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len)
{
    mbedtls_ecp_group_id curve = type == CRYPTO_SIG_ECDSA_P256 ? MBEDTLS_ECP_DP_SECP256R1
                                                                : MBEDTLS_ECP_DP_SECP384R1;
    mbedtls_pk_context pk;
    size_t total;
    size_t der_len;
    int rc;

    if (digest_len != (type == CRYPTO_SIG_ECDSA_P256 ? 32u : 48u)) {
        return CRYPTO_EINVAL;
    }
    /* mbedTLS ignores bytes after the SPKI; a key blob must be exact. */
    if (der_sequence_len(key, key_len, &total) != 0 || total != key_len) {
        return CRYPTO_EBADKEY;
    }
    if (der_sequence_len(sig, sig_len, &der_len) != 0) {
        return CRYPTO_EBADSIG;
    }
    for (size_t i = der_len; i < sig_len; i++) {
        if (sig[i] != 0) {
            return CRYPTO_EBADSIG;
        }
    }

    mbedtls_pk_init(&pk);
    rc = mbedtls_pk_parse_public_key(&pk, key, key_len);
    if (rc != 0) {
        rc = is_alloc_failure(rc) ? CRYPTO_EFAIL : CRYPTO_EBADKEY;
    } else if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY || mbedtls_pk_ec(pk)->grp.id != curve) {
        rc = CRYPTO_EBADKEY;
    } else {
        rc = mbedtls_ecdsa_read_signature(mbedtls_pk_ec(pk), digest, digest_len, sig, der_len);
        if (rc != 0) {
            rc = is_alloc_failure(rc) ? CRYPTO_EFAIL : CRYPTO_EBADSIG;
        }
    }
    mbedtls_pk_free(&pk);
    return rc;
}

/* DER PKCS#1 RSAPublicKey: SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
static int parse_rsa_public(mbedtls_rsa_context *rsa, size_t bits, const uint8_t *key, size_t key_len)
{
    unsigned char *p = (unsigned char *)key;
    const unsigned char *end = key + key_len;
    mbedtls_mpi n;
    mbedtls_mpi e;
    size_t len;
    int rc = CRYPTO_EBADKEY;

    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
        p + len != end) {
        return CRYPTO_EBADKEY;
    }
    mbedtls_mpi_init(&n);
    mbedtls_mpi_init(&e);
    if (mbedtls_asn1_get_mpi(&p, end, &n) == 0 && mbedtls_asn1_get_mpi(&p, end, &e) == 0 && p == end &&
        mbedtls_mpi_bitlen(&n) == bits && mbedtls_rsa_import(rsa, &n, NULL, NULL, NULL, &e) == 0 &&
        mbedtls_rsa_complete(rsa) == 0 && mbedtls_rsa_check_pubkey(rsa) == 0) {
        rc = CRYPTO_OK;
    }
    mbedtls_mpi_free(&n);
    mbedtls_mpi_free(&e);
    return rc;
}

static int verify_rsa_pss(enum crypto_sig_type type, const uint8_t *key, size_t key_len,
                          const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len)
{
    size_t bits = type == CRYPTO_SIG_RSA2048_PSS ? 2048 : 3072;
    mbedtls_rsa_context rsa;
    int rc;

    if (digest_len != SHA256_LEN) {
        return CRYPTO_EINVAL;
    }
    mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    rc = parse_rsa_public(&rsa, bits, key, key_len);
    if (rc == 0 && sig_len != bits / 8) {
        rc = CRYPTO_EBADSIG;
    }
    if (rc == 0) {
        rc = mbedtls_rsa_rsassa_pss_verify_ext(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256,
                                               SHA256_LEN, digest, MBEDTLS_MD_SHA256, PSS_SALT_LEN, sig);
        if (rc != 0) {
            rc = is_alloc_failure(rc) ? CRYPTO_EFAIL : CRYPTO_EBADSIG;
        }
    }
    mbedtls_rsa_free(&rsa);
    return rc;
}

static int verify_ed25519(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                          const uint8_t *sig, size_t sig_len)
{
    uint8_t pk[32];
    int rc;

    rc = crypto_ed25519_spki_parse(key, key_len, pk);
    if (rc != 0) {
        return rc;
    }
    if (sig_len != ED25519_SIG_LEN) {
        return CRYPTO_EBADSIG;
    }
    return crypto_sign_ed25519_verify_detached(sig, msg, msg_len, pk) == 0 ? CRYPTO_OK : CRYPTO_EBADSIG;
}

int crypto_verify(enum crypto_sig_type type,
                  const uint8_t *pubkey, size_t pubkey_len,
                  const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len)
{
    if (pubkey == NULL || msg == NULL || sig == NULL) {
        return CRYPTO_EINVAL;
    }
    switch (type) {
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
        return verify_ecdsa(type, pubkey, pubkey_len, msg, msg_len, sig, sig_len);
    case CRYPTO_SIG_RSA2048_PSS:
    case CRYPTO_SIG_RSA3072_PSS:
        return verify_rsa_pss(type, pubkey, pubkey_len, msg, msg_len, sig, sig_len);
    case CRYPTO_SIG_ED25519:
        return verify_ed25519(pubkey, pubkey_len, msg, msg_len, sig, sig_len);
    }
    return CRYPTO_EINVAL;
}

int crypto_verify_p256_raw(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64])
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r;
    mbedtls_mpi s;
    uint8_t point[65];
    int rc;

    if (pub == NULL || digest == NULL || sig == NULL) {
        return CRYPTO_EINVAL;
    }
    /* SEC1 uncompressed point: 0x04 || X || Y. */
    point[0] = 0x04;
    memcpy(point + 1, pub, 64);

    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
        mbedtls_mpi_read_binary(&r, sig, 32) != 0 || mbedtls_mpi_read_binary(&s, sig + 32, 32) != 0) {
        rc = CRYPTO_EFAIL;
    } else if (mbedtls_ecp_point_read_binary(&grp, &q, point, sizeof(point)) != 0 ||
               mbedtls_ecp_check_pubkey(&grp, &q) != 0) {
        rc = CRYPTO_EBADKEY;
    } else {
        rc = mbedtls_ecdsa_verify(&grp, digest, 32, &q, &r, &s);
        if (rc != 0) {
            rc = is_alloc_failure(rc) ? CRYPTO_EFAIL : CRYPTO_EBADSIG;
        }
    }
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return rc;
}
