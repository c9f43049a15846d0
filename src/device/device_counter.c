#include "device/device_counter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "device/device.h"

static void counter_path(const struct device *dev, char *buf, size_t len)
{
    snprintf(buf, len, "%s.seccnt", dev->cfg.flash_path);
}

/* All counters; a missing file means none was ever raised (all 0). */
static int counters_load(const struct device *dev, uint32_t out[LAYOUT_MAX_PAIRS])
{
    char path[4096];
    FILE *f;
    int rc = 0;

    memset(out, 0, LAYOUT_MAX_PAIRS * sizeof(out[0]));
    counter_path(dev, path, sizeof(path));
    f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? 0 : -EIO;
    }
    if (fread(out, sizeof(out[0]), LAYOUT_MAX_PAIRS, f) != LAYOUT_MAX_PAIRS) {
        rc = -EIO;
    }
    fclose(f);
    return rc;
}

static int counter_get(void *arg, uint8_t image, uint32_t *value)
{
    uint32_t c[LAYOUT_MAX_PAIRS];
    int rc;

    if (image >= LAYOUT_MAX_PAIRS) {
        return -EINVAL;
    }
    rc = counters_load(arg, c);
    if (rc == 0) {
        *value = c[image];
    }
    return rc;
}

static int counter_set(void *arg, uint8_t image, uint32_t value)
{
    struct device *dev = arg;
    uint32_t c[LAYOUT_MAX_PAIRS];
    char path[4096];
    char tmp[4200];
    FILE *f;
    int rc;

    if (image >= LAYOUT_MAX_PAIRS) {
        return -EINVAL;
    }
    rc = counters_load(dev, c);
    if (rc != 0) {
        return rc;
    }
    if (value < c[image]) {
        return -EINVAL; /* monotonic: never lowered */
    }
    c[image] = value;
    counter_path(dev, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (f == NULL) {
        return -EIO;
    }
    if (fwrite(c, sizeof(c[0]), LAYOUT_MAX_PAIRS, f) != LAYOUT_MAX_PAIRS || fflush(f) != 0 ||
        fclose(f) != 0) {
        remove(tmp);
        return -EIO;
    }
    /* rename is atomic: a cut leaves the old counters or the new ones. */
    return rename(tmp, path) == 0 ? 0 : -EIO;
}

struct loader_counter_ops device_counter_ops(struct device *dev)
{
    struct loader_counter_ops ops = { .get = counter_get, .set = counter_set, .arg = dev };
    return ops;
}
