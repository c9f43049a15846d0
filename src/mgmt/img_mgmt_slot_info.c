/*
 * Slot info, shaped as Zephyr's img_mgmt_slot_info:
 *   {"images": [{"image": N, "slots": [{"slot": 0, "size": S0},
 *                {"slot": 1, "size": S1, "upload_image_id": N}],
 *                "max_image_size": M}, ...]}
 * "upload_image_id" marks the slot an upload with "image": N goes to;
 * "max_image_size" is the largest image that still leaves room for the
 * trailer in both slots.
 */
#include "mgmt/img_mgmt_slot_info.h"

#include "mgmt/img_slots.h"

int img_slot_info_read(struct mgmt_ctx *ctx)
{
    const struct smp_server *srv = ctx->srv;
    struct smp_cbor_writer *w = ctx->w;

    smp_cbor_put_key(w, "images");
    smp_cbor_array_open(w);
    for (size_t pi = 0; pi < srv->cfg.pair_count; pi++) {
        uint8_t image = srv->cfg.pairs[pi].image;

        smp_cbor_map_open(w);
        smp_cbor_put_key(w, "image");
        smp_cbor_put_uint(w, image);
        smp_cbor_put_key(w, "slots");
        smp_cbor_array_open(w);
        for (unsigned slot = IMG_SLOT_PRIMARY; slot <= IMG_SLOT_SECONDARY; slot++) {
            smp_cbor_map_open(w);
            smp_cbor_put_key(w, "slot");
            smp_cbor_put_uint(w, slot);
            smp_cbor_put_key(w, "size");
            smp_cbor_put_uint(w, img_slot_area(srv, pi, slot)->size);
            if (slot == IMG_SLOT_SECONDARY) {
                smp_cbor_put_key(w, "upload_image_id");
                smp_cbor_put_uint(w, image);
            }
            smp_cbor_close(w);
        }
        smp_cbor_close(w);
        smp_cbor_put_key(w, "max_image_size");
        smp_cbor_put_uint(w, img_max_image_size(srv, pi));
        smp_cbor_close(w);
    }
    smp_cbor_close(w);
    return MGMT_OK;
}
