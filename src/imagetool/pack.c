#include "imagetool/pack.h"

#include <stdio.h>
#include <string.h>
#include <zip.h>

#include "boot/image.h"
#include "boot/nsib_fw_info.h"
#include "imagetool/errmsg.h"
#include "imagetool/mem_area.h"
#include "imagetool/version_parse.h"

/* generate_zip.py keeps decimal arguments as strings. */
static bool add_decimal_string(cJSON *o, const char *key, int v)
{
    char s[16];

    snprintf(s, sizeof(s), "%d", v);
    return cJSON_AddStringToObject(o, key, s) != NULL;
}

static cJSON *file_entry(const struct pack_info *info, const struct pack_file *f)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;

    ok = ok && cJSON_AddStringToObject(o, "type", f->type) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "board", info->board) != NULL;
    if (info->soc != NULL) {
        ok = ok && cJSON_AddStringToObject(o, "soc", info->soc) != NULL;
    }
    if (f->has_load_address) {
        ok = ok && cJSON_AddNumberToObject(o, "load_address", f->load_address) != NULL;
    }
    if (f->image_index >= 0) {
        ok = ok && add_decimal_string(o, "image_index", f->image_index);
    }
    if (f->slot_index_primary >= 0) {
        ok = ok && add_decimal_string(o, "slot_index_primary", f->slot_index_primary);
    }
    if (f->slot_index_secondary >= 0) {
        ok = ok && add_decimal_string(o, "slot_index_secondary", f->slot_index_secondary);
    }
    if (f->slot >= 0) {
        ok = ok && add_decimal_string(o, "slot", f->slot);
    }
    if (f->version_mcuboot != NULL) {
        ok = ok && cJSON_AddStringToObject(o, "version_MCUBOOT", f->version_mcuboot) != NULL;
    }
    if (f->version_b0 >= 0) {
        ok = ok && add_decimal_string(o, "version_B0", f->version_b0);
    }
    ok = ok && cJSON_AddNumberToObject(o, "size", (double)f->len) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "file", f->file) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "modtime", (double)info->time) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *pack_manifest(const struct pack_info *info, const struct pack_file *files, size_t n)
{
    cJSON *m = cJSON_CreateObject();
    cJSON *arr;
    bool ok = m != NULL;

    ok = ok && cJSON_AddNumberToObject(m, "format-version", 1) != NULL;
    ok = ok && cJSON_AddNumberToObject(m, "time", (double)info->time) != NULL;
    if (info->name != NULL) {
        ok = ok && cJSON_AddStringToObject(m, "name", info->name) != NULL;
    }
    arr = ok ? cJSON_AddArrayToObject(m, "files") : NULL;
    ok = arr != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        cJSON *e = file_entry(info, &files[i]);
        ok = e != NULL && cJSON_AddItemToArray(arr, e);
    }
    if (!ok) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

static int add_buffer(zip_t *z, const char *name, const void *data, size_t len, long long mtime)
{
    zip_source_t *src = zip_source_buffer(z, data, len, 0);
    zip_int64_t idx;

    if (src == NULL) {
        return -1;
    }
    idx = zip_file_add(z, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return -1;
    }
    return zip_file_set_mtime(z, (zip_uint64_t)idx, (time_t)mtime, 0) == 0 ? 0 : -1;
}

int pack_write_zip(const char *path, const struct pack_info *info, const struct pack_file *files,
                   size_t n, char *err, size_t err_len)
{
    cJSON *m = pack_manifest(info, files, n);
    char *json = m != NULL ? cJSON_Print(m) : NULL;
    zip_t *z;
    int zerr = 0;
    int rc = 0;

    cJSON_Delete(m);
    if (json == NULL) {
        return errmsg(err, err_len, "out of memory building manifest.json");
    }
    z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (z == NULL) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        errmsg(err, err_len, "%s: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        cJSON_free(json);
        return -1;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = add_buffer(z, files[i].file, files[i].data, files[i].len, info->time);
    }
    if (rc == 0) {
        rc = add_buffer(z, "manifest.json", json, strlen(json), info->time);
    }
    if (rc != 0) {
        errmsg(err, err_len, "%s: %s", path, zip_strerror(z));
        zip_discard(z);
    } else if (zip_close(z) != 0) {
        rc = errmsg(err, err_len, "%s: %s", path, zip_strerror(z));
        zip_discard(z);
    }
    cJSON_free(json);
    return rc;
}

static void entry_init(struct pack_file *out, const char *file, const uint8_t *img, size_t len)
{
    *out = (struct pack_file){
        .file = file, .data = img, .len = len, .version_b0 = -1, .slot = -1,
        .image_index = -1, .slot_index_primary = -1, .slot_index_secondary = -1,
    };
}

static int read_header(const uint8_t *img, size_t len, struct image_header *hdr, char *err,
                       size_t err_len)
{
    struct mem_area m;
    int rc;

    if (len > UINT32_MAX) {
        return errmsg(err, err_len, "%s: too large", "image");
    }
    mem_area_init(&m, img, (uint32_t)len, 0xff);
    rc = image_header_read(&m.fa, hdr);
    if (rc != 0) {
        return errmsg(err, err_len, "not an MCUboot image: %s", image_strerror(rc));
    }
    return 0;
}

int pack_describe_mcuboot(const uint8_t *img, size_t len, uint8_t hw_id, int slot, const char *file,
                          char *ver, size_t ver_len, struct pack_file *out, char *err,
                          size_t err_len)
{
    struct image_header hdr;
    struct nsib_fw_info fi;
    struct mem_area m;

    if (read_header(img, len, &hdr, err, err_len) != 0) {
        return -1;
    }
    mem_area_init(&m, img, (uint32_t)len, 0xff);
    /* The firmware starts after the header; fw_info offsets count from the
     * slot start, which is where this image goes. */
    if (nsib_fw_info_find(&m.fa, 0, hw_id, &fi) != 0) {
        return errmsg(err, err_len, "%s: no fw_info: not built for the first stage", file);
    }
    if (fi.address < hdr.hdr_size) {
        return errmsg(err, err_len, "%s: fw_info address 0x%x below the header size", file,
                      (unsigned)fi.address);
    }
    entry_init(out, file, img, len);
    version_format(&hdr.ver, ver, ver_len);
    out->type = "mcuboot";
    out->has_load_address = true;
    out->load_address = fi.address - hdr.hdr_size;
    out->version_mcuboot = ver;
    out->version_b0 = (int)(fi.version & 0x7fffffff);
    out->slot = slot;
    return 0;
}

int pack_describe_application(const uint8_t *img, size_t len, uint32_t load_address,
                              int image_index, const char *file, char *ver, size_t ver_len,
                              struct pack_file *out, char *err, size_t err_len)
{
    struct image_header hdr;

    if (read_header(img, len, &hdr, err, err_len) != 0) {
        return -1;
    }
    entry_init(out, file, img, len);
    version_format(&hdr.ver, ver, ver_len);
    out->type = "application";
    out->has_load_address = true;
    out->load_address = load_address;
    out->version_mcuboot = ver;
    out->image_index = image_index;
    /* mcumgr numbers slots from 1 in the manifest: image n has 2n+1, 2n+2. */
    out->slot_index_primary = 2 * image_index + 1;
    out->slot_index_secondary = 2 * image_index + 2;
    return 0;
}
