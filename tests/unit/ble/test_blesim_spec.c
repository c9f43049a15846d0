#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transport/blesim_spec.h"

static void assert_same(const struct blesim_params *a, const struct blesim_params *b)
{
    assert_int_equal(a->interval_us, b->interval_us);
    assert_int_equal(a->phy, b->phy);
    assert_int_equal(a->att_mtu, b->att_mtu);
    assert_int_equal(a->dle, b->dle);
    assert_int_equal(a->ppe, b->ppe);
    assert_int_equal(a->encrypted, b->encrypted);
}

static void test_path_only(void **state)
{
    (void)state;
    char path[64];
    struct blesim_params p, d;
    assert_int_equal(blesim_spec_parse("/tmp/dev.sock", path, sizeof(path), &p), 0);
    assert_string_equal(path, "/tmp/dev.sock");
    blesim_params_default(&d);
    assert_same(&p, &d);
    assert_int_equal(blesim_params_check(&d), 0);
}

static void test_all_options(void **state)
{
    (void)state;
    char path[64];
    struct blesim_params p;
    assert_int_equal(blesim_spec_parse("s,interval=7.5,phy=2M,mtu=498,dle=251,ppe=6,enc=1", path,
                                       sizeof(path), &p),
                     0);
    assert_string_equal(path, "s");
    assert_int_equal(p.interval_us, 7500);
    assert_int_equal(p.phy, BLESIM_PHY_2M);
    assert_int_equal(p.att_mtu, 498);
    assert_int_equal(p.dle, 251);
    assert_int_equal(p.ppe, 6);
    assert_true(p.encrypted);
    assert_int_equal(blesim_spec_parse("s,dle=27,interval=45", path, sizeof(path), &p), 0);
    assert_int_equal(p.dle, 27);
    assert_int_equal(p.interval_us, 45000);
    assert_int_equal(p.phy, BLESIM_PHY_1M);
}

static void test_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "",              ",mtu=100",      "s,",           "s,mtu",         "s,mtu=",
        "s,mtu=22",      "s,mtu=518",     "s,phy=3M",     "s,dle=26",      "s,dle=252",
        "s,interval=7",  "s,interval=8",  "s,interval=.5", "s,interval=7.", "s,ppe=0",
        "s,color=blue",  "s,mtu=-1",      "s,mtu=247,",   "s,enc=2",       "s,interval=7.5000",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[64];
        struct blesim_params p;
        if (blesim_spec_parse(bad[i], path, sizeof(path), &p) != -EINVAL) {
            fail_msg("accepted: \"%s\"", bad[i]);
        }
    }
    char small[4];
    struct blesim_params p;
    assert_int_equal(blesim_spec_parse("/long/path", small, sizeof(small), &p), -ENAMETOOLONG);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    struct blesim_params p = { .interval_us = 11250, .phy = BLESIM_PHY_2M, .att_mtu = 185,
                               .dle = 100, .ppe = 3, .encrypted = true };
    char text[128];
    assert_int_equal(blesim_params_format(&p, text, sizeof(text)), 0);
    struct blesim_params q;
    blesim_params_default(&q);
    assert_int_equal(blesim_params_parse(text, &q), 0);
    assert_same(&p, &q);
    assert_int_equal(blesim_params_format(&p, text, 10), -ENOSPC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_only),
        cmocka_unit_test(test_all_options),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
