#include "client/commands.h"

#include <errno.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium/utils.h>

#include "wire/smp_cbor.h"
#include "wire/smp_err.h"

enum {
    OS_ECHO = 0,
    OS_RESET = 5,
    OS_PARAMS = 6,
    OS_INFO = 7,
    OS_BOOTLOADER_INFO = 8,
    IMG_STATE = 0,
    IMG_ERASE = 5,
    IMG_SLOT_INFO = 6,
    BASIC_ERASE_STORAGE = 0,
};

/* Request bodies here are small. */
#define BODY_MAX 128

static int request(struct smp_session *s, uint8_t op, uint16_t group, uint8_t id,
                   struct smp_cbor_writer *w, cJSON **out)
{
    size_t len;
    if (smp_cbor_writer_finish(w, &len)) {
        return -EMSGSIZE;
    }
    return smp_session_request(s, op, group, id, w->buf, len, s->timeout_ms, out);
}

int cmd_echo(struct smp_session *s, const char *text, cJSON **out)
{
    uint8_t buf[BODY_MAX + 512];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "d");
    smp_cbor_put_tstr(&w, text);
    smp_cbor_close(&w);
    return request(s, SMP_OP_WRITE, SMP_GROUP_OS, OS_ECHO, &w, out);
}

int cmd_reset(struct smp_session *s, bool force, cJSON **out)
{
    uint8_t buf[BODY_MAX];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    smp_cbor_map_open(&w);
    if (force) {
        smp_cbor_put_key(&w, "force");
        smp_cbor_put_bool(&w, true);
    }
    smp_cbor_close(&w);
    return request(s, SMP_OP_WRITE, SMP_GROUP_OS, OS_RESET, &w, out);
}

int cmd_params(struct smp_session *s, cJSON **out)
{
    return smp_session_request(s, SMP_OP_READ, SMP_GROUP_OS, OS_PARAMS, smp_empty_map,
                               sizeof(smp_empty_map), s->timeout_ms, out);
}

/* A part of `info` the device may not offer: refusals leave it out,
 * anything else (no answer at all) is an error. */
static int info_part(struct smp_session *s, uint8_t id, const char *query, const char *key,
                     const char *as, cJSON *into)
{
    uint8_t buf[BODY_MAX];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    smp_cbor_map_open(&w);
    if (query) {
        smp_cbor_put_key(&w, id == OS_INFO ? "format" : "query");
        smp_cbor_put_tstr(&w, query);
    }
    smp_cbor_close(&w);
    cJSON *j;
    int rc = request(s, SMP_OP_READ, SMP_GROUP_OS, id, &w, &j);
    if (rc == 0) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(j, key);
        if (v) {
            cJSON_AddItemToObject(into, as, v);
        }
    }
    cJSON_Delete(j);
    return rc == SESSION_EREFUSED ? 0 : rc;
}

int cmd_info(struct smp_session *s, cJSON **out)
{
    cJSON *j = cJSON_CreateObject();
    int rc = info_part(s, OS_INFO, "a", "output", "os", j);
    if (rc == 0) {
        rc = info_part(s, OS_BOOTLOADER_INFO, NULL, "bootloader", "bootloader", j);
    }
    if (rc == 0) {
        rc = info_part(s, OS_BOOTLOADER_INFO, "mode", "mode", "mode", j);
    }
    if (rc == 0) {
        rc = info_part(s, OS_BOOTLOADER_INFO, "active_b0_slot", "active", "active_b0_slot", j);
    }
    if (rc) {
        cJSON_Delete(j);
        j = NULL;
    }
    *out = j;
    return rc;
}

int cmd_active_b0_slot(struct smp_session *s, int64_t *version)
{
    uint8_t buf[BODY_MAX];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "query");
    smp_cbor_put_tstr(&w, "active_b0_slot");
    smp_cbor_close(&w);
    cJSON *j = NULL;
    int rc = request(s, SMP_OP_READ, SMP_GROUP_OS, OS_BOOTLOADER_INFO, &w, &j);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "active");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");
    if (rc == 0) {
        rc = cJSON_IsNumber(a) && (a->valueint == 0 || a->valueint == 1) ? a->valueint
                                                                            : SESSION_EBADREPLY;
    }
    if (version) {
        *version = rc >= 0 && cJSON_IsNumber(v) && v->valuedouble >= 0 &&
                           v->valuedouble <= UINT32_MAX
                       ? (int64_t)v->valuedouble
                       : -1;
    }
    cJSON_Delete(j);
    return rc;
}

int cmd_image_list(struct smp_session *s, cJSON **out)
{
    return smp_session_request(s, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_STATE, smp_empty_map,
                               sizeof(smp_empty_map), s->timeout_ms, out);
}

int cmd_image_state(struct smp_session *s, const uint8_t *hash, bool confirm, cJSON **out)
{
    uint8_t buf[BODY_MAX];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    smp_cbor_map_open(&w);
    if (hash) {
        smp_cbor_put_key(&w, "hash");
        smp_cbor_put_bstr(&w, hash, IMG_HASH_LEN);
    }
    smp_cbor_put_key(&w, "confirm");
    smp_cbor_put_bool(&w, confirm);
    smp_cbor_close(&w);
    return request(s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_STATE, &w, out);
}

int cmd_image_erase(struct smp_session *s, int slot, cJSON **out)
{
    uint8_t buf[BODY_MAX];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, sizeof(buf));
    smp_cbor_map_open(&w);
    if (slot >= 0) {
        smp_cbor_put_key(&w, "slot");
        smp_cbor_put_uint(&w, (uint64_t)slot);
    }
    smp_cbor_close(&w);
    /* Erasing a whole slot takes as long as the first upload chunk may. */
    size_t len;
    smp_cbor_writer_finish(&w, &len);
    return smp_session_request(s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ERASE, buf, len,
                               s->timeout_ms * 4, out);
}

int cmd_image_slots(struct smp_session *s, cJSON **out)
{
    return smp_session_request(s, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_SLOT_INFO, smp_empty_map,
                               sizeof(smp_empty_map), s->timeout_ms, out);
}

int cmd_storage_erase(struct smp_session *s, cJSON **out)
{
    return smp_session_request(s, SMP_OP_WRITE, SMP_GROUP_ZEPHYR_BASIC, BASIC_ERASE_STORAGE,
                               smp_empty_map, sizeof(smp_empty_map), s->timeout_ms * 4, out);
}

/* The "image" value that uploads into slot (0..1 within image N, or the
 * flat numbering 2N + k): the slot's upload_image_id if the device lists
 * one, otherwise image N when slot is its secondary. */
static int upload_target(struct smp_session *s, int image, int slot, uint32_t *target)
{
    cJSON *j;
    int rc = cmd_image_slots(s, &j);
    if (rc) {
        cJSON_Delete(j);
        return rc;
    }
    rc = -ENOENT;
    const cJSON *img;
    cJSON_ArrayForEach(img, cJSON_GetObjectItemCaseSensitive(j, "images"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(img, "image");
        if (!cJSON_IsNumber(n) || n->valueint != image) {
            continue;
        }
        const cJSON *sl;
        cJSON_ArrayForEach(sl, cJSON_GetObjectItemCaseSensitive(img, "slots"))
        {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(sl, "slot");
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(sl, "upload_image_id");
            if (!cJSON_IsNumber(k) || (k->valueint != slot && 2 * image + k->valueint != slot)) {
                continue;
            }
            if (cJSON_IsNumber(id)) {
                *target = (uint32_t)id->valueint;
                rc = 0;
            } else if (k->valueint == 1) {
                *target = (uint32_t)image;
                rc = 0;
            }
        }
    }
    cJSON_Delete(j);
    return rc;
}

int cmd_image_upload(struct smp_session *s, struct upload_opts *o, int image, int slot,
                     cJSON **out)
{
    *out = NULL;
    uint32_t target = image > 0 ? (uint32_t)image : 0;
    if (slot >= 0) {
        int rc = upload_target(s, image > 0 ? image : 0, slot, &target);
        if (rc) {
            return rc;
        }
    }
    o->image = target;
    mbedtls_sha256_ret(o->data, o->len, o->sha, 0);
    struct upload_stats st;
    int rc = image_upload(s, o, &st);
    if (rc) {
        return rc;
    }
    cJSON *j = cJSON_CreateObject();
    char hex[2 * IMG_HASH_LEN + 1];
    sodium_bin2hex(hex, sizeof(hex), o->sha, IMG_HASH_LEN);
    cJSON_AddNumberToObject(j, "image", target);
    cJSON_AddNumberToObject(j, "len", (double)o->len);
    cJSON_AddStringToObject(j, "sha", hex);
    if (st.match_reported) {
        cJSON_AddBoolToObject(j, "match", st.match);
    }
    cJSON_AddNumberToObject(j, "chunks", (double)st.chunks);
    cJSON_AddNumberToObject(j, "resyncs", (double)st.resyncs);
    *out = j;
    return 0;
}

int parse_hash(const char *hex, uint8_t hash[IMG_HASH_LEN])
{
    size_t n = 0;
    const char *end;
    if (strlen(hex) != 2 * IMG_HASH_LEN ||
        sodium_hex2bin(hash, IMG_HASH_LEN, hex, strlen(hex), NULL, &n, &end) != 0 ||
        n != IMG_HASH_LEN || *end != '\0') {
        return -EINVAL;
    }
    return 0;
}
