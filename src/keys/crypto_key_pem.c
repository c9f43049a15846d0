/*
 * Writing key files the way imgtool does: PKCS#8 "PRIVATE KEY" and SPKI
 * "PUBLIC KEY" for every type, base64 in 64-column lines, so imgtool reads
 * ours and a key read from imgtool's file is written back byte for byte.
 */
#include <stdio.h>

#include <mbedtls/base64.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>

#include "crypto_key_priv.h"

/* An RSA-3072 PKCS#8 key is about 1.8 kB. */
#define DER_MAX 4096

static int write_pem(const char *label, const uint8_t *der, size_t der_len, char *buf, size_t cap)
{
    char header[48], footer[48];
    size_t olen;
    int rc;

    snprintf(header, sizeof(header), "-----BEGIN %s-----\n", label);
    snprintf(footer, sizeof(footer), "-----END %s-----\n", label);
    rc = mbedtls_pem_write_buffer(header, footer, der, der_len, (unsigned char *)buf, cap, &olen);
    if (rc == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) {
        return CRYPTO_ENOMEM;
    }
    return rc == 0 ? CRYPTO_OK : CRYPTO_EFAIL;
}

int crypto_key_write_private_pem(const struct crypto_key *key, char *buf, size_t cap)
{
    uint8_t der[DER_MAX];
    size_t len;
    int rc;

    if (key == NULL || buf == NULL) {
        return CRYPTO_EINVAL;
    }
    rc = crypto_key_pkcs8_write(key, der, sizeof(der), &len);
    if (rc == 0) {
        rc = write_pem("PRIVATE KEY", der, len, buf, cap);
    }
    mbedtls_platform_zeroize(der, sizeof(der));
    return rc;
}

int crypto_key_write_public_pem(const struct crypto_key *key, char *buf, size_t cap)
{
    unsigned char der[DER_MAX];
    size_t len;
    int n;

    if (key == NULL || buf == NULL) {
        return CRYPTO_EINVAL;
    }
    if (key->type == CRYPTO_SIG_ED25519) {
        n = crypto_ed25519_spki_write(key->ed_pk, der, sizeof(der), &len);
        if (n != 0) {
            return n;
        }
        return write_pem("PUBLIC KEY", der, len, buf, cap);
    }
    /* SPKI for RSA too (not the PKCS#1 blob MCUboot embeds), as imgtool's
     * getpub -e pem and keygen -e write it. mbedTLS writes at the end. */
    n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)&key->pk, der, sizeof(der));
    if (n < 0) {
        return CRYPTO_EFAIL;
    }
    return write_pem("PUBLIC KEY", der + sizeof(der) - n, (size_t)n, buf, cap);
}
