/*
 * Inside struct crypto_key, shared by the crypto_key*.c files only. Host
 * side: this header may name mbedTLS types, crypto_key.h may not.
 */
#ifndef SMPDFU_CRYPTO_KEY_PRIV_H
#define SMPDFU_CRYPTO_KEY_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "keys/crypto_key.h"

#define ED25519_SEED_LEN 32
#define ED25519_PK_LEN 32
#define ED25519_SK_LEN 64

struct crypto_key {
    enum crypto_sig_type type;
    bool is_private;
    /* ECDSA and RSA keys. */
    mbedtls_pk_context pk;
    /* Ed25519 keys, in libsodium's form: sk is seed || public key. */
    uint8_t ed_pk[ED25519_PK_LEN];
    uint8_t ed_sk[ED25519_SK_LEN];
};

/* A zeroed key with an empty pk context (crypto_key_free releases it). */
struct crypto_key *crypto_key_alloc(void);

/* Sets key->type from the EC or RSA key parsed or generated into key->pk:
 * CRYPTO_EBADKEY for curves and sizes MCUboot cannot verify. */
int crypto_key_adopt_pk(struct crypto_key *key, bool is_private);

/* Ed25519 key pair from its 32-byte seed (the private key of RFC 8032). */
void crypto_key_ed25519_from_seed(struct crypto_key *key, const uint8_t seed[ED25519_SEED_LEN]);

/* Ed25519 private key in DER PKCS#8 (RFC 8410), which mbedTLS 2.28 cannot
 * read. CRYPTO_EBADKEY if der holds anything else. */
int crypto_key_pkcs8_parse_ed25519(const uint8_t *der, size_t len, struct crypto_key *key);

/* DER PKCS#8 PrivateKeyInfo of a private key, as imgtool writes it, at the
 * start of buf. */
int crypto_key_pkcs8_write(const struct crypto_key *key, uint8_t *buf, size_t cap, size_t *len);

/* Randomness for key generation and signing: CTR-DRBG seeded from the
 * platform's entropy source. */
struct crypto_key_rng {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

int crypto_key_rng_init(struct crypto_key_rng *rng);
void crypto_key_rng_free(struct crypto_key_rng *rng);
/* mbedTLS f_rng callback; p_rng is a struct crypto_key_rng. */
int crypto_key_rng_fill(void *p_rng, unsigned char *out, size_t len);

#endif
