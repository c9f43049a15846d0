/*
 * Signature verification: RFC 8032, and every signature inside the
 * imgtool-signed vector images with the vector public keys; one flipped bit
 * anywhere in digest, signature or key must make it fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "crypto/crypto.h"
#include "crypto_test_support.h"

struct fixture {
    struct ct_signed_image *imgs;
    size_t nimgs;
    uint8_t *der[8];
    size_t der_len[8];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char rel[64];

    assert_true(ct_key_count <= 8);
    f->nimgs = ct_load_images(&f->imgs);
    for (size_t i = 0; i < ct_key_count; i++) {
        snprintf(rel, sizeof(rel), "keys/%s.pub.der", ct_keys[i].name);
        f->der[i] = ct_read_vector(rel, &f->der_len[i]);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ct_free_images(f->imgs, f->nimgs);
    for (size_t i = 0; i < ct_key_count; i++) {
        free(f->der[i]);
    }
    free(f);
    return 0;
}

static size_t key_index(const char *name)
{
    for (size_t i = 0; i < ct_key_count; i++) {
        if (strcmp(ct_keys[i].name, name) == 0) {
            return i;
        }
    }
    fail_msg("no vector key %s", name);
    return 0;
}

static const struct ct_signed_image *image(const struct fixture *f, const char *name)
{
    for (size_t i = 0; i < f->nimgs; i++) {
        if (strcmp(f->imgs[i].name, name) == 0) {
            return &f->imgs[i];
        }
    }
    fail_msg("no vector image %s", name);
    return NULL;
}

/* The vector key an image names, through KEYHASH (hashed with the image's
 * hash algorithm, as imgtool does) or PUBKEY. */
static size_t signer_of(const struct fixture *f, const struct ct_signed_image *img)
{
    size_t found = ct_key_count;

    for (size_t k = 0; k < ct_key_count; k++) {
        uint8_t h[CRYPTO_HASH_MAX_LEN];
        bool match;

        if (img->pubkey != NULL) {
            match = img->pubkey_len == f->der_len[k] && memcmp(img->pubkey, f->der[k], f->der_len[k]) == 0;
        } else {
            assert_non_null(img->keyhash);
            assert_int_equal(crypto_hash(img->hash_alg, f->der[k], f->der_len[k], h), 0);
            match = img->keyhash_len == crypto_hash_len(img->hash_alg) &&
                    memcmp(img->keyhash, h, img->keyhash_len) == 0;
        }
        if (match) {
            assert_int_equal(found, ct_key_count);
            found = k;
        }
    }
    if (found == ct_key_count) {
        fail_msg("%s: signed by no vector key", img->name);
    }
    return found;
}

static uint16_t sig_tlv_of(enum crypto_sig_type type)
{
    switch (type) {
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
        return 0x22;
    case CRYPTO_SIG_ED25519:
        return 0x24;
    case CRYPTO_SIG_RSA2048_PSS:
        return 0x20;
    case CRYPTO_SIG_RSA3072_PSS:
        return 0x23;
    }
    return 0;
}

static void test_vector_images_verify(void **state)
{
    struct fixture *f = *state;
    size_t signed_count = 0;
    unsigned types_seen = 0;

    assert_true(f->nimgs >= 10);
    for (size_t i = 0; i < f->nimgs; i++) {
        const struct ct_signed_image *img = &f->imgs[i];
        uint8_t digest[CRYPTO_HASH_MAX_LEN];
        size_t k;

        /* The hash TLV is the digest of header + payload + protected TLVs. */
        assert_int_equal(crypto_hash(img->hash_alg, img->data, img->signed_len, digest), 0);
        assert_memory_equal(digest, img->hash, crypto_hash_len(img->hash_alg));
        if (img->sig_tlv == 0) {
            continue;
        }
        k = signer_of(f, img);
        assert_int_equal(img->sig_tlv, sig_tlv_of(ct_keys[k].type));
        if (crypto_verify(ct_keys[k].type, f->der[k], f->der_len[k], img->hash,
                          crypto_hash_len(img->hash_alg), img->sig, img->sig_len) != 0) {
            fail_msg("%s: signature does not verify", img->name);
        }
        signed_count++;
        types_seen |= 1u << ct_keys[k].type;
    }
    assert_true(signed_count >= 10);
    /* Every signature type has at least one vector. */
    assert_int_equal(types_seen, (1u << ct_key_count) - 1);
}

static void expect_fails(int rc, const char *what, const char *name, size_t byte)
{
    if (rc != CRYPTO_EBADSIG && rc != CRYPTO_EBADKEY) {
        fail_msg("%s: flipped %s byte %zu: rc %d", name, what, byte, rc);
    }
}

static void test_vector_bit_flips(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < f->nimgs; i++) {
        const struct ct_signed_image *img = &f->imgs[i];
        size_t hlen = crypto_hash_len(img->hash_alg);
        uint8_t digest[CRYPTO_HASH_MAX_LEN];
        uint8_t sig[512];
        uint8_t key[512];
        size_t k;
        enum crypto_sig_type type;
        int rc;

        if (img->sig_tlv == 0) {
            continue;
        }
        k = signer_of(f, img);
        type = ct_keys[k].type;
        assert_true(img->sig_len <= sizeof(sig) && f->der_len[k] <= sizeof(key));
        memcpy(digest, img->hash, hlen);
        memcpy(sig, img->sig, img->sig_len);
        memcpy(key, f->der[k], f->der_len[k]);

        for (size_t b = 0; b < hlen; b++) {
            digest[b] ^= (uint8_t)(1u << (b % 8));
            rc = crypto_verify(type, key, f->der_len[k], digest, hlen, sig, img->sig_len);
            assert_int_equal(rc, CRYPTO_EBADSIG);
            digest[b] ^= (uint8_t)(1u << (b % 8));
        }
        for (size_t b = 0; b < img->sig_len; b++) {
            sig[b] ^= (uint8_t)(1u << (b % 8));
            rc = crypto_verify(type, key, f->der_len[k], digest, hlen, sig, img->sig_len);
            if (rc != CRYPTO_EBADSIG) {
                fail_msg("%s: flipped signature byte %zu: rc %d", img->name, b, rc);
            }
            sig[b] ^= (uint8_t)(1u << (b % 8));
        }
        for (size_t b = 0; b < f->der_len[k]; b++) {
            key[b] ^= (uint8_t)(1u << (b % 8));
            rc = crypto_verify(type, key, f->der_len[k], digest, hlen, sig, img->sig_len);
            expect_fails(rc, "key", img->name, b);
            key[b] ^= (uint8_t)(1u << (b % 8));
        }
        /* Unchanged again: still good (the loops restored every bit). */
        assert_int_equal(crypto_verify(type, key, f->der_len[k], digest, hlen, sig, img->sig_len), 0);
    }
}

/* RFC 8032 section 7.1, TEST 1: empty message. */
static void test_ed25519_rfc8032(void **state)
{
    uint8_t pk[32], sig[64], spki[CRYPTO_ED25519_SPKI_LEN];
    size_t len;

    (void)state;
    ct_unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk, sizeof(pk));
    ct_unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
             sig, sizeof(sig));
    assert_int_equal(crypto_ed25519_spki_write(pk, spki, sizeof(spki), &len), 0);
    assert_int_equal(len, CRYPTO_ED25519_SPKI_LEN);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ED25519, spki, len, (const uint8_t *)"", 0, sig, 64), 0);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ED25519, spki, len, (const uint8_t *)"x", 1, sig, 64),
                     CRYPTO_EBADSIG);
    sig[63] ^= 0x01;
    assert_int_equal(crypto_verify(CRYPTO_SIG_ED25519, spki, len, (const uint8_t *)"", 0, sig, 64),
                     CRYPTO_EBADSIG);
    sig[63] ^= 0x01;
    assert_int_equal(crypto_verify(CRYPTO_SIG_ED25519, spki, len, (const uint8_t *)"", 0, sig, 63),
                     CRYPTO_EBADSIG);
}

static void test_ed25519_spki(void **state)
{
    struct fixture *f = *state;
    size_t k = key_index("ed25519");
    uint8_t key[32], out[64], bad[64];
    size_t len;

    assert_int_equal(f->der_len[k], CRYPTO_ED25519_SPKI_LEN);
    assert_int_equal(crypto_ed25519_spki_parse(f->der[k], f->der_len[k], key), 0);
    assert_memory_equal(key, f->der[k] + 12, 32);
    assert_int_equal(crypto_ed25519_spki_write(key, out, sizeof(out), &len), 0);
    assert_int_equal(len, f->der_len[k]);
    assert_memory_equal(out, f->der[k], len);
    assert_int_equal(crypto_ed25519_spki_write(key, out, CRYPTO_ED25519_SPKI_LEN - 1, &len), CRYPTO_ENOMEM);

    /* Truncated, or followed by a stray byte. */
    assert_int_equal(crypto_ed25519_spki_parse(f->der[k], f->der_len[k] - 1, key), CRYPTO_EBADKEY);
    memcpy(bad, f->der[k], f->der_len[k]);
    bad[f->der_len[k]] = 0;
    assert_int_equal(crypto_ed25519_spki_parse(bad, f->der_len[k] + 1, key), CRYPTO_EBADKEY);
    /* X25519 (1.3.101.110) is not Ed25519. */
    bad[8] = 0x6e;
    assert_int_equal(crypto_ed25519_spki_parse(bad, f->der_len[k], key), CRYPTO_EBADKEY);
    /* Unused bits in the BIT STRING. */
    memcpy(bad, f->der[k], f->der_len[k]);
    bad[11] = 1;
    assert_int_equal(crypto_ed25519_spki_parse(bad, f->der_len[k], key), CRYPTO_EBADKEY);
    /* RFC 8410: the parameters must be absent, not NULL. */
    {
        static const uint8_t with_null[14] = { 0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b,
                                               0x65, 0x70, 0x05, 0x00, 0x03, 0x21, 0x00 };
        memcpy(bad, with_null, sizeof(with_null));
        memcpy(bad + sizeof(with_null), f->der[k] + 12, 32);
        assert_int_equal(crypto_ed25519_spki_parse(bad, sizeof(with_null) + 32, key), CRYPTO_EBADKEY);
    }
    /* An ECDSA key is no Ed25519 key. */
    size_t e = key_index("ecdsa-p256");
    assert_int_equal(crypto_ed25519_spki_parse(f->der[e], f->der_len[e], key), CRYPTO_EBADKEY);
}

static void test_ecdsa_padding(void **state)
{
    struct fixture *f = *state;
    const char *names[] = { "ecdsa-p256-basic.bin", "ecdsa-p384-basic.bin" };

    for (size_t n = 0; n < 2; n++) {
        const struct ct_signed_image *img = image(f, names[n]);
        size_t k = signer_of(f, img);
        size_t hlen = crypto_hash_len(img->hash_alg);
        enum crypto_sig_type type = ct_keys[k].type;
        uint8_t sig[128];

        memset(sig, 0, sizeof(sig));
        memcpy(sig, img->sig, img->sig_len);
        /* imgtool --pad-sig: zeros after the DER. */
        assert_int_equal(crypto_verify(type, f->der[k], f->der_len[k], img->hash, hlen, sig, img->sig_len + 3), 0);
        sig[img->sig_len + 2] = 1;
        assert_int_equal(crypto_verify(type, f->der[k], f->der_len[k], img->hash, hlen, sig, img->sig_len + 3),
                         CRYPTO_EBADSIG);
        assert_int_equal(crypto_verify(type, f->der[k], f->der_len[k], img->hash, hlen, sig, img->sig_len - 1),
                         CRYPTO_EBADSIG);
        assert_int_equal(crypto_verify(type, f->der[k], f->der_len[k], img->hash, hlen, sig, 0), CRYPTO_EBADSIG);
    }
}

static void test_wrong_key_or_digest(void **state)
{
    struct fixture *f = *state;
    const struct ct_signed_image *p256 = image(f, "ecdsa-p256-basic.bin");
    const struct ct_signed_image *p384 = image(f, "ecdsa-p384-basic.bin");
    const struct ct_signed_image *rsa = image(f, "rsa-2048-basic.bin");
    const struct ct_signed_image *ed = image(f, "ed25519-basic.bin");
    size_t kp256 = key_index("ecdsa-p256"), kp384 = key_index("ecdsa-p384");
    size_t ked = key_index("ed25519"), k2048 = key_index("rsa-2048"), k3072 = key_index("rsa-3072");
    uint8_t longer[600];

    /* A key of another type or size than the signature type. */
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, f->der[kp384], f->der_len[kp384], p256->hash, 32,
                                   p256->sig, p256->sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, f->der[k2048], f->der_len[k2048], p256->hash, 32,
                                   p256->sig, p256->sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, f->der[ked], f->der_len[ked], p256->hash, 32,
                                   p256->sig, p256->sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P384, f->der[kp256], f->der_len[kp256], p384->hash, 48,
                                   p384->sig, p384->sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_RSA2048_PSS, f->der[k3072], f->der_len[k3072], rsa->hash, 32,
                                   rsa->sig, rsa->sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_RSA3072_PSS, f->der[k2048], f->der_len[k2048], rsa->hash, 32,
                                   rsa->sig, rsa->sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_RSA2048_PSS, f->der[kp256], f->der_len[kp256], rsa->hash, 32,
                                   rsa->sig, rsa->sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ED25519, f->der[kp256], f->der_len[kp256], ed->hash, 32,
                                   ed->sig, ed->sig_len), CRYPTO_EBADKEY);

    /* A key blob with a stray byte after it. */
    memcpy(longer, f->der[kp256], f->der_len[kp256]);
    longer[f->der_len[kp256]] = 0;
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, longer, f->der_len[kp256] + 1, p256->hash, 32,
                                   p256->sig, p256->sig_len), CRYPTO_EBADKEY);
    memcpy(longer, f->der[k2048], f->der_len[k2048]);
    longer[f->der_len[k2048]] = 0;
    assert_int_equal(crypto_verify(CRYPTO_SIG_RSA2048_PSS, longer, f->der_len[k2048] + 1, rsa->hash, 32,
                                   rsa->sig, rsa->sig_len), CRYPTO_EBADKEY);

    /* Digest length that does not suit the algorithm. */
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, f->der[kp256], f->der_len[kp256], p384->hash, 48,
                                   p256->sig, p256->sig_len), CRYPTO_EINVAL);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P384, f->der[kp384], f->der_len[kp384], p384->hash, 32,
                                   p384->sig, p384->sig_len), CRYPTO_EINVAL);
    assert_int_equal(crypto_verify(CRYPTO_SIG_RSA2048_PSS, f->der[k2048], f->der_len[k2048], p384->hash, 48,
                                   rsa->sig, rsa->sig_len), CRYPTO_EINVAL);

    /* RSA signatures are exactly as long as the modulus. */
    assert_int_equal(crypto_verify(CRYPTO_SIG_RSA2048_PSS, f->der[k2048], f->der_len[k2048], rsa->hash, 32,
                                   rsa->sig, rsa->sig_len - 1), CRYPTO_EBADSIG);

    assert_int_equal(crypto_verify((enum crypto_sig_type)42, f->der[kp256], f->der_len[kp256], p256->hash, 32,
                                   p256->sig, p256->sig_len), CRYPTO_EINVAL);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, NULL, 0, p256->hash, 32, p256->sig, p256->sig_len),
                     CRYPTO_EINVAL);
}

/* imgtool signs with salt length 32 exactly; other salts must not pass. */
static void test_rsa_pss_salt_length(void **state)
{
    struct fixture *f = *state;
    size_t k = key_index("rsa-2048");
    uint8_t digest[32], sig[256];
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context pk;
    uint8_t *pem;
    size_t pem_len;
    const int salts[] = { 20, 31, 32, 33 };

    pem = ct_read_vector("keys/rsa-2048.pem", &pem_len);
    mbedtls_pk_init(&pk);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0), 0);
    assert_int_equal(mbedtls_pk_parse_key(&pk, pem, pem_len + 1, NULL, 0), 0);
    mbedtls_rsa_set_padding(mbedtls_pk_rsa(pk), MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, "salt", 4, digest), 0);
    for (size_t i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
        assert_int_equal(mbedtls_rsa_rsassa_pss_sign_ext(mbedtls_pk_rsa(pk), mbedtls_ctr_drbg_random, &drbg,
                                                         MBEDTLS_MD_SHA256, 32, digest, salts[i], sig), 0);
        assert_int_equal(crypto_verify(CRYPTO_SIG_RSA2048_PSS, f->der[k], f->der_len[k], digest, 32, sig, 256),
                         salts[i] == 32 ? CRYPTO_OK : CRYPTO_EBADSIG);
    }
    mbedtls_pk_free(&pk);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    free(pem);
}

/* r and s out of a DER signature as 32-byte big-endian numbers. */
static void der_to_raw(const uint8_t *der, size_t len, uint8_t raw[64])
{
    unsigned char *p = (unsigned char *)der;
    size_t seq;
    mbedtls_mpi r, s;

    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    assert_int_equal(mbedtls_asn1_get_tag(&p, der + len, &seq, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE), 0);
    assert_int_equal(mbedtls_asn1_get_mpi(&p, der + len, &r), 0);
    assert_int_equal(mbedtls_asn1_get_mpi(&p, der + len, &s), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&r, raw, 32), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&s, raw + 32, 32), 0);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
}

static void test_p256_raw(void **state)
{
    struct fixture *f = *state;
    const struct ct_signed_image *img = image(f, "ecdsa-p256-basic.bin");
    size_t k = key_index("ecdsa-p256");
    uint8_t pub[64], sig[64], digest[32];

    /* The SPKI ends with the uncompressed point 04 || X || Y. */
    assert_int_equal(f->der[k][f->der_len[k] - 65], 0x04);
    memcpy(pub, f->der[k] + f->der_len[k] - 64, 64);
    der_to_raw(img->sig, img->sig_len, sig);
    memcpy(digest, img->hash, 32);

    assert_int_equal(crypto_verify_p256_raw(pub, digest, sig), 0);
    digest[5] ^= 0x10;
    assert_int_equal(crypto_verify_p256_raw(pub, digest, sig), CRYPTO_EBADSIG);
    digest[5] ^= 0x10;
    sig[40] ^= 0x02;
    assert_int_equal(crypto_verify_p256_raw(pub, digest, sig), CRYPTO_EBADSIG);
    sig[40] ^= 0x02;
    /* A point off the curve. */
    pub[63] ^= 0x01;
    assert_int_equal(crypto_verify_p256_raw(pub, digest, sig), CRYPTO_EBADKEY);
    pub[63] ^= 0x01;
    /* r = 0 is never valid. */
    memset(sig, 0, 32);
    assert_int_equal(crypto_verify_p256_raw(pub, digest, sig), CRYPTO_EBADSIG);
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(crypto_strerror(CRYPTO_EBADSIG), "signature malformed or does not verify");
    assert_string_equal(crypto_strerror(CRYPTO_EBADKEY), "key cannot be parsed or is of another type");
    assert_string_equal(crypto_strerror(-100), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_images_verify),
        cmocka_unit_test(test_vector_bit_flips),
        cmocka_unit_test(test_ed25519_rfc8032),
        cmocka_unit_test(test_ed25519_spki),
        cmocka_unit_test(test_ecdsa_padding),
        cmocka_unit_test(test_wrong_key_or_digest),
        cmocka_unit_test(test_rsa_pss_salt_length),
        cmocka_unit_test(test_p256_raw),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
