/*
 * What the device has been through: operation counts per sector and in
 * total (erase counts are the wear figures), and the trace hook.
 */
#include <string.h>

#include "flash/sim/flash_sim_internal.h"

static void count_op(struct flash_sim_counts *c, enum flash_sim_op op)
{
    switch (op) {
    case FLASH_SIM_OP_READ:
        c->reads++;
        break;
    case FLASH_SIM_OP_WRITE:
        c->writes++;
        break;
    case FLASH_SIM_OP_ERASE:
        c->erases++;
        break;
    }
}

void flash_sim_account(struct flash_sim *sim, enum flash_sim_op op, uint32_t addr, uint32_t len)
{
    count_op(&sim->total, op);
    size_t last = flash_sim_sector_of(sim, addr + len - 1);
    for (size_t i = flash_sim_sector_of(sim, addr); i <= last; i++) {
        count_op(&sim->sector_counts[i], op);
    }
    if (sim->trace) {
        sim->trace(sim->trace_arg, op, addr, len);
    }
}

void flash_sim_set_trace(struct flash_sim *sim, flash_sim_trace_fn fn, void *arg)
{
    sim->trace = fn;
    sim->trace_arg = arg;
}

void flash_sim_total_counts(const struct flash_sim *sim, struct flash_sim_counts *out)
{
    *out = sim->total;
}

int flash_sim_sector_counts(const struct flash_sim *sim, size_t idx, struct flash_sim_counts *out)
{
    if (idx >= sim->sectors) {
        return FLASH_ERANGE;
    }
    *out = sim->sector_counts[idx];
    return FLASH_OK;
}

size_t flash_sim_sector_count(const struct flash_sim *sim)
{
    return sim->sectors;
}

void flash_sim_reset_counts(struct flash_sim *sim)
{
    memset(&sim->total, 0, sizeof(sim->total));
    if (sim->sector_counts) {
        memset(sim->sector_counts, 0, sim->sectors * sizeof(*sim->sector_counts));
    }
}
