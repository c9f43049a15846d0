#include "boot/nsib.h"

#include <string.h>

#include "boot/nsib_fw_info.h"
#include "boot/nsib_provision.h"
#include "boot/nsib_validate.h"

static uint32_t area_addr(const struct nsib_config *cfg, const struct flash_area *fa)
{
    return cfg->flash_base + fa->off;
}

static bool config_ok(const struct nsib_config *cfg)
{
    return cfg != NULL && cfg->s0 != NULL && cfg->s1 != NULL && cfg->provision != NULL;
}

/* fw_info of both slots; an absent one leaves has[i] false. */
static int find_both(const struct nsib_config *cfg, struct nsib_fw_info info[2], bool has[2])
{
    const struct flash_area *fa[2] = { cfg->s0, cfg->s1 };

    for (int i = 0; i < 2; i++) {
        int rc = nsib_fw_info_find(fa[i], 0, cfg->hw_id, &info[i]);
        if (rc != 0 && rc != NSIB_ENOFWINFO) {
            return rc;
        }
        has[i] = rc == 0;
    }
    return 0;
}

/*
 * NCS: S0 first unless S1 holds a strictly newer fw_info. Here an
 * invalidated fw_info counts as none: NCS compares it too, tries that slot
 * first and fails on its valid word -- the same boot one failed attempt
 * later -- but its "active_b0_slot" answer then names a slot that never
 * boots. (NCS also reads S0's version when S0 has no fw_info at all; here
 * a missing S0 just goes last.)
 */
static int first_slot(const struct nsib_fw_info info[2], const bool found[2])
{
    bool has[2];

    for (int i = 0; i < 2; i++) {
        has[i] = found[i] && info[i].valid == NSIB_FW_INFO_VALID;
    }
    if (!has[1] || (has[0] && info[0].version >= info[1].version)) {
        return 0;
    }
    return 1;
}

int nsib_active_slot(const struct nsib_config *cfg, int *slot)
{
    struct nsib_fw_info info[2];
    bool has[2];
    int rc;

    if (!config_ok(cfg) || slot == NULL) {
        return NSIB_EINVAL;
    }
    rc = find_both(cfg, info, has);
    if (rc != 0) {
        return rc;
    }
    if ((!has[0] || info[0].valid != NSIB_FW_INFO_VALID) &&
        (!has[1] || info[1].valid != NSIB_FW_INFO_VALID)) {
        return NSIB_ENOFWINFO;
    }
    *slot = first_slot(info, has);
    return 0;
}

/* The slots the provision area names must be the ones the layout gives. */
static int check_provision(const struct nsib_config *cfg, const struct nsib_provision *prov)
{
    if (prov->s0_address != area_addr(cfg, cfg->s0) || prov->s1_address != area_addr(cfg, cfg->s1)) {
        return NSIB_EPROVISION;
    }
    return 0;
}

/* Validate slot i, then account for it in the counter. 0: boot it. */
static int try_slot(const struct nsib_config *cfg, const struct nsib_provision *prov, int i,
                    const struct nsib_fw_info *info, struct nsib_result *res)
{
    const struct flash_area *fa = i == 0 ? cfg->s0 : cfg->s1;
    struct nsib_slot slot = { .fa = fa, .addr = area_addr(cfg, fa), .hw_id = cfg->hw_id };
    struct nsib_keys keys = { .fa = cfg->provision, .prov = prov, .revoke_older = true };
    uint16_t counter = 0;
    int rc;

    if (cfg->rollback_protection) {
        rc = nsib_counter_get(cfg->provision, prov, NSIB_COUNTER_DESC_NSIB, &counter);
        if (rc != 0) {
            return rc;
        }
        keys.min_version = counter >> 1;
    }
    rc = nsib_validate(&slot, info, &keys);
    if (rc != 0) {
        /* Flash, crypto-library or counter trouble says nothing about the
         * image; keep it. */
        if (rc <= NSIB_ENOFWINFO && rc >= NSIB_EBADSIG && nsib_fw_info_invalidate(fa, info) == 0 &&
            info->valid == NSIB_FW_INFO_VALID) {
            res->slots[i].invalidated = true;
        }
        return rc;
    }
    if (cfg->rollback_protection && info->version > (uint32_t)(counter >> 1)) {
        /* Counter = version << 1 | !slot: NCS stores the slot bit
         * inverted so that, for one version, S0 ranks above S1. */
        if (info->version > 0x7fff) {
            return NSIB_ECOUNTER_VALUE;
        }
        rc = nsib_counter_set(cfg->provision, prov, NSIB_COUNTER_DESC_NSIB,
                              (uint16_t)((info->version << 1) | (i == 0 ? 1u : 0u)));
        if (rc != 0) {
            return rc;
        }
        res->counter_raised = true;
    }
    return 0;
}

int nsib_boot(const struct nsib_config *cfg, struct nsib_result *res)
{
    struct nsib_provision prov;
    struct nsib_fw_info info[2];
    bool has[2];
    int order[2];
    int rc;

    if (!config_ok(cfg) || res == NULL) {
        return NSIB_EINVAL;
    }
    memset(res, 0, sizeof(*res));
    res->slot = -1;
    rc = nsib_provision_read(cfg->provision, &prov);
    if (rc == 0) {
        rc = check_provision(cfg, &prov);
    }
    if (rc == 0) {
        rc = find_both(cfg, info, has);
    }
    if (rc != 0) {
        return rc;
    }
    for (int i = 0; i < 2; i++) {
        res->slots[i].has_fw_info = has[i];
        res->slots[i].version = has[i] ? info[i].version : 0;
        res->slots[i].rc = has[i] ? 0 : NSIB_ENOFWINFO;
    }
    order[0] = first_slot(info, has);
    order[1] = 1 - order[0];
    for (int k = 0; k < 2; k++) {
        int i = order[k];
        struct nsib_slot_report *r = &res->slots[i];

        if (!has[i]) {
            continue;
        }
        r->tried = true;
        r->rc = try_slot(cfg, &prov, i, &info[i], res);
        if (r->rc == 0) {
            res->slot = i;
            res->boot_address = info[i].boot_address;
            res->version = info[i].version;
            return 0;
        }
    }
    return NSIB_ENOBOOT;
}
