/* The BlueZ transports against the BlueZ double on a private bus. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bluez_double.h"
#include "transport/bluez_central.h"
#include "transport/bluez_peripheral.h"

struct fixture {
    pid_t bus;
    struct bluez_double d;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->bus = bus_daemon_start();
    assert_true(f->bus > 0);
    assert_int_equal(bluez_double_start(&f->d), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    bluez_double_stop(&f->d);
    bus_daemon_stop(f->bus);
    free(f);
    return 0;
}

static size_t make_packet(uint8_t *buf, size_t body, uint8_t op, uint16_t group, uint8_t id)
{
    memset(buf, 0, 8);
    buf[0] = op;
    buf[2] = (uint8_t)(body >> 8);
    buf[3] = (uint8_t)body;
    buf[4] = (uint8_t)(group >> 8);
    buf[5] = (uint8_t)group;
    buf[7] = id;
    for (size_t i = 0; i < body; i++) {
        buf[8 + i] = (uint8_t)(i * 13);
    }
    return 8 + body;
}

static void test_central_by_name(void **state)
{
    struct fixture *f = *state;
    struct bluez_central *c;
    assert_int_equal(bluez_central_open(&c, DOUBLE_DEV_NAME, 3000), 0);
    assert_true(f->d.discovering_started);
    assert_string_equal(bluez_central_device_path(c), DOUBLE_DEV_PATH);
    assert_int_equal(bluez_central_mtu(c), 100);
    assert_int_equal(bluez_central_frame_fit(c, 2048), 21 * 97);
    assert_int_equal(bluez_central_frame_fit(c, 50), 50);
    assert_true(f->d.notifying);

    uint8_t req[400], rsp[400];
    size_t len = make_packet(req, 300, 2, 1, 1);
    assert_int_equal(bluez_central_send(c, req, len), 0);
    int n = bluez_central_recv(c, rsp, sizeof(rsp), 3000);
    assert_int_equal(n, (int)len);
    assert_int_equal(rsp[0], 3);
    assert_memory_equal(rsp + 1, req + 1, len - 1);
    /* 308 bytes in pieces of MTU - 3 = 97: four writes without response. */
    assert_int_equal(f->d.writes_command, 4);
    assert_int_equal(f->d.writes_other, 0);
    assert_int_equal(f->d.writes_too_long, 0);
    assert_int_equal(bluez_central_recv(c, rsp, sizeof(rsp), 50), 0);
    bluez_central_close(c);
}

static void test_central_reset_reconnect(void **state)
{
    struct fixture *f = *state;
    struct bluez_central *c;
    assert_int_equal(bluez_central_open(&c, DOUBLE_DEV_ADDR, 3000), 0);
    uint8_t req[64], rsp[64];
    size_t len = make_packet(req, 0, 2, 0, 5); /* OS reset */
    assert_int_equal(bluez_central_send(c, req, len), 0);
    assert_int_equal(bluez_central_recv(c, rsp, sizeof(rsp), 3000), (int)len);
    assert_int_equal(bluez_central_recv(c, rsp, sizeof(rsp), 3000), -ENOTCONN);
    assert_int_equal(bluez_central_send(c, req, len), -ENOTCONN);

    /* The device is still booting: the first attempts fail. */
    f->d.refuse_connects = 2;
    assert_int_equal(bluez_central_reconnect(c, 3000), 0);
    assert_int_equal(f->d.refuse_connects, 0);
    assert_int_equal(f->d.connects, 2);
    len = make_packet(req, 20, 0, 0, 0);
    assert_int_equal(bluez_central_send(c, req, len), 0);
    assert_int_equal(bluez_central_recv(c, rsp, sizeof(rsp), 3000), (int)len);
    assert_int_equal(rsp[0], 1);
    bluez_central_close(c);
}

static void test_central_unknown_device(void **state)
{
    (void)state;
    struct bluez_central *c;
    assert_int_equal(bluez_central_open(&c, "nobody", 200), -ETIMEDOUT);
    assert_null(c);
}

static void test_peripheral(void **state)
{
    struct fixture *f = *state;
    struct bluez_peripheral *p;
    assert_int_equal(bluez_peripheral_open(&p, "smpdfu-sim", 3000), 0);
    assert_true(f->d.app_ok);
    assert_true(f->d.adv_ok);
    assert_string_equal(f->d.adv_name, "smpdfu-sim");
    assert_int_equal(bluez_peripheral_notify(p, (const uint8_t *)"x", 1), -ENOTCONN);

    /* The double, as a central, writes 200 bytes of body at MTU 64; the
     * device answers with a 150-byte body. */
    f->d.script_len = make_packet(f->d.script_pkt, 200, 2, 1, 1);
    f->d.script_request = 1;
    uint8_t answer[200];
    size_t answer_len = make_packet(answer, 150, 3, 1, 1);
    bool answered = false;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (f->d.got_len == 0) {
        struct pollfd pfd;
        int timeout;
        assert_int_equal(bluez_peripheral_pollfd(p, &pfd, &timeout), 0);
        poll(&pfd, 1, 20);
        const uint8_t *pkt;
        size_t len;
        int r = bluez_peripheral_read(p, &pkt, &len);
        assert_true(r >= 0);
        if (r == 1) {
            assert_int_equal(len, f->d.script_len);
            assert_memory_equal(pkt, f->d.script_pkt, len);
            assert_int_equal(bluez_peripheral_mtu(p), 64);
            assert_int_equal(bluez_peripheral_notify(p, answer, answer_len), 0);
            answered = true;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        assert_true(now.tv_sec - start.tv_sec < 5);
    }
    assert_true(answered);
    assert_int_equal(f->d.got_len, answer_len);
    assert_memory_equal(f->d.got, answer, answer_len);
    assert_int_equal(f->d.writes_too_long, 0);

    /* A reset drops the central that wrote. */
    assert_int_equal(bluez_peripheral_disconnect(p), 0);
    assert_int_equal(f->d.disconnect_calls, 1);
    bluez_peripheral_close(p);
    assert_true(f->d.app_unregistered);
    assert_true(f->d.adv_unregistered);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_central_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_central_reset_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_central_unknown_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peripheral, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
