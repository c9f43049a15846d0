/*
 * When the power fails: a countdown over writes and erases, then a latch
 * that only a reboot releases.
 */
#include "flash/sim/flash_sim_internal.h"

void flash_sim_cut_power_after(struct flash_sim *sim, uint32_t n_ops, enum flash_sim_cut kind)
{
    sim->cut_armed = true;
    sim->cut_ops_left = n_ops;
    sim->cut_kind = kind;
}

bool flash_sim_power_fails_now(struct flash_sim *sim)
{
    if (!sim->cut_armed) {
        return false;
    }
    if (sim->cut_ops_left > 0) {
        sim->cut_ops_left--;
        return false;
    }
    sim->cut_armed = false;
    sim->power_cut = true;
    return true;
}

bool flash_sim_power_is_cut(const struct flash_sim *sim)
{
    return sim->power_cut;
}

void flash_sim_reboot(struct flash_sim *sim)
{
    sim->power_cut = false;
    sim->cut_armed = false;
}
