#include "imagetool/bootloader.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>

#include "boot/byteorder.h"
#include "boot/nsib_fw_info.h"
#include "boot/nsib_validate.h"
#include "imagetool/errmsg.h"
#include "imagetool/image_sign.h"

#define RAW_SIG_LEN 64u
#define SPKI_P256_POINT_LEN 65u

int bootloader_pubkey_raw(const struct crypto_key *key, uint8_t out[64])
{
    uint8_t der[128];
    size_t len;

    if (key == NULL || crypto_key_type(key) != CRYPTO_SIG_ECDSA_P256 ||
        crypto_key_public_der(key, der, sizeof(der), &len) != 0 || len < SPKI_P256_POINT_LEN) {
        return -1;
    }
    /* A P-256 SubjectPublicKeyInfo ends with the uncompressed point 04||X||Y. */
    if (der[len - SPKI_P256_POINT_LEN] != 0x04) {
        return -1;
    }
    memcpy(out, der + len - 64, 64);
    return 0;
}

/* DER SEQUENCE { INTEGER r, INTEGER s } -> r||s, 32 bytes each. */
static int der_to_raw(const uint8_t *der, size_t len, uint8_t raw[RAW_SIG_LEN])
{
    unsigned char *p = (unsigned char *)der;
    const unsigned char *end = der + len;
    mbedtls_mpi r;
    mbedtls_mpi s;
    size_t seq;
    int rc;

    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    rc = mbedtls_asn1_get_tag(&p, end, &seq, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
    if (rc == 0) {
        rc = mbedtls_asn1_get_mpi(&p, end, &r);
    }
    if (rc == 0) {
        rc = mbedtls_asn1_get_mpi(&p, end, &s);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&r, raw, 32);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&s, raw + 32, 32);
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return rc == 0 ? 0 : -1;
}

/* The fw_info room: reserved bytes (all 0x00 or all 0xff) or a fw_info. */
static bool fw_info_room(const uint8_t *p)
{
    bool zero = true;
    bool erased = true;

    if (boot_get_le32(p) == NSIB_MAGIC_COMMON && boot_get_le32(p + 4) == NSIB_MAGIC_FW_INFO) {
        return true;
    }
    for (uint32_t i = 0; i < NSIB_FW_INFO_SIZE; i++) {
        zero = zero && p[i] == 0x00;
        erased = erased && p[i] == 0xff;
    }
    return zero || erased;
}

int bootloader_sign_b0(const uint8_t *fw, size_t len, uint32_t image_addr, uint32_t version,
                       const struct crypto_key *key, uint8_t hw_id, uint8_t **out, size_t *out_len,
                       char *err, size_t err_len)
{
    struct nsib_fw_info info = { 0 };
    uint8_t pub[64];
    uint8_t hash[32];
    uint8_t digest[32];
    uint8_t der[80];
    uint8_t sig[RAW_SIG_LEN];
    uint8_t vinfo[NSIB_VINFO_SIZE];
    size_t der_len;
    size_t vinfo_off;
    uint32_t reset;
    uint8_t *img;

    if (len < BOOTLOADER_FW_INFO_OFFSET + NSIB_FW_INFO_SIZE || len > UINT32_MAX / 2) {
        return errmsg(err, err_len, "firmware of %zu bytes cannot hold fw_info at 0x%x", len,
                      BOOTLOADER_FW_INFO_OFFSET);
    }
    /* NCS: FW_INFO_FIRMWARE_VERSION is at most 32766 with monotonic
     * counters -- (32767 << 1) | 1 would be 0xFFFF, an erased slot. */
    if (version == 0 || version > 32766) {
        return errmsg(err, err_len, "fw_info version %u out of range 1..32766 (the monotonic "
                      "counter holds version << 1 | slot in 16 bits)", (unsigned)version);
    }
    if (bootloader_pubkey_raw(key, pub) != 0 || !crypto_key_is_private(key)) {
        return errmsg(err, err_len, "the first-stage key must be an ECDSA P-256 private key");
    }
    reset = boot_get_le32(fw + 4);
    if (reset < image_addr || reset - image_addr >= len) {
        return errmsg(err, err_len, "reset vector 0x%08x is not inside the firmware linked at 0x%08x",
                      (unsigned)reset, (unsigned)image_addr);
    }
    if (!fw_info_room(fw + BOOTLOADER_FW_INFO_OFFSET)) {
        return errmsg(err, err_len, "bytes 0x%x..0x%x hold code: the link must leave room for fw_info",
                      BOOTLOADER_FW_INFO_OFFSET, BOOTLOADER_FW_INFO_OFFSET + NSIB_FW_INFO_SIZE);
    }
    vinfo_off = (len + 3) & ~(size_t)3;
    img = malloc(vinfo_off + NSIB_VINFO_SIZE);
    if (img == NULL) {
        return errmsg(err, err_len, "out of memory");
    }
    memcpy(img, fw, len);
    memset(img + len, 0xff, vinfo_off - len);
    info.size = (uint32_t)len;
    info.version = version;
    info.address = image_addr;
    info.boot_address = image_addr;
    info.valid = NSIB_FW_INFO_VALID;
    nsib_fw_info_encode(&info, hw_id, img + BOOTLOADER_FW_INFO_OFFSET);

    if (crypto_hash(CRYPTO_SHA256, img, len, hash) != 0 || nsib_signed_digest(img, (uint32_t)len, digest) != 0 ||
        crypto_key_sign(key, digest, sizeof(digest), der, sizeof(der), &der_len) != 0 ||
        der_to_raw(der, der_len, sig) != 0) {
        free(img);
        return errmsg(err, err_len, "signing with the first-stage key failed");
    }
    nsib_vinfo_encode(hw_id, image_addr, hash, pub, sig, vinfo);
    memcpy(img + vinfo_off, vinfo, sizeof(vinfo));
    *out = img;
    *out_len = vinfo_off + NSIB_VINFO_SIZE;
    return 0;
}

void bootloader_variants_free(struct bootloader_variant v[2])
{
    for (int i = 0; i < 2; i++) {
        free(v[i].b0_signed);
        free(v[i].update);
        v[i] = (struct bootloader_variant){ 0 };
    }
}

int bootloader_build(const uint8_t *fw, size_t len, const uint8_t *fw_s1, size_t len_s1,
                     const struct bootloader_opts *o, struct bootloader_variant out[2], char *err,
                     size_t err_len)
{
    memset(out, 0, 2 * sizeof(*out));
    if (o->pad < IMAGE_HEADER_SIZE || o->pad > 0xffff) {
        return errmsg(err, err_len, "S-slot pad 0x%x cannot be an MCUboot header size", (unsigned)o->pad);
    }
    if (o->s_addr[0] == o->s_addr[1]) {
        return errmsg(err, err_len, "S0 and S1 must be at different addresses");
    }
    for (int i = 0; i < 2; i++) {
        const uint8_t *src = fw;
        size_t n = len;
        uint8_t *copy = NULL;
        uint32_t image_addr = o->s_addr[i] + o->pad;
        struct sign_opts so;
        int rc;

        if (i == 1 && fw_s1 != NULL) {
            src = fw_s1;
            n = len_s1;
        } else if (i == 1) {
            if (n < 8) {
                return errmsg(err, err_len, "firmware too short for a vector table");
            }
            copy = malloc(n);
            if (copy == NULL) {
                bootloader_variants_free(out);
                return errmsg(err, err_len, "out of memory");
            }
            memcpy(copy, fw, n);
            boot_put_le32(copy + 4, boot_get_le32(fw + 4) - o->s_addr[0] + o->s_addr[1]);
            src = copy;
        }
        rc = bootloader_sign_b0(src, n, image_addr, o->fw_version, o->b0_key, o->hw_id, &out[i].b0_signed,
                                &out[i].b0_len, err, err_len);
        free(copy);
        if (rc != 0) {
            bootloader_variants_free(out);
            return -1;
        }
        sign_opts_init(&so);
        so.key = o->mcuboot_key;
        so.version = o->mcuboot_version;
        so.hdr_size = (uint16_t)o->pad;
        so.pad_header = true;
        so.slot_size = o->slot_size;
        so.align = 4; /* NCS signs the S-slot images with --align 4 */
        if (image_sign(out[i].b0_signed, out[i].b0_len, &so, &out[i].update, &out[i].update_len, err,
                       err_len) != 0) {
            bootloader_variants_free(out);
            return -1;
        }
    }
    return 0;
}
