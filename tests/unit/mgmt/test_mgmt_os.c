/*
 * OS group (0): echo, date-time, reset, parameters, info, bootloader info.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mgmt/mgmt_text.h"
#include "mgmt/os_datetime.h"
#include "mgmt_test.h"
#include "wire/smp_err.h"

enum {
    ID_ECHO = 0,
    ID_DATETIME = 4,
    ID_RESET = 5,
    ID_PARAMS = 6,
    ID_INFO = 7,
    ID_BOOTLOADER = 8,
};

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

static size_t str_body(struct t_body *tb, const char *key, const char *value)
{
    t_body_begin(tb);
    smp_cbor_put_key(&tb->w, key);
    smp_cbor_put_tstr(&tb->w, value);
    return t_body_end(tb);
}

static void expect_str(struct t_bench *b, const char *key, const char *want)
{
    cbor_item_t *m = t_rsp_body(b);
    char got[512];

    t_map_str(m, key, got, sizeof(got));
    assert_string_equal(got, want);
    assert_int_equal(t_map_count(m), 1);
    cbor_decref(&m);
}

/* ---- echo --------------------------------------------------------------- */

static void test_echo(void **state)
{
    struct t_bench *b = *state;
    struct t_body tb;
    size_t n;

    t_bench_start(b);
    n = str_body(&tb, "d", "ping 123");
    for (uint8_t ver = SMP_VER_1; ver <= SMP_VER_2; ver++) {
        assert_true(t_request(b, ver, SMP_OP_READ, SMP_GROUP_OS, ID_ECHO, tb.buf, n) > 0);
        expect_str(b, "r", "ping 123");
        assert_true(t_request(b, ver, SMP_OP_WRITE, SMP_GROUP_OS, ID_ECHO, tb.buf, n) > 0);
        expect_str(b, "r", "ping 123");
    }
    n = str_body(&tb, "d", "");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_ECHO, tb.buf, n) > 0);
    expect_str(b, "r", "");
    n = str_body(&tb, "d", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_ECHO, tb.buf, n) > 0);
    expect_str(b, "r", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    /* Text that is not UTF-8 is not reflected. */
    n = str_body(&tb, "d", "h\xb8llo");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_ECHO, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
    /* Without "d" there is nothing to echo. */
    n = str_body(&tb, "x", "ping");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_ECHO, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_ECHO, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
}

static void test_utf8(void **state)
{
    const char *good[] = {"", "abc", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
                          "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"};
    const char *bad[] = {"\x80", "\xc0\x80", "\xc1\xbf", "\xc2", "\xe0\x9f\xbf",
                         "\xed\xa0\x80", "\xe2\x82", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
                         "\xf5\x80\x80\x80", "\xff", "a\xc3(", "\xf0\x9f\x98"};

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(mgmt_utf8_valid((const uint8_t *)good[i], strlen(good[i])));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(mgmt_utf8_valid((const uint8_t *)bad[i], strlen(bad[i])));
    }
}

/* ---- date-time ---------------------------------------------------------- */

static void check_parse(const char *text, int rc, const struct smp_datetime *want)
{
    struct smp_datetime dt;

    memset(&dt, 0xa5, sizeof(dt));
    assert_int_equal(os_datetime_parse(text, strlen(text), &dt), rc);
    if (rc == 0 && want != NULL) {
        assert_int_equal(dt.year, want->year);
        assert_int_equal(dt.month, want->month);
        assert_int_equal(dt.day, want->day);
        assert_int_equal(dt.hour, want->hour);
        assert_int_equal(dt.minute, want->minute);
        assert_int_equal(dt.second, want->second);
        assert_int_equal(dt.usec, want->usec);
        assert_int_equal(dt.has_tz, want->has_tz);
        assert_int_equal(dt.tz_minutes, want->tz_minutes);
    }
}

static void test_datetime_text(void **state)
{
    const struct smp_datetime plain = {2024, 2, 29, 13, 5, 59, 0, false, 0};
    const struct smp_datetime frac = {2024, 2, 29, 13, 5, 59, 120000, false, 0};
    const struct smp_datetime micro = {1999, 12, 31, 23, 59, 59, 999999, true, 0};
    const struct smp_datetime zoned = {2023, 7, 1, 0, 0, 0, 0, true, 330};
    const struct smp_datetime west = {2023, 7, 1, 0, 0, 0, 5000, true, -480};
    const char *bad[] = {
        "",
        "2023-02-29T00:00:00",  /* not a leap year */
        "2024-13-01T00:00:00",
        "2024-00-01T00:00:00",
        "2024-04-31T00:00:00",
        "2024-01-01T24:00:00",
        "2024-01-01T00:60:00",
        "2024-01-01T00:00:60",
        "2024-01-01T00:00",
        "2024-01-01X00:00:00",
        "2024/01/01T00:00:00",
        "2024-01-01T00:00:00.",
        "2024-01-01T00:00:00.1234567",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+05",
        "2024-01-01T00:00:00Zjunk",
        "1899-12-31T23:59:59",
        "24-01-01T00:00:00",
        "2024-1-01T00:00:00",
    };
    struct mgmt_text t;
    char text[40];

    (void)state;
    check_parse("2024-02-29T13:05:59", 0, &plain);
    check_parse("2024-02-29t13:05:59", 0, &plain);
    check_parse("2024-02-29 13:05:59", 0, &plain);
    check_parse("2024-02-29T13:05:59.12", 0, &frac);
    check_parse("1999-12-31T23:59:59.999999Z", 0, &micro);
    check_parse("2023-07-01T00:00:00+05:30", 0, &zoned);
    check_parse("2023-07-01T00:00:00.005-08:00", 0, &west);
    check_parse("2000-02-29T00:00:00", 0, NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        check_parse(bad[i], -1, NULL);
    }

    mgmt_text_init(&t, text, sizeof(text));
    os_datetime_format(&plain, &t);
    assert_string_equal(text, "2024-02-29T13:05:59");
    mgmt_text_init(&t, text, sizeof(text));
    os_datetime_format(&micro, &t);
    assert_string_equal(text, "1999-12-31T23:59:59.999999Z");
    mgmt_text_init(&t, text, sizeof(text));
    os_datetime_format(&west, &t);
    assert_string_equal(text, "2023-07-01T00:00:00.005000-08:00");
    mgmt_text_init(&t, text, sizeof(text));
    os_datetime_format(&zoned, &t);
    assert_string_equal(text, "2023-07-01T00:00:00+05:30");
}

static void test_datetime_commands(void **state)
{
    struct t_bench *b = *state;
    struct t_body tb;
    size_t n;

    t_bench_start(b);
    /* Never set: the RTC code (v1: ENOENT, as Zephyr translates it). */
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_DATETIME, NULL, 0,
                            SMP_OS_ERR_RTC_NOT_SET, SMP_MGMT_ENOENT);

    n = str_body(&tb, "datetime", "2025-06-30T08:15:00");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_DATETIME, tb.buf, n) > 0);
    t_expect_ok(b);
    assert_true(b->ports.clock_set);
    assert_int_equal(b->ports.dt.year, 2025);
    assert_int_equal(b->ports.dt.minute, 15);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, ID_DATETIME, NULL, 0) > 0);
    expect_str(b, "datetime", "2025-06-30T08:15:00");

    /* The zone and fraction reach the port and come back. */
    n = str_body(&tb, "datetime", "2025-06-30T08:15:00.25+02:00");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_DATETIME, tb.buf, n) > 0);
    t_expect_ok(b);
    assert_int_equal(b->ports.dt.tz_minutes, 120);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_DATETIME, NULL, 0) > 0);
    expect_str(b, "datetime", "2025-06-30T08:15:00.250000+02:00");

    /* Bad text, missing key, wrong type: EINVAL and the clock keeps its time. */
    n = str_body(&tb, "datetime", "2025-02-30T08:15:00");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_DATETIME, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_DATETIME, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "datetime");
    smp_cbor_put_uint(&tb.w, 1700000000);
    n = t_body_end(&tb);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_DATETIME, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
    assert_int_equal(b->ports.dt.day, 30);
    assert_int_equal(b->ports.dt.month, 6);

    /* A failing clock. */
    b->ports.clock_fail = SMP_SERVER_CLOCK_EFAIL;
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_DATETIME, NULL, 0,
                            SMP_OS_ERR_RTC_COMMAND_FAILED, SMP_MGMT_EUNKNOWN);
    n = str_body(&tb, "datetime", "2025-06-30T08:15:00");
    t_expect_group_err_both(b, SMP_OP_WRITE, SMP_GROUP_OS, ID_DATETIME, tb.buf, n,
                            SMP_OS_ERR_RTC_COMMAND_FAILED, SMP_MGMT_EUNKNOWN);
}

static int bad_clock(void *ctx, struct smp_datetime *out)
{
    (void)ctx;
    memset(out, 0, sizeof(*out));
    out->year = 2024;
    out->month = 14;
    out->day = 1;
    return 0;
}

static void test_datetime_ports(void **state)
{
    struct t_bench *b = *state;

    /* A clock that reports nonsense is a failed RTC command. */
    b->cfg.clock_get = bad_clock;
    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_DATETIME, NULL, 0) > 0);
    t_expect_err(b, SMP_GROUP_OS, SMP_OS_ERR_RTC_COMMAND_FAILED);

    /* Without a clock the command does not exist. */
    b->cfg.clock_get = NULL;
    b->cfg.clock_set = NULL;
    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_DATETIME, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_DATETIME, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
}

/* ---- reset -------------------------------------------------------------- */

static void test_reset(void **state)
{
    struct t_bench *b = *state;
    struct t_body tb;
    size_t n;

    t_bench_start(b);
    assert_false(smp_server_take_reset(&b->srv));
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_RESET, NULL, 0) > 0);
    t_expect_ok(b);
    assert_true(smp_server_take_reset(&b->srv));
    assert_false(smp_server_take_reset(&b->srv));
    assert_false(b->ports.reset_force_seen);

    /* The application refuses: EBUSY, no reset... */
    b->ports.reset_refuse = 1;
    assert_true(t_request(b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_OS, ID_RESET, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_EBUSY);
    assert_false(smp_server_take_reset(&b->srv));

    /* ...until the client insists. "force" as a bool or an integer. */
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "force");
    smp_cbor_put_bool(&tb.w, true);
    n = t_body_end(&tb);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_OS, ID_RESET, tb.buf, n) > 0);
    t_expect_ok(b);
    assert_true(b->ports.reset_force_seen);
    assert_true(smp_server_take_reset(&b->srv));
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "force");
    smp_cbor_put_uint(&tb.w, 1);
    n = t_body_end(&tb);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_OS, ID_RESET, tb.buf, n) > 0);
    t_expect_ok(b);
    assert_true(smp_server_take_reset(&b->srv));

    /* A malformed request never resets. */
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "force");
    smp_cbor_put_tstr(&tb.w, "yes");
    n = t_body_end(&tb);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_WRITE, SMP_GROUP_OS, ID_RESET, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);
    assert_false(smp_server_take_reset(&b->srv));
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, ID_RESET, NULL, 0) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
    assert_false(smp_server_take_reset(&b->srv));
}

static void test_reset_without_port(void **state)
{
    struct t_bench *b = *state;
    static uint8_t frame[16];
    size_t n;

    b->cfg.reset_check = NULL;
    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_RESET, NULL, 0) > 0);
    t_expect_ok(b);
    assert_true(smp_server_take_reset(&b->srv));
    /* No reply could be sent: no reset either. */
    n = t_frame(frame, SMP_VER_2, SMP_OP_WRITE, SMP_GROUP_OS, ID_RESET, 1, NULL, 0);
    assert_int_equal(smp_server_process(&b->srv, frame, n, b->rsp, 9), SMP_SERVER_ENOSPACE);
    assert_false(smp_server_take_reset(&b->srv));
    assert_false(smp_server_take_reset(NULL));
}

/* ---- parameters --------------------------------------------------------- */

static void test_params(void **state)
{
    struct t_bench *b = *state;
    cbor_item_t *m;

    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, ID_PARAMS, NULL, 0) > 0);
    m = t_rsp_body(b);
    assert_int_equal(t_map_uint(m, "buf_size"), SMP_SERVER_BUF_SIZE);
    assert_int_equal(t_map_uint(m, "buf_count"), SMP_SERVER_BUF_COUNT);
    assert_int_equal(t_map_count(m), 2);
    cbor_decref(&m);

    b->cfg.buf_size = 1024;
    b->cfg.buf_count = 2;
    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_PARAMS, NULL, 0) > 0);
    m = t_rsp_body(b);
    assert_int_equal(t_map_uint(m, "buf_size"), 1024);
    assert_int_equal(t_map_uint(m, "buf_count"), 2);
    cbor_decref(&m);
}

/* ---- info --------------------------------------------------------------- */

static void info(struct t_bench *b, const char *format, const char *want)
{
    struct t_body tb;
    size_t n = 0;

    if (format != NULL) {
        n = str_body(&tb, "format", format);
    }
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_INFO, tb.buf, n) > 0);
    expect_str(b, "output", want);
}

static void test_info(void **state)
{
    struct t_bench *b = *state;
    struct t_body tb;
    size_t n;
    static char longname[SMP_SERVER_INFO_MAX + 8];

    t_bench_start(b);
    info(b, NULL, "Zephyr");
    info(b, "", "Zephyr");
    info(b, "s", "Zephyr");
    /* Fixed output order, whatever the order of the letters. */
    info(b, "vs", "Zephyr 3.5.99");
    info(b, "iomp", "arm cortex-m4 nrf52840dk/nrf52840 Zephyr");
    info(b, "nnr", "smpdfu-device v3.5.99-ncs1");
    info(b, "a", "Zephyr smpdfu-device v3.5.99-ncs1 3.5.99 arm cortex-m4 nrf52840dk/nrf52840 "
                 "Zephyr");

    /* 'b' only exists with a build date. */
    n = str_body(&tb, "format", "b");
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_INFO, tb.buf, n,
                            SMP_OS_ERR_INVALID_FORMAT, SMP_MGMT_EINVAL);
    n = str_body(&tb, "format", "sx");
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_INFO, tb.buf, n,
                            SMP_OS_ERR_INVALID_FORMAT, SMP_MGMT_EINVAL);
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "format");
    smp_cbor_put_tstr_n(&tb.w, "s\0", 2);
    n = t_body_end(&tb);
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_INFO, tb.buf, n,
                            SMP_OS_ERR_INVALID_FORMAT, SMP_MGMT_EINVAL);
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "format");
    smp_cbor_put_uint(&tb.w, 7);
    n = t_body_end(&tb);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_INFO, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);

    b->cfg.build_date = "2025-01-02T03:04:05";
    b->cfg.node_name = NULL;
    t_bench_start(b);
    info(b, "bn", "unknown 2025-01-02T03:04:05");
    info(b, "a", "Zephyr unknown v3.5.99-ncs1 3.5.99 2025-01-02T03:04:05 arm cortex-m4 "
                 "nrf52840dk/nrf52840 Zephyr");

    /* More text than the output buffer holds. */
    memset(longname, 'n', sizeof(longname) - 1);
    b->cfg.node_name = longname;
    t_bench_start(b);
    n = str_body(&tb, "format", "n");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_INFO, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EMSGSIZE);
}

/* ---- bootloader info ---------------------------------------------------- */

static void test_bootloader_info(void **state)
{
    struct t_bench *b = *state;
    struct t_body tb;
    cbor_item_t *m;
    size_t n;

    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, NULL, 0) > 0);
    expect_str(b, "bootloader", "MCUboot");
    /* Other keys than "query" are ignored. */
    n = str_body(&tb, "other", "mode");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n) > 0);
    expect_str(b, "bootloader", "MCUboot");

    n = str_body(&tb, "query", "mode");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n) > 0);
    m = t_rsp_body(b);
    assert_int_equal(t_map_int(m, "mode"), 3);
    assert_null(t_map_get(m, "no-downgrade"));
    cbor_decref(&m);

    /* No first stage: the b0 query is just an unknown query. */
    n = str_body(&tb, "query", "active_b0_slot");
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n,
                            SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, SMP_MGMT_ENOENT);
    n = str_body(&tb, "query", "modes");
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n,
                            SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, SMP_MGMT_ENOENT);
    t_body_begin(&tb);
    smp_cbor_put_key(&tb.w, "query");
    smp_cbor_put_bstr(&tb.w, (const uint8_t *)"mode", 4);
    n = t_body_end(&tb);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_EINVAL);

    b->cfg.bootloader_name = "MCUboot-smpdfu";
    b->cfg.bootloader_mode = -1;
    b->cfg.no_downgrade = true;
    b->cfg.has_first_stage = true;
    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, NULL, 0) > 0);
    expect_str(b, "bootloader", "MCUboot-smpdfu");
    n = str_body(&tb, "query", "mode");
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n) > 0);
    m = t_rsp_body(b);
    assert_int_equal(t_map_int(m, "mode"), -1);
    assert_true(t_map_bool(m, "no-downgrade"));
    cbor_decref(&m);

    /* With a first stage: the port answers, or says it cannot. */
    n = str_body(&tb, "query", "active_b0_slot");
    b->ports.b0_slot = 1;
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n) > 0);
    m = t_rsp_body(b);
    assert_int_equal(t_map_uint(m, "active"), 1);
    assert_null(t_map_get(m, "version")); /* the version port does not know */
    assert_int_equal(t_map_count(m), 1);
    cbor_decref(&m);
    b->ports.b0_version_rc = 0;
    b->ports.b0_version = 70000;
    assert_true(t_request(b, SMP_VER_1, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n) > 0);
    m = t_rsp_body(b);
    assert_int_equal(t_map_uint(m, "active"), 1);
    assert_int_equal(t_map_uint(m, "version"), 70000);
    assert_int_equal(t_map_count(m), 2);
    cbor_decref(&m);
    b->ports.b0_slot = -1;
    t_expect_group_err_both(b, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n,
                            SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID, SMP_MGMT_EUNKNOWN);
    b->cfg.b0_active_slot = NULL;
    t_bench_start(b);
    assert_true(t_request(b, SMP_VER_2, SMP_OP_READ, SMP_GROUP_OS, ID_BOOTLOADER, tb.buf, n) > 0);
    t_expect_rc(b, SMP_MGMT_ENOTSUP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_datetime_text),
        cmocka_unit_test_setup_teardown(test_datetime_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datetime_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_without_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootloader_info, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
