#include "device/layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Built-in layouts. Sizes and addresses are the nRF Connect SDK partition
 * manager defaults, reconstructed from these sources (nrfconnect/sdk-nrf):
 *
 *  - samples/bootloader/pm.yml: b0 (CONFIG_PM_PARTITION_SIZE_B0_IMAGE) after
 *    start, b0_container = b0 + provision, s0_pad/s1_pad share the size of
 *    mcuboot_pad and start on a CONFIG_FPROTECT_BLOCK_SIZE boundary (4 KiB
 *    on the nRF52840), s0_image/s1_image span/share the MCUboot image.
 *  - samples/bootloader/include/bl_partitions_dummy.h: provision at 0x7000,
 *    0x1000 bytes, so b0 is 0x7000 bytes and S0 starts at 0x8000;
 *    tests/subsys/dfu/dfu_target_mcuboot/pm_config.h (a generated file):
 *    PM_S0_ADDRESS 0x8000, PM_S1_ADDRESS 0x15000.
 *  - MCUboot's default partition (CONFIG_PM_PARTITION_SIZE_MCUBOOT) is
 *    0xc000 and mcuboot_pad 0x200, as in generated pm_config.h files of
 *    nRF52840 builds (PM_MCUBOOT_SIZE 0xc000, PM_MCUBOOT_PAD_SIZE 0x200).
 *  - subsys/partition_manager/Kconfig: settings_storage 0x2000 (SETTINGS).
 *
 * The application pair gets what is left, split in two equal slots, as the
 * partition manager does for the dynamic app partition and the secondary
 * that shares its size.
 *
 * nRF5340: MCUboot 0x10000 and the network core's image slots of 0x40000
 * (256 KiB net core flash) as in NCS nrf5340dk partitions
 * (mcuboot_primary at 0x10000, mcuboot_primary_1 = 0x40000 in "ram_flash").
 * Simplification: in NCS mcuboot_primary_1 is a RAM buffer through which
 * MCUboot hands the update to the network core, and the net core's flash is
 * a separate device with 2 KiB pages. Here the net core image pair lives in
 * the same flash file: mcuboot_secondary_1 in app flash (as in NCS),
 * mcuboot_primary_1 at 0x100000, just behind the 1 MiB of app flash, with
 * the app flash's 4 KiB pages.
 */

struct builtin_area {
    const char *name;
    uint32_t off;
    uint32_t size;
};

struct builtin {
    const char *name;
    uint32_t flash_size;
    const struct builtin_area *areas;
    size_t count;
};

static const struct builtin_area nrf52840_b0_areas[] = {
    { "b0", 0x00000, 0x7000 },
    { "provision", 0x07000, 0x1000 },
    { "s0", 0x08000, 0xc200 },  /* s0_pad 0x200 + MCUboot 0xc000 */
    { "s1", 0x15000, 0xc200 },  /* s1_pad + s1_image */
    { "mcuboot_primary", 0x22000, 0x6e000 },
    { "mcuboot_secondary", 0x90000, 0x6e000 },
    { "settings_storage", 0xfe000, 0x2000 },
};

static const struct builtin_area nrf52840_mcuboot_areas[] = {
    { "mcuboot", 0x00000, 0xc000 },
    { "mcuboot_primary", 0x0c000, 0x79000 },
    { "mcuboot_secondary", 0x85000, 0x79000 },
    { "settings_storage", 0xfe000, 0x2000 },
};

/* Zephyr's fixed partitions of the nrf52840dk board: MCUboot with a
 * scratch area, for swap-using-scratch (--boot-mode scratch). */
static const struct builtin_area nrf52840_scratch_areas[] = {
    { "mcuboot", 0x00000, 0xc000 },
    { "mcuboot_primary", 0x0c000, 0x76000 },
    { "mcuboot_secondary", 0x82000, 0x76000 },
    { "mcuboot_scratch", 0xf8000, 0x2000 },
    { "storage", 0xfa000, 0x6000 },
};

static const struct builtin_area nrf5340_areas[] = {
    { "mcuboot", 0x00000, 0x10000 },
    { "mcuboot_primary", 0x10000, 0x57000 },
    { "mcuboot_secondary", 0x67000, 0x57000 },
    { "mcuboot_secondary_1", 0xbe000, 0x40000 },
    { "settings_storage", 0xfe000, 0x2000 },
    { "mcuboot_primary_1", 0x100000, 0x40000 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct builtin builtins[] = {
    { "nrf52840", 0x100000, nrf52840_b0_areas, COUNT(nrf52840_b0_areas) },
    { "nrf52840-mcuboot", 0x100000, nrf52840_mcuboot_areas, COUNT(nrf52840_mcuboot_areas) },
    { "nrf52840-scratch", 0x100000, nrf52840_scratch_areas, COUNT(nrf52840_scratch_areas) },
    { "nrf5340", 0x140000, nrf5340_areas, COUNT(nrf5340_areas) },
};

static const char *const builtin_names[] = { "nrf52840", "nrf52840-mcuboot", "nrf52840-scratch",
                                              "nrf5340", NULL };

struct layout_geometry layout_geometry_nrf52840(void)
{
    struct layout_geometry g = {
        .flash_size = 0x100000,
        .sector_size = 0x1000,
        .write_block = 4,
        .erase_value = 0xff,
    };
    return g;
}

const char *const *layout_builtin_names(void)
{
    return builtin_names;
}

static void set_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

int layout_init(struct layout *lo, const char *name, const struct layout_geometry *geo)
{
    if (!lo || !name || !geo || geo->flash_size == 0 || !is_pow2(geo->sector_size) ||
        !is_pow2(geo->write_block) || geo->write_block > 32 ||
        geo->flash_size % geo->sector_size != 0) {
        return LAYOUT_EINVAL;
    }
    memset(lo, 0, sizeof(*lo));
    if (strlen(name) >= sizeof(lo->name)) {
        return LAYOUT_ENOSPACE;
    }
    strcpy(lo->name, name);
    lo->geo = *geo;
    lo->storage = -1;
    lo->first_stage = -1;
    return LAYOUT_OK;
}

int layout_add_area(struct layout *lo, const char *name, uint32_t off, uint32_t size,
                    bool container)
{
    if (!lo || !name) {
        return LAYOUT_EINVAL;
    }
    if (lo->area_count >= LAYOUT_MAX_AREAS || strlen(name) >= LAYOUT_NAME_MAX) {
        return LAYOUT_ENOSPACE;
    }
    struct layout_area *a = &lo->areas[lo->area_count++];
    memset(a, 0, sizeof(*a));
    strcpy(a->name, name);
    a->off = off;
    a->size = size;
    a->container = container;
    return LAYOUT_OK;
}

int layout_find(const struct layout *lo, const char *name)
{
    for (size_t i = 0; i < lo->area_count; i++) {
        if (strcmp(lo->areas[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool overlap(const struct layout_area *a, const struct layout_area *b)
{
    return a->off < b->off + b->size && b->off < a->off + a->size;
}

static void sort_areas(struct layout *lo)
{
    /* Insertion sort: stable, and the table is tiny. */
    for (size_t i = 1; i < lo->area_count; i++) {
        struct layout_area key = lo->areas[i];
        size_t j = i;
        while (j > 0 && lo->areas[j - 1].off > key.off) {
            lo->areas[j] = lo->areas[j - 1];
            j--;
        }
        lo->areas[j] = key;
    }
    for (size_t i = 0; i < lo->area_count; i++) {
        lo->areas[i].id = (uint8_t)i;
    }
}

static int check_sector_aligned(const struct layout *lo, const struct layout_area *a, char *err,
                                size_t err_len)
{
    uint32_t ss = lo->geo.sector_size;
    if (a->off % ss != 0 || a->size % ss != 0 || a->size == 0) {
        set_err(err, err_len,
                "%s (0x%x, 0x%x bytes) does not start and end on a 0x%x-byte sector boundary",
                a->name, (unsigned)a->off, (unsigned)a->size, (unsigned)ss);
        return LAYOUT_EALIGN;
    }
    return LAYOUT_OK;
}

static int find_pairs(struct layout *lo, char *err, size_t err_len)
{
    lo->pair_count = 0;
    for (size_t n = 0; n < LAYOUT_MAX_PAIRS; n++) {
        char pri[LAYOUT_NAME_MAX];
        char sec[LAYOUT_NAME_MAX];
        if (n == 0) {
            snprintf(pri, sizeof(pri), "mcuboot_primary");
            snprintf(sec, sizeof(sec), "mcuboot_secondary");
        } else {
            snprintf(pri, sizeof(pri), "mcuboot_primary_%zu", n);
            snprintf(sec, sizeof(sec), "mcuboot_secondary_%zu", n);
        }
        int p = layout_find(lo, pri);
        int s = layout_find(lo, sec);
        if (p < 0 && s < 0) {
            if (n == 0) {
                set_err(err, err_len, "no mcuboot_primary and no mcuboot_secondary partition");
                return LAYOUT_ENOPAIR;
            }
            break;
        }
        if (p < 0 || s < 0) {
            set_err(err, err_len, "%s has no matching %s partition", p < 0 ? sec : pri,
                    p < 0 ? pri : sec);
            return LAYOUT_ENOPAIR;
        }
        lo->pairs[n].primary = (size_t)p;
        lo->pairs[n].secondary = (size_t)s;
        lo->pair_count = n + 1;
    }
    return LAYOUT_OK;
}

int layout_finish(struct layout *lo, char *err, size_t err_len)
{
    if (!lo) {
        return LAYOUT_EINVAL;
    }
    set_err(err, err_len, "ok");
    sort_areas(lo);
    for (size_t i = 0; i < lo->area_count; i++) {
        const struct layout_area *a = &lo->areas[i];
        if (a->size == 0 || a->off >= lo->geo.flash_size ||
            a->size > lo->geo.flash_size - a->off) {
            set_err(err, err_len, "%s (0x%x, 0x%x bytes) lies outside the 0x%x-byte flash",
                    a->name, (unsigned)a->off, (unsigned)a->size,
                    (unsigned)lo->geo.flash_size);
            return LAYOUT_ERANGE;
        }
    }
    for (size_t i = 0; i < lo->area_count; i++) {
        for (size_t j = i + 1; j < lo->area_count; j++) {
            const struct layout_area *a = &lo->areas[i];
            const struct layout_area *b = &lo->areas[j];
            if (!a->container && !b->container && overlap(a, b)) {
                set_err(err, err_len, "%s (0x%x..0x%x) overlaps %s (0x%x..0x%x)", a->name,
                        (unsigned)a->off, (unsigned)(a->off + a->size), b->name,
                        (unsigned)b->off, (unsigned)(b->off + b->size));
                return LAYOUT_EOVERLAP;
            }
        }
    }
    int rc = find_pairs(lo, err, err_len);
    if (rc) {
        return rc;
    }
    lo->storage = layout_find(lo, "settings_storage");
    if (lo->storage < 0) {
        lo->storage = layout_find(lo, "storage");
    }
    lo->first_stage = layout_find(lo, "b0");

    /* The areas the device writes: each must be erasable on its own and
     * none may share bytes with another, container or not. */
    size_t used[2 * LAYOUT_MAX_PAIRS + 1];
    size_t n_used = 0;
    for (size_t i = 0; i < lo->pair_count; i++) {
        used[n_used++] = lo->pairs[i].primary;
        used[n_used++] = lo->pairs[i].secondary;
    }
    if (lo->storage >= 0) {
        used[n_used++] = (size_t)lo->storage;
    }
    for (size_t i = 0; i < n_used; i++) {
        rc = check_sector_aligned(lo, &lo->areas[used[i]], err, err_len);
        if (rc) {
            return rc;
        }
        for (size_t j = i + 1; j < n_used; j++) {
            const struct layout_area *a = &lo->areas[used[i]];
            const struct layout_area *b = &lo->areas[used[j]];
            if (overlap(a, b)) {
                set_err(err, err_len, "%s (0x%x..0x%x) overlaps %s (0x%x..0x%x)", a->name,
                        (unsigned)a->off, (unsigned)(a->off + a->size), b->name,
                        (unsigned)b->off, (unsigned)(b->off + b->size));
                return LAYOUT_EOVERLAP;
            }
        }
    }
    set_err(err, err_len, "ok");
    return LAYOUT_OK;
}

int layout_builtin(const char *name, struct layout *out)
{
    if (!name || !out) {
        return LAYOUT_EINVAL;
    }
    for (size_t i = 0; i < COUNT(builtins); i++) {
        const struct builtin *b = &builtins[i];
        if (strcmp(b->name, name) != 0) {
            continue;
        }
        struct layout_geometry geo = layout_geometry_nrf52840();
        geo.flash_size = b->flash_size;
        int rc = layout_init(out, b->name, &geo);
        for (size_t j = 0; rc == 0 && j < b->count; j++) {
            rc = layout_add_area(out, b->areas[j].name, b->areas[j].off, b->areas[j].size, false);
        }
        return rc ? rc : layout_finish(out, NULL, 0);
    }
    return LAYOUT_EINVAL;
}
