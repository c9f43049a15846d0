/*
 * Host side of the crypto API: key files, key generation and signing, for
 * smpdfu-image and the tests. Not part of the portable core (it allocates).
 * Key files are PEM that MCUboot's imgtool also reads and writes.
 */
#ifndef SMPDFU_CRYPTO_KEY_H
#define SMPDFU_CRYPTO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

struct crypto_key;

int crypto_key_generate(enum crypto_sig_type type, struct crypto_key **out);
/* Parses a private or public key in PEM (PKCS#8, SEC1, PKCS#1, SPKI); pem
 * need not be NUL-terminated. CRYPTO_EBADKEY for anything else, including
 * password-protected keys and keys MCUboot cannot use (other curves, RSA
 * sizes other than 2048 and 3072). */
int crypto_key_parse_pem(const char *pem, size_t len, struct crypto_key **out);
/* Same for a file; CRYPTO_EIO if it cannot be read. */
int crypto_key_load_file(const char *path, struct crypto_key **out);
void crypto_key_free(struct crypto_key *key);

enum crypto_sig_type crypto_key_type(const struct crypto_key *key);
bool crypto_key_is_private(const struct crypto_key *key);
/* Name as imgtool spells it: "ecdsa-p256", "ed25519", "rsa-2048", ... */
const char *crypto_sig_type_name(enum crypto_sig_type type);
int crypto_sig_type_from_name(const char *name, enum crypto_sig_type *out);

/* PEM text, NUL-terminated, into buf, as imgtool writes it: PKCS#8
 * "PRIVATE KEY" (CRYPTO_EBADKEY for a public key) and SPKI "PUBLIC KEY"
 * (for RSA too). CRYPTO_ENOMEM if cap is too small. */
int crypto_key_write_private_pem(const struct crypto_key *key, char *buf, size_t cap);
int crypto_key_write_public_pem(const struct crypto_key *key, char *buf, size_t cap);
/* The public key bytes MCUboot embeds (and hashes into KEYHASH): DER SPKI for
 * ECDSA/Ed25519, DER PKCS#1 for RSA. */
int crypto_key_public_der(const struct crypto_key *key, uint8_t *buf, size_t cap, size_t *len);

/* Largest signature TLV value for this key type (0 for an unknown type):
 * the exact length for RSA (256/384) and Ed25519 (64); for ECDSA the
 * longest DER (72 for P-256, 104 for P-384). imgtool 2.x writes ECDSA
 * signatures as bare DER, without padding, so the real TLV is often a byte
 * or two shorter: take the length crypto_key_sign() returns. */
size_t crypto_sig_tlv_len(enum crypto_sig_type type);
/* Signs as crypto_verify() verifies (same msg conventions: ECDSA and RSA
 * sign the image digest, Ed25519 signs the digest as its message). *sig_len
 * is the real length, at most crypto_sig_tlv_len(type). CRYPTO_EBADKEY for
 * a public key, CRYPTO_EINVAL for a digest of the wrong length, CRYPTO_ENOMEM
 * if cap is too small. */
int crypto_key_sign(const struct crypto_key *key, const uint8_t *msg, size_t msg_len,
                    uint8_t *sig, size_t cap, size_t *sig_len);

#endif
