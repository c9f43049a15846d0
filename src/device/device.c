#include "device/device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium/utils.h>

#include "device/app_marker_flash.h"
#include "device/device_counter.h"
#include "device/device_first_stage.h"

void device_log(struct device *dev, char level, const char *fmt, ...)
{
    FILE *f = dev->cfg.log ? dev->cfg.log : stderr;
    va_list ap;
    va_start(ap, fmt);
    fprintf(f, "%c: ", level);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
    va_end(ap);
}

int device_open(struct device *dev, const struct device_config *cfg)
{
    if (!dev || !cfg || !cfg->flash_path || cfg->key_count > DEVICE_MAX_KEYS) {
        return DEVICE_EINVAL;
    }
    memset(dev, 0, sizeof(*dev));
    dev->cfg = *cfg;
    const struct layout *lo = &dev->cfg.layout;
    struct flash_sim_config fc = {
        .size = lo->geo.flash_size,
        .sector_size = lo->geo.sector_size,
        .write_block = lo->geo.write_block,
        .erase_value = lo->geo.erase_value,
    };
    if (flash_sim_open_file(&dev->sim, dev->cfg.flash_path, &fc) != 0) {
        return DEVICE_EFLASH;
    }
    const struct flash_dev *fdev = flash_sim_dev(&dev->sim);
    for (size_t i = 0; i < lo->area_count; i++) {
        dev->areas[i] = (struct flash_area){ .id = lo->areas[i].id,
                                             .name = lo->areas[i].name,
                                             .dev = fdev,
                                             .off = lo->areas[i].off,
                                             .size = lo->areas[i].size };
    }
    for (size_t i = 0; i < dev->cfg.key_count; i++) {
        dev->keys[i] = device_key_view(&dev->cfg.keys[i]);
    }
    dev->trailer = trailer_config_default(dev->cfg.mode, lo->geo.write_block);
    int rc = device_first_stage_open(dev);
    if (rc) {
        flash_sim_close(&dev->sim);
    }
    return rc;
}

void device_close(struct device *dev)
{
    if (dev) {
        flash_sim_close(&dev->sim);
    }
}

int device_install(struct device *dev, const char *area_name, const char *image_path)
{
    int idx = layout_find(&dev->cfg.layout, area_name);
    if (idx < 0) {
        device_log(dev, 'E', "install: no area %s in layout %s", area_name,
                   dev->cfg.layout.name);
        return DEVICE_ENOAREA;
    }
    const struct flash_area *fa = &dev->areas[idx];
    FILE *f = fopen(image_path, "rb");
    if (!f) {
        device_log(dev, 'E', "install: %s: %s", image_path, strerror(errno));
        return DEVICE_EIMAGE;
    }
    uint8_t *buf = malloc(fa->size);
    size_t n = buf ? fread(buf, 1, fa->size, f) : 0;
    int extra = fgetc(f);
    bool read_err = ferror(f) != 0;
    fclose(f);
    uint32_t at = 0;
    if (buf && dev->cfg.layout.first_stage >= 0 &&
        (strcmp(fa->name, "s0") == 0 || strcmp(fa->name, "s1") == 0)) {
        at = device_s_slot_offset(buf, n);
    }
    if (!buf || read_err || extra != EOF || n > fa->size - at) {
        device_log(dev, 'E', "install: %s does not fit %s (%u bytes)", image_path, fa->name,
                   (unsigned)(fa->size - at));
        free(buf);
        return DEVICE_EIMAGE;
    }
    if (at != 0) {
        /* The pad stays erased, as NCS's merged hex leaves it. */
        memmove(buf + at, buf, n);
        memset(buf, dev->cfg.layout.geo.erase_value, at);
        n += at;
        device_log(dev, 'I', "install: %s is not an MCUboot image: written after the 0x%x pad",
                   image_path, (unsigned)at);
    }
    int rc = flash_sim_load(&dev->sim, fa->off, fa->size, buf, n);
    free(buf);
    if (rc) {
        device_log(dev, 'E', "install: writing %s failed (%d)", fa->name, rc);
        return DEVICE_EFLASH;
    }
    device_log(dev, 'I', "install: %s <- %s (%zu bytes)", fa->name, image_path, n);
    return DEVICE_OK;
}

/* Loader lines go to the device log as the bootloader's console would. */
static void loader_log_line(void *arg, char level, const char *line)
{
    device_log(arg, level, "boot: %s", line);
}

/* The outcome for pair i in one line. */
static void log_pair(struct device *dev, size_t i, const struct loader_image *img, bool signed_)
{
    const struct flash_area *fa = &dev->areas[dev->cfg.layout.pairs[i].primary];

    if (!img->bootable) {
        device_log(dev, img->primary_rc == IMAGE_EEMPTY ? 'W' : 'E',
                   "boot: image %zu in %s rejected: %s", i, fa->name,
                   img->primary_rc == LOADER_EROLLBACK ? loader_strerror(img->primary_rc)
                                                       : image_strerror(img->primary_rc));
        return;
    }
    char ver[32];
    char hash[2 * CRYPTO_HASH_MAX_LEN + 1];
    image_version_to_str(&img->primary.hdr.ver, ver, sizeof(ver));
    sodium_bin2hex(hash, sizeof(hash), img->primary.digest, img->primary.digest_len);
    device_log(dev, 'I', "boot: image %zu in %s valid (%s), version %s, hash %s", i, fa->name,
               signed_ ? "signature" : "hash only", ver, hash);
    switch (img->swap_type) {
    case BOOT_SWAP_TYPE_TEST:
        device_log(dev, 'I', "boot: image %zu: new image on test, it must confirm itself", i);
        break;
    case BOOT_SWAP_TYPE_PERM:
        device_log(dev, 'I', "boot: image %zu: new image installed permanently", i);
        break;
    case BOOT_SWAP_TYPE_REVERT:
        device_log(dev, 'W', "boot: image %zu: reverted to the previous image (not confirmed)",
                   i);
        break;
    case BOOT_SWAP_TYPE_FAIL:
        device_log(dev, 'W', "boot: image %zu: candidate was not valid and was erased", i);
        break;
    default:
        break;
    }
}

/* Run the loader over every image pair; res tells what may boot. */
static int run_loader(struct device *dev, struct loader_result *res)
{
    const struct layout *lo = &dev->cfg.layout;
    struct loader_config lc;

    for (size_t i = 0; i < lo->pair_count; i++) {
        dev->loader_pairs[i] = (struct loader_pair){
            .primary = &dev->areas[lo->pairs[i].primary],
            .secondary = &dev->areas[lo->pairs[i].secondary],
        };
    }
    memset(&lc, 0, sizeof(lc));
    lc.trailer = dev->trailer;
    lc.pairs = dev->loader_pairs;
    lc.pair_count = lo->pair_count;
    /* Swap-using-scratch needs the partition MCUboot calls so. */
    int scratch = layout_find(lo, "mcuboot_scratch");
    lc.scratch = scratch >= 0 ? &dev->areas[scratch] : NULL;
    lc.policy = (struct image_policy){
        .mode = dev->cfg.key_count ? IMAGE_VERIFY_SIGNED : IMAGE_VERIFY_HASH_ONLY,
        .keys = dev->keys,
        .key_count = dev->cfg.key_count,
    };
    lc.downgrade_prevention = dev->cfg.downgrade_prevention;
    if (dev->cfg.rollback_protection) {
        dev->counter = device_counter_ops(dev);
        lc.counter = &dev->counter;
    }
    lc.first_stage = dev->first_stage_on ? &dev->first_stage : NULL;
    lc.log = loader_log_line;
    lc.log_arg = dev;
    return loader_boot(&lc, res);
}

/* What the application in fa does; *marked says whether a marker said so. */
static enum app_behaviour app_behaviour_of(struct device *dev, const struct flash_area *fa,
                                           const struct image_result *res, bool *marked)
{
    enum app_behaviour b = APP_BEHAVIOUR_NO_CONFIRM;
    int rc = app_marker_find_in_flash(fa, res->hdr.hdr_size, res->hdr.img_size, &b);
    *marked = rc == APP_MARKER_OK;
    if (rc && rc != APP_MARKER_ENOTFOUND) {
        device_log(dev, 'W', "app: behaviour marker unreadable (%d): runs without confirming",
                   rc);
    }
    return *marked ? b : APP_BEHAVIOUR_NO_CONFIRM;
}

/* Resets the loader may ask for in one power-up: one per bootloader copy,
 * and the copy scrubs its request before asking. */
#define DEVICE_MAX_CHAINED_RESETS 4

/* One pass: first stage, loader. *reboot when the loader asks for a reset. */
static int boot_once(struct device *dev, struct loader_result *res, int *lrc)
{
    const struct layout *lo = &dev->cfg.layout;
    memset(res, 0, sizeof(*res));
    dev->boot_count++;
    if (dev->first_stage_on) {
        int slot;
        int rc = device_first_stage_boot(dev, &slot);
        if (rc || slot < 0) {
            *lrc = LOADER_ENOBOOT;
            return rc;
        }
        dev->first_stage = (struct loader_first_stage){ .nsib = &dev->nsib, .active_slot = slot };
        const struct flash_area *s = slot == 0 ? dev->nsib.s0 : dev->nsib.s1;
        device_log(dev, 'I', "Starting bootloader from S%d (%s at 0x%x) (boot %u, layout %s)",
                   slot, s->name, (unsigned)s->off, dev->boot_count, lo->name);
    } else {
        device_log(dev, 'I', "Starting bootloader (boot %u, layout %s)", dev->boot_count,
                   lo->name);
    }
    *lrc = run_loader(dev, res);
    return DEVICE_OK;
}

int device_boot(struct device *dev)
{
    const struct layout *lo = &dev->cfg.layout;
    dev->serving = false;
    dev->reset_requested = false;

    struct loader_result res;
    int lrc = LOADER_ENOBOOT;
    for (int n = 0;; n++) {
        int rc = boot_once(dev, &res, &lrc);
        if (rc) {
            return rc;
        }
        if (lrc != LOADER_EREBOOT) {
            break;
        }
        if (n == DEVICE_MAX_CHAINED_RESETS) {
            device_log(dev, 'E', "boot: the loader keeps asking for resets; stopped");
            return DEVICE_EINVAL;
        }
        device_log(dev, 'I', "boot: reset (new bootloader for the first stage)");
    }
    if (dev->first_stage_on && lrc == LOADER_ENOBOOT && res.image_count == 0) {
        return DEVICE_OK; /* the first stage found nothing to start */
    }
    if (lrc == LOADER_EFLASH || lrc == LOADER_EINVAL) {
        device_log(dev, 'E', "boot: loader stopped: %s", loader_strerror(lrc));
        return lrc == LOADER_EFLASH ? DEVICE_EFLASH : DEVICE_EINVAL;
    }
    for (size_t i = 0; i < res.image_count; i++) {
        log_pair(dev, i, &res.images[i], dev->cfg.key_count > 0);
    }
    if (lrc != LOADER_OK) {
        device_log(dev, 'E', "Unable to find bootable image");
        return DEVICE_OK;
    }
    const struct image_result res0 = res.images[0].primary;
    const struct flash_area *primary = &dev->areas[lo->pairs[0].primary];
    device_log(dev, 'I', "Jumping to the first image slot (%s at 0x%x)", primary->name,
               (unsigned)(primary->off + res0.hdr.hdr_size));

    bool marked;
    enum app_behaviour b = app_behaviour_of(dev, primary, &res0, &marked);
    if (b == APP_BEHAVIOUR_FAIL) {
        device_log(dev, 'E', "app: failed to start (marker \"fail\"): no SMP until reset");
        return DEVICE_OK;
    }
    int rc = device_server_start(dev);
    if (rc) {
        device_log(dev, 'E', "app: SMP server did not start (%d)", rc);
        return rc;
    }
    dev->serving = true;
    if (b == APP_BEHAVIOUR_CONFIRM) {
        rc = trailer_set_confirmed(primary, &dev->trailer);
        if (rc) {
            device_log(dev, 'E', "app: confirming itself failed: %s", trailer_strerror(rc));
        } else {
            device_log(dev, 'I', "app: confirmed itself (marker \"confirm\")");
        }
    } else {
        device_log(dev, 'I', "app: running, not confirming itself (%s)",
                   marked ? "marker \"no-confirm\"" : "no marker");
    }
    return DEVICE_OK;
}

bool device_take_reset(struct device *dev)
{
    bool r = dev->reset_requested;
    dev->reset_requested = false;
    return r;
}
