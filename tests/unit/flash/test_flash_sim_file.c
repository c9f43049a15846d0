/*
 * The simulated device in a file: created erased, reopened with its data,
 * refused when the size is wrong, and what a killed process wrote is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "flash/sim/flash_sim.h"

static char dir[64];
static char path[128];
static struct flash_sim sim;

static const struct flash_sim_config cfg = {
    .size = 0x8000, .sector_size = 0x1000, .write_block = 4, .erase_value = 0xff
};

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/flash_sim_test.XXXXXX");
    if (!mkdtemp(dir)) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/flash.bin", dir);
    memset(&sim, 0, sizeof(sim));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    flash_sim_close(&sim);
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                char p[sizeof(dir) + 258];
                snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
                unlink(p);
            }
        }
        closedir(d);
    }
    rmdir(dir);
    return 0;
}

/* The file as the kernel has it, read with plain stdio. */
static size_t read_file(uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static size_t dir_entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    while (readdir(d) != NULL) {
        n++;
    }
    closedir(d);
    return n - 2;
}

static void test_created_erased(void **state)
{
    (void)state;
    const uint8_t erased[] = { 0xff, 0x00 };
    static uint8_t buf[0x9000];
    for (size_t e = 0; e < sizeof(erased); e++) {
        struct flash_sim_config c = cfg;
        c.erase_value = erased[e];
        unlink(path);
        assert_int_equal(flash_sim_open_file(&sim, path, &c), 0);
        assert_int_equal(read_file(buf, sizeof(buf)), 0x8000);
        for (size_t i = 0; i < 0x8000; i++) {
            assert_int_equal(buf[i], erased[e]);
        }
        /* Only the flash file: the temporary it was built under is gone. */
        assert_int_equal(dir_entries(), 1);
        flash_sim_close(&sim);
    }
}

static void test_data_persists_across_close_and_open(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_file(&sim, path, &cfg), 0);
    struct flash_area fa = { .id = 0, .name = "all", .dev = flash_sim_dev(&sim), .off = 0,
                             .size = 0x8000 };
    const uint8_t a[8] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
    assert_int_equal(flash_area_write(&fa, 0x1230, a, 8), 0);
    /* The mapping is shared: the file sees the write at once. */
    static uint8_t buf[0x8000];
    assert_int_equal(read_file(buf, sizeof(buf)), 0x8000);
    assert_memory_equal(buf + 0x1230, a, 8);
    flash_sim_close(&sim);

    assert_int_equal(flash_sim_open_file(&sim, path, &cfg), 0);
    fa.dev = flash_sim_dev(&sim);
    uint8_t got[8];
    assert_int_equal(flash_area_read(&fa, 0x1230, got, 8), 0);
    assert_memory_equal(got, a, 8);
    /* Still NOR: the bytes from the last session are programmed. */
    assert_int_equal(flash_area_write(&fa, 0x1230, a, 8), FLASH_ENOTERASED);
    /* Counters start afresh with each open. */
    struct flash_sim_counts c;
    flash_sim_total_counts(&sim, &c);
    assert_int_equal(c.reads, 1);
    assert_int_equal(c.writes, 0);
}

static void test_wrong_size_is_refused(void **state)
{
    (void)state;
    assert_int_equal(flash_sim_open_file(&sim, path, &cfg), 0);
    flash_sim_close(&sim);
    struct flash_sim_config bigger = cfg;
    bigger.size = 0x10000;
    assert_int_equal(flash_sim_open_file(&sim, path, &bigger), FLASH_SIM_ESIZE);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0x8000);
    flash_sim_close(&sim);
    /* An empty file is not a flash of any size either. */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(flash_sim_open_file(&sim, path, &cfg), FLASH_SIM_ESIZE);
    flash_sim_close(&sim);
    assert_string_equal(flash_sim_strerror(FLASH_SIM_ESIZE),
                        "the flash file's size differs from the configured flash size");
}

static void test_unusable_paths(void **state)
{
    (void)state;
    char missing[192];
    snprintf(missing, sizeof(missing), "%s/no/such/dir/flash.bin", dir);
    assert_int_equal(flash_sim_open_file(&sim, missing, &cfg), FLASH_SIM_EFILE);
    flash_sim_close(&sim);
    assert_int_equal(flash_sim_open_file(&sim, dir, &cfg), FLASH_SIM_EFILE);
    flash_sim_close(&sim);
    assert_int_equal(flash_sim_open_file(&sim, NULL, &cfg), FLASH_EINVAL);
    flash_sim_close(&sim);
    struct flash_sim_config bad = cfg;
    bad.write_block = 3;
    assert_int_equal(flash_sim_open_file(&sim, path, &bad), FLASH_EINVAL);
    /* A refused configuration creates no file. */
    assert_int_equal(dir_entries(), 0);
}

static void test_killed_process_keeps_its_writes(void **state)
{
    (void)state;
    const uint8_t a[4] = { 0x11, 0x22, 0x33, 0x44 };
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct flash_sim child;
        if (flash_sim_open_file(&child, path, &cfg) != 0) {
            _exit(1);
        }
        struct flash_area fa = { .id = 0, .name = "all", .dev = flash_sim_dev(&child),
                                 .off = 0, .size = 0x8000 };
        if (flash_area_erase(&fa, 0x4000, 0x1000) != 0 || flash_area_write(&fa, 0x4ffc, a, 4) != 0) {
            _exit(2);
        }
        /* No close, no msync: the process dies with the mapping live. */
        raise(SIGKILL);
        _exit(3);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_int_equal(flash_sim_open_file(&sim, path, &cfg), 0);
    assert_memory_equal(flash_sim_raw(&sim) + 0x4ffc, a, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_created_erased, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_persists_across_close_and_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_size_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_process_keeps_its_writes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
