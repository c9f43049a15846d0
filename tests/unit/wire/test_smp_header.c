/*
 * The SMP header: encode/decode round trips, and every frame of the NCS v1.9.1
 * field report decoded (header fields and the body keys read_map can express)
 * and its header re-encoded byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "wire/smp_cbor.h"
#include "wire/smp_header.h"

static void test_roundtrip_all_ops_versions(void **state)
{
    (void)state;
    for (unsigned op = 0; op < 8; op++) {
        for (unsigned ver = 0; ver < 4; ver++) {
            struct smp_hdr h = { .op = (uint8_t)op, .ver = (uint8_t)ver, .flags = 0xa5,
                                 .len = 0x1234, .group = 0xfedc, .seq = 0x7f, .id = 0x81 };
            uint8_t raw[SMP_HDR_SIZE];
            smp_hdr_encode(&h, raw);
            assert_int_equal(raw[0], (ver << 3) | op);
            assert_int_equal(raw[1], 0xa5);
            assert_int_equal(raw[2], 0x12);
            assert_int_equal(raw[3], 0x34);
            assert_int_equal(raw[4], 0xfe);
            assert_int_equal(raw[5], 0xdc);
            assert_int_equal(raw[6], 0x7f);
            assert_int_equal(raw[7], 0x81);
            struct smp_hdr d;
            assert_int_equal(smp_hdr_decode(raw, sizeof(raw), &d), 0);
            assert_int_equal(d.op, op);
            assert_int_equal(d.ver, ver);
            assert_int_equal(d.res, 0);
            assert_int_equal(d.flags, 0xa5);
            assert_int_equal(d.len, 0x1234);
            assert_int_equal(d.group, 0xfedc);
            assert_int_equal(d.seq, 0x7f);
            assert_int_equal(d.id, 0x81);
        }
    }
}

static void test_reserved_bits(void **state)
{
    (void)state;
    const uint8_t raw[SMP_HDR_SIZE] = { 0xe9, 0, 0, 0, 0, 1, 2, 3 };
    struct smp_hdr d;
    assert_int_equal(smp_hdr_decode(raw, sizeof(raw), &d), 0);
    assert_int_equal(d.res, 7);
    assert_int_equal(d.ver, 1);
    assert_int_equal(d.op, 1);
    /* Never sent back. */
    uint8_t out[SMP_HDR_SIZE];
    smp_hdr_encode(&d, out);
    assert_int_equal(out[0], 0x09);
    assert_memory_equal(out + 1, raw + 1, SMP_HDR_SIZE - 1);
}

static void test_short(void **state)
{
    (void)state;
    uint8_t raw[SMP_HDR_SIZE] = { 0 };
    struct smp_hdr d;
    for (size_t n = 0; n < SMP_HDR_SIZE; n++) {
        assert_int_equal(smp_hdr_decode(raw, n, &d), SMP_HDR_ESHORT);
    }
    /* Longer input: only the first 8 bytes count. */
    uint8_t longer[12] = { 2, 0, 0, 4, 0, 1, 9, 1, 0xa0, 0xa0, 0xa0, 0xa0 };
    assert_int_equal(smp_hdr_decode(longer, sizeof(longer), &d), 0);
    assert_int_equal(d.op, SMP_OP_WRITE);
    assert_int_equal(d.len, 4);
    assert_int_equal(d.group, SMP_GROUP_IMAGE);
    assert_int_equal(d.id, 1);
}

static void test_rsp_op(void **state)
{
    (void)state;
    assert_int_equal(smp_rsp_op(SMP_OP_READ), SMP_OP_READ_RSP);
    assert_int_equal(smp_rsp_op(SMP_OP_WRITE), SMP_OP_WRITE_RSP);
}

/* ---- the field report ------------------------------------------------- */

static size_t unhex(const char *s, size_t n, uint8_t *out, size_t cap)
{
    assert_int_equal(n % 2, 0);
    assert_true(n / 2 <= cap);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        char two[3] = { s[2 * i], s[2 * i + 1], 0 };
        assert_int_equal(sscanf(two, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n / 2;
}

static unsigned header_field(const char *fields, const char *name)
{
    char pat[16];
    snprintf(pat, sizeof(pat), "%s=", name);
    const char *p = strstr(fields, pat);
    assert_non_null(p);
    return (unsigned)strtoul(p + strlen(pat), NULL, 10);
}

/* The body's top-level keys that read_map can express, checked against the
 * JSON of the report; containers are only checked to be skipped. */
static void check_body(const char *name, const uint8_t *body, size_t len, const char *json)
{
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    assert_true(cJSON_IsObject(root));

    struct smp_cbor_field fields[16];
    size_t n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, root)
    {
        assert_true(n < 16);
        struct smp_cbor_field *f = &fields[n];
        memset(f, 0, sizeof(*f));
        f->key = item->string;
        if (cJSON_IsBool(item)) {
            f->type = SMP_CBOR_BOOL;
        } else if (cJSON_IsNumber(item)) {
            f->type = SMP_CBOR_INT;
        } else if (cJSON_IsString(item)) {
            f->type = SMP_CBOR_TSTR;
        } else if (cJSON_IsObject(item) && cJSON_GetObjectItem(item, "hex") != NULL) {
            f->type = SMP_CBOR_BSTR;
        } else {
            continue; /* a container: left to be skipped */
        }
        n++;
    }
    int rc = smp_cbor_read_map(body, len, fields, n);
    if (rc != 0) {
        fail_msg("%s: read_map = %d", name, rc);
    }

    size_t k = 0;
    cJSON_ArrayForEach(item, root)
    {
        if (k == n || strcmp(fields[k].key, item->string) != 0) {
            continue;
        }
        const struct smp_cbor_field *f = &fields[k++];
        assert_true(f->found);
        switch (f->type) {
        case SMP_CBOR_BOOL:
            assert_int_equal(f->v.b, cJSON_IsTrue(item));
            break;
        case SMP_CBOR_INT:
            assert_int_equal(f->v.i, (int64_t)item->valuedouble);
            break;
        case SMP_CBOR_TSTR:
            assert_int_equal(f->v.str.len, strlen(item->valuestring));
            assert_memory_equal(f->v.str.ptr, item->valuestring, f->v.str.len);
            break;
        default: {
            const char *hex = cJSON_GetObjectItem(item, "hex")->valuestring;
            uint8_t want[64];
            size_t wn = unhex(hex, strlen(hex), want, sizeof(want));
            assert_int_equal(f->v.str.len, wn);
            assert_memory_equal(f->v.str.ptr, want, wn);
            break;
        }
        }
    }
    assert_int_equal(k, n);
    cJSON_Delete(root);
}

static void test_field_report(void **state)
{
    (void)state;
    FILE *fp = fopen(SMPDFU_VECTORS "/frames/field-report-ncs191.txt", "r");
    assert_non_null(fp);
    char line[4096];
    int frames = 0, with_keys = 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[0] == 0) {
            continue;
        }
        char *name = strtok(line, "\t");
        char *hex = strtok(NULL, "\t");
        char *hdr_fields = strtok(NULL, "\t");
        char *json = strtok(NULL, "\t");
        assert_non_null(json);

        uint8_t frame[1024];
        size_t len = unhex(hex, strlen(hex), frame, sizeof(frame));
        struct smp_hdr h;
        assert_int_equal(smp_hdr_decode(frame, len, &h), 0);
        assert_int_equal(h.op, header_field(hdr_fields, "op"));
        assert_int_equal(h.ver, header_field(hdr_fields, "ver"));
        assert_int_equal(h.flags, header_field(hdr_fields, "flags"));
        assert_int_equal(h.len, header_field(hdr_fields, "len"));
        assert_int_equal(h.group, header_field(hdr_fields, "group"));
        assert_int_equal(h.seq, header_field(hdr_fields, "seq"));
        assert_int_equal(h.id, header_field(hdr_fields, "cmd"));
        assert_int_equal(h.res, 0);
        assert_int_equal(len, SMP_HDR_SIZE + h.len);

        uint8_t again[SMP_HDR_SIZE];
        smp_hdr_encode(&h, again);
        assert_memory_equal(again, frame, SMP_HDR_SIZE);

        check_body(name, frame + SMP_HDR_SIZE, h.len, json);
        frames++;
        with_keys += strcmp(json, "{}") != 0;
    }
    fclose(fp);
    /* The report has requests and responses with and without bodies. */
    assert_true(frames >= 8);
    assert_true(with_keys >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_all_ops_versions),
        cmocka_unit_test(test_reserved_bits),
        cmocka_unit_test(test_short),
        cmocka_unit_test(test_rsp_op),
        cmocka_unit_test(test_field_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
