/*
 * The NOR device: reads, writes and erases on the simulator's memory, with
 * the rules a real part imposes checked before anything changes, and the
 * remains of an operation that loses power halfway (see flash_sim.h).
 */
#include <string.h>

#include "flash/sim/flash_sim_internal.h"

/* What every operation checks first: power, then the device's bounds. */
static int op_check(const struct flash_sim *sim, uint32_t addr, size_t len)
{
    if (sim->power_cut) {
        return FLASH_EPOWER;
    }
    if (addr > sim->dev.size || len > sim->dev.size - addr) {
        return FLASH_ERANGE;
    }
    return FLASH_OK;
}

static int nor_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    struct flash_sim *sim = ctx;
    int rc = op_check(sim, addr, len);
    if (rc) {
        return rc;
    }
    if (len == 0) {
        return FLASH_OK;
    }
    if (!buf) {
        return FLASH_EINVAL;
    }
    memcpy(buf, sim->mem + addr, len);
    flash_sim_account(sim, FLASH_SIM_OP_READ, addr, (uint32_t)len);
    return FLASH_OK;
}

/*
 * A write cut by power loss: whole blocks up to the middle one, then the
 * first half of that block's bits. The target bytes were all erased, so
 * "programming a bit" means taking the new data's bit there.
 */
static void torn_write(struct flash_sim *sim, uint32_t addr, const uint8_t *data, size_t len)
{
    const size_t wb = sim->dev.write_block;
    size_t done = (len / wb / 2) * wb;
    if (wb > 1) {
        done += wb / 2;
    } else {
        uint8_t ev = sim->dev.erase_value;
        sim->mem[addr + done] = (uint8_t)((data[done] & 0xf0) | (ev & 0x0f));
    }
    memcpy(sim->mem + addr, data, done);
}

static int nor_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    struct flash_sim *sim = ctx;
    int rc = op_check(sim, addr, len);
    if (rc) {
        return rc;
    }
    const uint32_t mask = (uint32_t)sim->dev.write_block - 1;
    if ((addr & mask) != 0 || (len & mask) != 0) {
        return FLASH_EALIGN;
    }
    if (len == 0) {
        return FLASH_OK;
    }
    if (!buf) {
        return FLASH_EINVAL;
    }
    /* Programming only moves bits away from the erased value; a byte that
     * is already programmed cannot take arbitrary new data. */
    for (size_t i = 0; i < len; i++) {
        if (sim->mem[addr + i] != sim->dev.erase_value) {
            return FLASH_ENOTERASED;
        }
    }
    if (flash_sim_power_fails_now(sim)) {
        if (sim->cut_kind == FLASH_SIM_CUT_TORN_WRITE) {
            torn_write(sim, addr, buf, len);
        }
        return FLASH_EPOWER;
    }
    memcpy(sim->mem + addr, buf, len);
    flash_sim_account(sim, FLASH_SIM_OP_WRITE, addr, (uint32_t)len);
    return FLASH_OK;
}

static int nor_erase(void *ctx, uint32_t addr, uint32_t len)
{
    struct flash_sim *sim = ctx;
    int rc = op_check(sim, addr, len);
    if (rc) {
        return rc;
    }
    if (len == 0) {
        return FLASH_EALIGN;
    }
    struct flash_sector s = flash_sim_sector_bounds(sim, flash_sim_sector_of(sim, addr));
    if (s.off != addr || s.size != len) {
        return FLASH_EALIGN;
    }
    if (flash_sim_power_fails_now(sim)) {
        if (sim->cut_kind == FLASH_SIM_CUT_PARTIAL_ERASE) {
            memset(sim->mem + addr, sim->dev.erase_value, len / 2);
        }
        return FLASH_EPOWER;
    }
    memset(sim->mem + addr, sim->dev.erase_value, len);
    flash_sim_account(sim, FLASH_SIM_OP_ERASE, addr, len);
    return FLASH_OK;
}

const struct flash_ops flash_sim_nor_ops = {
    .read = nor_read,
    .write = nor_write,
    .erase = nor_erase,
};
