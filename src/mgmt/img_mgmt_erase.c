/*
 * Image erase. "slot" is Zephyr's absolute slot number (2 x image + 0/1);
 * without it, the secondary of the running image. A primary slot is always
 * in use. A secondary holding a valid image that the next boot needs (test,
 * permanent or revert) is refused with NO_FREE_SLOT; a secondary whose image
 * does not read back is erased whatever its trailer says, so a stuck request
 * can be cleared. Blank sectors are skipped.
 */
#include "mgmt/img_mgmt_erase.h"

#include "mgmt/img_mgmt_upload.h"
#include "mgmt/img_slots.h"
#include "mgmt/mgmt_text.h"
#include "wire/smp_err.h"

static int erase_area(const struct flash_area *fa)
{
    if (flash_area_sector_count(fa) <= 0) {
        return SMP_IMG_ERR_FLASH_CONFIG_QUERY_FAIL;
    }
    return flash_area_erase_needed(fa, 0, fa->size) == 0 ? 0 : SMP_IMG_ERR_FLASH_ERASE_FAILED;
}

int img_erase(struct mgmt_ctx *ctx)
{
    struct smp_server *srv = ctx->srv;
    struct smp_cbor_field f[] = {{.key = "slot", .type = SMP_CBOR_UINT}};
    uint64_t slot = 2u * srv->cfg.active_image + IMG_SLOT_SECONDARY;
    struct image_slot_info info;
    struct img_pair_state st;
    const struct flash_area *fa;
    struct mgmt_text t;
    char line[48];
    int pi;
    int rc = mgmt_decode(ctx, f, 1);

    if (rc != MGMT_OK) {
        return rc;
    }
    if (f[0].found) {
        slot = f[0].v.u;
    }
    pi = slot / 2 > 0xff ? -1 : img_pair_index(srv, (uint32_t)(slot / 2));
    if (pi < 0) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_INVALID_SLOT);
    }
    if (slot % 2 == IMG_SLOT_PRIMARY) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_NO_FREE_SLOT);
    }
    fa = img_slot_area(srv, (size_t)pi, IMG_SLOT_SECONDARY);
    img_pair_state(srv, (size_t)pi, &st);
    if (image_read_info(fa, &info) == IMAGE_OK && img_secondary_in_use(&st)) {
        return mgmt_group_err(ctx, SMP_IMG_ERR_NO_FREE_SLOT);
    }
    /* An upload into this slot cannot go on once it is wiped. */
    img_upload_abandon(srv, (size_t)pi);
    rc = erase_area(fa);
    mgmt_text_init(&t, line, sizeof(line));
    mgmt_text_str(&t, rc == 0 ? "img: erased slot " : "img: erase failed, slot ");
    mgmt_text_uint(&t, (uint32_t)slot, 1);
    mgmt_log(srv, rc == 0 ? 'I' : 'E', line);
    if (rc != 0) {
        return mgmt_group_err(ctx, (uint16_t)rc);
    }
    return MGMT_OK;
}
