#include "device/device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/app_marker_flash.h"

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
    return DEVICE_OK;
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
    if (!buf || read_err || extra != EOF) {
        device_log(dev, 'E', "install: %s does not fit %s (%u bytes)", image_path, fa->name,
                   (unsigned)fa->size);
        free(buf);
        return DEVICE_EIMAGE;
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

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Validate the primary slot of pair i as the bootloader does; true if it
 * may be booted. Logs the decision in one line. */
static bool boot_check_pair(struct device *dev, size_t i, struct image_result *res)
{
    const struct layout *lo = &dev->cfg.layout;
    const struct flash_area *fa = &dev->areas[lo->pairs[i].primary];
    struct trailer_offsets to;
    struct image_policy pol = {
        .mode = dev->cfg.key_count ? IMAGE_VERIFY_SIGNED : IMAGE_VERIFY_HASH_ONLY,
        .keys = dev->keys,
        .key_count = dev->cfg.key_count,
    };
    if (trailer_offsets(&dev->trailer, fa->size, &to) == 0) {
        pol.max_image_end = to.max_image_end;
    }
    int rc = image_validate(fa, &pol, res);
    if (rc) {
        device_log(dev, rc == IMAGE_EEMPTY ? 'W' : 'E', "boot: image %zu in %s rejected: %s", i,
                   fa->name, image_strerror(rc));
        return false;
    }
    char ver[32];
    char hash[2 * CRYPTO_HASH_MAX_LEN + 1];
    image_version_to_str(&res->hdr.ver, ver, sizeof(ver));
    hex_of(res->digest, res->digest_len, hash);
    device_log(dev, 'I', "boot: image %zu in %s valid (%s), version %s, hash %s", i, fa->name,
               pol.mode == IMAGE_VERIFY_SIGNED ? "signature" : "hash only", ver, hash);
    return true;
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

int device_boot(struct device *dev)
{
    const struct layout *lo = &dev->cfg.layout;
    dev->boot_count++;
    dev->serving = false;
    dev->reset_requested = false;
    device_log(dev, 'I', "Starting bootloader (boot %u, layout %s)", dev->boot_count, lo->name);

    struct image_result res0;
    bool ok0 = false;
    for (size_t i = 0; i < lo->pair_count; i++) {
        struct image_result res;
        bool ok = boot_check_pair(dev, i, &res);
        if (i == 0) {
            ok0 = ok;
            res0 = res;
        }
    }
    if (!ok0) {
        device_log(dev, 'E', "Unable to find bootable image");
        return DEVICE_OK;
    }
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
