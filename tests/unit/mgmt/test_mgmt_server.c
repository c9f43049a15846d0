/*
 * The SMP server's front: configuration checks, framing, dispatch, reply
 * shapes for v1 and v2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mgmt_test.h"
#include "wire/smp_err.h"

static int setup(void **state)
{
    static struct t_bench b;

    t_bench_open(&b, 4, 1);
    *state = &b;
    return 0;
}

static int teardown(void **state)
{
    t_bench_close(*state);
    return 0;
}

static size_t echo_body(struct t_body *tb, const char *text)
{
    t_body_begin(tb);
    smp_cbor_put_key(&tb->w, "d");
    smp_cbor_put_tstr(&tb->w, text);
    return t_body_end(tb);
}

static void test_init_checks(void **state)
{
    struct t_bench *b = *state;
    struct smp_server srv;
    struct smp_server_config cfg = b->cfg;
    struct flash_area overlap = b->storage;
    struct flash_area tiny = b->secondary0;
    struct smp_server_image_pair pairs[2];

    assert_int_equal(smp_server_init(NULL, &cfg), SMP_SERVER_EINVAL);
    assert_int_equal(smp_server_init(&srv, NULL), SMP_SERVER_EINVAL);
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_OK);

    /* Storage overlapping the secondary slot. */
    overlap.off = T_S0_OFF + T_SECTOR;
    cfg.storage = &overlap;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_EINVAL);
    cfg = b->cfg;

    /* The same area as primary and secondary. */
    pairs[0] = (struct smp_server_image_pair){0, &b->primary0, &b->primary0};
    cfg.pairs = pairs;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_EINVAL);

    /* Two pairs with one image number. */
    pairs[0] = b->pairs[0];
    pairs[1] = b->pairs[1];
    pairs[1].image = 0;
    cfg.pair_count = 2;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_EINVAL);
    cfg = b->cfg;

    /* A slot smaller than the trailer. */
    tiny.size = T_SECTOR / 4;
    pairs[0] = (struct smp_server_image_pair){0, &b->primary0, &tiny};
    cfg.pairs = pairs;
    cfg.pair_count = 1;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_EINVAL);
    cfg = b->cfg;

    /* A trailer configuration MCUboot cannot have. */
    cfg.trailer.max_align = 12;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_EINVAL);
    cfg = b->cfg;

    cfg.buf_size = 32;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_EINVAL);
    cfg.buf_size = 70000;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_EINVAL);
    cfg.buf_size = 512;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_OK);

    /* No image pairs at all is a valid (if modest) server. */
    cfg = b->cfg;
    cfg.pair_count = 0;
    cfg.pairs = NULL;
    assert_int_equal(smp_server_init(&srv, &cfg), SMP_SERVER_OK);
}

static void test_header_echoed(void **state)
{
    struct t_bench *b = *state;
    struct t_body tb;
    size_t n = echo_body(&tb, "hello");
    struct smp_hdr hdr;
    cbor_item_t *m;
    char text[16];

    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, 0, tb.buf, n) > 0);
    t_rsp_hdr(b, &hdr);
    assert_int_equal(hdr.op, SMP_OP_READ_RSP);
    assert_int_equal(hdr.ver, SMP_VER_1);
    assert_int_equal(hdr.group, SMP_GROUP_OS);
    assert_int_equal(hdr.id, 0);
    assert_int_equal(hdr.seq, b->seq);
    assert_int_equal(hdr.flags, 0);
    m = t_rsp_body(b);
    t_map_str(m, "r", text, sizeof(text));
    assert_string_equal(text, "hello");
    cbor_decref(&m);

    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, 0, tb.buf, n) > 0);
    t_rsp_hdr(b, &hdr);
    assert_int_equal(hdr.op, SMP_OP_WRITE_RSP);
    assert_int_equal(hdr.ver, SMP_VER_2);
    assert_int_equal(hdr.seq, b->seq);
}

static void test_unknown_group_and_command(void **state)
{
    struct t_bench *b = *state;
    const uint16_t groups[] = {SMP_GROUP_STAT, SMP_GROUP_FS, 64, 0xffff};

    t_bench_start(b);
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        for (uint8_t ver = SMP_VER_1; ver <= SMP_VER_2; ver++) {
            assert_true(t_request(b, ver, SMP_OP_READ, groups[i], 0, NULL, 0) > 0);
            t_expect_rc(b, SMP_MGMT_ENOTSUP);
        }
    }
    /* Unknown ids, reserved ids and ops without a handler. */
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 9, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 2, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, 6, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_IMAGE, 2, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_IMAGE, 1, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_ZEPHYR_BASIC, 0, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_ZEPHYR_BASIC, 1, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    /* An op that is neither a request nor a response. */
    assert_true(t_request(b, SMP_VER_2, 5, SMP_GROUP_OS, 0, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
}

static void test_bad_bodies(void **state)
{
    struct t_bench *b = *state;
    static const uint8_t not_cbor[] = {0xff, 0x00, 0x13};
    static const uint8_t array[] = {0x80};
    static const uint8_t truncated_map[] = {0xa1, 0x61, 'd'};
    static const uint8_t trailing[] = {0xa0, 0x00};
    static const uint8_t d_is_uint[] = {0xa1, 0x61, 'd', 0x05};
    static const uint8_t no_d[] = {0xa1, 0x61, 'x', 0x05};
    const struct {
        const uint8_t *body;
        size_t len;
    } bad[] = {
        {not_cbor, sizeof(not_cbor)},       {array, sizeof(array)},
        {truncated_map, sizeof(truncated_map)}, {trailing, sizeof(trailing)},
        {d_is_uint, sizeof(d_is_uint)},     {no_d, sizeof(no_d)},
    };

    t_bench_start(b);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 0, bad[i].body, bad[i].len) >
                    0);
        t_expect_rc(b, SMP_MGMT_EINVAL);
        assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, 0, bad[i].body, bad[i].len) >
                    0);
        t_expect_rc(b, SMP_MGMT_EINVAL);
    }
    /* Even a command that reads no key needs a well-formed map... */
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 6, not_cbor, sizeof(not_cbor)) >
                0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
    /* ...while no body at all is an empty map. */
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 6, NULL, 0) > 0);
    t_expect_ok(b);
}

static void test_sizes(void **state)
{
    struct t_bench *b = *state;
    static uint8_t frame[1024];
    static char text[600];
    struct t_body tb;
    struct smp_hdr hdr;
    size_t n;
    int rc;

    b->cfg.buf_size = 256;
    t_bench_start(b);

    /* A request above buf_size: EMSGSIZE, with the header echoed. */
    memset(text, 'x', 300);
    text[300] = '\0';
    n = echo_body(&tb, text);
    n = t_frame(frame, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 0, 77, tb.buf, n);
    b->rsp_len = smp_server_process(&b->srv, frame, n, b->rsp, sizeof(b->rsp));
    t_rsp_hdr(b, &hdr);
    assert_int_equal(hdr.seq, 77);
    t_expect_rc(b, SMP_MGMT_EMSGSIZE);
    /* The same when the oversized packet arrived cut short. */
    b->rsp_len = smp_server_process(&b->srv, frame, 100, b->rsp, sizeof(b->rsp));
    t_expect_rc(b, SMP_MGMT_EMSGSIZE);

    /* A body shorter than its header says: ECORRUPT. */
    n = echo_body(&tb, "short");
    n = t_frame(frame, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, 0, 78, tb.buf, n);
    b->rsp_len = smp_server_process(&b->srv, frame, n - 2, b->rsp, sizeof(b->rsp));
    t_rsp_hdr(b, &hdr);
    assert_int_equal(hdr.seq, 78);
    t_expect_rc(b, SMP_MGMT_ECORRUPT);

    /* Fewer than 8 bytes: nothing to answer. */
    assert_int_equal(smp_server_process(&b->srv, frame, 7, b->rsp, sizeof(b->rsp)),
                     SMP_SERVER_EDROP);
    assert_int_equal(smp_server_process(&b->srv, frame, 0, b->rsp, sizeof(b->rsp)),
                     SMP_SERVER_EDROP);

    /* A reply that does not fit the response buffer: EMSGSIZE. */
    memset(text, 'y', 150);
    text[150] = '\0';
    n = echo_body(&tb, text);
    n = t_frame(frame, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 0, 79, tb.buf, n);
    b->rsp_len = smp_server_process(&b->srv, frame, n, b->rsp, 100);
    t_expect_rc(b, SMP_MGMT_EMSGSIZE);

    /* A response buffer too small for any reply. */
    n = t_frame(frame, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, 6, 1, NULL, 0);
    rc = smp_server_process(&b->srv, frame, n, b->rsp, 10);
    assert_int_equal(rc, SMP_SERVER_ENOSPACE);

    assert_int_equal(smp_server_process(NULL, frame, n, b->rsp, 10), SMP_SERVER_EINVAL);
    assert_int_equal(smp_server_process(&b->srv, NULL, n, b->rsp, 10), SMP_SERVER_EINVAL);
    assert_int_equal(smp_server_process(&b->srv, frame, n, NULL, 10), SMP_SERVER_EINVAL);
}

static void test_versions(void **state)
{
    struct t_bench *b = *state;
    struct smp_hdr hdr;

    t_bench_start(b);
    for (uint8_t ver = 2; ver <= 3; ver++) {
        assert_true(t_request(b, ver, SMP_OP_READ, SMP_GROUP_OS, 6, NULL, 0) > 0);
        t_rsp_hdr(b, &hdr);
        assert_int_equal(hdr.ver, SMP_VER_2);
        t_expect_rc(b, SMP_MGMT_EUNSUPPORTED_TOO_NEW);
    }
}

static void test_group_error_forms(void **state)
{
    struct t_bench *b = *state;
    struct t_body tb;
    size_t n;

    t_bench_start(b);
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "format");
    smp_cbor_put_tstr(&tb.w, "sq");
    n = t_body_end(&tb);
    /* v2: the group's own code; v1: Zephyr's translation. */
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, 7, tb.buf, n,
                            SMP_OS_ERR_INVALID_FORMAT, SMP_MGMT_EINVAL);
}

static void test_several_packets(void **state)
{
    struct t_bench *b = *state;
    static uint8_t frame[512];
    struct t_body tb;
    size_t n = 0;
    size_t body = echo_body(&tb, "one");
    struct smp_hdr hdr;
    int len;

    t_bench_start(b);
    n += t_frame(frame + n, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, 0, 1, tb.buf, body);
    /* A response sent to a server is skipped, not answered. */
    n += t_frame(frame + n, SMP_VER_1, SMP_OP_READ_RSP, SMP_GROUP_OS, 0, 2, tb.buf, body);
    n += t_frame(frame + n, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 6, 3, NULL, 0);
    n += t_frame(frame + n, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 9, 4, NULL, 0);
    n += t_frame(frame + n, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, 6, 5, NULL, 0);
    len = smp_server_process(&b->srv, frame, n, b->rsp, sizeof(b->rsp));
    assert_true(len > 0);

    /* Three replies back to back; the unknown command ends the packet. */
    size_t at = 0;
    const uint8_t seqs[] = {1, 3, 4};

    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(smp_hdr_decode(b->rsp + at, (size_t)len - at, &hdr), 0);
        assert_int_equal(hdr.seq, seqs[i]);
        at += SMP_HDR_SIZE + hdr.len;
    }
    assert_int_equal(at, (size_t)len);

    /* Only responses in the packet: nothing to send. */
    n = t_frame(frame, SMP_VER_1, SMP_OP_WRITE_RSP, SMP_GROUP_OS, 0, 2, tb.buf, body);
    assert_int_equal(smp_server_process(&b->srv, frame, n, b->rsp, sizeof(b->rsp)),
                     SMP_SERVER_EDROP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_echoed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_group_and_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_error_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_packets, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
