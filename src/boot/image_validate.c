/*
 * Full validation of an MCUboot image, following bootutil_img_validate:
 * structure, digest, then signatures selected by key TLVs. Where MCUboot is
 * lax the checks here are stricter, never looser (noted where it matters).
 */
#include <string.h>

#include "boot/image.h"

#include "boot/byteorder.h"

/* Largest signature TLV accepted: RSA-3072 (384 B) with room to spare. */
#define IMAGE_SIG_MAX 512
/* PUBKEY TLVs are compared with trusted keys piecewise through this. */
#define IMAGE_KEY_CMP_CHUNK 64

static int fail_at(struct image_result *res, int rc, const struct image_tlv *tlv)
{
    res->reason = rc;
    if (tlv != NULL) {
        res->bad_tlv_type = tlv->type;
        res->bad_tlv_off = tlv->off;
    }
    return rc;
}

static int fail(struct image_result *res, int rc)
{
    return fail_at(res, rc, NULL);
}

/* The types MCUboot may find in the unprotected area: hash, key,
 * signature and encryption TLVs (its TLV allow-list, all algorithms). */
static bool unprotected_type_allowed(uint16_t type)
{
    switch (type) {
    case IMAGE_TLV_KEYHASH:
    case IMAGE_TLV_PUBKEY:
    case IMAGE_TLV_SHA256:
    case IMAGE_TLV_SHA384:
    case IMAGE_TLV_SHA512:
    case IMAGE_TLV_RSA2048_PSS:
    case IMAGE_TLV_ECDSA_SIG:
    case IMAGE_TLV_RSA3072_PSS:
    case IMAGE_TLV_ED25519:
    case IMAGE_TLV_SIG_PURE:
    case IMAGE_TLV_ENC_RSA2048:
    case IMAGE_TLV_ENC_KW:
    case IMAGE_TLV_ENC_EC256:
    case IMAGE_TLV_ENC_X25519:
    case IMAGE_TLV_ENC_X25519_SHA512:
        return true;
    default:
        return false;
    }
}

static bool is_signature_type(uint16_t type)
{
    return type == IMAGE_TLV_RSA2048_PSS || type == IMAGE_TLV_ECDSA_SIG ||
           type == IMAGE_TLV_RSA3072_PSS || type == IMAGE_TLV_ED25519;
}

/* Whether a key of this type can have made a signature TLV of that type. */
static bool key_fits_signature(enum crypto_sig_type key, uint16_t tlv_type)
{
    switch (tlv_type) {
    case IMAGE_TLV_RSA2048_PSS:
        return key == CRYPTO_SIG_RSA2048_PSS;
    case IMAGE_TLV_RSA3072_PSS:
        return key == CRYPTO_SIG_RSA3072_PSS;
    case IMAGE_TLV_ED25519:
        return key == CRYPTO_SIG_ED25519;
    case IMAGE_TLV_ECDSA_SIG:
        return key == CRYPTO_SIG_ECDSA_P256 || key == CRYPTO_SIG_ECDSA_P384;
    default:
        return false;
    }
}

/* Compare without an early exit so the time does not tell how many leading
 * bytes of a forged digest were right. */
static bool equal_ct(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint8_t diff = 0;

    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

static int read_tlv(const struct flash_area *fa, const struct image_tlv *tlv, void *buf)
{
    return flash_area_read(fa, tlv->off, buf, tlv->len) == 0 ? IMAGE_OK : IMAGE_EFLASH;
}

/* First pass: structure, hash TLV, protected-only TLVs, unknown types. */
static int scan_tlvs(const struct flash_area *fa, const struct image_policy *policy,
                     struct image_result *res, struct image_tlv *hash_tlv)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    size_t hash_count = 0;
    int rc;

    rc = image_tlv_iter_begin(&it, fa, &res->hdr, IMAGE_TLV_ANY);
    if (rc != 0) {
        res->bad_tlv_off = image_tlv_off(&res->hdr);
        return fail(res, rc);
    }
    res->image_end = image_tlv_iter_end(&it);
    if (res->image_end > (policy->max_image_end != 0 ? policy->max_image_end : fa->size)) {
        return fail(res, IMAGE_ETOOBIG);
    }

    while ((rc = image_tlv_iter_next(&it, &tlv)) == 1) {
        if (image_hash_alg_of_tlv(tlv.type) >= 0) {
            hash_count++;
            if (hash_count > 1) {
                return fail_at(res, IMAGE_EHASHDUP, &tlv);
            }
            *hash_tlv = tlv;
        } else if (tlv.type == IMAGE_TLV_SEC_CNT) {
            uint8_t raw[IMAGE_SEC_CNT_TLV_LEN];

            if (!tlv.protected_tlv || tlv.len != IMAGE_SEC_CNT_TLV_LEN || res->has_sec_cnt) {
                return fail_at(res, IMAGE_ESECCNT, &tlv);
            }
            rc = read_tlv(fa, &tlv, raw);
            if (rc != 0) {
                return fail_at(res, rc, &tlv);
            }
            res->sec_cnt = boot_get_le32(raw);
            res->has_sec_cnt = true;
        } else if (tlv.type == IMAGE_TLV_DEPENDENCY) {
            uint8_t raw[IMAGE_DEPENDENCY_TLV_LEN];
            struct image_dependency *dep;

            if (!tlv.protected_tlv || tlv.len != IMAGE_DEPENDENCY_TLV_LEN) {
                return fail_at(res, IMAGE_EDEPENDENCY, &tlv);
            }
            if (res->dep_count == IMAGE_MAX_DEPENDENCIES) {
                return fail_at(res, IMAGE_EDEPCOUNT, &tlv);
            }
            rc = read_tlv(fa, &tlv, raw);
            if (rc != 0) {
                return fail_at(res, rc, &tlv);
            }
            /* image_id u8, 3 padding bytes, then an image_version. */
            dep = &res->deps[res->dep_count++];
            dep->image_id = raw[0];
            dep->min_version.major = raw[4];
            dep->min_version.minor = raw[5];
            dep->min_version.revision = boot_get_le16(raw + 6);
            dep->min_version.build_num = boot_get_le32(raw + 8);
        } else if (tlv.type == IMAGE_TLV_SIG_PURE) {
            return fail_at(res, IMAGE_ESIGPURE, &tlv);
        }

        if (!tlv.protected_tlv && !unprotected_type_allowed(tlv.type)) {
            if (res->unknown_tlv_count < IMAGE_MAX_UNKNOWN_TLVS) {
                res->unknown_tlvs[res->unknown_tlv_count] = tlv.type;
            }
            res->unknown_tlv_count++;
            if (policy->tlv_allow_list) {
                return fail_at(res, IMAGE_EUNKNOWNTLV, &tlv);
            }
        }
    }
    if (rc < 0) {
        res->bad_tlv_off = it.next;
        return fail(res, rc);
    }
    if (hash_count == 0) {
        return fail(res, IMAGE_ENOHASH);
    }
    return IMAGE_OK;
}

static int check_digest(const struct flash_area *fa, struct image_result *res,
                        const struct image_tlv *hash_tlv)
{
    uint8_t stored[CRYPTO_HASH_MAX_LEN];
    int rc;

    res->hash_alg = (enum crypto_hash_alg)image_hash_alg_of_tlv(hash_tlv->type);
    res->digest_len = crypto_hash_len(res->hash_alg);
    if (hash_tlv->len != res->digest_len) {
        return fail_at(res, IMAGE_EHASHLEN, hash_tlv);
    }
    rc = image_hash_compute(fa, &res->hdr, res->hash_alg, res->digest);
    if (rc != 0) {
        return fail(res, rc);
    }
    rc = read_tlv(fa, hash_tlv, stored);
    if (rc != 0) {
        return fail_at(res, rc, hash_tlv);
    }
    if (!equal_ct(stored, res->digest, res->digest_len)) {
        return fail_at(res, IMAGE_EHASH, hash_tlv);
    }
    return IMAGE_OK;
}

static int hash_key(enum crypto_hash_alg alg, const struct image_key *k, uint8_t *out)
{
    struct crypto_hash_ctx ctx;

    if (crypto_hash_init(&ctx, alg) != 0 || crypto_hash_update(&ctx, k->key, k->key_len) != 0 ||
        crypto_hash_finish(&ctx, out) != 0) {
        return IMAGE_ECRYPTO;
    }
    return IMAGE_OK;
}

/* Index of the trusted key whose hash (with the image's algorithm) is the
 * KEYHASH value, or -1. MCUboot also accepts a prefix of the hash; a full
 * hash is required here. */
static int find_key_by_hash(const struct image_policy *policy, struct image_result *res,
                            const uint8_t *keyhash, int *key)
{
    uint8_t h[CRYPTO_HASH_MAX_LEN];

    *key = -1;
    for (size_t i = 0; i < policy->key_count; i++) {
        const struct image_key *k = &policy->keys[i];

        if (hash_key(res->hash_alg, k, h) != 0) {
            return fail(res, IMAGE_ECRYPTO);
        }
        if (memcmp(h, keyhash, res->digest_len) == 0) {
            *key = (int)i;
            return IMAGE_OK;
        }
    }
    return IMAGE_OK;
}

/* Index of the trusted key equal to the PUBKEY value, or -1. */
static int find_key_by_value(const struct flash_area *fa, const struct image_policy *policy,
                             struct image_result *res, const struct image_tlv *tlv, int *key)
{
    uint8_t chunk[IMAGE_KEY_CMP_CHUNK];

    *key = -1;
    for (size_t i = 0; i < policy->key_count; i++) {
        const struct image_key *k = &policy->keys[i];
        bool same = k->key_len == tlv->len;

        for (size_t done = 0; same && done < tlv->len; done += sizeof(chunk)) {
            size_t n = tlv->len - done < sizeof(chunk) ? tlv->len - done : sizeof(chunk);

            if (flash_area_read(fa, tlv->off + (uint32_t)done, chunk, n) != 0) {
                return fail_at(res, IMAGE_EFLASH, tlv);
            }
            same = memcmp(chunk, k->key + done, n) == 0;
        }
        if (same) {
            *key = (int)i;
            return IMAGE_OK;
        }
    }
    return IMAGE_OK;
}

static int verify_one(const struct flash_area *fa, const struct image_policy *policy,
                      struct image_result *res, const struct image_tlv *tlv, int key)
{
    const struct image_key *k = &policy->keys[key];
    uint8_t sig[IMAGE_SIG_MAX];
    int rc;

    if (tlv->len > sizeof(sig) || tlv->len == 0) {
        return fail_at(res, IMAGE_EBADSIG, tlv);
    }
    rc = read_tlv(fa, tlv, sig);
    if (rc != 0) {
        return fail_at(res, rc, tlv);
    }
    rc = crypto_verify(k->type, k->key, k->key_len, res->digest, res->digest_len, sig, tlv->len);
    switch (rc) {
    case CRYPTO_OK:
        return IMAGE_OK;
    case CRYPTO_EBADKEY:
        return fail_at(res, IMAGE_EBADKEY, tlv);
    case CRYPTO_EBADSIG:
    case CRYPTO_EINVAL:
        /* EINVAL: the digest length does not suit the algorithm (e.g. a
         * P-256 key on a SHA-384 image): the signature cannot be good. */
        return fail_at(res, IMAGE_EBADSIG, tlv);
    default:
        return fail_at(res, IMAGE_ECRYPTO, tlv);
    }
}

/*
 * Second pass: a KEYHASH or PUBKEY TLV selects a key for the signature TLV
 * that follows it; signatures without a trusted key are skipped. A
 * signature of a trusted key that fails rejects the image at once (MCUboot
 * lets the last checked signature decide; with one signature, as imgtool
 * makes them, both agree).
 */
static int check_signatures(const struct flash_area *fa, const struct image_policy *policy,
                            struct image_result *res)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    bool saw_signature = false;
    int key = -1;
    int rc;

    rc = image_tlv_iter_begin(&it, fa, &res->hdr, IMAGE_TLV_ANY);
    if (rc != 0) {
        return fail(res, rc);
    }
    while ((rc = image_tlv_iter_next(&it, &tlv)) == 1) {
        if (tlv.type == IMAGE_TLV_KEYHASH) {
            uint8_t keyhash[CRYPTO_HASH_MAX_LEN];

            if (tlv.len != res->digest_len) {
                return fail_at(res, IMAGE_EKEYLEN, &tlv);
            }
            rc = read_tlv(fa, &tlv, keyhash);
            if (rc != 0) {
                return fail_at(res, rc, &tlv);
            }
            rc = find_key_by_hash(policy, res, keyhash, &key);
        } else if (tlv.type == IMAGE_TLV_PUBKEY) {
            rc = find_key_by_value(fa, policy, res, &tlv, &key);
        } else if (is_signature_type(tlv.type)) {
            saw_signature = true;
            if (key >= 0 && key_fits_signature(policy->keys[key].type, tlv.type)) {
                rc = verify_one(fa, policy, res, &tlv, key);
                if (rc == 0 && res->key_index < 0) {
                    res->key_index = key;
                }
            }
            key = -1;
        }
        if (rc < 0) {
            return rc;
        }
    }
    if (rc < 0) {
        return fail(res, rc);
    }
    if (res->key_index >= 0) {
        return IMAGE_OK;
    }
    return fail(res, saw_signature ? IMAGE_ENOKEY : IMAGE_ENOSIG);
}

int image_validate(const struct flash_area *fa, const struct image_policy *policy,
                   struct image_result *res)
{
    struct image_tlv hash_tlv = {0};
    int rc;

    if (res == NULL) {
        return IMAGE_EINVAL;
    }
    memset(res, 0, sizeof(*res));
    res->key_index = -1;
    if (fa == NULL || policy == NULL ||
        (policy->mode == IMAGE_VERIFY_SIGNED && (policy->keys == NULL || policy->key_count == 0)) ||
        (policy->mode != IMAGE_VERIFY_SIGNED && policy->mode != IMAGE_VERIFY_HASH_ONLY)) {
        return fail(res, IMAGE_EINVAL);
    }

    rc = image_header_read(fa, &res->hdr);
    if (rc != 0) {
        return fail(res, rc);
    }
    if (res->hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) {
        return fail(res, IMAGE_EENCRYPTED);
    }
    if (res->hdr.flags & (IMAGE_F_COMPRESSED_LZMA1 | IMAGE_F_COMPRESSED_LZMA2 |
                          IMAGE_F_COMPRESSED_ARM_THUMB_FLT)) {
        return fail(res, IMAGE_ECOMPRESSED);
    }

    rc = scan_tlvs(fa, policy, res, &hash_tlv);
    if (rc != 0) {
        return rc;
    }
    rc = check_digest(fa, res, &hash_tlv);
    if (rc != 0) {
        return rc;
    }
    if (policy->mode == IMAGE_VERIFY_SIGNED) {
        rc = check_signatures(fa, policy, res);
        if (rc != 0) {
            return rc;
        }
    }
    res->reason = IMAGE_OK;
    return IMAGE_OK;
}
