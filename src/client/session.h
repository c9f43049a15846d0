/*
 * An SMP session with one device: sequence numbers, requests in flight,
 * the frame size and window the device can take, timeouts and retries,
 * SMP v2 with a fall back to v1.
 *
 * Two levels: smp_session_request() is one request and its answer (with
 * retries); smp_session_send() / smp_session_wait() let a caller keep
 * several requests in flight and match the answers by sequence number
 * (the pipelined upload does).
 */
#ifndef SMPDFU_CLIENT_SESSION_H
#define SMPDFU_CLIENT_SESSION_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/link.h"
#include "client/smp_reply.h"
#include "wire/smp_header.h"

/* When the device cannot say what it takes (OS command 6 unsupported):
 * Zephyr's default buffer (CONFIG_MCUMGR_TRANSPORT_NETBUF_SIZE) and one
 * request at a time. */
#define SESSION_FALLBACK_FRAME 384
#define SESSION_FALLBACK_WINDOW 1
/* Upper bound on frames whatever the device claims. */
#define SESSION_FRAME_MAX 65535

enum session_err {
    /* The device answered with a refusal: see s->status. */
    SESSION_EREFUSED = -10000,
    /* The device answered something that is not SMP for this request. */
    SESSION_EBADREPLY = -10001,
};

struct smp_session {
    struct client_link *link;
    uint8_t ver;          /* SMP_VER_2 until the device shows it speaks v1 only */
    uint8_t next_seq;
    int timeout_ms;       /* one request's wait */
    int retries;          /* sends after the first */
    /* From OS command 6, or the fallback. */
    bool params_known;
    uint32_t buf_size, buf_count;
    size_t frame_size;    /* largest request packet, header included */
    unsigned window;      /* requests in flight */
    /* Requests in flight, by seq: group and command to check answers. */
    bool pending[256];
    uint16_t pending_group[256];
    uint8_t pending_id[256];
    uint8_t *rx;          /* one received packet */
    uint8_t *tx;          /* the packet being sent (header + body) */
    size_t rx_cap;
    /* The last refusal (SESSION_EREFUSED). */
    struct smp_status status;
    /* Counters, for figures and tests. */
    unsigned long sent, timeouts, stray;
};

/* One answer: header and body (body points into the session's buffer and
 * is valid until the next wait). */
struct smp_answer {
    struct smp_hdr hdr;
    const uint8_t *body;
    size_t body_len;
};

/* The body of a request without arguments: {} */
extern const uint8_t smp_empty_map[1];

int smp_session_init(struct smp_session *s, struct client_link *link);
void smp_session_free(struct smp_session *s);

/* Sends one request; its seq in *seq. */
int smp_session_send(struct smp_session *s, uint8_t op, uint16_t group, uint8_t id,
                     const uint8_t *body, size_t len, uint8_t *seq);
/* Waits up to timeout_ms for the answer to any request in flight; answers
 * to forgotten requests and garbage are dropped. 0 with the answer,
 * -ETIMEDOUT, or a link error. The answer's request is no longer in
 * flight. */
int smp_session_wait(struct smp_session *s, int timeout_ms, struct smp_answer *ans);
/* Stops expecting the answer to seq (it timed out). */
void smp_session_forget(struct smp_session *s, uint8_t seq);
void smp_session_forget_all(struct smp_session *s);

/*
 * One request and its answer, sent again (new seq) on timeout up to
 * s->retries times, and once more as v1 when the device says it only
 * speaks v1. On success *out holds the decoded body (caller frees). A
 * refusal returns SESSION_EREFUSED with s->status set and *out still
 * filled, so a caller can look at other keys.
 */
int smp_session_request(struct smp_session *s, uint8_t op, uint16_t group, uint8_t id,
                        const uint8_t *body, size_t len, int timeout_ms, cJSON **out);

/*
 * Asks the device for its buffers (OS command 6) and sets frame_size
 * (buf_size, less the link's framing, never beyond the link's MTU) and
 * window (buf_count - 1, at least 1). A device without the command gets
 * the fallback. 0, or a link error.
 */
int smp_session_negotiate(struct smp_session *s);

/* Sets frame_size and window from buffer figures (what negotiate does
 * with the answer). */
void smp_session_apply_params(struct smp_session *s, uint32_t buf_size, uint32_t buf_count);

#endif
