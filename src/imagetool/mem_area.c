#include "imagetool/mem_area.h"

#include <string.h>

static int mem_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    const struct mem_area *m = ctx;

    memcpy(buf, m->data + addr, len);
    return 0;
}

static int mem_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    (void)addr;
    (void)buf;
    (void)len;
    return FLASH_EIO;
}

static int mem_erase(void *ctx, uint32_t addr, uint32_t len)
{
    (void)ctx;
    (void)addr;
    (void)len;
    return FLASH_EIO;
}

static const struct flash_ops mem_ops = {
    .read = mem_read,
    .write = mem_write,
    .erase = mem_erase,
};

void mem_area_init(struct mem_area *m, const uint8_t *data, uint32_t len, uint8_t erased_val)
{
    memset(m, 0, sizeof(*m));
    m->data = data;
    m->dev = (struct flash_dev){
        .ops = &mem_ops,
        .ctx = m,
        .size = len,
        .write_block = 1,
        .erase_value = erased_val,
        .uniform_sector_size = len,
    };
    m->fa = (struct flash_area){ .id = 0, .name = "file", .dev = &m->dev, .off = 0, .size = len };
}
