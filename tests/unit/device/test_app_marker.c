/*
 * The application behaviour marker: payload writer and search in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device/app_marker.h"

static void test_names(void **state)
{
    (void)state;
    enum app_behaviour b;
    assert_int_equal(app_behaviour_from_name("confirm", &b), 0);
    assert_int_equal(b, APP_BEHAVIOUR_CONFIRM);
    assert_int_equal(app_behaviour_from_name("no-confirm", &b), 0);
    assert_int_equal(b, APP_BEHAVIOUR_NO_CONFIRM);
    assert_int_equal(app_behaviour_from_name("fail", &b), 0);
    assert_int_equal(b, APP_BEHAVIOUR_FAIL);
    assert_int_equal(app_behaviour_from_name("Confirm", &b), APP_MARKER_EINVAL);
    assert_string_equal(app_behaviour_name(APP_BEHAVIOUR_NO_CONFIRM), "no-confirm");
}

static void test_payload_layout(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct app_payload_opts o = { .behaviour = APP_BEHAVIOUR_FAIL };
    assert_int_equal(app_payload_write(buf, sizeof(buf), &o), 0);
    assert_memory_equal(buf, "SMPDFU-APP-BEHAV", 16);
    static const uint8_t word[16] = { 'f', 'a', 'i', 'l' };
    assert_memory_equal(buf + 16, word, 16);
    /* Filler: xorshift32 (13, 17, 5) from 0x9e3779b9, top byte. */
    uint32_t x = 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    uint8_t first = (uint8_t)(x >> 24);
    assert_int_equal(buf[32], first == 'S' ? 's' : first);

    enum app_behaviour b;
    assert_int_equal(app_marker_find(buf, sizeof(buf), &b), 0);
    assert_int_equal(b, APP_BEHAVIOUR_FAIL);

    /* Same size, same options: same bytes. */
    uint8_t again[256];
    assert_int_equal(app_payload_write(again, sizeof(again), &o), 0);
    assert_memory_equal(buf, again, sizeof(buf));

    assert_int_equal(app_payload_write(buf, 31, &o), APP_MARKER_EINVAL);
}

static void test_vector_table(void **state)
{
    (void)state;
    uint8_t buf[1024];
    struct app_payload_opts o = { .behaviour = APP_BEHAVIOUR_CONFIRM, .vector_table = true,
                                  .initial_sp = 0x20040000u, .reset_vector = 0x00022201u };
    assert_int_equal(app_payload_write(buf, 64 + 31, &o), APP_MARKER_EINVAL);
    assert_int_equal(app_payload_write(buf, sizeof(buf), &o), 0);
    static const uint8_t head[8] = { 0x00, 0x00, 0x04, 0x20, 0x01, 0x22, 0x02, 0x00 };
    assert_memory_equal(buf, head, 8);
    assert_memory_equal(buf + 60, head + 4, 4);
    assert_memory_equal(buf + 64, APP_MARKER_TAG, 16);
    enum app_behaviour b;
    assert_int_equal(app_marker_find(buf, sizeof(buf), &b), 0);
    assert_int_equal(b, APP_BEHAVIOUR_CONFIRM);
}

static void test_not_found_and_bad_word(void **state)
{
    (void)state;
    uint8_t buf[128];
    memset(buf, 0xa5, sizeof(buf));
    enum app_behaviour b;
    assert_int_equal(app_marker_find(buf, sizeof(buf), &b), APP_MARKER_ENOTFOUND);
    memcpy(buf + 40, APP_MARKER_TAG, 16);
    memcpy(buf + 56, "reboot\0\0\0\0\0\0\0\0\0\0", 16);
    assert_int_equal(app_marker_find(buf, sizeof(buf), &b), APP_MARKER_EBADWORD);
    memcpy(buf + 56, "confirm\0\0\0\0\0\0\0\0x", 16);
    assert_int_equal(app_marker_find(buf, sizeof(buf), &b), APP_MARKER_EBADWORD);
    /* A tag cut off by the end of the buffer is no marker. */
    assert_int_equal(app_marker_find(buf, 40 + 31, &b), APP_MARKER_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_payload_layout),
        cmocka_unit_test(test_vector_table),
        cmocka_unit_test(test_not_found_and_bad_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
