/*
 * Reading and writing the trailer fields of one slot, exactly as bootutil
 * does: flags and sizes as ALIGN_UP(len, write block) bytes padded with the
 * erased value, the magic as one padded ALIGN_UP(16, A) block.
 */
#include <string.h>

#include "boot/trailer.h"

#include "boot/byteorder.h"

/* Largest single field write: max_align is at most 32. */
#define TRAILER_MAX_WRITE 32u

const char *trailer_strerror(int err)
{
    switch (err) {
    case TRAILER_OK:
        return "ok";
    case TRAILER_EINVAL:
        return "invalid trailer configuration or argument";
    case TRAILER_EFLASH:
        return "flash access to the trailer failed";
    case TRAILER_ESMALL:
        return "slot is smaller than the image trailer";
    case TRAILER_EBADMAGIC:
        return "trailer magic is corrupt";
    case TRAILER_EMODE:
        return "trailer field does not exist in this upgrade mode";
    default:
        return "unknown error";
    }
}

static bool all_erased(const uint8_t *p, size_t len, uint8_t erased_val)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != erased_val) {
            return false;
        }
    }
    return true;
}

enum trailer_magic trailer_magic_decode(const struct trailer_config *cfg,
                                        const uint8_t raw[TRAILER_MAGIC_SIZE],
                                        uint8_t erased_val)
{
    uint8_t good[TRAILER_MAGIC_SIZE];

    if (all_erased(raw, TRAILER_MAGIC_SIZE, erased_val)) {
        return TRAILER_MAGIC_UNSET;
    }
    trailer_magic_bytes(cfg, good);
    return memcmp(raw, good, sizeof(good)) == 0 ? TRAILER_MAGIC_GOOD : TRAILER_MAGIC_BAD;
}

enum trailer_flag trailer_flag_decode(uint8_t raw, uint8_t erased_val)
{
    if (raw == erased_val) {
        return TRAILER_FLAG_UNSET;
    }
    return raw == TRAILER_FLAG_SET_VALUE ? TRAILER_FLAG_SET : TRAILER_FLAG_BAD;
}

static int read_bytes(const struct flash_area *fa, uint32_t off, void *buf, size_t len)
{
    return flash_area_read(fa, off, buf, len) == 0 ? TRAILER_OK : TRAILER_EFLASH;
}

static int layout_of(const struct flash_area *fa, const struct trailer_config *cfg,
                     struct trailer_offsets *o)
{
    if (fa == NULL) {
        return TRAILER_EINVAL;
    }
    return trailer_offsets(cfg, fa->size, o);
}

int trailer_read(const struct flash_area *fa, const struct trailer_config *cfg,
                 struct trailer_state *st)
{
    struct trailer_offsets o;
    uint8_t erased;
    uint8_t size_raw[4];
    int rc;

    if (st == NULL) {
        return TRAILER_EINVAL;
    }
    rc = layout_of(fa, cfg, &o);
    if (rc != 0) {
        return rc;
    }
    erased = flash_area_erased_val(fa);
    memset(st, 0, sizeof(*st));

    if ((rc = read_bytes(fa, o.magic, st->magic_raw, TRAILER_MAGIC_SIZE)) != 0 ||
        (rc = read_bytes(fa, o.swap_info, &st->swap_info_raw, 1)) != 0 ||
        (rc = read_bytes(fa, o.copy_done, &st->copy_done_raw, 1)) != 0 ||
        (rc = read_bytes(fa, o.image_ok, &st->image_ok_raw, 1)) != 0 ||
        (rc = read_bytes(fa, o.swap_size, size_raw, sizeof(size_raw))) != 0) {
        return rc;
    }

    st->magic = trailer_magic_decode(cfg, st->magic_raw, erased);
    st->copy_done = trailer_flag_decode(st->copy_done_raw, erased);
    st->image_ok = trailer_flag_decode(st->image_ok_raw, erased);
    st->swap_type = st->swap_info_raw & 0x0f;
    st->image_num = st->swap_info_raw >> 4;
    if (st->swap_info_raw == erased || st->swap_type > BOOT_SWAP_TYPE_REVERT) {
        st->swap_type = BOOT_SWAP_TYPE_NONE;
        st->image_num = 0;
    }
    st->swap_size = boot_get_le32(size_raw);
    st->swap_size_set = !all_erased(size_raw, sizeof(size_raw), erased);
    return TRAILER_OK;
}

/* One field: len value bytes padded with erased bytes up to the flash
 * write block (boot_write_trailer). */
static int write_field(const struct flash_area *fa, const struct trailer_config *cfg,
                       uint32_t off, const uint8_t *val, uint32_t len)
{
    uint8_t buf[TRAILER_MAX_WRITE];
    uint32_t wb = flash_area_align(fa);
    uint32_t n;

    if (wb == 0) {
        return TRAILER_EINVAL;
    }
    n = (len + wb - 1) / wb * wb;
    /* A write block wider than the field spacing would clobber the
     * neighbouring field: a configuration MCUboot refuses too. */
    if (n > cfg->max_align || n > sizeof(buf)) {
        return TRAILER_EINVAL;
    }
    memcpy(buf, val, len);
    memset(buf + len, flash_area_erased_val(fa), n - len);
    return flash_area_write(fa, off, buf, n) == 0 ? TRAILER_OK : TRAILER_EFLASH;
}

int trailer_write_magic(const struct flash_area *fa, const struct trailer_config *cfg)
{
    struct trailer_offsets o;
    uint8_t buf[TRAILER_MAX_WRITE];
    int rc;

    rc = layout_of(fa, cfg, &o);
    if (rc != 0) {
        return rc;
    }
    memset(buf, flash_area_erased_val(fa), o.magic_write_len);
    trailer_magic_bytes(cfg, buf + o.magic_write_len - TRAILER_MAGIC_SIZE);
    return flash_area_write(fa, o.magic_write, buf, o.magic_write_len) == 0 ? TRAILER_OK
                                                                            : TRAILER_EFLASH;
}

static int write_flag(const struct flash_area *fa, const struct trailer_config *cfg,
                      bool image_ok)
{
    static const uint8_t set = TRAILER_FLAG_SET_VALUE;
    struct trailer_offsets o;
    int rc;

    rc = layout_of(fa, cfg, &o);
    if (rc != 0) {
        return rc;
    }
    return write_field(fa, cfg, image_ok ? o.image_ok : o.copy_done, &set, 1);
}

int trailer_write_image_ok(const struct flash_area *fa, const struct trailer_config *cfg)
{
    return write_flag(fa, cfg, true);
}

int trailer_write_copy_done(const struct flash_area *fa, const struct trailer_config *cfg)
{
    return write_flag(fa, cfg, false);
}

int trailer_write_swap_info(const struct flash_area *fa, const struct trailer_config *cfg,
                            uint8_t swap_type, uint8_t image_num)
{
    struct trailer_offsets o;
    uint8_t info;
    int rc;

    /* Both halves are nibbles (BOOT_SET_SWAP_INFO asserts the same). */
    if (swap_type > 0x0f || image_num > 0x0f) {
        return TRAILER_EINVAL;
    }
    rc = layout_of(fa, cfg, &o);
    if (rc != 0) {
        return rc;
    }
    info = (uint8_t)((image_num << 4) | swap_type);
    return write_field(fa, cfg, o.swap_info, &info, 1);
}

int trailer_write_swap_size(const struct flash_area *fa, const struct trailer_config *cfg,
                            uint32_t swap_size)
{
    struct trailer_offsets o;
    uint8_t raw[4];
    int rc;

    rc = layout_of(fa, cfg, &o);
    if (rc != 0) {
        return rc;
    }
    boot_put_le32(raw, swap_size);
    return write_field(fa, cfg, o.swap_size, raw, sizeof(raw));
}

int trailer_write_unprot_tlv_sizes(const struct flash_area *fa, const struct trailer_config *cfg,
                                   uint16_t primary, uint16_t secondary)
{
    struct trailer_offsets o;
    uint8_t raw[4];
    int rc;

    rc = layout_of(fa, cfg, &o);
    if (rc != 0) {
        return rc;
    }
    if (cfg->mode != TRAILER_MODE_SWAP_OFFSET) {
        return TRAILER_EMODE;
    }
    boot_put_le32(raw, (uint32_t)primary | ((uint32_t)secondary << 16));
    return write_field(fa, cfg, o.unprot_tlv_sizes, raw, sizeof(raw));
}
