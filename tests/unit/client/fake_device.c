#include "fake_device.h"

#include <errno.h>
#include <mbedtls/sha256.h>
#include <string.h>

#include "wire/smp_cbor.h"
#include "wire/smp_header.h"

void fake_device_init(struct fake_device *d)
{
    memset(d, 0, sizeof(*d));
    d->buf_size = 512;
    d->buf_count = 4;
    d->drop_request = -1;
    d->drop_from = -1;
    d->forget_at = -1;
    d->b0_active = -1;
}

/* State read: one confirmed application running in slot 0. */
static size_t image_list(uint8_t *out, size_t cap)
{
    static const uint8_t running_hash[32] = { 0x11 };
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, out, cap);
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "images");
    smp_cbor_array_open(&w);
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "slot");
    smp_cbor_put_uint(&w, 0);
    smp_cbor_put_key(&w, "version");
    smp_cbor_put_tstr(&w, "1.0.0");
    smp_cbor_put_key(&w, "hash");
    smp_cbor_put_bstr(&w, running_hash, sizeof(running_hash));
    smp_cbor_put_key(&w, "active");
    smp_cbor_put_bool(&w, true);
    smp_cbor_put_key(&w, "confirmed");
    smp_cbor_put_bool(&w, true);
    smp_cbor_close(&w);
    smp_cbor_close(&w);
    smp_cbor_close(&w);
    size_t len = 0;
    smp_cbor_writer_finish(&w, &len);
    return len;
}

static void enqueue(struct fake_device *d, const struct smp_hdr *req, const uint8_t *body,
                    size_t len)
{
    struct fake_pkt *p = &d->queue[d->q_tail % FAKE_QUEUE];
    struct smp_hdr h = *req;
    h.op = smp_rsp_op(req->op);
    h.len = (uint16_t)len;
    smp_hdr_encode(&h, p->data);
    memcpy(p->data + SMP_HDR_SIZE, body, len);
    p->len = SMP_HDR_SIZE + len;
    d->q_tail++;
}

void fake_device_inject(struct fake_device *d, const uint8_t *pkt, size_t len)
{
    struct fake_pkt *p = &d->queue[d->q_tail % FAKE_QUEUE];
    memcpy(p->data, pkt, len);
    p->len = len;
    d->q_tail++;
}

static size_t rc_body(uint8_t *buf, size_t cap, int rc)
{
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, cap);
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "rc");
    smp_cbor_put_int(&w, rc);
    smp_cbor_close(&w);
    size_t len = 0;
    smp_cbor_writer_finish(&w, &len);
    return len;
}

static size_t upload(struct fake_device *d, const uint8_t *body, size_t len, uint8_t *out,
                     size_t cap)
{
    struct smp_cbor_field f[] = {
        { .key = "off", .type = SMP_CBOR_UINT },  { .key = "len", .type = SMP_CBOR_UINT },
        { .key = "data", .type = SMP_CBOR_BSTR }, { .key = "sha", .type = SMP_CBOR_BSTR },
    };
    if (smp_cbor_read_map(body, len, f, 4) || !f[0].found || !f[2].found) {
        return rc_body(out, cap, 3);
    }
    size_t off = f[0].v.u;
    const uint8_t *data = f[2].v.str.ptr;
    size_t n = f[2].v.str.len;
    bool match = false;
    if (d->stuck) {
        off = 1; /* never the expected offset below */
        d->up_off = 0;
    } else if (off == 0) {
        d->first_chunks++;
        if (!f[1].found || !f[3].found || f[3].v.str.len != 32 || f[1].v.u > FAKE_IMAGE_MAX) {
            return rc_body(out, cap, 3);
        }
        if (d->uploading && memcmp(d->up_sha, f[3].v.str.ptr, 32) == 0) {
            /* Resume: answer where it stands, write nothing. */
        } else {
            d->uploading = true;
            d->up_len = f[1].v.u;
            memcpy(d->up_sha, f[3].v.str.ptr, 32);
            memcpy(d->image, data, n);
            d->up_off = n;
        }
    } else if (d->uploading && off == d->up_off && off + n <= d->up_len) {
        if (d->first_data_off == 0) {
            d->first_data_off = off;
        }
        memcpy(d->image + off, data, n);
        d->up_off += n;
    }
    bool completed = d->uploading && d->up_off == d->up_len;
    if (completed) {
        uint8_t sha[32];
        mbedtls_sha256_ret(d->image, d->up_len, sha, 0);
        match = memcmp(sha, d->up_sha, 32) == 0;
        d->uploading = false;
    }
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, out, cap);
    smp_cbor_map_open(&w);
    smp_cbor_put_key(&w, "off");
    smp_cbor_put_uint(&w, d->stuck ? 0 : d->up_off);
    if (completed) {
        smp_cbor_put_key(&w, "match");
        smp_cbor_put_bool(&w, match);
    }
    smp_cbor_close(&w);
    size_t olen = 0;
    smp_cbor_writer_finish(&w, &olen);
    return olen;
}

static int fake_send(void *ctx, const uint8_t *pkt, size_t len)
{
    struct fake_device *d = ctx;
    int idx = d->requests++;
    if (len > d->max_request) {
        d->max_request = len;
    }
    struct smp_hdr h;
    if (smp_hdr_decode(pkt, len, &h) || len != SMP_HDR_SIZE + (size_t)h.len) {
        return 0;
    }
    d->last_ver = h.ver;
    if (idx == d->forget_at) {
        d->uploading = false;
        d->up_off = 0;
        d->up_len = 0;
    }
    if (idx == d->drop_request || (d->drop_from >= 0 && idx >= d->drop_from &&
                                   idx < d->drop_from + d->drop_count)) {
        return 0;
    }
    const uint8_t *body = pkt + SMP_HDR_SIZE;
    uint8_t out[256];
    size_t olen;
    if (d->v1_only && h.ver != SMP_VER_1) {
        olen = rc_body(out, sizeof(out), 13);
        h.ver = SMP_VER_1;
    } else if (h.group == SMP_GROUP_OS && h.id == 6) {
        if (!d->buf_size) {
            olen = rc_body(out, sizeof(out), 8);
        } else {
            struct smp_cbor_writer w;
            smp_cbor_writer_init(&w, out, sizeof(out));
            smp_cbor_map_open(&w);
            smp_cbor_put_key(&w, "buf_size");
            smp_cbor_put_uint(&w, d->buf_size);
            smp_cbor_put_key(&w, "buf_count");
            smp_cbor_put_uint(&w, d->buf_count);
            smp_cbor_close(&w);
            smp_cbor_writer_finish(&w, &olen);
        }
    } else if (h.group == SMP_GROUP_OS && h.id == 0) {
        struct smp_cbor_field f = { .key = "d", .type = SMP_CBOR_TSTR };
        smp_cbor_read_map(body, h.len, &f, 1);
        struct smp_cbor_writer w;
        smp_cbor_writer_init(&w, out, sizeof(out));
        smp_cbor_map_open(&w);
        smp_cbor_put_key(&w, "r");
        smp_cbor_put_tstr_n(&w, (const char *)f.v.str.ptr, f.v.str.len);
        smp_cbor_close(&w);
        smp_cbor_writer_finish(&w, &olen);
    } else if (h.group == SMP_GROUP_IMAGE && h.id == 1) {
        olen = upload(d, body, h.len, out, sizeof(out));
    } else if (h.group == SMP_GROUP_OS && h.id == 8) {
        struct smp_cbor_field f = { .key = "query", .type = SMP_CBOR_TSTR };
        smp_cbor_read_map(body, h.len, &f, 1);
        if (d->b0_active < 0 || !f.found || f.v.str.len != 14 ||
            memcmp(f.v.str.ptr, "active_b0_slot", 14) != 0) {
            olen = rc_body(out, sizeof(out), 8);
        } else {
            struct smp_cbor_writer w;
            smp_cbor_writer_init(&w, out, sizeof(out));
            smp_cbor_map_open(&w);
            smp_cbor_put_key(&w, "active");
            smp_cbor_put_uint(&w, (uint64_t)d->b0_active);
            smp_cbor_close(&w);
            smp_cbor_writer_finish(&w, &olen);
        }
    } else if (h.group == SMP_GROUP_OS && h.id == 5) {
        d->resets++;
        if (d->marked && d->marked_confirm && d->b0_active >= 0 && !d->b0_stuck) {
            d->b0_active = 1 - d->b0_active;
        }
        olen = rc_body(out, sizeof(out), 0);
    } else if (h.group == SMP_GROUP_IMAGE && h.id == 0 && h.op == SMP_OP_READ) {
        olen = image_list(out, sizeof(out));
    } else if (h.group == SMP_GROUP_IMAGE && h.id == 0 && d->b0_active >= 0) {
        struct smp_cbor_field f[] = { { .key = "hash", .type = SMP_CBOR_BSTR },
                                      { .key = "confirm", .type = SMP_CBOR_BOOL } };
        smp_cbor_read_map(body, h.len, f, 2);
        d->marked = f[0].found && f[0].v.str.len == 32;
        if (d->marked) {
            memcpy(d->marked_hash, f[0].v.str.ptr, 32);
        }
        d->marked_confirm = f[1].found && f[1].v.b;
        olen = image_list(out, sizeof(out));
    } else if (h.group == SMP_GROUP_IMAGE && h.id == 0) {
        /* A v2 group error: hash not found. */
        static const uint8_t err[] = { 0xa1, 0x63, 'e', 'r', 'r', 0xa2, 0x65, 'g', 'r', 'o', 'u',
                                       'p', 0x01, 0x62, 'r', 'c', 0x08 };
        memcpy(out, err, sizeof(err));
        olen = sizeof(err);
    } else {
        olen = rc_body(out, sizeof(out), 8);
    }
    enqueue(d, &h, out, olen);
    return 0;
}

static int fake_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct fake_device *d = ctx;
    if (d->waits++ == 0) {
        d->first_wait_ms = timeout_ms;
    } else if (timeout_ms > d->later_wait_max_ms) {
        d->later_wait_max_ms = timeout_ms;
    }
    size_t queued = d->q_tail - d->q_head;
    if (queued > d->max_queued) {
        d->max_queued = queued;
    }
    if (queued == 0) {
        return 0; /* a timeout, at once */
    }
    struct fake_pkt *p = &d->queue[d->q_head % FAKE_QUEUE];
    d->q_head++;
    if (p->len > cap) {
        return -EMSGSIZE;
    }
    memcpy(buf, p->data, p->len);
    return (int)p->len;
}

void fake_link(struct client_link *l, struct fake_device *d, size_t mtu, size_t overhead)
{
    *l = (struct client_link){
        .ctx = d,
        .send = fake_send,
        .recv = fake_recv,
        .mtu = mtu,
        .frame_overhead = overhead,
    };
}
