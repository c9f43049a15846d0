#include "client/upload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/smp_cbor.h"

/* Worst-case NOR page erase (nRF5340: ~87.5 ms per 4 KiB) rounded up: the
 * first chunk waits for the whole slot's erase on devices without
 * progressive erase. */
#define ERASE_MS_PER_4K 90

struct chunk {
    size_t off, end;
};

/* Encodes the request for data[off, off + n) into buf; the length or a
 * negative value when it does not fit. */
static int encode_chunk(const struct upload_opts *o, size_t off, size_t n, uint8_t *buf,
                        size_t cap)
{
    struct smp_cbor_writer w;
    smp_cbor_writer_init(&w, buf, cap);
    smp_cbor_map_open(&w);
    if (off == 0) {
        if (o->image) {
            smp_cbor_put_key(&w, "image");
            smp_cbor_put_uint(&w, o->image);
        }
        smp_cbor_put_key(&w, "len");
        smp_cbor_put_uint(&w, o->len);
    }
    smp_cbor_put_key(&w, "off");
    smp_cbor_put_uint(&w, off);
    if (off == 0) {
        smp_cbor_put_key(&w, "sha");
        smp_cbor_put_bstr(&w, o->sha, sizeof(o->sha));
        if (o->upgrade) {
            smp_cbor_put_key(&w, "upgrade");
            smp_cbor_put_bool(&w, true);
        }
    }
    smp_cbor_put_key(&w, "data");
    smp_cbor_put_bstr(&w, o->data + off, n);
    smp_cbor_close(&w);
    size_t len;
    if (smp_cbor_writer_finish(&w, &len)) {
        return -EMSGSIZE;
    }
    return (int)len;
}

size_t upload_chunk_capacity(const struct upload_opts *o, size_t frame, size_t off)
{
    uint8_t buf[128];
    int empty = encode_chunk(o, off, 0, buf, sizeof(buf));
    /* A byte string's head grows from 1 byte (empty) to 3 (256..65535). */
    size_t overhead = SMP_HDR_SIZE + (size_t)empty + 2;
    if (empty < 0 || frame <= overhead) {
        return 0;
    }
    return frame - overhead;
}

static size_t chunk_len(const struct upload_opts *o, size_t frame, size_t off)
{
    size_t n = upload_chunk_capacity(o, frame, off);
    return n < o->len - off ? n : o->len - off;
}

static int send_chunk(struct smp_session *s, const struct upload_opts *o, size_t frame, size_t off,
                      uint8_t *buf, struct chunk *c, uint8_t *seq)
{
    size_t n = chunk_len(o, frame, off);
    int len = encode_chunk(o, off, n, buf, frame);
    if (len < 0) {
        return len;
    }
    c->off = off;
    c->end = off + n;
    return smp_session_send(s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_MGMT_ID_UPLOAD, buf, (size_t)len,
                            seq);
}

/* The device's next expected offset from an answer, or an error. */
static int read_answer(struct smp_session *s, const struct smp_answer *ans, size_t *off,
                       struct upload_stats *st)
{
    cJSON *j = smp_reply_to_json(ans->body, ans->body_len);
    if (!j) {
        return SESSION_EBADREPLY;
    }
    if (ans->hdr.ver == SMP_VER_1) {
        s->ver = SMP_VER_1;
    }
    int rc = 0;
    if (smp_reply_status(j, SMP_GROUP_IMAGE, &s->status)) {
        rc = SESSION_EREFUSED;
    } else {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "off");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "match");
        if (!cJSON_IsNumber(o) || o->valuedouble < 0) {
            rc = SESSION_EBADREPLY;
        } else {
            *off = (size_t)o->valuedouble;
        }
        if (cJSON_IsBool(m)) {
            st->match_reported = true;
            st->match = cJSON_IsTrue(m);
        }
    }
    cJSON_Delete(j);
    return rc;
}

int image_upload(struct smp_session *s, const struct upload_opts *o, struct upload_stats *st)
{
    memset(st, 0, sizeof(*st));
    size_t frame = s->frame_size;
    if (o->frame && o->frame < frame) {
        frame = o->frame;
    }
    unsigned window = o->window ? o->window : s->window;
    if (window > 255) {
        window = 255;
    }
    int chunk_to = o->chunk_timeout_ms ? o->chunk_timeout_ms : s->timeout_ms;
    int first_to = o->first_timeout_ms
                       ? o->first_timeout_ms
                       : chunk_to + (int)((o->len / 4096 + 1) * ERASE_MS_PER_4K);
    int retries = o->retries ? o->retries : s->retries;
    st->chunk_data = upload_chunk_capacity(o, frame, o->len);
    if (o->len == 0 || upload_chunk_capacity(o, frame, 0) == 0 || st->chunk_data == 0) {
        return -EMSGSIZE;
    }
    uint8_t *buf = malloc(frame);
    struct chunk *flight = calloc(256, sizeof(*flight));
    if (!buf || !flight) {
        free(buf);
        free(flight);
        return -ENOMEM;
    }

    size_t acked = 0; /* the device's offset, as last reported */
    size_t next = 0;  /* next offset to send */
    unsigned in_flight = 0;
    int misses = 0, stalls = 0;
    int rc = 0;
    bool done = false;
    while (!done) {
        /* Offset 0 opens (or reopens) the upload: alone, with the long
         * wait; everything after it streams. */
        bool opening = next == 0;
        unsigned limit = opening ? 1 : window;
        while (in_flight < limit && next < o->len) {
            struct chunk c;
            uint8_t seq;
            rc = send_chunk(s, o, frame, next, buf, &c, &seq);
            if (rc) {
                goto out;
            }
            flight[seq] = c;
            in_flight++;
            st->chunks++;
            next = c.end;
            if (c.off == 0) {
                break;
            }
        }
        struct smp_answer ans;
        rc = smp_session_wait(s, opening ? first_to : chunk_to, &ans);
        if (rc == -ETIMEDOUT) {
            st->timeouts++;
            if (++misses > retries) {
                goto out;
            }
            /* Whatever was in flight is lost or late: start again from
             * what the device confirmed. */
            smp_session_forget_all(s);
            in_flight = 0;
            next = acked;
            rc = 0;
            continue;
        }
        if (rc) {
            goto out;
        }
        in_flight--;
        size_t off;
        rc = read_answer(s, &ans, &off, st);
        if (rc) {
            goto out;
        }
        if (off > o->len) {
            rc = UPLOAD_EOFFSET;
            goto out;
        }
        if (off > acked) {
            misses = 0;
            stalls = 0;
        }
        acked = off;
        if (o->progress) {
            o->progress(o->progress_arg, acked, o->len);
        }
        if (acked == o->len) {
            done = true;
        } else if (off != flight[ans.hdr.seq].end) {
            /* The device is elsewhere (it dropped this chunk, lost one
             * before it, or restarted): the answers still in flight
             * describe a stream it no longer follows. */
            smp_session_forget_all(s);
            in_flight = 0;
            next = off;
            st->resyncs++;
            /* A device that keeps moving the upload without taking any
             * of it (stuck at offset 0, say) must not keep us looping. */
            if (++stalls > retries + 1) {
                rc = UPLOAD_ESTALLED;
                goto out;
            }
        }
    }
    if (st->match_reported && !st->match) {
        rc = UPLOAD_EMISMATCH;
    }
out:
    smp_session_forget_all(s);
    free(buf);
    free(flight);
    return rc;
}
