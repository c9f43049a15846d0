/*
 * The flash-area API over a port's flash ops. Every request is checked
 * here -- area inside the device, range inside the area, write alignment,
 * whole sectors -- before any op runs, so a driver never sees a bad
 * argument and a refused request leaves the flash untouched.
 */
#include "flash/flash_area.h"

/* is_erased reads through a buffer this big on the stack. */
#define FLASH_ERASED_CHUNK 32u

/* A position in the device's sector map: the sector and, for mixed maps,
 * its index in dev->sectors. */
struct sector_walk {
    const struct flash_dev *dev;
    size_t idx;
    struct flash_sector cur;
};

static uint64_t sector_end(const struct flash_sector *s)
{
    return (uint64_t)s->off + s->size;
}

static int dev_check(const struct flash_dev *dev)
{
    if (!dev || !dev->ops || dev->size == 0) {
        return FLASH_EINVAL;
    }
    uint8_t wb = dev->write_block;
    if (wb == 0 || wb > 32 || (wb & (wb - 1)) != 0) {
        return FLASH_EINVAL;
    }
    if (dev->sectors ? dev->sector_count == 0 : dev->uniform_sector_size == 0) {
        return FLASH_EINVAL;
    }
    return FLASH_OK;
}

/* The area itself must be usable: non-empty and inside its device. Because
 * of this check, fa->off + fa->size fits in 32 bits everywhere below. */
static int area_check(const struct flash_area *fa)
{
    if (!fa) {
        return FLASH_EINVAL;
    }
    int rc = dev_check(fa->dev);
    if (rc) {
        return rc;
    }
    if (fa->size == 0 || fa->off > fa->dev->size || fa->size > fa->dev->size - fa->off) {
        return FLASH_EINVAL;
    }
    return FLASH_OK;
}

/* [off, off+len) inside the area, written so that nothing can overflow. */
static int range_check(const struct flash_area *fa, uint32_t off, size_t len)
{
    int rc = area_check(fa);
    if (rc) {
        return rc;
    }
    if (off > fa->size || len > (size_t)(fa->size - off)) {
        return FLASH_ERANGE;
    }
    return FLASH_OK;
}

/* Drivers may return any non-zero value on failure; callers get a FLASH_E*
 * code. */
static int op_result(int rc)
{
    if (rc == 0) {
        return FLASH_OK;
    }
    return rc < 0 && rc >= FLASH_EPOWER ? rc : FLASH_EIO;
}

/* The sector that contains device offset addr. A sector map that does not
 * cover addr is a broken device description. */
static int walk_start(struct sector_walk *w, const struct flash_dev *dev, uint32_t addr)
{
    w->dev = dev;
    if (!dev->sectors) {
        uint32_t ss = dev->uniform_sector_size;
        w->idx = addr / ss;
        w->cur.off = addr - addr % ss;
        w->cur.size = ss;
        return FLASH_OK;
    }
    /* Binary search for the last sector starting at or before addr. */
    size_t lo = 0;
    size_t hi = dev->sector_count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (dev->sectors[mid].off <= addr) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    const struct flash_sector *s = &dev->sectors[lo];
    if (s->off > addr || addr >= sector_end(s)) {
        return FLASH_EINVAL;
    }
    w->idx = lo;
    w->cur = *s;
    return FLASH_OK;
}

/* Step to the sector that starts where the current one ends. */
static int walk_next(struct sector_walk *w)
{
    uint64_t next = sector_end(&w->cur);
    if (next >= w->dev->size) {
        return FLASH_ERANGE;
    }
    if (!w->dev->sectors) {
        w->idx++;
        w->cur.off = (uint32_t)next;
        return FLASH_OK;
    }
    if (w->idx + 1 >= w->dev->sector_count || w->dev->sectors[w->idx + 1].off != next) {
        return FLASH_EINVAL;
    }
    w->idx++;
    w->cur = w->dev->sectors[w->idx];
    return FLASH_OK;
}

/*
 * Checks that device range [start, end) is made of whole sectors and counts
 * them; first receives the sector at start. Nothing is touched, so an erase
 * can be refused before it begins.
 */
static int span_sectors(const struct flash_dev *dev, uint32_t start, uint32_t end,
                        struct sector_walk *first, size_t *count)
{
    struct sector_walk w;
    int rc = walk_start(&w, dev, start);
    if (rc) {
        return rc;
    }
    if (w.cur.off != start) {
        return FLASH_EALIGN;
    }
    *first = w;
    size_t n = 1;
    while (sector_end(&w.cur) < end) {
        rc = walk_next(&w);
        if (rc) {
            return rc;
        }
        n++;
    }
    if (sector_end(&w.cur) != end) {
        return FLASH_EALIGN;
    }
    *count = n;
    return FLASH_OK;
}

int flash_area_read(const struct flash_area *fa, uint32_t off, void *buf, size_t len)
{
    int rc = range_check(fa, off, len);
    if (rc) {
        return rc;
    }
    if (len == 0) {
        return FLASH_OK;
    }
    if (!buf || !fa->dev->ops->read) {
        return FLASH_EINVAL;
    }
    return op_result(fa->dev->ops->read(fa->dev->ctx, fa->off + off, buf, len));
}

int flash_area_write(const struct flash_area *fa, uint32_t off, const void *buf, size_t len)
{
    int rc = range_check(fa, off, len);
    if (rc) {
        return rc;
    }
    const struct flash_dev *dev = fa->dev;
    uint32_t addr = fa->off + off;
    /* write_block is a power of two, so the mask tests alignment. */
    uint32_t mask = (uint32_t)dev->write_block - 1;
    if ((addr & mask) != 0 || (len & mask) != 0) {
        return FLASH_EALIGN;
    }
    if (len == 0) {
        return FLASH_OK;
    }
    if (!buf || !dev->ops->write) {
        return FLASH_EINVAL;
    }
    return op_result(dev->ops->write(dev->ctx, addr, buf, len));
}

int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    int rc = range_check(fa, off, len);
    if (rc) {
        return rc;
    }
    if (len == 0) {
        return FLASH_OK;
    }
    const struct flash_dev *dev = fa->dev;
    if (!dev->ops->erase) {
        return FLASH_EINVAL;
    }
    const uint32_t start = fa->off + off;
    const uint32_t end = start + len;
    struct sector_walk w;
    size_t n;
    rc = span_sectors(dev, start, end, &w, &n);
    if (rc) {
        return rc;
    }
    for (;;) {
        rc = op_result(dev->ops->erase(dev->ctx, w.cur.off, w.cur.size));
        if (rc || sector_end(&w.cur) >= end) {
            return rc;
        }
        rc = walk_next(&w);
        if (rc) {
            return rc;
        }
    }
}

uint8_t flash_area_align(const struct flash_area *fa)
{
    return fa && fa->dev ? fa->dev->write_block : 0;
}

uint8_t flash_area_erased_val(const struct flash_area *fa)
{
    return fa && fa->dev ? fa->dev->erase_value : 0xff;
}

int flash_area_sector_count(const struct flash_area *fa)
{
    int rc = area_check(fa);
    if (rc) {
        return rc;
    }
    struct sector_walk w;
    size_t n;
    rc = span_sectors(fa->dev, fa->off, fa->off + fa->size, &w, &n);
    if (rc) {
        return rc;
    }
    /* An int cannot hold every size_t; a 4 GiB device of 1-byte sectors
     * would be the only way to get there. */
    return n <= (size_t)INT32_MAX ? (int)n : FLASH_EINVAL;
}

/* out receives the sector in area-relative form if it lies wholly inside
 * the area. */
static int sector_in_area(const struct flash_area *fa, const struct flash_sector *s,
                          struct flash_sector *out)
{
    if (s->off < fa->off || sector_end(s) > (uint64_t)fa->off + fa->size) {
        return FLASH_EALIGN;
    }
    out->off = s->off - fa->off;
    out->size = s->size;
    return FLASH_OK;
}

int flash_area_sector(const struct flash_area *fa, size_t idx, struct flash_sector *out)
{
    int rc = area_check(fa);
    if (rc) {
        return rc;
    }
    if (!out) {
        return FLASH_EINVAL;
    }
    const struct flash_dev *dev = fa->dev;
    struct sector_walk w;
    rc = walk_start(&w, dev, fa->off);
    if (rc) {
        return rc;
    }
    if (w.cur.off != fa->off) {
        return FLASH_EALIGN;
    }
    const uint64_t area_end = (uint64_t)fa->off + fa->size;
    if (!dev->sectors) {
        /* Uniform: computed directly, so listing a large area stays linear.
         * idx < fa->size keeps the product inside 64 bits. */
        if (idx >= fa->size) {
            return FLASH_ERANGE;
        }
        uint64_t off = (uint64_t)fa->off + (uint64_t)idx * dev->uniform_sector_size;
        if (off >= area_end) {
            return FLASH_ERANGE;
        }
        w.cur.off = (uint32_t)off;
    } else {
        for (size_t i = 0; i < idx; i++) {
            rc = walk_next(&w);
            if (rc == FLASH_ERANGE || (rc == FLASH_OK && w.cur.off >= area_end)) {
                return FLASH_ERANGE;
            }
            if (rc) {
                return rc;
            }
        }
    }
    return sector_in_area(fa, &w.cur, out);
}

int flash_area_sector_at(const struct flash_area *fa, uint32_t off, struct flash_sector *out)
{
    int rc = area_check(fa);
    if (rc) {
        return rc;
    }
    if (!out) {
        return FLASH_EINVAL;
    }
    if (off >= fa->size) {
        return FLASH_ERANGE;
    }
    struct sector_walk w;
    rc = walk_start(&w, fa->dev, fa->off + off);
    if (rc) {
        return rc;
    }
    return sector_in_area(fa, &w.cur, out);
}

int flash_area_is_erased(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    int rc = range_check(fa, off, len);
    if (rc) {
        return rc;
    }
    const struct flash_dev *dev = fa->dev;
    if (len > 0 && !dev->ops->read) {
        return FLASH_EINVAL;
    }
    uint8_t chunk[FLASH_ERASED_CHUNK];
    uint32_t pos = 0;
    while (pos < len) {
        uint32_t n = len - pos < sizeof(chunk) ? len - pos : (uint32_t)sizeof(chunk);
        rc = op_result(dev->ops->read(dev->ctx, fa->off + off + pos, chunk, n));
        if (rc) {
            return rc;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (chunk[i] != dev->erase_value) {
                return 0;
            }
        }
        pos += n;
    }
    return 1;
}

int flash_area_erase_needed(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    int rc = range_check(fa, off, len);
    uint32_t pos = off;

    if (rc) {
        return rc;
    }
    while (pos - off < len) {
        struct flash_sector sec;

        rc = flash_area_sector_at(fa, pos, &sec);
        if (rc) {
            return rc;
        }
        if (sec.off != pos || sec.size > len - (pos - off)) {
            return FLASH_EALIGN;
        }
        rc = flash_area_is_erased(fa, sec.off, sec.size);
        if (rc == 0) {
            rc = flash_area_erase(fa, sec.off, sec.size);
        } else if (rc == 1) {
            rc = 0;
        }
        if (rc) {
            return rc;
        }
        pos += sec.size;
    }
    return 0;
}
