/*
 * SMP bodies over libcbor without allocation.
 *
 * The reader drives cbor_stream_decode() one data item head at a time. The
 * callbacks only record what the head was; the structure (which map or array
 * an item belongs to, whether it is a key or a value, when a container ends)
 * is tracked here with a fixed stack, so hostile nesting costs no recursion.
 * Only the umbrella <cbor.h> pulls in stdio, so the narrow headers are used.
 */
#include "wire/smp_cbor.h"

#include <string.h>

#include <cbor/callbacks.h>
#include <cbor/encoding.h>
#include <cbor/streaming.h>

/* ---- reading ----------------------------------------------------------- */

enum item_kind {
    ITEM_UINT,
    ITEM_NEGINT, /* value is -1 - u */
    ITEM_BSTR,
    ITEM_TSTR,
    ITEM_BSTR_INDEF,
    ITEM_TSTR_INDEF,
    ITEM_ARRAY,
    ITEM_ARRAY_INDEF,
    ITEM_MAP,
    ITEM_MAP_INDEF,
    ITEM_TAG,
    ITEM_BOOL,
    ITEM_OTHER, /* float, null, undefined: never a field value */
    ITEM_BREAK,
};

/* The head of one data item, as the last callback saw it. */
struct item {
    enum item_kind kind;
    uint64_t u; /* integer, tag number or container count */
    const uint8_t *ptr;
    size_t len;
    bool b;
};

static void on_uint8(void *ctx, uint8_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_UINT, .u = v };
}

static void on_uint16(void *ctx, uint16_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_UINT, .u = v };
}

static void on_uint32(void *ctx, uint32_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_UINT, .u = v };
}

static void on_uint64(void *ctx, uint64_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_UINT, .u = v };
}

static void on_negint8(void *ctx, uint8_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_NEGINT, .u = v };
}

static void on_negint16(void *ctx, uint16_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_NEGINT, .u = v };
}

static void on_negint32(void *ctx, uint32_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_NEGINT, .u = v };
}

static void on_negint64(void *ctx, uint64_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_NEGINT, .u = v };
}

static void on_bstr(void *ctx, cbor_data p, size_t len)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_BSTR, .ptr = p, .len = len };
}

static void on_bstr_indef(void *ctx)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_BSTR_INDEF };
}

static void on_tstr(void *ctx, cbor_data p, size_t len)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_TSTR, .ptr = p, .len = len };
}

static void on_tstr_indef(void *ctx)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_TSTR_INDEF };
}

static void on_array(void *ctx, size_t n)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_ARRAY, .u = n };
}

static void on_array_indef(void *ctx)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_ARRAY_INDEF };
}

static void on_map(void *ctx, size_t n)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_MAP, .u = n };
}

static void on_map_indef(void *ctx)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_MAP_INDEF };
}

static void on_tag(void *ctx, uint64_t v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_TAG, .u = v };
}

static void on_float(void *ctx, float v)
{
    (void)v;
    *(struct item *)ctx = (struct item){ .kind = ITEM_OTHER };
}

static void on_double(void *ctx, double v)
{
    (void)v;
    *(struct item *)ctx = (struct item){ .kind = ITEM_OTHER };
}

static void on_simple(void *ctx)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_OTHER };
}

static void on_bool(void *ctx, bool v)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_BOOL, .b = v };
}

static void on_break(void *ctx)
{
    *(struct item *)ctx = (struct item){ .kind = ITEM_BREAK };
}

/* libcbor 0.8's field comments are swapped for strings; the member names
 * are what count: byte_string/string take a definite string,
 * byte_string_start/string_start announce an indefinite one. */
static const struct cbor_callbacks item_callbacks = {
    .uint8 = on_uint8,
    .uint16 = on_uint16,
    .uint32 = on_uint32,
    .uint64 = on_uint64,
    .negint8 = on_negint8,
    .negint16 = on_negint16,
    .negint32 = on_negint32,
    .negint64 = on_negint64,
    .byte_string = on_bstr,
    .byte_string_start = on_bstr_indef,
    .string = on_tstr,
    .string_start = on_tstr_indef,
    .array_start = on_array,
    .indef_array_start = on_array_indef,
    .map_start = on_map,
    .indef_map_start = on_map_indef,
    .tag = on_tag,
    .float2 = on_float,
    .float4 = on_float,
    .float8 = on_double,
    .undefined = on_simple,
    .null = on_simple,
    .boolean = on_bool,
    .indef_break = on_break,
};

enum frame_kind {
    FRAME_MAP,
    FRAME_ARRAY,
    FRAME_BSTR_CHUNKS, /* inside an indefinite byte string */
    FRAME_TSTR_CHUNKS, /* inside an indefinite text string */
};

struct frame {
    uint8_t kind;
    bool indef;
    bool want_value; /* map: a key has been read, its value comes next */
    size_t left;     /* definite: entries (arrays) or pairs (maps) still to come */
};

struct reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    struct frame stack[SMP_CBOR_MAX_DEPTH];
    size_t depth;
    struct smp_cbor_field *fields;
    size_t n;
    struct smp_cbor_field *target; /* field for the top-level value being read */
};

static void reset_fields(struct smp_cbor_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fields[i].found = false;
        memset(&fields[i].v, 0, sizeof(fields[i].v));
    }
}

static struct smp_cbor_field *find_field(struct reader *r, const uint8_t *key, size_t len)
{
    for (size_t i = 0; i < r->n; i++) {
        const char *k = r->fields[i].key;
        if (strlen(k) == len && memcmp(k, key, len) == 0) {
            return &r->fields[i];
        }
    }
    return NULL;
}

/* One data item (scalar, or a container that just ended) is finished in
 * the innermost open container. Definite containers that thereby become
 * full end as well, which finishes an item one level up, and so on. */
static void finish_item(struct reader *r)
{
    while (r->depth > 0) {
        struct frame *f = &r->stack[r->depth - 1];
        if (f->kind == FRAME_MAP) {
            if (!f->want_value) {
                f->want_value = true;
                return;
            }
            f->want_value = false;
        }
        if (f->indef) {
            return;
        }
        f->left--;
        if (f->left > 0) {
            return;
        }
        r->depth--;
    }
}

static int open_container(struct reader *r, const struct item *it)
{
    bool indef = it->kind == ITEM_ARRAY_INDEF || it->kind == ITEM_MAP_INDEF ||
                 it->kind == ITEM_BSTR_INDEF || it->kind == ITEM_TSTR_INDEF;
    bool is_map = it->kind == ITEM_MAP || it->kind == ITEM_MAP_INDEF;

    if (!indef) {
        /* Every entry takes at least one byte: a count the rest of the
         * input cannot hold is a truncated body, said before anything is
         * walked (and keeps the counters far from overflow). */
        uint64_t room = r->len - r->pos;
        if (is_map ? it->u > room / 2 : it->u > room) {
            return SMP_CBOR_EDECODE;
        }
        if (it->u == 0) {
            finish_item(r);
            return SMP_CBOR_OK;
        }
    }
    if (r->depth == SMP_CBOR_MAX_DEPTH) {
        return SMP_CBOR_EDEPTH;
    }
    struct frame *f = &r->stack[r->depth++];
    f->indef = indef;
    f->want_value = false;
    f->left = (size_t)it->u;
    switch (it->kind) {
    case ITEM_MAP:
    case ITEM_MAP_INDEF:
        f->kind = FRAME_MAP;
        break;
    case ITEM_ARRAY:
    case ITEM_ARRAY_INDEF:
        f->kind = FRAME_ARRAY;
        break;
    case ITEM_BSTR_INDEF:
        f->kind = FRAME_BSTR_CHUNKS;
        break;
    default:
        f->kind = FRAME_TSTR_CHUNKS;
        break;
    }
    return SMP_CBOR_OK;
}

static bool is_container(enum item_kind k)
{
    return k == ITEM_ARRAY || k == ITEM_ARRAY_INDEF || k == ITEM_MAP || k == ITEM_MAP_INDEF ||
           k == ITEM_BSTR_INDEF || k == ITEM_TSTR_INDEF;
}

static int store_value(struct smp_cbor_field *fld, const struct item *it)
{
    switch (fld->type) {
    case SMP_CBOR_UINT:
        if (it->kind != ITEM_UINT) {
            return SMP_CBOR_ETYPE;
        }
        fld->v.u = it->u;
        break;
    case SMP_CBOR_INT:
        if ((it->kind != ITEM_UINT && it->kind != ITEM_NEGINT) || it->u > (uint64_t)INT64_MAX) {
            return SMP_CBOR_ETYPE;
        }
        fld->v.i = it->kind == ITEM_UINT ? (int64_t)it->u : -1 - (int64_t)it->u;
        break;
    case SMP_CBOR_BOOL:
        if (it->kind == ITEM_BOOL) {
            fld->v.b = it->b;
        } else if (it->kind == ITEM_UINT || it->kind == ITEM_NEGINT) {
            /* A negative integer is never 0. */
            fld->v.b = it->kind == ITEM_NEGINT || it->u != 0;
        } else {
            return SMP_CBOR_ETYPE;
        }
        break;
    case SMP_CBOR_TSTR:
    case SMP_CBOR_BSTR:
        if (it->kind != (fld->type == SMP_CBOR_TSTR ? ITEM_TSTR : ITEM_BSTR)) {
            return SMP_CBOR_ETYPE;
        }
        fld->v.str.ptr = it->ptr;
        fld->v.str.len = it->len;
        break;
    default:
        return SMP_CBOR_ETYPE;
    }
    fld->found = true;
    return SMP_CBOR_OK;
}

/* Reads the next item head; a truncated or malformed head is EDECODE. */
static int next_item(struct reader *r, struct item *it)
{
    struct cbor_decoder_result res =
        cbor_stream_decode(r->buf + r->pos, r->len - r->pos, &item_callbacks, it);
    if (res.status != CBOR_DECODER_FINISHED || res.read == 0) {
        return SMP_CBOR_EDECODE;
    }
    r->pos += res.read;
    return SMP_CBOR_OK;
}

/* Handles one item head (tags already taken off) inside the open map. */
static int walk_item(struct reader *r, const struct item *it, bool tagged)
{
    struct frame *top = &r->stack[r->depth - 1];

    if (it->kind == ITEM_BREAK) {
        if (tagged || !top->indef || (top->kind == FRAME_MAP && top->want_value)) {
            return SMP_CBOR_EDECODE;
        }
        r->depth--;
        finish_item(r);
        return SMP_CBOR_OK;
    }
    if (top->kind == FRAME_BSTR_CHUNKS || top->kind == FRAME_TSTR_CHUNKS) {
        /* Chunks are definite strings of the same major type, untagged. */
        enum item_kind want = top->kind == FRAME_BSTR_CHUNKS ? ITEM_BSTR : ITEM_TSTR;
        return tagged || it->kind != want ? SMP_CBOR_EDECODE : SMP_CBOR_OK;
    }
    if (r->depth == 1) {
        if (!top->want_value) {
            /* SMP bodies are keyed by text; a key that is not a definite
             * text string cannot name any field. */
            if (tagged || it->kind != ITEM_TSTR) {
                return SMP_CBOR_EDECODE;
            }
            r->target = find_field(r, it->ptr, it->len);
            finish_item(r);
            return SMP_CBOR_OK;
        }
        if (r->target != NULL) {
            if (tagged || is_container(it->kind)) {
                return SMP_CBOR_ETYPE;
            }
            int rc = store_value(r->target, it);
            if (rc != SMP_CBOR_OK) {
                return rc;
            }
            finish_item(r);
            return SMP_CBOR_OK;
        }
    }
    if (is_container(it->kind)) {
        return open_container(r, it);
    }
    finish_item(r);
    return SMP_CBOR_OK;
}

static int read_map(struct reader *r)
{
    struct item it;
    int rc = next_item(r, &it);
    if (rc != SMP_CBOR_OK) {
        return rc;
    }
    if (it.kind != ITEM_MAP && it.kind != ITEM_MAP_INDEF) {
        return SMP_CBOR_EDECODE;
    }
    /* An empty definite map ends at once; finish_item on an empty stack
     * does nothing. */
    rc = open_container(r, &it);
    while (rc == SMP_CBOR_OK && r->depth > 0) {
        bool tagged = false;
        rc = next_item(r, &it);
        while (rc == SMP_CBOR_OK && it.kind == ITEM_TAG) {
            tagged = true;
            rc = next_item(r, &it);
        }
        if (rc == SMP_CBOR_OK) {
            rc = walk_item(r, &it, tagged);
        }
    }
    if (rc == SMP_CBOR_OK && r->pos != r->len) {
        rc = SMP_CBOR_ETRAILING;
    }
    return rc;
}

int smp_cbor_read_map(const uint8_t *buf, size_t len, struct smp_cbor_field *fields, size_t n)
{
    struct reader r = { .buf = buf, .len = len, .fields = fields, .n = n };

    reset_fields(fields, n);
    if (buf == NULL || len == 0) {
        return SMP_CBOR_EDECODE;
    }
    int rc = read_map(&r);
    if (rc != SMP_CBOR_OK) {
        /* Half-read bodies must not look like requests that had the keys. */
        reset_fields(fields, n);
    }
    return rc;
}

/* ---- writing ----------------------------------------------------------- */

void smp_cbor_writer_init(struct smp_cbor_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->err = SMP_CBOR_OK;
}

/* Room left, or NULL when none: every CBOR item takes at least one byte,
 * and an empty tail must not be handed to libcbor as a pointer. */
static unsigned char *tail(struct smp_cbor_writer *w)
{
    if (w->err != SMP_CBOR_OK || w->len >= w->cap) {
        w->err = SMP_CBOR_ENOMEM;
        return NULL;
    }
    return w->buf + w->len;
}

/* libcbor's encoders return 0 when the item does not fit. */
static void advance(struct smp_cbor_writer *w, size_t n)
{
    if (n == 0) {
        w->err = SMP_CBOR_ENOMEM;
    } else {
        w->len += n;
    }
}

void smp_cbor_map_open(struct smp_cbor_writer *w)
{
    unsigned char *p = tail(w);
    if (p != NULL) {
        advance(w, cbor_encode_indef_map_start(p, w->cap - w->len));
    }
}

void smp_cbor_array_open(struct smp_cbor_writer *w)
{
    unsigned char *p = tail(w);
    if (p != NULL) {
        advance(w, cbor_encode_indef_array_start(p, w->cap - w->len));
    }
}

void smp_cbor_close(struct smp_cbor_writer *w)
{
    unsigned char *p = tail(w);
    if (p != NULL) {
        advance(w, cbor_encode_break(p, w->cap - w->len));
    }
}

void smp_cbor_put_uint(struct smp_cbor_writer *w, uint64_t v)
{
    unsigned char *p = tail(w);
    if (p != NULL) {
        advance(w, cbor_encode_uint(v, p, w->cap - w->len));
    }
}

void smp_cbor_put_int(struct smp_cbor_writer *w, int64_t v)
{
    unsigned char *p = tail(w);
    if (p == NULL) {
        return;
    }
    if (v >= 0) {
        advance(w, cbor_encode_uint((uint64_t)v, p, w->cap - w->len));
    } else {
        /* CBOR stores -1 - n; written this way it cannot overflow. */
        advance(w, cbor_encode_negint((uint64_t)(-(v + 1)), p, w->cap - w->len));
    }
}

void smp_cbor_put_bool(struct smp_cbor_writer *w, bool v)
{
    unsigned char *p = tail(w);
    if (p != NULL) {
        advance(w, cbor_encode_bool(v, p, w->cap - w->len));
    }
}

/* A definite string: the head from libcbor, then the bytes. */
static void put_string(struct smp_cbor_writer *w, bool text, const uint8_t *s, size_t len)
{
    unsigned char *p = tail(w);
    if (p == NULL) {
        return;
    }
    size_t room = w->cap - w->len;
    size_t head = text ? cbor_encode_string_start(len, p, room)
                       : cbor_encode_bytestring_start(len, p, room);
    if (head == 0 || room - head < len) {
        w->err = SMP_CBOR_ENOMEM;
        return;
    }
    if (len > 0) {
        memcpy(p + head, s, len);
    }
    w->len += head + len;
}

void smp_cbor_put_tstr(struct smp_cbor_writer *w, const char *s)
{
    put_string(w, true, (const uint8_t *)s, strlen(s));
}

void smp_cbor_put_tstr_n(struct smp_cbor_writer *w, const char *s, size_t len)
{
    put_string(w, true, (const uint8_t *)s, len);
}

void smp_cbor_put_bstr(struct smp_cbor_writer *w, const uint8_t *p, size_t len)
{
    put_string(w, false, p, len);
}

void smp_cbor_put_key(struct smp_cbor_writer *w, const char *key)
{
    smp_cbor_put_tstr(w, key);
}

int smp_cbor_writer_finish(const struct smp_cbor_writer *w, size_t *len)
{
    if (w->err != SMP_CBOR_OK) {
        return SMP_CBOR_ENOMEM;
    }
    if (len != NULL) {
        *len = w->len;
    }
    return SMP_CBOR_OK;
}
