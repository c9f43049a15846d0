/*
 * `verify` on the host: validate an image file's bytes with the same code
 * the bootloader runs (boot/image), against one trusted key or, without a
 * key, for integrity only.
 */
#ifndef SMPDFU_IMAGETOOL_IMAGE_CHECK_H
#define SMPDFU_IMAGETOOL_IMAGE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "keys/crypto_key.h"

/* 0 when valid, else the IMAGE_E* reason (res says where). A key that is
 * not usable gives IMAGE_EBADKEY. */
int image_check(const uint8_t *img, size_t len, const struct crypto_key *key,
                struct image_result *res);

#endif
