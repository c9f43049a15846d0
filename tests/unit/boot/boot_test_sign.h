/*
 * Ed25519 signing for test images. Kept apart from crypto/crypto.h:
 * libsodium's own crypto_hash() clashes with the project's crypto_hash()
 * in one translation unit.
 */
#ifndef BOOT_TEST_SIGN_H
#define BOOT_TEST_SIGN_H

#include <stddef.h>
#include <stdint.h>

struct bt_signer {
    uint8_t sk[64];  /* libsodium Ed25519 secret key */
    uint8_t der[44]; /* SubjectPublicKeyInfo, as imgtool getpub */
};

/* A fresh key pair. */
void bt_signer_new(struct bt_signer *s);
void bt_sign(const struct bt_signer *s, const uint8_t *msg, size_t len, uint8_t sig[64]);

#endif
