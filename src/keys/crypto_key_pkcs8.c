/*
 * PKCS#8 PrivateKeyInfo (RFC 5208, RFC 5958), the "PRIVATE KEY" PEM that
 * imgtool 2.x writes for every key type:
 *
 *   SEQUENCE { INTEGER version, AlgorithmIdentifier, OCTET STRING privateKey,
 *              [0] attributes OPTIONAL, [1] publicKey OPTIONAL (version 1) }
 *
 * with privateKey holding, per type:
 *   ECDSA   ECPrivateKey (RFC 5915) without the curve, which the
 *           AlgorithmIdentifier already names: { 1, d, [1] public point }
 *   RSA     PKCS#1 RSAPrivateKey
 *   Ed25519 OCTET STRING of the 32-byte seed (RFC 8410)
 *
 * Reading ECDSA and RSA is left to mbedTLS; it has no Ed25519, so that one
 * is read here. Writing is done here for all three, because mbedTLS 2.28
 * writes only SEC1 and PKCS#1 files, which imgtool does not produce.
 */
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform_util.h>

#include "crypto_key_priv.h"

#define SEQUENCE_TAG (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

/* id-Ed25519, 1.3.101.112 */
static const char ed25519_oid[] = "\x2b\x65\x70";
#define ED25519_OID_LEN (sizeof(ed25519_oid) - 1)

static bool oid_equals(const mbedtls_asn1_buf *oid, const char *want, size_t want_len)
{
    return oid->len == want_len && memcmp(oid->p, want, want_len) == 0;
}

int crypto_key_pkcs8_parse_ed25519(const uint8_t *der, size_t len, struct crypto_key *key)
{
    unsigned char *p = (unsigned char *)der;
    const unsigned char *end = der + len;
    mbedtls_asn1_buf oid, params;
    size_t n, inner_len;
    int version;
    uint8_t seed[ED25519_SEED_LEN];

    if (mbedtls_asn1_get_tag(&p, end, &n, SEQUENCE_TAG) != 0 || p + n != end ||
        mbedtls_asn1_get_int(&p, end, &version) != 0 || (version != 0 && version != 1)) {
        return CRYPTO_EBADKEY;
    }
    /* RFC 8410: the parameters are absent (get_alg zeroes them then). */
    if (mbedtls_asn1_get_alg(&p, end, &oid, &params) != 0 ||
        !oid_equals(&oid, ed25519_oid, ED25519_OID_LEN) || params.tag != 0 || params.len != 0) {
        return CRYPTO_EBADKEY;
    }
    /* privateKey: OCTET STRING wrapping CurvePrivateKey ::= OCTET STRING. */
    if (mbedtls_asn1_get_tag(&p, end, &inner_len, MBEDTLS_ASN1_OCTET_STRING) != 0) {
        return CRYPTO_EBADKEY;
    }
    {
        unsigned char *q = p;
        const unsigned char *inner_end = p + inner_len;

        if (mbedtls_asn1_get_tag(&q, inner_end, &n, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
            n != ED25519_SEED_LEN || q + n != inner_end) {
            return CRYPTO_EBADKEY;
        }
        memcpy(seed, q, ED25519_SEED_LEN);
    }
    p += inner_len;
    /* Attributes carry nothing imgtool or MCUboot use. */
    if (p < end && *p == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0)) {
        if (mbedtls_asn1_get_tag(&p, end, &n, *p) != 0) {
            return CRYPTO_EBADKEY;
        }
        p += n;
    }
    crypto_key_ed25519_from_seed(key, seed);
    mbedtls_platform_zeroize(seed, sizeof(seed));
    /* Version 1 may repeat the public key: it has to be this seed's. */
    if (version == 1 && p < end && *p == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1)) {
        if (mbedtls_asn1_get_tag(&p, end, &n, *p) != 0 || n != 1 + ED25519_PK_LEN || p[0] != 0 ||
            memcmp(p + 1, key->ed_pk, ED25519_PK_LEN) != 0) {
            return CRYPTO_EBADKEY;
        }
        p += n;
    }
    return p == end ? CRYPTO_OK : CRYPTO_EBADKEY;
}

/*
 * The writers below fill a buffer backwards from *p down to start, like
 * mbedTLS's asn1write functions they are made of, and return the length
 * written or a negative mbedTLS error.
 */

/* Tag and length in front of len bytes already written. */
static int write_header(unsigned char **p, unsigned char *start, size_t len, int tag)
{
    int ret;
    size_t n = 0;

    MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_len(p, start, len));
    MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_tag(p, start, (unsigned char)tag));
    return (int)n;
}

/* ECPrivateKey { version 1, privateKey d, [1] publicKey } as OpenSSL puts it
 * in PKCS#8: without the [0] curve parameters. */
static int write_ec_private(unsigned char **p, unsigned char *start, const mbedtls_ecp_keypair *ec)
{
    unsigned char point[MBEDTLS_ECP_MAX_PT_LEN];
    unsigned char d[MBEDTLS_ECP_MAX_BYTES];
    size_t point_len, d_len = (ec->grp.pbits + 7) / 8;
    size_t n = 0, pub_len = 0;
    int ret;

    ret = mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &point_len, point,
                                         sizeof(point));
    if (ret != 0) {
        return ret;
    }
    MBEDTLS_ASN1_CHK_ADD(pub_len, mbedtls_asn1_write_bitstring(p, start, point, point_len * 8));
    MBEDTLS_ASN1_CHK_ADD(pub_len, write_header(p, start, pub_len,
                                               MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 1));
    n += pub_len;
    /* d as a fixed-size big-endian number, as RFC 5915 asks. */
    ret = mbedtls_mpi_write_binary(&ec->d, d, d_len);
    if (ret == 0) {
        ret = mbedtls_asn1_write_octet_string(p, start, d, d_len);
    }
    mbedtls_platform_zeroize(d, sizeof(d));
    if (ret < 0) {
        return ret;
    }
    n += (size_t)ret;
    MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_int(p, start, 1));
    MBEDTLS_ASN1_CHK_ADD(n, write_header(p, start, n, SEQUENCE_TAG));
    return (int)n;
}

/* OCTET STRING privateKey for key, written backwards. */
static int write_private_key_octets(unsigned char **p, unsigned char *start, const struct crypto_key *key)
{
    size_t n = 0;
    int ret;

    switch (key->type) {
    case CRYPTO_SIG_ED25519:
        /* ed_sk begins with the seed. */
        MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_octet_string(p, start, key->ed_sk, ED25519_SEED_LEN));
        break;
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
        MBEDTLS_ASN1_CHK_ADD(n, write_ec_private(p, start, mbedtls_pk_ec(key->pk)));
        break;
    default:
        /* PKCS#1 RSAPrivateKey, written by mbedTLS at the end of the
         * space left, which is where *p points. */
        ret = mbedtls_pk_write_key_der((mbedtls_pk_context *)&key->pk, start, (size_t)(*p - start));
        if (ret < 0) {
            return ret;
        }
        *p -= ret;
        n = (size_t)ret;
        break;
    }
    MBEDTLS_ASN1_CHK_ADD(n, write_header(p, start, n, MBEDTLS_ASN1_OCTET_STRING));
    return (int)n;
}

static int write_algorithm(unsigned char **p, unsigned char *start, const struct crypto_key *key)
{
    const char *curve_oid;
    size_t curve_oid_len;
    size_t n = 0;
    int ret;

    switch (key->type) {
    case CRYPTO_SIG_ED25519:
        MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_oid(p, start, ed25519_oid, ED25519_OID_LEN));
        break;
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
        ret = mbedtls_oid_get_oid_by_ec_grp(mbedtls_pk_ec(key->pk)->grp.id, &curve_oid, &curve_oid_len);
        if (ret != 0) {
            return ret;
        }
        MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_oid(p, start, curve_oid, curve_oid_len));
        MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_oid(p, start, MBEDTLS_OID_EC_ALG_UNRESTRICTED,
                                                       MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED)));
        break;
    default:
        /* rsaEncryption with NULL parameters. */
        MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_null(p, start));
        MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_oid(p, start, MBEDTLS_OID_PKCS1_RSA,
                                                       MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA)));
        break;
    }
    MBEDTLS_ASN1_CHK_ADD(n, write_header(p, start, n, SEQUENCE_TAG));
    return (int)n;
}

static int write_pkcs8(unsigned char **p, unsigned char *start, const struct crypto_key *key)
{
    size_t n = 0;
    int ret;

    MBEDTLS_ASN1_CHK_ADD(n, write_private_key_octets(p, start, key));
    MBEDTLS_ASN1_CHK_ADD(n, write_algorithm(p, start, key));
    MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_int(p, start, 0));
    MBEDTLS_ASN1_CHK_ADD(n, write_header(p, start, n, SEQUENCE_TAG));
    return (int)n;
}

int crypto_key_pkcs8_write(const struct crypto_key *key, uint8_t *buf, size_t cap, size_t *len)
{
    unsigned char *p = buf + cap;
    int n;

    if (!key->is_private) {
        return CRYPTO_EBADKEY;
    }
    n = write_pkcs8(&p, buf, key);
    if (n == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL) {
        return CRYPTO_ENOMEM;
    }
    if (n < 0) {
        return CRYPTO_EFAIL;
    }
    memmove(buf, p, (size_t)n);
    *len = (size_t)n;
    return CRYPTO_OK;
}
