/*
 * One SMP frame from the network: header decode, then the body through
 * read_map with fields of every type. Whatever read_map accepts must survive
 * a round trip: the found fields are written back with the writer and read
 * again to the same values, and every string must point into the body.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/smp_cbor.h"
#include "wire/smp_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 7

static void set_fields(struct smp_cbor_field *f, bool alt)
{
    /* The second set reads the same keys as other types, so each key is
     * tried against every kind of value the input puts under it. */
    static const char *const keys[NFIELDS] = { "rc", "off", "confirm", "d", "data", "len", "sha" };
    static const enum smp_cbor_type types[NFIELDS] = {
        SMP_CBOR_INT, SMP_CBOR_UINT, SMP_CBOR_BOOL, SMP_CBOR_TSTR,
        SMP_CBOR_BSTR, SMP_CBOR_UINT, SMP_CBOR_BSTR,
    };
    for (size_t i = 0; i < NFIELDS; i++) {
        memset(&f[i], 0, sizeof(f[i]));
        f[i].key = keys[i];
        f[i].type = types[(i + (alt ? 3 : 0)) % NFIELDS];
    }
}

static bool same_value(const struct smp_cbor_field *a, const struct smp_cbor_field *b)
{
    if (a->found != b->found) {
        return false;
    }
    if (!a->found) {
        return true;
    }
    switch (a->type) {
    case SMP_CBOR_UINT:
        return a->v.u == b->v.u;
    case SMP_CBOR_INT:
        return a->v.i == b->v.i;
    case SMP_CBOR_BOOL:
        return a->v.b == b->v.b;
    default:
        return a->v.str.len == b->v.str.len &&
               (a->v.str.len == 0 || memcmp(a->v.str.ptr, b->v.str.ptr, a->v.str.len) == 0);
    }
}

static void put_field(struct smp_cbor_writer *w, const struct smp_cbor_field *f)
{
    smp_cbor_put_key(w, f->key);
    switch (f->type) {
    case SMP_CBOR_UINT:
        smp_cbor_put_uint(w, f->v.u);
        break;
    case SMP_CBOR_INT:
        smp_cbor_put_int(w, f->v.i);
        break;
    case SMP_CBOR_BOOL:
        smp_cbor_put_bool(w, f->v.b);
        break;
    case SMP_CBOR_TSTR:
        smp_cbor_put_tstr_n(w, (const char *)f->v.str.ptr, f->v.str.len);
        break;
    default:
        smp_cbor_put_bstr(w, f->v.str.ptr, f->v.str.len);
        break;
    }
}

static void check_body(const uint8_t *body, size_t len, bool alt)
{
    struct smp_cbor_field f[NFIELDS];
    set_fields(f, alt);
    int rc = smp_cbor_read_map(body, len, f, NFIELDS);
    if (rc != SMP_CBOR_OK) {
        for (size_t i = 0; i < NFIELDS; i++) {
            if (f[i].found) {
                abort();
            }
        }
        return;
    }

    static uint8_t out[65536];
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, out, sizeof(out));
    smp_cbor_map_open(&w);
    for (size_t i = 0; i < NFIELDS; i++) {
        const struct smp_cbor_field *s = &f[i];
        if (!s->found) {
            continue;
        }
        if ((s->type == SMP_CBOR_TSTR || s->type == SMP_CBOR_BSTR) &&
            (s->v.str.ptr < body || s->v.str.len > len ||
             s->v.str.ptr + s->v.str.len > body + len)) {
            abort();
        }
        put_field(&w, s);
    }
    smp_cbor_close(&w);
    size_t out_len;
    if (smp_cbor_writer_finish(&w, &out_len) != SMP_CBOR_OK) {
        abort();
    }
    struct smp_cbor_field again[NFIELDS];
    set_fields(again, alt);
    if (smp_cbor_read_map(out, out_len, again, NFIELDS) != SMP_CBOR_OK) {
        abort();
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        if (!same_value(&f[i], &again[i])) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smp_hdr hdr;
    if (smp_hdr_decode(data, size, &hdr) != 0) {
        return 0;
    }
    uint8_t again[SMP_HDR_SIZE];
    smp_hdr_encode(&hdr, again);
    if ((again[0] & 0x1f) != (data[0] & 0x1f) || memcmp(again + 1, data + 1, SMP_HDR_SIZE - 1)) {
        abort();
    }

    /* The body as the header announces it when that much is there (a
     * server's view), and everything after the header (a sloppy sender). */
    size_t rest = size - SMP_HDR_SIZE;
    const uint8_t *body = data + SMP_HDR_SIZE;
    if (hdr.len <= rest) {
        check_body(body, hdr.len, false);
        check_body(body, hdr.len, true);
    }
    check_body(body, rest, false);
    return 0;
}
