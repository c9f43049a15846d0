#include "imagetool/image_sign.h"

#include <stdlib.h>
#include <string.h>

#include "boot/trailer.h"
#include "imagetool/errmsg.h"

#define DEFAULT_MAX_ALIGN   8u
#define DEFAULT_MAX_SECTORS 128u

/* A growing output buffer; a failed allocation latches. */
struct obuf {
    uint8_t *p;
    size_t len;
    size_t cap;
    bool oom;
};

static void ob_put(struct obuf *b, const void *data, size_t len)
{
    if (b->oom) {
        return;
    }
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len) {
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

static void ob_fill(struct obuf *b, uint8_t v, size_t len)
{
    uint8_t chunk[256];

    memset(chunk, v, sizeof(chunk));
    while (len > 0 && !b->oom) {
        size_t n = len < sizeof(chunk) ? len : sizeof(chunk);
        ob_put(b, chunk, n);
        len -= n;
    }
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

static void ob_tlv(struct obuf *b, uint16_t type, const void *val, uint16_t len)
{
    uint8_t h[IMAGE_TLV_HDR_SIZE];

    h[0] = (uint8_t)type;
    h[1] = (uint8_t)(type >> 8);
    put_le16(h + 2, len);
    ob_put(b, h, sizeof(h));
    ob_put(b, val, len);
}

static void ob_tlv_info(struct obuf *b, uint16_t magic, uint16_t tot)
{
    uint8_t h[IMAGE_TLV_INFO_SIZE];

    put_le16(h, magic);
    put_le16(h + 2, tot);
    ob_put(b, h, sizeof(h));
}

void sign_opts_init(struct sign_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->erased_val = 0xff;
}

static bool is_write_size(unsigned a)
{
    return a == 1 || a == 2 || a == 4 || a == 8 || a == 16 || a == 32;
}

/* The image hash imgtool picks for "--sha". */
static int pick_hash(const struct sign_opts *o, enum crypto_hash_alg *alg, uint16_t *tlv)
{
    unsigned sha = o->sha;

    if (sha == 0) {
        sha = (o->key != NULL && crypto_key_type(o->key) == CRYPTO_SIG_ECDSA_P384) ? 384 : 256;
    }
    switch (sha) {
    case 256:
        *alg = CRYPTO_SHA256;
        *tlv = IMAGE_TLV_SHA256;
        return 0;
    case 384:
        *alg = CRYPTO_SHA384;
        *tlv = IMAGE_TLV_SHA384;
        return 0;
    case 512:
        *alg = CRYPTO_SHA512;
        *tlv = IMAGE_TLV_SHA512;
        return 0;
    default:
        return -1;
    }
}

static uint16_t sig_tlv_type(enum crypto_sig_type t)
{
    switch (t) {
    case CRYPTO_SIG_ECDSA_P256:
    case CRYPTO_SIG_ECDSA_P384:
        return IMAGE_TLV_ECDSA_SIG;
    case CRYPTO_SIG_ED25519:
        return IMAGE_TLV_ED25519;
    case CRYPTO_SIG_RSA2048_PSS:
        return IMAGE_TLV_RSA2048_PSS;
    case CRYPTO_SIG_RSA3072_PSS:
    default:
        return IMAGE_TLV_RSA3072_PSS;
    }
}

/*
 * What the key signs, as imgtool does it: ECDSA and RSA sign the image
 * bytes with the key's own hash (SHA-384 for P-384, otherwise SHA-256), so
 * the message handed to crypto_key_sign() is that digest; Ed25519 signs the
 * image digest itself.
 */
static int sign_message(const struct crypto_key *key, const uint8_t *signed_bytes, size_t len,
                        const uint8_t *digest, size_t digest_len, uint8_t *msg,
                        size_t *msg_len)
{
    enum crypto_hash_alg alg;

    switch (crypto_key_type(key)) {
    case CRYPTO_SIG_ED25519:
        memcpy(msg, digest, digest_len);
        *msg_len = digest_len;
        return 0;
    case CRYPTO_SIG_ECDSA_P384:
        alg = CRYPTO_SHA384;
        break;
    default:
        alg = CRYPTO_SHA256;
        break;
    }
    *msg_len = crypto_hash_len(alg);
    return crypto_hash(alg, signed_bytes, len, msg);
}

static int add_signature(struct obuf *b, const struct sign_opts *o, enum crypto_hash_alg alg,
                         size_t signed_len, const uint8_t *digest, size_t digest_len, char *err,
                         size_t err_len)
{
    uint8_t der[1024];
    size_t der_len;
    uint8_t keyhash[CRYPTO_HASH_MAX_LEN];
    uint8_t msg[CRYPTO_HASH_MAX_LEN];
    size_t msg_len;
    uint8_t sig[512];
    size_t sig_len;

    if (!crypto_key_is_private(o->key)) {
        return errmsg(err, err_len, "the key file holds a public key; signing needs the private key");
    }
    if (crypto_key_public_der(o->key, der, sizeof(der), &der_len) != 0) {
        return errmsg(err, err_len, "cannot encode the public key");
    }
    if (o->pubkey_full) {
        ob_tlv(b, IMAGE_TLV_PUBKEY, der, (uint16_t)der_len);
    } else {
        if (crypto_hash(alg, der, der_len, keyhash) != 0) {
            return errmsg(err, err_len, "hashing the public key failed");
        }
        ob_tlv(b, IMAGE_TLV_KEYHASH, keyhash, (uint16_t)crypto_hash_len(alg));
    }
    if (b->oom) {
        return errmsg(err, err_len, "out of memory");
    }
    if (sign_message(o->key, b->p, signed_len, digest, digest_len, msg, &msg_len) != 0 ||
        crypto_key_sign(o->key, msg, msg_len, sig, sizeof(sig), &sig_len) != 0) {
        return errmsg(err, err_len, "signing failed");
    }
    ob_tlv(b, sig_tlv_type(crypto_key_type(o->key)), sig, (uint16_t)sig_len);
    return 0;
}

static uint32_t sec_cnt_of(const struct sign_opts *o)
{
    if (o->sec_cnt_auto) {
        return ((uint32_t)o->version.major << 24) | ((uint32_t)o->version.minor << 16) |
               o->version.revision;
    }
    return o->sec_cnt;
}

static void put_header(uint8_t *h, const struct sign_opts *o, uint16_t prot_size,
                       uint32_t img_size)
{
    memset(h, 0, IMAGE_HEADER_SIZE);
    put_le32(h, IMAGE_MAGIC);
    put_le32(h + 4, o->load_addr);
    put_le16(h + 8, o->hdr_size);
    put_le16(h + 10, prot_size);
    put_le32(h + 12, img_size);
    put_le32(h + 16, 0); /* flags: none of imgtool's sign options here set one */
    h[20] = o->version.major;
    h[21] = o->version.minor;
    put_le16(h + 22, o->version.revision);
    put_le32(h + 24, o->version.build_num);
}

/* Trailer configuration imgtool sizes its padding with: always three
 * status states per sector, whatever the bootloader's swap mode. */
static struct trailer_config trailer_cfg_of(const struct sign_opts *o)
{
    struct trailer_config cfg = {
        .mode = o->overwrite_only ? TRAILER_MODE_OVERWRITE_ONLY : TRAILER_MODE_SWAP_SCRATCH,
        .write_block = o->align,
        .max_align = o->max_align ? o->max_align
                                  : (uint8_t)(o->align > DEFAULT_MAX_ALIGN ? o->align
                                                                           : DEFAULT_MAX_ALIGN),
        .max_sectors = o->max_sectors ? o->max_sectors : DEFAULT_MAX_SECTORS,
    };
    return cfg;
}

static int pad_to_slot(struct obuf *b, const struct sign_opts *o,
                       const struct trailer_config *cfg)
{
    uint8_t magic[TRAILER_MAGIC_SIZE];

    ob_fill(b, o->erased_val, o->slot_size - b->len - TRAILER_MAGIC_SIZE);
    trailer_magic_bytes(cfg, magic);
    ob_put(b, magic, sizeof(magic));
    if (b->oom) {
        return -1;
    }
    if (o->confirm && !o->overwrite_only) {
        struct trailer_offsets off;

        if (trailer_offsets(cfg, o->slot_size, &off) != 0) {
            return -1;
        }
        b->p[off.image_ok] = TRAILER_FLAG_SET_VALUE;
    }
    return 0;
}

int image_sign(const uint8_t *payload, size_t len, const struct sign_opts *o, uint8_t **out,
               size_t *out_len, char *err, size_t err_len)
{
    struct obuf b = { 0 };
    struct trailer_config tcfg;
    enum crypto_hash_alg alg;
    uint16_t hash_tlv;
    uint8_t digest[CRYPTO_HASH_MAX_LEN];
    uint8_t hdr[IMAGE_HEADER_SIZE];
    uint16_t prot_size = 0;
    size_t body_len;
    size_t signed_len;
    size_t tlv_start;
    uint32_t tsize;

    *out = NULL;
    *out_len = 0;
    if (o->hdr_size < IMAGE_HEADER_SIZE) {
        return errmsg(err, err_len, "header size 0x%x is smaller than the 32-byte image header",
                    (unsigned)o->hdr_size);
    }
    if (!is_write_size(o->align)) {
        return errmsg(err, err_len, "invalid alignment %u (1, 2, 4, 8, 16 or 32)",
                    (unsigned)o->align);
    }
    tcfg = trailer_cfg_of(o);
    if (trailer_config_check(&tcfg) != 0) {
        return errmsg(err, err_len, "invalid --max-align %u for --align %u (8, 16 or 32, >= align)",
                    (unsigned)tcfg.max_align, (unsigned)o->align);
    }
    if (pick_hash(o, &alg, &hash_tlv) != 0) {
        return errmsg(err, err_len, "unsupported --sha %u (256, 384 or 512)", o->sha);
    }
    if (o->slot_size == 0) {
        return errmsg(err, err_len, "a slot size is required (-S/--slot-size)");
    }
    if (!o->pad_header) {
        for (size_t i = 0; i < o->hdr_size; i++) {
            if (i >= len || payload[i] != 0) {
                return errmsg(err, err_len,
                            "header padding was not requested and the input does not start "
                            "with 0x%x zero bytes (use --pad-header)",
                            (unsigned)o->hdr_size);
            }
        }
    }

    body_len = len + (o->pad_header ? o->hdr_size : 0) - o->hdr_size;
    if (body_len > UINT32_MAX - o->hdr_size) {
        return errmsg(err, err_len, "input too large");
    }
    if (o->has_sec_cnt) {
        prot_size = IMAGE_TLV_INFO_SIZE + IMAGE_TLV_HDR_SIZE + IMAGE_SEC_CNT_TLV_LEN;
    }

    put_header(hdr, o, prot_size, (uint32_t)body_len);
    ob_put(&b, hdr, sizeof(hdr));
    if (o->pad_header) {
        ob_fill(&b, o->erased_val, o->hdr_size - IMAGE_HEADER_SIZE);
        ob_put(&b, payload, len);
    } else {
        ob_put(&b, payload + IMAGE_HEADER_SIZE, len - IMAGE_HEADER_SIZE);
    }
    if (o->has_sec_cnt) {
        uint8_t v[IMAGE_SEC_CNT_TLV_LEN];

        put_le32(v, sec_cnt_of(o));
        ob_tlv_info(&b, IMAGE_TLV_PROT_INFO_MAGIC, prot_size);
        ob_tlv(&b, IMAGE_TLV_SEC_CNT, v, sizeof(v));
    }
    if (b.oom) {
        free(b.p);
        return errmsg(err, err_len, "out of memory");
    }
    signed_len = b.len;
    if (crypto_hash(alg, b.p, signed_len, digest) != 0) {
        free(b.p);
        return errmsg(err, err_len, "hashing the image failed");
    }

    tlv_start = b.len;
    ob_tlv_info(&b, IMAGE_TLV_INFO_MAGIC, 0); /* total patched below */
    ob_tlv(&b, hash_tlv, digest, (uint16_t)crypto_hash_len(alg));
    if (o->key != NULL && add_signature(&b, o, alg, signed_len, digest, crypto_hash_len(alg),
                                        err, err_len) != 0) {
        free(b.p);
        return -1;
    }
    if (b.oom) {
        free(b.p);
        return errmsg(err, err_len, "out of memory");
    }
    put_le16(b.p + tlv_start + 2, (uint16_t)(b.len - tlv_start));

    tsize = trailer_size(&tcfg);
    if (b.len + tsize > o->slot_size) {
        size_t need = b.len;
        free(b.p);
        return errmsg(err, err_len,
                    "image size (0x%zx) + trailer (0x%x) exceeds the slot size 0x%x", need,
                    (unsigned)tsize, (unsigned)o->slot_size);
    }
    if ((o->pad || o->confirm) && pad_to_slot(&b, o, &tcfg) != 0) {
        free(b.p);
        return errmsg(err, err_len, "out of memory");
    }
    *out = b.p;
    *out_len = b.len;
    return 0;
}
