/*
 * The requests of the NCS 1.9.1 field report (vectors/frames), replayed
 * against the server. Where that device failed (parameters and storage erase
 * answered rc 8), this server must answer; where it answered (image list,
 * state write with an unknown hash), the reply must be the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mgmt_test.h"
#include "wire/smp_err.h"

#define REPORT SMPDFU_VECTORS "/frames/field-report-ncs191.txt"
#define MAX_FRAME 512

struct frame {
    uint8_t bytes[MAX_FRAME];
    size_t len;
};

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (hex[0] != '\0' && hex[1] != '\0' && hex[0] != '\t') {
        unsigned v;

        assert_true(n < cap);
        assert_int_equal(sscanf(hex, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

/* The frame named name in the report. */
static void report_frame(const char *name, struct frame *out)
{
    FILE *fp = fopen(REPORT, "r");
    char line[2048];
    size_t name_len = strlen(name);
    bool found = false;

    assert_non_null(fp);
    while (!found && fgets(line, sizeof(line), fp) != NULL) {
        if (line[0] == '#' || strncmp(line, name, name_len) != 0 || line[name_len] != '\t') {
            continue;
        }
        out->len = unhex(line + name_len + 1, out->bytes, sizeof(out->bytes));
        found = true;
    }
    fclose(fp);
    assert_true(found);
}

struct fixture {
    struct t_bench b;
    uint8_t img[4096];
};

static int setup(void **state)
{
    static struct fixture f;
    static const uint8_t report_hash[32] = {
        0xee, 0x1d, 0x7b, 0xa1, 0x5f, 0xc2, 0x90, 0xc0, 0x6f, 0x3e, 0x35, 0x18, 0xa4, 0x16, 0x6c, 0xf0,
        0x6a, 0xc4, 0x57, 0x03, 0x35, 0x2d, 0xd1, 0xf0, 0x9b, 0xa1, 0x15, 0xa3, 0xc9, 0x79, 0xe7, 0x8d,
    };
    size_t payload = 1000;
    size_t n;

    t_bench_open(&f.b, 4, 1);
    /* The reported device ran 0.1.3+3. The list shows the hash TLV as
     * stored, unverified, so the image carries the reported value. */
    n = t_image_build(f.img, sizeof(f.img), 0, 1, 3, 3, payload, 1, 0, NULL);
    memcpy(f.img + IMAGE_HEADER_SIZE + payload + 8, report_hash, sizeof(report_hash));
    t_area_load(&f.b, &f.b.primary0, f.img, n);
    t_bench_start(&f.b);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    t_bench_close(&f->b);
    return 0;
}

static int replay(struct fixture *f, const struct frame *req)
{
    f->b.rsp_len = smp_server_process(&f->b.srv, req->bytes, req->len, f->b.rsp, sizeof(f->b.rsp));
    return f->b.rsp_len;
}

static void test_params_answered(void **state)
{
    struct fixture *f = *state;
    struct frame req;
    struct smp_hdr hdr;
    cbor_item_t *m;

    report_frame("os_params_req", &req);
    assert_true(replay(f, &req) > 0);
    t_rsp_hdr(&f->b, &hdr);
    assert_int_equal(hdr.op, SMP_OP_READ_RSP);
    assert_int_equal(hdr.seq, 255);
    assert_int_equal(hdr.group, SMP_GROUP_OS);
    assert_int_equal(hdr.id, 6);
    m = t_rsp_body(&f->b);
    assert_null(t_map_get(m, "rc"));
    assert_int_equal(t_map_uint(m, "buf_size"), SMP_SERVER_BUF_SIZE);
    assert_int_equal(t_map_uint(m, "buf_count"), SMP_SERVER_BUF_COUNT);
    cbor_decref(&m);
}

static void test_image_list_same_bytes(void **state)
{
    struct fixture *f = *state;
    struct frame req;
    struct frame rsp;

    report_frame("img_state_read_req", &req);
    report_frame("img_state_read_rsp", &rsp);
    assert_true(replay(f, &req) > 0);
    assert_int_equal(f->b.rsp_len, rsp.len);
    assert_memory_equal(f->b.rsp, rsp.bytes, rsp.len);
}

static void test_storage_erase_answered(void **state)
{
    struct fixture *f = *state;
    struct frame req;
    struct smp_hdr hdr;

    t_area_load(&f->b, &f->b.storage, f->img, 64);
    report_frame("basic_erase_req", &req);
    assert_true(replay(f, &req) > 0);
    t_rsp_hdr(&f->b, &hdr);
    assert_int_equal(hdr.op, SMP_OP_WRITE_RSP);
    assert_int_equal(hdr.group, SMP_GROUP_ZEPHYR_BASIC);
    assert_int_equal(hdr.seq, 105);
    t_expect_ok(&f->b);
    assert_int_equal(flash_area_is_erased(&f->b.storage, 0, T_STORAGE_SIZE), 1);
}

static void test_unknown_hash_same_bytes(void **state)
{
    struct fixture *f = *state;
    struct frame req;
    struct frame rsp;

    report_frame("img_state_write_req", &req);
    report_frame("img_state_write_rsp_rc3", &rsp);
    assert_true(replay(f, &req) > 0);
    assert_int_equal(f->b.rsp_len, rsp.len);
    assert_memory_equal(f->b.rsp, rsp.bytes, rsp.len);

    /* The same request in SMP v2 names the real problem. */
    req.bytes[0] |= SMP_VER_2 << 3;
    assert_true(replay(f, &req) > 0);
    t_expect_err(&f->b, SMP_GROUP_IMAGE, SMP_IMG_ERR_HASH_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_params_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_list_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_erase_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_hash_same_bytes, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
