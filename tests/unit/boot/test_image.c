/*
 * Image parsing and validation against imgtool-made vectors, and every
 * rejection on images derived from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "boot/image.h"
#include "boot_test_support.h"

#define SLOT_SIZE 0x40000u
/* Erased slot the truncated images are put in (bigger than any of them). */
#define TRUNC_SLOT_SIZE 0x4000u

/* ---- trusted keys -------------------------------------------------------- */

struct key_file {
    const char *file;
    enum crypto_sig_type type;
};

static const struct key_file key_files[] = {
    {"keys/rsa-2048.pub.der", CRYPTO_SIG_RSA2048_PSS},
    {"keys/rsa-3072.pub.der", CRYPTO_SIG_RSA3072_PSS},
    {"keys/ecdsa-p256.pub.der", CRYPTO_SIG_ECDSA_P256},
    {"keys/ecdsa-p384.pub.der", CRYPTO_SIG_ECDSA_P384},
    {"keys/ed25519.pub.der", CRYPTO_SIG_ED25519},
};
#define KEY_COUNT (sizeof(key_files) / sizeof(key_files[0]))
enum { K_RSA2048, K_RSA3072, K_P256, K_P384, K_ED25519 };

static struct image_key all_keys[KEY_COUNT];

static void load_keys(void)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        size_t len;

        if (all_keys[i].key != NULL) {
            continue;
        }
        all_keys[i].key = bt_read_vector(key_files[i].file, &len);
        all_keys[i].key_len = len;
        all_keys[i].type = key_files[i].type;
    }
}

static struct image_policy signed_by(const struct image_key *keys, size_t n)
{
    struct image_policy p = {
        .mode = IMAGE_VERIFY_SIGNED,
        .keys = keys,
        .key_count = n,
    };
    return p;
}

static const struct image_policy hash_only = {.mode = IMAGE_VERIFY_HASH_ONLY};

/* ---- the imgtool vectors ---------------------------------------------- */

struct vector {
    const char *name;
    int key; /* index in key_files */
};

static const struct vector vectors[] = {
    {"ecdsa-p256-100k-auto", K_P256}, {"ecdsa-p256-basic", K_P256},
    {"ecdsa-p384-basic", K_P384},     {"ed25519-basic", K_ED25519},
    {"ed25519-confirm-pad", K_ED25519}, {"ed25519-overwrite", K_ED25519},
    {"ed25519-seccnt-full", K_ED25519}, {"ed25519-sha512", K_ED25519},
    {"ed25519-test-pad-a16", K_ED25519}, {"ed25519-zeroed-hdr", K_ED25519},
    {"rsa-2048-basic", K_RSA2048},    {"rsa-3072-basic", K_RSA3072},
};

static cJSON *load_json(const char *name)
{
    char rel[128];
    size_t len;
    uint8_t *text;
    cJSON *j;

    snprintf(rel, sizeof(rel), "signed/%s.dumpinfo.json", name);
    text = bt_read_vector(rel, &len);
    j = cJSON_Parse((const char *)text);
    free(text);
    assert_non_null(j);
    return j;
}

static double jnum(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

/* The digest line of imgtool verify's output. */
static size_t load_verify_digest(const char *name, uint8_t *out)
{
    char rel[128];
    size_t len;
    char *text;
    const char *d;
    char hex[CRYPTO_HASH_MAX_LEN * 2 + 1] = {0};

    snprintf(rel, sizeof(rel), "signed/%s.verify.txt", name);
    text = (char *)bt_read_vector(rel, &len);
    assert_non_null(strstr(text, "Image was correctly validated"));
    d = strstr(text, "Image digest: ");
    assert_non_null(d);
    d += strlen("Image digest: ");
    for (size_t i = 0; i < sizeof(hex) - 1 && d[i] != '\n' && d[i] != '\0'; i++) {
        hex[i] = d[i];
    }
    free(text);
    return bt_unhex(hex, out, CRYPTO_HASH_MAX_LEN);
}

static uint8_t *load_image(const char *name, size_t *len)
{
    char rel[128];

    snprintf(rel, sizeof(rel), "signed/%s.bin", name);
    return bt_read_vector(rel, len);
}

static void check_tlvs_against_json(struct bt_slot *s, const struct image_header *hdr,
                                    const cJSON *tlv_area)
{
    const cJSON *lists[2] = {cJSON_GetObjectItemCaseSensitive(tlv_area, "tlvs_prot"),
                             cJSON_GetObjectItemCaseSensitive(tlv_area, "tlvs")};
    struct image_tlv_iter it;
    struct image_tlv tlv;

    assert_int_equal(image_tlv_iter_begin(&it, &s->fa, hdr, IMAGE_TLV_ANY), 0);
    for (int l = 0; l < 2; l++) {
        const cJSON *e;

        cJSON_ArrayForEach(e, lists[l]) {
            uint8_t want[512];
            uint8_t got[512];
            size_t n = bt_unhex(cJSON_GetObjectItemCaseSensitive(e, "data")->valuestring, want,
                                sizeof(want));

            assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
            assert_int_equal(tlv.type, (int)jnum(e, "type"));
            assert_int_equal(tlv.len, (int)jnum(e, "len"));
            assert_int_equal(tlv.len, n);
            assert_int_equal(tlv.protected_tlv, l == 0);
            assert_int_equal(flash_area_read(&s->fa, tlv.off, got, tlv.len), 0);
            assert_memory_equal(got, want, n);
        }
    }
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
}

static void test_vector(void **state)
{
    const struct vector *v = *state;
    size_t len;
    uint8_t *img = load_image(v->name, &len);
    cJSON *j = load_json(v->name);
    const cJSON *jh = cJSON_GetObjectItemCaseSensitive(j, "header");
    const cJSON *ta = cJSON_GetObjectItemCaseSensitive(j, "tlv_area");
    uint8_t digest[CRYPTO_HASH_MAX_LEN];
    size_t digest_len = load_verify_digest(v->name, digest);
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, img, len, 0xff, 4);
    struct image_header hdr;
    struct image_result res;
    struct image_policy pol;
    struct image_slot_info info;
    struct image_key others[KEY_COUNT];
    size_t n_others = 0;
    char ver[32];
    char want_ver[32];

    load_keys();

    /* header fields as imgtool dumpinfo reports them */
    assert_int_equal(image_header_read(&s->fa, &hdr), 0);
    assert_int_equal(hdr.magic, (uint32_t)jnum(jh, "magic"));
    assert_int_equal(hdr.load_addr, (uint32_t)jnum(jh, "load_addr"));
    assert_int_equal(hdr.hdr_size, (int)jnum(jh, "hdr_size"));
    assert_int_equal(hdr.protect_tlv_size, (int)jnum(jh, "protected_tlv_size"));
    assert_int_equal(hdr.img_size, (uint32_t)jnum(jh, "img_size"));
    assert_int_equal(hdr.flags, (uint32_t)jnum(jh, "flags"));
    snprintf(ver, sizeof(ver), "%u.%u.%u+%u", hdr.ver.major, hdr.ver.minor, hdr.ver.revision,
             (unsigned)hdr.ver.build_num);
    assert_string_equal(ver, cJSON_GetObjectItemCaseSensitive(jh, "version")->valuestring);

    check_tlvs_against_json(s, &hdr, ta);

    /* full validation with its key */
    pol = signed_by(&all_keys[v->key], 1);
    assert_int_equal(image_validate(&s->fa, &pol, &res), IMAGE_OK);
    assert_int_equal(res.reason, IMAGE_OK);
    assert_int_equal(res.digest_len, digest_len);
    assert_memory_equal(res.digest, digest, digest_len);
    assert_int_equal(res.key_index, 0);
    assert_int_equal(res.unknown_tlv_count, 0);
    assert_int_equal(res.dep_count, 0);
    assert_int_equal(res.image_end,
                     hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size +
                         (uint32_t)jnum(cJSON_GetObjectItemCaseSensitive(ta, "tlv_hdr"), "tlv_tot"));
    {
        const cJSON *prot = cJSON_GetObjectItemCaseSensitive(ta, "tlvs_prot");
        const cJSON *e;
        bool want_sec = false;
        uint32_t want_cnt = 0;

        cJSON_ArrayForEach(e, prot) {
            if ((int)jnum(e, "type") == IMAGE_TLV_SEC_CNT) {
                uint8_t raw[4];

                bt_unhex(cJSON_GetObjectItemCaseSensitive(e, "data")->valuestring, raw, 4);
                want_sec = true;
                want_cnt = (uint32_t)raw[0] | ((uint32_t)raw[1] << 8) |
                           ((uint32_t)raw[2] << 16) | ((uint32_t)raw[3] << 24);
            }
        }
        assert_int_equal(res.has_sec_cnt, want_sec);
        assert_int_equal(res.sec_cnt, want_cnt);
    }
    assert_int_equal(res.hash_alg, digest_len == 32   ? CRYPTO_SHA256
                                   : digest_len == 48 ? CRYPTO_SHA384
                                                      : CRYPTO_SHA512);

    /* all keys trusted: the one that signed is reported */
    pol = signed_by(all_keys, KEY_COUNT);
    assert_int_equal(image_validate(&s->fa, &pol, &res), IMAGE_OK);
    assert_int_equal(res.key_index, v->key);

    /* every key but its own: the signature is skipped, nothing verifies */
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if ((int)i != v->key) {
            others[n_others++] = all_keys[i];
        }
    }
    pol = signed_by(others, n_others);
    assert_int_equal(image_validate(&s->fa, &pol, &res), IMAGE_ENOKEY);
    assert_int_equal(res.reason, IMAGE_ENOKEY);

    /* integrity only */
    assert_int_equal(image_validate(&s->fa, &hash_only, &res), IMAGE_OK);
    assert_int_equal(res.key_index, -1);
    assert_memory_equal(res.digest, digest, digest_len);

    /* the quick look of an image list */
    assert_int_equal(image_read_info(&s->fa, &info), IMAGE_OK);
    assert_int_equal(info.hash_len, digest_len);
    assert_memory_equal(info.hash, digest, digest_len);
    assert_int_equal(info.hdr.img_size, hdr.img_size);
    assert_int_equal(info.image_end, res.image_end);

    /* the same image in an area of exactly its own size (unpadded ones) */
    if (len < SLOT_SIZE) {
        struct bt_slot *exact = bt_slot_new((uint32_t)len, img, len, 0xff, 4);

        pol = signed_by(&all_keys[v->key], 1);
        assert_int_equal(image_validate(&exact->fa, &pol, &res), IMAGE_OK);
        assert_memory_equal(res.digest, digest, digest_len);
        bt_slot_free(exact);
    }

    snprintf(want_ver, sizeof(want_ver), hdr.ver.build_num ? "%u.%u.%u.%u" : "%u.%u.%u",
             hdr.ver.major, hdr.ver.minor, hdr.ver.revision, (unsigned)hdr.ver.build_num);
    assert_int_equal(image_version_to_str(&hdr.ver, ver, sizeof(ver)), (int)strlen(want_ver));
    assert_string_equal(ver, want_ver);

    bt_slot_free(s);
    cJSON_Delete(j);
    free(img);
}

static void test_unsigned_hash_only(void **state)
{
    size_t len;
    uint8_t *img = load_image("unsigned-hash-only", &len);
    cJSON *j = load_json("unsigned-hash-only");
    const cJSON *tlvs = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "tlv_area"), "tlvs");
    uint8_t want[32];
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, img, len, 0xff, 4);
    struct image_result res;
    struct image_policy pol;

    (void)state;
    load_keys();
    bt_unhex(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(tlvs, 0), "data")->valuestring,
             want, sizeof(want));

    assert_int_equal(image_validate(&s->fa, &hash_only, &res), IMAGE_OK);
    assert_memory_equal(res.digest, want, 32);
    assert_int_equal(res.key_index, -1);

    pol = signed_by(all_keys, KEY_COUNT);
    assert_int_equal(image_validate(&s->fa, &pol, &res), IMAGE_ENOSIG);
    /* the digest was still checked before the signature verdict */
    assert_memory_equal(res.digest, want, 32);

    /* signatures required but no key given: a policy error, not a verdict */
    pol = signed_by(NULL, 0);
    assert_int_equal(image_validate(&s->fa, &pol, &res), IMAGE_EINVAL);

    bt_slot_free(s);
    cJSON_Delete(j);
    free(img);
}

/* ---- rejections ------------------------------------------------------- */

/* Validate a modified copy of a vector with its key; returns the result. */
static int validate_bytes(const uint8_t *img, size_t len, uint32_t slot, int key,
                          struct image_result *res)
{
    struct bt_slot *s = bt_slot_new(slot, img, len, 0xff, 4);
    struct image_policy pol = signed_by(&all_keys[key], 1);
    int rc = image_validate(&s->fa, &pol, res);

    bt_slot_free(s);
    return rc;
}

static uint32_t tlv_off_of(const uint8_t *img)
{
    return (uint32_t)(img[8] | (img[9] << 8)) +
           ((uint32_t)img[12] | ((uint32_t)img[13] << 8) | ((uint32_t)img[14] << 16));
}

static void test_bad_header(void **state)
{
    size_t len;
    uint8_t *img = load_image("ed25519-basic", &len);
    uint8_t *m = malloc(len);
    struct image_result res;

    (void)state;
    load_keys();

    memcpy(m, img, len);
    m[0] ^= 0x01;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EBADMAGIC);
    assert_int_equal(res.reason, IMAGE_EBADMAGIC);
    assert_string_equal(image_strerror(res.reason), "bad header magic");

    /* the legacy magic is not this format */
    memcpy(m, img, len);
    m[0] = 0x3c;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EBADMAGIC);

    /* erased slot */
    assert_int_equal(validate_bytes(m, 0, SLOT_SIZE, K_ED25519, &res), IMAGE_EEMPTY);

    /* header size below 32 */
    memcpy(m, img, len);
    m[8] = 31;
    m[9] = 0;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EHDRSIZE);

    /* image size so large that hdr + img wraps 32 bits */
    memcpy(m, img, len);
    m[12] = m[13] = m[14] = m[15] = 0xff;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ETOOBIG);

    /* encrypted and compressed images are refused by name */
    memcpy(m, img, len);
    m[16] = 0x04;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EENCRYPTED);
    m[16] = 0x08;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EENCRYPTED);
    m[16] = 0x00;
    m[17] = 0x04; /* COMPRESSED_LZMA2 0x400 */
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ECOMPRESSED);

    free(m);
    free(img);
}

static void test_image_bigger_than_slot(void **state)
{
    size_t len;
    uint8_t *img = load_image("ed25519-basic", &len);
    struct image_result res;
    struct bt_slot *s;
    struct image_policy pol;

    (void)state;
    load_keys();
    /* header + payload (20992 B) do not fit below the end of the slot */
    assert_int_equal(validate_bytes(img, 20992, 20992, K_ED25519, &res), IMAGE_ETOOBIG);
    assert_string_equal(image_strerror(IMAGE_ETOOBIG), "image larger than slot");
    /* header + payload fit, the TLVs (ending at 21136) do not */
    assert_int_equal(validate_bytes(img, 21000, 21000, K_ED25519, &res), IMAGE_ETLVLEN);
    /* exactly fitting is fine */
    assert_int_equal(validate_bytes(img, len, (uint32_t)len, K_ED25519, &res), IMAGE_OK);

    /* a caller limit below the end of the TLVs (room for the trailer) */
    s = bt_slot_new(SLOT_SIZE, img, len, 0xff, 4);
    pol = signed_by(&all_keys[K_ED25519], 1);
    pol.max_image_end = (uint32_t)len - 1;
    assert_int_equal(image_validate(&s->fa, &pol, &res), IMAGE_ETOOBIG);
    pol.max_image_end = (uint32_t)len;
    assert_int_equal(image_validate(&s->fa, &pol, &res), IMAGE_OK);
    bt_slot_free(s);
    free(img);
}

static void test_hash_mismatch(void **state)
{
    size_t len;
    uint8_t *img = load_image("ed25519-seccnt-full", &len);
    uint8_t *m = malloc(len);
    const uint32_t prot_val = tlv_off_of(img) + 8; /* SEC_CNT value */
    /* header padding, a version byte, payload start/middle/end, the
     * protected info and the protected TLV value */
    const uint32_t flips[] = {23, 100, 511, 512, 60000, tlv_off_of(img) - 1,
                              tlv_off_of(img) + 1, prot_val};
    struct image_result res;

    (void)state;
    load_keys();
    for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        memcpy(m, img, len);
        m[flips[i]] ^= 0x10;
        int rc = validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res);
        /* a flip inside the protected info changes its size first */
        if (flips[i] == tlv_off_of(img) + 1) {
            assert_int_equal(rc, IMAGE_EPROTSIZE);
        } else {
            assert_int_equal(rc, IMAGE_EHASH);
            assert_int_equal(res.bad_tlv_type, IMAGE_TLV_SHA256);
            assert_string_equal(image_strerror(rc), "hash mismatch");
        }
    }
    /* the flipped SEC_CNT value is read before the hash fails */
    memcpy(m, img, len);
    m[prot_val] ^= 0x10;
    validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res);
    assert_int_equal(res.sec_cnt, 7 ^ 0x10);

    /* a flip in the stored hash itself */
    memcpy(m, img, len);
    m[tlv_off_of(img) + 12 + 4 + 4 + 5] ^= 0x01;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EHASH);

    /* the unprotected area is not hashed: a flip in the signature is a bad
     * signature, not a hash mismatch */
    memcpy(m, img, len);
    m[len - 1] ^= 0x01;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EBADSIG);
    free(m);
    free(img);
}

static void test_bad_signatures(void **state)
{
    static const struct {
        const char *name;
        int key;
    } cases[] = {
        {"ed25519-basic", K_ED25519},   {"ecdsa-p256-basic", K_P256},
        {"ecdsa-p384-basic", K_P384},   {"rsa-2048-basic", K_RSA2048},
        {"rsa-3072-basic", K_RSA3072},  {"ed25519-sha512", K_ED25519},
    };
    struct image_result res;

    (void)state;
    load_keys();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        uint8_t *img = load_image(cases[i].name, &len);

        /* last byte of the signature (ECDSA: inside s, not the padding:
         * p256-basic is padded to 72 bytes, so flip at its middle) */
        size_t at = strstr(cases[i].name, "ecdsa") ? len - 20 : len - 1;
        img[at] ^= 0x01;
        assert_int_equal(validate_bytes(img, len, SLOT_SIZE, cases[i].key, &res), IMAGE_EBADSIG);
        assert_int_equal(res.key_index, -1);
        assert_string_equal(image_strerror(res.reason), "bad signature");
        free(img);
    }
}

static void test_tlv_structure(void **state)
{
    size_t len;
    uint8_t *img = load_image("ed25519-basic", &len);
    uint8_t *m = malloc(len);
    const uint32_t info = tlv_off_of(img);
    struct image_result res;

    (void)state;
    load_keys();

    /* unprotected info magic missing */
    memcpy(m, img, len);
    m[info] = 0x06;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ETLVINFO);

    /* header says there is a protected area, there is none */
    memcpy(m, img, len);
    m[10] = 12;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EPROTSIZE);

    /* unprotected total larger than the slot */
    memcpy(m, img, len);
    m[info + 2] = 0xff;
    m[info + 3] = 0xff;
    assert_int_equal(validate_bytes(m, len, (uint32_t)len + 64, K_ED25519, &res),
                     IMAGE_ETLVLEN);

    /* last TLV (ED25519 at len - 68) claims more than the area holds */
    memcpy(m, img, len);
    m[len - 66] = 65;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ETLVLEN);
    assert_int_equal(res.bad_tlv_off, len - 68);
    assert_string_equal(image_strerror(IMAGE_ETLVLEN),
                        "TLV length past end of its area or of the slot");

    /* total shorter than the TLVs: the last one crosses the area end */
    memcpy(m, img, len);
    m[info + 2] = 140;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ETLVLEN);

    /* total too short to hold its own info */
    memcpy(m, img, len);
    m[info + 2] = 3;
    m[info + 3] = 0;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ETLVLEN);

    /* empty unprotected area: no hash */
    memcpy(m, img, len);
    m[info + 2] = 4;
    assert_int_equal(validate_bytes(m, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ENOHASH);
    assert_string_equal(image_strerror(IMAGE_ENOHASH), "hash TLV missing");

    free(m);
    free(img);
}

static void test_protected_size_mismatch(void **state)
{
    size_t len;
    uint8_t *img = load_image("ed25519-seccnt-full", &len);
    const uint32_t info = tlv_off_of(img);
    struct image_result res;

    (void)state;
    load_keys();
    /* header protect size disagrees with the 0x6908 info total */
    img[10] = 16;
    assert_int_equal(validate_bytes(img, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EPROTSIZE);
    img[10] = 0;
    assert_int_equal(validate_bytes(img, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EPROTSIZE);
    img[10] = 12;
    img[info + 2] = 16;
    assert_int_equal(validate_bytes(img, len, SLOT_SIZE, K_ED25519, &res), IMAGE_EPROTSIZE);
    /* a protected TLV running past the protected area */
    img[info + 2] = 12;
    img[info + 6] = 5;
    assert_int_equal(validate_bytes(img, len, SLOT_SIZE, K_ED25519, &res), IMAGE_ETLVLEN);
    assert_string_equal(image_strerror(IMAGE_EPROTSIZE),
                        "protected TLV area size does not match the header");
    free(img);
}

/* ---- rebuilt images --------------------------------------------------- */

static uint8_t *base_image(size_t *len)
{
    return load_image("ed25519-zeroed-hdr", len);
}

static int validate_built(const struct bt_image_spec *spec, const struct image_policy *pol,
                          struct image_result *res)
{
    static uint8_t buf[16384];
    size_t n = bt_build_image(spec, buf, sizeof(buf));
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, buf, n, 0xff, 4);
    int rc = image_validate(&s->fa, pol, res);

    bt_slot_free(s);
    return rc;
}

static void test_built_images(void **state)
{
    size_t len;
    uint8_t *base = base_image(&len);
    struct bt_signer a;
    struct bt_signer b;
    struct image_key ka;
    struct image_key kb;
    struct image_key both[2];
    struct image_result res;
    struct image_policy pol;
    static const uint8_t cnt[4] = {0x78, 0x56, 0x34, 0x12};
    static const uint8_t dep1[12] = {1, 0, 0, 0, 2, 3, 4, 0, 5, 0, 0, 0};
    static const uint8_t dep2[12] = {2, 0, 0, 0, 9, 8, 7, 6, 0, 0, 0, 1};
    static const uint8_t odd[3] = {1, 2, 3};

    (void)state;
    load_keys();
    bt_signer_new(&a);
    bt_signer_new(&b);
    ka = (struct image_key){CRYPTO_SIG_ED25519, a.der, sizeof(a.der)};
    kb = (struct image_key){CRYPTO_SIG_ED25519, b.der, sizeof(b.der)};
    both[0] = kb;
    both[1] = ka;

    /* an image signed here validates, with protected SEC_CNT and deps */
    {
        const struct bt_tlv prot[] = {{IMAGE_TLV_SEC_CNT, 4, cnt},
                                      {IMAGE_TLV_DEPENDENCY, 12, dep1},
                                      {IMAGE_TLV_DEPENDENCY, 12, dep2},
                                      {0x00a5, 3, odd}};
        struct bt_image_spec spec = {.base = base, .prot = prot, .nprot = 4, .hash_tlvs = 1,
                                     .signer = &a};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_OK);
        assert_true(res.has_sec_cnt);
        assert_int_equal(res.sec_cnt, 0x12345678);
        assert_int_equal(res.dep_count, 2);
        assert_int_equal(res.deps[0].image_id, 1);
        assert_int_equal(res.deps[0].min_version.major, 2);
        assert_int_equal(res.deps[0].min_version.minor, 3);
        assert_int_equal(res.deps[0].min_version.revision, 4);
        assert_int_equal(res.deps[0].min_version.build_num, 5);
        assert_int_equal(res.deps[1].image_id, 2);
        assert_int_equal(res.deps[1].min_version.revision, 0x0607);
        assert_int_equal(res.deps[1].min_version.build_num, 0x01000000);
        /* a custom protected TLV is not "unknown": only the unprotected
         * area is policed */
        assert_int_equal(res.unknown_tlv_count, 0);

        /* the key of the second signer verifies nothing */
        pol = signed_by(&kb, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ENOKEY);
        assert_string_equal(image_strerror(IMAGE_ENOKEY), "no trusted key matches the key hash");
        /* index of the key that verified */
        pol = signed_by(both, 2);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_OK);
        assert_int_equal(res.key_index, 1);
    }

    /* too many dependencies */
    {
        const struct bt_tlv prot[] = {
            {IMAGE_TLV_DEPENDENCY, 12, dep1}, {IMAGE_TLV_DEPENDENCY, 12, dep1},
            {IMAGE_TLV_DEPENDENCY, 12, dep1}, {IMAGE_TLV_DEPENDENCY, 12, dep1},
            {IMAGE_TLV_DEPENDENCY, 12, dep1}};
        struct bt_image_spec spec = {.base = base, .prot = prot, .nprot = 5, .hash_tlvs = 1,
                                     .signer = &a};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EDEPCOUNT);
    }

    /* SEC_CNT in the unprotected area, of a wrong length, twice */
    {
        const struct bt_tlv un[] = {{IMAGE_TLV_SEC_CNT, 4, cnt}};
        const struct bt_tlv short_cnt[] = {{IMAGE_TLV_SEC_CNT, 3, cnt}};
        const struct bt_tlv twice[] = {{IMAGE_TLV_SEC_CNT, 4, cnt}, {IMAGE_TLV_SEC_CNT, 4, cnt}};
        struct bt_image_spec spec = {.base = base, .hash_tlvs = 1, .signer = &a,
                                     .unprot = un, .nunprot = 1};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ESECCNT);
        assert_int_equal(res.bad_tlv_type, IMAGE_TLV_SEC_CNT);
        spec = (struct bt_image_spec){.base = base, .prot = short_cnt, .nprot = 1,
                                      .hash_tlvs = 1, .signer = &a};
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ESECCNT);
        spec.prot = twice;
        spec.nprot = 2;
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ESECCNT);
    }

    /* DEPENDENCY unprotected or of a wrong length */
    {
        const struct bt_tlv un[] = {{IMAGE_TLV_DEPENDENCY, 12, dep1}};
        const struct bt_tlv short_dep[] = {{IMAGE_TLV_DEPENDENCY, 11, dep1}};
        struct bt_image_spec spec = {.base = base, .hash_tlvs = 1, .signer = &a,
                                     .unprot = un, .nunprot = 1};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EDEPENDENCY);
        spec = (struct bt_image_spec){.base = base, .prot = short_dep, .nprot = 1,
                                      .hash_tlvs = 1, .signer = &a};
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EDEPENDENCY);
    }

    /* hash and key hash TLVs of the wrong length */
    {
        static const uint8_t zeros[64];
        const struct bt_tlv bad_hash[] = {{IMAGE_TLV_SHA256, 31, zeros}};
        const struct bt_tlv bad_keyhash[] = {{IMAGE_TLV_KEYHASH, 31, zeros},
                                             {IMAGE_TLV_ED25519, 64, zeros}};
        struct bt_image_spec spec = {.base = base, .unprot = bad_hash, .nunprot = 1};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EHASHLEN);
        assert_int_equal(validate_built(&spec, &hash_only, &res), IMAGE_EHASHLEN);
        spec = (struct bt_image_spec){.base = base, .hash_tlvs = 1, .unprot = bad_keyhash,
                                      .nunprot = 2};
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EKEYLEN);
        /* key TLVs are not looked at without signature checking */
        assert_int_equal(validate_built(&spec, &hash_only, &res), IMAGE_OK);
    }

    /* duplicate and missing hash TLV */
    {
        struct bt_image_spec spec = {.base = base, .hash_tlvs = 2, .signer = &a};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EHASHDUP);
        assert_string_equal(image_strerror(IMAGE_EHASHDUP), "more than one hash TLV");
        spec.hash_tlvs = 0;
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ENOHASH);
    }

    /* unknown unprotected TLVs: reported, refused only with the allow-list */
    {
        const struct bt_tlv un[] = {{0x99, 3, odd}, {0x60, 1, odd}};
        struct bt_image_spec spec = {.base = base, .hash_tlvs = 1, .signer = &a,
                                     .unprot = un, .nunprot = 2};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_OK);
        assert_int_equal(res.unknown_tlv_count, 2);
        assert_int_equal(res.unknown_tlvs[0], 0x99);
        assert_int_equal(res.unknown_tlvs[1], 0x60);
        pol.tlv_allow_list = true;
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EUNKNOWNTLV);
        assert_int_equal(res.bad_tlv_type, 0x99);
    }

    /* pure signatures are refused by name */
    {
        static const uint8_t one = 1;
        const struct bt_tlv un[] = {{IMAGE_TLV_SIG_PURE, 1, &one}};
        struct bt_image_spec spec = {.base = base, .hash_tlvs = 1, .signer = &a,
                                     .unprot = un, .nunprot = 1};

        pol = signed_by(&ka, 1);
        assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ESIGPURE);
    }

    /* a signature of another key after the trusted key's hash */
    {
        uint8_t keyhash_a[32];
        uint8_t sig_b[64];
        uint8_t digest[32];
        uint8_t buf[16384];
        struct bt_image_spec spec = {.base = base, .hash_tlvs = 1};
        size_t n = bt_build_image(&spec, buf, sizeof(buf));

        bt_sha256(buf, tlv_off_of(buf), digest);
        bt_sha256(a.der, sizeof(a.der), keyhash_a);
        bt_sign(&b, digest, sizeof(digest), sig_b);
        {
            const struct bt_tlv un[] = {{IMAGE_TLV_KEYHASH, 32, keyhash_a},
                                        {IMAGE_TLV_ED25519, 64, sig_b}};
            spec.unprot = un;
            spec.nunprot = 2;
            pol = signed_by(&ka, 1);
            assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_EBADSIG);
            assert_int_equal(res.bad_tlv_type, IMAGE_TLV_ED25519);
        }
        /* the same signature under an unknown key first, then a good one */
        {
            uint8_t keyhash_b[32];
            uint8_t sig_a[64];

            bt_sha256(b.der, sizeof(b.der), keyhash_b);
            bt_sign(&a, digest, sizeof(digest), sig_a);
            const struct bt_tlv un[] = {{IMAGE_TLV_KEYHASH, 32, keyhash_b},
                                        {IMAGE_TLV_ED25519, 64, sig_b},
                                        {IMAGE_TLV_KEYHASH, 32, keyhash_a},
                                        {IMAGE_TLV_ED25519, 64, sig_a}};
            spec.unprot = un;
            spec.nunprot = 4;
            assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_OK);
            assert_int_equal(res.key_index, 0);
            /* a signature with no key TLV before it is skipped */
            spec.unprot = un + 1;
            spec.nunprot = 1;
            assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ENOKEY);
            /* full public key instead of its hash */
            const struct bt_tlv full[] = {{IMAGE_TLV_PUBKEY, sizeof(a.der), a.der},
                                          {IMAGE_TLV_ED25519, 64, sig_a}};
            spec.unprot = full;
            spec.nunprot = 2;
            assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_OK);
            pol = signed_by(&kb, 1);
            assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ENOKEY);
            /* a trusted key of another type skips the signature */
            pol = signed_by(&all_keys[K_P256], 1);
            assert_int_equal(validate_built(&spec, &pol, &res), IMAGE_ENOKEY);
        }
        (void)n;
    }
    free(base);
}

/* Every prefix of a small image, in an area of exactly that size and at the
 * start of an erased slot, fails cleanly: a specific error, and never a
 * read the flash layer had to refuse (IMAGE_EFLASH). */
static void check_truncations(const uint8_t *img, size_t len, const struct image_key *key)
{
    struct image_policy pol = signed_by(key, 1);
    struct image_result res;
    struct image_slot_info info;

    for (size_t cut = 0; cut < len; cut++) {
        struct bt_slot *exact = bt_slot_new((uint32_t)cut, img, cut, 0xff, 4);
        struct bt_slot *slot = bt_slot_new(TRUNC_SLOT_SIZE, img, cut, 0xff, 4);
        int rc = image_validate(&exact->fa, &pol, &res);

        assert_true(rc < 0);
        assert_int_not_equal(rc, IMAGE_EFLASH);
        assert_int_equal(res.reason, rc);
        assert_string_not_equal(image_strerror(rc), "unknown error");
        rc = image_read_info(&exact->fa, &info);
        assert_true(rc < 0);
        assert_int_not_equal(rc, IMAGE_EFLASH);

        rc = image_validate(&slot->fa, &pol, &res);
        assert_true(rc < 0);
        assert_int_not_equal(rc, IMAGE_EFLASH);
        bt_slot_free(exact);
        bt_slot_free(slot);
    }
}

static void test_truncation(void **state)
{
    size_t len;
    uint8_t *img = load_image("ed25519-zeroed-hdr", &len);
    struct bt_signer a;
    struct image_key ka;
    static uint8_t buf[16384];
    static const uint8_t cnt[4] = {1, 0, 0, 0};
    static const uint8_t dep[12] = {1, 0, 0, 0, 2, 3, 4, 0, 5, 0, 0, 0};
    const struct bt_tlv prot[] = {{IMAGE_TLV_SEC_CNT, 4, cnt}, {IMAGE_TLV_DEPENDENCY, 12, dep}};
    struct bt_image_spec spec = {.base = img, .prot = prot, .nprot = 2, .hash_tlvs = 1,
                                 .signer = &a};
    size_t n;

    (void)state;
    load_keys();
    check_truncations(img, len, &all_keys[K_ED25519]);

    /* with a protected area too */
    bt_signer_new(&a);
    ka = (struct image_key){CRYPTO_SIG_ED25519, a.der, sizeof(a.der)};
    n = bt_build_image(&spec, buf, sizeof(buf));
    check_truncations(buf, n, &ka);
    free(img);
}

static void test_read_info(void **state)
{
    size_t len;
    uint8_t *img = load_image("ed25519-sha512", &len);
    uint8_t *base = base_image(&len);
    struct image_slot_info info;
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, img, 21200, 0xff, 4);
    uint8_t buf[16384];
    struct bt_image_spec spec = {.base = base, .hash_tlvs = 2};
    size_t n;

    (void)state;
    assert_int_equal(image_read_info(&s->fa, &info), IMAGE_OK);
    assert_int_equal(info.hash_alg, CRYPTO_SHA512);
    assert_int_equal(info.hash_len, 64);
    assert_int_equal(info.hash[0], 0xb4);
    assert_int_equal(info.hash[63], 0x82);
    assert_int_equal(info.image_end, 21200);
    /* read_info does not hash: a corrupt payload still lists */
    bt_slot_bytes(s)[600] ^= 1;
    assert_int_equal(image_read_info(&s->fa, &info), IMAGE_OK);
    bt_slot_free(s);

    s = bt_slot_new(SLOT_SIZE, NULL, 0, 0xff, 4);
    assert_int_equal(image_read_info(&s->fa, &info), IMAGE_EEMPTY);
    bt_slot_free(s);
    /* erased value 0x00 devices: an all-zero header is "empty" too */
    s = bt_slot_new(SLOT_SIZE, NULL, 0, 0x00, 4);
    assert_int_equal(image_read_info(&s->fa, &info), IMAGE_EEMPTY);
    bt_slot_free(s);

    n = bt_build_image(&spec, buf, sizeof(buf));
    s = bt_slot_new(SLOT_SIZE, buf, n, 0xff, 4);
    assert_int_equal(image_read_info(&s->fa, &info), IMAGE_EHASHDUP);
    bt_slot_free(s);
    spec.hash_tlvs = 0;
    n = bt_build_image(&spec, buf, sizeof(buf));
    s = bt_slot_new(SLOT_SIZE, buf, n, 0xff, 4);
    assert_int_equal(image_read_info(&s->fa, &info), IMAGE_ENOHASH);
    bt_slot_free(s);
    free(img);
    free(base);
}

static void test_tlv_iter_filter(void **state)
{
    size_t len;
    uint8_t *img = load_image("ecdsa-p256-100k-auto", &len);
    struct bt_slot *s = bt_slot_new(SLOT_SIZE, img, len, 0xff, 4);
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    uint8_t v[4];

    (void)state;
    assert_int_equal(image_header_read(&s->fa, &hdr), 0);
    assert_int_equal(image_tlv_iter_begin(&it, &s->fa, &hdr, IMAGE_TLV_SEC_CNT), 0);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
    assert_true(tlv.protected_tlv);
    assert_int_equal(tlv.len, 4);
    assert_int_equal(flash_area_read(&s->fa, tlv.off, v, 4), 0);
    /* -s auto: major << 24 | minor << 16 | revision for 5.6.7 */
    assert_int_equal(v[0] | (v[1] << 8) | (v[2] << 16) | ((uint32_t)v[3] << 24), 0x05060007);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);

    assert_int_equal(image_tlv_iter_begin(&it, &s->fa, &hdr, IMAGE_TLV_ECDSA_SIG), 0);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
    assert_false(tlv.protected_tlv);
    assert_int_equal(tlv.len, 72);
    assert_int_equal(tlv.off + tlv.len, len);
    assert_int_equal(image_tlv_iter_end(&it), len);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
    bt_slot_free(s);
    free(img);
}

static void test_versions(void **state)
{
    struct image_version a = {1, 2, 3, 4};
    struct image_version b = {1, 2, 3, 5};
    struct image_version c = {1, 3, 0, 0};
    struct image_version d = {2, 0, 0, 0};
    struct image_version e = {1, 2, 300, 0};
    struct image_version big = {255, 255, 65535, 4294967295u};
    char buf[40];

    (void)state;
    assert_int_equal(image_version_cmp(&a, &b, false), 0);
    assert_true(image_version_cmp(&a, &b, true) < 0);
    assert_true(image_version_cmp(&b, &a, true) > 0);
    assert_true(image_version_cmp(&a, &c, false) < 0);
    assert_true(image_version_cmp(&d, &c, false) > 0);
    assert_true(image_version_cmp(&e, &a, true) > 0);
    assert_true(image_version_cmp(&c, &e, false) > 0);
    assert_int_equal(image_version_cmp(&big, &big, true), 0);

    assert_int_equal(image_version_to_str(&a, buf, sizeof(buf)), 7);
    assert_string_equal(buf, "1.2.3.4");
    assert_int_equal(image_version_to_str(&c, buf, sizeof(buf)), 5);
    assert_string_equal(buf, "1.3.0");
    assert_int_equal(image_version_to_str(&big, buf, sizeof(buf)), 24);
    assert_string_equal(buf, "255.255.65535.4294967295");
    /* exactly enough room, then one byte short */
    assert_int_equal(image_version_to_str(&c, buf, 6), 5);
    assert_string_equal(buf, "1.3.0");
    assert_int_equal(image_version_to_str(&c, buf, 5), IMAGE_ENOSPACE);
    assert_string_equal(buf, "");
    assert_int_equal(image_version_to_str(&a, buf, 7), IMAGE_ENOSPACE);
    assert_int_equal(image_version_to_str(&a, buf, 0), IMAGE_EINVAL);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int e = IMAGE_EINVAL; e >= IMAGE_EBADKEY; e--) {
        const char *m = image_strerror(e);

        assert_string_not_equal(m, "unknown error");
        for (int f = e - 1; f >= IMAGE_EBADKEY; f--) {
            assert_string_not_equal(m, image_strerror(f));
        }
    }
    assert_string_equal(image_strerror(-1000), "unknown error");
    assert_string_equal(image_strerror(IMAGE_EHASH), "hash mismatch");
}

int main(void)
{
    struct CMUnitTest tests[sizeof(vectors) / sizeof(vectors[0]) + 16];
    size_t n = 0;

    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_vector, (void *)&vectors[i]);
        tests[n].name = vectors[i].name;
        n++;
    }
    const struct CMUnitTest rest[] = {
        cmocka_unit_test(test_unsigned_hash_only),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_image_bigger_than_slot),
        cmocka_unit_test(test_hash_mismatch),
        cmocka_unit_test(test_bad_signatures),
        cmocka_unit_test(test_tlv_structure),
        cmocka_unit_test(test_protected_size_mismatch),
        cmocka_unit_test(test_built_images),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_read_info),
        cmocka_unit_test(test_tlv_iter_filter),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_strerror),
    };
    for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
        tests[n++] = rest[i];
    }
    return _cmocka_run_group_tests("boot_image", tests, n, NULL, NULL);
}
