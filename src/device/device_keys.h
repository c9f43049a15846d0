/*
 * Trusted public keys of the simulated bootloader, from key files as
 * imgtool and smpdfu-image write them (PEM, private or public: only the
 * public half is kept).
 */
#ifndef SMPDFU_DEVICE_DEVICE_KEYS_H
#define SMPDFU_DEVICE_DEVICE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"

/* Public key bytes MCUboot embeds: DER, at most this long (RSA-3072). */
#define DEVICE_KEY_MAX 512

struct device_key {
    enum crypto_sig_type type;
    uint8_t der[DEVICE_KEY_MAX];
    size_t der_len;
};

/* Load the key file at path. Returns 0 or a negative CRYPTO_E* code. */
int device_key_load(const char *path, struct device_key *out);

/* The image_key view of a loaded key (points into k). */
struct image_key device_key_view(const struct device_key *k);

#endif
