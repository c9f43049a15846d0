/*
 * Ed25519 public keys as MCUboot embeds them: DER SubjectPublicKeyInfo with
 * the id-Ed25519 algorithm (RFC 8410), whose parameters must be absent.
 * mbedTLS 2.28 knows no Ed25519, so its pk module cannot parse these; its
 * ASN.1 reader does the walking.
 */
#include "crypto/crypto.h"

#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>

/* 1.3.101.112 */
static const uint8_t ed25519_oid[] = { 0x2b, 0x65, 0x70 };

int crypto_ed25519_spki_parse(const uint8_t *der, size_t len, uint8_t key[32])
{
    unsigned char *p = (unsigned char *)der;
    const unsigned char *end = der + len;
    mbedtls_asn1_buf oid;
    mbedtls_asn1_buf params;
    mbedtls_asn1_bitstring bits;
    size_t seq_len;

    if (der == NULL || key == NULL) {
        return CRYPTO_EINVAL;
    }
    if (mbedtls_asn1_get_tag(&p, end, &seq_len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
        p + seq_len != end) {
        return CRYPTO_EBADKEY;
    }
    /* mbedtls_asn1_get_alg zeroes params when the parameters are absent. */
    if (mbedtls_asn1_get_alg(&p, end, &oid, &params) != 0 || oid.len != sizeof(ed25519_oid) ||
        memcmp(oid.p, ed25519_oid, sizeof(ed25519_oid)) != 0 || params.tag != 0 || params.len != 0) {
        return CRYPTO_EBADKEY;
    }
    if (mbedtls_asn1_get_bitstring(&p, end, &bits) != 0 || p != end || bits.unused_bits != 0 ||
        bits.len != 32) {
        return CRYPTO_EBADKEY;
    }
    memcpy(key, bits.p, 32);
    return CRYPTO_OK;
}

int crypto_ed25519_spki_write(const uint8_t key[32], uint8_t *buf, size_t cap, size_t *len)
{
    unsigned char der[CRYPTO_ED25519_SPKI_LEN];
    unsigned char *p = der + sizeof(der);
    int alg_len;
    int n;

    if (key == NULL || buf == NULL || len == NULL) {
        return CRYPTO_EINVAL;
    }
    if (cap < sizeof(der)) {
        return CRYPTO_ENOMEM;
    }
    /* mbedTLS writes DER backwards, from the end of the buffer. */
    n = mbedtls_asn1_write_bitstring(&p, der, key, 32 * 8);
    alg_len = mbedtls_asn1_write_oid(&p, der, (const char *)ed25519_oid, sizeof(ed25519_oid));
    if (n < 0 || alg_len < 0) {
        return CRYPTO_EFAIL;
    }
    alg_len += mbedtls_asn1_write_len(&p, der, (size_t)alg_len);
    alg_len += mbedtls_asn1_write_tag(&p, der, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
    n += alg_len;
    n += mbedtls_asn1_write_len(&p, der, (size_t)n);
    n += mbedtls_asn1_write_tag(&p, der, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
    if (p != der || (size_t)n != sizeof(der)) {
        return CRYPTO_EFAIL;
    }
    memcpy(buf, der, sizeof(der));
    *len = sizeof(der);
    return CRYPTO_OK;
}
