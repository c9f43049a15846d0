/*
 * SHA-256/384/512: FIPS 180-2 example vectors, one-shot and streamed in
 * chunks that straddle the block boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto_test_support.h"

#define MSG_2BLOCK_256 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define MSG_2BLOCK_512 "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

struct hash_vector {
    enum crypto_hash_alg alg;
    const char *msg;
    const char *digest;
};

static const struct hash_vector vectors[] = {
    { CRYPTO_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { CRYPTO_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { CRYPTO_SHA256, MSG_2BLOCK_256, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { CRYPTO_SHA384, "",
      "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b" },
    { CRYPTO_SHA384, "abc",
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
    { CRYPTO_SHA384, MSG_2BLOCK_512,
      "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039" },
    { CRYPTO_SHA512, "",
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
      "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
    { CRYPTO_SHA512, "abc",
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
    { CRYPTO_SHA512, MSG_2BLOCK_512,
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
      "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
};

/* One million 'a' (FIPS 180-2 third example). */
static const struct {
    enum crypto_hash_alg alg;
    const char *digest;
} million_a[] = {
    { CRYPTO_SHA256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
    { CRYPTO_SHA384,
      "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985" },
    { CRYPTO_SHA512,
      "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
      "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b" },
};

static void expect_digest(const uint8_t *got, enum crypto_hash_alg alg, const char *hex)
{
    uint8_t want[CRYPTO_HASH_MAX_LEN];
    size_t n = ct_unhex(hex, want, sizeof(want));

    assert_int_equal(n, crypto_hash_len(alg));
    assert_memory_equal(got, want, n);
}

static void test_lengths(void **state)
{
    (void)state;
    assert_int_equal(crypto_hash_len(CRYPTO_SHA256), 32);
    assert_int_equal(crypto_hash_len(CRYPTO_SHA384), 48);
    assert_int_equal(crypto_hash_len(CRYPTO_SHA512), 64);
    assert_int_equal(crypto_hash_len((enum crypto_hash_alg)7), 0);
}

static void test_one_shot(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        uint8_t out[CRYPTO_HASH_MAX_LEN];
        assert_int_equal(crypto_hash(vectors[i].alg, vectors[i].msg, strlen(vectors[i].msg), out), 0);
        expect_digest(out, vectors[i].alg, vectors[i].digest);
    }
}

/* Chunk sizes around the 64- and 128-byte block sizes. */
static const size_t chunks[] = { 1, 3, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129 };

static void test_multi_update(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const char *msg = vectors[i].msg;
        size_t len = strlen(msg);

        for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
            struct crypto_hash_ctx ctx;
            uint8_t out[CRYPTO_HASH_MAX_LEN];

            assert_int_equal(crypto_hash_init(&ctx, vectors[i].alg), 0);
            for (size_t off = 0; off < len; off += chunks[c]) {
                size_t n = len - off < chunks[c] ? len - off : chunks[c];
                assert_int_equal(crypto_hash_update(&ctx, msg + off, n), 0);
                /* Empty updates change nothing. */
                assert_int_equal(crypto_hash_update(&ctx, NULL, 0), 0);
            }
            assert_int_equal(crypto_hash_finish(&ctx, out), 0);
            expect_digest(out, vectors[i].alg, vectors[i].digest);
        }
    }
}

static void test_million_a(void **state)
{
    uint8_t block[1000];

    (void)state;
    memset(block, 'a', sizeof(block));
    for (size_t i = 0; i < sizeof(million_a) / sizeof(million_a[0]); i++) {
        struct crypto_hash_ctx ctx;
        uint8_t out[CRYPTO_HASH_MAX_LEN];

        assert_int_equal(crypto_hash_init(&ctx, million_a[i].alg), 0);
        for (int k = 0; k < 1000; k++) {
            assert_int_equal(crypto_hash_update(&ctx, block, sizeof(block)), 0);
        }
        assert_int_equal(crypto_hash_finish(&ctx, out), 0);
        expect_digest(out, million_a[i].alg, million_a[i].digest);
    }
}

/* SHA-384 writes 48 bytes and not one more. */
static void test_sha384_output_size(void **state)
{
    uint8_t out[CRYPTO_HASH_MAX_LEN];

    (void)state;
    memset(out, 0xa5, sizeof(out));
    assert_int_equal(crypto_hash(CRYPTO_SHA384, "abc", 3, out), 0);
    for (size_t i = 48; i < sizeof(out); i++) {
        assert_int_equal(out[i], 0xa5);
    }
}

/* Two contexts of different algorithms interleaved do not disturb each other. */
static void test_interleaved(void **state)
{
    struct crypto_hash_ctx a, b;
    uint8_t out[CRYPTO_HASH_MAX_LEN];

    (void)state;
    assert_int_equal(crypto_hash_init(&a, CRYPTO_SHA256), 0);
    assert_int_equal(crypto_hash_init(&b, CRYPTO_SHA512), 0);
    assert_int_equal(crypto_hash_update(&a, "a", 1), 0);
    assert_int_equal(crypto_hash_update(&b, "a", 1), 0);
    assert_int_equal(crypto_hash_update(&a, "bc", 2), 0);
    assert_int_equal(crypto_hash_update(&b, "bc", 2), 0);
    assert_int_equal(crypto_hash_finish(&a, out), 0);
    expect_digest(out, CRYPTO_SHA256, vectors[1].digest);
    assert_int_equal(crypto_hash_finish(&b, out), 0);
    expect_digest(out, CRYPTO_SHA512, vectors[7].digest);
}

static void test_bad_arguments(void **state)
{
    struct crypto_hash_ctx ctx;
    uint8_t out[CRYPTO_HASH_MAX_LEN];

    (void)state;
    assert_int_equal(crypto_hash_init(&ctx, (enum crypto_hash_alg)9), CRYPTO_EINVAL);
    assert_int_equal(crypto_hash_init(NULL, CRYPTO_SHA256), CRYPTO_EINVAL);
    assert_int_equal(crypto_hash((enum crypto_hash_alg)9, "abc", 3, out), CRYPTO_EINVAL);
    assert_int_equal(crypto_hash_init(&ctx, CRYPTO_SHA256), 0);
    assert_int_equal(crypto_hash_update(&ctx, NULL, 1), CRYPTO_EINVAL);
    assert_int_equal(crypto_hash_finish(&ctx, NULL), CRYPTO_EINVAL);
    assert_int_equal(crypto_hash_finish(&ctx, out), 0);
    expect_digest(out, CRYPTO_SHA256, vectors[0].digest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_one_shot),
        cmocka_unit_test(test_multi_update),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_sha384_output_size),
        cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
