#include "crypto_test_support.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

const struct ct_key_name ct_keys[] = {
    { "ecdsa-p256", CRYPTO_SIG_ECDSA_P256 },
    { "ecdsa-p384", CRYPTO_SIG_ECDSA_P384 },
    { "ed25519", CRYPTO_SIG_ED25519 },
    { "rsa-2048", CRYPTO_SIG_RSA2048_PSS },
    { "rsa-3072", CRYPTO_SIG_RSA3072_PSS },
};
const size_t ct_key_count = sizeof(ct_keys) / sizeof(ct_keys[0]);

uint8_t *ct_read_vector(const char *rel, size_t *len)
{
    char path[512];
    FILE *f;
    long size;
    uint8_t *buf;

    snprintf(path, sizeof(path), "%s/images/%s", SMPDFU_VECTORS, rel);
    f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    /* One spare byte keeps PEM text NUL-terminated for the tests. */
    buf = calloc(1, (size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

size_t ct_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);

    assert_int_equal(n % 2, 0);
    assert_true(n / 2 <= cap);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]);
        int lo = hexval(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return n / 2;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Layout per MCUboot's image.h: header, payload, optional protected TLV
 * area (0x6908), unprotected TLV area (0x6907). */
static void parse_image(struct ct_signed_image *img)
{
    const uint8_t *b = img->data;
    uint32_t hdr_size, img_size, prot_size, off, end;

    assert_true(img->len >= 32);
    assert_int_equal(le32(b), 0x96f3b83dU);
    hdr_size = le16(b + 8);
    prot_size = le16(b + 10);
    img_size = le32(b + 12);
    img->signed_len = (size_t)hdr_size + img_size + prot_size;
    off = (uint32_t)img->signed_len;
    assert_true(off + 4 <= img->len);
    assert_int_equal(le16(b + off), 0x6907);
    end = off + le16(b + off + 2);
    assert_true(end <= img->len);
    for (off += 4; off < end;) {
        uint16_t type = le16(b + off);
        uint16_t len = le16(b + off + 2);
        const uint8_t *val = b + off + 4;

        assert_true(off + 4u + len <= end);
        switch (type) {
        case 0x10:
        case 0x11:
        case 0x12:
            img->hash_alg = type == 0x10 ? CRYPTO_SHA256 : type == 0x11 ? CRYPTO_SHA384 : CRYPTO_SHA512;
            assert_int_equal(len, crypto_hash_len(img->hash_alg));
            img->hash = val;
            break;
        case 0x01:
            img->keyhash = val;
            img->keyhash_len = len;
            break;
        case 0x02:
            img->pubkey = val;
            img->pubkey_len = len;
            break;
        case 0x20:
        case 0x22:
        case 0x23:
        case 0x24:
            assert_int_equal(img->sig_tlv, 0); /* one signature per vector */
            img->sig_tlv = type;
            img->sig = val;
            img->sig_len = len;
            break;
        default:
            break;
        }
        off += 4u + len;
    }
    assert_non_null(img->hash);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct ct_signed_image *)a)->name, ((const struct ct_signed_image *)b)->name);
}

size_t ct_load_images(struct ct_signed_image **out)
{
    char dir_path[512];
    struct ct_signed_image *imgs = NULL;
    size_t n = 0;
    struct dirent *de;
    DIR *dir;

    snprintf(dir_path, sizeof(dir_path), "%s/images/signed", SMPDFU_VECTORS);
    dir = opendir(dir_path);
    assert_non_null(dir);
    while ((de = readdir(dir)) != NULL) {
        size_t nl = strlen(de->d_name);
        char rel[128];

        if (nl < 5 || strcmp(de->d_name + nl - 4, ".bin") != 0) {
            continue;
        }
        imgs = realloc(imgs, (n + 1) * sizeof(*imgs));
        assert_non_null(imgs);
        memset(&imgs[n], 0, sizeof(imgs[n]));
        assert_true(nl < sizeof(imgs[n].name));
        memcpy(imgs[n].name, de->d_name, nl + 1);
        snprintf(rel, sizeof(rel), "signed/%.100s", de->d_name);
        imgs[n].data = ct_read_vector(rel, &imgs[n].len);
        parse_image(&imgs[n]);
        n++;
    }
    closedir(dir);
    qsort(imgs, n, sizeof(*imgs), by_name);
    *out = imgs;
    return n;
}

void ct_free_images(struct ct_signed_image *imgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(imgs[i].data);
    }
    free(imgs);
}
