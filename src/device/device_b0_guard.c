#include "device/device_b0_guard.h"

#include <string.h>

#include "boot/nsib_target.h"
#include "device/device.h"
#include "wire/smp_cbor.h"
#include "wire/smp_err.h"
#include "wire/smp_header.h"

#define IMG_MGMT_ID_STATE 0

/* The first bytes of a hash, in hex, for log lines. */
static void hash_prefix(const uint8_t *h, size_t n, char out[17])
{
    static const char digits[] = "0123456789abcdef";
    size_t k = n < 8 ? n : 8;

    for (size_t i = 0; i < k; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * k] = '\0';
}

/* IN_VALUE as SMP v1, the image group's rc as v2. */
static int refuse(const struct smp_hdr *req, uint16_t img_rc, uint8_t *out, size_t out_cap)
{
    struct smp_cbor_writer w;
    struct smp_hdr h = *req;
    size_t len;

    if (out_cap < SMP_HDR_SIZE) {
        return 0;
    }
    smp_cbor_writer_init(&w, out + SMP_HDR_SIZE, out_cap - SMP_HDR_SIZE);
    smp_cbor_map_open(&w);
    if (req->ver == SMP_VER_1) {
        smp_cbor_put_key(&w, "rc");
        smp_cbor_put_uint(&w, SMP_MGMT_EINVAL);
    } else {
        smp_cbor_put_key(&w, "err");
        smp_cbor_map_open(&w);
        smp_cbor_put_key(&w, "group");
        smp_cbor_put_uint(&w, SMP_GROUP_IMAGE);
        smp_cbor_put_key(&w, "rc");
        smp_cbor_put_uint(&w, img_rc);
        smp_cbor_close(&w);
    }
    smp_cbor_close(&w);
    if (smp_cbor_writer_finish(&w, &len) != SMP_CBOR_OK) {
        return 0;
    }
    h.op = smp_rsp_op(req->op);
    h.res = 0;
    h.len = (uint16_t)len;
    smp_hdr_encode(&h, out);
    return (int)(SMP_HDR_SIZE + len);
}

static bool hash_is(const struct image_slot_info *info, const struct smp_cbor_str *hash)
{
    return info->hash_len == hash->len && memcmp(info->hash, hash->ptr, hash->len) == 0;
}

int device_b0_guard(struct device *dev, const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t out_cap)
{
    const struct layout *lo = &dev->cfg.layout;
    struct smp_cbor_field f[] = {
        { .key = "hash", .type = SMP_CBOR_BSTR },
    };
    struct image_slot_info sec_info;
    struct image_slot_info info;
    struct smp_hdr h;
    char want[17];
    char have[17];
    int target;
    int active;

    if (!dev->first_stage_on || smp_hdr_decode(in, in_len, &h) != 0 || h.op != SMP_OP_WRITE ||
        h.group != SMP_GROUP_IMAGE || h.id != IMG_MGMT_ID_STATE ||
        in_len != SMP_HDR_SIZE + (size_t)h.len ||
        smp_cbor_read_map(in + SMP_HDR_SIZE, h.len, f, 1) != SMP_CBOR_OK || !f[0].found) {
        return 0;
    }
    const struct flash_area *sec = &dev->areas[lo->pairs[0].secondary];
    if (image_read_info(sec, &sec_info) != IMAGE_OK ||
        nsib_target_slot(&dev->nsib, sec, &target) != 0 ||
        nsib_active_slot(&dev->nsib, &active) != 0) {
        return 0; /* no bootloader candidate: nothing to add */
    }
    hash_prefix(f[0].v.str.ptr, f[0].v.str.len, want);
    hash_prefix(sec_info.hash, sec_info.hash_len, have);
    if (hash_is(&sec_info, &f[0].v.str)) {
        if (target != active) {
            return 0;
        }
        device_log(dev, 'E',
                   "smp: img: state write refused: slot 1 holds MCUboot linked for S%d (hash "
                   "%s...), and the first stage boots S%d now; it could never start from there "
                   "(the loader would erase it). Upload the S%d variant of dfu_mcuboot.zip",
                   target, have, active, 1 - active);
        return refuse(&h, SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE, out, out_cap);
    }
    for (size_t i = 0; i < lo->pair_count; i++) {
        if (image_read_info(&dev->areas[lo->pairs[i].primary], &info) == IMAGE_OK &&
            hash_is(&info, &f[0].v.str)) {
            return 0;
        }
    }
    device_log(dev, 'W',
               "smp: img: no image with hash %s... here: slot 1 holds the S%d variant of MCUboot "
               "(hash %s...), uploaded last. The S0 and S1 variants of dfu_mcuboot.zip are "
               "alternatives sharing this one slot, so each upload replaced the one before; only "
               "the S%d variant (for the slot the first stage does not boot) can be installed: "
               "upload it alone and confirm it",
               want, target, have, 1 - active);
    return 0;
}
