/*
 * Shared by the crypto unit tests: vector files and the signatures inside
 * the imgtool-signed vector images.
 */
#ifndef CRYPTO_TEST_SUPPORT_H
#define CRYPTO_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Whole file below SMPDFU_VECTORS/images/ (fails the test if missing). */
uint8_t *ct_read_vector(const char *rel, size_t *len);
/* Hex to bytes; returns the byte count (fails the test on bad hex). */
size_t ct_unhex(const char *hex, uint8_t *out, size_t cap);

/* The vector keys: keys/<name>.pem, .pub.pem, .pub.der. */
struct ct_key_name {
    const char *name;
    enum crypto_sig_type type;
};
extern const struct ct_key_name ct_keys[];
extern const size_t ct_key_count;

/* What one signed vector image holds, pointing into data. */
struct ct_signed_image {
    char name[64];
    uint8_t *data;
    size_t len;
    size_t signed_len;          /* header + payload + protected TLVs */
    enum crypto_hash_alg hash_alg;
    const uint8_t *hash;        /* hash TLV value */
    const uint8_t *keyhash;     /* KEYHASH TLV value, or NULL */
    size_t keyhash_len;
    const uint8_t *pubkey;      /* PUBKEY TLV value, or NULL */
    size_t pubkey_len;
    uint16_t sig_tlv;           /* 0 if unsigned */
    const uint8_t *sig;
    size_t sig_len;
};

/* Every signed/<name>.bin of the vectors, in name order; frees with
 * ct_free_images. */
size_t ct_load_images(struct ct_signed_image **out);
void ct_free_images(struct ct_signed_image *imgs, size_t n);

#endif
