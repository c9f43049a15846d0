/*
 * Shared between the simulator's files; not for users of the simulator.
 */
#ifndef SMPDFU_FLASH_SIM_INTERNAL_H
#define SMPDFU_FLASH_SIM_INTERNAL_H

#include "flash/sim/flash_sim.h"

/* The NOR device behind flash_sim_dev(); ctx is the struct flash_sim. */
extern const struct flash_ops flash_sim_nor_ops;

/* Index of the sector holding device offset addr (addr < size). */
size_t flash_sim_sector_of(const struct flash_sim *sim, uint32_t addr);
/* The bounds of sector idx (idx < sim->sectors). */
struct flash_sector flash_sim_sector_bounds(const struct flash_sim *sim, size_t idx);

/* Count an operation that ran on [addr, addr+len) and report it to the
 * trace. */
void flash_sim_account(struct flash_sim *sim, enum flash_sim_op op, uint32_t addr, uint32_t len);

/* Called once per write or erase that passed the NOR checks, just before it
 * would take effect: true if power fails now. */
bool flash_sim_power_fails_now(struct flash_sim *sim);

#endif
