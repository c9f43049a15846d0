#include "client/package.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "boot/image.h"
#include "boot/nsib_fw_info.h"
#include "imagetool/mem_area.h"

int read_whole_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -errno;
    }
    uint8_t *buf = malloc(PKG_MAX_SIZE + 1);
    if (!buf) {
        fclose(f);
        return -ENOMEM;
    }
    size_t n = fread(buf, 1, PKG_MAX_SIZE + 1, f);
    int rc = ferror(f) ? -EIO : n > PKG_MAX_SIZE ? -EFBIG : 0;
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    uint8_t *shrunk = realloc(buf, n ? n : 1);
    *data = shrunk ? shrunk : buf;
    *len = n;
    return 0;
}

/* Version and hash TLV, as the device will read them. */
static int parse_image(struct pkg_image *im, char *err, size_t cap)
{
    struct mem_area m;
    struct image_slot_info info;
    mem_area_init(&m, im->data, (uint32_t)im->len, 0xff);
    int rc = im->len > UINT32_MAX ? IMAGE_ETOOBIG : image_read_info(&m.fa, &info);
    if (rc) {
        snprintf(err, cap, "%s: not an MCUboot image the device can take: %s", im->file,
                 image_strerror(rc));
        return -EINVAL;
    }
    memcpy(im->hash, info.hash, info.hash_len);
    im->hash_len = info.hash_len;
    image_version_to_str(&info.hdr.ver, im->version, sizeof(im->version));
    return 0;
}

static int read_zip_entry(zip_t *z, const char *name, uint8_t **data, size_t *len)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        return -ENOENT;
    }
    if (st.size > PKG_MAX_SIZE) {
        return -EFBIG;
    }
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f) {
        return -EIO;
    }
    uint8_t *buf = malloc(st.size ? st.size : 1);
    zip_int64_t n = buf ? zip_fread(f, buf, st.size) : -1;
    zip_fclose(f);
    if (n < 0 || (zip_uint64_t)n != st.size) {
        free(buf);
        return buf ? -EIO : -ENOMEM;
    }
    *data = buf;
    *len = st.size;
    return 0;
}

/* image_index and slot are strings in NCS manifests ("0"), numbers in
 * some tools; absent means 0. */
static int manifest_index(const cJSON *file, const char *key, uint32_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(file, key);
    if (!v) {
        *out = 0;
        return 0;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 16) {
        *out = (uint32_t)v->valuedouble;
        return 0;
    }
    if (cJSON_IsString(v)) {
        char *end;
        unsigned long n = strtoul(v->valuestring, &end, 10);
        if (*v->valuestring && !*end && n < 16) {
            *out = (uint32_t)n;
            return 0;
        }
    }
    return -EINVAL;
}

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The fw_info version of an S-slot image, -1 when it has none. The
 * MCUboot-wrapped variant is written at the slot start, so its fw_info lies
 * at one of the first stage's offsets into the file. The third magic word
 * holds the chip's hardware id, which the client does not know; the first
 * two words are the same on every chip.
 */
static int64_t fw_info_version(const uint8_t *d, size_t len)
{
    for (size_t i = 0; i < NSIB_FW_INFO_OFFSET_COUNT; i++) {
        size_t off = nsib_fw_info_offsets[i];
        if (len >= NSIB_FW_INFO_SIZE && off <= len - NSIB_FW_INFO_SIZE &&
            le32_at(d + off) == NSIB_MAGIC_COMMON && le32_at(d + off + 4) == NSIB_MAGIC_FW_INFO) {
            return le32_at(d + off + 20);
        }
    }
    return -1;
}

/* The manifest's version_B0 (a decimal string, as NCS writes it), or -1. */
static int64_t manifest_b0_version(const cJSON *file)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(file, "version_B0");
    if (cJSON_IsString(v) && *v->valuestring) {
        char *end;
        unsigned long long n = strtoull(v->valuestring, &end, 10);
        if (!*end && n <= UINT32_MAX) {
            return (int64_t)n;
        }
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= UINT32_MAX) {
        return (int64_t)v->valuedouble;
    }
    return -1;
}

static int load_zip(const char *path, struct package *p, char *err, size_t cap)
{
    int zerr;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        snprintf(err, cap, "%s: not a readable zip file", path);
        return -EINVAL;
    }
    p->zip = true;
    uint8_t *mdata = NULL;
    size_t mlen = 0;
    cJSON *manifest = NULL;
    int rc = read_zip_entry(z, "manifest.json", &mdata, &mlen);
    if (rc) {
        snprintf(err, cap, "%s: no manifest.json (not a DFU package from the nRF Connect SDK)",
                 path);
        goto out;
    }
    manifest = cJSON_ParseWithLength((const char *)mdata, mlen);
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(manifest, "files");
    if (!cJSON_IsArray(files) || cJSON_GetArraySize(files) == 0) {
        snprintf(err, cap, "%s: manifest.json has no \"files\" list", path);
        rc = -EINVAL;
        goto out;
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, files)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "file");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(f, "type");
        const char *t = cJSON_IsString(type) ? type->valuestring : "application";
        if (!cJSON_IsString(name)) {
            snprintf(err, cap, "%s: a manifest entry has no \"file\"", path);
            rc = -EINVAL;
            goto out;
        }
        bool mcuboot = strcmp(t, "mcuboot") == 0;
        if (!mcuboot && strcmp(t, "application") != 0) {
            snprintf(err, cap,
                     "%s: %s is of type \"%s\"; smpdfu sends application and mcuboot images",
                     path, name->valuestring, t);
            rc = -ENOTSUP;
            goto out;
        }
        if (p->count == PKG_MAX_IMAGES) {
            snprintf(err, cap, "%s: more than %d images", path, PKG_MAX_IMAGES);
            rc = -EINVAL;
            goto out;
        }
        struct pkg_image *im = &p->img[p->count];
        snprintf(im->file, sizeof(im->file), "%s", name->valuestring);
        snprintf(im->type, sizeof(im->type), "%s", t);
        uint32_t s_slot = 0;
        if (manifest_index(f, "image_index", &im->image) ||
            (mcuboot && (manifest_index(f, "slot", &s_slot) || s_slot > 1))) {
            snprintf(err, cap, "%s: %s has a bad %s", path, im->file,
                     mcuboot ? "image_index or slot (S0 = 0, S1 = 1)" : "image_index");
            rc = -EINVAL;
            goto out;
        }
        im->s_slot = mcuboot ? (int)s_slot : -1;
        for (size_t i = 0; i < p->count; i++) {
            /* Two variants of one MCUboot share an image: one per S slot. */
            if (p->img[i].image == im->image && im->s_slot >= 0 && p->img[i].s_slot >= 0 &&
                p->img[i].s_slot != im->s_slot) {
                continue;
            }
            if (p->img[i].image == im->image) {
                snprintf(err, cap, "%s: two files for image %u (%s, %s)", path,
                         (unsigned)im->image, p->img[i].file, im->file);
                rc = -EINVAL;
                goto out;
            }
        }
        rc = read_zip_entry(z, im->file, &im->data, &im->len);
        if (rc) {
            snprintf(err, cap, "%s: manifest lists %s but the zip %s", path, im->file,
                     rc == -ENOENT ? "does not hold it" : "cannot give it");
            goto out;
        }
        p->count++;
        rc = parse_image(im, err, cap);
        if (rc) {
            goto out;
        }
        im->fw_version = -1;
        if (mcuboot) {
            im->fw_version = fw_info_version(im->data, im->len);
            if (im->fw_version < 0) {
                im->fw_version = manifest_b0_version(f);
            }
        }
    }
out:
    cJSON_Delete(manifest);
    free(mdata);
    zip_close(z);
    return rc;
}

int package_load(const char *path, struct package *p, char *err, size_t cap)
{
    memset(p, 0, sizeof(*p));
    uint8_t magic[4] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -errno;
    }
    size_t n = fread(magic, 1, sizeof(magic), f);
    fclose(f);
    int rc;
    if (n == 4 && memcmp(magic, "PK\x03\x04", 4) == 0) {
        rc = load_zip(path, p, err, cap);
    } else {
        struct pkg_image *im = &p->img[0];
        im->s_slot = -1;
        im->fw_version = -1;
        const char *base = strrchr(path, '/');
        snprintf(im->file, sizeof(im->file), "%s", base ? base + 1 : path);
        snprintf(im->type, sizeof(im->type), "application");
        rc = read_whole_file(path, &im->data, &im->len);
        if (rc) {
            snprintf(err, cap, "%s: %s", path, strerror(-rc));
        } else {
            p->count = 1;
            rc = parse_image(im, err, cap);
        }
    }
    if (rc) {
        package_free(p);
    }
    return rc;
}

void package_free(struct package *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->img[i].data);
    }
    memset(p, 0, sizeof(*p));
}
