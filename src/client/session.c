#include "client/session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/smp_err.h"

#define OS_MGMT_ID_PARAMS 6

const uint8_t smp_empty_map[1] = { 0xa0 };

int smp_session_init(struct smp_session *s, struct client_link *link)
{
    memset(s, 0, sizeof(*s));
    s->link = link;
    s->ver = SMP_VER_2;
    s->timeout_ms = 5000;
    s->retries = 3;
    s->rx_cap = SMP_HDR_SIZE + SESSION_FRAME_MAX;
    s->rx = malloc(s->rx_cap);
    s->tx = malloc(SMP_HDR_SIZE + SESSION_FRAME_MAX);
    if (!s->rx || !s->tx) {
        smp_session_free(s);
        return -ENOMEM;
    }
    smp_session_apply_params(s, SESSION_FALLBACK_FRAME, SESSION_FALLBACK_WINDOW + 1);
    s->params_known = false;
    return 0;
}

void smp_session_free(struct smp_session *s)
{
    free(s->rx);
    free(s->tx);
    s->rx = NULL;
    s->tx = NULL;
}

int smp_session_send(struct smp_session *s, uint8_t op, uint16_t group, uint8_t id,
                     const uint8_t *body, size_t len, uint8_t *seq)
{
    if (len > SESSION_FRAME_MAX) {
        return -EMSGSIZE;
    }
    uint8_t *pkt = s->tx;
    struct smp_hdr h = {
        .op = op, .ver = s->ver, .len = (uint16_t)len, .group = group, .seq = s->next_seq, .id = id,
    };
    smp_hdr_encode(&h, pkt);
    if (len) {
        memcpy(pkt + SMP_HDR_SIZE, body, len);
    }
    int rc = s->link->send(s->link->ctx, pkt, SMP_HDR_SIZE + len);
    if (rc < 0) {
        return rc;
    }
    s->pending[h.seq] = true;
    s->pending_group[h.seq] = group;
    s->pending_id[h.seq] = id;
    s->next_seq++;
    s->sent++;
    if (seq) {
        *seq = h.seq;
    }
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int smp_session_wait(struct smp_session *s, int timeout_ms, struct smp_answer *ans)
{
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        long left = deadline - now_ms();
        if (left < 0) {
            left = 0;
        }
        int n = s->link->recv(s->link->ctx, s->rx, s->rx_cap, (int)left);
        if (n < 0) {
            return n;
        }
        if (n == 0) {
            if (now_ms() >= deadline) {
                s->timeouts++;
                return -ETIMEDOUT;
            }
            continue;
        }
        struct smp_hdr h;
        /* Only answers to our requests count: right op, a seq in flight
         * for the same group and command, and the whole body there. */
        if (smp_hdr_decode(s->rx, (size_t)n, &h) || (h.op != SMP_OP_READ_RSP && h.op != SMP_OP_WRITE_RSP) ||
            !s->pending[h.seq] || s->pending_group[h.seq] != h.group || s->pending_id[h.seq] != h.id ||
            (size_t)n < SMP_HDR_SIZE + (size_t)h.len) {
            s->stray++;
            continue;
        }
        s->pending[h.seq] = false;
        ans->hdr = h;
        ans->body = s->rx + SMP_HDR_SIZE;
        ans->body_len = h.len;
        return 0;
    }
}

void smp_session_forget(struct smp_session *s, uint8_t seq)
{
    s->pending[seq] = false;
}

void smp_session_forget_all(struct smp_session *s)
{
    memset(s->pending, 0, sizeof(s->pending));
}

int smp_session_request(struct smp_session *s, uint8_t op, uint16_t group, uint8_t id,
                        const uint8_t *body, size_t len, int timeout_ms, cJSON **out)
{
    *out = NULL;
    int rc = -ETIMEDOUT;
    bool tried_v1 = false;
    for (int attempt = 0; attempt <= s->retries; attempt++) {
        uint8_t seq;
        uint8_t sent_ver = s->ver;
        rc = smp_session_send(s, op, group, id, body, len, &seq);
        if (rc) {
            return rc;
        }
        struct smp_answer ans;
        rc = smp_session_wait(s, timeout_ms, &ans);
        if (rc == -ETIMEDOUT) {
            smp_session_forget(s, seq);
            continue;
        }
        if (rc) {
            return rc;
        }
        cJSON *j = smp_reply_to_json(ans.body, ans.body_len);
        if (!j) {
            return SESSION_EBADREPLY;
        }
        /* A v1-only server answers v2 with TOO_NEW, or answers in v1. */
        if (ans.hdr.ver == SMP_VER_1) {
            s->ver = SMP_VER_1;
        }
        if (!smp_reply_status(j, group, &s->status)) {
            *out = j;
            return 0;
        }
        if (!s->status.group_err && s->status.rc == SMP_MGMT_EUNSUPPORTED_TOO_NEW && !tried_v1 &&
            sent_ver == SMP_VER_2) {
            cJSON_Delete(j);
            s->ver = SMP_VER_1;
            tried_v1 = true;
            attempt--;
            continue;
        }
        *out = j;
        return SESSION_EREFUSED;
    }
    return rc;
}

void smp_session_apply_params(struct smp_session *s, uint32_t buf_size, uint32_t buf_count)
{
    s->buf_size = buf_size;
    s->buf_count = buf_count;
    s->params_known = true;
    size_t frame = buf_size > s->link->frame_overhead ? buf_size - s->link->frame_overhead : 0;
    if (frame > s->link->mtu) {
        frame = s->link->mtu;
    }
    if (frame > SESSION_FRAME_MAX) {
        frame = SESSION_FRAME_MAX;
    }
    if (s->link->frame_fit) {
        frame = s->link->frame_fit(s->link->ctx, frame);
    }
    /* A device that claims less than a header and a small map cannot be
     * right; keep what works everywhere. */
    if (frame < 64) {
        frame = SESSION_FALLBACK_FRAME;
    }
    s->frame_size = frame;
    /* One buffer stays free for the device's own answer. */
    s->window = buf_count > 1 ? buf_count - 1 : 1;
}

int smp_session_negotiate(struct smp_session *s)
{
    cJSON *j;
    int rc = smp_session_request(s, SMP_OP_READ, SMP_GROUP_OS, OS_MGMT_ID_PARAMS, smp_empty_map,
                                 sizeof(smp_empty_map),
                                 s->timeout_ms, &j);
    if (rc == 0) {
        const cJSON *bs = cJSON_GetObjectItemCaseSensitive(j, "buf_size");
        const cJSON *bc = cJSON_GetObjectItemCaseSensitive(j, "buf_count");
        if (cJSON_IsNumber(bs) && cJSON_IsNumber(bc) && bs->valuedouble > 0 && bc->valuedouble > 0) {
            smp_session_apply_params(s, (uint32_t)bs->valuedouble, (uint32_t)bc->valuedouble);
        } else {
            rc = SESSION_EREFUSED;
        }
    }
    cJSON_Delete(j);
    if (rc == SESSION_EREFUSED || rc == SESSION_EBADREPLY) {
        smp_session_apply_params(s, SESSION_FALLBACK_FRAME, SESSION_FALLBACK_WINDOW + 1);
        s->params_known = false;
        return 0;
    }
    return rc;
}
