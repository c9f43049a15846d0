/* The link model against figures worked out by hand from the Core spec's
 * timings (see the comments for each sum). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "transport/blesim.h"

static struct blesim_params link_of(uint32_t interval_us, enum blesim_phy phy, uint16_t mtu,
                                    uint16_t dle, uint16_t ppe, bool enc)
{
    return (struct blesim_params){ .interval_us = interval_us, .phy = phy, .att_mtu = mtu,
                                   .dle = dle, .ppe = ppe, .encrypted = enc };
}

static void test_air_time(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_1M, 247, 251, 6, false);
    /* 1 + 4 + 2 + 251 + 3 = 261 bytes at 8 us */
    assert_int_equal(blesim_pdu_air_us(&p, 251), 2088);
    /* empty: 10 bytes */
    assert_int_equal(blesim_pdu_air_us(&p, 0), 80);
    p.phy = BLESIM_PHY_2M;
    /* 2 + 4 + 2 + 251 + 3 = 262 bytes at 4 us */
    assert_int_equal(blesim_pdu_air_us(&p, 251), 1048);
    assert_int_equal(blesim_pdu_air_us(&p, 0), 44);
    p.encrypted = true;
    assert_int_equal(blesim_pdu_air_us(&p, 251), 1064);
    /* no MIC on an empty PDU */
    assert_int_equal(blesim_pdu_air_us(&p, 0), 44);
}

static void test_params_check(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_1M, 247, 251, 6, false);
    assert_int_equal(blesim_params_check(&p), 0);
    p.interval_us = 7000;
    assert_int_not_equal(blesim_params_check(&p), 0);
    p.interval_us = 7600; /* not a multiple of 1.25 ms */
    assert_int_not_equal(blesim_params_check(&p), 0);
    p = link_of(15000, BLESIM_PHY_1M, 22, 251, 6, false);
    assert_int_not_equal(blesim_params_check(&p), 0);
    p = link_of(15000, BLESIM_PHY_1M, 247, 252, 6, false);
    assert_int_not_equal(blesim_params_check(&p), 0);
    p = link_of(15000, BLESIM_PHY_1M, 247, 251, 0, false);
    assert_int_not_equal(blesim_params_check(&p), 0);
}

/* One write of 244 bytes = 251-byte PDU, handed over at the anchor:
 * delivered at the end of the central's PDU. */
static void test_single_write(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_1M, 247, 251, 6, false);
    struct blesim_link *l = malloc(sizeof(*l));
    blesim_link_init(l, &p, 1000);
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 244, 1000), 0);
    assert_int_equal(blesim_link_next_delivery(l), 1000 + 2088);
    blesim_link_run(l, 1000);
    uint64_t done;
    assert_true(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done));
    assert_int_equal(done, 1000 + 2088);
    assert_false(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done));
    free(l);
}

/* A notification rides in the peripheral's slot: empty central PDU (80),
 * T_IFS (150), then its own 2088 us. Handed over just after an anchor, it
 * waits for the next event. */
static void test_notification_waits_for_event(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_1M, 247, 251, 6, false);
    struct blesim_link *l = malloc(sizeof(*l));
    blesim_link_init(l, &p, 0);
    blesim_link_run(l, 20000); /* idle through the events at 0 and 15 ms */
    assert_int_equal(blesim_link_push(l, BLESIM_TO_CENTRAL, 244, 20000), 0);
    assert_int_equal(blesim_link_pending(l, BLESIM_TO_CENTRAL), 1);
    blesim_link_run(l, 29999);
    assert_false(blesim_link_pop(l, BLESIM_TO_CENTRAL, NULL));
    blesim_link_run(l, 30000);
    uint64_t done;
    assert_true(blesim_link_pop(l, BLESIM_TO_CENTRAL, &done));
    assert_int_equal(done, 30000 + 80 + 150 + 2088);
    free(l);
}

/* A 495-byte value at MTU 498 is 502 bytes of L2CAP: two full PDUs, in
 * one event, delivered with the second. */
static void test_fragments(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_2M, 498, 251, 6, false);
    struct blesim_link *l = malloc(sizeof(*l));
    blesim_link_init(l, &p, 0);
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 495, 0), 0);
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 496, 0), -EINVAL);
    blesim_link_run(l, 100000);
    uint64_t done;
    assert_true(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done));
    /* first exchange 1048 + 150 + 44 + 150 = 1392, then 1048 */
    assert_int_equal(done, 1392 + 1048);
    free(l);
}

/* The packets-per-event limit moves the rest to the next event. */
static void test_ppe_limit(void **state)
{
    (void)state;
    struct blesim_params p = link_of(30000, BLESIM_PHY_1M, 247, 251, 2, false);
    struct blesim_link *l = malloc(sizeof(*l));
    blesim_link_init(l, &p, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 244, 0), 0);
    }
    blesim_link_run(l, 1000000);
    uint64_t done[3];
    for (int i = 0; i < 3; i++) {
        assert_true(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done[i]));
    }
    assert_int_equal(done[0], 2088);
    assert_int_equal(done[1], 2468 + 2088);
    assert_int_equal(done[2], 30000 + 2088);
    free(l);
}

/* Full events: floor(CI / exchange) or ppe writes of 244 bytes per event. */
static void test_capacity_analytic(void **state)
{
    (void)state;
    struct {
        struct blesim_params p;
        double expect; /* bytes per second */
    } cases[] = {
        /* 1M DLE: exchange 2088 + 150 + 80 + 150 = 2468 us, 6 in 15 ms */
        { link_of(15000, BLESIM_PHY_1M, 247, 251, 100, false), 6 * 244 / 0.015 },
        /* 2M DLE: 1048 + 150 + 44 + 150 = 1392 us, 10 in 15 ms */
        { link_of(15000, BLESIM_PHY_2M, 247, 251, 100, false), 10 * 244 / 0.015 },
        /* 2M, 45 ms: 32 exchanges */
        { link_of(45000, BLESIM_PHY_2M, 247, 251, 100, false), 32 * 244 / 0.045 },
        /* ppe-bound: 4 per 30 ms */
        { link_of(30000, BLESIM_PHY_1M, 247, 251, 4, false), 4 * 244 / 0.030 },
        /* no DLE, MTU 23: 296 + 150 + 80 + 150 = 676 us, 11 in 7.5 ms, 20 B each */
        { link_of(7500, BLESIM_PHY_1M, 23, 27, 100, false), 11 * 20 / 0.0075 },
        /* encrypted 1M: 2120 + 150 + 80 + 150 = 2500 us, exactly 6 in 15 ms */
        { link_of(15000, BLESIM_PHY_1M, 247, 251, 100, true), 6 * 244 / 0.015 },
        /* encrypted 1M, 12.5 ms: 5 exchanges (6 would need 15 ms) */
        { link_of(12500, BLESIM_PHY_1M, 247, 251, 100, true), 5 * 244 / 0.0125 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t best = 0;
        double c = blesim_capacity(&cases[i].p, &best);
        assert_float_equal(c, cases[i].expect, 1.0);
        assert_int_equal(best, cases[i].p.att_mtu - 3);
    }
}

/* MTU 252 with DLE 251: a full 249-byte write needs 256 bytes of L2CAP,
 * a 251-byte PDU and a 5-byte one, so two of the six slots an event gives
 * carry 249 bytes; 244-byte writes fill one slot each and win. */
static void test_capacity_best_size(void **state)
{
    (void)state;
    struct blesim_params p = link_of(45000, BLESIM_PHY_1M, 252, 251, 6, false);
    assert_float_equal(blesim_goodput(&p, 249), 3 * 249 / 0.045, 1.0);
    uint32_t best = 0;
    double c = blesim_capacity(&p, &best);
    assert_int_equal(best, 244);
    assert_float_equal(c, 6 * 244 / 0.045, 1.0);
}

/* A write answered in the return slot of a later write of the same event. */
static void test_both_directions_share_event(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_1M, 247, 251, 6, false);
    struct blesim_link *l = malloc(sizeof(*l));
    blesim_link_init(l, &p, 0);
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 244, 0), 0);
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 244, 0), 0);
    blesim_link_run(l, 2467); /* the first exchange only */
    uint64_t done;
    assert_true(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done));
    assert_int_equal(done, 2088);
    /* The answer was ready when the second exchange started. */
    assert_int_equal(blesim_link_push(l, BLESIM_TO_CENTRAL, 20, 2088), 0);
    blesim_link_run(l, 100000);
    assert_true(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done));
    assert_int_equal(done, 2468 + 2088);
    assert_true(blesim_link_pop(l, BLESIM_TO_CENTRAL, &done));
    /* 27-byte PDU: 37 bytes, 296 us, after the write and T_IFS */
    assert_int_equal(done, 2468 + 2088 + 150 + 296);
    free(l);
}

/* A request and its answer (stop and wait): after the write both sides
 * said MD = 0, so the answer, ready the moment the write arrived, waits
 * for the next event. */
static void test_event_closes_without_more_data(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_1M, 247, 251, 6, false);
    struct blesim_link *l = malloc(sizeof(*l));
    blesim_link_init(l, &p, 0);
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 244, 0), 0);
    blesim_link_run(l, 2088);
    uint64_t done;
    assert_true(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, &done));
    assert_int_equal(done, 2088);
    assert_int_equal(blesim_link_push(l, BLESIM_TO_CENTRAL, 20, 2088), 0);
    assert_int_equal(blesim_link_next_delivery(l), 15000 + 80 + 150 + 296);
    blesim_link_run(l, 100000);
    assert_true(blesim_link_pop(l, BLESIM_TO_CENTRAL, &done));
    assert_int_equal(done, 15000 + 80 + 150 + 296);
    free(l);
}

static void test_queue_full(void **state)
{
    (void)state;
    struct blesim_params p = link_of(15000, BLESIM_PHY_1M, 23, 27, 6, false);
    struct blesim_link *l = malloc(sizeof(*l));
    blesim_link_init(l, &p, 0);
    for (unsigned i = 0; i < BLESIM_QUEUE_LEN; i++) {
        assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 20, 0), 0);
    }
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 20, 0), -ENOBUFS);
    blesim_link_run(l, 0);
    assert_true(blesim_link_pop(l, BLESIM_TO_PERIPHERAL, NULL));
    assert_int_equal(blesim_link_push(l, BLESIM_TO_PERIPHERAL, 20, 0), 0);
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_air_time),
        cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_single_write),
        cmocka_unit_test(test_notification_waits_for_event),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_ppe_limit),
        cmocka_unit_test(test_capacity_analytic),
        cmocka_unit_test(test_capacity_best_size),
        cmocka_unit_test(test_both_directions_share_event),
        cmocka_unit_test(test_event_closes_without_more_data),
        cmocka_unit_test(test_queue_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
