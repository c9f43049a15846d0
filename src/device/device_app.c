/*
 * The simulated application: the portable SMP server wired to the
 * device's flash areas, clock, log and reset. What a Zephyr application
 * with mcumgr enabled would configure through Kconfig is set here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "boot/nsib_fw_info.h"
#include "boot/nsib_target.h"
#include "device/device.h"

/* MCUboot's numbering of its upgrade strategies (bootloader info "mode"). */
static int mcuboot_mode_of(enum trailer_mode m)
{
    switch (m) {
    case TRAILER_MODE_SWAP_SCRATCH:
        return 1;
    case TRAILER_MODE_OVERWRITE_ONLY:
        return 2;
    case TRAILER_MODE_SWAP_MOVE:
        return 3;
    case TRAILER_MODE_SWAP_OFFSET:
        return 9;
    }
    return -1;
}

/* Bootloader info "active_b0_slot": the slot the first stage would pick
 * now, by valid fw_info (after a bootloader copy, before the reset, that
 * is already the new one -- as in NCS). */
static int app_b0_active_slot(void *ctx)
{
    struct device *dev = ctx;
    int slot;

    return nsib_active_slot(&dev->nsib, &slot) == 0 ? slot : -1;
}

/* Bootloader info "version" beside "active_b0_slot": the fw_info version
 * in the slot reported as active. */
static int app_b0_fw_version(void *ctx, uint32_t *version)
{
    struct device *dev = ctx;
    struct nsib_fw_info info;
    int slot;

    if (nsib_active_slot(&dev->nsib, &slot) != 0 ||
        nsib_fw_info_find(slot == 0 ? dev->nsib.s0 : dev->nsib.s1, 0, dev->nsib.hw_id, &info) !=
            0) {
        return -1;
    }
    *version = info.version;
    return 0;
}

/* The S slot an MCUboot image in fa is linked for, read off its reset
 * vector as the loader routes it; -1 for an application image. */
static int app_b0_target_slot(void *ctx, const struct flash_area *fa)
{
    struct device *dev = ctx;
    int slot;

    return nsib_target_slot(&dev->nsib, fa, &slot) == 0 ? slot : -1;
}

static void app_log(void *ctx, char level, const char *msg)
{
    device_log(ctx, level, "smp: %s", msg);
}

/* The wall clock: host time plus the offset the last "datetime set" left. */
static int app_clock_get(void *ctx, struct smp_datetime *out)
{
    struct device *dev = ctx;
    struct timespec ts;
    struct tm tm;
    time_t t;

    if (!dev->clock_set) {
        return SMP_SERVER_CLOCK_NOT_SET;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    t = ts.tv_sec + dev->clock_offset;
    if (gmtime_r(&t, &tm) == NULL) {
        return SMP_SERVER_CLOCK_EFAIL;
    }
    *out = (struct smp_datetime){
        .year = (uint16_t)(tm.tm_year + 1900),
        .month = (uint8_t)(tm.tm_mon + 1),
        .day = (uint8_t)tm.tm_mday,
        .hour = (uint8_t)tm.tm_hour,
        .minute = (uint8_t)tm.tm_min,
        .second = (uint8_t)tm.tm_sec,
        .usec = (uint32_t)(ts.tv_nsec / 1000),
    };
    return 0;
}

static int app_clock_set(void *ctx, const struct smp_datetime *dt)
{
    struct device *dev = ctx;
    struct tm tm = {
        .tm_year = dt->year - 1900,
        .tm_mon = dt->month - 1,
        .tm_mday = dt->day,
        .tm_hour = dt->hour,
        .tm_min = dt->minute,
        .tm_sec = dt->second,
    };
    time_t t = timegm(&tm);

    if (t == (time_t)-1) {
        return SMP_SERVER_CLOCK_EFAIL;
    }
    if (dt->has_tz) {
        t -= (time_t)dt->tz_minutes * 60;
    }
    dev->clock_offset = (int64_t)t - (int64_t)time(NULL);
    dev->clock_set = true;
    return 0;
}

/*
 * Upload progress lives beside the flash file (FLASH.upload), standing in
 * for the few bytes of retained storage a firmware would use: it survives
 * the process being killed, as flash does.
 */
static void upload_path(const struct device *dev, char *buf, size_t len)
{
    snprintf(buf, len, "%s.upload", dev->cfg.flash_path);
}

static int app_upload_save(void *ctx, const struct smp_upload_record *rec)
{
    struct device *dev = ctx;
    char path[4096];
    char tmp[4200];
    FILE *f;

    upload_path(dev, path, sizeof(path));
    if (rec == NULL) {
        return (remove(path) == 0 || errno == ENOENT) ? 0 : -1;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (f == NULL) {
        return -1;
    }
    if (fwrite(rec, sizeof(*rec), 1, f) != 1 || fflush(f) != 0 || fclose(f) != 0) {
        remove(tmp);
        return -1;
    }
    /* rename is atomic: a kill leaves the old record or the new one. */
    return rename(tmp, path) == 0 ? 0 : -1;
}

static int app_upload_load(void *ctx, struct smp_upload_record *rec)
{
    struct device *dev = ctx;
    char path[4096];
    FILE *f;
    int rc;

    upload_path(dev, path, sizeof(path));
    f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    rc = fread(rec, sizeof(*rec), 1, f) == 1 ? 0 : -1;
    fclose(f);
    return rc;
}

int device_server_start(struct device *dev)
{
    const struct layout *lo = &dev->cfg.layout;
    struct smp_server_config sc;

    for (size_t i = 0; i < lo->pair_count; i++) {
        dev->pairs[i] = (struct smp_server_image_pair){
            .image = (uint8_t)i,
            .primary = &dev->areas[lo->pairs[i].primary],
            .secondary = &dev->areas[lo->pairs[i].secondary],
        };
    }
    memset(&sc, 0, sizeof(sc));
    sc.ctx = dev;
    sc.pairs = dev->pairs;
    sc.pair_count = lo->pair_count;
    sc.active_image = 0;
    sc.storage = lo->storage >= 0 ? &dev->areas[lo->storage] : NULL;
    sc.trailer = dev->trailer;
    sc.bootloader_name = "MCUboot";
    sc.bootloader_mode = mcuboot_mode_of(dev->cfg.mode);
    sc.has_first_stage = dev->first_stage_on;
    sc.b0_active_slot = dev->first_stage_on ? app_b0_active_slot : NULL;
    sc.b0_fw_version = dev->first_stage_on ? app_b0_fw_version : NULL;
    sc.b0_target_slot = dev->first_stage_on ? app_b0_target_slot : NULL;
    /* With two image pairs (nRF5340) the network core cannot confirm
     * itself: the application confirms it, as NCS builds allow. */
    sc.allow_confirm_other_images = lo->pair_count > 1;
    sc.kernel_name = "Zephyr";
    sc.node_name = "smpdfu-device";
    sc.kernel_release = "smpdfu-sim";
    sc.kernel_version = "smpdfu-sim";
    sc.build_date = __DATE__ " " __TIME__;
    sc.machine = "arm";
    sc.processor = "cortex-m4";
    sc.hardware_platform = lo->name;
    sc.os_name = "Zephyr";
    sc.clock_get = app_clock_get;
    sc.clock_set = app_clock_set;
    sc.log = app_log;
    sc.upload_save = app_upload_save;
    sc.upload_load = app_upload_load;
    return smp_server_init(&dev->server, &sc);
}

int device_process(struct device *dev, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t out_cap)
{
    int len;

    if (!dev->serving) {
        return 0; /* no application running: nobody answers */
    }
    len = smp_server_process(&dev->server, in, in_len, out, out_cap);
    if (len == SMP_SERVER_EDROP) {
        device_log(dev, 'W', "smp: %zu-byte packet dropped (no request in it)", in_len);
        return 0;
    }
    if (len < 0) {
        device_log(dev, 'E', "smp: packet not answered (%d)", len);
        return 0;
    }
    if (smp_server_take_reset(&dev->server)) {
        dev->reset_requested = true;
    }
    return len;
}
