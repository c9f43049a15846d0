/*
 * Uniform crypto for the portable side: hashes and signature verification.
 * mbedTLS and libsodium sit underneath; no library type leaks out of here.
 * All functions return 0 or a negative CRYPTO_E* code.
 */
#ifndef SMPDFU_CRYPTO_H
#define SMPDFU_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum crypto_err {
    CRYPTO_OK = 0,
    CRYPTO_EINVAL = -1,   /* bad argument, unknown algorithm */
    CRYPTO_EBADKEY = -2,  /* public/private key could not be parsed or is of another type */
    CRYPTO_EBADSIG = -3,  /* signature malformed or does not verify */
    CRYPTO_ENOMEM = -4,   /* buffer too small */
    CRYPTO_EFAIL = -5,    /* library failure (RNG, bignum, ...) */
    CRYPTO_EIO = -6,      /* key file unreadable (host side, src/keys) */
};

/* Names the error (any CRYPTO_E* code; "unknown error" otherwise). */
const char *crypto_strerror(int err);

enum crypto_hash_alg {
    CRYPTO_SHA256,
    CRYPTO_SHA384,
    CRYPTO_SHA512,
};

#define CRYPTO_HASH_MAX_LEN 64

/* Opaque, caller-allocated hash state (big enough for SHA-512 in mbedTLS;
 * crypto_hash.c checks that at compile time). */
struct crypto_hash_ctx {
    enum crypto_hash_alg alg;
    union {
        uint64_t align;
        uint8_t raw[224];
    } state;
};

size_t crypto_hash_len(enum crypto_hash_alg alg);
int crypto_hash_init(struct crypto_hash_ctx *ctx, enum crypto_hash_alg alg);
int crypto_hash_update(struct crypto_hash_ctx *ctx, const void *data, size_t len);
/* Writes crypto_hash_len(alg) bytes. */
int crypto_hash_finish(struct crypto_hash_ctx *ctx, uint8_t *out);
int crypto_hash(enum crypto_hash_alg alg, const void *data, size_t len, uint8_t *out);

enum crypto_sig_type {
    CRYPTO_SIG_ECDSA_P256,
    CRYPTO_SIG_ECDSA_P384,
    CRYPTO_SIG_ED25519,
    CRYPTO_SIG_RSA2048_PSS,
    CRYPTO_SIG_RSA3072_PSS,
};

/*
 * Verify sig over msg with a public key given as the bytes MCUboot embeds
 * and imgtool's getpub prints: DER SubjectPublicKeyInfo for ECDSA and
 * Ed25519, DER PKCS#1 RSAPublicKey for RSA.
 *
 *  - ECDSA: msg is the digest (32 B for P-256, 48 B for P-384); sig is DER
 *    (r, s). Trailing zero bytes after the SEQUENCE are accepted: imgtool
 *    --pad-sig zero-pads signatures to a fixed length (MCUboot < 1.5 needed
 *    that); by default imgtool writes the bare DER, whose length varies.
 *  - RSA-PSS: msg is the SHA-256 digest; MGF1-SHA256, salt length 32; sig
 *    is exactly as long as the modulus.
 *  - Ed25519: PureEdDSA; msg is the message itself (MCUboot signs the image
 *    digest as the message: 32 B, or 64 B for SHA-512 images); sig is 64 B.
 *
 * CRYPTO_EINVAL if msg has the wrong length for the type, CRYPTO_EBADKEY if
 * the key cannot be parsed or is of another type or size, CRYPTO_EBADSIG if
 * the signature is malformed or does not verify.
 */
int crypto_verify(enum crypto_sig_type type,
                  const uint8_t *pubkey, size_t pubkey_len,
                  const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len);

/* Raw-key ECDSA P-256 verify of a 32-byte digest: pub is X||Y (64 B), sig is
 * r||s (64 B). This is the form NSIB's validation info uses. */
int crypto_verify_p256_raw(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64]);

/* An Ed25519 DER SubjectPublicKeyInfo (RFC 8410): a fixed 12-byte prefix
 * followed by the 32-byte key. */
#define CRYPTO_ED25519_SPKI_LEN 44
/* The raw 32-byte key inside such an SPKI; CRYPTO_EBADKEY if der is not one. */
int crypto_ed25519_spki_parse(const uint8_t *der, size_t len, uint8_t key[32]);
/* The SPKI of a raw key: CRYPTO_ED25519_SPKI_LEN bytes into buf. */
int crypto_ed25519_spki_write(const uint8_t key[32], uint8_t *buf, size_t cap, size_t *len);

#endif
