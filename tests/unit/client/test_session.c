/* The session and the pipelined upload against an in-process device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <mbedtls/sha256.h>
#include <stdlib.h>
#include <string.h>

#include "client/session.h"
#include "client/upload.h"
#include "fake_device.h"
#include "wire/smp_header.h"

struct fixture {
    struct fake_device dev;
    struct client_link link;
    struct smp_session s;
    uint8_t file[100000];
    struct upload_opts o;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    fake_device_init(&f->dev);
    fake_link(&f->link, &f->dev, 65535, 0);
    assert_int_equal(smp_session_init(&f->s, &f->link), 0);
    /* The fake answers at once; a timeout is "nothing queued". */
    f->s.timeout_ms = 1;
    for (size_t i = 0; i < sizeof(f->file); i++) {
        f->file[i] = (uint8_t)(i * 7 + (i >> 8));
    }
    f->o.data = f->file;
    f->o.len = sizeof(f->file);
    f->o.first_timeout_ms = 1;
    mbedtls_sha256_ret(f->file, sizeof(f->file), f->o.sha, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    smp_session_free(&f->s);
    free(f);
    return 0;
}

static void negotiate_sets_frame_and_window(void **state)
{
    struct fixture *f = *state;
    f->dev.buf_size = 2048;
    f->dev.buf_count = 4;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    assert_true(f->s.params_known);
    assert_int_equal(f->s.frame_size, 2048);
    assert_int_equal(f->s.window, 3);
}

static void negotiate_respects_link_limits(void **state)
{
    struct fixture *f = *state;
    f->link.mtu = 1000;
    f->dev.buf_size = 2048;
    f->dev.buf_count = 1;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    assert_int_equal(f->s.frame_size, 1000);
    assert_int_equal(f->s.window, 1);
    f->link.mtu = 65535;
    f->link.frame_overhead = 4;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    assert_int_equal(f->s.frame_size, 2044);
}

static void negotiate_falls_back_when_not_supported(void **state)
{
    struct fixture *f = *state;
    f->dev.buf_size = 0;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    assert_false(f->s.params_known);
    assert_int_equal(f->s.frame_size, SESSION_FALLBACK_FRAME);
    assert_int_equal(f->s.window, SESSION_FALLBACK_WINDOW);
}

static void request_falls_back_to_v1(void **state)
{
    struct fixture *f = *state;
    f->dev.v1_only = true;
    static const uint8_t echo[] = { 0xa1, 0x61, 'd', 0x62, 'h', 'i' };
    cJSON *j;
    assert_int_equal(smp_session_request(&f->s, SMP_OP_WRITE, SMP_GROUP_OS, 0, echo, sizeof(echo),
                                         1, &j),
                     0);
    assert_string_equal(cJSON_GetObjectItem(j, "r")->valuestring, "hi");
    cJSON_Delete(j);
    assert_int_equal(f->s.ver, SMP_VER_1);
    assert_int_equal(f->dev.last_ver, SMP_VER_1);
    assert_int_equal(f->dev.requests, 2);
}

static void request_ignores_stray_answers(void **state)
{
    struct fixture *f = *state;
    /* An answer to a request nobody made, with the seq the next request
     * will get but another command id. */
    struct smp_hdr h = { .op = SMP_OP_WRITE_RSP, .group = 0, .seq = f->s.next_seq, .id = 5 };
    uint8_t pkt[SMP_HDR_SIZE + 1];
    h.len = 1;
    smp_hdr_encode(&h, pkt);
    pkt[SMP_HDR_SIZE] = 0xa0;
    fake_device_inject(&f->dev, pkt, sizeof(pkt));
    static const uint8_t echo[] = { 0xa1, 0x61, 'd', 0x61, 'x' };
    cJSON *j;
    assert_int_equal(smp_session_request(&f->s, SMP_OP_WRITE, SMP_GROUP_OS, 0, echo, sizeof(echo),
                                         1, &j),
                     0);
    assert_string_equal(cJSON_GetObjectItem(j, "r")->valuestring, "x");
    cJSON_Delete(j);
    assert_int_equal(f->s.stray, 1);
}

static void request_retries_after_timeout(void **state)
{
    struct fixture *f = *state;
    f->dev.drop_request = 0;
    static const uint8_t echo[] = { 0xa1, 0x61, 'd', 0x61, 'y' };
    cJSON *j;
    assert_int_equal(smp_session_request(&f->s, SMP_OP_WRITE, SMP_GROUP_OS, 0, echo, sizeof(echo),
                                         1, &j),
                     0);
    cJSON_Delete(j);
    assert_int_equal(f->dev.requests, 2);
    f->dev.drop_from = 0;
    f->dev.drop_count = 1000;
    assert_int_equal(smp_session_request(&f->s, SMP_OP_WRITE, SMP_GROUP_OS, 0, echo, sizeof(echo),
                                         1, &j),
                     -ETIMEDOUT);
    assert_null(j);
    assert_int_equal(f->dev.requests, 2 + 1 + f->s.retries);
}

static void request_reports_v2_group_error(void **state)
{
    struct fixture *f = *state;
    cJSON *j;
    assert_int_equal(smp_session_request(&f->s, SMP_OP_WRITE, SMP_GROUP_IMAGE, 0, smp_empty_map,
                                         1, 1, &j),
                     SESSION_EREFUSED);
    cJSON_Delete(j);
    assert_true(f->s.status.group_err);
    assert_int_equal(f->s.status.group, 1);
    assert_int_equal(f->s.status.group_rc, 8);
    char text[256];
    smp_status_describe(&f->s.status, text, sizeof(text));
    assert_non_null(strstr(text, "image/IMG_MGMT_ERR_HASH_NOT_FOUND (rc 8): "));
}

static void check_uploaded(struct fixture *f)
{
    assert_int_equal(memcmp(f->dev.image, f->file, sizeof(f->file)), 0);
}

static void upload_fills_the_window_and_frames(void **state)
{
    struct fixture *f = *state;
    f->dev.buf_size = 1024;
    f->dev.buf_count = 5;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), 0);
    check_uploaded(f);
    assert_true(st.match_reported && st.match);
    assert_int_equal(f->dev.max_queued, 4);
    assert_true(f->dev.max_request <= 1024);
    assert_true(f->dev.max_request >= 1024 - 4);
    assert_int_equal(st.resyncs, 0);
    /* Every chunk but the first and the last is full. */
    assert_true(st.chunks <= sizeof(f->file) / st.chunk_data + 2);
}

static void upload_recovers_a_lost_chunk(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    f->dev.drop_request = 10;
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), 0);
    check_uploaded(f);
    assert_true(st.match);
    assert_int_equal(st.resyncs, 1);
}

static void upload_resends_after_a_silence(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    f->dev.drop_from = 20;
    f->dev.drop_count = 6;
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), 0);
    check_uploaded(f);
    assert_true(st.timeouts >= 1);
}

static void upload_resumes_at_the_device_offset(void **state)
{
    struct fixture *f = *state;
    /* The device already holds the first 60000 bytes of this file. */
    memcpy(f->dev.image, f->file, 60000);
    f->dev.uploading = true;
    f->dev.up_len = sizeof(f->file);
    f->dev.up_off = 60000;
    memcpy(f->dev.up_sha, f->o.sha, 32);
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), 0);
    check_uploaded(f);
    assert_true(st.match);
    assert_int_equal(f->dev.first_data_off, 60000);
    assert_true(st.chunks < 100000 / st.chunk_data);
}

static void upload_reopens_when_the_device_forgot(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    f->dev.forget_at = 30;
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), 0);
    check_uploaded(f);
    assert_true(st.match);
    assert_int_equal(f->dev.first_chunks, 2);
}

static void upload_gives_up_on_a_stuck_device(void **state)
{
    struct fixture *f = *state;
    f->dev.stuck = true;
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), UPLOAD_ESTALLED);
    assert_true(f->dev.requests < 20);
}

static void upload_waits_long_for_the_first_chunk_only(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    f->dev.waits = 0;
    f->o.first_timeout_ms = 0; /* derived from the image size */
    f->o.chunk_timeout_ms = 7;
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), 0);
    check_uploaded(f);
    /* 100000 bytes: 25 sectors of 4 KiB at 90 ms each, on top of 7 ms. */
    assert_in_range(f->dev.first_wait_ms, 7 + 25 * 90 - 5, 7 + 25 * 90);
    assert_true(f->dev.later_wait_max_ms <= 7);
}

static void upload_with_the_fallback_frame(void **state)
{
    struct fixture *f = *state;
    f->dev.buf_size = 0; /* OS params not supported */
    assert_int_equal(smp_session_negotiate(&f->s), 0);
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), 0);
    check_uploaded(f);
    assert_true(f->dev.max_request <= SESSION_FALLBACK_FRAME);
    assert_int_equal(f->dev.max_queued, 1);
}

static void upload_reports_a_hash_mismatch(void **state)
{
    struct fixture *f = *state;
    f->o.sha[0] ^= 1;
    struct upload_stats st;
    assert_int_equal(image_upload(&f->s, &f->o, &st), UPLOAD_EMISMATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(negotiate_sets_frame_and_window, setup, teardown),
        cmocka_unit_test_setup_teardown(negotiate_respects_link_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(negotiate_falls_back_when_not_supported, setup, teardown),
        cmocka_unit_test_setup_teardown(request_falls_back_to_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(request_ignores_stray_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(request_retries_after_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(request_reports_v2_group_error, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_fills_the_window_and_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_recovers_a_lost_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_resends_after_a_silence, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_resumes_at_the_device_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_reopens_when_the_device_forgot, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_gives_up_on_a_stuck_device, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_reports_a_hash_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_waits_long_for_the_first_chunk_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(upload_with_the_fallback_frame, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
