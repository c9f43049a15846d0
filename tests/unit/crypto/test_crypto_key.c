/*
 * Key files, generation and signing against imgtool's own key files and
 * signed images: our PEM must be imgtool's PEM byte for byte, our Ed25519
 * signatures imgtool's, and everything we sign must verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "crypto/crypto.h"
#include "keys/crypto_key.h"
#include "crypto_test_support.h"

#define PEM_MAX 4096

static void vector_path(char *buf, size_t cap, const char *name, const char *suffix)
{
    snprintf(buf, cap, "%s/images/keys/%s%s", SMPDFU_VECTORS, name, suffix);
}

static struct crypto_key *load_vector_key(const char *name, const char *suffix)
{
    char path[512];
    struct crypto_key *key = NULL;

    vector_path(path, sizeof(path), name, suffix);
    assert_int_equal(crypto_key_load_file(path, &key), 0);
    assert_non_null(key);
    return key;
}

static char *read_text(const char *name, const char *suffix, size_t *len)
{
    char rel[128];

    snprintf(rel, sizeof(rel), "keys/%s%s", name, suffix);
    return (char *)ct_read_vector(rel, len);
}

/* The digest a key of this type signs in an image of default options. */
static size_t digest_for(enum crypto_sig_type type, const char *text, uint8_t *out)
{
    enum crypto_hash_alg alg = type == CRYPTO_SIG_ECDSA_P384 ? CRYPTO_SHA384 : CRYPTO_SHA256;

    assert_int_equal(crypto_hash(alg, text, strlen(text), out), 0);
    return crypto_hash_len(alg);
}

static void expect_public_der(const struct crypto_key *key, const uint8_t *want, size_t want_len)
{
    uint8_t der[1024];
    size_t len;

    assert_int_equal(crypto_key_public_der(key, der, sizeof(der), &len), 0);
    assert_int_equal(len, want_len);
    assert_memory_equal(der, want, len);
}

/* Sign, verify with der, and fail after one flipped bit in each input. */
static void sign_and_verify(const struct crypto_key *key, const uint8_t *der, size_t der_len)
{
    enum crypto_sig_type type = crypto_key_type(key);
    uint8_t digest[CRYPTO_HASH_MAX_LEN], sig[512], bad_key[1024];
    size_t dlen = digest_for(type, "round trip", digest);
    size_t sig_len;

    assert_int_equal(crypto_key_sign(key, digest, dlen, sig, sizeof(sig), &sig_len), 0);
    assert_true(sig_len <= crypto_sig_tlv_len(type));
    if (type != CRYPTO_SIG_ECDSA_P256 && type != CRYPTO_SIG_ECDSA_P384) {
        assert_int_equal(sig_len, crypto_sig_tlv_len(type));
    }
    assert_int_equal(crypto_verify(type, der, der_len, digest, dlen, sig, sig_len), 0);

    digest[dlen / 2] ^= 0x04;
    assert_int_equal(crypto_verify(type, der, der_len, digest, dlen, sig, sig_len), CRYPTO_EBADSIG);
    digest[dlen / 2] ^= 0x04;

    sig[sig_len - 1] ^= 0x80;
    assert_int_equal(crypto_verify(type, der, der_len, digest, dlen, sig, sig_len), CRYPTO_EBADSIG);
    sig[sig_len - 1] ^= 0x80;

    /* A bit inside the key material (near the end for every form). */
    assert_true(der_len <= sizeof(bad_key));
    memcpy(bad_key, der, der_len);
    bad_key[der_len - 8] ^= 0x01;
    int rc = crypto_verify(type, bad_key, der_len, digest, dlen, sig, sig_len);
    assert_true(rc == CRYPTO_EBADSIG || rc == CRYPTO_EBADKEY);
}

static uint8_t *read_der(const char *name, size_t *len)
{
    char rel[128];

    snprintf(rel, sizeof(rel), "keys/%s.pub.der", name);
    return ct_read_vector(rel, len);
}

/* imgtool's private key files: read, and written back byte for byte. */
static void test_vector_private_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < ct_key_count; i++) {
        struct crypto_key *key = load_vector_key(ct_keys[i].name, ".pem");
        size_t der_len, pem_len, pub_len;
        uint8_t *der = read_der(ct_keys[i].name, &der_len);
        char *pem = read_text(ct_keys[i].name, ".pem", &pem_len);
        char *pub = read_text(ct_keys[i].name, ".pub.pem", &pub_len);
        char out[PEM_MAX];

        assert_int_equal(crypto_key_type(key), ct_keys[i].type);
        assert_true(crypto_key_is_private(key));
        expect_public_der(key, der, der_len);
        assert_int_equal(crypto_key_write_private_pem(key, out, sizeof(out)), 0);
        assert_string_equal(out, pem);
        assert_int_equal(crypto_key_write_public_pem(key, out, sizeof(out)), 0);
        assert_string_equal(out, pub);
        sign_and_verify(key, der, der_len);
        free(der);
        free(pem);
        free(pub);
        crypto_key_free(key);
    }
}

/* imgtool's public key files: read, written back, and no signing. */
static void test_vector_public_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < ct_key_count; i++) {
        struct crypto_key *key = load_vector_key(ct_keys[i].name, ".pub.pem");
        size_t der_len, pub_len, sig_len;
        uint8_t *der = read_der(ct_keys[i].name, &der_len);
        char *pub = read_text(ct_keys[i].name, ".pub.pem", &pub_len);
        char out[PEM_MAX];
        uint8_t digest[CRYPTO_HASH_MAX_LEN], sig[512];
        size_t dlen = digest_for(ct_keys[i].type, "public", digest);

        assert_int_equal(crypto_key_type(key), ct_keys[i].type);
        assert_false(crypto_key_is_private(key));
        expect_public_der(key, der, der_len);
        assert_int_equal(crypto_key_write_public_pem(key, out, sizeof(out)), 0);
        assert_string_equal(out, pub);
        assert_int_equal(crypto_key_write_private_pem(key, out, sizeof(out)), CRYPTO_EBADKEY);
        assert_int_equal(crypto_key_sign(key, digest, dlen, sig, sizeof(sig), &sig_len), CRYPTO_EBADKEY);
        free(der);
        free(pub);
        crypto_key_free(key);
    }
}

/* Our signatures over the vector images' digests: Ed25519 is deterministic,
 * so they must equal imgtool's byte for byte; the others must verify. */
static void test_sign_like_imgtool(void **state)
{
    struct ct_signed_image *imgs;
    size_t n = ct_load_images(&imgs);
    size_t ed25519_same = 0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        const struct ct_signed_image *img = &imgs[i];
        uint8_t sig[512];
        size_t sig_len, hlen = crypto_hash_len(img->hash_alg);

        for (size_t k = 0; k < ct_key_count; k++) {
            struct crypto_key *key;
            uint8_t der[1024], kh[CRYPTO_HASH_MAX_LEN];
            size_t der_len;

            if (img->keyhash == NULL) {
                continue;
            }
            key = load_vector_key(ct_keys[k].name, ".pem");
            assert_int_equal(crypto_key_public_der(key, der, sizeof(der), &der_len), 0);
            assert_int_equal(crypto_hash(img->hash_alg, der, der_len, kh), 0);
            if (memcmp(kh, img->keyhash, hlen) == 0) {
                assert_int_equal(crypto_key_sign(key, img->hash, hlen, sig, sizeof(sig), &sig_len), 0);
                assert_int_equal(crypto_verify(ct_keys[k].type, der, der_len, img->hash, hlen, sig, sig_len), 0);
                if (ct_keys[k].type == CRYPTO_SIG_ED25519) {
                    assert_int_equal(sig_len, img->sig_len);
                    assert_memory_equal(sig, img->sig, sig_len);
                    ed25519_same++;
                }
            }
            crypto_key_free(key);
        }
    }
    assert_true(ed25519_same >= 5);
    ct_free_images(imgs, n);
}

/* imgtool writes ECDSA signatures unpadded: the DER length varies. */
static void test_ecdsa_lengths_vary(void **state)
{
    struct crypto_key *key = load_vector_key("ecdsa-p256", ".pem");
    size_t der_len, shortest = 1000;
    uint8_t *der = read_der("ecdsa-p256", &der_len);

    (void)state;
    for (int i = 0; i < 32; i++) {
        uint8_t digest[32], sig[128];
        size_t sig_len;
        char text[16];

        snprintf(text, sizeof(text), "msg %d", i);
        assert_int_equal(crypto_hash(CRYPTO_SHA256, text, strlen(text), digest), 0);
        assert_int_equal(crypto_key_sign(key, digest, 32, sig, sizeof(sig), &sig_len), 0);
        assert_true(sig_len <= 72);
        /* Bare DER: the SEQUENCE fills the signature exactly. */
        assert_int_equal(sig[0], 0x30);
        assert_int_equal(sig[1] + 2u, sig_len);
        assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, der, der_len, digest, 32, sig, sig_len), 0);
        if (sig_len < shortest) {
            shortest = sig_len;
        }
    }
    assert_true(shortest < 72);
    free(der);
    crypto_key_free(key);
}

/* RFC 8032 section 7.1 TEST 1 through a PKCS#8 file of its secret key. */
static void test_ed25519_rfc8032(void **state)
{
    static const char prefix[] = "302e020100300506032b657004220420";
    uint8_t der[48], pk[32], want[64], sig[64];
    unsigned char pem[256];
    size_t n, olen, sig_len;
    struct crypto_key *key;

    (void)state;
    n = ct_unhex(prefix, der, sizeof(der));
    n += ct_unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", der + n, sizeof(der) - n);
    assert_int_equal(n, 48);
    assert_int_equal(mbedtls_pem_write_buffer("-----BEGIN PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n", der, n,
                                              pem, sizeof(pem), &olen), 0);
    assert_int_equal(crypto_key_parse_pem((const char *)pem, strlen((const char *)pem), &key), 0);
    assert_int_equal(crypto_key_type(key), CRYPTO_SIG_ED25519);

    ct_unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk, sizeof(pk));
    {
        uint8_t spki[64];
        size_t spki_len;
        assert_int_equal(crypto_key_public_der(key, spki, sizeof(spki), &spki_len), 0);
        assert_int_equal(spki_len, CRYPTO_ED25519_SPKI_LEN);
        assert_memory_equal(spki + 12, pk, 32);
    }
    ct_unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
             want, sizeof(want));
    assert_int_equal(crypto_key_sign(key, (const uint8_t *)"", 0, sig, sizeof(sig), &sig_len), 0);
    assert_int_equal(sig_len, 64);
    assert_memory_equal(sig, want, 64);
    /* The PKCS#8 file written back is the one read. */
    {
        char out[PEM_MAX];
        assert_int_equal(crypto_key_write_private_pem(key, out, sizeof(out)), 0);
        assert_string_equal(out, (const char *)pem);
    }
    crypto_key_free(key);
}

static const enum crypto_sig_type all_types[] = {
    CRYPTO_SIG_ECDSA_P256, CRYPTO_SIG_ECDSA_P384, CRYPTO_SIG_ED25519, CRYPTO_SIG_RSA2048_PSS,
    CRYPTO_SIG_RSA3072_PSS,
};

/* generate -> write PEM -> parse back, for every type. */
static void test_generate_roundtrip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(all_types) / sizeof(all_types[0]); i++) {
        struct crypto_key *gen, *priv, *pub, *other;
        char pem[PEM_MAX], pub_pem[PEM_MAX], again[PEM_MAX];
        uint8_t der[1024], der2[1024];
        size_t der_len, der2_len;

        assert_int_equal(crypto_key_generate(all_types[i], &gen), 0);
        assert_int_equal(crypto_key_type(gen), all_types[i]);
        assert_true(crypto_key_is_private(gen));
        assert_int_equal(crypto_key_public_der(gen, der, sizeof(der), &der_len), 0);

        assert_int_equal(crypto_key_write_private_pem(gen, pem, sizeof(pem)), 0);
        assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----\n"));
        assert_int_equal(crypto_key_parse_pem(pem, strlen(pem), &priv), 0);
        assert_int_equal(crypto_key_type(priv), all_types[i]);
        assert_true(crypto_key_is_private(priv));
        expect_public_der(priv, der, der_len);
        assert_int_equal(crypto_key_write_private_pem(priv, again, sizeof(again)), 0);
        assert_string_equal(again, pem);

        assert_int_equal(crypto_key_write_public_pem(gen, pub_pem, sizeof(pub_pem)), 0);
        assert_non_null(strstr(pub_pem, "-----BEGIN PUBLIC KEY-----\n"));
        assert_int_equal(crypto_key_parse_pem(pub_pem, strlen(pub_pem), &pub), 0);
        assert_false(crypto_key_is_private(pub));
        expect_public_der(pub, der, der_len);

        /* The parsed private key signs for the generated public key. */
        sign_and_verify(priv, der, der_len);

        /* Two generated keys differ. */
        assert_int_equal(crypto_key_generate(all_types[i], &other), 0);
        assert_int_equal(crypto_key_public_der(other, der2, sizeof(der2), &der2_len), 0);
        assert_false(der2_len == der_len && memcmp(der, der2, der_len) == 0);

        crypto_key_free(other);
        crypto_key_free(pub);
        crypto_key_free(priv);
        crypto_key_free(gen);
    }
}

/* The older files: SEC1 and PKCS#1 private keys, PKCS#1 public keys. */
static void test_legacy_formats(void **state)
{
    static const char *names[] = { "ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072" };

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t pem_len, der_len;
        char *pem = read_text(names[i], ".pem", &pem_len);
        uint8_t *der = read_der(names[i], &der_len);
        unsigned char legacy[PEM_MAX];
        mbedtls_pk_context pk;
        struct crypto_key *key;

        /* mbedTLS writes SEC1 "EC PRIVATE KEY" / PKCS#1 "RSA PRIVATE KEY". */
        mbedtls_pk_init(&pk);
        assert_int_equal(mbedtls_pk_parse_key(&pk, (const unsigned char *)pem, pem_len + 1, NULL, 0), 0);
        assert_int_equal(mbedtls_pk_write_key_pem(&pk, legacy, sizeof(legacy)), 0);
        mbedtls_pk_free(&pk);
        assert_non_null(strstr((char *)legacy, names[i][0] == 'e' ? "BEGIN EC PRIVATE KEY" : "BEGIN RSA PRIVATE KEY"));
        assert_int_equal(crypto_key_parse_pem((char *)legacy, strlen((char *)legacy), &key), 0);
        assert_true(crypto_key_is_private(key));
        expect_public_der(key, der, der_len);
        sign_and_verify(key, der, der_len);
        crypto_key_free(key);

        if (names[i][0] == 'r') {
            size_t olen;
            assert_int_equal(mbedtls_pem_write_buffer("-----BEGIN RSA PUBLIC KEY-----\n",
                                                      "-----END RSA PUBLIC KEY-----\n", der, der_len, legacy,
                                                      sizeof(legacy), &olen), 0);
            assert_int_equal(crypto_key_parse_pem((char *)legacy, strlen((char *)legacy), &key), 0);
            assert_false(crypto_key_is_private(key));
            expect_public_der(key, der, der_len);
            crypto_key_free(key);
        }
        free(der);
        free(pem);
    }
}

static int parse_der_as_pem(const char *label, const uint8_t *der, size_t len, struct crypto_key **key)
{
    char header[64], footer[64];
    unsigned char pem[PEM_MAX];
    size_t olen;

    snprintf(header, sizeof(header), "-----BEGIN %s-----\n", label);
    snprintf(footer, sizeof(footer), "-----END %s-----\n", label);
    assert_int_equal(mbedtls_pem_write_buffer(header, footer, der, len, pem, sizeof(pem), &olen), 0);
    return crypto_key_parse_pem((const char *)pem, strlen((const char *)pem), key);
}

/* PKCS#8 version 2 (RFC 5958) may repeat the public key: it must match. */
static void test_ed25519_pkcs8_v2(void **state)
{
    size_t pub_len;
    uint8_t *pub = read_der("ed25519", &pub_len);
    size_t pem_len;
    char *pem = read_text("ed25519", ".pem", &pem_len);
    struct crypto_key *key;
    uint8_t v1[48], v2[83];
    mbedtls_pem_context ctx;
    size_t used;

    (void)state;
    mbedtls_pem_init(&ctx);
    assert_int_equal(mbedtls_pem_read_buffer(&ctx, "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
                                             (const unsigned char *)pem, NULL, 0, &used), 0);
    assert_int_equal(ctx.buflen, sizeof(v1));
    memcpy(v1, ctx.buf, sizeof(v1));
    mbedtls_pem_free(&ctx);

    /* 30 51 | 02 01 01 | alg | privateKey | [1] 81 21 00 <pk> */
    v2[0] = 0x30;
    v2[1] = 0x51;
    memcpy(v2 + 2, v1 + 2, 46);
    v2[4] = 1;
    v2[48] = 0x81;
    v2[49] = 0x21;
    v2[50] = 0x00;
    memcpy(v2 + 51, pub + 12, 32);
    assert_int_equal(parse_der_as_pem("PRIVATE KEY", v2, sizeof(v2), &key), 0);
    expect_public_der(key, pub, pub_len);
    crypto_key_free(key);

    v2[82] ^= 1;
    assert_int_equal(parse_der_as_pem("PRIVATE KEY", v2, sizeof(v2), &key), CRYPTO_EBADKEY);
    /* Version 0 has no public key field. */
    v2[82] ^= 1;
    v2[4] = 0;
    assert_int_equal(parse_der_as_pem("PRIVATE KEY", v2, sizeof(v2), &key), CRYPTO_EBADKEY);

    free(pem);
    free(pub);
}

static void expect_refused(const char *text, size_t len)
{
    struct crypto_key *key = (struct crypto_key *)(uintptr_t)1;

    assert_int_equal(crypto_key_parse_pem(text, len, &key), CRYPTO_EBADKEY);
    /* *out is left alone on failure. */
    assert_true(key == (struct crypto_key *)(uintptr_t)1);
}

static void test_malformed(void **state)
{
    size_t len, der_len;
    char *pem = read_text("ecdsa-p256", ".pem", &len);
    char *ed = read_text("ed25519", ".pem", &len);
    uint8_t *der = read_der("ecdsa-p256", &der_len);
    char *bad;
    struct crypto_key *key;

    (void)state;
    expect_refused("", 0);
    expect_refused("hello", 5);
    expect_refused("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n", 54);
    /* DER is not PEM, even a good key. */
    expect_refused((const char *)der, der_len);

    /* A PEM cut short, and one with a corrupted base64 body. */
    len = strlen(pem);
    expect_refused(pem, len / 2);
    bad = strdup(pem);
    bad[40] = bad[40] == 'A' ? 'B' : 'A';
    expect_refused(bad, len);
    strcpy(bad, pem);
    bad[35] = '*';
    expect_refused(bad, len);
    free(bad);

    /* Ed25519: truncated seed. */
    {
        uint8_t short_seed[47];
        mbedtls_pem_context ctx;
        size_t used;

        mbedtls_pem_init(&ctx);
        assert_int_equal(mbedtls_pem_read_buffer(&ctx, "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
                                                 (const unsigned char *)ed, NULL, 0, &used), 0);
        memcpy(short_seed, ctx.buf, sizeof(short_seed));
        mbedtls_pem_free(&ctx);
        short_seed[1] = 0x2d;
        short_seed[15] = 0x21;
        short_seed[17] = 0x1f;
        assert_int_equal(parse_der_as_pem("PRIVATE KEY", short_seed, sizeof(short_seed), &key), CRYPTO_EBADKEY);
    }

    /* Password-protected PKCS#8 (imgtool keygen -p) and unknown labels. */
    {
        mbedtls_pem_context ctx;
        size_t used;

        mbedtls_pem_init(&ctx);
        assert_int_equal(mbedtls_pem_read_buffer(&ctx, "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
                                                 (const unsigned char *)pem, NULL, 0, &used), 0);
        assert_int_equal(parse_der_as_pem("ENCRYPTED PRIVATE KEY", ctx.buf, ctx.buflen, &key), CRYPTO_EBADKEY);
        assert_int_equal(parse_der_as_pem("CERTIFICATE", ctx.buf, ctx.buflen, &key), CRYPTO_EBADKEY);
        mbedtls_pem_free(&ctx);
    }

    /* Missing file, and a file that is no PEM. */
    {
        char path[512];
        assert_int_equal(crypto_key_load_file("/nonexistent/key.pem", &key), CRYPTO_EIO);
        vector_path(path, sizeof(path), "ecdsa-p256", ".pub.der");
        assert_int_equal(crypto_key_load_file(path, &key), CRYPTO_EBADKEY);
    }
    free(der);
    free(ed);
    free(pem);
}

/* Keys that parse but that MCUboot cannot verify with. */
static void test_unsupported_keys(void **state)
{
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context pk;
    unsigned char pem[PEM_MAX];

    (void)state;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0), 0);

    /* A secp256k1 key, private and public. */
    mbedtls_pk_init(&pk);
    assert_int_equal(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256K1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, &drbg),
                     0);
    assert_int_equal(mbedtls_pk_write_key_pem(&pk, pem, sizeof(pem)), 0);
    expect_refused((const char *)pem, strlen((const char *)pem));
    assert_int_equal(mbedtls_pk_write_pubkey_pem(&pk, pem, sizeof(pem)), 0);
    expect_refused((const char *)pem, strlen((const char *)pem));
    mbedtls_pk_free(&pk);

    /* RSA-1024. */
    mbedtls_pk_init(&pk);
    assert_int_equal(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), 0);
    assert_int_equal(mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), mbedtls_ctr_drbg_random, &drbg, 1024, 65537), 0);
    assert_int_equal(mbedtls_pk_write_key_pem(&pk, pem, sizeof(pem)), 0);
    expect_refused((const char *)pem, strlen((const char *)pem));
    mbedtls_pk_free(&pk);

    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
}

/* A signature made by one type of key, checked as another. */
static void test_wrong_type(void **state)
{
    struct crypto_key *ed = load_vector_key("ed25519", ".pem");
    struct crypto_key *p256 = load_vector_key("ecdsa-p256", ".pem");
    struct crypto_key *rsa = load_vector_key("rsa-2048", ".pem");
    uint8_t digest[64], sig[512], der[1024];
    size_t sig_len, der_len;

    (void)state;
    assert_int_equal(crypto_hash(CRYPTO_SHA256, "x", 1, digest), 0);
    assert_int_equal(crypto_key_sign(ed, digest, 32, sig, sizeof(sig), &sig_len), 0);
    assert_int_equal(crypto_key_public_der(p256, der, sizeof(der), &der_len), 0);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ED25519, der, der_len, digest, 32, sig, sig_len), CRYPTO_EBADKEY);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ECDSA_P256, der, der_len, digest, 32, sig, sig_len), CRYPTO_EBADSIG);
    assert_int_equal(crypto_key_public_der(rsa, der, sizeof(der), &der_len), 0);
    assert_int_equal(crypto_verify(CRYPTO_SIG_ED25519, der, der_len, digest, 32, sig, sig_len), CRYPTO_EBADKEY);

    /* Digests of the wrong length for the key. */
    assert_int_equal(crypto_key_sign(p256, digest, 48, sig, sizeof(sig), &sig_len), CRYPTO_EINVAL);
    assert_int_equal(crypto_key_sign(rsa, digest, 64, sig, sizeof(sig), &sig_len), CRYPTO_EINVAL);
    /* Output too small. */
    assert_int_equal(crypto_key_sign(rsa, digest, 32, sig, 255, &sig_len), CRYPTO_ENOMEM);
    assert_int_equal(crypto_key_sign(ed, digest, 32, sig, 63, &sig_len), CRYPTO_ENOMEM);
    assert_int_equal(crypto_key_sign(p256, digest, 32, sig, 8, &sig_len), CRYPTO_ENOMEM);
    assert_int_equal(crypto_key_public_der(rsa, der, 100, &der_len), CRYPTO_ENOMEM);
    assert_int_equal(crypto_key_public_der(ed, der, 43, &der_len), CRYPTO_ENOMEM);
    {
        char small[64];
        assert_int_equal(crypto_key_write_private_pem(rsa, small, sizeof(small)), CRYPTO_ENOMEM);
        assert_int_equal(crypto_key_write_public_pem(ed, small, sizeof(small)), CRYPTO_ENOMEM);
    }
    crypto_key_free(rsa);
    crypto_key_free(p256);
    crypto_key_free(ed);
}

static void test_names(void **state)
{
    enum crypto_sig_type t;

    (void)state;
    for (size_t i = 0; i < ct_key_count; i++) {
        assert_string_equal(crypto_sig_type_name(ct_keys[i].type), ct_keys[i].name);
        assert_int_equal(crypto_sig_type_from_name(ct_keys[i].name, &t), 0);
        assert_int_equal(t, ct_keys[i].type);
    }
    assert_int_equal(crypto_sig_type_from_name("rsa-4096", &t), CRYPTO_EINVAL);
    assert_int_equal(crypto_sig_type_from_name("ECDSA-P256", &t), CRYPTO_EINVAL);
    assert_int_equal(crypto_sig_tlv_len(CRYPTO_SIG_ECDSA_P256), 72);
    assert_int_equal(crypto_sig_tlv_len(CRYPTO_SIG_ECDSA_P384), 104);
    assert_int_equal(crypto_sig_tlv_len(CRYPTO_SIG_ED25519), 64);
    assert_int_equal(crypto_sig_tlv_len(CRYPTO_SIG_RSA2048_PSS), 256);
    assert_int_equal(crypto_sig_tlv_len(CRYPTO_SIG_RSA3072_PSS), 384);
    assert_int_equal(crypto_sig_tlv_len((enum crypto_sig_type)9), 0);
    assert_int_equal(crypto_key_generate((enum crypto_sig_type)9, &(struct crypto_key *){ NULL }), CRYPTO_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_private_keys),
        cmocka_unit_test(test_vector_public_keys),
        cmocka_unit_test(test_sign_like_imgtool),
        cmocka_unit_test(test_ecdsa_lengths_vary),
        cmocka_unit_test(test_ed25519_rfc8032),
        cmocka_unit_test(test_generate_roundtrip),
        cmocka_unit_test(test_legacy_formats),
        cmocka_unit_test(test_ed25519_pkcs8_v2),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_unsupported_keys),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
