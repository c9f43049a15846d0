#include "imagetool/image_dump.h"

#include <stdlib.h>
#include <string.h>

#include <sodium/utils.h>

#include "boot/image.h"
#include "boot/trailer.h"
#include "imagetool/mem_area.h"
#include "imagetool/version_parse.h"

static const struct {
    uint16_t type;
    const char *name;
} tlv_names[] = {
    { IMAGE_TLV_KEYHASH, "KEYHASH" },
    { IMAGE_TLV_PUBKEY, "PUBKEY" },
    { IMAGE_TLV_SHA256, "SHA256" },
    { IMAGE_TLV_SHA384, "SHA384" },
    { IMAGE_TLV_SHA512, "SHA512" },
    { IMAGE_TLV_RSA2048_PSS, "RSA2048" },
    { IMAGE_TLV_ECDSA224, "ECDSA224" },
    { IMAGE_TLV_ECDSA_SIG, "ECDSASIG" },
    { IMAGE_TLV_RSA3072_PSS, "RSA3072" },
    { IMAGE_TLV_ED25519, "ED25519" },
    { IMAGE_TLV_SIG_PURE, "SIG_PURE" },
    { IMAGE_TLV_ENC_RSA2048, "ENCRSA2048" },
    { IMAGE_TLV_ENC_KW, "ENCKW" },
    { IMAGE_TLV_ENC_EC256, "ENCEC256" },
    { IMAGE_TLV_ENC_X25519, "ENCX25519" },
    { IMAGE_TLV_ENC_X25519_SHA512, "ENCX25519_SHA512" },
    { IMAGE_TLV_DEPENDENCY, "DEPENDENCY" },
    { IMAGE_TLV_SEC_CNT, "SEC_CNT" },
    { IMAGE_TLV_BOOT_RECORD, "BOOT_RECORD" },
    { IMAGE_TLV_DECOMP_SIZE, "DECOMP_SIZE" },
    { IMAGE_TLV_DECOMP_SHA, "DECOMP_SHA" },
    { IMAGE_TLV_DECOMP_SIGNATURE, "DECOMP_SIGNATURE" },
};

const char *image_tlv_type_name(uint16_t type)
{
    for (size_t i = 0; i < sizeof(tlv_names) / sizeof(tlv_names[0]); i++) {
        if (tlv_names[i].type == type) {
            return tlv_names[i].name;
        }
    }
    return NULL;
}

static void add_hex(cJSON *obj, const char *key, const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);

    if (s != NULL) {
        cJSON_AddStringToObject(obj, key, sodium_bin2hex(s, 2 * n + 1, p, n));
        free(s);
    }
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static cJSON *header_json(const struct image_header *h)
{
    cJSON *o = cJSON_CreateObject();
    char ver[48];

    cJSON_AddNumberToObject(o, "magic", h->magic);
    cJSON_AddNumberToObject(o, "load_addr", h->load_addr);
    cJSON_AddNumberToObject(o, "hdr_size", h->hdr_size);
    cJSON_AddNumberToObject(o, "protected_tlv_size", h->protect_tlv_size);
    cJSON_AddNumberToObject(o, "img_size", h->img_size);
    cJSON_AddNumberToObject(o, "flags", h->flags);
    version_format(&h->ver, ver, sizeof(ver));
    cJSON_AddStringToObject(o, "version", ver);
    return o;
}

static cJSON *tlv_info_json(const uint8_t *img, uint32_t off)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "magic", le16(img + off));
    cJSON_AddNumberToObject(o, "tlv_tot", le16(img + off + 2));
    return o;
}

static cJSON *tlv_json(const uint8_t *img, const struct image_tlv *t)
{
    cJSON *o = cJSON_CreateObject();
    const char *name = image_tlv_type_name(t->type);

    cJSON_AddNumberToObject(o, "type", t->type);
    cJSON_AddStringToObject(o, "type_name", name ? name : "UNKNOWN");
    cJSON_AddNumberToObject(o, "len", t->len);
    add_hex(o, "data", img + t->off, t->len);
    return o;
}

static int tlv_area_json(const uint8_t *img, const struct flash_area *fa,
                         const struct image_header *hdr, cJSON *root, uint32_t *end)
{
    struct image_tlv_iter it;
    struct image_tlv t;
    uint32_t info = image_tlv_off(hdr);
    cJSON *area = cJSON_AddObjectToObject(root, "tlv_area");
    cJSON *prot;
    cJSON *unprot;
    int rc;

    rc = image_tlv_iter_begin(&it, fa, hdr, IMAGE_TLV_ANY);
    if (rc != 0) {
        return rc;
    }
    if (hdr->protect_tlv_size > 0) {
        cJSON_AddItemToObject(area, "tlv_hdr_prot", tlv_info_json(img, info));
    } else {
        cJSON_AddObjectToObject(area, "tlv_hdr_prot");
    }
    prot = cJSON_AddArrayToObject(area, "tlvs_prot");
    cJSON_AddItemToObject(area, "tlv_hdr", tlv_info_json(img, info + hdr->protect_tlv_size));
    unprot = cJSON_AddArrayToObject(area, "tlvs");
    while ((rc = image_tlv_iter_next(&it, &t)) == 1) {
        cJSON_AddItemToArray(t.protected_tlv ? prot : unprot, tlv_json(img, &t));
    }
    *end = image_tlv_iter_end(&it);
    return rc;
}

/*
 * The trailer of an image padded to its slot: the file ends with the
 * magic, which also tells the max alignment that places the flags.
 */
static cJSON *trailer_json(const uint8_t *img, size_t len)
{
    struct trailer_config cfg = {
        .mode = TRAILER_MODE_SWAP_SCRATCH, .max_align = 8, .write_block = 1, .max_sectors = 1
    };
    const uint8_t *magic = img + len - TRAILER_MAGIC_SIZE;
    struct trailer_offsets off;
    cJSON *o = cJSON_CreateObject();

    add_hex(o, "magic", magic, TRAILER_MAGIC_SIZE);
    if (trailer_magic_decode(&cfg, magic, 0xff) != TRAILER_MAGIC_GOOD) {
        cfg.max_align = magic[0];
        if (magic[1] != 0 || trailer_config_check(&cfg) != 0 ||
            trailer_magic_decode(&cfg, magic, 0xff) != TRAILER_MAGIC_GOOD) {
            return o; /* no MCUboot magic: the flags cannot be placed */
        }
    }
    if (trailer_offsets(&cfg, (uint32_t)len, &off) != 0) {
        return o;
    }
    cJSON_AddNumberToObject(o, "image_ok", img[off.image_ok]);
    cJSON_AddNumberToObject(o, "copy_done", img[off.copy_done]);
    cJSON_AddNumberToObject(o, "swap_info", img[off.swap_info]);
    cJSON_AddNumberToObject(o, "swap_size", le32(img + off.swap_size));
    return o;
}

cJSON *image_dump_json(const uint8_t *img, size_t len, const char *filename, int *reason)
{
    struct mem_area m;
    struct image_header hdr;
    uint32_t end = 0;
    cJSON *root;
    const char *base = strrchr(filename, '/');
    int rc;

    if (len > UINT32_MAX) {
        *reason = IMAGE_ETOOBIG;
        return NULL;
    }
    mem_area_init(&m, img, (uint32_t)len, 0xff);
    rc = image_header_read(&m.fa, &hdr);
    if (rc != 0) {
        *reason = rc;
        return NULL;
    }
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "filename", base ? base + 1 : filename);
    cJSON_AddItemToObject(root, "header", header_json(&hdr));
    rc = tlv_area_json(img, &m.fa, &hdr, root, &end);
    if (rc != 0) {
        cJSON_Delete(root);
        *reason = rc;
        return NULL;
    }
    /* Bytes after the TLVs mean the image was padded to its slot. */
    if (len > end && len - end >= TRAILER_MAGIC_SIZE) {
        cJSON_AddItemToObject(root, "trailer", trailer_json(img, len));
    } else {
        cJSON_AddObjectToObject(root, "trailer");
    }
    *reason = 0;
    return root;
}

static void print_fields(FILE *out, const cJSON *obj, int indent)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, obj)
    {
        if (cJSON_IsObject(it)) {
            if (it->child == NULL) {
                continue;
            }
            fprintf(out, "%*s%s:\n", indent, "", it->string);
            print_fields(out, it, indent + 2);
        } else if (cJSON_IsArray(it)) {
            const cJSON *e;
            int i = 0;

            cJSON_ArrayForEach(e, it)
            {
                fprintf(out, "%*s%s[%d]:\n", indent, "", it->string, i++);
                print_fields(out, e, indent + 2);
            }
        } else if (cJSON_IsString(it)) {
            fprintf(out, "%*s%-18s %s\n", indent, "", it->string, it->valuestring);
        } else if (cJSON_IsNumber(it)) {
            double v = it->valuedouble;
            fprintf(out, "%*s%-18s %.0f (0x%llx)\n", indent, "", it->string, v,
                    (unsigned long long)v);
        }
    }
}

void image_dump_text(FILE *out, const cJSON *info)
{
    print_fields(out, info, 0);
}
