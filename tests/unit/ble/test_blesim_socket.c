/* Both ends of the simulated link over a real socket: the device end in a
 * thread that echoes every packet. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "transport/blesim_central.h"
#include "transport/blesim_peripheral.h"

/* The echo drops the connection after answering a packet with this op. */
#define OP_RESET 7

struct echo_dev {
    struct blesim_peripheral per;
    volatile int stop;
    pthread_t thread;
    unsigned packets, connections;
    uint16_t seen_mtu;
};

static void *echo_main(void *arg)
{
    struct echo_dev *d = arg;
    bool was_connected = false;
    while (!d->stop) {
        struct pollfd pfd = { .fd = blesim_peripheral_fd(&d->per), .events = POLLIN };
        if (poll(&pfd, 1, 20) <= 0) {
            continue;
        }
        const uint8_t *pkt;
        size_t len;
        int rc = blesim_peripheral_read(&d->per, &pkt, &len);
        if (blesim_peripheral_connected(&d->per) && !was_connected) {
            d->connections++;
            d->seen_mtu = d->per.params.att_mtu;
        }
        was_connected = blesim_peripheral_connected(&d->per);
        if (rc == 1) {
            uint8_t copy[BLESIM_SMP_MAX];
            memcpy(copy, pkt, len);
            d->packets++;
            blesim_peripheral_notify(&d->per, copy, len);
            if (copy[0] == OP_RESET) {
                blesim_peripheral_disconnect(&d->per);
                was_connected = false;
            }
        }
    }
    return NULL;
}

static char sock_path[64];

static int setup(void **state)
{
    struct echo_dev *d = calloc(1, sizeof(*d));
    snprintf(sock_path, sizeof(sock_path), "/tmp/blesim-test-%d.sock", (int)getpid());
    assert_int_equal(blesim_peripheral_open(&d->per, sock_path), 0);
    pthread_create(&d->thread, NULL, echo_main, d);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    struct echo_dev *d = *state;
    d->stop = 1;
    pthread_join(d->thread, NULL);
    blesim_peripheral_close(&d->per);
    assert_int_equal(access(sock_path, F_OK), -1);
    free(d);
    return 0;
}

/* An SMP-shaped packet: 8-byte header whose length field is the body. */
static size_t make_packet(uint8_t *buf, size_t body, uint8_t op, uint8_t seq)
{
    memset(buf, 0, 8);
    buf[0] = op;
    buf[2] = (uint8_t)(body >> 8);
    buf[3] = (uint8_t)body;
    buf[6] = seq;
    for (size_t i = 0; i < body; i++) {
        buf[8 + i] = (uint8_t)(i * 7 + seq);
    }
    return 8 + body;
}

static struct blesim_params slow_link(void)
{
    /* 7.5 ms, no DLE: every 20-byte piece costs real, measurable time. */
    return (struct blesim_params){ .interval_us = 7500, .phy = BLESIM_PHY_1M, .att_mtu = 23,
                                   .dle = 27, .ppe = 2, .encrypted = false };
}

static void test_echo_paced(void **state)
{
    struct echo_dev *d = *state;
    struct blesim_params p = slow_link();
    struct blesim_central *c;
    assert_int_equal(blesim_central_open(&c, sock_path, &p, 2000), 0);
    assert_int_equal(blesim_central_piece(c), 20);

    uint8_t req[600], rsp[700];
    size_t len = make_packet(req, 592, 2, 1);
    assert_int_equal(blesim_central_send(c, req, len), 0);
    int n = blesim_central_recv(c, rsp, sizeof(rsp), 5000);
    uint64_t t = blesim_central_now_us(c);
    assert_int_equal(n, (int)len);
    assert_memory_equal(rsp, req, len);
    assert_int_equal(d->seen_mtu, 23);

    /* Never faster than the model: 30 writes of 20 bytes at 2 per event
     * arrive in the 15th event, and the 30 notifications back need 15
     * more. */
    assert_true(t >= 29u * 7500u);
    blesim_central_close(c);
}

static void test_recv_timeout(void **state)
{
    (void)state;
    struct blesim_params p = slow_link();
    struct blesim_central *c;
    assert_int_equal(blesim_central_open(&c, sock_path, &p, 2000), 0);
    uint8_t buf[64];
    assert_int_equal(blesim_central_recv(c, buf, sizeof(buf), 30), 0);
    blesim_central_close(c);
}

static void test_big_frames(void **state)
{
    (void)state;
    struct blesim_params p = { .interval_us = 7500, .phy = BLESIM_PHY_2M, .att_mtu = 498,
                               .dle = 251, .ppe = 20, .encrypted = false };
    struct blesim_central *c;
    assert_int_equal(blesim_central_open(&c, sock_path, &p, 2000), 0);
    assert_int_equal(blesim_central_piece(c), 495);
    assert_int_equal(blesim_central_frame_fit(c, 2048), 4 * 495);
    assert_int_equal(blesim_central_frame_fit(c, 100), 100);
    static uint8_t req[4][2000], rsp[2100];
    for (uint8_t i = 0; i < 4; i++) {
        size_t len = make_packet(req[i], 1972, 1, i);
        assert_int_equal(blesim_central_send(c, req[i], len), 0);
    }
    for (uint8_t i = 0; i < 4; i++) {
        int n = blesim_central_recv(c, rsp, sizeof(rsp), 5000);
        assert_int_equal(n, 1980);
        assert_memory_equal(rsp, req[i], 1980);
    }
    assert_int_equal(blesim_central_recv(c, rsp, 10, 10), 0);
    blesim_central_close(c);
}

static void test_reset_and_reconnect(void **state)
{
    struct echo_dev *d = *state;
    struct blesim_params p = slow_link();
    p.ppe = 8;
    struct blesim_central *c;
    assert_int_equal(blesim_central_open(&c, sock_path, &p, 2000), 0);
    uint8_t req[64], rsp[64];
    size_t len = make_packet(req, 30, OP_RESET, 9);
    assert_int_equal(blesim_central_send(c, req, len), 0);
    /* The answer sent before the device dropped the link still arrives. */
    assert_int_equal(blesim_central_recv(c, rsp, sizeof(rsp), 5000), (int)len);
    assert_int_equal(blesim_central_recv(c, rsp, sizeof(rsp), 5000), -ENOTCONN);
    assert_int_equal(blesim_central_send(c, req, len), -ENOTCONN);

    assert_int_equal(blesim_central_reconnect(c, 2000), 0);
    len = make_packet(req, 30, 2, 10);
    assert_int_equal(blesim_central_send(c, req, len), 0);
    assert_int_equal(blesim_central_recv(c, rsp, sizeof(rsp), 5000), (int)len);
    assert_memory_equal(rsp, req, len);
    /* Each test has its own device: this one saw both connections. */
    assert_int_equal(d->connections, 2);
    blesim_central_close(c);
}

/* Something that is not a central of ours is dropped at its first
 * message, and the device takes the next central. */
static void test_bad_hello(void **state)
{
    (void)state;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, sock_path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(send(fd, "hello", 5, 0), 5);
    char buf[16];
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    assert_int_equal(poll(&pfd, 1, 2000), 1);
    assert_int_equal(recv(fd, buf, sizeof(buf), 0), 0); /* dropped */
    close(fd);

    struct blesim_params p = slow_link();
    struct blesim_central *c;
    assert_int_equal(blesim_central_open(&c, sock_path, &p, 2000), 0);
    uint8_t req[40], rsp[40];
    size_t len = make_packet(req, 12, 2, 3);
    assert_int_equal(blesim_central_send(c, req, len), 0);
    assert_int_equal(blesim_central_recv(c, rsp, sizeof(rsp), 5000), (int)len);
    blesim_central_close(c);
}

static void test_no_device(void **state)
{
    (void)state;
    struct blesim_params p = slow_link();
    struct blesim_central *c;
    assert_int_equal(blesim_central_open(&c, "/tmp/blesim-nobody-here.sock", &p, 50), -ETIMEDOUT);
    assert_null(c);
    p.att_mtu = 10;
    assert_int_equal(blesim_central_open(&c, sock_path, &p, 50), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_paced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recv_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_and_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_hello, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_device, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
