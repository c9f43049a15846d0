#include "transport/blesim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Access address 4, header 2, CRC 3; the preamble depends on the PHY. */
#define PDU_FIXED 9u

int blesim_params_check(const struct blesim_params *p)
{
    if (!p || (p->phy != BLESIM_PHY_1M && p->phy != BLESIM_PHY_2M)) {
        return -EINVAL;
    }
    if (p->interval_us < 7500u || p->interval_us > 4000000u || p->interval_us % 1250u != 0) {
        return -EINVAL;
    }
    if (p->att_mtu < 23u || p->att_mtu > BLESIM_ATT_MTU_MAX) {
        return -EINVAL;
    }
    if (p->dle < BLESIM_DLE_MIN || p->dle > BLESIM_DLE_MAX || p->ppe < 1u) {
        return -EINVAL;
    }
    return 0;
}

uint32_t blesim_pdu_air_us(const struct blesim_params *p, uint32_t payload)
{
    uint32_t bytes = PDU_FIXED + payload + (p->phy == BLESIM_PHY_2M ? 2u : 1u);
    if (payload > 0 && p->encrypted) {
        bytes += BLESIM_MIC;
    }
    return bytes * (p->phy == BLESIM_PHY_2M ? 4u : 8u);
}

void blesim_link_init(struct blesim_link *l, const struct blesim_params *p, uint64_t t0_us)
{
    memset(l, 0, sizeof(*l));
    l->p = *p;
    l->anchor_us = t0_us;
    l->next_us = t0_us;
}

int blesim_link_push(struct blesim_link *l, enum blesim_dir d, uint32_t value_len,
                     uint64_t ready_us)
{
    if (value_len + BLESIM_ATT_HDR > l->p.att_mtu) {
        return -EINVAL;
    }
    struct blesim_queue *q = &l->dir[d];
    if (q->tail - q->head >= BLESIM_QUEUE_LEN) {
        return -ENOBUFS;
    }
    /* Values leave in order: one handed over earlier than its predecessor
     * still waits behind it. */
    if (q->tail != q->head) {
        uint64_t prev = q->q[(q->tail - 1) % BLESIM_QUEUE_LEN].ready_us;
        if (ready_us < prev) {
            ready_us = prev;
        }
    }
    q->q[q->tail % BLESIM_QUEUE_LEN] = (struct blesim_sdu){
        .left = value_len + BLESIM_ATT_HDR + BLESIM_L2CAP_HDR,
        .value_len = value_len,
        .ready_us = ready_us,
    };
    q->tail++;
    return 0;
}

/* The next fragment a side can send in an exchange starting at t: its
 * payload length, 0 for an empty PDU. */
static uint32_t next_fragment(const struct blesim_link *l, enum blesim_dir d, uint64_t t)
{
    const struct blesim_queue *q = &l->dir[d];
    if (q->sent == q->tail) {
        return 0;
    }
    const struct blesim_sdu *s = &q->q[q->sent % BLESIM_QUEUE_LEN];
    if (s->ready_us > t) {
        return 0;
    }
    return s->left < l->p.dle ? s->left : l->p.dle;
}

static void consume(struct blesim_link *l, enum blesim_dir d, uint32_t n, uint64_t end_us)
{
    struct blesim_queue *q = &l->dir[d];
    struct blesim_sdu *s = &q->q[q->sent % BLESIM_QUEUE_LEN];
    s->left -= n;
    if (s->left == 0) {
        s->done_us = end_us;
        q->sent++;
    }
}

/* Earliest time anything waiting becomes ready, UINT64_MAX if nothing waits. */
static uint64_t first_ready(const struct blesim_link *l)
{
    uint64_t t = UINT64_MAX;
    for (int d = 0; d < 2; d++) {
        const struct blesim_queue *q = &l->dir[d];
        if (q->sent != q->tail) {
            uint64_t r = q->q[q->sent % BLESIM_QUEUE_LEN].ready_us;
            if (r < t) {
                t = r;
            }
        }
    }
    return t;
}

static void end_event(struct blesim_link *l)
{
    l->anchor_us += l->p.interval_us;
    l->next_us = l->anchor_us;
    l->in_event = 0;
    l->events++;
}

/* One exchange at l->next_us, or the end of the event. */
static void step(struct blesim_link *l)
{
    uint64_t t = l->next_us;
    uint32_t m = next_fragment(l, BLESIM_TO_PERIPHERAL, t);
    uint32_t s = next_fragment(l, BLESIM_TO_CENTRAL, t);
    /* Both sides said "no more data" (MD = 0) in the last exchange: the
     * event is over, whatever became ready since. */
    if (l->in_event > 0 && (l->in_event >= l->p.ppe || !l->more_data)) {
        end_event(l);
        return;
    }
    uint32_t m_air = blesim_pdu_air_us(&l->p, m);
    uint32_t s_air = blesim_pdu_air_us(&l->p, s);
    uint64_t end = t + m_air + BLESIM_T_IFS_US + s_air + BLESIM_T_IFS_US;
    /* The first exchange always fits (the longest PDU pair is far below
     * the shortest interval); a later one must end before the next anchor. */
    if (l->in_event > 0 && end > l->anchor_us + l->p.interval_us) {
        end_event(l);
        return;
    }
    if (l->in_event == 0 && m == 0 && s == 0) {
        /* Nothing to carry: the event is one empty exchange. Skip to the
         * first event at or after the moment data is ready. */
        uint64_t r = first_ready(l);
        end_event(l);
        if (r != UINT64_MAX && r > l->anchor_us) {
            uint64_t skip = (r - l->anchor_us + l->p.interval_us - 1) / l->p.interval_us;
            l->anchor_us += skip * l->p.interval_us;
            l->next_us = l->anchor_us;
            l->events += skip;
        }
        return;
    }
    if (m > 0) {
        consume(l, BLESIM_TO_PERIPHERAL, m, t + m_air);
    }
    if (s > 0) {
        consume(l, BLESIM_TO_CENTRAL, s, t + m_air + BLESIM_T_IFS_US + s_air);
    }
    /* Each side sets MD when it has more ready as it sends its PDU. */
    l->more_data = next_fragment(l, BLESIM_TO_PERIPHERAL, t) > 0 ||
                   next_fragment(l, BLESIM_TO_CENTRAL, t + m_air + BLESIM_T_IFS_US) > 0;
    l->next_us = end;
    l->in_event++;
    l->exchanges++;
}

void blesim_link_run(struct blesim_link *l, uint64_t until_us)
{
    while (l->next_us <= until_us) {
        if (first_ready(l) == UINT64_MAX && l->in_event == 0) {
            /* Idle: events with nothing to carry change nothing, jump
             * to the last anchor not after until_us. */
            uint64_t n = (until_us - l->anchor_us) / l->p.interval_us;
            l->anchor_us += n * l->p.interval_us;
            l->events += n;
            l->next_us = l->anchor_us;
            if (l->next_us <= until_us) {
                /* Leave the event at until_us for data queued later. */
                break;
            }
            continue;
        }
        step(l);
    }
}

bool blesim_link_peek(const struct blesim_link *l, enum blesim_dir d, uint64_t *done_us)
{
    const struct blesim_queue *q = &l->dir[d];
    if (q->head == q->sent) {
        return false;
    }
    if (done_us) {
        *done_us = q->q[q->head % BLESIM_QUEUE_LEN].done_us;
    }
    return true;
}

bool blesim_link_pop(struct blesim_link *l, enum blesim_dir d, uint64_t *done_us)
{
    struct blesim_queue *q = &l->dir[d];
    if (q->head == q->sent) {
        return false;
    }
    if (done_us) {
        *done_us = q->q[q->head % BLESIM_QUEUE_LEN].done_us;
    }
    q->head++;
    return true;
}

uint32_t blesim_link_pending(const struct blesim_link *l, enum blesim_dir d)
{
    return l->dir[d].tail - l->dir[d].sent;
}

uint64_t blesim_link_next_delivery(const struct blesim_link *l)
{
    if (first_ready(l) == UINT64_MAX) {
        return UINT64_MAX;
    }
    struct blesim_link *c = malloc(sizeof(*c));
    if (!c) {
        /* Without memory to look ahead, the next exchange is a safe guess. */
        return l->next_us;
    }
    *c = *l;
    uint32_t sent0 = c->dir[0].sent, sent1 = c->dir[1].sent;
    uint64_t t = UINT64_MAX;
    while (t == UINT64_MAX) {
        step(c);
        if (c->dir[0].sent != sent0) {
            t = c->dir[0].q[sent0 % BLESIM_QUEUE_LEN].done_us;
        }
        if (c->dir[1].sent != sent1) {
            uint64_t t1 = c->dir[1].q[sent1 % BLESIM_QUEUE_LEN].done_us;
            t = t1 < t ? t1 : t;
        }
    }
    free(c);
    return t;
}

/* Steady state over this many events: long enough for any pattern of
 * values straddling events to repeat many times. */
#define GOODPUT_EVENTS 400u

double blesim_goodput(const struct blesim_params *p, uint32_t value_len)
{
    if (blesim_params_check(p) != 0 || value_len == 0 ||
        value_len + BLESIM_ATT_HDR > p->att_mtu) {
        return 0.0;
    }
    struct blesim_link *l = malloc(sizeof(*l));
    if (!l) {
        return 0.0;
    }
    blesim_link_init(l, p, 0);
    uint64_t end = (uint64_t)GOODPUT_EVENTS * p->interval_us;
    uint64_t bytes = 0;
    while (l->anchor_us < end) {
        while (blesim_link_push(l, BLESIM_TO_PERIPHERAL, value_len, 0) == 0) {
        }
        step(l);
        uint64_t done;
        while (blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done)) {
            if (done <= end) {
                bytes += value_len;
            }
        }
    }
    free(l);
    return (double)bytes * 1e6 / (double)end;
}

double blesim_capacity(const struct blesim_params *p, uint32_t *best_value)
{
    if (blesim_params_check(p) != 0) {
        return 0.0;
    }
    uint32_t max_value = p->att_mtu - BLESIM_ATT_HDR;
    uint32_t best = max_value;
    double best_rate = blesim_goodput(p, max_value);
    for (uint32_t k = 1;; k++) {
        uint32_t sdu = k * p->dle;
        if (sdu <= BLESIM_ATT_HDR + BLESIM_L2CAP_HDR) {
            continue;
        }
        uint32_t v = sdu - BLESIM_ATT_HDR - BLESIM_L2CAP_HDR;
        if (v >= max_value) {
            break;
        }
        double r = blesim_goodput(p, v);
        if (r > best_rate) {
            best_rate = r;
            best = v;
        }
    }
    if (best_value) {
        *best_value = best;
    }
    return best_rate;
}
