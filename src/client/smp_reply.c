#include "client/smp_reply.h"

#include <cbor.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium/utils.h>

#include "wire/smp_err.h"
#include "wire/smp_header.h"

static cJSON *item_to_json(const cbor_item_t *it, int depth);

static cJSON *bytes_to_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s) {
        return NULL;
    }
    sodium_bin2hex(s, n * 2 + 1, p, n);
    cJSON *j = cJSON_CreateString(s);
    free(s);
    return j;
}

/* Strings may be indefinite (chunked); libcbor keeps the chunks apart. */
static char *string_copy(const cbor_item_t *it, size_t *len)
{
    size_t n = 0;
    bool text = cbor_isa_string(it);
    if (text ? cbor_string_is_definite(it) : cbor_bytestring_is_definite(it)) {
        n = text ? cbor_string_length(it) : cbor_bytestring_length(it);
        char *s = malloc(n + 1);
        if (!s) {
            return NULL;
        }
        memcpy(s, text ? cbor_string_handle(it) : cbor_bytestring_handle(it), n);
        s[n] = '\0';
        *len = n;
        return s;
    }
    size_t count = text ? cbor_string_chunk_count(it) : cbor_bytestring_chunk_count(it);
    cbor_item_t **chunks = text ? cbor_string_chunks_handle(it) : cbor_bytestring_chunks_handle(it);
    for (size_t i = 0; i < count; i++) {
        n += text ? cbor_string_length(chunks[i]) : cbor_bytestring_length(chunks[i]);
    }
    char *s = malloc(n + 1);
    if (!s) {
        return NULL;
    }
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        size_t cl = text ? cbor_string_length(chunks[i]) : cbor_bytestring_length(chunks[i]);
        memcpy(s + off, text ? cbor_string_handle(chunks[i]) : cbor_bytestring_handle(chunks[i]),
               cl);
        off += cl;
    }
    s[n] = '\0';
    *len = n;
    return s;
}

static cJSON *map_to_json(const cbor_item_t *it, int depth)
{
    cJSON *obj = cJSON_CreateObject();
    size_t n = cbor_map_size(it);
    struct cbor_pair *pairs = cbor_map_handle(it);
    for (size_t i = 0; obj && i < n; i++) {
        char key[64];
        if (cbor_isa_string(pairs[i].key)) {
            size_t kl;
            char *k = string_copy(pairs[i].key, &kl);
            if (!k) {
                cJSON_Delete(obj);
                return NULL;
            }
            snprintf(key, sizeof(key), "%s", k);
            free(k);
        } else if (cbor_isa_uint(pairs[i].key)) {
            snprintf(key, sizeof(key), "%llu", (unsigned long long)cbor_get_int(pairs[i].key));
        } else {
            continue;
        }
        cJSON *v = item_to_json(pairs[i].value, depth + 1);
        if (!v) {
            cJSON_Delete(obj);
            return NULL;
        }
        cJSON_AddItemToObject(obj, key, v);
    }
    return obj;
}

static cJSON *item_to_json(const cbor_item_t *it, int depth)
{
    if (depth > 16) {
        return NULL;
    }
    switch (cbor_typeof(it)) {
    case CBOR_TYPE_UINT:
        return cJSON_CreateNumber((double)cbor_get_int(it));
    case CBOR_TYPE_NEGINT:
        return cJSON_CreateNumber(-1.0 - (double)cbor_get_int(it));
    case CBOR_TYPE_BYTESTRING:
    case CBOR_TYPE_STRING: {
        size_t n;
        char *s = string_copy(it, &n);
        if (!s) {
            return NULL;
        }
        cJSON *j = cbor_isa_string(it) ? cJSON_CreateString(s) : bytes_to_hex((uint8_t *)s, n);
        free(s);
        return j;
    }
    case CBOR_TYPE_ARRAY: {
        cJSON *arr = cJSON_CreateArray();
        size_t n = cbor_array_size(it);
        cbor_item_t **items = cbor_array_handle(it);
        for (size_t i = 0; arr && i < n; i++) {
            cJSON *v = item_to_json(items[i], depth + 1);
            if (!v) {
                cJSON_Delete(arr);
                return NULL;
            }
            cJSON_AddItemToArray(arr, v);
        }
        return arr;
    }
    case CBOR_TYPE_MAP:
        return map_to_json(it, depth);
    case CBOR_TYPE_TAG:
        return item_to_json(cbor_tag_item(it), depth + 1);
    case CBOR_TYPE_FLOAT_CTRL:
        if (cbor_is_bool(it)) {
            return cJSON_CreateBool(cbor_get_bool(it));
        }
        if (cbor_float_ctrl_is_ctrl(it)) {
            return cJSON_CreateNull();
        }
        return cJSON_CreateNumber(cbor_float_get_float(it));
    }
    return NULL;
}

cJSON *smp_reply_to_json(const uint8_t *body, size_t len)
{
    if (len == 0) {
        return cJSON_CreateObject();
    }
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load(body, len, &res);
    if (!it) {
        return NULL;
    }
    cJSON *j = NULL;
    if (res.read == len && cbor_isa_map(it)) {
        j = map_to_json(it, 0);
    }
    cbor_decref(&it);
    return j;
}

bool smp_reply_status(const cJSON *body, uint16_t group, struct smp_status *st)
{
    memset(st, 0, sizeof(*st));
    st->group = group;
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(body, "rc");
    if (cJSON_IsNumber(rc)) {
        st->rc = rc->valueint;
    }
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "err");
    if (!cJSON_IsObject(err)) {
        err = cJSON_GetObjectItemCaseSensitive(body, "ret");
    }
    if (cJSON_IsObject(err)) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(err, "group");
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(err, "rc");
        if (cJSON_IsNumber(g) && cJSON_IsNumber(r) && r->valueint != 0) {
            st->group_err = true;
            st->group = (uint16_t)g->valueint;
            st->group_rc = r->valueint;
        }
    }
    return st->rc != 0 || st->group_err;
}

const char *smp_group_name(uint16_t group, char *buf, size_t cap)
{
    static const struct {
        uint16_t id;
        const char *name;
    } names[] = {
        { SMP_GROUP_OS, "os" },         { SMP_GROUP_IMAGE, "image" },
        { SMP_GROUP_STAT, "stat" },     { SMP_GROUP_SETTINGS, "settings" },
        { SMP_GROUP_LOG, "log" },       { SMP_GROUP_CRASH, "crash" },
        { SMP_GROUP_SPLIT, "split" },   { SMP_GROUP_RUN, "run" },
        { SMP_GROUP_FS, "fs" },         { SMP_GROUP_SHELL, "shell" },
        { SMP_GROUP_ENUM, "enum" },     { SMP_GROUP_ZEPHYR_BASIC, "basic" },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].id == group) {
            return names[i].name;
        }
    }
    snprintf(buf, cap, "group %u", (unsigned)group);
    return buf;
}

static const struct smp_err_info *status_info(const struct smp_status *st)
{
    return st->group_err ? smp_group_err_info(st->group, st->group_rc) : smp_mgmt_err_info(st->rc);
}

const char *smp_status_name(const struct smp_status *st)
{
    const struct smp_err_info *info = status_info(st);
    return info ? info->name : "UNKNOWN";
}

const char *smp_status_hint(const struct smp_status *st)
{
    const struct smp_err_info *info = status_info(st);
    return info ? info->hint : "a code this client does not know; see the device's documentation";
}

void smp_status_describe(const struct smp_status *st, char *buf, size_t cap)
{
    char gbuf[16];
    const struct smp_err_info *info = status_info(st);
    int rc = st->group_err ? st->group_rc : st->rc;
    snprintf(buf, cap, "%s/%s (rc %d): %s", smp_group_name(st->group, gbuf, sizeof(gbuf)),
             info ? info->name : "UNKNOWN", rc, smp_status_hint(st));
}

