/* The simulated BLE link under a session: requests and answers cross the
 * modelled radio, and a device that drops the link (a reset) is reached
 * again through reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/conn.h"
#include "client/session.h"
#include "transport/blesim_peripheral.h"
#include "wire/smp_header.h"

struct device {
    struct blesim_peripheral per;
    pthread_t thread;
    volatile int stop;
    int resets;
};

/* Answers every request with its own body; a reset request (OS 5) is
 * answered, then the link dropped. */
static void *device_main(void *arg)
{
    struct device *d = arg;
    while (!d->stop) {
        struct pollfd pfd = { .fd = blesim_peripheral_fd(&d->per), .events = POLLIN };
        if (poll(&pfd, 1, 20) <= 0) {
            continue;
        }
        const uint8_t *pkt;
        size_t len;
        if (blesim_peripheral_read(&d->per, &pkt, &len) != 1) {
            continue;
        }
        uint8_t out[BLESIM_SMP_MAX];
        struct smp_hdr h;
        if (smp_hdr_decode(pkt, len, &h)) {
            continue;
        }
        memcpy(out, pkt, len);
        h.op = smp_rsp_op(h.op);
        smp_hdr_encode(&h, out);
        blesim_peripheral_notify(&d->per, out, len);
        if (h.group == SMP_GROUP_OS && h.id == 5) {
            d->resets++;
            blesim_peripheral_disconnect(&d->per);
        }
    }
    return NULL;
}

static void request_reset_reopen(void **state)
{
    (void)state;
    char path[64], spec[128], err[256];
    snprintf(path, sizeof(path), "/tmp/test_link_ble.%d.sock", (int)getpid());
    static struct device d;
    assert_int_equal(blesim_peripheral_open(&d.per, path), 0);
    pthread_create(&d.thread, NULL, device_main, &d);

    snprintf(spec, sizeof(spec), "blesim:%s,interval=7.5,phy=2M,mtu=247,dle=251", path);
    struct conn_spec c;
    assert_int_equal(conn_parse(spec, &c, err, sizeof(err)), 0);
    struct client_link l;
    assert_int_equal(conn_open(&c, &l, err, sizeof(err)), 0);
    struct smp_session s;
    assert_int_equal(smp_session_init(&s, &l), 0);
    s.timeout_ms = 20000; /* generous: the test is about behaviour, not speed */
    /* Frames fill whole ATT writes (MTU 247: 244-byte pieces), so no
     * connection-event slot carries a short last piece. */
    smp_session_apply_params(&s, 2048, 4);
    assert_int_equal(s.frame_size % 244, 0);
    assert_true(s.frame_size > 2048 - 244 && s.frame_size <= 2048);
    s.retries = 0;

    /* A body larger than one ATT write: cut and joined again. */
    uint8_t body[600];
    body[0] = 0xa1;
    body[1] = 0x61;
    body[2] = 'd';
    body[3] = 0x79; /* text, 2-byte length */
    body[4] = 0x02;
    body[5] = 0x52; /* 594 */
    memset(body + 6, 'x', sizeof(body) - 6);
    cJSON *j;
    assert_int_equal(smp_session_request(&s, SMP_OP_WRITE, SMP_GROUP_OS, 0, body, sizeof(body),
                                         s.timeout_ms, &j),
                     0);
    assert_int_equal(strlen(cJSON_GetObjectItem(j, "d")->valuestring), 594);
    cJSON_Delete(j);

    assert_int_equal(smp_session_request(&s, SMP_OP_WRITE, SMP_GROUP_OS, 5, smp_empty_map, 1,
                                         s.timeout_ms, &j),
                     0);
    cJSON_Delete(j);
    assert_int_equal(d.resets, 1);
    /* The device is gone until the client connects again. */
    int rc = smp_session_request(&s, SMP_OP_READ, SMP_GROUP_OS, 0, smp_empty_map, 1, 300, &j);
    assert_int_equal(rc, -ENOTCONN);
    assert_int_equal(l.reopen(l.ctx), 0);
    assert_int_equal(smp_session_request(&s, SMP_OP_READ, SMP_GROUP_OS, 0, smp_empty_map, 1,
                                         s.timeout_ms, &j),
                     0);
    cJSON_Delete(j);

    smp_session_free(&s);
    link_close(&l);
    d.stop = 1;
    pthread_join(d.thread, NULL);
    blesim_peripheral_close(&d.per);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_reset_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
