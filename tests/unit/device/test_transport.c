/*
 * Host transports: HOST:PORT parsing, a UDP exchange on loopback, and a
 * byte round trip through a pty opened the way the device and a client
 * open it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "transport/serial.h"
#include "transport/udp.h"

static void test_hostport(void **state)
{
    (void)state;
    char host[64];
    uint16_t port;
    assert_int_equal(udp_parse_hostport("127.0.0.1:1337", host, sizeof(host), &port, 9), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 1337);
    assert_int_equal(udp_parse_hostport("localhost", host, sizeof(host), &port, 1337), 0);
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 1337);
    assert_int_equal(udp_parse_hostport(":0", host, sizeof(host), &port, 1337), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 0);
    assert_int_equal(udp_parse_hostport("[::1]:5683", host, sizeof(host), &port, 1337), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 5683);
    assert_int_equal(udp_parse_hostport("::1", host, sizeof(host), &port, 1337), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 1337);
    assert_int_equal(udp_parse_hostport("h:65536", host, sizeof(host), &port, 1), -EINVAL);
    assert_int_equal(udp_parse_hostport("h:", host, sizeof(host), &port, 1), -EINVAL);
    assert_int_equal(udp_parse_hostport("h:12x", host, sizeof(host), &port, 1), -EINVAL);
    assert_int_equal(udp_parse_hostport("[::1", host, sizeof(host), &port, 1), -EINVAL);
    assert_int_equal(udp_parse_hostport("averyveryverylonghostname:1", host, 8, &port, 1),
                     -EINVAL);
}

static void test_udp_exchange(void **state)
{
    (void)state;
    struct udp_sock srv, cli;
    assert_int_equal(udp_server_open(&srv, "127.0.0.1", 0), 0);
    uint16_t port = 0;
    assert_int_equal(udp_local_port(&srv, &port), 0);
    assert_true(port != 0);
    char name[64];
    assert_int_equal(udp_local_name(&srv, name, sizeof(name)), 0);
    char expect[64];
    snprintf(expect, sizeof(expect), "127.0.0.1:%u", (unsigned)port);
    assert_string_equal(name, expect);

    assert_int_equal(udp_client_open(&cli, "127.0.0.1", port), 0);
    static const uint8_t req[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xff, 0x06, 0xa0 };
    assert_int_equal(udp_send(&cli, req, sizeof(req)), 0);
    uint8_t buf[64];
    struct udp_peer from;
    assert_int_equal(udp_recv(&srv, buf, sizeof(buf), &from), (ssize_t)sizeof(req));
    assert_memory_equal(buf, req, sizeof(req));
    /* Reply to the sender's address. */
    assert_int_equal(udp_send_to(&srv, "pong", 4, &from), 0);
    assert_int_equal(udp_recv(&cli, buf, sizeof(buf), NULL), 4);
    assert_memory_equal(buf, "pong", 4);
    /* A datagram larger than the buffer is reported, not cut silently. */
    assert_int_equal(udp_send(&cli, req, sizeof(req)), 0);
    assert_int_equal(udp_recv(&srv, buf, 4, NULL), -EMSGSIZE);
    udp_close(&cli);
    udp_close(&srv);
    assert_int_equal(srv.fd, -1);
}

static void test_pty_round_trip(void **state)
{
    (void)state;
    struct serial_port dev, cli;
    assert_int_equal(serial_open_pty(&dev), 0);
    assert_non_null(strstr(dev.path, "/dev/pts/"));
    assert_int_equal(serial_open_device(&cli, dev.path, SERIAL_DEFAULT_BAUD), 0);
    /* Raw mode: CR, LF and control bytes pass untouched, nothing echoes. */
    static const uint8_t frame[] = { 0x06, 0x09, 'A', 'B', '\r', 0x03, 0x04, '\n' };
    assert_int_equal(serial_write_all(&cli, frame, sizeof(frame)), 0);
    uint8_t buf[32];
    size_t got = 0;
    while (got < sizeof(frame)) {
        ssize_t n = serial_read(&dev, buf + got, sizeof(buf) - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_memory_equal(buf, frame, sizeof(frame));
    assert_int_equal(serial_write_all(&dev, "ok\n", 3), 0);
    got = 0;
    while (got < 3) {
        ssize_t n = serial_read(&cli, buf + got, sizeof(buf) - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_memory_equal(buf, "ok\n", 3);
    /* Nothing was echoed back to the device side. */
    assert_int_equal(serial_set_nonblocking(&dev, true), 0);
    assert_int_equal(serial_read(&dev, buf, sizeof(buf)), -EAGAIN);
    assert_int_equal(serial_open_device(&cli, dev.path, 12345), -EINVAL);
    serial_close(&cli);
    serial_close(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostport),
        cmocka_unit_test(test_udp_exchange),
        cmocka_unit_test(test_pty_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
