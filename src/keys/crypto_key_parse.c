/*
 * Reading key files: the PEM that imgtool writes (PKCS#8 "PRIVATE KEY" and
 * SPKI "PUBLIC KEY" for every type) and the older forms OpenSSL tools and
 * imgtool 1.x leave around (SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE
 * KEY" and "RSA PUBLIC KEY"). mbedTLS reads all of them except Ed25519.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>

#include "crypto_key_priv.h"

/* Key files are a few kilobytes; anything much larger is not one. */
#define KEY_FILE_MAX (64 * 1024)

static const char pem_begin[] = "-----BEGIN ";

/* The DER inside the first PEM block labelled label, into pem (free with
 * mbedtls_pem_free). text is NUL-terminated. */
static int pem_decode(mbedtls_pem_context *pem, const char *text, const char *label)
{
    char header[64], footer[64];
    size_t used;

    snprintf(header, sizeof(header), "-----BEGIN %s-----", label);
    snprintf(footer, sizeof(footer), "-----END %s-----", label);
    return mbedtls_pem_read_buffer(pem, header, footer, (const unsigned char *)text, NULL, 0, &used);
}

/* Ed25519, which mbedTLS's pk module does not know. */
static int parse_ed25519(const char *text, struct crypto_key *key)
{
    mbedtls_pem_context pem;
    int rc = CRYPTO_EBADKEY;

    mbedtls_pem_init(&pem);
    if (pem_decode(&pem, text, "PRIVATE KEY") == 0) {
        rc = crypto_key_pkcs8_parse_ed25519(pem.buf, pem.buflen, key);
    }
    mbedtls_pem_free(&pem);
    if (rc == 0) {
        return rc;
    }

    mbedtls_pem_init(&pem);
    if (pem_decode(&pem, text, "PUBLIC KEY") == 0 &&
        crypto_ed25519_spki_parse(pem.buf, pem.buflen, key->ed_pk) == 0) {
        key->type = CRYPTO_SIG_ED25519;
        key->is_private = false;
        rc = CRYPTO_OK;
    }
    mbedtls_pem_free(&pem);
    return rc;
}

static int parse_text(const char *text, struct crypto_key *key)
{
    /* mbedTLS wants the terminating NUL counted in a PEM input's length. */
    size_t len = strlen(text) + 1;

    if (mbedtls_pk_parse_key(&key->pk, (const unsigned char *)text, len, NULL, 0) == 0) {
        return crypto_key_adopt_pk(key, true);
    }
    mbedtls_pk_free(&key->pk);
    mbedtls_pk_init(&key->pk);
    if (mbedtls_pk_parse_public_key(&key->pk, (const unsigned char *)text, len) == 0) {
        return crypto_key_adopt_pk(key, false);
    }
    mbedtls_pk_free(&key->pk);
    mbedtls_pk_init(&key->pk);
    return parse_ed25519(text, key);
}

int crypto_key_parse_pem(const char *pem, size_t len, struct crypto_key **out)
{
    struct crypto_key *key;
    char *text;
    int rc;

    if (pem == NULL || out == NULL) {
        return CRYPTO_EINVAL;
    }
    /* A private copy with a NUL after it, as the PEM reader needs. */
    text = malloc(len + 1);
    if (text == NULL) {
        return CRYPTO_EFAIL;
    }
    memcpy(text, pem, len);
    text[len] = '\0';

    key = crypto_key_alloc();
    if (key == NULL) {
        rc = CRYPTO_EFAIL;
    } else if (strstr(text, pem_begin) == NULL) {
        /* mbedTLS would take bare DER too; a key file is PEM. */
        rc = CRYPTO_EBADKEY;
    } else {
        rc = parse_text(text, key);
    }
    mbedtls_platform_zeroize(text, len);
    free(text);
    if (rc != 0) {
        crypto_key_free(key);
        return rc;
    }
    *out = key;
    return CRYPTO_OK;
}

int crypto_key_load_file(const char *path, struct crypto_key **out)
{
    char *buf;
    size_t len;
    FILE *f;
    int rc;

    if (path == NULL || out == NULL) {
        return CRYPTO_EINVAL;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        return CRYPTO_EIO;
    }
    buf = malloc(KEY_FILE_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return CRYPTO_EFAIL;
    }
    len = fread(buf, 1, KEY_FILE_MAX + 1, f);
    if (ferror(f)) {
        rc = CRYPTO_EIO;
    } else if (len > KEY_FILE_MAX) {
        rc = CRYPTO_EBADKEY;
    } else {
        rc = crypto_key_parse_pem(buf, len, out);
    }
    fclose(f);
    mbedtls_platform_zeroize(buf, len);
    free(buf);
    return rc;
}
