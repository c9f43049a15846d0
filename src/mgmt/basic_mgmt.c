/*
 * Zephyr basic group (63). Storage erase wipes the configured storage area,
 * sector by sector, skipping sectors that already read as erased (same
 * result, less wear).
 */
#include "mgmt/basic_mgmt.h"

#include "wire/smp_err.h"

static int basic_erase_storage(struct mgmt_ctx *ctx)
{
    const struct flash_area *fa = ctx->srv->cfg.storage;

    if (fa == NULL) {
        /* What Zephyr answers when the partition cannot be opened. */
        return mgmt_group_err(ctx, SMP_BASIC_ERR_FLASH_OPEN_FAILED);
    }
    if (flash_area_sector_count(fa) <= 0) {
        return mgmt_group_err(ctx, SMP_BASIC_ERR_FLASH_CONFIG_QUERY_FAIL);
    }
    if (flash_area_erase_needed(fa, 0, fa->size) != 0) {
        mgmt_log(ctx->srv, 'E', "basic: storage erase failed");
        return mgmt_group_err(ctx, SMP_BASIC_ERR_FLASH_ERASE_FAILED);
    }
    mgmt_log(ctx->srv, 'I', "basic: storage erased");
    return MGMT_OK;
}

static const struct mgmt_handler basic_mgmt_handlers[] = {
    [BASIC_MGMT_ID_ERASE_STORAGE] = {NULL, basic_erase_storage},
};

const struct mgmt_group basic_mgmt_group = {
    .id = SMP_GROUP_ZEPHYR_BASIC,
    .handlers = basic_mgmt_handlers,
    .handler_count = sizeof(basic_mgmt_handlers) / sizeof(basic_mgmt_handlers[0]),
};
