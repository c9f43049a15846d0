/*
 * Opening and closing a simulated device: checking its geometry, backing it
 * with a shared file mapping or heap memory, and the programming-station
 * load that fills it from outside.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash/sim/flash_sim_internal.h"

static bool power_of_two_up_to_32(uint8_t v)
{
    return v != 0 && v <= 32 && (v & (v - 1)) == 0;
}

/* Checks cfg and returns its number of sectors, or 0 if it is not a
 * device a NOR part could have. */
static size_t config_sectors(const struct flash_sim_config *cfg)
{
    if (!cfg || cfg->size == 0 || !power_of_two_up_to_32(cfg->write_block) ||
        (cfg->erase_value != 0x00 && cfg->erase_value != 0xff)) {
        return 0;
    }
    if (!cfg->sectors) {
        uint32_t ss = cfg->sector_size;
        if (ss == 0 || cfg->size % ss != 0 || ss % cfg->write_block != 0) {
            return 0;
        }
        return cfg->size / ss;
    }
    if (cfg->sector_size != 0 || cfg->sector_count == 0) {
        return 0;
    }
    uint64_t end = 0;
    for (size_t i = 0; i < cfg->sector_count; i++) {
        const struct flash_sector *s = &cfg->sectors[i];
        if (s->off != end || s->size == 0 || s->size % cfg->write_block != 0) {
            return 0;
        }
        end += s->size;
    }
    return end == cfg->size ? cfg->sector_count : 0;
}

size_t flash_sim_sector_of(const struct flash_sim *sim, uint32_t addr)
{
    if (!sim->sector_map) {
        return addr / sim->dev.uniform_sector_size;
    }
    /* The map is contiguous from 0: the last sector starting at or before
     * addr holds it. */
    size_t lo = 0;
    size_t hi = sim->sectors;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (sim->sector_map[mid].off <= addr) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

struct flash_sector flash_sim_sector_bounds(const struct flash_sim *sim, size_t idx)
{
    if (sim->sector_map) {
        return sim->sector_map[idx];
    }
    uint32_t ss = sim->dev.uniform_sector_size;
    return (struct flash_sector){ .off = (uint32_t)idx * ss, .size = ss };
}

/* Everything but the memory: device description, sector map copy and
 * counters. */
static int sim_init(struct flash_sim *sim, const struct flash_sim_config *cfg)
{
    if (!sim) {
        return FLASH_EINVAL;
    }
    memset(sim, 0, sizeof(*sim));
    sim->fd = -1;
    size_t n = config_sectors(cfg);
    if (n == 0) {
        return FLASH_EINVAL;
    }
    sim->sectors = n;
    sim->sector_counts = calloc(n, sizeof(*sim->sector_counts));
    if (!sim->sector_counts) {
        return FLASH_SIM_ENOMEM;
    }
    if (cfg->sectors) {
        sim->sector_map = malloc(n * sizeof(*sim->sector_map));
        if (!sim->sector_map) {
            free(sim->sector_counts);
            sim->sector_counts = NULL;
            return FLASH_SIM_ENOMEM;
        }
        memcpy(sim->sector_map, cfg->sectors, n * sizeof(*sim->sector_map));
    }
    sim->dev = (struct flash_dev){
        .ops = &flash_sim_nor_ops,
        .ctx = sim,
        .size = cfg->size,
        .write_block = cfg->write_block,
        .erase_value = cfg->erase_value,
        .uniform_sector_size = cfg->sectors ? 0 : cfg->sector_size,
        .sectors = sim->sector_map,
        .sector_count = cfg->sectors ? n : 0,
    };
    return FLASH_OK;
}

int flash_sim_open_ram(struct flash_sim *sim, const struct flash_sim_config *cfg)
{
    int rc = sim_init(sim, cfg);
    if (rc) {
        return rc;
    }
    sim->mem = malloc(cfg->size);
    if (!sim->mem) {
        flash_sim_close(sim);
        return FLASH_SIM_ENOMEM;
    }
    memset(sim->mem, cfg->erase_value, cfg->size);
    return FLASH_OK;
}

/*
 * A new flash file is filled under a temporary name and renamed into place,
 * so a process killed while creating it never leaves a file of the right
 * size with a half-erased tail behind.
 */
static int create_erased_file(const char *path, uint32_t size, uint8_t erase_value)
{
    static const char suffix[] = ".XXXXXX";
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof(suffix));
    if (!tmp) {
        return FLASH_SIM_ENOMEM;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, suffix, sizeof(suffix));
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return FLASH_SIM_EFILE;
    }
    uint8_t block[4096];
    memset(block, erase_value, sizeof(block));
    bool ok = fchmod(fd, 0644) == 0 && ftruncate(fd, size) == 0;
    /* ftruncate already gives zeros; only other erased values need writing. */
    for (uint32_t pos = 0; ok && erase_value != 0x00 && pos < size;) {
        size_t n = size - pos < sizeof(block) ? size - pos : sizeof(block);
        ssize_t w = pwrite(fd, block, n, pos);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        ok = w > 0;
        pos += ok ? (uint32_t)w : 0;
    }
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    if (!ok) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
    }
    free(tmp);
    return ok ? FLASH_OK : FLASH_SIM_EFILE;
}

int flash_sim_open_file(struct flash_sim *sim, const char *path, const struct flash_sim_config *cfg)
{
    int rc = sim_init(sim, cfg);
    if (rc) {
        return rc;
    }
    if (!path) {
        flash_sim_close(sim);
        return FLASH_EINVAL;
    }
    sim->fd = open(path, O_RDWR | O_CLOEXEC);
    if (sim->fd < 0 && errno == ENOENT) {
        rc = create_erased_file(path, cfg->size, cfg->erase_value);
        if (rc) {
            flash_sim_close(sim);
            return rc;
        }
        sim->fd = open(path, O_RDWR | O_CLOEXEC);
    }
    if (sim->fd < 0) {
        flash_sim_close(sim);
        return FLASH_SIM_EFILE;
    }
    struct stat st;
    if (fstat(sim->fd, &st) != 0) {
        flash_sim_close(sim);
        return FLASH_SIM_EFILE;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != (off_t)cfg->size) {
        flash_sim_close(sim);
        return FLASH_SIM_ESIZE;
    }
    void *p = mmap(NULL, cfg->size, PROT_READ | PROT_WRITE, MAP_SHARED, sim->fd, 0);
    if (p == MAP_FAILED) {
        flash_sim_close(sim);
        return FLASH_SIM_EFILE;
    }
    sim->mem = p;
    sim->mapped = true;
    return FLASH_OK;
}

void flash_sim_close(struct flash_sim *sim)
{
    if (!sim) {
        return;
    }
    if (sim->mapped) {
        munmap(sim->mem, sim->dev.size);
    } else {
        free(sim->mem);
    }
    /* A zeroed struct has fd 0 but no memory and no counters: it was never
     * opened, so its fd is not ours to close. */
    if (sim->sector_counts && sim->fd >= 0) {
        close(sim->fd);
    }
    free(sim->sector_map);
    free(sim->sector_counts);
    memset(sim, 0, sizeof(*sim));
    sim->fd = -1;
}

const struct flash_dev *flash_sim_dev(const struct flash_sim *sim)
{
    return &sim->dev;
}

int flash_sim_load(struct flash_sim *sim, uint32_t off, uint32_t area_size, const void *data,
                   size_t len)
{
    if (!sim || !sim->mem || len > area_size || (len > 0 && !data)) {
        return FLASH_EINVAL;
    }
    if (off > sim->dev.size || area_size > sim->dev.size - off) {
        return FLASH_ERANGE;
    }
    memset(sim->mem + off, sim->dev.erase_value, area_size);
    if (len > 0) {
        memcpy(sim->mem + off, data, len);
    }
    return FLASH_OK;
}

const uint8_t *flash_sim_raw(const struct flash_sim *sim)
{
    return sim->mem;
}

const char *flash_sim_strerror(int rc)
{
    switch (rc) {
    case FLASH_OK:
        return "ok";
    case FLASH_EINVAL:
        return "invalid flash argument or device geometry";
    case FLASH_ERANGE:
        return "outside the flash area";
    case FLASH_EALIGN:
        return "not aligned to the write block or the sector";
    case FLASH_ENOTERASED:
        return "write onto flash bytes that are not erased";
    case FLASH_EIO:
        return "the flash device reported a failure";
    case FLASH_EPOWER:
        return "power is cut";
    case FLASH_SIM_EFILE:
        return "the flash file cannot be created, opened or mapped";
    case FLASH_SIM_ESIZE:
        return "the flash file's size differs from the configured flash size";
    case FLASH_SIM_ENOMEM:
        return "out of memory";
    default:
        return "unknown flash error";
    }
}
